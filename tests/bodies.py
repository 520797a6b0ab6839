"""Hand-written bodies for geometry tests (ANSUR II mean man, SYNTHETIC_BODIES.md convention)."""

from __future__ import annotations

import numpy as np

from finder.body.landmarks import SHOULDERS
from finder.body.synthetic import MEAN_MAN, body_from_ansur
from finder.body.view import ARMS

IMAGE_SIZE = (2400, 2400)


def standing_back_view() -> np.ndarray:
    """(33, 4) landmarks of the mean man seen from behind, 1 px = 1 mm."""
    return body_from_ansur(MEAN_MAN).landmarks.copy()


def similarity(
    landmarks: np.ndarray, angle_deg=0.0, scale=1.0, shift=(0.0, 0.0), centre=(1200.0, 1400.0)
) -> np.ndarray:
    """Rotate (about `centre`), scale and shift the landmarks' x, y; z and visibility kept."""
    moved = landmarks.copy()
    moved[:, :2] = transform_xy(landmarks[:, :2], angle_deg, scale, shift, centre)
    return moved


def transform_xy(xy, angle_deg=0.0, scale=1.0, shift=(0.0, 0.0), centre=(1200.0, 1400.0)):
    theta = np.radians(angle_deg)
    rotation = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    centre = np.asarray(centre)
    return (np.asarray(xy) - centre) @ rotation.T * scale + centre + np.asarray(shift)


def with_arms_up(body: np.ndarray, shoulder_widths: float = 1.0) -> np.ndarray:
    """`body` with both elbows and wrists `shoulder_widths` above the shoulder keypoints (the
    image's up is the body's up in these bodies), straight above each shoulder."""
    raised = body.copy()
    width = float(np.hypot(*(body[SHOULDERS[0], :2] - body[SHOULDERS[1], :2])))
    for shoulder, arm in zip(SHOULDERS * 2, ARMS, strict=True):
        raised[arm, 0] = body[shoulder, 0]
        raised[arm, 1] = body[shoulder, 1] - shoulder_widths * width
    return raised
