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

from reports.bulletins.charts import PALETTE

Number = int | float | Decimal


def _number(value: Number) -> float | int:
    return value if isinstance(value, int) else float(value)


def _canvas(kind: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[Number]]],
            title: str, unit: str) -> str:
    spec = {
        "kind": kind, "title": title, "unit": unit, "labels": [str(x) for x in labels],
        "series": [
            {"name": str(name), "values": [_number(v) for v in values],
             "colour": PALETTE[i % len(PALETTE)]}
            for i, (name, values) in enumerate(series)
        ],
    }
    return (
        f'<figure class="web-chart">'
        f'<canvas role="img" aria-label="{escape(title)}" '
        f'data-chart="{escape(json.dumps(spec, ensure_ascii=False))}"></canvas></figure>'
    )


def hbar_chart(labels: Sequence[str], values: Sequence[Number], *, title: str,
               unit: str = "", **_layout: Any) -> str:
    return _canvas("hbar", labels, [(title, values)], title, unit)


def bar_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[Number]]], *,
              title: str, unit: str = "", **_layout: Any) -> str:
    return _canvas("bar", labels, series, title, unit)


def line_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[Number]]], *,
               title: str, unit: str = "", **_layout: Any) -> str:
    return _canvas("line", labels, series, title, unit)
