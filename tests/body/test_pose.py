"""The pose value: one validated constructor, read-only, and the MediaPipe converter."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from finder.adapters.pose import from_mediapipe
from finder.body.pose import Detector, Pose, as_pose
from tests.bodies import standing_back_view


def test_a_pose_keeps_a_read_only_copy():
    array = standing_back_view()
    pose = Pose(array)
    array[0, 0] = -1.0
    assert pose.landmarks[0, 0] != -1.0 and pose.detector is Detector.BLAZEPOSE
    with pytest.raises(ValueError):
        pose.landmarks[0, 0] = 5.0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda a: a[:17], "shape"),
        (lambda a: np.where(np.arange(4) == 0, np.nan, a), "finite"),
        (lambda a: np.where(np.arange(4) == 1, np.inf, a), "finite"),
        (lambda a: np.where(np.arange(4) == 3, 1.2, a), r"\[0, 1\]"),
        (lambda a: np.where(np.arange(4) == 3, -0.1, a), r"\[0, 1\]"),
    ],
)
def test_a_pose_refuses_what_no_detector_gives(change, message):
    with pytest.raises(ValueError, match=message):
        Pose(change(standing_back_view()))


def test_mapped_moves_x_y_only():
    pose = Pose(standing_back_view(), Detector.MOVENET)
    moved = pose.mapped(pose.landmarks[:, :2] + 10)
    assert np.allclose(moved.landmarks[:, :2], pose.landmarks[:, :2] + 10)
    assert np.array_equal(moved.landmarks[:, 2:], pose.landmarks[:, 2:])
    assert moved.detector is Detector.MOVENET and as_pose(moved) is moved


def test_mediapipe_landmarks_become_pixels_with_visibility_in_range():
    marks = [SimpleNamespace(x=0.5, y=0.25, z=-0.1, visibility=1.0000001)] * 33
    pose = from_mediapipe(marks, 640, 480)
    assert pose.landmarks[0].tolist() == [320.0, 120.0, -0.1, 1.0]
