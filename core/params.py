"""Filters from query strings and forms, read the same way on every page and
API: a bad value is a ValidationFailed naming the field."""

import datetime as dt
from collections.abc import Iterable
from typing import Annotated

from django.utils.translation import gettext as _
from pydantic import Field

from core.errors import ValidationFailed

DAY_LAYOUTS = ("%Y-%m-%d", "%d/%m/%Y")


def _day_schema(schema: dict) -> None:
    """Documented as an ISO date or empty (no filter), as `parse_day` reads it
    (it also takes dd/mm/yyyy, as people type it)."""
    schema.pop("anyOf", None)
    schema.pop("type", None)
    schema["anyOf"] = [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}, {"type": "null"}]


# An API query parameter holding a day.
DayParam = Annotated[str | None, Field(description="yyyy-mm-dd (hoặc dd/mm/yyyy)", json_schema_extra=_day_schema)]


def parse_day(field: str, value: str | dt.date | None) -> dt.date | None:
    """A date as people write it (dd/mm/yyyy) or ISO; None when empty."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    for layout in DAY_LAYOUTS:
        try:
            return dt.datetime.strptime(value.strip(), layout).date()
        except ValueError:
            continue
    raise ValidationFailed.single(field, _("Ngày không hợp lệ, cần dạng dd/mm/yyyy"))


def choice(field: str, value: str | None, allowed: Iterable[str]) -> str | None:
    """One of `allowed`, or None when empty."""
    if not value:
        return None
    if value not in allowed:
        raise ValidationFailed.single(field, _("Giá trị không hợp lệ: %(value)s") % {"value": value})
    return value
