"""Finished documents that the API, the pages and the command line all hand out."""

from django.utils.translation import gettext as _

from core.errors import Conflict
from merchants.models import Market, Vendor
from printables import posters, selectors


def vendor_poster_pdf(vendor: Vendor) -> bytes:
    poster = selectors.vendor_poster(vendor)
    if not poster.codes:
        raise Conflict.single("vendor", _("Tiểu thương chưa có mã QR đang hoạt động để in"))
    return posters.render([poster], title=vendor.display_name)


def market_posters_pdf(market: Market, *, layout: str, items: list[posters.PosterData] | None = None) -> bytes:
    items = selectors.market_posters(market) if items is None else items
    if not items:
        raise Conflict.single("market", _("Chợ chưa có tiểu thương nào có mã QR đang hoạt động"))
    return posters.render(items, layout=layout, title=market.name)
