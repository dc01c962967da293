"""Charts drawn on the server: no script, no CDN. Lines and shares are
inline SVG that scale to the width of a phone (viewBox, width 100%); the
per-market ranking is HTML, so its hundred labels stay text at any width."""

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


@dataclass(frozen=True)
class RankedBar:
    bar: Bar
    value_text: str
    width: str  # of the track, as a CSS percentage


@dataclass(frozen=True)
class RankedBars:
    """One labelled bar per market, as HTML rather than SVG: a hundred names
    and values must stay readable text at any width, with no hovering."""

    bars: list[RankedBar]
    target_text: str
    target_left: str  # where the target line crosses the track, CSS percentage
    top_text: str  # the value at the track's right end


def ranked_bars(bars: list[Bar], *, target: int) -> RankedBars:
    """Bars sorted highest first (ties keep their order), on a scale that
    runs a tenth of a percent point past the higher of the best value and
    the target, so the target line always sits inside the track."""
    ordered = sorted(bars, key=lambda b: -(b.value or 0))
    highest = max([b.value or 0 for b in bars] + [target])
    top = (highest // 100 + 1) * 100

    def share(value: int) -> str:
        return f"{value * 100 / top:.2f}%"

    return RankedBars(
        [RankedBar(b, format_percent(b.value), share(b.value or 0)) for b in ordered],
        format_percent(target),
        share(target),
        format_percent(top),
    )


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
