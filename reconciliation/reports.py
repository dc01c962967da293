"""A run as CSV (its differences, both sides) and as a PDF report in Vietnamese."""

import csv
import functools
import io

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core import clock
from core.actors import Actor
from core.formatting import format_date, format_datetime, format_vnd
from core.partners import Partner
from reconciliation import selectors
from reconciliation.explanations import outcome_label
from reconciliation.models import ReconciliationException, ReconciliationRun

# The DejaVu fonts shipped with the posters cover every Vietnamese diacritic.
FONT_DIR = settings.BASE_DIR / "printables" / "fonts"
REGULAR = "ReconDejaVuSans"
BOLD = "ReconDejaVuSans-Bold"
PDF_EXCEPTION_ROWS = 500

CSV_COLUMNS = [
    ("kind", "Loại chênh lệch"),
    ("partner_txn_id", "Mã giao dịch"),
    ("line_no", "Dòng trong tệp"),
    ("market", "Chợ"),
    ("vendor", "Tiểu thương"),
    ("file_amount", "Số tiền theo tệp"),
    ("recorded_amount", "Số tiền đã ghi nhận"),
    ("status", "Trạng thái"),
    ("explanation", "Giải thích"),
    ("resolved_at", "Xử lý lúc"),
    ("resolved_by", "Người xử lý"),
    ("resolution_note", "Ghi chú xử lý"),
]


def _csv_row(exception: ReconciliationException) -> list:
    return [
        exception.get_kind_display(),
        exception.partner_txn_id,
        exception.line_no or "",
        exception.market.code if exception.market else "",
        exception.vendor.full_name if exception.vendor else "",
        "" if exception.file_amount is None else exception.file_amount,
        "" if exception.recorded_amount is None else exception.recorded_amount,
        exception.get_status_display(),
        exception.explanation,
        format_datetime(exception.resolved_at),
        exception.resolved_by.username if exception.resolved_by else "",
        exception.resolution_note,
    ]


def run_csv(user: Actor, run: ReconciliationRun) -> bytes:
    """The run's differences that this person may see, one per row. Amounts
    are whole đồng without separators so a spreadsheet reads them as numbers."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([header for _field, header in CSV_COLUMNS])
    for exception in selectors.exception_search(user, run=run).iterator(chunk_size=2_000):
        writer.writerow(_csv_row(exception))
    # A BOM so Excel opens the Vietnamese text as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@functools.cache
def _register_fonts() -> None:
    pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))


def _styles() -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=BOLD, fontSize=15, leading=19, spaceAfter=4),
        "body": ParagraphStyle("body", fontName=REGULAR, fontSize=9, leading=12),
        "small": ParagraphStyle("small", fontName=REGULAR, fontSize=7.5, leading=9.5),
        "heading": ParagraphStyle("heading", fontName=BOLD, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4),
    }


def _table(rows: list[list], widths: list[float], *, numeric_from: int) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), BOLD),
                ("FONTNAME", (0, 1), (-1, -1), REGULAR),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef3")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#9aa5ad")),
                ("ALIGN", (numeric_from, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def run_pdf(user: Actor, run: ReconciliationRun) -> bytes:
    _register_fonts()
    styles = _styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=_("Báo cáo đối soát %(partner)s ngày %(day)s")
        % {"partner": Partner(run.partner).label, "day": format_date(run.business_date)},
    )
    story: list[Flowable] = [
        Paragraph(
            _("Báo cáo đối soát %(partner)s — ngày %(day)s")
            % {"partner": Partner(run.partner).label, "day": format_date(run.business_date)},
            styles["title"],
        ),
        Paragraph(
            _(
                "Tệp: %(file)s · Trạng thái: %(status)s · Lần chạy thứ %(attempt)d, xong lúc %(finished)s"
                " · In lúc %(now)s"
            )
            % {
                "file": run.file.file_name if run.file else _("chưa có"),
                "status": run.get_status_display(),
                "attempt": run.attempts,
                "finished": format_datetime(run.finished_at),
                "now": format_datetime(clock.now()),
            },
            styles["body"],
        ),
        Paragraph(
            _(
                "Số dòng trong tệp: %(lines)s · Giao dịch đã ghi nhận trong ngày: %(txns)s · Tổng số tiền: %(amount)s"
                " · Tổng phí: %(fee)s · Tổng thực nhận: %(net)s"
            )
            % {
                "lines": f"{run.line_count:,}".replace(",", "."),
                "txns": f"{run.transaction_count:,}".replace(",", "."),
                "amount": format_vnd(run.total_amount),
                "fee": format_vnd(run.total_fee),
                "net": format_vnd(run.total_net),
            },
            styles["body"],
        ),
        Paragraph(_("Kết quả theo loại"), styles["heading"]),
    ]
    outcome_rows: list[list] = [
        [_("Kết quả"), _("Số giao dịch"), _("Theo tệp"), _("Theo hệ thống"), _("Phí"), _("Thực nhận")]
    ]
    for row in selectors.outcome_rows(run):
        outcome_rows.append(
            [
                outcome_label(row["outcome"]),
                f"{row['count']:,}".replace(",", "."),
                format_vnd(row["file_amount"]),
                format_vnd(row["recorded_amount"]),
                format_vnd(row["fee"]),
                format_vnd(row["net"]),
            ]
        )
    story.append(_table(outcome_rows, [70 * mm, 30 * mm, 40 * mm, 40 * mm, 35 * mm, 40 * mm], numeric_from=1))

    markets = selectors.market_totals(run)
    if markets:
        story.append(Paragraph(_("Tiền quyết toán theo chợ"), styles["heading"]))
        market_rows: list[list] = [[_("Chợ"), _("Số giao dịch"), _("Số tiền"), _("Phí"), _("Thực nhận")]]
        for row in markets:
            market_rows.append(
                [
                    f"{row['market']} – {row['market_name']}" if row["market"] else _("Chưa gán được tiểu thương"),
                    f"{row['count']:,}".replace(",", "."),
                    format_vnd(row["amount"]),
                    format_vnd(row["fee"]),
                    format_vnd(row["net"]),
                ]
            )
        story.append(_table(market_rows, [95 * mm, 30 * mm, 45 * mm, 35 * mm, 45 * mm], numeric_from=1))

    exceptions = selectors.exception_search(user, run=run)
    total = exceptions.count()
    story.append(Paragraph(_("Chênh lệch (%(n)d)") % {"n": total}, styles["heading"]))
    if total:
        rows: list[list] = [[_("Loại"), _("Mã giao dịch"), _("Trạng thái"), _("Giải thích")]]
        for exception in exceptions[:PDF_EXCEPTION_ROWS]:
            rows.append(
                [
                    Paragraph(exception.get_kind_display(), styles["small"]),
                    Paragraph(exception.partner_txn_id or "—", styles["small"]),
                    Paragraph(exception.get_status_display(), styles["small"]),
                    Paragraph(exception.explanation, styles["small"]),
                ]
            )
        story.append(_table(rows, [38 * mm, 42 * mm, 26 * mm, 167 * mm], numeric_from=4))
        if total > PDF_EXCEPTION_ROWS:
            story.append(Spacer(1, 4))
            story.append(
                Paragraph(
                    _("Còn %(n)d chênh lệch nữa: xem đầy đủ trong tệp CSV của lần đối soát này.")
                    % {"n": total - PDF_EXCEPTION_ROWS},
                    styles["body"],
                )
            )
    else:
        story.append(Paragraph(_("Không có chênh lệch nào."), styles["body"]))
    doc.build(story)
    return out.getvalue()
