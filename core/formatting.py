"""How money, dates and times are shown everywhere: pages, PDFs, exports."""

import datetime as dt

from core.clock import BUSINESS_TZ


def format_vnd(amount: int | None) -> str:
    """1250000 → '1.250.000 ₫'. Amounts are whole đồng; a float is refused."""
    if amount is None:
        return ""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError(f"money must be an integer number of đồng, got {type(amount).__name__}")
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,}".replace(",", ".") + " ₫"


def format_date(day: dt.date | dt.datetime | None) -> str:
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        day = day.astimezone(BUSINESS_TZ).date()
    return day.strftime("%d/%m/%Y")


def format_datetime(moment: dt.datetime | None, *, seconds: bool = False) -> str:
    """A moment as a person in Cần Thơ reads it, whatever zone it came in."""
    if moment is None:
        return ""
    return moment.astimezone(BUSINESS_TZ).strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")


def format_stored_moment(value: object) -> str:
    """A value kept as text in a JSON record (an alert's or an audit entry's
    sides): an ISO 8601 moment with its offset is shown in business time to
    the second, anything else as it is."""
    if isinstance(value, str) and "T" in value:
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:
            return format_datetime(moment, seconds=True)
    return "" if value is None else str(value)
