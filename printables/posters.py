"""A5 payment posters, drawn with reportlab from a declarative layout.

Every position below is in millimetres from the top-left corner of an A5
portrait page, so a change to the poster is a change to `POSTER`, not a hunt
through drawing code. Fonts (DejaVu Sans, shipped in `fonts/`) are registered
once and embedded as subsets. QR symbols are vector: one filled path of the
dark runs of each row, written straight into the content stream.
"""

import functools
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from printables import qr

# Bump when the drawing changes: cached batch files are keyed on it.
LAYOUT_VERSION = "2026.2"

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"

A5_W_MM, A5_H_MM = 148.0, 210.0
LAYOUTS = ("a5", "a4x2")


@dataclass(frozen=True)
class PosterCode:
    payload: str
    partner_name: str
    version: int
    issued_on: str  # dd/mm/yyyy
    # The account holder's name as the customer's app shows it before they
    # confirm: a sticker pasted over the code would show another name.
    payee_name: str = ""


@dataclass(frozen=True)
class PosterData:
    market_name: str
    stall: str
    trade_name: str
    owner_name: str  # empty when it is the same as the trade name
    reference: str
    codes: tuple[PosterCode, ...]


@dataclass(frozen=True)
class TextSlot:
    """One line of text: which value, its baseline, size, weight, colour."""

    key: str
    y: float
    size: float
    bold: bool = False
    colour: tuple[float, float, float] = (0.12, 0.16, 0.2)
    min_size: float | None = None  # shrink to fit the width down to this
    max_lines: int = 1  # a second line grows upwards from the baseline


@dataclass(frozen=True)
class PosterLayout:
    margin: float
    texts: tuple[TextSlot, ...]
    rules: tuple[float, ...]  # horizontal hairlines, y in mm
    qr_top: float
    qr_bottom: float
    qr_gap: float
    qr_max: float
    label_gap: float  # QR bottom to the partner name's baseline
    label_size: float
    small_gap: float  # partner name to the small print's baseline
    small_size: float
    payee_gap: float  # small print to "Tên người nhận…", and that to the name
    payee_size: float
    # How many QR codes go on each row, by number of codes.
    arrangement: dict[int, tuple[int, ...]] = field(default_factory=dict)

    def rows_for(self, count: int) -> tuple[int, ...]:
        if count in self.arrangement:
            return self.arrangement[count]
        return tuple(min(3, count - i) for i in range(0, count, 3))


GREEN = (0.043, 0.431, 0.31)
GREY = (0.38, 0.43, 0.49)

POSTER = PosterLayout(
    margin=10,
    texts=(
        TextSlot("market", y=17, size=13, bold=True, colour=GREEN, min_size=8),
        TextSlot("stall", y=23, size=10.5, colour=GREY),
        TextSlot("trade_name", y=41, size=22, bold=True, min_size=11, max_lines=2),
        TextSlot("owner", y=48, size=11, colour=GREY, min_size=7),
        TextSlot("call_to_action", y=60, size=17, bold=True, colour=GREEN),
        TextSlot("check_payee", y=175.5, size=8, bold=True, colour=GREEN, min_size=6),
        TextSlot("reference_label", y=181.5, size=9, colour=GREY),
        TextSlot("reference", y=190.5, size=20, bold=True),
        TextSlot("footer", y=200, size=6.5, colour=GREY),
    ),
    rules=(27, 170),
    qr_top=66,
    qr_bottom=166,
    qr_gap=5,
    qr_max=78,
    label_gap=5,
    label_size=10.5,
    small_gap=4,
    small_size=6.5,
    payee_gap=3.6,
    payee_size=7.5,
    arrangement={1: (1,), 2: (2,), 3: (3,), 4: (2, 2)},
)

# (canvas, payload, left, bottom, side) in points; the side includes the quiet zone.
QrPainter = Callable[[Canvas, str, float, float, float], None]


@functools.cache
def register_fonts() -> None:
    pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD)


def paint_vector_qr(canvas: Canvas, payload: str, left: float, bottom: float, side: float) -> None:
    """The symbol as rectangles in module units under one transform, one fill."""
    symbol = qr.matrix(payload)
    module = side / (symbol.size + 2 * qr.QUIET_ZONE)
    origin_x = left + qr.QUIET_ZONE * module
    origin_y = bottom + side - qr.QUIET_ZONE * module
    rects = " ".join(f"{c} {r} {length} 1 re" for r, c, length in symbol.dark_runs())
    # Row r runs downward from the top edge: y scale is negative.
    canvas.addLiteral(f"q 0 g {module:.4f} 0 0 {-module:.4f} {origin_x:.3f} {origin_y:.3f} cm {rects} f Q")


def _texts(data: PosterData) -> dict[str, str]:
    return {
        "market": data.market_name,
        "stall": _("Sạp %(stall)s") % {"stall": data.stall},
        "trade_name": data.trade_name,
        "owner": data.owner_name,
        "call_to_action": _("Quét mã để thanh toán"),
        "check_payee": _("Trước khi xác nhận, hãy xem tên người nhận trên ứng dụng có đúng như in dưới mã không")
        if any(code.payee_name for code in data.codes)
        else "",
        "reference_label": _("Mã thanh toán (ghi khi chuyển khoản)"),
        "reference": data.reference,
        "footer": _("Chợ 4.0 · Dùng được với mọi ứng dụng ngân hàng và ví hỗ trợ VietQR · mẫu %(layout)s")
        % {"layout": LAYOUT_VERSION},
    }


def _fit(slot: TextSlot, text: str, font: str, width: float) -> tuple[list[str], float]:
    """Lines and size for a slot: shrink, then wrap in two, then cut with an ellipsis."""
    measured = pdfmetrics.stringWidth(text, font, slot.size)
    if measured <= width:
        return [text], slot.size
    smallest = slot.min_size or slot.size
    size = max(smallest, slot.size * width / measured)
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return [text], size
    if slot.max_lines >= 2 and " " in text:
        lines = _split_in_two(text, font)
        widest = max(pdfmetrics.stringWidth(line, font, slot.size) for line in lines)
        # Two lines at full size would crowd the header: start a size smaller.
        size = max(smallest, min(slot.size * 0.72, slot.size * width / widest))
        return [_cut(line, font, size, width) for line in lines], size
    return [_cut(text, font, size, width)], size


def _split_in_two(text: str, font: str) -> list[str]:
    words = text.split()
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    return list(min(splits, key=lambda pair: max(pdfmetrics.stringWidth(part, font, 10) for part in pair)))


def _cut(text: str, font: str, size: float, width: float) -> str:
    while len(text) > 1 and pdfmetrics.stringWidth(text, font, size) > width:
        text = text[:-2].rstrip() + "…"
    return text


def _draw_poster(
    canvas: Canvas, data: PosterData, x0: float, layout: PosterLayout, painter: QrPainter, page_h: float
) -> None:
    """One A5 poster whose left edge is at x0 points."""

    def y(mm_from_top: float) -> float:
        return page_h - mm_from_top * mm

    width = (A5_W_MM - 2 * layout.margin) * mm
    centre = x0 + A5_W_MM * mm / 2
    values = _texts(data)
    for slot in layout.texts:
        text = values.get(slot.key) or ""
        if not text:
            continue
        font = BOLD if slot.bold else REGULAR
        lines, size = _fit(slot, text, font, width)
        canvas.setFillColorRGB(*slot.colour)
        canvas.setFont(font, size)
        baseline = y(slot.y) + (len(lines) - 1) * size * 1.15
        for line in lines:
            canvas.drawCentredString(centre, baseline, line)
            baseline -= size * 1.15
    canvas.setStrokeColorRGB(*GREEN)
    canvas.setLineWidth(0.6)
    for rule in layout.rules:
        canvas.line(x0 + layout.margin * mm, y(rule), x0 + (A5_W_MM - layout.margin) * mm, y(rule))
    _draw_codes(canvas, data.codes, x0, layout, painter, y)


def _draw_codes(
    canvas: Canvas,
    codes: Sequence[PosterCode],
    x0: float,
    layout: PosterLayout,
    painter: QrPainter,
    y: Callable[[float], float],
) -> None:
    if not codes:
        return
    rows = layout.rows_for(len(codes))
    payee = any(code.payee_name for code in codes)
    label_h = layout.label_gap + layout.small_gap + 2 + (2 * layout.payee_gap if payee else 0)
    area_w = A5_W_MM - 2 * layout.margin
    area_h = layout.qr_bottom - layout.qr_top
    widest = max(rows)
    side = min(
        layout.qr_max,
        (area_w - layout.qr_gap * (widest - 1)) / widest,
        (area_h - len(rows) * label_h - layout.qr_gap * (len(rows) - 1)) / len(rows),
    )
    block_h = len(rows) * (side + label_h) + layout.qr_gap * (len(rows) - 1)
    top = layout.qr_top + (area_h - block_h) / 2
    remaining = iter(codes)
    for row_count in rows:
        row_w = row_count * side + layout.qr_gap * (row_count - 1)
        left = layout.margin + (area_w - row_w) / 2
        for i in range(row_count):
            code = next(remaining)
            x = left + i * (side + layout.qr_gap)
            painter(canvas, code.payload, x0 + x * mm, y(top + side), side * mm)
            cx = x0 + (x + side / 2) * mm
            canvas.setFillColorRGB(0.12, 0.16, 0.2)
            canvas.setFont(BOLD, layout.label_size)
            canvas.drawCentredString(cx, y(top + side + layout.label_gap), code.partner_name)
            canvas.setFillColorRGB(*GREY)
            small = _("Phiên bản %(version)d · cấp %(date)s") % {"version": code.version, "date": code.issued_on}
            small_size = min(
                layout.small_size,
                layout.small_size * side * mm / pdfmetrics.stringWidth(small, REGULAR, layout.small_size),
            )
            canvas.setFont(REGULAR, small_size)
            below = top + side + layout.label_gap + layout.small_gap
            canvas.drawCentredString(cx, y(below), small)
            if code.payee_name:
                _draw_payee(canvas, code.payee_name, cx, side * mm, layout, y, below)
        top += side + label_h + layout.qr_gap


def _draw_payee(
    canvas: Canvas, name: str, cx: float, width: float, layout: PosterLayout, y: Callable[[float], float], below: float
) -> None:
    """Under a code: the name the customer's app shows, for them to compare."""
    label = _("Tên người nhận hiện trên ứng dụng:")
    for text, font, top in ((label, REGULAR, below + layout.payee_gap), (name, BOLD, below + 2 * layout.payee_gap)):
        size = min(layout.payee_size, layout.payee_size * width / pdfmetrics.stringWidth(text, font, layout.payee_size))
        canvas.setFillColorRGB(0.12, 0.16, 0.2)
        canvas.setFont(font, size)
        canvas.drawCentredString(cx, y(top), text)


def render(
    posters: Iterable[PosterData],
    *,
    layout: str = "a5",
    title: str = "",
    painter: QrPainter = paint_vector_qr,
    progress: Callable[[int], None] | None = None,
    design: PosterLayout = POSTER,
) -> bytes:
    """One PDF: an A5 page per poster, or two A5 posters side by side on A4."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}")
    register_fonts()
    out = io.BytesIO()
    pagesize = A5 if layout == "a5" else landscape(A4)
    # The initial font is ours too, so no unembedded Helvetica is ever referenced.
    # The stubs type initialFontName as a number; reportlab takes a font's name.
    canvas = Canvas(out, pagesize=pagesize, pageCompression=1, initialFontName=REGULAR, initialFontSize=10)  # type: ignore[arg-type]
    canvas.setTitle(title or _("Áp phích mã QR thanh toán"))
    canvas.setAuthor("Chợ 4.0")
    canvas.setCreator("Chợ 4.0")
    page_h = pagesize[1]
    per_page = 1 if layout == "a5" else 2
    # Centre the two A5 halves on the A4 sheet; the cut line is the middle.
    slot_offset = (pagesize[0] / per_page - A5_W_MM * mm) / 2
    done = 0
    on_page = 0
    for data in posters:
        x0 = on_page * pagesize[0] / per_page + slot_offset
        _draw_poster(canvas, data, x0, design, painter, page_h)
        on_page += 1
        done += 1
        if on_page == per_page:
            _finish_page(canvas, pagesize, per_page)
            on_page = 0
        if progress is not None:
            progress(done)
    if on_page or done == 0:
        _finish_page(canvas, pagesize, per_page)
    canvas.save()
    return out.getvalue()


def _finish_page(canvas: Canvas, pagesize: tuple[float, float], per_page: int) -> None:
    if per_page == 2:
        canvas.setStrokeColorRGB(0.75, 0.75, 0.75)
        canvas.setLineWidth(0.3)
        canvas.setDash(3, 3)
        canvas.line(pagesize[0] / 2, 0, pagesize[0] / 2, pagesize[1])
        canvas.setDash()
    canvas.showPage()
