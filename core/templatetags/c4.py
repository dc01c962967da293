from django import template

from core.errors import field_label
from core.formatting import format_date, format_datetime, format_stored_moment, format_vnd

register = template.Library()
register.filter("vnd", format_vnd)
register.filter("ngay", format_date)
register.filter("ngaygio", format_datetime)


@register.filter
def changes(side: object) -> str:
    """One side of an audit entry as a clerk reads it ("Số điện thoại: 0987654321"),
    its moments in business time, rather than a raw record."""
    if not isinstance(side, dict):
        return format_stored_moment(side)
    return " · ".join(f"{field_label(field)}: {format_stored_moment(value)}" for field, value in side.items())
