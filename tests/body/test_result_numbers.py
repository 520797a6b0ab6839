"""The numbers a partner reads: no placed point is reported as certain, and each point's ring
is given in centimetres on the body."""

from __future__ import annotations

import math

from finder import locate_landmarks
from finder.body.model import load_body_model
from finder.body.result import MAX_CONFIDENCE, UNCERTAINTY_STEP_CM, LocatedPoint
from tests.bodies import IMAGE_SIZE, standing_back_view


def test_a_confidence_is_never_certain_and_never_outside_zero_to_one():
    assert LocatedPoint("BL-23", "left", (1.0, 2.0), 3.0, 0.999).confidence == MAX_CONFIDENCE
    assert LocatedPoint("BL-23", "left", (1.0, 2.0), 3.0, 1.7).confidence == MAX_CONFIDENCE
    assert LocatedPoint("BL-23", "left", (1.0, 2.0), 3.0, -0.2).confidence == 0.0
    assert LocatedPoint("BL-23", "left", (1.0, 2.0), 3.0, 0.4).confidence == 0.4
    result = locate_landmarks(standing_back_view(), IMAGE_SIZE, view="back")
    assert max(p.confidence for p in result.points) <= MAX_CONFIDENCE < 1


def test_the_ring_in_centimetres_is_its_radius_in_cun_times_the_average_cun_rounded_up():
    result = locate_landmarks(standing_back_view(), IMAGE_SIZE, view="back")
    cun_cm = load_body_model().taps["cun_cm"]
    for point in result.points:
        exact = point.radius_px / result.cun_px * cun_cm
        shown = result.uncertainty_cm(point)
        assert exact <= shown < exact + UNCERTAINTY_STEP_CM or shown == UNCERTAINTY_STEP_CM
        assert math.isclose(shown / UNCERTAINTY_STEP_CM, round(shown / UNCERTAINTY_STEP_CM))
    assert {p["uncertainty_cm"] for p in result.to_dict()["points"]} == {
        result.uncertainty_cm(p) for p in result.points
    }
