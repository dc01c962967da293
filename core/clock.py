"""The one place time comes from.

Everything asks `clock.now()` (never `datetime.now`), so tests can freeze it
and business dates are always computed in Asia/Ho_Chi_Minh.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

BUSINESS_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> dt.datetime:
    return timezone.now()


def business_date(moment: dt.datetime) -> dt.date:
    """The local calendar day a moment belongs to (docs/partners.md)."""
    if timezone.is_naive(moment):
        raise ValueError("business_date needs a timezone-aware moment")
    return moment.astimezone(BUSINESS_TZ).date()


def today() -> dt.date:
    return business_date(now())


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[D 00:00, D+1 00:00) local time, as aware datetimes."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=BUSINESS_TZ)
    return start, start + dt.timedelta(days=1)
