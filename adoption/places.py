"""The report regrouped by place. Two groupings, each under a heading that
says which map it is on: the current commune-level units (two-tier
administration since 1 July 2025), and the former districts of old Cần Thơ,
kept so the pilot's figures compare across the reform."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from adoption.selectors import Figures, MarketRow, Report
from core.text import sort_key
from merchants.models import District

BY_UNIT, BY_FORMER_DISTRICT = "unit", "former_district"
GROUPINGS = {
    BY_UNIT: gettext_lazy("Theo phường/xã hiện nay (từ 01/07/2025)"),
    BY_FORMER_DISTRICT: gettext_lazy("Theo quận/huyện cũ (trước 01/07/2025)"),
}


@dataclass
class PlaceRow:
    key: str  # unit code or former district key; "" for markets without one
    name: str
    figures: Figures


def _place_of(row: MarketRow, by: str) -> tuple[str, str]:
    market = row.market
    if by == BY_UNIT:
        if not market.unit_code:
            return "", _("Chưa xác định phường/xã hiện nay")
        return market.unit_code, market.unit_name
    if not market.district:
        return "", _("Ngoài 9 quận/huyện cũ của Cần Thơ")
    return market.district, District(market.district).label


def place_rows(report: Report, by: str) -> list[PlaceRow]:
    """The report's markets summed by place, in name order; the markets
    without a place of that kind come last."""
    places: dict[str, PlaceRow] = {}
    for row in report.markets:
        key, name = _place_of(row, by)
        place = places.setdefault(key, PlaceRow(key, name, Figures()))
        place.figures.add(row.figures)
    return sorted(places.values(), key=lambda p: (p.key == "", sort_key(p.name)))
