"""The map of the players' chart (issue 18): where markers go, how a
crowded spot is grouped, and the mirror for right-to-left pages."""

from django.utils import translation

from consultations.insight.player_map import (
    CELL_SLOTS,
    WIDTH,
    Point,
    player_chart,
    radius,
)


def test_influence_goes_up_and_stance_across_in_reading_order():
    chart = player_chart(
        points=[
            Point("opponent", "opposes", 5, 3),
            Point("supporter", "supports", 1, 3),
        ],
        rtl=False,
    )
    opponent, supporter = chart.circles
    assert opponent.cy < supporter.cy  # influence 5 above influence 1
    assert opponent.cx < supporter.cx  # opposes first, left to right


def test_right_to_left_mirrors_every_shape():
    points = [Point("a", "opposes", 5, 3), Point("b", "unknown", 2, 1)]
    ltr = player_chart(points=points, rtl=False)
    rtl = player_chart(points=points, rtl=True)
    for left, right in zip(ltr.circles, rtl.circles, strict=True):
        assert right.cx == WIDTH - left.cx
        assert right.cy == left.cy
    assert rtl.circles[0].cx > rtl.circles[1].cx  # opposes on the right


def test_interest_sets_the_marker_size():
    chart = player_chart(
        points=[Point("quiet", "neutral", 3, 1), Point("loud", "neutral", 3, 5)],
        rtl=False,
    )
    sizes = {circle.title.split(":")[0]: circle.r for circle in chart.circles}
    assert sizes == {"quiet": radius(1), "loud": radius(5)}


def test_a_crowded_spot_shows_the_most_interested_and_counts_the_rest():
    points = [Point(f"p{n}", "supports", 4, 1 + n % 5) for n in range(40)]
    with translation.override("en"):
        chart = player_chart(points=points, rtl=False)
    assert len(chart.circles) == CELL_SLOTS
    group = chart.circles[-1]
    assert group.text == "+37"
    assert "37 more players" in group.title
    assert chart.shown == 3 and chart.grouped == 37
    assert all(circle.r == radius(5) for circle in chart.circles[:3])


def test_a_key_player_with_no_step_is_ringed_even_inside_a_group():
    points = [Point(f"p{n}", "opposes", 5, 5) for n in range(5)]
    points.append(Point("forgotten", "opposes", 5, 1, key_without_step=True))
    chart = player_chart(points=points, rtl=False)
    assert "player-unplanned" in chart.circles[-1].css_class


def test_long_names_are_shortened_in_the_chart_only():
    name = "הוועדה לתכנון ולבנייה של המועצה האזורית"
    chart = player_chart(points=[Point(name, "neutral", 2, 2)], rtl=True)
    labels = [label.text for label in chart.labels if label.css_class == "chart-label"]
    assert labels == [name[:11] + "…"]
    assert chart.circles[0].title.startswith(name)
