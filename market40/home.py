"""Each role's home page: the board's market today, the operator's desk.

These pages compose several apps, so they live in the project package."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from core import clock
from core.access import role_of
from core.middleware import WEBHOOK_PREFIX
from core.models import Role
from core.partners import Partner, partner_bin
from merchants import selectors as merchant_selectors
from merchants.models import VendorStatus
from payments import selectors as payment_selectors
from payments.models import Transaction, Verdict, WebhookDelivery
from payments.partners import adapter_for
from reconciliation.models import ExceptionStatus, ReconciliationRun
from reconciliation.selectors import exceptions_visible_to


@login_required
def home(request: HttpRequest) -> HttpResponse:
    role = role_of(request.user)
    if role == Role.BOARD:
        market = merchant_selectors.markets_visible_to(request.user).first()
        if market is None:
            raise Http404
        return redirect("market-today", code=market.code)
    if role == Role.OPERATOR:
        return operator_desk(request)
    if role == Role.DEPARTMENT:
        return redirect("/dashboard/")
    raise Http404


@login_required
def market_today(request: HttpRequest, code: str) -> HttpResponse:
    """The board's market at a glance: vendors, today's takings, open exceptions."""
    market = merchant_selectors.get_market_for(request.user, code)
    today = clock.today()
    vendors = market.vendors.all()
    counts = vendors.aggregate(
        registered=Count("pk", filter=~Q(status=VendorStatus.CLOSED)),
        active=Count("pk", filter=Q(status=VendorStatus.ACTIVE)),
    )
    with_code = merchant_selectors.vendors_with_active_code(vendors).count()
    day_transactions = Transaction.objects.filter(market=market, business_date=today)
    by_partner = [
        {"partner": Partner(p).label, "takings": payment_selectors.takings(day_transactions.filter(partner=p))}
        for p in Partner.values
    ]
    top_vendors = (
        payment_selectors.completed_payments(day=today, market=market)
        .values("vendor__code", "vendor__full_name", "vendor__stall_number")
        .annotate(total=Sum("amount"), payments=Count("pk"))
        .order_by("-total")[:10]
    )
    open_exceptions = exceptions_visible_to(request.user).filter(market=market, status=ExceptionStatus.OPEN)
    return render(
        request,
        "home/market_today.html",
        {
            "market": market,
            "markets": merchant_selectors.markets_visible_to(request.user),
            "today": today,
            "counts": counts,
            "with_code": with_code,
            "takings": payment_selectors.takings(day_transactions),
            "by_partner": by_partner,
            "top_vendors": top_vendors,
            "open_exceptions": open_exceptions.count(),
            "can_write": role_of(request.user) in (Role.BOARD, Role.OPERATOR),
        },
    )


# The desk's window on each partner's webhooks.
HEALTH_HOURS = 24


def partner_health() -> list[dict]:
    """What is configured for each partner (never the secrets themselves) and
    what its webhooks did in the last 24 hours."""
    since = clock.now() - dt.timedelta(hours=HEALTH_HOURS)
    log = reverse("payments-deliveries")
    window = str(HEALTH_HOURS)
    rows = []
    for partner in Partner:
        deliveries = WebhookDelivery.objects.filter(partner=partner, received_at__gte=since)
        counted = dict(deliveries.values_list("verdict").annotate(n=Count("pk")))
        # Each verdict in words, linked to the same deliveries in the log.
        verdicts = [
            {
                "label": verdict.label,
                "count": counted[verdict.value],
                "url": f"{log}?{urlencode({'partner': partner.value, 'verdict': verdict.value, 'hours': window})}",
            }
            for verdict in Verdict
            if counted.get(verdict.value)
        ]
        last = WebhookDelivery.objects.filter(partner=partner).order_by("-received_at").first()
        secrets_setting = adapter_for(partner).secrets_setting
        rows.append(
            {
                "partner": partner.label,
                "secret_setting": secrets_setting,
                "secrets": len(getattr(settings, secrets_setting)),
                "bin": partner_bin(partner),
                "webhook_path": f"{WEBHOOK_PREFIX}{partner.value}",
                "verdicts": verdicts,
                "last_received": last.received_at if last else None,
            }
        )
    return rows


def operator_desk(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "home/operator_desk.html",
        {
            "partners": partner_health(),
            "unattributed": payment_selectors.unattributed_queue().count(),
            "open_exceptions": exceptions_visible_to(request.user).filter(status=ExceptionStatus.OPEN).count(),
            "latest_runs": ReconciliationRun.objects.order_by("-business_date", "partner")[:6],
        },
    )
