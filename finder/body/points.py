"""Catalog location rules evaluated on the body model: located points or reasons they are not."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from finder.body.anatomy import AnatomicalLandmark, Anatomy
from finder.body.catalog import Point
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
    located, omitted = [], []
    placing = _Placing(anatomy, load_cun_rule().good_enough_cun)
    seen_from = facing.value
    for point in points:
        placeable = seen_from in point.views and point.rule is not None
        for side in point_sides(point):
            if not placeable:
                omitted.append(Omission(point.code, side, VIEW_REASONS[point.views[0]]))
                continue
            outcome = placing.place(point, side)
            if isinstance(outcome, LocatedPoint) and not _inside(outcome.xy, image_size):
                outcome = Omission(point.code, side, OUTSIDE_PICTURE)
            (located if isinstance(outcome, LocatedPoint) else omitted).append(outcome)
    return located, omitted


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

    def __init__(self, anatomy: Anatomy, good_enough_cun: float):
        frame = anatomy.frame
        self.anatomy = anatomy
        self.good_enough_cun = good_enough_cun  # the confidence's tolerance (cun)
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

    def place(self, point: Point, side: str) -> LocatedPoint | Omission:
        """The point on `side`, or why not."""
        rule = point.rule
        references = [self._resolve(name, side) for name in rule.landmarks()]
        for reference in references:
            if isinstance(reference, str):
                return Omission(point.code, side, reference)
        start, (start_x, start_y) = references[0]
        end, (end_x, end_y) = references[-1]
        fraction = rule.fraction if rule.between else 0.0
        (up_x, up_y), (left_x, left_y), cun_px = self.up, self.left, self.cun_px
        up_cun, lateral_cun = rule.up_cun, _SIGNS[side] * rule.lateral_cun
        # The sums run in the order of the former numpy expression (the same numbers).
        x = start_x + fraction * (end_x - start_x) + cun_px * (up_cun * up_x + lateral_cun * left_x)
        y = start_y + fraction * (end_y - start_y) + cun_px * (up_cun * up_y + lateral_cun * left_y)
        sd_px = float(np.hypot((1 - fraction) * start.sd_px, fraction * end.sd_px))
        within = chance_within(sd_px / cun_px, self.good_enough_cun)
        visibility = min(start.visibility, end.visibility)
        return LocatedPoint(
            point.code, side, (float(x), float(y)), sd_px, float(within * visibility)
        )
