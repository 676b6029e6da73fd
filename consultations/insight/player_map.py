"""The map of the players drawn on the server as SVG (issue 18).

Influence runs up (1 at the bottom, 5 at the top), stance across: opposes,
neutral, supports in reading order, and unknown in a band of its own. A
marker's size is the player's interest. Shapes only, with CSS classes and
presentation attributes, so the strict CSP (no inline style, no script)
holds, as in charts.py: the geometry is computed left to right and
mirrored for Hebrew and Arabic.

A cell (one stance, one influence) shows up to CELL_SLOTS markers side by
side; a fuller cell shows the most interested players and one group marker
counting the rest, so that 300 players stay legible. The table beside the
chart lists every player.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from consultations.insight.charts import Label, Rect
from consultations.models import Player

WIDTH = 760
LEFT, RIGHT, TOP = 48.0, WIDTH - 8.0, 30.0
ROW_HEIGHT = 92.0
BAND_GAP = 12.0
CELL_PADDING = 14.0  # room for a region's hint at the top of a cell
CELL_SLOTS = 4  # two by two
LABEL_CHARS = 12
STANCES = [
    Player.Stance.OPPOSES,
    Player.Stance.NEUTRAL,
    Player.Stance.SUPPORTS,
    Player.Stance.UNKNOWN,
]
KEY_ROWS = (5, 4)


@dataclass(frozen=True)
class Point:
    """One player, as the chart needs it."""

    name: str
    stance: str
    influence: int
    interest: int
    key_without_step: bool = False


@dataclass(frozen=True)
class Circle:
    cx: float
    cy: float
    r: float
    css_class: str
    title: str
    text: str = ""  # drawn inside (a group's count)

    @property
    def text_y(self) -> float:
        return self.cy + 3.5


@dataclass(frozen=True)
class PlayerChart:
    width: int
    height: int
    rects: list[Rect] = field(default_factory=list)
    circles: list[Circle] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    shown: int = 0
    grouped: int = 0


def _short(name: str) -> str:
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"


def radius(interest: int) -> float:
    return 3.0 + 2.0 * interest


def _band_x(index: int, band_width: float) -> float:
    gap = BAND_GAP if index == 3 else 0.0
    return LEFT + index * band_width + gap


def _regions(band_width: float, bottom: float) -> tuple[list[Rect], list[Label]]:
    """The approaches as hints: in the top two rows (key players) work with
    supporters, win over the neutral, counter opponents; below, watch."""
    key_height = ROW_HEIGHT * len(KEY_ROWS)
    rects, labels = [], []
    for index, (css, hint) in enumerate(
        [
            ("zone-counter", _("Counter")),
            ("zone-win", _("Win over")),
            ("zone-work", _("Work with")),
        ]
    ):
        x = _band_x(index, band_width)
        rects.append(Rect(x, TOP, band_width, key_height, css))
        labels.append(Label(x + 4, TOP + 11, hint, "start", "chart-hint"))
    rects.append(
        Rect(
            LEFT,
            TOP + key_height,
            band_width * 3,
            bottom - TOP - key_height,
            "zone-watch",
        )
    )
    labels.append(
        Label(LEFT + 4, TOP + key_height + 11, _("Watch"), "start", "chart-hint")
    )
    x = _band_x(3, band_width)
    rects.append(Rect(x, TOP, band_width - BAND_GAP, bottom - TOP, "zone-unknown"))
    return rects, labels


def _describe(point: Point) -> str:
    return _("%(name)s: %(stance)s, influence %(influence)s, interest %(interest)s") % {
        "name": point.name,
        "stance": Player.Stance(point.stance).label,
        "influence": point.influence,
        "interest": point.interest,
    }


def _group_title(count: int) -> str:
    return ngettext(
        "One more player here; the table lists every player.",
        "%(count)s more players here; the table lists every player.",
        count,
    ) % {"count": count}


def _marker_class(point: Point) -> str:
    css = f"player player-{point.stance}"
    return f"{css} player-unplanned" if point.key_without_step else css


def player_chart(*, points: Sequence[Point], rtl: bool) -> PlayerChart:
    band_width = (RIGHT - LEFT - BAND_GAP) / 4
    bottom = TOP + ROW_HEIGHT * 5
    height = int(bottom + 46)
    rects, labels = _regions(band_width, bottom)
    for influence in range(1, 6):
        y = bottom - ROW_HEIGHT * influence
        rects.append(Rect(LEFT, y, RIGHT - LEFT, 0.75, "chart-grid"))
        labels.append(
            Label(LEFT - 8, y + ROW_HEIGHT / 2 + 4, str(influence), "end", "chart-tick")
        )
    labels.append(Label(LEFT - 8, TOP - 12, _("Influence"), "start", "chart-axis"))
    for index, stance in enumerate(STANCES):
        x = (
            _band_x(index, band_width)
            + (band_width - (BAND_GAP if index == 3 else 0)) / 2
        )
        labels.append(
            Label(x, bottom + 18, Player.Stance(stance).label, "middle", "chart-axis")
        )
    labels.append(
        Label(
            LEFT + band_width * 1.5,
            bottom + 38,
            _("Stance on the goal"),
            "middle",
            "chart-tick",
        )
    )

    cells: dict[tuple[str, int], list[Point]] = {}
    for point in points:
        cells.setdefault((point.stance, point.influence), []).append(point)
    circles, shown, grouped = [], 0, 0
    slot_width = band_width / 2
    slot_height = (ROW_HEIGHT - CELL_PADDING) / 2
    for (stance, influence), members in cells.items():
        members.sort(key=lambda p: (-p.interest, p.name))
        if len(members) > CELL_SLOTS:
            visible, rest = members[: CELL_SLOTS - 1], members[CELL_SLOTS - 1 :]
        else:
            visible, rest = members, []
        cell_x = _band_x(STANCES.index(stance), band_width)
        cell_y = bottom - ROW_HEIGHT * influence + CELL_PADDING
        for slot, point in enumerate([*visible, *([None] if rest else [])]):
            x = cell_x + slot_width * (slot % 2) + slot_width / 2
            y = cell_y + slot_height * (slot // 2)
            if point is None:
                unplanned = any(p.key_without_step for p in rest)
                circles.append(
                    Circle(
                        x,
                        y + 13,
                        13,
                        "player player-group"
                        + (" player-unplanned" if unplanned else ""),
                        _group_title(len(rest)),
                        f"+{len(rest)}",
                    )
                )
                labels.append(
                    Label(
                        x,
                        y + 36,
                        ngettext("one more", "%(count)s more", len(rest))
                        % {"count": len(rest)},
                        "middle",
                        "chart-label",
                    )
                )
                grouped += len(rest)
                continue
            circles.append(
                Circle(
                    x,
                    y + 13,
                    radius(point.interest),
                    _marker_class(point),
                    _describe(point),
                )
            )
            labels.append(Label(x, y + 36, _short(point.name), "middle", "chart-label"))
            shown += 1
    chart = PlayerChart(
        width=WIDTH,
        height=height,
        rects=rects,
        circles=circles,
        labels=labels,
        shown=shown,
        grouped=grouped,
    )
    return _mirror(chart) if rtl else chart


def _mirror(chart: PlayerChart) -> PlayerChart:
    width = chart.width
    return replace(
        chart,
        rects=[replace(rect, x=width - rect.x - rect.width) for rect in chart.rects],
        circles=[replace(circle, cx=width - circle.cx) for circle in chart.circles],
        labels=[replace(label, x=width - label.x) for label in chart.labels],
    )
