"""MediaPipe's 21 hand landmarks and one detected hand: plain types shared by the hand model
(`finder.body.hands`) and the MediaPipe adapter (`finder.adapters.pose`).

Coordinates are image pixels (x to the right, y downward); z is MediaPipe's depth relative to the
wrist in the same pixel scale (negative = nearer the camera).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from finder.body.landmarks import SIDES

OTHER_SIDE = {"left": "right", "right": "left"}


class HandKeypoint(IntEnum):
    """MediaPipe's 21 hand landmarks."""

    WRIST = 0
    THUMB_CMC = 1
    THUMB_MCP = 2
    THUMB_IP = 3
    THUMB_TIP = 4
    INDEX_FINGER_MCP = 5
    INDEX_FINGER_PIP = 6
    INDEX_FINGER_DIP = 7
    INDEX_FINGER_TIP = 8
    MIDDLE_FINGER_MCP = 9
    MIDDLE_FINGER_PIP = 10
    MIDDLE_FINGER_DIP = 11
    MIDDLE_FINGER_TIP = 12
    RING_FINGER_MCP = 13
    RING_FINGER_PIP = 14
    RING_FINGER_DIP = 15
    RING_FINGER_TIP = 16
    PINKY_MCP = 17
    PINKY_PIP = 18
    PINKY_DIP = 19
    PINKY_TIP = 20


HAND_KEYPOINT_COUNT = len(HandKeypoint)
KEYPOINT_BY_NAME = {keypoint.name.lower(): keypoint for keypoint in HandKeypoint}


@dataclass(frozen=True)
class DetectedHand:
    """One hand as the hand model found it.

    `landmarks`: (21, 3) x, y in image pixels and z (pixels, relative to the wrist).
    `handedness`: the owner's side, "left" or "right", judged from the hand's appearance and
    already corrected for mirroring (see `finder.adapters.pose.HandEstimator`);
    `handedness_score` is the
    model's probability for that label, in [0, 1]. `mirrored`: the image is a mirror view (a
    selfie preview), in which the turn of the hand reads reversed.
    """

    landmarks: np.ndarray
    handedness: str
    handedness_score: float
    mirrored: bool = False

    def __post_init__(self) -> None:
        landmarks = np.asarray(self.landmarks, dtype=float)
        if landmarks.shape != (HAND_KEYPOINT_COUNT, 3):
            raise ValueError(f"hand landmarks must have shape (21, 3), got {landmarks.shape}")
        if self.handedness not in SIDES:
            raise ValueError(f"handedness must be 'left' or 'right', not {self.handedness!r}")
        if not 0.0 <= self.handedness_score <= 1.0:
            raise ValueError(f"handedness_score must be in [0, 1], got {self.handedness_score}")
        object.__setattr__(self, "landmarks", landmarks)

    def xy(self, keypoint: int) -> np.ndarray:
        return self.landmarks[keypoint, :2]
