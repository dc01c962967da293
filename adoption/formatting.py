"""How adoption figures are written for people: Vietnamese number style
(1.234 and 12,5%), money through core.formatting."""

from django.utils.translation import gettext as _

from core.formatting import format_date, format_vnd  # noqa: F401 — one import place for pages and reports


def format_count(value: int | None) -> str:
    if value is None:
        return "—"
    return f"{value:,}".replace(",", ".")


def format_percent(permille: int | None) -> str:
    """125 → '12,5%' (a rate kept in tenths of a percent)."""
    if permille is None:
        return "—"
    sign = "-" if permille < 0 else ""
    whole, tenth = divmod(abs(permille), 10)
    return f"{sign}{format_count(whole)},{tenth}%"


def format_points(permille: int | None) -> str:
    """A change of rate in percentage points, signed: '+2,5 điểm'."""
    if permille is None:
        return "—"
    sign = "+" if permille > 0 else ("-" if permille < 0 else "±")
    whole, tenth = divmod(abs(permille), 10)
    return _("%(value)s điểm") % {"value": f"{sign}{format_count(whole)},{tenth}"}


def percent_number(permille: int | None) -> float | None:
    """The rate as a percentage number with one decimal, for JSON and sheets."""
    return None if permille is None else permille / 10


def format_ratio(numerator: int | None, denominator: int | None) -> str:
    """What a rate is taken of, as people read it: '190 / 420'."""
    return f"{format_count(numerator)} / {format_count(denominator)}"
