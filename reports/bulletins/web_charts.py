"""The bulletin's charts for the phone edition: Chart.js canvases instead of server SVG.

Each function takes what its namesake in `charts` takes, so `bulletin_charts(data,
draw=web_charts)` gives the phone edition the same charts, from the same figures, as the
PDF. A canvas carries its chart as JSON in `data-chart`; static/js/bulletin_edition.js
draws it with the Chart.js vendored in static/.
"""

import json
from collections.abc import Sequence
from decimal import Decimal
from html import escape
from typing import Any

from reports.bulletins.charts import PALETTE, RED, scale

Number = int | float | Decimal


def _number(value: Number | None) -> float | int | None:
    # None is a month with no figure: Chart.js leaves a gap, as the PDF's line does.
    return value if value is None or isinstance(value, int) else float(value)


def _axis(series: Sequence[tuple[str, Sequence[Number | None]]],
          top: float | None) -> dict[str, float]:
    """The value axis the PDF's chart draws (`charts.scale`): its round maximum and step."""
    ticks = scale([values for _, values in series], top)
    return {"max": ticks[-1], "step": ticks[1] - ticks[0]}


def _canvas(kind: str, labels: Sequence[str],
            series: Sequence[tuple[str, Sequence[Number | None]]], title: str, unit: str,
            colours: Sequence[str] = PALETTE, top: float | None = None) -> str:
    spec = {
        "kind": kind, "title": title, "unit": unit, "labels": [str(x) for x in labels],
        "axis": _axis(series, top),
        "series": [
            {"name": str(name), "values": [_number(v) for v in values],
             "colour": colours[i % len(colours)]}
            for i, (name, values) in enumerate(series)
        ],
    }
    return (
        f'<figure class="web-chart">'
        f'<canvas role="img" aria-label="{escape(title)}" '
        f'data-chart="{escape(json.dumps(spec, ensure_ascii=False))}"></canvas></figure>'
    )


def hbar_chart(labels: Sequence[str], values: Sequence[Number], *, title: str,
               unit: str = "", colours: Sequence[str] = (RED,), **_layout: Any) -> str:
    return _canvas("hbar", labels, [(title, values)], title, unit, colours)


def bar_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[Number]]], *,
              title: str, unit: str = "", colours: Sequence[str] = PALETTE,
              **_layout: Any) -> str:
    return _canvas("bar", labels, series, title, unit, colours)


def line_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[Number | None]]],
               *, title: str, unit: str = "", colours: Sequence[str] = PALETTE,
               top: float | None = None, **_layout: Any) -> str:
    return _canvas("line", labels, series, title, unit, colours, top)
