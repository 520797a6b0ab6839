"""Catalog location rules evaluated on the body model: located points or reasons they are not."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from finder.body.anatomy import AnatomicalLandmark, Anatomy
from finder.body.catalog import LocationRule, Point
from finder.body.landmarks import SIDES
from finder.body.model import load_cun_rule
from finder.body.result import LocatedPoint, Omission, chance_within
from finder.body.view import Facing

VIEW_REASONS = {
    "front": "front-of-body point: not visible from behind",
    "back": "back-of-body point: not visible from the front",
    "hand": "needs a close view of the back of the hand",
}
OUTSIDE_PICTURE = "the point falls outside the picture: include more of the body in the photo"


def point_sides(point: Point) -> tuple[str, ...]:
    return SIDES if point.bilateral else ("midline",)


def locate_points(
    anatomy: Anatomy,
    facing: Facing,
    points: Iterable[Point],
    image_size: tuple[int, int] | None = None,
) -> tuple[list[LocatedPoint], list[Omission]]:
    """Place each point on each of its sides, or say why not (pure function); with
    `image_size` (width, height in px) a point that falls outside the picture is omitted."""
    placing = _Placing(anatomy)
    seen_from = facing.value
    outcomes: list[LocatedPoint | Omission | None] = []  # None: placed below, in this order
    placed: list[tuple] = []  # the rule's numbers and its landmarks, of each point placed
    for point in points:
        rule = point.rule
        placeable = seen_from in point.views and rule is not None
        for side in point_sides(point):
            if not placeable:
                outcomes.append(Omission(point.code, side, VIEW_REASONS[point.views[0]]))
                continue
            anchors = placing.anchors(rule, side)
            if isinstance(anchors, str):
                outcomes.append(Omission(point.code, side, anchors))
                continue
            outcomes.append(None)
            placed.append((point.code, side, rule, *anchors))
    located = iter(placing.place(placed, load_cun_rule().good_enough_cun))
    for index, outcome in enumerate(outcomes):
        if outcome is None:
            outcome = next(located)
            if not _inside(outcome.xy, image_size):
                outcome = Omission(outcome.code, outcome.side, OUTSIDE_PICTURE)
            outcomes[index] = outcome
    located_points = [o for o in outcomes if isinstance(o, LocatedPoint)]
    return located_points, [o for o in outcomes if not isinstance(o, LocatedPoint)]


def _inside(xy: tuple[float, float], image_size: tuple[int, int] | None) -> bool:
    if image_size is None:
        return True
    width, height = image_size
    return 0 <= xy[0] < width and 0 <= xy[1] < height


def _floats(vector) -> tuple[float, float]:
    """A 2-vector (array or pair) as two Python floats."""
    if isinstance(vector, np.ndarray):
        return tuple(vector.tolist())
    return float(vector[0]), float(vector[1])


_SIGNS = {"left": 1.0, "right": -1.0, "midline": 0.0}  # lateral_cun's direction along `left`


class _Placing:
    """Catalog rules evaluated on one anatomy: its frame's axes and the landmark positions as
    Python floats (read once; numpy's per-call cost dominates on 2-vectors), image px."""

    def __init__(self, anatomy: Anatomy):
        frame = anatomy.frame
        self.anatomy = anatomy
        self.cun_px = frame.cun_px
        self.up, self.left = _floats(frame.up), _floats(frame.left)
        # (rule landmark name, side) -> the landmark and its x, y px, or why it is missing
        self._resolved: dict[tuple[str, str], tuple[AnatomicalLandmark, tuple] | str] = {}

    def _resolve(self, name: str, side: str) -> tuple[AnatomicalLandmark, tuple] | str:
        """The landmark `name` (or its `side` twin) and its x, y px, or why it is missing (found
        once per placing: many points rest on the same landmarks)."""
        resolved = self._resolved.get((name, side))
        if resolved is None:
            resolved = self._resolved[name, side] = self._find(name, side)
        return resolved

    def _find(self, name: str, side: str) -> tuple[AnatomicalLandmark, tuple] | str:
        anatomy = self.anatomy
        for candidate in (name, f"{name}_{side}"):
            landmark = anatomy.landmarks.get(candidate)
            if landmark is not None:
                return landmark, _floats(landmark.xy)
            if candidate in anatomy.missing:
                return anatomy.missing[candidate]
        return f"{name.replace('_', ' ')} could not be estimated"

    def anchors(self, rule: LocationRule, side: str) -> tuple | str:
        """The landmarks `rule` starts and ends at on `side`, each with its x, y px (the same
        twice for an `at` rule), or why the first of them missing is missing."""
        names = rule.landmarks()
        start = self._resolve(names[0], side)
        if isinstance(start, str):
            return start
        end = self._resolve(names[-1], side)
        return end if isinstance(end, str) else (*start, *end)

    def place(self, placed: list[tuple], good_enough_cun: float) -> list[LocatedPoint]:
        """The points `placed` (code, side, rule, and its landmarks from `anchors`), all at
        once: each column of numbers in one array, so the arithmetic is numpy's element by
        element (the same numbers as one point at a time); the confidence's tolerance is
        `good_enough_cun`."""
        if not placed:
            return []
        numbers = np.array(
            [
                (
                    start_x,
                    start_y,
                    end_x,
                    end_y,
                    start.sd_px,
                    end.sd_px,
                    rule.fraction if rule.between else 0.0,
                    rule.up_cun,
                    _SIGNS[side] * rule.lateral_cun,
                )
                for _, side, rule, start, (start_x, start_y), end, (end_x, end_y) in placed
            ]
        ).T
        start_x, start_y, end_x, end_y, start_sd, end_sd, fraction, up_cun, lateral_cun = numbers
        (up_x, up_y), (left_x, left_y), cun_px = self.up, self.left, self.cun_px
        # The sums run in the order of the former one-point expression (the same numbers).
        x = start_x + fraction * (end_x - start_x) + cun_px * (up_cun * up_x + lateral_cun * left_x)
        y = start_y + fraction * (end_y - start_y) + cun_px * (up_cun * up_y + lateral_cun * left_y)
        sd_px = np.hypot((1 - fraction) * start_sd, fraction * end_sd)
        return [
            LocatedPoint(
                code,
                side,
                (point_x, point_y),
                sd,
                chance_within(sd / cun_px, good_enough_cun) * min(start.visibility, end.visibility),
            )
            for (code, side, _, start, _, end, _), point_x, point_y, sd in zip(
                placed, x.tolist(), y.tolist(), sd_px.tolist(), strict=True
            )
        ]
