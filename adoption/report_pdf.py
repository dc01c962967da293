"""The monthly report for the Department, in Vietnamese, as a PDF: headline
figures, the trend pilot against the rest, adoption by market, partner
shares, the rankings, the projection and every market's row. Charts are
reportlab graphics; fonts are DejaVu Sans from printables/fonts."""

import io
from collections.abc import Callable

from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from adoption import labels
from adoption.formatting import format_count, format_date, format_percent, format_points, format_vnd
from adoption.places import BY_UNIT, GROUPINGS, place_rows
from adoption.selectors import COHORTS, MarketRow, Projection, Report
from core import clock
from core.formatting import format_datetime
from core.partners import Partner
from core.pdf_fonts import BOLD, REGULAR, register_fonts

GREEN, AMBER, GREY = colors.HexColor("#0b6e4f"), colors.HexColor("#d97706"), colors.HexColor("#9aa5b1")
RUST = colors.HexColor("#c2410c")
PARTNER_COLOURS = [colors.HexColor("#0b6e4f"), colors.HexColor("#c2410c"), colors.HexColor("#1d4ed8")]
WIDTH = A4[0] - 30 * mm


def _styles() -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=BOLD, fontSize=16, leading=20, textColor=GREEN),
        "h2": ParagraphStyle("h2", fontName=BOLD, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4, keepWithNext=1),
        "body": ParagraphStyle("body", fontName=REGULAR, fontSize=9, leading=12),
        "small": ParagraphStyle(
            "small", fontName=REGULAR, fontSize=7.5, leading=10, textColor=colors.HexColor("#52606d")
        ),
    }


_HEADING = ParagraphStyle("heading", fontName=BOLD, fontSize=7.5, leading=9)
_HEADING_NUMBER = ParagraphStyle("heading-number", parent=_HEADING, alignment=TA_RIGHT)


def _table(rows: list[list[str]], widths: list[float], *, numeric_from: int = 1) -> Table:
    # Headings wrap inside their column: they name what each figure counts in full.
    heading = [
        Paragraph(text, _HEADING_NUMBER if index >= numeric_from else _HEADING) if text else ""
        for index, text in enumerate(rows[0])
    ]
    table = Table([heading, *rows[1:]], colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), REGULAR, 8),
                ("FONT", (0, 0), (-1, 0), BOLD, 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e3f4ec")),
                ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#cbd2d9")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _headline(report: Report) -> Table:
    c = [report.cohorts[k] for k in COHORTS]
    rows = [
        ["", *(str(COHORTS[k]) for k in COHORTS)],
        [str(labels.MARKETS), *(format_count(f.markets) for f in c)],
        [_("Chợ có giao dịch (30 ngày)"), *(format_count(f.markets_live) for f in c)],
        [str(labels.STALLS), *(format_count(f.stalls) for f in c)],
        [str(labels.VENDORS_REGISTERED), *(format_count(f.vendors_registered) for f in c)],
        [str(labels.VENDORS_WITH_CODE), *(format_count(f.vendors_with_code) for f in c)],
        [str(labels.TRANSACTING_7D), *(format_count(f.transacting_7d) for f in c)],
        [str(labels.TRANSACTING_30D), *(format_count(f.transacting_30d) for f in c)],
        [str(labels.ADOPTION), *(format_percent(f.adoption_permille) for f in c)],
        [str(labels.ONBOARDING), *(format_percent(f.onboarding_permille) for f in c)],
        [_("Số lượt thanh toán trong kỳ"), *(format_count(f.total.payments_count) for f in c)],
        [_("Giá trị thanh toán thuần trong kỳ"), *(format_vnd(f.total.net_amount) for f in c)],
    ]
    return _table(rows, [WIDTH * 0.4, WIDTH * 0.2, WIDTH * 0.2, WIDTH * 0.2])


def _percent_axis(chart: HorizontalLineChart | HorizontalBarChart, series: list[list[float]]) -> None:
    top = max((v for values in series for v in values), default=0)
    step = 10 if top > 40 else 5 if top > 10 else 2
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(step * 5, (int(top) // step + 1) * step)
    chart.valueAxis.valueStep = step if top > 10 else 2
    chart.valueAxis.labelTextFormat = lambda v: f"{v:.0f}%"


def _trend_chart(report: Report) -> Drawing:
    drawing = Drawing(WIDTH, 62 * mm)
    chart = HorizontalLineChart()
    # reportlab's stubs type a chart's positions and sizes as int; they are points, fractions too.
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 14 * mm, WIDTH - 20 * mm, 40 * mm  # type: ignore[assignment]  # points
    series = [[(p.rates[k] or 0) / 10 for p in report.trend] for k in ("pilot", "other")]
    chart.data = series
    chart.categoryAxis.categoryNames = [p.day.strftime("%d/%m") for p in report.trend]
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 6.5
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 7
    _percent_axis(chart, series)
    chart.lines[0].strokeColor, chart.lines[0].strokeWidth = GREEN, 2
    chart.lines[1].strokeColor, chart.lines[1].strokeWidth = AMBER, 2
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 14 * mm, 60 * mm  # type: ignore[assignment]  # points
    legend.fontName, legend.fontSize = REGULAR, 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.colorNamePairs = [(GREEN, str(COHORTS["pilot"])), (AMBER, str(COHORTS["other"]))]
    drawing.add(legend)
    return drawing


def _market_bars(report: Report) -> Drawing:
    """Adoption of the pilot markets and the ten best of the rest, highest
    first, each bar named by its market and labelled with its value, with
    the pilot target as a dashed line."""
    chosen = [r for r in report.by_adoption if r.in_pilot] + [r for r in report.by_adoption if not r.in_pilot][:10]
    # The category axis runs bottom up: the best market is drawn last, on top.
    rows = sorted(chosen, key=lambda r: -r.rank_adoption)
    plot_h = 3.6 * mm * max(len(rows), 1)
    drawing = Drawing(WIDTH, plot_h + 14 * mm)
    chart = HorizontalBarChart()
    # reportlab's stubs type a chart's positions and sizes as int; they are points, fractions too.
    chart.x, chart.y, chart.width, chart.height = 48 * mm, 8 * mm, WIDTH - 62 * mm, plot_h  # type: ignore[assignment]  # points
    values = [(r.figures.adoption_permille or 0) / 10 for r in rows]
    chart.data = [values]
    chart.categoryAxis.categoryNames = [r.market.name for r in rows]
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 7
    target = report.targets.pilot_rate_permille / 10
    _percent_axis(chart, [[*values, target]])
    # Each bar's value written beside it, as the tables write it (12,5%).
    chart.barLabelFormat = "values"
    chart.barLabelArray = [[format_percent(r.figures.adoption_permille) for r in rows]]
    chart.barLabels.fontName = REGULAR
    chart.barLabels.fontSize = 6
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 2
    chart.bars[0].fillColor = GREEN
    for index, row in enumerate(rows):
        chart.bars[(0, index)].fillColor = GREEN if row.in_pilot else GREY
    drawing.add(chart)
    x = chart.x + chart.width * target / chart.valueAxis.valueMax
    top = chart.y + plot_h
    drawing.add(Line(x, chart.y, x, top + 2 * mm, strokeColor=RUST, strokeWidth=1, strokeDashArray=[3, 2]))
    label = _("Mục tiêu %(target)s") % {"target": format_percent(report.targets.pilot_rate_permille)}
    drawing.add(String(x, top + 3 * mm, label, fontName=REGULAR, fontSize=7, fillColor=RUST, textAnchor="middle"))
    return drawing


def _partner_pie(report: Report) -> Drawing:
    city = report.cohorts["city"]
    drawing = Drawing(WIDTH, 45 * mm)
    amounts = [max(city.flows[p].net_amount, 0) for p in Partner.values]
    if not any(amounts):
        drawing.add(String(0, 20 * mm, _("Chưa có thanh toán trong kỳ"), fontName=REGULAR, fontSize=9))
        return drawing
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 10 * mm, 3 * mm, 38 * mm, 38 * mm  # type: ignore[assignment]  # points
    pie.data = amounts
    pie.labels = None
    for index, colour in enumerate(PARTNER_COLOURS):
        pie.slices[index].fillColor = colour
    drawing.add(pie)
    legend = Legend()
    legend.x, legend.y = 60 * mm, 38 * mm  # type: ignore[assignment]  # points
    legend.fontName, legend.fontSize = REGULAR, 8
    legend.colorNamePairs = [
        (
            colour,
            f"{Partner(p).label}: {format_vnd(city.flows[p].net_amount)}"
            f" ({format_percent(city.partner_share_permille(p))})",
        )
        for colour, p in zip(PARTNER_COLOURS, Partner.values, strict=True)
    ]
    drawing.add(legend)
    return drawing


def projection_text(projection: Projection) -> str:
    if projection.reached:
        return _("đã đạt")
    if projection.eta is None:
        return _("chưa đạt được với tốc độ hiện tại")
    return _("dự kiến đạt ngày %(date)s") % {"date": format_date(projection.eta)}


def _ranking(rows: list[MarketRow], value: Callable[[MarketRow], str], header: str) -> Table:
    body = [[_("Hạng"), _("Chợ"), header]]
    body += [[str(i), r.market.name, value(r)] for i, r in enumerate(rows[:10], start=1)]
    return _table(body, [WIDTH * 0.08, WIDTH * 0.27, WIDTH * 0.13], numeric_from=2)


def _markets_table(report: Report) -> Table:
    body = [
        [
            _("Hạng"),
            _("Chợ"),
            _("Thí điểm"),
            str(labels.STALLS),
            str(labels.TRANSACTING_30D),
            str(labels.ADOPTION),
            str(labels.ONBOARDING),
            _("Tỷ lệ giao dịch tăng trong 4 tuần"),
            str(labels.NET_AMOUNT),
        ]
    ]
    for r in report.by_adoption:
        f = r.figures
        body.append(
            [
                str(r.rank_adoption),
                f"{r.market.name} ({r.market.code})",
                "✓" if r.in_pilot else "",
                format_count(f.stalls),
                format_count(f.transacting_30d),
                format_percent(f.adoption_permille),
                format_percent(f.onboarding_permille),
                format_points(r.growth_permille),
                format_vnd(f.total.net_amount),
            ]
        )
    widths = [0.07, 0.25, 0.07, 0.07, 0.11, 0.1, 0.1, 0.1, 0.13]
    table = _table(body, [WIDTH * w for w in widths], numeric_from=3)
    table.setStyle(TableStyle([("FONT", (0, 1), (-1, -1), REGULAR, 7), ("ALIGN", (2, 0), (2, -1), "CENTER")]))
    return table


def _places_table(report: Report, by: str) -> Table:
    """The markets summed by current unit or by former district (places.py)."""
    place = _("Phường/xã hiện nay") if by == BY_UNIT else _("Quận/huyện cũ")
    headings = [labels.MARKETS, labels.MARKETS_LIVE, labels.STALLS, labels.TRANSACTING_30D, labels.ADOPTION]
    body = [[place, *(str(h) for h in headings), str(labels.NET_AMOUNT)]]
    for p in place_rows(report, by):
        f = p.figures
        body.append(
            [
                f"{p.name} ({p.key})" if p.key and by == BY_UNIT else p.name,
                format_count(f.markets),
                format_count(f.markets_live),
                format_count(f.stalls),
                format_count(f.transacting_30d),
                format_percent(f.adoption_permille),
                format_vnd(f.total.net_amount),
            ]
        )
    widths = [0.34, 0.08, 0.12, 0.09, 0.11, 0.1, 0.16]
    table = _table(body, [WIDTH * w for w in widths])
    table.setStyle(TableStyle([("FONT", (0, 1), (-1, -1), REGULAR, 7)]))
    return table


def _footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
    canvas.saveState()
    canvas.setFont(REGULAR, 7)
    canvas.drawString(15 * mm, 8 * mm, _("Chợ 4.0 · Sở Công Thương thành phố Cần Thơ"))
    canvas.drawRightString(A4[0] - 15 * mm, 8 * mm, _("Trang %(page)s") % {"page": doc.page})
    canvas.restoreState()


def render_monthly(report: Report) -> bytes:
    register_fonts()
    s = _styles()
    period = report.period
    out = io.BytesIO()
    title = _("Báo cáo tháng %(month)s – Chương trình Chợ 4.0") % {"month": period.first.strftime("%m/%Y")}
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=title,
        author=_("Sở Công Thương thành phố Cần Thơ"),
    )
    pilot_target, live_target = report.projections
    story: list[Flowable] = [
        Paragraph(title, s["title"]),
        Paragraph(
            _(
                "Kỳ báo cáo từ %(first)s đến %(last)s. Số liệu về tiểu thương tính đến hết ngày %(as_of)s. "
                "Lập lúc %(now)s."
            )
            % {
                "first": format_date(period.first),
                "last": format_date(period.as_of),
                "as_of": format_date(period.as_of),
                "now": format_datetime(clock.now()),
            },
            s["body"],
        ),
        Paragraph(_("Số liệu của %(covers)s.") % {"covers": report.covers}, s["body"]),
        Paragraph(_("1. Số liệu chính"), s["h2"]),
        _headline(report),
        *(
            [Paragraph(labels.no_register_note(period.as_of), s["small"])]
            if report.cohorts["city"].vendors_registered is None
            else []
        ),
        Paragraph(_("2. Mục tiêu và dự báo"), s["h2"]),
        Paragraph(
            _("Mục tiêu 1: %(label)s – %(current)s/%(target)s chợ đạt, %(eta)s.")
            % {
                "label": pilot_target.label,
                "current": pilot_target.current,
                "target": pilot_target.target,
                "eta": projection_text(pilot_target),
            },
            s["body"],
        ),
        Paragraph(
            _("Mục tiêu 2: %(label)s – %(current)s/%(target)s chợ, %(eta)s.")
            % {
                "label": live_target.label,
                "current": live_target.current,
                "target": live_target.target,
                "eta": projection_text(live_target),
            },
            s["body"],
        ),
        Paragraph(_("Dự báo theo tốc độ tăng của 4 tuần gần nhất."), s["small"]),
        KeepTogether(
            [Paragraph(_("3. Tỷ lệ giao dịch theo tuần: chợ thí điểm và chợ khác"), s["h2"]), _trend_chart(report)]
        ),
        KeepTogether(
            [
                Paragraph(_("4. Tỷ lệ giao dịch theo chợ (chợ thí điểm và 10 chợ khác dẫn đầu)"), s["h2"]),
                Paragraph(
                    _(
                        "Tiểu thương có giao dịch trong 30 ngày trên số sạp, từ cao xuống thấp; xanh: chợ thí điểm, "
                        "xám: chợ khác; vạch đứt: mục tiêu của mỗi chợ thí điểm."
                    ),
                    s["small"],
                ),
                _market_bars(report),
            ]
        ),
        KeepTogether([Paragraph(_("5. Tỷ trọng giá trị thanh toán theo ví"), s["h2"]), _partner_pie(report)]),
        Paragraph(_("6. Thi đua: xếp hạng các chợ"), s["h2"]),
        Table(
            [
                [
                    _ranking(report.by_adoption, lambda r: format_percent(r.figures.adoption_permille), _("Tỷ lệ")),
                    _ranking(report.by_growth, lambda r: format_points(r.growth_permille), _("Tăng")),
                ]
            ],
            colWidths=[WIDTH * 0.5, WIDTH * 0.5],
        ),
        Paragraph(_("7. Toàn bộ các chợ"), s["h2"]),
        _markets_table(report),
        *(
            item
            for number, by in enumerate(GROUPINGS, start=8)
            for item in (Paragraph(f"{number}. {GROUPINGS[by]}", s["h2"]), _places_table(report, by))
        ),
        Spacer(1, 4 * mm),
        Paragraph(
            _(
                "Cách tính: tiểu thương giao dịch là tiểu thương có ít nhất một thanh toán thành công "
                "trong 7 hoặc 30 ngày tính đến ngày báo cáo; tỷ lệ giao dịch = số tiểu thương giao dịch "
                "trong 30 ngày / số sạp; tỷ lệ có mã QR = số tiểu thương đang hoạt động có mã QR đang dùng "
                "/ số sạp; giá trị thuần = thanh toán thành công trừ hoàn tiền, không tính giao dịch thất "
                "bại hoặc đã đảo; chợ có giao dịch là chợ có ít nhất một tiểu thương giao dịch trong 30 ngày."
            ),
            s["small"],
        ),
    ]
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return out.getvalue()
