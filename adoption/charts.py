"""Charts drawn on the server as inline SVG: no script, no CDN, and they
scale to the width of a phone (viewBox, width 100%)."""

from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from adoption.formatting import format_percent

GREEN, AMBER, GREY, BLUE, RUST = "#0b6e4f", "#d97706", "#9aa5b1", "#1d4ed8", "#c2410c"
PARTNER_COLOURS = {"vnpt": GREEN, "viettel": RUST, "mobifone": BLUE}


@dataclass(frozen=True)
class Series:
    label: str
    colour: str
    values: list[int | None]  # permille


def _top(values: list[int | None]) -> int:
    """The axis top in permille: a round number above the highest value."""
    highest = max((v for v in values if v is not None), default=0)
    for top in (100, 200, 500, 1000):
        if highest <= top:
            return top
    return (highest // 100 + 1) * 100


def line_chart(series: list[Series], labels: list[str], *, title: str) -> SafeString:
    width, height, left, bottom, top_pad = 320, 170, 34, 22, 10
    plot_w, plot_h = width - left - 8, height - bottom - top_pad
    top = _top([v for s in series for v in s.values])
    n = max(len(labels) - 1, 1)

    def xy(index: int, value: int) -> tuple[float, float]:
        return left + plot_w * index / n, top_pad + plot_h * (1 - value / top)

    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">']
    for step in range(5):
        value = top * step // 4
        _x, y = xy(0, value)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 8}" y2="{y:.1f}" class="grid"/>')
        parts.append(
            f'<text x="{left - 3}" y="{y + 3:.1f}" class="axis" text-anchor="end">{format_percent(value)}</text>'
        )
    for index, label in enumerate(labels):
        if (len(labels) - 1 - index) % 2 == 0:  # every other week, ending on the last
            x, _y = xy(index, 0)
            anchor = "end" if index == len(labels) - 1 else "middle"  # the last one stays inside
            parts.append(
                f'<text x="{x:.1f}" y="{height - 6}" class="axis" text-anchor="{anchor}">{escape(label)}</text>'
            )
    for s in series:
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in enumerate(s.values) if v is not None))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{s.colour}" stroke-width="2.5"/>')
        last = [(i, v) for i, v in enumerate(s.values) if v is not None][-1:]
        for i, v in last:
            x, y = xy(i, v)
            parts.append(
                format_html(
                    '<circle cx="{}" cy="{}" r="3" fill="{}"><title>{}: {}</title></circle>',
                    f"{x:.1f}",
                    f"{y:.1f}",
                    s.colour,
                    s.label,
                    format_percent(v),
                )
            )
    parts.append("</svg>")
    # Every text above is escaped or a number.
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308, B703


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None  # permille
    highlight: bool
    href: str = ""


def bar_chart(bars: list[Bar], *, title: str) -> SafeString:
    """One thin bar per market, tallest first; pilot markets highlighted."""
    width, height, left, bottom = 330, 150, 34, 8
    plot_w, plot_h = width - left - 4, height - bottom - 10
    top = _top([b.value for b in bars])
    slot = plot_w / max(len(bars), 1)
    # Bars that link to their market are controls, which an image may not hold.
    role = "group" if any(bar.href for bar in bars) else "img"
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="{role}" aria-label="{escape(title)}">']
    for step in range(5):
        value = top * step // 4
        y = 10 + plot_h * (1 - value / top)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 4}" y2="{y:.1f}" class="grid"/>')
        parts.append(
            f'<text x="{left - 3}" y="{y + 3:.1f}" class="axis" text-anchor="end">{format_percent(value)}</text>'
        )
    for index, bar in enumerate(bars):
        value = bar.value or 0
        h = plot_h * value / top
        x = left + index * slot + slot * 0.15
        # Plain formatting: only the label and the link are text (escaped);
        # format_html on 109 bars costs more than the rest of the chart.
        rect = (
            f'<rect x="{x:.2f}" y="{10 + plot_h - h:.2f}" width="{max(slot * 0.7, 0.6):.2f}" '
            f'height="{max(h, 0.5):.2f}" fill="{GREEN if bar.highlight else GREY}">'
            f"<title>{escape(bar.label)}: {format_percent(bar.value)}</title></rect>"
        )
        parts.append(
            f'<a href="{escape(bar.href)}" aria-label="{escape(bar.label)}: {format_percent(bar.value)}">{rect}</a>'
            if bar.href
            else rect
        )
    parts.append("</svg>")
    # Every text above is escaped or a number.
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308, B703


@dataclass(frozen=True)
class Share:
    label: str
    colour: str
    permille: int | None


def share_bar(shares: list[Share], *, title: str) -> SafeString:
    """A 100% stacked bar (partner shares)."""
    parts = [f'<svg class="chart share" viewBox="0 0 300 24" role="img" aria-label="{escape(title)}">']
    x = 0.0
    for share in shares:
        w = 300 * (share.permille or 0) / 1000
        if w <= 0:
            continue
        parts.append(
            format_html(
                '<rect x="{}" y="0" width="{}" height="24" fill="{}"><title>{}: {}</title></rect>',
                f"{x:.2f}",
                f"{w:.2f}",
                share.colour,
                share.label,
                format_percent(share.permille),
            )
        )
        x += w
    if x == 0:
        parts.append('<rect x="0" y="0" width="300" height="24" fill="#e4e7eb"/>')
    parts.append("</svg>")
    # Every text above is escaped or a number.
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308, B703
