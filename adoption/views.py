"""Dashboard pages: the city for the department and operators, one market's
page for its board. Every figure comes from `selectors`, like the API."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from adoption import charts, labels, selectors
from adoption.api import export_response
from adoption.formatting import format_percent, format_points, format_ratio, format_vnd
from adoption.places import GROUPINGS, place_rows
from adoption.report_pdf import projection_text, render_monthly
from adoption.selectors import COHORTS, GROUPS, PERIODS, Figures, Report
from adoption.tables import TITLES
from core import clock
from core.access import role_of
from core.errors import DomainError, NotFound
from core.models import Role
from core.params import parse_day
from core.partners import Partner
from core.text import sort_key
from merchants.models import District
from merchants.selectors import current_units, markets_visible_to


def _period(request: HttpRequest) -> selectors.Period:
    """The period asked in the query string; a bad one is explained and the
    current month shown instead."""
    try:
        return selectors.period_for(day=parse_day("date", request.GET.get("date")), period=request.GET.get("period"))
    except DomainError as exc:
        messages.error(request, exc.message)
        return selectors.period_for(day=None, period="month")


def _scope(request: HttpRequest) -> selectors.Scope:
    """The group and place asked in the query string; a bad one is explained
    and the whole register shown instead."""
    try:
        return selectors.scope_for(
            group=request.GET.get("group"),
            unit=request.GET.get("unit"),
            former_district=request.GET.get("former_district"),
        )
    except DomainError as exc:
        messages.error(request, exc.summary)
        return selectors.Scope()


def _city_report(request: HttpRequest, period: selectors.Period) -> Report:
    try:
        return selectors.report_for(request.user, period=period, scope=_scope(request))
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _partner_shares(figures: Figures) -> list[dict]:
    return [
        {
            "name": Partner(p).label,
            "colour": charts.PARTNER_COLOURS[p],
            "flow": figures.flows[p],
            "share": figures.partner_share_permille(p),
        }
        for p in Partner.values
    ]


def _share_chart(figures: Figures) -> str:
    shares = [charts.Share(s["name"], s["colour"], s["share"]) for s in _partner_shares(figures)]
    return charts.share_bar(shares, title=_("Tỷ trọng theo ví"))


def _query(period: selectors.Period, scope: selectors.Scope | None = None) -> str:
    query = {"date": period.as_of.isoformat(), "period": period.kind}
    if scope is not None and scope != selectors.Scope():
        query.update(group=scope.group, unit=scope.unit, former_district=scope.former_district)
    return urlencode({k: v for k, v in query.items() if v})


def _scope_choices() -> dict:
    """What the dashboard's filter offers: the groups, the city's current
    units and the former districts, each list under a label naming its map."""
    return {
        "groups": GROUPS,
        "units": sorted(((u.code, u.label) for u in current_units().values()), key=lambda c: sort_key(c[1])),
        "former_districts": District.choices,
    }


def _places(report: Report) -> list[dict]:
    return [
        {
            "heading": GROUPINGS[by],
            "by": by,
            "rows": [
                {
                    "place": p,
                    "live": format_ratio(p.figures.markets_live, p.figures.markets),
                    "adoption": format_percent(p.figures.adoption_permille),
                    "adoption_basis": format_ratio(p.figures.transacting_30d, p.figures.stalls),
                    "net": format_vnd(p.figures.total.net_amount),
                }
                for p in place_rows(report, by)
            ],
        }
        for by in GROUPINGS
    ]


def _market_rows(report: Report, query: str) -> list[dict]:
    """Every market's line, formatted once here: 109 rows through template
    filters and URL reversing cost more than the whole report."""
    link = reverse("adoption-market", args=["CODE"]).replace("CODE", "{}") + "?" + query
    rows = []
    for r in report.by_adoption:
        f = r.figures
        rows.append(
            {
                "row": r,
                "href": link.format(r.market.code),
                "adoption": format_percent(f.adoption_permille),
                "adoption_basis": format_ratio(f.transacting_30d, f.stalls),
                "onboarding": format_percent(f.onboarding_permille),
                "onboarding_basis": format_ratio(f.vendors_with_code, f.stalls),
                "net": format_vnd(f.total.net_amount),
                "growth": format_points(r.growth_permille),
            }
        )
    return rows


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if role_of(request.user) == Role.BOARD:
        market = markets_visible_to(request.user).order_by("code").first()
        if market is None:
            raise Http404(_("Không tìm thấy chợ"))
        return redirect("adoption-market", code=market.code)
    period = _period(request)
    report = _city_report(request, period)
    rows = _market_rows(report, _query(period))
    query = _query(period, report.scope)
    weeks = [p.day.strftime("%d/%m") for p in report.trend]
    trend_chart = charts.line_chart(
        [
            charts.Series(str(COHORTS["pilot"]), charts.GREEN, [p.rates["pilot"] for p in report.trend]),
            charts.Series(str(COHORTS["other"]), charts.AMBER, [p.rates["other"] for p in report.trend]),
        ],
        weeks,
        title=_("Tỷ lệ giao dịch theo tuần"),
    )
    bars = charts.ranked_bars(
        [
            charts.Bar(
                line["row"].market.name, line["row"].figures.adoption_permille, line["row"].in_pilot, line["href"]
            )
            for line in rows
        ],
        target=report.targets.pilot_rate_permille,
    )
    return render(
        request,
        "adoption/dashboard.html",
        {
            "report": report,
            "period": period,
            "periods": PERIODS,
            "cohorts": [(str(COHORTS[k]), report.cohorts[k]) for k in COHORTS],
            "city": report.cohorts["city"],
            "pilot": report.cohorts["pilot"],
            "trend_chart": trend_chart,
            "market_bars": bars,
            "share_chart": _share_chart(report.cohorts["city"]),
            "partners": _partner_shares(report.cohorts["city"]),
            "market_rows": rows,
            "top_adoption": rows[:10],
            "top_growth": sorted(rows, key=lambda line: line["row"].rank_growth)[:10],
            "projections": [(p, projection_text(p)) for p in report.projections],
            "query": query,
            "scope": report.scope,
            "scope_choices": _scope_choices(),
            "places": _places(report),
            "tables": TITLES.items(),
            "labels": labels,
            "no_register_note": labels.no_register_note(period.as_of),
            "month": period.as_of.strftime("%Y-%m"),
        },
    )


@login_required
def market_page(request: HttpRequest, code: str) -> HttpResponse:
    period = _period(request)
    try:
        report, row = selectors.market_report_for(request.user, code, period=period)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    trend_chart = charts.line_chart(
        [
            charts.Series(row.market.name, charts.GREEN, row.trend),
            charts.Series(str(COHORTS["city"]), charts.GREY, [p.rates["city"] for p in report.trend]),
        ],
        [p.day.strftime("%d/%m") for p in report.trend],
        title=_("Tỷ lệ giao dịch theo tuần"),
    )
    return render(
        request,
        "adoption/market.html",
        {
            "report": report,
            "row": row,
            "figures": row.figures,
            "period": period,
            "periods": PERIODS,
            "trend_chart": trend_chart,
            "share_chart": _share_chart(row.figures),
            "partners": _partner_shares(row.figures),
            "projection": projection_text(row.projection) if row.projection else "",
            "city_view": role_of(request.user) in (Role.DEPARTMENT, Role.OPERATOR),
            "labels": labels,
            "no_register_note": labels.no_register_note(period.as_of),
            "query": _query(period),
        },
    )


@login_required
def export(request: HttpRequest, table: str, format: str) -> HttpResponse:
    report = _city_report(request, _period(request))
    try:
        return export_response(report, format=format, table=table)
    except DomainError as exc:
        raise Http404(exc.message) from exc


@login_required
def monthly_pdf(request: HttpRequest) -> HttpResponse:
    month = request.GET.get("month") or clock.today().strftime("%Y-%m")
    try:
        period = selectors.month_period(month)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("adoption-dashboard")
    report = _city_report(request, period)
    response = HttpResponse(render_monthly(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="cho40-bao-cao-{month}.pdf"'
    return response
