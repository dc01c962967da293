from django import template

from core.formatting import format_date, format_datetime, format_vnd

register = template.Library()
register.filter("vnd", format_vnd)
register.filter("ngay", format_date)
register.filter("ngaygio", format_datetime)
