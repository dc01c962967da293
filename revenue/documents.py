"""The revenue book as a PDF (A4, DejaVu Sans from printables/fonts, so
Vietnamese prints the same everywhere) and as an XLSX workbook.

Both say what they cover, name the period, the vendor (CCCD masked) and
when they were produced, show the threshold watch, and carry the
verification code; the PDF also carries it as a QR code of the public
verification page."""

import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from core.formatting import format_date, format_datetime, format_vnd
from core.partners import Partner
from core.pdf_fonts import BOLD, REGULAR, register_fonts
from core.privacy import mask
from revenue.book import Book, Line, Money

GREEN, AMBER, GREY = colors.HexColor("#0b6e4f"), colors.HexColor("#b45309"), colors.HexColor("#52606d")
WIDTH = A4[0] - 30 * mm


def coverage() -> str:
    return _(
        "Sổ này chỉ gồm các khoản thanh toán nhận qua mã QR Chợ 4.0 của tiểu thương. "
        "Không gồm tiền mặt và tiền nhận qua các tài khoản khác."
    )


def display_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _percent(permille: int) -> str:
    return f"{permille // 10},{permille % 10}%"


def facts(book: Book, *, code: str, verify_url: str) -> list[tuple[str, str]]:
    """The document's heading facts, label and value, the same in both formats."""
    vendor, period, watch = book.vendor, book.period, book.watch
    days = f"{format_date(period.first)} – {format_date(period.last)}"
    if period.running:
        days += " " + _("(kỳ chưa kết thúc, số liệu đến hết ngày %(day)s)") % {"day": format_date(period.last)}
    rows = [
        (_("Tiểu thương"), vendor.full_name),
        (_("Tên cửa hàng"), vendor.trade_name or "—"),
        (_("Chợ"), vendor.market.name),
        (_("Sạp"), vendor.stall_number),
        (_("Số CCCD"), mask(vendor.national_id)),
        (_("Kỳ"), f"{period.label}: {days}"),
        (_("Lập lúc"), format_datetime(book.produced_at)),
        (_("Ngưỡng doanh thu phải dùng hóa đơn điện tử"), format_vnd(watch.threshold)),
        (
            _("Thuần từ đầu năm đến %(day)s") % {"day": format_date(watch.as_of)},
            f"{format_vnd(watch.year_to_date)} ({_percent(watch.year_to_date_permille)} {_('ngưỡng')})",
        ),
        (
            _("Thuần 12 tháng (%(first)s – %(last)s)")
            % {"first": format_date(watch.twelve_months_from), "last": format_date(watch.as_of)},
            f"{format_vnd(watch.twelve_months)} ({_percent(watch.twelve_months_permille)} {_('ngưỡng')})",
        ),
        (_("Mã xác minh"), display_code(code)),
        (_("Kiểm tra tại"), verify_url),
    ]
    return rows


def flag_text() -> str:
    return _("Doanh thu qua Chợ 4.0 đã từ 80% ngưỡng trở lên. Hãy hỏi cơ quan thuế về việc dùng hóa đơn điện tử.")


def _headers() -> list[str]:
    return [_("Kỳ"), _("Ví"), _("Lượt TT"), _("Tiền thanh toán"), _("Lượt hoàn"), _("Tiền hoàn"), _("Thuần")]


def _rows(line: Line) -> list[tuple[str, str, Money, bool]]:
    """(period, wallet, money, is a total) for a line: one row per wallet,
    and an 'all wallets' row where there is more than one."""
    wallets = line.wallets()
    if not wallets:
        return [(line.label, "—", Money(), True)]
    rows = [(line.label, Partner(p).label, money, len(wallets) == 1) for p, money in wallets]
    if len(wallets) > 1:
        rows.append((line.label, _("Tất cả ví"), line.total, True))
    return rows


# --- PDF ----------------------------------------------------------------------


def _styles() -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=BOLD, fontSize=15, leading=19, textColor=GREEN),
        "h2": ParagraphStyle("h2", fontName=BOLD, fontSize=11, leading=15, spaceBefore=8, spaceAfter=4),
        "body": ParagraphStyle("body", fontName=REGULAR, fontSize=9, leading=12),
        "notice": ParagraphStyle(
            "notice", fontName=BOLD, fontSize=9, leading=12, borderColor=GREEN, borderWidth=0.8, borderPadding=5
        ),
        "flag": ParagraphStyle("flag", fontName=BOLD, fontSize=9, leading=12, textColor=AMBER),
    }


def _qr(url: str, size: float) -> Drawing:
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def _money_table(lines: list[Line]) -> Table:
    rows: list[list[str]] = [_headers()]
    totals = []
    for line in lines:
        for label, wallet, money, is_total in _rows(line):
            rows.append(
                [
                    label,
                    wallet,
                    f"{money.payments:,}".replace(",", "."),
                    format_vnd(money.gross),
                    f"{money.refunds:,}".replace(",", "."),
                    format_vnd(money.refunded),
                    format_vnd(money.net),
                ]
            )
            if is_total:
                totals.append(len(rows) - 1)
    widths = [w * mm for w in (25, 29, 15, 31, 15, 31, 34)]
    table = Table(rows, colWidths=widths, repeatRows=1)
    style: list[Any] = [
        ("FONT", (0, 0), (-1, -1), REGULAR, 7.5),
        ("FONT", (0, 0), (-1, 0), BOLD, 7.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e3f4ec")),
        ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#cbd2d9")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    style += [("FONT", (6, r), (6, r), BOLD, 7.5) for r in totals]
    table.setStyle(TableStyle(style))
    return table


def book_pdf(book: Book, *, code: str, verify_url: str) -> bytes:
    register_fonts()
    styles = _styles()
    out = io.BytesIO()
    footer = _("Mã xác minh %(code)s · %(url)s") % {"code": display_code(code), "url": verify_url}

    def on_page(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(REGULAR, 7)
        canvas.setFillColor(GREY)
        canvas.drawString(15 * mm, 9 * mm, footer)
        canvas.drawRightString(A4[0] - 15 * mm, 9 * mm, _("Trang %(page)s") % {"page": document.page})
        canvas.restoreState()

    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=14 * mm,
        bottomMargin=16 * mm,
        title=_("Sổ doanh thu – %(name)s – %(period)s") % {"name": book.vendor.full_name, "period": book.period.label},
        author="Chợ 4.0",
    )
    heading = Table(
        [
            [
                [
                    Paragraph(_("SỔ DOANH THU BÁN HÀNG QUA CHỢ 4.0"), styles["title"]),
                    Spacer(1, 2 * mm),
                    Paragraph(book.period.label.capitalize(), styles["h2"]),
                ],
                _qr(verify_url, 30 * mm),
            ]
        ],
        colWidths=[WIDTH - 32 * mm, 32 * mm],
    )
    heading.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (1, 0), (1, 0), "RIGHT")]))
    story: list[Flowable] = [heading, Spacer(1, 2 * mm), Paragraph(coverage(), styles["notice"]), Spacer(1, 4 * mm)]
    fact_rows = [
        [Paragraph(label, styles["body"]), Paragraph(value, styles["body"])]
        for label, value in facts(book, code=code, verify_url=verify_url)
    ]
    fact_table = Table(fact_rows, colWidths=[WIDTH * 0.42, WIDTH * 0.58])
    fact_table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#e4e7eb")),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    story.append(fact_table)
    if book.watch.flagged:
        story += [Spacer(1, 3 * mm), Paragraph(flag_text(), styles["flag"])]
    story += [Paragraph(_("Tổng cộng theo ví"), styles["h2"]), _money_table([book.whole])]
    for title, lines in ((_("Theo quý"), book.quarters), (_("Theo tháng"), book.months)):
        if lines:  # a month's book has no months, a quarter's no quarters
            story += [Paragraph(title, styles["h2"]), _money_table(lines)]
    story.append(Paragraph(_("Theo ngày (các ngày có giao dịch)"), styles["h2"]))
    story.append(_money_table(book.days) if book.days else Paragraph(_("Không có giao dịch trong kỳ."), styles["body"]))
    document.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return out.getvalue()


# --- XLSX -----------------------------------------------------------------------

MONEY_FORMAT = '#,##0 "₫"'
COUNT_FORMAT = "#,##0"


def book_xlsx(book: Book, *, code: str, verify_url: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = _("Sổ doanh thu")[:31]
    sheet.append([_("SỔ DOANH THU BÁN HÀNG QUA CHỢ 4.0")])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([coverage()])
    sheet["A2"].font = Font(bold=True)
    sheet["A2"].alignment = Alignment(wrap_text=True)
    sheet.append([])
    for label, value in facts(book, code=code, verify_url=verify_url):
        sheet.append([label, value])
    if book.watch.flagged:
        sheet.append([flag_text()])
    sheet.append([])
    sheet.column_dimensions["A"].width = 44
    sheet.column_dimensions["B"].width = 60
    _money_sheet(workbook, _("Tổng cộng theo ví"), [book.whole])
    if book.quarters:
        _money_sheet(workbook, _("Theo quý"), book.quarters)
    if book.months:
        _money_sheet(workbook, _("Theo tháng"), book.months)
    _money_sheet(workbook, _("Theo ngày"), book.days)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _money_sheet(workbook: Workbook, title: str, lines: list[Line]) -> None:
    sheet = workbook.create_sheet(title[:31])
    sheet.append(_headers())
    for heading in sheet[1]:
        heading.font = Font(bold=True)
    for line in lines:
        for label, wallet, money, _total in _rows(line):
            sheet.append([label, wallet, money.payments, money.gross, money.refunds, money.refunded, money.net])
    for letter, width, number_format in (
        ("A", 16, None),
        ("B", 18, None),
        ("C", 10, COUNT_FORMAT),
        ("D", 18, MONEY_FORMAT),
        ("E", 10, COUNT_FORMAT),
        ("F", 18, MONEY_FORMAT),
        ("G", 18, MONEY_FORMAT),
    ):
        sheet.column_dimensions[letter].width = width
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=ord(letter) - 64, max_col=ord(letter) - 64):
                cell.number_format = number_format
