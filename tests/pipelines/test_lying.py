"""The search says "lying face down" only when both camera models see one trunk lying across the
picture (`finder.pipelines.search._lying_alike`): either model alone also lays trunks across crops
of standing backs (along a bra band, a shoulder line)."""

from __future__ import annotations

import numpy as np
import pytest

from finder.adapters.movenet import Person
from finder.body.landmarks import HIPS, SHOULDERS
from finder.body.pose import Detector, Pose
from finder.body.result import Refusal
from finder.body.trust import check
from finder.body.view import midpoint
from finder.pipelines.search import _refusal
from tests.bodies import IMAGE_SIZE, similarity, standing_back_view


def lying(angle_deg: float = 90.0, shift=(0.0, 0.0)) -> np.ndarray:
    """The mean man seen from behind, turned `angle_deg` clockwise (90: lying across the
    picture, head at the right), moved by `shift` px."""
    return similarity(standing_back_view(), angle_deg, shift=shift)


def person(landmarks: np.ndarray) -> Person:
    return Person(Pose(landmarks, Detector.MOVENET), (0.0, 0.0, *IMAGE_SIZE), 0.15)


def refusal(blazepose: np.ndarray | None, *people: np.ndarray) -> Refusal | None:
    upright = None if blazepose is None else check(Pose(blazepose), IMAGE_SIZE, "auto")
    return _refusal(upright, tuple(person(p) for p in people), IMAGE_SIZE, "auto")


def trunk_px(landmarks: np.ndarray) -> float:
    return float(np.hypot(*(midpoint(landmarks, SHOULDERS) - midpoint(landmarks, HIPS))))


def turned_about_the_shoulders(landmarks: np.ndarray, angle_deg: float) -> np.ndarray:
    return similarity(landmarks, angle_deg, centre=midpoint(landmarks, SHOULDERS))


def test_both_models_on_one_trunk_across_the_picture_say_lying_face_down():
    assert refusal(lying(), lying(96.0)) is Refusal.LYING_FACE_DOWN
    assert refusal(lying(-90.0), lying(-85.0)) is Refusal.LYING_FACE_DOWN  # head at the left
    # 20 degrees apart (BlazePose and MoveNet on photo 04 in its receiver box: 5-16)
    assert refusal(lying(), turned_about_the_shoulders(lying(), 20.0)) is Refusal.LYING_FACE_DOWN


def test_the_hips_may_lie_anywhere_along_the_trunk():
    """A lying receiver's hips are under a towel or out of the picture: MoveNet's may sit a
    third of a trunk nearer the shoulders than BlazePose's (and its trunk still lies across)."""
    body = lying()
    shorter = body.copy()
    shorter[list(HIPS), :2] += (midpoint(body, SHOULDERS) - midpoint(body, HIPS)) / 3
    assert refusal(body, shorter) is Refusal.LYING_FACE_DOWN


@pytest.mark.parametrize(
    ("blazepose", "people"),
    [
        (lying(), ()),  # BlazePose alone
        (None, (lying(),)),  # MoveNet alone
        (lying(), (turned_about_the_shoulders(lying(), 35.0),)),  # across, 35 degrees apart
        (lying(), (lying(-90.0),)),  # the same line, head and hips swapped
        (standing_back_view(), (lying(),)),  # one of them standing
    ],
)
def test_one_model_alone_or_two_disagreeing_is_no_back_the_finder_can_trust(blazepose, people):
    assert refusal(blazepose, *people) is Refusal.NO_BACK


def test_shoulders_half_a_trunk_apart_are_two_bodies():
    body = lying()
    beside = lying(shift=(0.0, 0.5 * trunk_px(body)))
    assert refusal(body, beside) is Refusal.NO_BACK
