"""Is someone else in the picture? BlazePose reports one person, the most prominent; a second
look with that person covered tells whether another body is in view.

Checked on the shared photos: none of the 13 (nor the bundled samples) shows a second body this
way, not even 04 with its therapist; two copies of photo 13 side by side, or one shrunk beside
the other, do.
"""

from __future__ import annotations

import numpy as np

from finder.adapters.pose import PoseEstimator
from finder.body.landmarks import Keypoint
from finder.body.view import VISIBLE

ANOTHER_PERSON = (
    "more than one person may be in view: the points are on the one the finder took for the "
    "receiver; draw a box around the receiver (or crop the photo to them) to be sure"
)
COVER_MARGIN = 0.1  # of the found body's width and height, added on each side of the cover
_TRUNK = (Keypoint.LEFT_SHOULDER, Keypoint.RIGHT_SHOULDER, Keypoint.LEFT_HIP, Keypoint.RIGHT_HIP)


def cover_person(rgb: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """A copy of `rgb` (H x W x 3 uint8) with the box around the person's keypoints (x, y in
    pixels, grown by COVER_MARGIN on each side) filled with the picture's median colour."""
    height, width = rgb.shape[:2]
    xy = landmarks[:, :2][np.isfinite(landmarks[:, :2]).all(axis=1)]
    covered = rgb.copy()
    if not len(xy):
        return covered
    low, high = xy.min(axis=0), xy.max(axis=0)
    grow = COVER_MARGIN * (high - low)
    x0, y0 = np.clip(np.floor(low - grow), 0, [width, height]).astype(int)
    x1, y1 = np.clip(np.ceil(high + grow), 0, [width, height]).astype(int)
    covered[y0:y1, x0:x1] = np.median(rgb[::4, ::4].reshape(-1, 3), axis=0).astype(np.uint8)
    return covered


def another_person(rgb: np.ndarray, landmarks: np.ndarray, estimator: PoseEstimator) -> bool:
    """Whether `estimator` (still mode) finds a second person, shoulders and hips seen, once the
    person at `landmarks` ((33, 4), x, y in pixels of `rgb`) is covered."""
    second = estimator.detect(cover_person(rgb, landmarks))
    return second is not None and bool(np.all(second[list(_TRUNK), 3] >= VISIBLE))
