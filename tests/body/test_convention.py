"""One keypoint convention for both detectors (calibration/keypoints.json): MoveNet's shoulders
and hips moved to where BlazePose puts them; the synthetic bodies' shoulder keypoints."""

from __future__ import annotations

import numpy as np
import pytest

from finder.body.convention import in_blazepose_convention
from finder.body.landmarks import HIPS, SHOULDERS, Keypoint
from finder.body.model import (
    KeypointConvention,
    SyntheticKeypoints,
    load_keypoint_convention,
    parse_keypoint_convention,
    parse_synthetic_keypoints,
)
from finder.body.pose import Detector, Pose
from finder.body.synthetic import MEAN_MAN, body_from_ansur
from tests.bodies import similarity, standing_back_view

CONVENTION = KeypointConvention(
    shoulders_down=0.05, shoulder_width_ratio=0.9, hips_down=0.2, knees_clear_room=0.7
)


def width(landmarks: np.ndarray) -> float:
    return float(np.hypot(*(landmarks[SHOULDERS[0], :2] - landmarks[SHOULDERS[1], :2])))


def test_a_blazepose_pose_is_left_as_it_is():
    pose = Pose(standing_back_view())
    assert in_blazepose_convention(pose, convention=CONVENTION) is pose


@pytest.mark.parametrize(("degrees", "scale"), [(0.0, 1.0), (90.0, 0.3), (-140.0, 2.0)])
def test_movenet_shoulders_and_hips_move_down_the_trunk_and_together(degrees, scale):
    raw = similarity(standing_back_view(), degrees, scale)
    moved = in_blazepose_convention(Pose(raw, Detector.MOVENET), convention=CONVENTION).landmarks
    down = raw[list(HIPS), :2].mean(0) - raw[list(SHOULDERS), :2].mean(0)
    down /= np.hypot(*down)
    w = width(raw)
    shift = moved[list(SHOULDERS), :2].mean(0) - raw[list(SHOULDERS), :2].mean(0)
    assert np.allclose(shift, 0.05 * w * down)
    assert width(moved) == pytest.approx(0.9 * w)
    hip_shift = moved[list(HIPS), :2] - raw[list(HIPS), :2]
    assert np.allclose(hip_shift, 0.2 * w * down)
    others = [k for k in range(33) if k not in (*SHOULDERS, *HIPS)]
    assert np.array_equal(moved[others], raw[others])
    assert np.array_equal(moved[:, 2:], raw[:, 2:])


def test_movenet_knees_the_edge_cuts_off_are_unseen():
    """A picture cut above the knees: MoveNet puts them just above the edge, seen."""
    raw = standing_back_view()
    width = float(np.hypot(*(raw[SHOULDERS[0], :2] - raw[SHOULDERS[1], :2])))
    knee_y = raw[Keypoint.LEFT_KNEE, 1]
    pose = Pose(raw, Detector.MOVENET)
    for bottom, seen in ((knee_y + 0.5 * width, False), (knee_y + 0.9 * width, True)):
        size = (2400, int(bottom))
        moved = in_blazepose_convention(pose, size, CONVENTION).landmarks
        knees = moved[[Keypoint.LEFT_KNEE, Keypoint.RIGHT_KNEE], 3]
        assert bool(np.all(knees > 0)) is seen
    whole = in_blazepose_convention(pose, (2400, 2400), CONVENTION).landmarks
    assert np.array_equal(whole[:, 3], raw[:, 3])  # the whole body keeps every keypoint


def test_the_shipped_correction_moves_movenet_shoulders_down_and_together():
    shipped = load_keypoint_convention()
    assert 0 < shipped.shoulders_down < 0.2 and 0.8 < shipped.shoulder_width_ratio < 1.0


def test_synthetic_shoulder_keypoints_follow_the_calibration():
    acromion_y = 2300.0 - float(MEAN_MAN["acromialheight"])
    breadth = float(MEAN_MAN["biacromialbreadth"])
    for below, inside in ((0.03, 0.01), (0.1, 0.05)):
        body = body_from_ansur(MEAN_MAN, SyntheticKeypoints(below, inside))
        assert body.landmarks[SHOULDERS[0], 1] == pytest.approx(acromion_y + below * breadth)
        assert width(body.landmarks) == pytest.approx(breadth * (1 - 2 * inside))


def test_bad_keypoint_data_names_the_file_and_the_entry():
    with pytest.raises(ValueError, match=r"keypoints\.json: movenet_to_blazepose"):
        parse_keypoint_convention({"movenet_to_blazepose": {"shoulders_down": 0.1}})
    with pytest.raises(ValueError, match=r"keypoints\.json: movenet_to_blazepose"):
        parse_keypoint_convention(
            {
                "movenet_to_blazepose": {
                    "shoulders_down": 3.0,
                    "shoulder_width_ratio": 1.0,
                    "hips_down": 0.0,
                    "knees_clear_room": 0.7,
                }
            }
        )
    with pytest.raises(ValueError, match=r"keypoints\.json: synthetic"):
        parse_synthetic_keypoints({"synthetic": {"shoulder_below_acromion": "x"}})
