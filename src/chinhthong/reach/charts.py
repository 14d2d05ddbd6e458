"""Charts as SVG drawn on the server: no script, no CDN, nothing the Content-Security-Policy
has to allow. Every text is escaped (unit names come from rosters); colours are presentation
attributes. Each chart is an image with a text alternative, and the page shows the same
numbers in a table beside it.
"""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
BAR_ROW = 34  # height of one labelled bar
LABEL_GAP = 14
BAR_HEIGHT = 14
INK = "#1b1f24"
BAR = "#a4161a"
TRACK = "#eceff1"
COLUMN = "#0b5cad"


def _svg(height: int, label: str, body: SafeString) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" role="img" '
        'aria-label="{}" font-family="sans-serif" font-size="13" class="chart">{}</svg>',
        WIDTH,
        height,
        label,
        body,
    )


def bar_chart(label: str, bars: list[tuple[str, float | None]]) -> SafeString:
    """Horizontal bars, one per (name, share between 0 and 1; None: nothing to show)."""
    value_room = 64
    parts = []
    for index, (name, value) in enumerate(bars):
        top = index * BAR_ROW
        bar_top = top + LABEL_GAP + 2
        full = WIDTH - value_room
        length = round(full * max(0.0, min(value, 1.0))) if value is not None else 0
        shown = f"{value * 100:.0f} %" if value is not None else "—"
        parts.append(
            format_html(
                '<text x="0" y="{}" fill="{}">{}</text>'
                '<rect x="0" y="{}" width="{}" height="{}" fill="{}"/>'
                '<rect x="0" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}" fill="{}" text-anchor="end">{}</text>',
                top + 12,
                INK,
                _short(name),
                bar_top,
                full,
                BAR_HEIGHT,
                TRACK,
                bar_top,
                length,
                BAR_HEIGHT,
                BAR,
                WIDTH,
                bar_top + 12,
                INK,
                shown,
            )
        )
    body = mark_safe("".join(parts))  # noqa: S308 (every part made by format_html)
    return _svg(max(len(bars), 1) * BAR_ROW, label, body)


def column_chart(label: str, columns: list[tuple[str, int]], *, every: int = 7) -> SafeString:
    """Vertical columns over time, one per (day label, count); a label under every ``every``th
    column and the largest value at the top of the scale."""
    height, axis, top_room = 180, 22, 18
    top = max((value for _day, value in columns), default=0)
    room = height - axis - top_room
    step = WIDTH / max(len(columns), 1)
    parts = [
        format_html(
            '<text x="0" y="12" fill="{}">{}</text>'
            '<line x1="0" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
            INK,
            f"{top:,}".replace(",", "."),
            height - axis,
            WIDTH,
            height - axis,
            INK,
        )
    ]
    for index, (day, value) in enumerate(columns):
        size = round(room * value / top) if top else 0
        x = index * step
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>',
                _num(x + 1),
                height - axis - size,
                _num(max(step - 2, 1)),
                size,
                COLUMN,
                day,
                value,
            )
        )
        if index % every == 0 and x + 40 <= WIDTH:  # a label that fits
            parts.append(
                format_html(
                    '<text x="{}" y="{}" fill="{}">{}</text>', _num(x), height - 6, INK, day
                )
            )
    return _svg(height, label, format_html_join("", "{}", ((p,) for p in parts)))


def _num(value: float) -> str:
    return f"{value:.1f}"


def _short(name: str, limit: int = 70) -> str:
    """A name that fits on the chart's line (the table beside it has it whole)."""
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"
