"""Reads of transactions and deliveries that pages, the API, the vendor link
and reports share, so they all agree on what counts as money received."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from core import clock
from core.access import role_of
from core.actors import Actor
from core.errors import ValidationFailed
from core.models import Role
from core.params import choice
from core.partners import Partner
from merchants.models import Market, Vendor
from merchants.selectors import get_market_for, get_vendor_for, markets_visible_to
from payments.models import Attribution, Kind, Status, Transaction, WebhookDelivery

# Only completed transactions are money; failed and reversed ones are kept
# for the record and never counted.
COUNTED = Q(status=Status.COMPLETED)
PAYMENTS = Q(kind=Kind.PAYMENT) & COUNTED
REFUNDS = Q(kind=Kind.REFUND) & COUNTED


@dataclass(frozen=True)
class Takings:
    payments: int
    gross: int
    refunds: int

    @property
    def net(self) -> int:
        return self.gross - self.refunds


def takings(transactions: QuerySet[Transaction]) -> Takings:
    row = transactions.aggregate(
        payments=Count("pk", filter=PAYMENTS),
        gross=Sum("amount", filter=PAYMENTS),
        refunds=Sum("amount", filter=REFUNDS),
    )
    return Takings(row["payments"] or 0, row["gross"] or 0, row["refunds"] or 0)


def completed_payments(
    *,
    partner: str | None = None,
    day: dt.date | None = None,
    market: Market | None = None,
    vendor: Vendor | None = None,
) -> QuerySet[Transaction]:
    found = Transaction.objects.filter(PAYMENTS)
    if partner:
        found = found.filter(partner=partner)
    if day:
        found = found.filter(business_date=day)
    if market is not None:
        found = found.filter(market=market)
    if vendor is not None:
        found = found.filter(vendor=vendor)
    return found


def vendor_takings(vendor: Vendor, day: dt.date) -> Takings:
    """A vendor's money for one business day (the vendor link shows today's)."""
    return takings(Transaction.objects.filter(vendor=vendor, business_date=day))


def vendor_takings_by_day(vendor: Vendor, first: dt.date, last: dt.date) -> dict[dt.date, Takings]:
    """Each business day from first to last inclusive, days without money included."""
    rows = (
        Transaction.objects.filter(vendor=vendor, business_date__range=(first, last))
        .values("business_date")
        .annotate(payments=Count("pk", filter=PAYMENTS), gross=Sum("amount", filter=PAYMENTS))
        .annotate(refunded=Sum("amount", filter=REFUNDS))
    )
    by_day = {r["business_date"]: Takings(r["payments"] or 0, r["gross"] or 0, r["refunded"] or 0) for r in rows}
    days = (first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    return {day: by_day.get(day, Takings(0, 0, 0)) for day in days}


@dataclass(frozen=True)
class WalletDay:
    """One vendor's counted money at one partner on one business date."""

    day: dt.date
    partner: str
    payments: int
    gross: int
    refunds: int
    refunded: int


def vendor_money_by_wallet_day(vendor: Vendor, first: dt.date, last: dt.date) -> list[WalletDay]:
    """Each business day from first to last inclusive on which the vendor had
    counted money, per partner (the revenue book). Refunds count on their own
    business date, whatever the payment's; failed and reversed never count."""
    rows = (
        Transaction.objects.filter(vendor=vendor, business_date__range=(first, last))
        .filter(COUNTED)
        .values("business_date", "partner")
        .annotate(payments=Count("pk", filter=PAYMENTS), gross=Sum("amount", filter=PAYMENTS))
        .annotate(refund_count=Count("pk", filter=REFUNDS), refunded=Sum("amount", filter=REFUNDS))
        .order_by("business_date", "partner")
    )
    return [
        WalletDay(
            r["business_date"], r["partner"], r["payments"], r["gross"] or 0, r["refund_count"], r["refunded"] or 0
        )
        for r in rows
    ]


def vendor_takings_between(vendor: Vendor, first: dt.date, last: dt.date) -> Takings:
    return takings(Transaction.objects.filter(vendor=vendor, business_date__range=(first, last)))


def market_takings(market: Market, day: dt.date) -> Takings:
    return takings(Transaction.objects.filter(market=market, business_date=day))


def transactions_visible_to(user: Actor) -> QuerySet[Transaction]:
    """Boards see their markets' transactions; the department every
    attributed one; operators everything, the unattributed queue included."""
    role = role_of(user)
    found = Transaction.objects.select_related("vendor", "market")
    if role == Role.OPERATOR:
        return found
    if role == Role.DEPARTMENT:
        return found.filter(market__isnull=False)
    if role == Role.BOARD:
        return found.filter(market__in=markets_visible_to(user))
    return found.none()


def transaction_search(
    user: Actor,
    *,
    partner: str | None = None,
    market: str | None = None,
    vendor: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    status: str | None = None,
    kind: str | None = None,
    unattributed: bool | None = None,
) -> QuerySet[Transaction]:
    """Transactions a person may see. A market or vendor they cannot see is
    NotFound, never an empty list that would confirm it exists."""
    found = transactions_visible_to(user)
    if choice("partner", partner, Partner.values):
        found = found.filter(partner=partner)
    if choice("status", status, Status.values):
        found = found.filter(status=status)
    if choice("kind", kind, Kind.values):
        found = found.filter(kind=kind)
    if market:
        found = found.filter(market=get_market_for(user, market))
    if vendor:
        found = found.filter(vendor=get_vendor_for(user, vendor))
    if date_from and date_to and date_from > date_to:
        raise ValidationFailed.single("date_to", _("Ngày kết thúc phải sau ngày bắt đầu"))
    if date_from:
        found = found.filter(business_date__gte=date_from)
    if date_to:
        found = found.filter(business_date__lte=date_to)
    if unattributed is not None:
        condition = Q(attribution=Attribution.UNATTRIBUTED)
        found = found.filter(condition) if unattributed else found.exclude(condition)
    return found.order_by("-completed_at", "-id")


def unattributed_queue() -> QuerySet[Transaction]:
    return Transaction.objects.filter(attribution=Attribution.UNATTRIBUTED).order_by("created_at", "id")


def delivery_log(
    *, partner: str | None = None, verdict: str | None = None, since: dt.datetime | None = None
) -> QuerySet[WebhookDelivery]:
    found = WebhookDelivery.objects.all()
    if since:
        found = found.filter(received_at__gte=since)
    if partner:
        found = found.filter(partner=partner)
    if verdict:
        found = found.filter(verdict=verdict)
    return found.order_by("-received_at", "-id")


def vendor_recent_of_amount(vendor: Vendor, amount: int, *, minutes: int = 15) -> QuerySet[Transaction]:
    """The vendor's transactions of exactly this amount recorded in the last
    minutes, newest first: what a stall screen's "Kiểm tra giao dịch" shows
    against a customer's claimed transfer. Failed ones are never money."""
    since = clock.now() - dt.timedelta(minutes=minutes)
    return (
        Transaction.objects.filter(vendor=vendor, amount=amount, created_at__gte=since)
        .exclude(status=Status.FAILED)
        .order_by("-created_at", "-id")
    )
