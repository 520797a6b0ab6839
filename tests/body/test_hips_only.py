"""A back cut below the shoulders by the top of the picture: the lower back from the hips alone."""

from __future__ import annotations

import numpy as np

from finder import Taps, locate_landmarks
from finder.body.hips_only import NECK_IN_VIEW, load_hips_only_model
from finder.body.landmarks import HIPS, SHOULDERS, Keypoint
from tests.bodies import IMAGE_SIZE, similarity, standing_back_view

UPPER_BODY = list(range(Keypoint.LEFT_HIP))  # face, shoulders, arms, hands
LOWER_BACK = {"BL-23", "GV-4", "BL-52", "GB-30", "BL-40"}


def cut_below_the_shoulders(
    room_hip_widths: float = 1.5, angle_deg: float = 0.0
) -> tuple[np.ndarray, tuple[int, int], float]:
    """The standing mean man cut `room_hip_widths` hip-keypoint widths above the hips, as
    BlazePose sees such a picture: the hips lower by as much as `calibration/hips_only.json`
    says, and the shoulders and head guessed just below the top edge, seen (turned by
    `angle_deg` about the hips). Landmarks, picture size, and the cut's top (px)."""
    body = similarity(standing_back_view(), angle_deg, centre=(1200.0, 1400.0))
    hips = body[list(HIPS), :2]
    width = float(np.hypot(*(hips[0] - hips[1])))
    top = float(hips[:, 1].mean()) - room_hip_widths * width
    cut = body.copy()
    cut[:, 1] -= top
    cut[list(HIPS), 1] += load_hips_only_model().blazepose_hips_up * width
    guessed_shoulder_y = 0.3 * width
    cut[UPPER_BODY, 1] = cut[UPPER_BODY, 1] - cut[SHOULDERS[0], 1] + guessed_shoulder_y
    cut[UPPER_BODY, 3] = 0.99
    return cut, (IMAGE_SIZE[0], int(IMAGE_SIZE[1] - top)), top


def test_a_back_cut_below_the_shoulders_gives_the_lower_back_where_the_whole_body_puts_it():
    cut, size, top = cut_below_the_shoulders()
    result = locate_landmarks(cut, size)
    assert result.accepted and result.view == "back", result.summary()
    assert {p.code for p in result.points} >= LOWER_BACK
    whole = locate_landmarks(standing_back_view(), IMAGE_SIZE)
    assert abs(result.cun_px / whole.cun_px - 1) < 0.05
    for name in ("iliac_crest", "L2", "greater_trochanter_left", "popliteal_crease_right"):
        gap = result.anatomy.landmarks[name].xy - (whole.anatomy.landmarks[name].xy - [0, top])
        assert np.hypot(*gap) < 1.0 * whole.cun_px, name


def test_the_upper_back_is_left_out_with_the_next_step_a_photo_showing_the_neck():
    cut, size, _ = cut_below_the_shoulders()
    result = locate_landmarks(cut, size)
    omitted = {o.code: o.reason for o in result.omitted}
    for code in ("GV-14", "GB-21", "BL-15", "SI-11"):
        assert code in omitted and omitted[code].endswith(NECK_IN_VIEW), (code, omitted.get(code))
    assert "C7" not in result.anatomy.landmarks
    assert "acromion_left" not in result.anatomy.landmarks


def test_a_c7_tap_completes_the_spine():
    cut, size, top = cut_below_the_shoulders()
    whole = locate_landmarks(standing_back_view(), IMAGE_SIZE)
    c7 = whole.anatomy.landmarks["C7"].xy - [0, top]  # above the picture, where a finger finds it
    result = locate_landmarks(cut, size, taps=Taps({"C7": tuple(c7)}))
    assert result.accepted, result.summary()
    assert {"T1", "T8", "L2"} <= result.anatomy.landmarks.keys()
    gap = result.anatomy.landmarks["T8"].xy - (whole.anatomy.landmarks["T8"].xy - [0, top])
    assert np.hypot(*gap) < 1.0 * whole.cun_px


def test_the_body_axis_follows_the_thighs_and_the_hip_line():
    cut, size, _ = cut_below_the_shoulders(angle_deg=12.0)
    result = locate_landmarks(cut, size)
    assert result.accepted, result.summary()
    up = result.anatomy.frame.up
    expected = np.array([np.sin(np.radians(12.0)), -np.cos(np.radians(12.0))])
    assert float(up @ expected) > np.cos(np.radians(2.0))


def test_knees_that_do_not_fit_the_hips_are_refused():
    cut, size, _ = cut_below_the_shoulders()
    hips_y = cut[list(HIPS), 1].mean()
    for knee in (Keypoint.LEFT_KNEE, Keypoint.RIGHT_KNEE):
        cut[knee, 1] = hips_y + 0.8 * abs(cut[HIPS[0], 0] - cut[HIPS[1], 0])
    result = locate_landmarks(cut, size)
    assert not result.accepted and "knee does not fit the hips" in result.summary()


def test_without_a_knee_in_view_the_hips_alone_are_not_trusted():
    cut, size, _ = cut_below_the_shoulders()
    cut[Keypoint.LEFT_KNEE :, 3] = 0.0
    assert not locate_landmarks(cut, size).accepted


def test_hips_only_seen_faintly_are_refused():
    cut, size, _ = cut_below_the_shoulders()
    cut[list(HIPS), 3] = 0.6
    result = locate_landmarks(cut, size)
    assert not result.accepted and "hips are not clearly seen" in result.summary()


def test_a_front_view_chosen_on_hips_alone_asks_for_the_back_view():
    cut, size, _ = cut_below_the_shoulders()
    result = locate_landmarks(cut, size, view="front")
    assert not result.accepted and "choose the back view" in result.summary()


def test_shoulders_in_the_picture_with_a_whole_trunk_stay_a_whole_body():
    result = locate_landmarks(standing_back_view(), IMAGE_SIZE)
    assert result.accepted and "C7" in result.anatomy.landmarks
