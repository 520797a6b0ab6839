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
    good_enough_cun = load_cun_rule().good_enough_cun
    for point in points:
        for side in point_sides(point):
            if facing.value not in point.views or point.rule is None:
                omitted.append(Omission(point.code, side, VIEW_REASONS[point.views[0]]))
                continue
            outcome = _place(anatomy, point, side, good_enough_cun)
            if isinstance(outcome, LocatedPoint) and not _inside(outcome.xy, image_size):
                outcome = Omission(point.code, side, OUTSIDE_PICTURE)
            (located if isinstance(outcome, LocatedPoint) else omitted).append(outcome)
    return located, omitted


def _inside(xy: tuple[float, float], image_size: tuple[int, int] | None) -> bool:
    if image_size is None:
        return True
    width, height = image_size
    return 0 <= xy[0] < width and 0 <= xy[1] < height


def _resolve(anatomy: Anatomy, name: str, side: str) -> AnatomicalLandmark | str:
    for candidate in (name, f"{name}_{side}"):
        if candidate in anatomy.landmarks:
            return anatomy.landmarks[candidate]
        if candidate in anatomy.missing:
            return anatomy.missing[candidate]
    return f"{name.replace('_', ' ')} could not be estimated"


def _floats(vector) -> tuple[float, float]:
    """A 2-vector (array or pair) as two Python floats."""
    if isinstance(vector, np.ndarray):
        return tuple(vector.tolist())
    return float(vector[0]), float(vector[1])


_SIGNS = {"left": 1.0, "right": -1.0, "midline": 0.0}  # lateral_cun's direction along `left`


def _place(
    anatomy: Anatomy, point: Point, side: str, good_enough_cun: float
) -> LocatedPoint | Omission:
    """The point on `side`, or why not; `good_enough_cun` is the confidence's tolerance. Plain
    float arithmetic on the 2-vectors (image px): numpy's per-call cost dominates at this size."""
    rule = point.rule
    references = [_resolve(anatomy, name, side) for name in rule.landmarks()]
    for reference in references:
        if isinstance(reference, str):
            return Omission(point.code, side, reference)
    start = references[0]
    end = references[-1]
    fraction = rule.fraction if rule.between else 0.0
    frame = anatomy.frame
    sign = _SIGNS[side]
    (start_x, start_y), (end_x, end_y) = _floats(start.xy), _floats(end.xy)
    (up_x, up_y), (left_x, left_y) = _floats(frame.up), _floats(frame.left)
    up_cun, lateral_cun = rule.up_cun, sign * rule.lateral_cun
    x = (
        start_x
        + fraction * (end_x - start_x)
        + frame.cun_px * (up_cun * up_x + lateral_cun * left_x)
    )
    y = (
        start_y
        + fraction * (end_y - start_y)
        + frame.cun_px * (up_cun * up_y + lateral_cun * left_y)
    )
    sd_px = float(np.hypot((1 - fraction) * start.sd_px, fraction * end.sd_px))
    sd_cun = sd_px / frame.cun_px
    within = chance_within(sd_cun, good_enough_cun)
    visibility = min(start.visibility, end.visibility)
    return LocatedPoint(point.code, side, (float(x), float(y)), sd_px, float(within * visibility))
