from django import template
from django.template import Context

from core.privacy import personal

register = template.Library()


@register.simple_tag(takes_context=True)
def personal_data(context: Context, value: str) -> str:
    """Masks a phone or CCCD number for roles that do not need it."""
    return personal(context["request"].user, value)
