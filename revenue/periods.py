"""The periods a revenue book covers: a year, a quarter or a month, written
`2026`, `2026-Q2` or `2026-05`, in business dates (Asia/Ho_Chi_Minh)."""

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.errors import ValidationFailed

YEAR, QUARTER, MONTH = "year", "quarter", "month"
ROMAN = ("I", "II", "III", "IV")
# No vendor took a Chợ 4.0 payment before the programme began.
FIRST_YEAR = 2024
_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-Q(?P<quarter>[1-4])|-(?P<month>0[1-9]|1[0-2]))?$")


@dataclass(frozen=True)
class Period:
    kind: str
    key: str
    first: dt.date
    end: dt.date  # the period's own last day
    last: dt.date  # the last day with figures: the end, or today while the period runs

    @property
    def label(self) -> str:
        if self.kind == YEAR:
            return _("năm %(year)s") % {"year": self.first.year}
        if self.kind == QUARTER:
            return _("quý %(quarter)s/%(year)s") % {
                "quarter": ROMAN[(self.first.month - 1) // 3],
                "year": self.first.year,
            }
        return _("tháng %(month)s") % {"month": self.first.strftime("%m/%Y")}

    @property
    def running(self) -> bool:
        return self.last < self.end


def period_parse(raw: str | None, *, today: dt.date) -> Period:
    """The period asked for, this year when nothing is asked; a period not
    begun yet, or before the programme, is refused with the field named."""
    key = (raw or "").strip().upper() or str(today.year)
    match = _PATTERN.match(key)
    if match is None:
        raise ValidationFailed.single("period", _("Kỳ phải viết dạng năm (2026), quý (2026-Q2) hoặc tháng (2026-05)"))
    year = int(match["year"])
    if match["quarter"]:
        first_month = (int(match["quarter"]) - 1) * 3 + 1
        first, end = dt.date(year, first_month, 1), _month_end(year, first_month + 2)
        kind = QUARTER
    elif match["month"]:
        month = int(match["month"])
        first, end, kind = dt.date(year, month, 1), _month_end(year, month), MONTH
    else:
        first, end, kind = dt.date(year, 1, 1), dt.date(year, 12, 31), YEAR
    if year < FIRST_YEAR:
        raise ValidationFailed.single(
            "period", _("Chợ 4.0 chưa có giao dịch trước năm %(year)s") % {"year": FIRST_YEAR}
        )
    if first > today:
        raise ValidationFailed.single("period", _("Kỳ này chưa bắt đầu"))
    return Period(kind=kind, key=key, first=first, end=end, last=min(end, today))


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def quarter_key(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def month_key(day: dt.date) -> str:
    return f"{day.year}-{day.month:02d}"


def twelve_months_to(day: dt.date) -> dt.date:
    """The first day of the twelve months ending on `day`: the day after the
    same date a year before (29 February counts back to 1 March)."""
    try:
        return day.replace(year=day.year - 1) + dt.timedelta(days=1)
    except ValueError:  # 29 February, and the year before has none
        return dt.date(day.year - 1, 3, 1)


def periods_offered(today: dt.date) -> list[Period]:
    """What the download links offer: this year, quarter and month, last
    month and last year (where the programme had begun)."""
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    keys = [
        str(today.year),
        quarter_key(today),
        month_key(today),
        month_key(last_month),
        str(today.year - 1),
    ]
    offered = []
    for key in dict.fromkeys(keys):
        try:
            offered.append(period_parse(key, today=today))
        except ValidationFailed:
            continue  # before the programme
    return offered
