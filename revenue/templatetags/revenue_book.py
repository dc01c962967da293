"""The revenue book's panels, included by other apps' pages (the vendor's
own link, the vendor's page for the board) so those pages need not know
how the book is made."""

from typing import Any

from django import template
from django.template import Context
from django.urls import reverse

from core import clock
from merchants.models import Vendor
from revenue import selectors, watch
from revenue.periods import periods_offered

register = template.Library()


def _panel(vendor: Vendor, url_name: str, url_arg: str, **extra: Any) -> dict[str, Any]:
    today = clock.today()
    pdf, xlsx = (reverse(f"{url_name}-{fmt}", args=[url_arg]) for fmt in ("pdf", "xlsx"))
    return {
        "shown": True,
        "watch": watch.vendor_watch(vendor, as_of=today),
        "flag_percent": watch.FLAG_PERCENT,
        "links": [(p, f"{pdf}?period={p.key}", f"{xlsx}?period={p.key}") for p in periods_offered(today)],
        **extra,
    }


@register.inclusion_tag("revenue/_vendor_panel.html")
def revenue_vendor_panel(vendor: Vendor, token: str) -> dict[str, Any]:
    """On the vendor's signed link: their figures, their flag, their downloads."""
    return _panel(vendor, "vendor-link-revenue", token, download=True)


@register.inclusion_tag("revenue/_vendor_panel.html", takes_context=True)
def revenue_board_panel(context: Context, vendor: Vendor) -> dict[str, Any]:
    """On the vendor's page, for their market's board and operators only."""
    if not selectors.sees_revenue(context["request"].user, vendor):
        return {"shown": False}
    watch_url = reverse("market-revenue-watch", kwargs={"code": vendor.market.code})
    return _panel(vendor, "vendor-revenue", vendor.code, download=False, watch_url=watch_url)
