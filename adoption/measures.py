"""The definition of every adoption measure, written once.

Selectors, the incremental rollups, the full recomputation and the straight
computation from transactions all take their windows, statuses and rates from
here, so the dashboard, the API, the exports and the PDF cannot disagree.
docs/architecture.md ("Adoption measures") describes the same rules in words.
"""

import datetime as dt
from collections.abc import Iterable

from merchants.models import Market, VendorStatus
from payments.selectors import PAYMENTS, REFUNDS  # noqa: F401 — re-exported: what counts as money

# A vendor is "transacting" on day D when it has at least one completed
# payment with a business date in the window of this many days ending on D.
WINDOW_SHORT = 7
WINDOW_LONG = 30
WINDOWS = (WINDOW_SHORT, WINDOW_LONG)
# Growth and pace are measured over this many weeks before the day asked.
PACE_WEEKS = 4
# The trend shows this many weekly points, the last one on the day asked.
TREND_WEEKS = 12

# Registered: signed up and not gone. A draft is an unfinished registration;
# a closed vendor has left the market.
REGISTERED_STATUSES = (VendorStatus.ACTIVE, VendorStatus.SUSPENDED)


def window(day: dt.date, days: int) -> tuple[dt.date, dt.date]:
    """The first and last business date of the `days`-day window ending on `day`."""
    return day - dt.timedelta(days=days - 1), day


def in_pilot_on(market: Market, day: dt.date) -> bool:
    """A market belongs to the pilot cohort from its pilot start date."""
    return bool(market.is_pilot and market.pilot_start_date and market.pilot_start_date <= day)


def in_register_on(market: Market, day: dt.date) -> bool:
    """City figures of a day count the markets in the register that day; the
    programme's original markets (no date) are in it from the start."""
    return market.registered_on is None or market.registered_on <= day


def rate_permille(numerator: int | None, denominator: int | None) -> int | None:
    """numerator / denominator in tenths of a percent, rounded half up, with
    integers only; None when there is nothing to divide by."""
    if numerator is None or not denominator:
        return None
    return (numerator * 2000 + denominator) // (2 * denominator)


def is_live(transacting_30d: int) -> bool:
    """A market is live when at least one vendor transacted in the long window."""
    return transacting_30d > 0


def transacting_counts(
    activity: Iterable[tuple[object, Iterable[dt.date]]], first: dt.date, last: dt.date
) -> dict[dt.date, tuple[int, int]]:
    """Distinct vendors transacting in the short and long windows ending on
    each day from first to last, from each vendor's days with a payment.

    Each payment day covers the window days after it; overlapping covers of
    one vendor are merged, so a vendor counts once per day (a difference
    array, linear in the activity, however long the range)."""
    if last < first:
        return {}
    span = (last - first).days + 1
    deltas = {size: [0] * (span + 1) for size in WINDOWS}
    for _vendor, days in activity:
        for size in WINDOWS:
            start: dt.date | None = None
            end = first  # read only once a cover has started
            for day in days:
                if start is not None and day <= end:
                    end = max(end, day + dt.timedelta(days=size - 1))
                    continue
                if start is not None:
                    _cover(deltas[size], first, last, start, end)
                start, end = day, day + dt.timedelta(days=size - 1)
            if start is not None:
                _cover(deltas[size], first, last, start, end)
    counts: dict[dt.date, tuple[int, int]] = {}
    running = dict.fromkeys(WINDOWS, 0)
    for offset in range(span):
        for size in WINDOWS:
            running[size] += deltas[size][offset]
        counts[first + dt.timedelta(days=offset)] = (running[WINDOW_SHORT], running[WINDOW_LONG])
    return counts


def _cover(delta: list[int], first: dt.date, last: dt.date, start: dt.date, end: dt.date) -> None:
    start, end = max(start, first), min(end, last)
    if start > end:
        return
    delta[(start - first).days] += 1
    delta[(end - first).days + 1] -= 1
