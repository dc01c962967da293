"""Pages for market boards: find, register and edit vendors, import a sheet."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import audit
from core.access import require_market_write, role_of
from core.actors import Actor
from core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from core.models import Role
from core.partners import Partner, partner_bin
from merchants import import_jobs, imports, selectors, services
from merchants.models import GoodsCategory, ImportJob, Market, PaymentCode, Vendor, VendorStatus, WalletAccount
from printables.selectors import vendor_link


def _writable_markets(user: Actor) -> QuerySet[Market]:
    markets = selectors.markets_visible_to(user)
    return markets if role_of(user) in (Role.BOARD, Role.OPERATOR) else markets.none()


@login_required
def vendor_list(request: HttpRequest) -> HttpResponse:
    market_code = request.GET.get("market") or ""
    status = request.GET.get("status") or ""
    search = request.GET.get("q") or ""
    vendors = selectors.vendor_search(request.user, market=market_code, status=status, search=search)
    page = Paginator(vendors, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "merchants/vendor_list.html",
        {
            "page": page,
            "markets": selectors.markets_visible_to(request.user),
            "statuses": VendorStatus.choices,
            "filters": {"market": market_code, "status": status, "q": search},
            "can_write": role_of(request.user) in (Role.BOARD, Role.OPERATOR),
        },
    )


def _form_context(request: HttpRequest, data: dict, errors: dict, **extra: Any) -> dict:
    return {
        "data": data,
        "errors": errors,
        "categories": GoodsCategory.choices,
        "markets": _writable_markets(request.user),
        **extra,
    }


@login_required
def vendor_new(request: HttpRequest) -> HttpResponse:
    markets = _writable_markets(request.user)
    if not markets.exists():
        raise Http404
    only = markets.first() if markets.count() == 1 else None
    data: dict = {"market": request.GET.get("market") or (only.code if only else "")}
    errors: dict = {}
    if request.method == "POST":
        data = request.POST.dict()
        try:
            market = selectors.get_market_for(request.user, data.get("market", ""))
        except NotFound:
            errors = {"market": [_("Vui lòng chọn chợ")]}
        else:
            try:
                vendor = services.vendor_register(
                    actor=request.user,
                    market=market,
                    data=services.vendor_fields_of(data),
                    consent_given=data.get("consent") == "on",
                )
            except (ValidationFailed, Conflict) as exc:
                errors = exc.errors
            else:
                messages.success(request, _("Đã đăng ký tiểu thương %(name)s") % {"name": vendor.full_name})
                return redirect("vendor-detail", code=vendor.code)
    return render(request, "merchants/vendor_form.html", _form_context(request, data, errors, creating=True))


@login_required
def vendor_detail(request: HttpRequest, code: str) -> HttpResponse:
    vendor = selectors.get_vendor_for(request.user, code)
    role = role_of(request.user)
    return render(
        request,
        "merchants/vendor_detail.html",
        {
            "vendor": vendor,
            "accounts": vendor.wallet_accounts.filter(is_active=True).prefetch_related(
                Prefetch("payment_codes", queryset=selectors.active_codes(), to_attr="active")
            ),
            "vendor_link": vendor_link(vendor) if role in (Role.BOARD, Role.OPERATOR) else None,
            "partners": Partner.choices,
            # No code can be issued for these until the operator sets their BIN.
            "partners_without_bin": {p for p in Partner.values if not partner_bin(p)},
            "can_write": role in (Role.BOARD, Role.OPERATOR),
            # The board keeps its vendors' records, so it reads their history too.
            "history": audit.history_of(vendor)[:50] if role in (Role.BOARD, Role.OPERATOR) else None,
            **_status_choices(vendor),
        },
    )


def _status_choices(vendor: Vendor) -> dict[str, Any]:
    """The moves a clerk may make from the vendor's status, in lifecycle order.
    Closing is final, so it is not among them: it has its own page that says
    what it does and asks for a reason."""
    following = services.VENDOR_TRANSITIONS[vendor.status]
    return {
        "transitions": [(s.value, s.label) for s in VendorStatus if s in following and s != VendorStatus.CLOSED],
        "can_close": VendorStatus.CLOSED in following,
    }


@login_required
def vendor_edit(request: HttpRequest, code: str) -> HttpResponse:
    vendor = selectors.get_vendor_for(request.user, code)
    require_market_write(request.user, vendor.market)
    data = {f: getattr(vendor, f) for f in services.VENDOR_FIELDS}
    errors: dict = {}
    if request.method == "POST":
        data = {f: request.POST.get(f, "") for f in services.VENDOR_FIELDS}
        try:
            services.vendor_update(actor=request.user, vendor=vendor, data=services.vendor_fields_of(data))
        except (ValidationFailed, Conflict) as exc:
            errors = exc.errors
        else:
            messages.success(request, _("Đã lưu thay đổi"))
            return redirect("vendor-detail", code=vendor.code)
    context = _form_context(request, data, errors, creating=False, vendor=vendor)
    return render(request, "merchants/vendor_form.html", context)


@login_required
@require_POST
def vendor_status(request: HttpRequest, code: str) -> HttpResponse:
    vendor = selectors.get_vendor_for(request.user, code)
    status = request.POST.get("status", "")
    if status == VendorStatus.CLOSED:
        # Closing is confirmed on its own page, with a reason.
        return redirect("vendor-close", code=vendor.code)
    _report(
        request,
        lambda: services.vendor_change_status(actor=request.user, vendor=vendor, status=status),
        lambda: _("Đã chuyển trạng thái sang “%(status)s”") % {"status": vendor.get_status_display()},
    )
    return redirect("vendor-detail", code=vendor.code)


@login_required
def vendor_close(request: HttpRequest, code: str) -> HttpResponse:
    """Ask for a reason and a confirmation before closing: it revokes every
    code, ends the vendor's link and frees the stall, for good."""
    vendor = selectors.get_vendor_for(request.user, code)
    require_market_write(request.user, vendor.market)
    if not _status_choices(vendor)["can_close"]:
        messages.error(request, _("Tiểu thương đã nghỉ"))
        return redirect("vendor-detail", code=vendor.code)
    reason, errors = request.POST.get("reason", ""), {}
    if request.method == "POST":
        try:
            services.vendor_change_status(actor=request.user, vendor=vendor, status=VendorStatus.CLOSED, reason=reason)
        except DomainError as exc:
            if isinstance(exc, (NotFound, PermissionDenied)):
                raise
            errors = exc.errors or {"reason": [exc.summary]}
        else:
            messages.success(
                request,
                _("Đã cho tiểu thương %(name)s nghỉ; sạp %(stall)s đã trống")
                % {"name": vendor.full_name, "stall": vendor.stall_number},
            )
            return redirect("vendor-detail", code=vendor.code)
    codes = selectors.active_codes().filter(wallet_account__vendor=vendor).count()
    return render(
        request,
        "merchants/vendor_close.html",
        {"vendor": vendor, "reason": reason, "errors": errors, "active_codes": codes},
    )


@login_required
@require_POST
def wallet_account_new(request: HttpRequest, code: str) -> HttpResponse:
    vendor = selectors.get_vendor_for(request.user, code)
    _report(
        request,
        lambda: services.wallet_account_add(
            actor=request.user,
            vendor=vendor,
            partner=request.POST.get("partner", ""),
            account_number=request.POST.get("account_number", ""),
        ),
        lambda: _("Đã thêm tài khoản ví"),
    )
    return redirect("vendor-detail", code=vendor.code)


def _report(request: HttpRequest, action: Callable[[], object], success: Callable[[], str]) -> None:
    """Run a write from a button and show its outcome; NotFound and
    PermissionDenied pass through as 404 and 403."""
    try:
        action()
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, exc.summary)
    else:
        messages.success(request, success())


def _payment_code_of(vendor: Vendor, code_id: int) -> PaymentCode:
    payment_code = selectors.payment_code_of(vendor, code_id)
    if payment_code is None:
        raise Http404
    return payment_code


@login_required
@require_POST
def payment_code_reissue(request: HttpRequest, code: str, code_id: int) -> HttpResponse:
    vendor = selectors.get_vendor_for(request.user, code)
    payment_code = _payment_code_of(vendor, code_id)
    _report(
        request,
        lambda: services.payment_code_reissue(actor=request.user, code=payment_code),
        lambda: _("Đã cấp lại mã; hãy in áp phích mới"),
    )
    return redirect("vendor-detail", code=vendor.code)


@login_required
@require_POST
def payment_code_revoke(request: HttpRequest, code: str, code_id: int) -> HttpResponse:
    vendor = selectors.get_vendor_for(request.user, code)
    payment_code = _payment_code_of(vendor, code_id)
    reason = request.POST.get("reason", "")
    _report(
        request,
        lambda: services.payment_code_revoke(actor=request.user, code=payment_code, reason=reason),
        lambda: _("Đã thu hồi mã"),
    )
    return redirect("vendor-detail", code=vendor.code)


@login_required
@require_POST
def payment_code_issue(request: HttpRequest, code: str, account_id: int) -> HttpResponse:
    vendor = selectors.get_vendor_for(request.user, code)
    account = get_object_or_404(WalletAccount, pk=account_id, vendor=vendor)
    _report(
        request, lambda: services.payment_code_issue(actor=request.user, account=account), lambda: _("Đã cấp mã QR")
    )
    return redirect("vendor-detail", code=vendor.code)


@login_required
def vendor_import_page(request: HttpRequest) -> HttpResponse:
    """Upload a sheet: a worker checks (dry run) or imports it, with progress."""
    markets = _writable_markets(request.user)
    if not markets.exists():
        raise Http404
    error, market_code = None, request.POST.get("market") or request.GET.get("market") or ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            market = selectors.get_market_for(request.user, market_code)
            job = import_jobs.import_job_start(
                actor=request.user,
                market=market,
                filename=(upload.name or "") if upload else "",
                content=upload.read() if upload else b"",
                dry_run=request.POST.get("confirm") != "1",
            )
        except NotFound:
            error = _("Vui lòng chọn chợ")
        except DomainError as exc:
            error = exc.summary
        else:
            return redirect("vendor-import-job", job_id=job.pk)
    context = {"markets": markets, "market_code": market_code, "error": error}
    return render(request, "merchants/vendor_import.html", context)


def _import_job_for(request: HttpRequest, job_id: int) -> ImportJob:
    return get_object_or_404(
        ImportJob.objects.select_related("market"), pk=job_id, market__in=_writable_markets(request.user)
    )


@login_required
def vendor_import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _import_job_for(request, job_id)
    return render(
        request,
        "merchants/vendor_import_job.html",
        {"job": job, "report": job.report, "markets": _writable_markets(request.user)},
    )


@login_required
@require_POST
def vendor_import_confirm(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _import_job_for(request, job_id)
    try:
        confirmed = import_jobs.import_job_confirm(actor=request.user, job=job)
    except DomainError as exc:
        messages.error(request, exc.summary)
        return redirect("vendor-import-job", job_id=job.pk)
    return redirect("vendor-import-job", job_id=confirmed.pk)


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        imports.template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-tieu-thuong.xlsx"'
    return response
