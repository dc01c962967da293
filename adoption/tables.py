"""The report's tables, column by column: the CSV and XLSX exports and the
PDF print these, so every output carries the same figures under the same
Vietnamese headings."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from adoption import labels
from adoption.formatting import format_count, format_date, format_percent, format_points, format_vnd
from adoption.places import BY_FORMER_DISTRICT, BY_UNIT, place_rows
from adoption.selectors import COHORTS, Report
from core.partners import Partner

COUNT, MONEY, PERCENT, POINTS, DATE, TEXT = "count", "money", "percent", "points", "date", "text"

# Each table's title: its XLSX sheet and its download button.
TITLES = {
    "cohorts": _("Tổng hợp"),
    "markets": _("Theo chợ"),
    # A sheet's title holds no "/" (XLSX); the column headings say which map.
    "units": _("Theo phường, xã hiện nay"),
    "former_districts": _("Theo quận, huyện cũ"),
    "partners": _("Theo ví"),
    "trend": _("Xu hướng theo tuần"),
}


@dataclass(frozen=True)
class Column:
    header: Any  # lazy text
    kind: str
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class Table:
    name: str
    title: Any
    columns: list[Column]
    rows: list[Any]


def display(kind: str, value: Any) -> str:
    """A cell as people read it: 1.234, 1.250.000 ₫, 12,5%, dd/mm/yyyy."""
    if value is None:
        return "—"
    return _FORMATS.get(kind, str)(value)


_FORMATS: dict[str, Callable[[Any], str]] = {
    COUNT: format_count,
    MONEY: format_vnd,
    PERCENT: format_percent,
    POINTS: format_points,
    DATE: format_date,
}


def _figure_columns() -> list[Column]:
    return [
        Column(labels.STALLS, COUNT, lambda f: f.stalls),
        Column(labels.VENDORS_REGISTERED, COUNT, lambda f: f.vendors_registered),
        Column(labels.VENDORS_WITH_CODE, COUNT, lambda f: f.vendors_with_code),
        Column(labels.TRANSACTING_7D, COUNT, lambda f: f.transacting_7d),
        Column(labels.TRANSACTING_30D, COUNT, lambda f: f.transacting_30d),
        Column(labels.ADOPTION, PERCENT, lambda f: f.adoption_permille),
        Column(labels.ONBOARDING, PERCENT, lambda f: f.onboarding_permille),
        Column(labels.PAYMENTS_COUNT, COUNT, lambda f: f.total.payments_count),
        Column(_("Giá trị thanh toán (đồng)"), MONEY, lambda f: f.total.payments_amount),
        Column(_("Hoàn tiền (đồng)"), MONEY, lambda f: f.total.refunds_amount),
        Column(_("Giá trị thuần (đồng)"), MONEY, lambda f: f.total.net_amount),
    ]


def _on_figures(column: Column) -> Column:
    get = column.value
    return Column(column.header, column.kind, lambda row: get(row.figures))


def markets_table(report: Report) -> Table:
    columns = [
        Column(_("Mã chợ"), TEXT, lambda r: r.market.code),
        Column(_("Tên chợ"), TEXT, lambda r: r.market.name),
        Column(_("Phường/xã hiện nay"), TEXT, lambda r: r.market.unit_name or _("Chưa xác định")),
        Column(_("Mã phường/xã"), TEXT, lambda r: r.market.unit_code),
        Column(_("Quận/huyện cũ (trước 01/07/2025)"), TEXT, lambda r: r.market.get_district_display()),
        Column(_("Phường/xã cũ"), TEXT, lambda r: r.market.ward),
        Column(_("Thí điểm"), TEXT, lambda r: _("Có") if r.in_pilot else _("Không")),
        *(_on_figures(c) for c in _figure_columns()),
        Column(_("Tăng trong 4 tuần"), POINTS, lambda r: r.growth_permille),
        Column(_("Hạng theo tỷ lệ"), COUNT, lambda r: r.rank_adoption),
        Column(_("Hạng theo mức tăng"), COUNT, lambda r: r.rank_growth),
        Column(_("Dự kiến đạt mục tiêu"), DATE, lambda r: r.projection.eta if r.projection else None),
    ]
    return Table("markets", TITLES["markets"], columns, report.by_adoption)


@dataclass(frozen=True)
class _Cohort:
    key: str
    figures: Any


def cohorts_table(report: Report) -> Table:
    columns = [
        Column(_("Nhóm chợ"), TEXT, lambda c: str(COHORTS[c.key])),
        Column(labels.MARKETS, COUNT, lambda c: c.figures.markets),
        Column(labels.MARKETS_LIVE, COUNT, lambda c: c.figures.markets_live),
        *(_on_figures(c) for c in _figure_columns()),
    ]
    return Table("cohorts", TITLES["cohorts"], columns, [_Cohort(k, f) for k, f in report.cohorts.items()])


@dataclass(frozen=True)
class _PartnerRow:
    cohort: str
    partner: str
    figures: Any


def partners_table(report: Report) -> Table:
    columns = [
        Column(_("Nhóm chợ"), TEXT, lambda p: str(COHORTS[p.cohort])),
        Column(_("Ví"), TEXT, lambda p: Partner(p.partner).label),
        Column(labels.PAYMENTS_COUNT, COUNT, lambda p: p.figures.flows[p.partner].payments_count),
        Column(_("Giá trị thanh toán (đồng)"), MONEY, lambda p: p.figures.flows[p.partner].payments_amount),
        Column(_("Số lượt hoàn tiền"), COUNT, lambda p: p.figures.flows[p.partner].refunds_count),
        Column(_("Hoàn tiền (đồng)"), MONEY, lambda p: p.figures.flows[p.partner].refunds_amount),
        Column(_("Giá trị thuần (đồng)"), MONEY, lambda p: p.figures.flows[p.partner].net_amount),
        Column(_("Tỷ trọng"), PERCENT, lambda p: p.figures.partner_share_permille(p.partner)),
    ]
    rows = [_PartnerRow(k, p, f) for k, f in report.cohorts.items() for p in Partner.values]
    return Table("partners", TITLES["partners"], columns, rows)


def trend_table(report: Report) -> Table:
    columns = [
        Column(_("Ngày"), DATE, lambda t: t.day),
        Column(_("Tỷ lệ giao dịch (trên số sạp), chợ thí điểm"), PERCENT, lambda t: t.rates["pilot"]),
        Column(_("Tỷ lệ giao dịch (trên số sạp), chợ khác"), PERCENT, lambda t: t.rates["other"]),
        Column(_("Tỷ lệ giao dịch (trên số sạp), toàn thành phố"), PERCENT, lambda t: t.rates["city"]),
        Column(_("Chợ thí điểm có giao dịch"), COUNT, lambda t: t.live["pilot"]),
        Column(_("Chợ có giao dịch"), COUNT, lambda t: t.live["city"]),
        Column(_("Số lượt thanh toán trong tuần"), COUNT, lambda t: t.week_flow.payments_count),
        Column(_("Giá trị thuần trong tuần (đồng)"), MONEY, lambda t: t.week_flow.net_amount),
    ]
    return Table("trend", TITLES["trend"], columns, report.trend)


def _places_table(report: Report, by: str, name: str, place: Column) -> Table:
    columns = [
        place,
        Column(labels.MARKETS, COUNT, lambda p: p.figures.markets),
        Column(labels.MARKETS_LIVE, COUNT, lambda p: p.figures.markets_live),
        *(_on_figures(c) for c in _figure_columns()),
    ]
    return Table(name, TITLES[name], columns, place_rows(report, by))


def units_table(report: Report) -> Table:
    place = Column(_("Phường/xã hiện nay (mã)"), TEXT, lambda p: f"{p.name} ({p.key})" if p.key else p.name)
    return _places_table(report, BY_UNIT, "units", place)


def former_districts_table(report: Report) -> Table:
    place = Column(_("Quận/huyện cũ (trước 01/07/2025)"), TEXT, lambda p: p.name)
    return _places_table(report, BY_FORMER_DISTRICT, "former_districts", place)


TABLES: dict[str, Callable[[Report], Table]] = {
    "cohorts": cohorts_table,
    "markets": markets_table,
    "units": units_table,
    "former_districts": former_districts_table,
    "partners": partners_table,
    "trend": trend_table,
}


def cell(column: Column, row: Any) -> Any:
    """The raw value: integers for counts and money, permille for rates."""
    value = column.value(row)
    return str(value) if column.kind == TEXT and value is not None else value
