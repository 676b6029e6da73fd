"""Chart geometry: round axis steps, stacked columns, capacity markers, and
the mirror image for right-to-left languages."""

import pytest

from consultations.insight.charts import (
    WIDTH,
    Category,
    axis_step,
    bar_chart,
    column_chart,
    nice_ceiling,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 1), (0.3, 0.5), (1, 1), (3, 5), (7, 10), (12, 20), (24, 25), (75, 100)],
)
def test_nice_ceiling_is_the_next_round_number(value, expected):
    """1, 2, 2.5 or 5 times a power of ten, at or above the value."""
    assert nice_ceiling(value) == expected


@pytest.mark.parametrize(
    ("largest", "step"), [(0, 1), (3, 1), (5, 2), (18, 5), (100, 25), (140, 50)]
)
def test_axis_steps_are_round_and_reach_the_largest_value(largest, step):
    """Four steps of a round size reach the largest value: whole numbers
    for small counts, quarters of a hundred for percentages."""
    assert axis_step(largest) == step
    assert 4 * step >= largest


def test_columns_stack_series_and_mirror_right_to_left():
    """Two series stack in one column; in right-to-left the first month
    stands where the last one stood in left-to-right."""
    categories = [Category("Jan", "2026"), Category("Feb")]
    series = [("A", [2, 0]), ("B", [1, 3])]

    ltr = column_chart(categories=categories, series=series, rtl=False)
    rtl = column_chart(categories=categories, series=series, rtl=True)

    bars = [rect for rect in ltr.rects if rect.css_class.startswith("series-")]
    assert [rect.css_class for rect in bars] == ["series-0", "series-1", "series-1"]
    january_a, january_b, february_b = bars
    assert january_a.y == pytest.approx(january_b.y + january_b.height)
    assert january_a.x < february_b.x
    mirrored = [rect for rect in rtl.rects if rect.css_class.startswith("series-")]
    assert mirrored[0].x == pytest.approx(WIDTH - january_a.x - january_a.width)
    assert mirrored[0].x > mirrored[2].x
    assert [entry.label for entry in rtl.legend] == ["A", "B"]


def test_bars_mark_capacity_and_scale_to_the_larger_of_load_and_capacity():
    """An advisor holding 6 with a capacity of 4 shows a bar past the mark."""
    chart = bar_chart(
        rows=["Yael", "Omar"],
        series=[("Load", [6, 1])],
        markers=[4, 5],
        marker_label="Capacity",
        rtl=False,
    )

    bars = [rect for rect in chart.rects if rect.css_class == "series-0"]
    marks = [rect for rect in chart.rects if rect.css_class == "chart-marker"]
    assert len(bars) == 2 and len(marks) == 2
    assert bars[0].x + bars[0].width > marks[0].x
    assert bars[1].x + bars[1].width < marks[1].x
    assert [entry.css_class for entry in chart.legend] == ["series-0", "chart-marker"]
