"""The pose value every stage after a detector works on: 33 landmarks in the finder's
(BlazePose) convention, checked once when it is made.

Each detector has one converter into it (`finder.adapters.pose.from_mediapipe`,
`finder.adapters.movenet.from_movenet`), so nothing downstream sees a model's raw output.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np

from finder.body.landmarks import KEYPOINT_COUNT


class Detector(str, Enum):
    """Which model found the pose."""

    BLAZEPOSE = "blazepose"
    MOVENET = "movenet"


@dataclass(frozen=True, eq=False)
class Pose:
    """Landmarks (33, 4) in `finder.body.landmarks.Keypoint` order: x, y in image pixels (x to
    the right, y down), z (relative depth, nearer the camera is smaller; only its order is used),
    visibility in [0, 1] (0 for a landmark the detector does not give). Read-only."""

    landmarks: np.ndarray
    detector: Detector = Detector.BLAZEPOSE

    def __post_init__(self):
        array = np.array(self.landmarks, dtype=float)  # a copy: the caller's array stays theirs
        if array.shape != (KEYPOINT_COUNT, 4):
            raise ValueError(f"pose landmarks must have shape (33, 4), got {array.shape}")
        if not np.all(np.isfinite(array)):
            raise ValueError("pose landmarks must be finite numbers (no NaN or infinity)")
        visibility = array[:, 3]
        if np.any((visibility < 0) | (visibility > 1)):
            raise ValueError("pose landmark visibility must lie in [0, 1]")
        array.flags.writeable = False
        object.__setattr__(self, "landmarks", array)
        object.__setattr__(self, "detector", Detector(self.detector))

    def mapped(self, xy: np.ndarray) -> Pose:
        """The same pose with x, y replaced by `xy` (33, 2), e.g. mapped into another frame."""
        array = self.landmarks.copy()
        array[:, :2] = xy
        return Pose(array, self.detector)


def as_pose(value: Pose | np.ndarray) -> Pose:
    """`value` when it is a Pose, else a BlazePose-convention (33, 4) array checked into one."""
    return value if isinstance(value, Pose) else Pose(value)
