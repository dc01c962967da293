"""Pages: transactions for boards, the delivery log and the unattributed
queue for operators."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import clock
from core.access import role_of
from core.errors import DomainError, ValidationFailed
from core.models import Role
from core.params import parse_day
from core.partners import Partner
from merchants.models import Vendor
from merchants.selectors import markets_visible_to
from payments import selectors, services
from payments.models import Kind, PaymentAlert, Status, Transaction, Verdict, WebhookDelivery

MAX_LOG_HOURS = 30 * 24


def _operator_only(request: HttpRequest) -> None:
    if role_of(request.user) != Role.OPERATOR:
        raise Http404


@login_required
def transaction_list(request: HttpRequest) -> HttpResponse:
    filters = {
        name: request.GET.get(name) or "" for name in ("market", "partner", "status", "kind", "date_from", "date_to")
    }
    errors: dict = {}
    try:
        found = selectors.transaction_search(
            request.user,
            market=filters["market"] or None,
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


@login_required
def unattributed_queue(request: HttpRequest) -> HttpResponse:
    _operator_only(request)
    page = Paginator(selectors.unattributed_queue(), 50).get_page(request.GET.get("page"))
    return render(request, "payments/unattributed.html", {"page": page})


@login_required
@require_POST
def transaction_resolve(request: HttpRequest, txn_id: int) -> HttpResponse:
    _operator_only(request)
    txn = get_object_or_404(Transaction, pk=txn_id)
    action = request.POST.get("action")
    note = request.POST.get("note") or ""
    try:
        if action == "dismiss":
            services.transaction_dismiss(actor=request.user, txn=txn, note=note)
            messages.success(request, _("Đã đóng giao dịch %(id)s") % {"id": txn.partner_transaction_id})
        else:
            code = (request.POST.get("vendor") or "").strip().upper()
            vendor = Vendor.objects.select_related("market").filter(code=code).first()
            if vendor is None:
                raise ValidationFailed.single("vendor", _("Không tìm thấy tiểu thương có mã %(code)s") % {"code": code})
            services.transaction_attribute(actor=request.user, txn=txn, vendor=vendor, note=note)
            messages.success(
                request,
                _("Đã gán giao dịch %(id)s cho %(vendor)s")
                % {"id": txn.partner_transaction_id, "vendor": vendor.display_name},
            )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("payments-unattributed")
