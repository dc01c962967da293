"""The vendor's revenue book: for a period, the count and đồng value of
payments, refunds and net, per wallet, for the period and for each quarter,
month and day in it.

The money comes from payments' selector, which holds the one definition of
what counts (completed only; refunds on their own business date), straight
from the transactions: a late attribution or a reversal shows in the next
book produced. The threshold watch on the same page is `watch.vendor_watch`.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.formatting import format_date
from core.partners import Partner
from merchants.models import Vendor
from payments.selectors import WalletDay, vendor_money_by_wallet_day
from revenue import periods
from revenue.periods import Period
from revenue.watch import Watch, vendor_watch

PARTNERS = tuple(p.value for p in Partner)


@dataclass(frozen=True)
class Money:
    payments: int = 0
    gross: int = 0
    refunds: int = 0
    refunded: int = 0

    @property
    def net(self) -> int:
        return self.gross - self.refunded

    def __add__(self, other: "Money") -> "Money":
        return Money(
            self.payments + other.payments,
            self.gross + other.gross,
            self.refunds + other.refunds,
            self.refunded + other.refunded,
        )


@dataclass
class Line:
    """One period of the book (the whole period, a quarter, a month or a day)."""

    key: str
    label: str
    by_wallet: dict[str, Money] = field(default_factory=dict)

    @property
    def total(self) -> Money:
        return sum(self.by_wallet.values(), Money())

    def add(self, partner: str, money: Money) -> None:
        self.by_wallet[partner] = self.by_wallet.get(partner, Money()) + money

    def wallets(self) -> list[tuple[str, Money]]:
        """Each partner in the programme's order, with nothing where it had nothing."""
        return [(p, self.by_wallet[p]) for p in PARTNERS if p in self.by_wallet]


@dataclass(frozen=True)
class Book:
    vendor: Vendor
    period: Period
    produced_at: dt.datetime
    whole: Line
    quarters: list[Line]
    months: list[Line]
    days: list[Line]
    watch: Watch

    @property
    def total(self) -> Money:
        return self.whole.total


def book_for(vendor: Vendor, period: Period, *, produced_at: dt.datetime) -> Book:
    rows = vendor_money_by_wallet_day(vendor, period.first, period.last)
    whole = Line(period.key, period.label)
    for row in rows:
        whole.add(row.partner, _money(row))
    # Every quarter and month up to the last day is a line, empty ones too, so
    # a month without money reads as zero rather than as missing; days only
    # where there was money.
    month_starts = _month_starts(period.first, period.last)
    quarters = _lines(rows, periods.quarter_key, _quarter_label, month_starts) if period.kind == periods.YEAR else []
    months = _lines(rows, periods.month_key, _month_label, month_starts) if period.kind != periods.MONTH else []
    days = _lines(rows, lambda d: d.isoformat(), format_date, [])
    return Book(vendor, period, produced_at, whole, quarters, months, days, vendor_watch(vendor, as_of=period.last))


def _money(row: WalletDay) -> Money:
    return Money(row.payments, row.gross, row.refunds, row.refunded)


def _month_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    starts, day = [], first.replace(day=1)
    while day <= last:
        starts.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return starts


def _lines(
    rows: Iterable[WalletDay],
    key: Callable[[dt.date], str],
    label: Callable[[dt.date], str],
    seeds: Iterable[dt.date],
) -> list[Line]:
    lines: dict[str, Line] = {}
    for day in seeds:
        lines.setdefault(key(day), Line(key(day), label(day)))
    for row in rows:  # in day order, so the lines are too
        k = key(row.day)
        if k not in lines:
            lines[k] = Line(k, label(row.day))
        lines[k].add(row.partner, _money(row))
    return list(lines.values())


def _quarter_label(day: dt.date) -> str:
    return _("Quý %(quarter)s") % {"quarter": periods.ROMAN[(day.month - 1) // 3]}


def _month_label(day: dt.date) -> str:
    return _("Tháng %(month)s") % {"month": day.strftime("%m/%Y")}
