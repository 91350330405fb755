"""Geometry of the console's small charts, drawn as SVG by the templates (no chart library).

Server-side drawing keeps charts working without scripts, in print, and under a CSP that
allows no inline code: the template only writes numbers into SVG attributes and escaped labels
into <text> elements.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PALETTE = ("#c0392b", "#2471a3", "#d68910", "#229954", "#7d3c98", "#566573", "#ba4a00",
           "#17a589")


@dataclass
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    max_value: int
    label_width: int


def bar_chart(counts: dict[str, int], width: int = 640, row: int = 26,
              label_width: int = 190, keep_order: bool = False) -> BarChart:
    """Horizontal bars, largest first (or in the given order, for weeks): readable with long
    Chinese labels and on a phone."""
    items = list(counts.items())
    if not keep_order:
        items.sort(key=lambda kv: (-kv[1], kv[0]))
    peak = max((v for _, v in items), default=0) or 1
    usable = width - label_width - 60
    bars = [Bar(label=str(k), value=v, x=label_width, y=i * row + 4,
                width=max(1.0, usable * v / peak) if v else 0.0, height=row - 8)
            for i, (k, v) in enumerate(items)]
    return BarChart(width=width, height=max(row, len(items) * row + 8), bars=bars,
                    max_value=peak, label_width=label_width)


@dataclass
class Series:
    name: str
    color: str
    points: str                 # SVG polyline points "x,y x,y"
    total: int
    dots: list[tuple[float, float, int, str]] = field(default_factory=list)  # x, y, value, label


@dataclass
class LineChart:
    width: int
    height: int
    series: list[Series]
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, int]]
    left: int
    bottom: int


def line_chart(x_keys: list[str], series: dict[str, dict[str, int]], width: int = 720,
               height: int = 260) -> LineChart:
    """One polyline per series over the shared x keys (days or weeks)."""
    left, right, top, bottom = 40, 28, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((v for values in series.values() for v in values.values()), default=0) or 1
    step = plot_w / max(1, len(x_keys) - 1)

    def xy(i: int, v: int) -> tuple[float, float]:
        return round(left + i * step, 1), round(top + plot_h - plot_h * v / peak, 1)

    out = []
    for n, (name, values) in enumerate(series.items()):
        dots = []
        for i, key in enumerate(x_keys):
            x, y = xy(i, values.get(key, 0))
            dots.append((x, y, values.get(key, 0), key))
        out.append(Series(name=name, color=PALETTE[n % len(PALETTE)],
                          points=" ".join(f"{x},{y}" for x, y, _, _ in dots),
                          total=sum(values.get(k, 0) for k in x_keys), dots=dots))
    every = max(1, len(x_keys) // 8)
    x_labels = [(xy(i, 0)[0], key[5:] if len(key) == 10 else key)
                for i, key in enumerate(x_keys) if i % every == 0]
    ticks = sorted({0, peak // 2, peak})
    y_ticks = [(xy(0, t)[1], t) for t in ticks]
    return LineChart(width=width, height=height, series=out, x_labels=x_labels,
                     y_ticks=y_ticks, left=left, bottom=height - bottom)
