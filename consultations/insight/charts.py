"""Charts drawn on the server as SVG shapes, for the staff dashboard.

Each function returns the geometry of one chart (rectangles, lines and
labels); the template `workspace/dashboard_chart.html` writes it out with
presentation attributes and CSS classes only, so the strict CSP (no inline
style, no script) has nothing to block. Geometry is computed left to right
and mirrored for Hebrew and Arabic, where time runs from right to left;
text anchors stay as they are, because the page's direction already swaps
what "start" and "end" mean.

Every chart repeats figures that a table on the page also gives: the chart
is a picture for the eye, the table is the text alternative.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

WIDTH = 640
SERIES_CLASSES = 8  # dashboard.css defines .series-0 … .series-7


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    css_class: str


@dataclass(frozen=True)
class Line:
    points: tuple[tuple[float, float], ...]
    css_class: str

    @property
    def points_attr(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.points)


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "middle"  # "start", "middle" or "end"
    css_class: str = "chart-label"


@dataclass(frozen=True)
class LegendEntry:
    label: str
    css_class: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    rects: list[Rect] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    legend: list[LegendEntry] = field(default_factory=list)


@dataclass(frozen=True)
class Category:
    """An axis category: its label, and an optional second line (the year
    under a month)."""

    label: str
    sublabel: str = ""


def series_class(index: int) -> str:
    return f"series-{index % SERIES_CLASSES}"


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above `value` (1 for 0)."""
    if value <= 0:
        return 1
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value - 1e-9:
            return candidate
    return 10 ** (exponent + 1)


def _format_tick(value: float) -> str:
    return f"{value:g}"


def _mirror(chart: Chart) -> Chart:
    """Right to left: flip every x coordinate across the chart's width."""
    width = chart.width
    return replace(
        chart,
        rects=[replace(rect, x=width - rect.x - rect.width) for rect in chart.rects],
        lines=[
            replace(line, points=tuple((width - x, y) for x, y in line.points))
            for line in chart.lines
        ],
        labels=[replace(label, x=width - label.x) for label in chart.labels],
    )


def axis_step(max_value: float) -> float:
    """A round step such that four steps reach `max_value` (1 when empty)."""
    return nice_ceiling(max_value / 4) if max_value > 0 else 1


def _value_axis(
    *, max_value: float, left: float, right: float, top: float, bottom: float
) -> tuple[list[Rect], list[Label], float]:
    """Four round steps of grid lines with their values; returns the top."""
    step_size = axis_step(max_value)
    ceiling = step_size * 4
    rects, labels = [], []
    for step in range(5):
        value = step_size * step
        y = bottom - (bottom - top) * step / 4
        rects.append(Rect(left, y, right - left, 0.75, "chart-grid"))
        labels.append(Label(left - 6, y + 4, _format_tick(value), "end", "chart-tick"))
    return rects, labels, ceiling


def _category_labels(categories: Sequence[Category], *, x_of, y: float) -> list[Label]:
    """Every category's label when they fit, else every second or third."""
    step = max(1, math.ceil(len(categories) / 12))
    labels = []
    for index, category in enumerate(categories):
        x = x_of(index)
        if index % step == 0:
            labels.append(Label(x, y, category.label, "middle", "chart-tick"))
        if category.sublabel:
            labels.append(Label(x, y + 14, category.sublabel, "middle", "chart-tick"))
    return labels


def column_chart(
    *,
    categories: Sequence[Category],
    series: Sequence[tuple[str, Sequence[float]]],
    rtl: bool,
    height: int = 260,
) -> Chart:
    """Stacked columns, one per category (a month), one colour per series."""
    left, right, top, bottom = 48.0, WIDTH - 12.0, 12.0, height - 40.0
    totals = [
        sum(values[index] or 0 for _, values in series)
        for index in range(len(categories))
    ]
    grid, ticks, ceiling = _value_axis(
        max_value=max(totals, default=0), left=left, right=right, top=top, bottom=bottom
    )
    slot = (right - left) / max(len(categories), 1)
    bar_width = slot * 0.7
    rects = list(grid)
    for index in range(len(categories)):
        base = bottom
        for number, (_, values) in enumerate(series):
            value = values[index] or 0
            if not value:
                continue
            bar_height = (bottom - top) * value / ceiling
            base -= bar_height
            rects.append(
                Rect(
                    left + slot * index + (slot - bar_width) / 2,
                    base,
                    bar_width,
                    bar_height,
                    series_class(number),
                )
            )
    labels = ticks + _category_labels(
        categories, x_of=lambda index: left + slot * (index + 0.5), y=bottom + 16
    )
    chart = Chart(
        width=WIDTH,
        height=height,
        rects=rects,
        labels=labels,
        legend=[
            LegendEntry(name, series_class(number))
            for number, (name, _) in enumerate(series)
        ],
    )
    return _mirror(chart) if rtl else chart


def line_chart(
    *,
    categories: Sequence[Category],
    series: Sequence[tuple[str, Sequence[float | None]]],
    rtl: bool,
    height: int = 260,
) -> Chart:
    """One line per series across the categories; a missing value breaks
    the line, and a lone point shows as a small square."""
    left, right, top, bottom = 48.0, WIDTH - 12.0, 12.0, height - 40.0
    values = [value for _, row in series for value in row if value is not None]
    grid, ticks, ceiling = _value_axis(
        max_value=max(values, default=0), left=left, right=right, top=top, bottom=bottom
    )
    slot = (right - left) / max(len(categories), 1)
    rects, lines = list(grid), []
    for number, (_, row) in enumerate(series):
        segment: list[tuple[float, float]] = []
        for index, value in enumerate([*row, None]):
            if value is None:
                if len(segment) > 1:
                    lines.append(Line(tuple(segment), f"line {series_class(number)}"))
                segment = []
                continue
            x = left + slot * (index + 0.5)
            y = bottom - (bottom - top) * value / ceiling
            segment.append((x, y))
            rects.append(Rect(x - 3, y - 3, 6, 6, series_class(number)))
    labels = ticks + _category_labels(
        categories, x_of=lambda index: left + slot * (index + 0.5), y=bottom + 16
    )
    chart = Chart(
        width=WIDTH,
        height=height,
        rects=rects,
        lines=lines,
        labels=labels,
        legend=[
            LegendEntry(name, series_class(number))
            for number, (name, _) in enumerate(series)
        ],
    )
    return _mirror(chart) if rtl else chart


def bar_chart(
    *,
    rows: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    rtl: bool,
    max_value: float | None = None,
    markers: Sequence[float | None] | None = None,
    marker_label: str = "",
) -> Chart:
    """Horizontal stacked bars, one per row, labelled on the starting side.

    `markers` draws a tick on each bar (an advisor's capacity, say), named
    in the legend by `marker_label`.
    """
    row_height, gap = 22.0, 8.0
    left, right, top = 190.0, WIDTH - 40.0, 8.0
    height = int(top + len(rows) * (row_height + gap) + 8)
    totals = [
        sum(values[index] or 0 for _, values in series) for index in range(len(rows))
    ]
    candidates = [*totals, *(marker or 0 for marker in markers or [])]
    ceiling = max_value or nice_ceiling(max(candidates, default=0))
    scale = (right - left) / ceiling
    rects, labels = [], []
    for index, name in enumerate(rows):
        y = top + index * (row_height + gap)
        labels.append(Label(left - 8, y + row_height / 2 + 4, name, "end"))
        start = left
        for number, (_, values) in enumerate(series):
            value = values[index] or 0
            if value:
                rects.append(
                    Rect(start, y, value * scale, row_height, series_class(number))
                )
                start += value * scale
        labels.append(
            Label(
                start + 6,
                y + row_height / 2 + 4,
                _format_tick(round(totals[index], 1)),
                "start",
                "chart-value",
            )
        )
        if markers and markers[index] is not None:
            x = left + markers[index] * scale
            rects.append(Rect(x - 1.5, y - 3, 3, row_height + 6, "chart-marker"))
    legend = [
        LegendEntry(name, series_class(number))
        for number, (name, _) in enumerate(series)
    ]
    if markers:
        legend.append(LegendEntry(marker_label, "chart-marker"))
    chart = Chart(width=WIDTH, height=height, rects=rects, labels=labels, legend=legend)
    return _mirror(chart) if rtl else chart
