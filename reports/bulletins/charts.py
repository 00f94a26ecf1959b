"""Charts drawn on the server as SVG, for the bulletin PDF (no JavaScript there).

Small and deliberate: horizontal bars for rankings by town, vertical grouped bars for
comparisons, lines for 12-month trends. Colours follow the dashboard's Chart.js charts
(static/js/dashboard.js: RED for the first figure, BLUE for the second, the same figure in the
same colour on both); axes tick on round numbers, whole ones for counts. Text carries its
own font-family because text in inline SVG does not inherit the page's font in WeasyPrint.
"""

import math
from collections.abc import Sequence
from decimal import Decimal
from html import escape

FONT = "Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif"
RED, BLUE, YELLOW = "#b3261e", "#1f6feb", "#d4a72c"
PALETTE = (RED, BLUE, YELLOW, "#2da44e", "#8250df", "#57606a")
Number = int | float | Decimal
MAX_TICKS = 5


def ticks(value: float, whole: bool = False) -> list[float]:
    """Axis ticks from 0 to a round maximum at or above `value`, on a round step (1, 2 or 5
    × 10^n) with at most MAX_TICKS intervals; `whole` (counts) keeps the step at least 1."""
    value = max(float(value), 1.0 if whole else 0.0)
    if value <= 0:
        return [0.0, 1.0]
    step = 10.0 ** math.floor(math.log10(value / MAX_TICKS))
    for factor in (1, 2, 5, 10):
        if value / (step * factor) <= MAX_TICKS:
            step *= factor
            break
    if whole:
        step = max(1.0, round(step))
    count = math.ceil(value / step - 1e-9)
    return [round(i * step, 10) for i in range(count + 1)]


def scale(series: Sequence[Sequence[Number | None]], top: float | None = None) -> list[float]:
    """The value axis of a chart of these series (None: a gap): `ticks` up to their largest
    value, or to `top` (100 for a rate); counts (all whole numbers) tick on whole steps.
    The PDF's SVG charts and the phone edition's Chart.js charts both draw this axis."""
    values = [v for vs in series for v in vs if v is not None]
    whole = all(isinstance(v, int) for v in values)
    return ticks(top if top is not None else max([float(v) for v in values] or [0]), whole)


def _fmt(value: Number, unit: str = "") -> str:
    value = float(value)
    if unit == "%":  # every percentage with one decimal, as in the tables
        return f"{value:,.1f}"
    return f"{value:,.0f}" if value == int(value) or abs(value) >= 100 else f"{value:,.1f}"


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-family="{FONT}" font-size="11" '
        f'role="img" aria-label="{escape(title)}">'
        f'<text x="{width / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">'
        f"{escape(title)}</text>{''.join(body)}</svg>"
    )


def _legend(names: Sequence[str], y: float, x0: float = 60,
            colours: Sequence[str] = PALETTE) -> list[str]:
    parts, x = [], x0
    for i, name in enumerate(names):
        parts.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" '
                     f'fill="{colours[i % len(colours)]}"/>')
        parts.append(f'<text x="{x + 14}" y="{y}">{escape(name)}</text>')
        x += 24 + 12 * len(name)
    return parts


def hbar_chart(
    labels: Sequence[str], values: Sequence[Number], *, title: str, unit: str = "",
    width: int = 640, bar: int = 16, colours: Sequence[str] = (RED,),
) -> str:
    """Horizontal bars, one per label, with the value printed at the end of each bar;
    `colours` in turn (one colour: every bar in it)."""
    left, top, right = 150, 28, 70
    height = top + len(labels) * (bar + 6) + 10
    top_value = scale([values])[-1]
    span = width - left - right
    body = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + i * (bar + 6)
        length = span * float(value) / top_value
        body.append(f'<text x="{left - 6}" y="{y + bar - 4}" text-anchor="end">'
                    f"{escape(label)}</text>")
        body.append(f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{bar}" '
                    f'fill="{colours[i % len(colours)]}"/>')
        body.append(f'<text x="{left + length + 4:.1f}" y="{y + bar - 4}">'
                    f"{_fmt(value, unit)}{escape(unit)}</text>")
    return _svg(width, height, body, title)


def bar_chart(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[Number]]], *, title: str,
    unit: str = "", width: int = 640, height: int = 240, colours: Sequence[str] = PALETTE,
) -> str:
    """Vertical bars grouped by label, one colour per series, with a legend."""
    left, top, bottom = 56, 30, 48
    plot_h = height - top - bottom
    axis = scale([vs for _, vs in series])
    top_value = axis[-1]
    group_w = (width - left - 10) / max(len(labels), 1)
    bar_w = min(28.0, group_w * 0.8 / max(len(series), 1))
    body = _axis(left, top, width, plot_h, axis, unit)
    for gi, label in enumerate(labels):
        gx = left + gi * group_w + (group_w - bar_w * len(series)) / 2
        for si, (_, values) in enumerate(series):
            h = plot_h * float(values[gi]) / top_value
            x = gx + si * bar_w
            body.append(f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 2:.1f}" '
                        f'height="{h:.1f}" fill="{colours[si % len(colours)]}"/>')
            body.append(f'<text x="{x + bar_w / 2 - 1:.1f}" y="{top + plot_h - h - 3:.1f}" '
                        f'text-anchor="middle" font-size="9">{_fmt(values[gi])}</text>')
        body.append(f'<text x="{left + gi * group_w + group_w / 2:.1f}" y="{top + plot_h + 14}" '
                    f'text-anchor="middle">{escape(label)}</text>')
    if len(series) > 1:
        body += _legend([name for name, _ in series], height - 8, colours=colours)
    return _svg(width, height, body, title)


def line_chart(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[Number | None]]], *,
    title: str, unit: str = "", width: int = 640, height: int = 220,
    colours: Sequence[str] = PALETTE, top: float | None = None,
) -> str:
    """Lines over time (e.g. twelve months), one colour per series, with a legend. A None
    value (a month not yet counted) leaves a gap; `top` fixes the axis (100 for a rate)."""
    plot_top, bottom = 30, 48
    left = 56
    plot_h = height - plot_top - bottom
    axis = scale([vs for _, vs in series], top)
    top_value = axis[-1]
    step = (width - left - 20) / max(len(labels) - 1, 1)
    body = _axis(left, plot_top, width, plot_h, axis, unit)
    for i, label in enumerate(labels):
        body.append(f'<text x="{left + i * step:.1f}" y="{plot_top + plot_h + 14}" '
                    f'text-anchor="middle" font-size="9">{escape(label)}</text>')
    for si, (_, values) in enumerate(series):
        colour = colours[si % len(colours)]
        runs: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(values):
            if v is None:
                runs.append([])
                continue
            runs[-1].append((left + i * step, plot_top + plot_h - plot_h * float(v) / top_value))
        for points in runs:
            if len(points) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
                body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                            f'stroke-width="2"/>')
            body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>'
                     for x, y in points]
    body += _legend([name for name, _ in series], height - 8, colours=colours)
    return _svg(width, height, body, title)


def _axis(left: float, top: float, width: float, plot_h: float, scale: list[float],
          unit: str) -> list[str]:
    parts = []
    for value in scale:
        y = top + plot_h - plot_h * value / scale[-1]
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#d0d7de" stroke-width="0.6"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="9">'
                     f"{_fmt(value)}{escape(unit)}</text>")
    return parts
