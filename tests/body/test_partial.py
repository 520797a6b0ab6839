"""Partial bodies: a back cut off at the neck by the top of the picture is an upper back."""

from __future__ import annotations

import numpy as np

from finder import locate_landmarks
from finder.body import trust
from finder.body.landmarks import Keypoint
from finder.body.pose import Pose
from finder.body.trust import check
from tests.bodies import IMAGE_SIZE, standing_back_view

HEAD_AND_FACE = list(range(Keypoint.LEFT_SHOULDER))


def cut_at_the_neck(room_shoulder_widths: float) -> tuple[np.ndarray, tuple[int, int], float]:
    """The standing back cut `room_shoulder_widths` above the shoulder keypoints and two shoulder
    widths below them (no head, no hips): landmarks, picture size, and the cut's top (px)."""
    body = standing_back_view()
    shoulders_y = body[[Keypoint.LEFT_SHOULDER, Keypoint.RIGHT_SHOULDER], 1].mean()
    width = abs(body[Keypoint.LEFT_SHOULDER, 0] - body[Keypoint.RIGHT_SHOULDER, 0])
    top = shoulders_y - room_shoulder_widths * width
    cut = body.copy()
    cut[:, 1] -= top
    cut[HEAD_AND_FACE, 1] = -20.0  # the detector's guess above the picture, unseen
    cut[HEAD_AND_FACE, 3] = 0.0
    height = int(shoulders_y - top + 2 * width)
    cut[cut[:, 1] > height, 3] = 0.0
    return cut, (IMAGE_SIZE[0], height), top


def test_a_back_cut_at_the_neck_gives_the_upper_back_where_the_whole_body_puts_it():
    cut, size, top = cut_at_the_neck(0.3)
    result = locate_landmarks(cut, size)
    assert result.accepted and result.view == "back", result.summary()
    codes = {p.code for p in result.points}
    assert {"GB-21", "GV-14", "BL-15"} <= codes and "BL-23" not in codes
    whole = locate_landmarks(standing_back_view(), IMAGE_SIZE)
    for name in ("C7", "acromion_left", "acromion_right"):
        gap = result.anatomy.landmarks[name].xy - (whole.anatomy.landmarks[name].xy - [0, top])
        assert np.hypot(*gap) < 0.2 * whole.cun_px, name


def test_a_cut_head_shows_no_face_so_a_front_is_not_taken():
    cut, size, _ = cut_at_the_neck(0.3)
    result = locate_landmarks(cut, size, view="front")
    assert not result.accepted and "choose the back view" in result.summary()


def test_a_head_that_could_be_in_the_picture_but_is_not_seen_is_still_refused():
    cut, size, _ = cut_at_the_neck(0.9)
    result = locate_landmarks(cut, size)
    assert not result.accepted and "so is the head" in result.summary()


def test_the_checks_tell_a_back_cut_at_the_neck_from_one_with_room_for_a_head():
    cut, size, _ = cut_at_the_neck(0.3)
    assert trust.cut_at_the_neck(check(Pose(cut), size).pose)
    roomy, size, _ = cut_at_the_neck(0.9)
    assert not trust.cut_at_the_neck(check(Pose(roomy), size).pose)
    whole = check(Pose(standing_back_view()), IMAGE_SIZE).pose  # hips in view: a whole body
    assert not trust.cut_at_the_neck(whole)
