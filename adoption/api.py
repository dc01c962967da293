"""GET /api/v1/adoption and /api/v1/adoption/markets/{code}, plus the
exports for integrations. Figures come from `selectors`, like the pages."""

from typing import TYPE_CHECKING, Literal

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router

from adoption import exports, selectors
from adoption.formatting import format_percent, format_vnd, percent_number
from adoption.places import GROUPINGS, place_rows
from adoption.schemas import AdoptionOut, MarketAdoptionOut
from adoption.selectors import COHORTS, Figures, MarketRow, Projection, Report
from adoption.tables import TABLES
from core.errors import ValidationFailed
from core.openapi import file_answer
from core.params import DayParam, parse_day
from core.partners import Partner

router = Router(tags=["adoption"])
PeriodKind = Literal["day", "week", "month"]
Separator = Literal["semicolon", "comma"]
GroupKind = Literal["register", "original"]
if TYPE_CHECKING:  # the names are known when the module runs, not to the checker
    TableName = str
else:
    TableName = Literal[tuple(TABLES)]  # the tables the CSV export names


def _period(date: str | None, period: str | None) -> selectors.Period:
    return selectors.period_for(day=parse_day("date", date), period=period)


def figures_out(figures: Figures) -> dict:
    total = figures.total
    return {
        "stalls": figures.stalls,
        "vendors_registered": figures.vendors_registered,
        "vendors_with_code": figures.vendors_with_code,
        "transacting_7d": figures.transacting_7d,
        "transacting_30d": figures.transacting_30d,
        "adoption_rate": percent_number(figures.adoption_permille),
        "adoption_rate_text": format_percent(figures.adoption_permille),
        "onboarding_rate": percent_number(figures.onboarding_permille),
        "onboarding_rate_text": format_percent(figures.onboarding_permille),
        "payments_count": total.payments_count,
        "payments_amount": total.payments_amount,
        "refunds_count": total.refunds_count,
        "refunds_amount": total.refunds_amount,
        "net_amount": total.net_amount,
        "net_amount_text": format_vnd(total.net_amount),
        "by_partner": [
            {
                "partner": partner,
                "name": Partner(partner).label,
                "payments_count": flow.payments_count,
                "payments_amount": flow.payments_amount,
                "refunds_count": flow.refunds_count,
                "refunds_amount": flow.refunds_amount,
                "net_amount": flow.net_amount,
                "share_percent": percent_number(figures.partner_share_permille(partner)),
            }
            for partner, flow in figures.flows.items()
        ],
    }


def projection_out(projection: Projection | None) -> dict | None:
    if projection is None:
        return None
    return {
        "key": projection.key,
        "label": projection.label,
        "current": projection.current,
        "target": projection.target,
        "reached": projection.reached,
        "date": projection.eta,
    }


def market_out(row: MarketRow) -> dict:
    return {
        **figures_out(row.figures),
        "code": row.market.code,
        "name": row.market.name,
        "district": row.market.get_district_display(),
        "unit_code": row.market.unit_code,
        "unit_name": row.market.unit_name,
        "former_district": row.market.district,
        "former_district_name": row.market.get_district_display(),
        "former_ward": row.market.ward,
        "in_original_register": row.market.in_original_register,
        "in_pilot": row.in_pilot,
        "live": row.figures.markets_live > 0,
        "growth_points": percent_number(row.growth_permille),
        "rank_adoption": row.rank_adoption,
        "rank_growth": row.rank_growth,
        "projection": projection_out(row.projection),
    }


def _period_out(report: Report) -> dict:
    period = report.period
    return {"period": period.kind, "first_day": period.first, "last_day": period.last, "as_of": period.as_of}


def report_out(report: Report) -> dict:
    return {
        **_period_out(report),
        "targets": {
            "pilot_rate_percent": report.targets.pilot_rate_percent,
            "live_markets_percent": report.targets.live_markets_percent,
        },
        "cohorts": [
            {
                **figures_out(figures),
                "key": key,
                "label": str(COHORTS[key]),
                "markets": figures.markets,
                "markets_live": figures.markets_live,
            }
            for key, figures in report.cohorts.items()
        ],
        "scope": {
            "group": report.scope.group,
            "unit": report.scope.unit,
            "former_district": report.scope.former_district,
            "covers": report.covers,
            "markets": len(report.markets),
        },
        "markets": [market_out(row) for row in report.markets],
        "places": [
            {
                "grouping": by,
                "heading": str(heading),
                "rows": [
                    {
                        **figures_out(p.figures),
                        "key": p.key,
                        "name": p.name,
                        "markets": p.figures.markets,
                        "markets_live": p.figures.markets_live,
                    }
                    for p in place_rows(report, by)
                ],
            }
            for by, heading in GROUPINGS.items()
        ],
        "trend": [
            {
                "date": point.day,
                "pilot_rate": percent_number(point.rates["pilot"]),
                "other_rate": percent_number(point.rates["other"]),
                "city_rate": percent_number(point.rates["city"]),
                "pilot_markets_live": point.live["pilot"],
                "pilot_markets": point.markets["pilot"],
                "markets_live": point.live["city"],
                "markets": point.markets["city"],
                "payments_count": point.week_flow.payments_count,
                "net_amount": point.week_flow.net_amount,
            }
            for point in report.trend
        ],
        "projections": [projection_out(p) for p in report.projections],
    }


def _json(payload: dict) -> JsonResponse:
    # Built from the report by the functions above, in the schema's shape
    # (tests hold them to it); handing JSON back directly skips validating
    # some five hundred nested objects on every request.
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})


def _scope(group: str | None, unit: str | None, former_district: str | None) -> selectors.Scope:
    return selectors.scope_for(group=group, unit=unit, former_district=former_district)


@router.get("", response=AdoptionOut, summary="Adoption across the city for a day, week or month")
def adoption(
    request: HttpRequest,
    date: DayParam = None,
    period: PeriodKind = "month",
    group: GroupKind = "register",
    unit: str | None = None,
    former_district: str | None = None,
) -> JsonResponse:
    scope = _scope(group, unit, former_district)
    return _json(report_out(selectors.report_for(request.user, period=_period(date, period), scope=scope)))


@router.get("/markets/{code}", response=MarketAdoptionOut, summary="One market's adoption")
def market_adoption(
    request: HttpRequest, code: str, date: DayParam = None, period: PeriodKind = "month"
) -> JsonResponse:
    # Another market's code answers 404 whatever else the request says.
    selectors.require_market_visible(request.user, code)
    report, row = selectors.market_report_for(request.user, code, period=_period(date, period))
    return _json(
        {
            **_period_out(report),
            "market": market_out(row),
            "markets_in_city": len(report.markets),
            "trend": [
                {"date": day, "adoption_rate": percent_number(rate)}
                for day, rate in zip((p.day for p in report.trend), row.trend, strict=True)
            ],
        }
    )


@router.get(
    "/export",
    summary="The report's tables as CSV (one table) or XLSX (all tables)",
    openapi_extra=file_answer("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
)
def export(
    request: HttpRequest,
    format: Literal["csv", "xlsx"] = "xlsx",
    table: TableName = "markets",
    date: DayParam = None,
    period: PeriodKind = "month",
    separator: Separator = "semicolon",
    group: GroupKind = "register",
    unit: str | None = None,
    former_district: str | None = None,
) -> HttpResponse:
    scope = _scope(group, unit, former_district)
    report = selectors.report_for(request.user, period=_period(date, period), scope=scope)
    return export_response(report, format=format, table=table, separator=separator)


def export_response(report: Report, *, format: str, table: str, separator: str = "semicolon") -> HttpResponse:
    """The download, shared by the API and the dashboard. The dashboard's
    CSV is always semicolon separated, for Excel in Vietnamese settings."""
    stem = f"cho40-adoption-{report.period.kind}-{report.period.as_of:%Y%m%d}"
    if format == "xlsx":
        response = HttpResponse(
            exports.report_xlsx(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
        return response
    if format != "csv":
        raise ValidationFailed.single("format", _("Chỉ nhận csv hoặc xlsx"))
    if table not in TABLES:
        raise ValidationFailed.single("table", _("Chỉ nhận một trong: %(names)s") % {"names": ", ".join(TABLES)})
    response = HttpResponse(
        exports.table_csv(report, table, separator=separator), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{stem}-{table}.csv"'
    return response
