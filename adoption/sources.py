"""Where the figures come from.

`RollupSource` reads the rollup tables (what pages and the API use);
`TransactionSource` computes the same figures straight from the transactions
table. Both answer the same three questions, so the report is built by one
piece of code whichever source it is given: tests and the benchmark compare
them, and the nightly check compares the tables themselves.
"""

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, QuerySet, Sum

from adoption import measures
from adoption.models import MarketDay, MarketPartnerDay, MarketRegisterDay, RollupDay
from adoption.register import RegisterRow, live_register
from adoption.services import rollup_days_open
from core import clock
from merchants.models import Market
from payments.models import Transaction

# Today's vendor counts on pages and in the API may be this many seconds old.
REGISTER_CACHE_SECONDS = 60


@dataclass(frozen=True)
class Flow:
    """Completed money: payments and refunds, whole đồng."""

    payments_count: int = 0
    payments_amount: int = 0
    refunds_count: int = 0
    refunds_amount: int = 0

    @property
    def net_amount(self) -> int:
        return self.payments_amount - self.refunds_amount

    def __add__(self, other: "Flow") -> "Flow":
        return Flow(
            self.payments_count + other.payments_count,
            self.payments_amount + other.payments_amount,
            self.refunds_count + other.refunds_count,
            self.refunds_amount + other.refunds_amount,
        )


def _flow(row: Mapping[str, Any]) -> Flow:
    return Flow(
        row["payments_count"] or 0, row["payments_amount"] or 0, row["refunds_count"] or 0, row["refunds_amount"] or 0
    )


def _cached_live_register(markets: list[Market], day: dt.date) -> dict[int, RegisterRow]:
    """Today's register for pages and the API, kept REGISTER_CACHE_SECONDS:
    counting every vendor and code costs more than the rest of the report,
    and the register changes far less often than people look at it."""
    # Keyed by the markets themselves: a report narrowed to one unit or group
    # asks for another set of the same size.
    ids = hashlib.blake2b(",".join(str(m.pk) for m in markets).encode(), digest_size=8).hexdigest()
    key = f"adoption:register:{day.isoformat()}:{ids}"
    found = cache.get(key)
    if found is None:
        found = live_register(markets, day)
        cache.set(key, found, REGISTER_CACHE_SECONDS)
    return found


def registers_on(markets: list[Market], days: list[dt.date]) -> dict[tuple[int, dt.date], RegisterRow]:
    """The register of every market on each day: live for today, the recorded
    snapshot for a past day, else the register as it stands now (stalls, and
    the cohort by pilot start date) with vendor counts unknown."""
    today = clock.today()
    found: dict[tuple[int, dt.date], RegisterRow] = {}
    if today in days:
        found.update({(market_id, today): row for market_id, row in _cached_live_register(markets, today).items()})
    past = [d for d in days if d != today]
    if past:
        for snap in MarketRegisterDay.objects.filter(day__in=past):
            found[(snap.market_id, snap.day)] = RegisterRow(
                snap.in_pilot, snap.stalls, snap.vendors_registered, snap.vendors_with_code
            )
    for day in past:
        for m in markets:
            found.setdefault((m.pk, day), RegisterRow(measures.in_pilot_on(m, day), m.stall_count, None, None))
    return found


class RollupSource:
    """Figures from the rollup tables."""

    label = "rollups"

    def flows(self, first: dt.date, last: dt.date) -> dict[tuple[int, str], Flow]:
        rows = (
            MarketPartnerDay.objects.filter(day__range=(first, last))
            .values("market_id", "partner")
            .annotate(
                payments_count=Sum("payments_count"),
                payments_amount=Sum("payments_amount"),
                refunds_count=Sum("refunds_count"),
                refunds_amount=Sum("refunds_amount"),
            )
        )
        return {(r["market_id"], r["partner"]): _flow(r) for r in rows}

    def daily_flows(self, first: dt.date, last: dt.date) -> dict[dt.date, Flow]:
        rows = (
            MarketPartnerDay.objects.filter(day__range=(first, last))
            .values("day")
            .annotate(
                payments_count=Sum("payments_count"),
                payments_amount=Sum("payments_amount"),
                refunds_count=Sum("refunds_count"),
                refunds_amount=Sum("refunds_amount"),
            )
        )
        return {r["day"]: _flow(r) for r in rows}

    def transacting(self, days: list[dt.date]) -> dict[tuple[int, dt.date], tuple[int, int]]:
        today = clock.today()
        opened = set(RollupDay.objects.filter(day__in=days).values_list("day", flat=True))
        missing = [d for d in days if d not in opened and d <= today]
        if missing:
            # Rows are filled lazily for a day nobody opened yet (the beat
            # opens each new day; this covers a beat that did not run).
            rollup_days_open(days=missing)
        rows = MarketDay.objects.filter(day__in=days).values_list(
            "market_id", "day", "transacting_7d", "transacting_30d"
        )
        return {(m, d): (t7, t30) for m, d, t7, t30 in rows}


class TransactionSource:
    """The same figures straight from the transactions table (the reference
    for tests and the benchmark; far too slow for pages at city scale)."""

    label = "transactions"

    def _attributed(self) -> QuerySet[Transaction]:
        return Transaction.objects.filter(market__isnull=False)

    def flows(self, first: dt.date, last: dt.date) -> dict[tuple[int, str], Flow]:
        rows = (
            self._attributed()
            .filter(business_date__range=(first, last))
            .values("market_id", "partner")
            .annotate(**_money_aggregates())
        )
        return {(r["market_id"], r["partner"]): _flow(r) for r in rows if _flow(r) != Flow()}

    def daily_flows(self, first: dt.date, last: dt.date) -> dict[dt.date, Flow]:
        rows = (
            self._attributed()
            .filter(business_date__range=(first, last))
            .values("business_date")
            .annotate(**_money_aggregates())
        )
        return {r["business_date"]: _flow(r) for r in rows}

    def transacting(self, days: list[dt.date]) -> dict[tuple[int, dt.date], tuple[int, int]]:
        found: dict[tuple[int, dt.date], tuple[int, int]] = {}
        for day in days:
            counts: dict[int, dict[int, int]] = {size: {} for size in measures.WINDOWS}
            for size in measures.WINDOWS:
                rows = (
                    self._attributed()
                    .filter(measures.PAYMENTS, vendor__isnull=False, business_date__range=measures.window(day, size))
                    .values("market_id")
                    .annotate(n=Count("vendor_id", distinct=True))
                    .values_list("market_id", "n")
                )
                counts[size] = dict(rows)
            for market_id, t30 in counts[measures.WINDOW_LONG].items():
                found[(market_id, day)] = (counts[measures.WINDOW_SHORT].get(market_id, 0), t30)
        return found


def _money_aggregates() -> dict:
    return {
        "payments_count": Count("pk", filter=measures.PAYMENTS),
        "payments_amount": Sum("amount", filter=measures.PAYMENTS),
        "refunds_count": Count("pk", filter=measures.REFUNDS),
        "refunds_amount": Sum("amount", filter=measures.REFUNDS),
    }


ROLLUPS = RollupSource()
TRANSACTIONS = TransactionSource()
