"""Crops of the shared photos where a pose once gave points on the wrong thing (found by
sweeping crops, `finder.tools.search_report.sweep`): no front points on a back, no back points
on a body upside down (`finder.pipelines.search._upright_trusted`), no standing back told it
lies face down (`finder.pipelines.search._lying_alike`)."""

from __future__ import annotations

import numpy as np
import pytest

from finder.body.pose import Pose
from finder.body.result import Refusal
from finder.body.trust import Problem, ProblemKind, check
from finder.pipelines.search import _upright_trusted
from finder.tools.search_report import Outcome, sweep
from tests.bodies import IMAGE_SIZE, standing_back_view
from tests.photos import PHOTOS, photo

BACKS_READ_AS_FRONTS = {
    "02": [(0, 106, 1600, 1067)],  # face down under hot stones: a front read from the pose
    "07": [(0, 560, 533, 1600)],  # a hand on a lying back
    "10": [(800, 424, 1600, 1062)],  # a bra band, the head cut off
}
"""Crops (x0, y0, x1, y1 px) of backs on which BlazePose's two cues read a front: front points
were placed (before the face check of BlazePose's fronts)."""


@pytest.mark.model
@pytest.mark.shared
@pytest.mark.slow
def test_backs_read_as_fronts_get_no_front_points():
    photo("02")
    found = sweep(PHOTOS, BACKS_READ_AS_FRONTS)
    assert len(found) == 3
    assert [row.view for row in found] == [None, None, None]
    assert {row.outcome for row in found} == {Outcome.NOTHING}


def rotated(landmarks: np.ndarray, degrees: float) -> np.ndarray:
    """The body turned clockwise by `degrees` about the centre of the IMAGE_SIZE picture."""
    out = landmarks.copy()
    centre = np.array(IMAGE_SIZE, float) / 2
    angle = np.radians(degrees)
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    out[:, :2] = (out[:, :2] - centre) @ turn.T + centre
    return out


@pytest.mark.parametrize(
    ("degrees", "kept"),
    [(0, True), (90, True), (-90, True), (115, True), (-115, True), (125, False), (180, False)],
)
def test_the_upright_pass_is_trusted_alone_unless_the_body_stands_on_its_head(degrees, kept):
    """A body upright or lying across the picture (turned 90 degrees; 115: the head end 25
    degrees lower, within UPSIDE_DOWN_MIN_DEG) stands as checked; one steeper head down (125:
    35 degrees) waits for a copy turned to stand it up (UPSIDE_DOWN until then)."""
    checked = check(Pose(rotated(standing_back_view(), degrees)), IMAGE_SIZE, "back")
    assert checked.accepted
    trusted = _upright_trusted(checked)
    assert (trusted is checked) is kept
    if not kept:
        assert trusted.problems == (Problem(ProblemKind.UPSIDE_DOWN),)


UPSIDE_DOWN = {"10": [(344, 102, 1132, 703)]}
"""A crop of photo 10 (the shoulder and the hair at the top right) where BlazePose's upright
pass put the hips at the shoulders and the shoulders at the bra band: with neither the head
nor a knee seen the checks passed it, and 27 back points lay 29 cun off."""


@pytest.mark.model
@pytest.mark.shared
@pytest.mark.slow
def test_a_body_upside_down_in_the_picture_gets_no_points():
    photo("10")
    (row,) = sweep(PHOTOS, UPSIDE_DOWN)
    assert row.view is None and row.outcome is Outcome.NOTHING


STANDING_BACKS_TOLD_LYING = {
    "10": [
        (0, 106, 1600, 1062),
        (0, 159, 1600, 1062),
        (800, 212, 1600, 1062),
        (800, 265, 1600, 1062),
        (800, 318, 1600, 1062),
    ],
    "12": [(800, 373, 1600, 1068)],
}
"""Top cuts (`finder search-report --top-cuts`) of standing backs on which one camera model
alone laid a trunk across the picture: "lying face down" before both models had to agree."""


@pytest.mark.model
@pytest.mark.shared
@pytest.mark.slow
def test_standing_backs_are_never_told_they_lie_face_down():
    photo("10")
    found = sweep(PHOTOS, STANDING_BACKS_TOLD_LYING)
    assert len(found) == 6 and all(row.upright for row in found)
    assert [row.refusal for row in found if row.refusal is Refusal.LYING_FACE_DOWN] == []
