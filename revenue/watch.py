"""The threshold watch: each vendor's net money for the year to date and for
the last twelve months against the e-invoice threshold (REVENUE_THRESHOLD_VND).

A vendor's own watch (their page, their book) sums their transactions, as
the book does. The watch over many vendors (their board's list, the
department's bands) reads adoption's vendor-day rollups, which hold the same
money per vendor and day and are checked against the transactions nightly,
so the city is one pass over a narrow table, not over every transaction.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from adoption.selectors import REGISTERED_STATUSES, vendor_net_from
from core.formatting import format_vnd
from merchants.models import Market, Vendor
from payments.selectors import vendor_takings_between
from revenue.periods import twelve_months_to

# A vendor at this share of the threshold or more is flagged.
FLAG_PERCENT = 80
# The department never sees a band's count when fewer vendors than this are in it.
SMALLEST_BAND = 5
# The bands' lower bounds, in percent of the threshold.
BAND_FLOORS = (0, 10, 50, FLAG_PERCENT, 100)


def threshold() -> int:
    return settings.REVENUE_THRESHOLD_VND


def is_flagged(net: int) -> bool:
    return net * 100 >= threshold() * FLAG_PERCENT


def permille(net: int) -> int:
    """net / threshold in tenths of a percent, rounded down (never rounds up into a flag)."""
    return max(net, 0) * 1000 // threshold()


@dataclass(frozen=True)
class Watch:
    as_of: dt.date
    threshold: int
    year_to_date: int
    twelve_months: int
    twelve_months_from: dt.date

    @property
    def year_to_date_permille(self) -> int:
        return permille(self.year_to_date)

    @property
    def twelve_months_permille(self) -> int:
        return permille(self.twelve_months)

    @property
    def flagged(self) -> bool:
        return is_flagged(max(self.year_to_date, self.twelve_months))


def vendor_watch(vendor: Vendor, *, as_of: dt.date) -> Watch:
    start = twelve_months_to(as_of)
    return Watch(
        as_of=as_of,
        threshold=threshold(),
        year_to_date=vendor_takings_between(vendor, as_of.replace(month=1, day=1), as_of).net,
        twelve_months=vendor_takings_between(vendor, start, as_of).net,
        twelve_months_from=start,
    )


def _windows(as_of: dt.date) -> tuple[dt.date, dt.date]:
    return as_of.replace(month=1, day=1), twelve_months_to(as_of)


@dataclass(frozen=True)
class FlaggedVendor:
    vendor: Vendor
    year_to_date: int
    twelve_months: int

    @property
    def permille(self) -> int:
        return permille(max(self.year_to_date, self.twelve_months))


def market_flagged(market: Market, *, as_of: dt.date) -> list[FlaggedVendor]:
    """The market's registered vendors at the flag share or above, highest first (their board's list)."""
    nets = vendor_net_from(_windows(as_of), as_of, market=market)
    near = {vendor_id: n for vendor_id, n in nets.items() if is_flagged(max(n))}
    vendors = Vendor.objects.filter(pk__in=near, market=market, status__in=REGISTERED_STATUSES)
    found = [FlaggedVendor(v, *near[v.pk]) for v in vendors]
    return sorted(found, key=lambda f: (-max(f.year_to_date, f.twelve_months), f.vendor.stall_number))


@dataclass(frozen=True)
class Band:
    floor: int  # percent of the threshold
    ceiling: int | None

    @property
    def label(self) -> str:
        low = format_vnd(threshold() * self.floor // 100)
        if self.ceiling is None:
            return _("Từ %(low)s trở lên") % {"low": low}
        high = format_vnd(threshold() * self.ceiling // 100)
        if self.floor == 0:
            return _("Dưới %(high)s") % {"high": high}
        return _("%(low)s đến dưới %(high)s") % {"low": low, "high": high}


BANDS = tuple(Band(floor, ceiling) for floor, ceiling in zip(BAND_FLOORS, (*BAND_FLOORS[1:], None), strict=True))


def band_of(net: int) -> int:
    share = max(net, 0) * 100
    return max(i for i, band in enumerate(BANDS) if share >= band.floor * threshold())


@dataclass(frozen=True)
class MarketBands:
    market: Market
    counts: tuple[int | None, ...]  # None: suppressed, fewer than SMALLEST_BAND vendors or to protect one that is


def city_bands(*, as_of: dt.date) -> list[MarketBands]:
    """How many registered vendors of each market fall in each band of
    twelve-month net money; never a vendor's own figure."""
    nets = vendor_net_from(_windows(as_of), as_of)
    counts: dict[int, list[int]] = {}
    registered = Vendor.objects.filter(status__in=REGISTERED_STATUSES).values_list("pk", "market_id")
    for vendor_id, market_id in registered.iterator(chunk_size=10_000):
        row = counts.setdefault(market_id, [0] * len(BANDS))
        row[band_of(nets.get(vendor_id, (0, 0))[1])] += 1
    markets = Market.objects.filter(pk__in=counts).order_by("code")
    return [MarketBands(m, suppress(counts[m.pk])) for m in markets]


def suppress(counts: list[int]) -> tuple[int | None, ...]:
    """Bands with fewer than SMALLEST_BAND vendors are hidden. Where only one
    is, the next smallest is hidden too: the market's number of registered
    vendors is public, and one hidden cell could be worked out from it."""
    hidden = {i for i, n in enumerate(counts) if n < SMALLEST_BAND}
    if len(hidden) == 1:
        shown = sorted((n, i) for i, n in enumerate(counts) if i not in hidden)
        hidden.add(shown[0][1])
    return tuple(None if i in hidden else n for i, n in enumerate(counts))
