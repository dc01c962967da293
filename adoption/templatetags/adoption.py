from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from adoption import measures
from adoption.formatting import format_count, format_percent, format_points, format_ratio

register = template.Library()
register.filter("dem", format_count)
register.filter("phantram", format_percent)
register.filter("diem", format_points)


@register.simple_tag
def rate(numerator: int | None, denominator: int | None, basis: str) -> SafeString:
    """A rate with the very numbers it divides under it. The rate is computed
    here from those numbers, so the two cannot disagree."""
    return format_html(
        '<div class="figure">{}</div><div class="muted basis">{} <span class="basis-words">({})</span></div>',
        format_percent(measures.rate_permille(numerator, denominator)),
        format_ratio(numerator, denominator),
        basis,
    )


@register.simple_tag
def rate_cell(numerator: int | None, denominator: int | None) -> SafeString:
    """The same in a table cell, whose heading says what is divided."""
    return format_html(
        '{}<br><span class="muted basis">{}</span>',
        format_percent(measures.rate_permille(numerator, denominator)),
        format_ratio(numerator, denominator),
    )
