from django import template

from adoption.formatting import format_count, format_percent, format_points

register = template.Library()
register.filter("dem", format_count)
register.filter("phantram", format_percent)
register.filter("diem", format_points)
