"""Pages: transactions for boards, the delivery log and the unattributed
queue for operators."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import clock
from core.access import role_of
from core.errors import DomainError, ValidationFailed, field_label
from core.models import Role
from core.params import parse_day
from core.partners import Partner
from merchants import selectors as merchant_selectors
from merchants.models import Vendor, VendorStatus
from merchants.selectors import get_vendor_for, markets_visible_to
from payments import selectors, services
from payments.models import Kind, PaymentAlert, Status, Transaction, Verdict, WebhookDelivery

MAX_LOG_HOURS = 30 * 24


def _operator_only(request: HttpRequest) -> None:
    if role_of(request.user) != Role.OPERATOR:
        raise Http404


@login_required
def transaction_list(request: HttpRequest) -> HttpResponse:
    filters = {
        name: request.GET.get(name) or ""
        for name in ("market", "vendor", "partner", "status", "kind", "date_from", "date_to")
    }
    errors: dict = {}
    try:
        found = selectors.transaction_search(
            request.user,
            market=filters["market"] or None,
            vendor=filters["vendor"] or None,
            partner=filters["partner"] or None,
            status=filters["status"] or None,
            kind=filters["kind"] or None,
            date_from=parse_day("date_from", filters["date_from"]),
            date_to=parse_day("date_to", filters["date_to"]),
        )
    except ValidationFailed as exc:
        errors = exc.errors
        found = Transaction.objects.none()
    except DomainError as exc:
        raise Http404(exc.message) from exc
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "payments/transaction_list.html",
        {
            "page": page,
            "filters": filters,
            "errors": errors,
            "takings": selectors.takings(found) if not errors else None,
            # A vendor or market the person cannot see was a 404 above.
            "vendor": get_vendor_for(request.user, filters["vendor"]) if filters["vendor"] else None,
            "markets": markets_visible_to(request.user),
            "partners": Partner.choices,
            "statuses": Status.choices,
            "kinds": Kind.choices,
        },
    )


@login_required
def delivery_list(request: HttpRequest) -> HttpResponse:
    _operator_only(request)
    partner = request.GET.get("partner") or ""
    verdict = request.GET.get("verdict") or ""
    # The desk links its last-24-hours counts here with `hours`; anything
    # that is not a whole number of hours up to 30 days means the whole log.
    hours_text = request.GET.get("hours") or ""
    hours = int(hours_text) if hours_text.isdigit() and 0 < int(hours_text) <= MAX_LOG_HOURS else None
    since = clock.now() - dt.timedelta(hours=hours) if hours else None
    page = Paginator(selectors.delivery_log(partner=partner, verdict=verdict, since=since), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "payments/delivery_list.html",
        {
            "page": page,
            "filters": {"partner": partner, "verdict": verdict, "hours": hours},
            "partners": Partner.choices,
            "verdicts": Verdict.choices,
            "alerts": PaymentAlert.objects.filter(acknowledged_at__isnull=True).select_related("transaction")[:20],
        },
    )


@login_required
@require_POST
def delivery_replay(request: HttpRequest, delivery_id: int) -> HttpResponse:
    _operator_only(request)
    delivery = get_object_or_404(WebhookDelivery, pk=delivery_id)
    try:
        replay = services.delivery_replay(actor=request.user, delivery=delivery)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Đã chạy lại lần nhận #%(id)s: %(verdict)s")
            % {"id": delivery.pk, "verdict": replay.get_verdict_display()},
        )
    return redirect("payments-deliveries")


# Suggestions the attribution search box offers at once.
VENDOR_SUGGESTIONS = 10


def _queue_page(request: HttpRequest, number: str | None, **context: Any) -> HttpResponse:
    page = Paginator(selectors.unattributed_queue(), 50).get_page(number)
    return render(
        request,
        "payments/unattributed.html",
        {"page": page, "markets": merchant_selectors.markets_visible_to(request.user), **context},
    )


@login_required
def unattributed_queue(request: HttpRequest) -> HttpResponse:
    _operator_only(request)
    return _queue_page(request, request.GET.get("page"))


@login_required
def vendor_suggestions(request: HttpRequest) -> JsonResponse:
    """What the attribution search box suggests as the operator types: open
    vendors by name, trade name, stall or code, with no personal data beyond
    the name the vendor trades under."""
    _operator_only(request)
    term = " ".join((request.GET.get("q") or "").split())
    if len(term) < 2:
        return JsonResponse({"items": []})
    found = (
        merchant_selectors.vendor_search(request.user, search=term)
        .exclude(status=VendorStatus.CLOSED)
        .select_related("market")[:VENDOR_SUGGESTIONS]
    )
    return JsonResponse({"items": [{"code": vendor.code, "label": _vendor_label(vendor)} for vendor in found]})


def _vendor_label(vendor: Vendor) -> str:
    return _("%(name)s · sạp %(stall)s · %(market)s") % {
        "name": vendor.display_name,
        "stall": vendor.stall_number,
        "market": vendor.market.name,
    }


def _vendor_named(request: HttpRequest) -> Vendor:
    """The vendor the operator named: by the search box when it is filled
    (what was typed last), otherwise by market and stall."""
    market = (request.POST.get("market") or "").strip()
    stall = (request.POST.get("stall") or "").strip()
    term = " ".join((request.POST.get("vendor") or "").split())
    if term:
        return _vendor_searched(request, term)
    if market or stall:
        errors = {}
        if not market:
            errors["market"] = [_("Vui lòng chọn chợ của sạp")]
        if not stall:
            errors["stall"] = [_("Vui lòng nhập số sạp")]
        if errors:
            raise ValidationFailed.of(errors)
        vendor = merchant_selectors.open_vendor_at(request.user, market=market, stall=stall)
        if vendor is None:
            raise ValidationFailed.of(
                {
                    "stall": [
                        _("Chợ %(market)s không có tiểu thương nào ở sạp %(stall)s")
                        % {"market": market, "stall": stall}
                    ]
                }
            )
        return vendor
    raise ValidationFailed.of({"vendor": [_("Chọn chợ và nhập số sạp, hoặc tìm tiểu thương theo tên")]})


def _vendor_searched(request: HttpRequest, term: str) -> Vendor:
    """A code the box's suggestion filled in, or a name only one open vendor has."""
    open_vendors = merchant_selectors.vendors_visible_to(request.user).exclude(status=VendorStatus.CLOSED)
    by_code = open_vendors.filter(code__iexact=term).select_related("market").first()
    if by_code is not None:
        return by_code
    found = list(merchant_selectors.vendor_search(request.user, search=term).exclude(status=VendorStatus.CLOSED)[:2])
    if not found:
        raise ValidationFailed.of({"vendor": [_("Không tìm thấy tiểu thương nào khớp “%(term)s”") % {"term": term}]})
    if len(found) > 1:
        raise ValidationFailed.of(
            {
                "vendor": [
                    _("Nhiều tiểu thương khớp “%(term)s”; hãy chọn một trong các gợi ý, hoặc chọn chợ và số sạp")
                    % {"term": term}
                ]
            }
        )
    return found[0]


@login_required
@require_POST
def transaction_resolve(request: HttpRequest, txn_id: int) -> HttpResponse:
    """Attribute or dismiss one queued transaction. A refusal shows the same
    page of the queue again, with the reasons beside the fields at fault and
    what was typed still in them."""
    _operator_only(request)
    txn = get_object_or_404(Transaction, pk=txn_id)
    action = request.POST.get("action")
    note = request.POST.get("note") or ""
    try:
        if action == "dismiss":
            services.transaction_dismiss(actor=request.user, txn=txn, note=note)
            messages.success(request, _("Đã đóng giao dịch %(id)s") % {"id": txn.partner_transaction_id})
        else:
            vendor = _vendor_named(request)
            services.transaction_attribute(actor=request.user, txn=txn, vendor=vendor, note=note)
            messages.success(
                request,
                _("Đã gán giao dịch %(id)s cho %(vendor)s")
                % {"id": txn.partner_transaction_id, "vendor": _vendor_label(vendor)},
            )
    except DomainError as exc:
        errors = exc.errors or {"transaction": [exc.message]}
        return _queue_page(
            request,
            request.POST.get("page"),
            failed=txn.pk,
            errors=errors,
            summary=[f"{field_label(field)}: {reason}" for field, reasons in errors.items() for reason in reasons],
            typed={name: request.POST.get(name, "") for name in ("market", "stall", "vendor", "note")},
        )
    page = request.POST.get("page") or ""
    target = reverse("payments-unattributed")
    return redirect(f"{target}?page={page}" if page.isdigit() else target)
