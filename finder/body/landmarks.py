"""Names: BlazePose keypoint indices and the anatomical landmarks the body model can produce.

Coordinates everywhere in `finder` are image pixels (x to the right, y downward) unless a name
says `_cun` (proportional body inch, B-cun) or a docstring says body axes.
"""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

import numpy as np


class Keypoint(IntEnum):
    """BlazePose's 33 pose landmarks. LEFT/RIGHT are the receiver's own sides as MediaPipe
    labels them; `finder.body.view` re-decides them, because the labels are unreliable on backs."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


KEYPOINT_COUNT = len(Keypoint)

# Index pairs (left, right): swapping every pair mirrors the receiver's sides.
LEFT_RIGHT_PAIRS: tuple[tuple[int, int], ...] = (
    (1, 4),
    (2, 5),
    (3, 6),
    (7, 8),
    (9, 10),
    *((i, i + 1) for i in range(11, 33, 2)),
)

SIDES = ("left", "right")
SHOULDERS = (Keypoint.LEFT_SHOULDER, Keypoint.RIGHT_SHOULDER)
HIPS = (Keypoint.LEFT_HIP, Keypoint.RIGHT_HIP)


class Limb(NamedTuple):
    """The keypoints of one side of the body, by the receiver's side."""

    shoulder: Keypoint
    hip: Keypoint
    knee: Keypoint
    ankle: Keypoint
    foot_index: Keypoint


SIDE_KEYPOINTS = {
    "left": Limb(
        Keypoint.LEFT_SHOULDER,
        Keypoint.LEFT_HIP,
        Keypoint.LEFT_KNEE,
        Keypoint.LEFT_ANKLE,
        Keypoint.LEFT_FOOT_INDEX,
    ),
    "right": Limb(
        Keypoint.RIGHT_SHOULDER,
        Keypoint.RIGHT_HIP,
        Keypoint.RIGHT_KNEE,
        Keypoint.RIGHT_ANKLE,
        Keypoint.RIGHT_FOOT_INDEX,
    ),
}


# Anatomical landmarks on the posterior midline, top to bottom (spinous processes then sacrum).
SPINOUS_LEVELS: tuple[str, ...] = (
    "C7",
    *(f"T{i}" for i in range(1, 13)),
    *(f"L{i}" for i in range(1, 6)),
    "S1",
    "S2",
)
MIDLINE_LANDMARKS: tuple[str, ...] = (*SPINOUS_LEVELS, "iliac_crest", "sacral_hiatus")
# Landmarks on the anterior midline (front view): the navel's centre, and the height of the
# clavicles' lower border beside the sternum where it meets the midline.
ANTERIOR_MIDLINE_LANDMARKS: tuple[str, ...] = ("navel", "clavicle_lower_border")

# Anatomical landmarks that exist once per side; the full name appends `_left` / `_right`.
SIDED_LANDMARKS: tuple[str, ...] = (
    "acromion",
    "scapula_spine_root",
    "scapular_spine_midpoint",
    "scapula_medial_border",
    "scapula_inferior_angle",
    "iliac_crest_top",
    "psis",
    "greater_trochanter",
    "popliteal_crease",
    "lateral_malleolus",
    "metatarsal_bases",
)
# Landmarks seen only from behind (the rest can be seen from either side, except the front ones).
POSTERIOR_LANDMARKS: frozenset[str] = frozenset(
    (
        *MIDLINE_LANDMARKS,
        *(
            f"{name}_{side}"
            for name in (
                "scapula_spine_root",
                "scapular_spine_midpoint",
                "scapula_medial_border",
                "scapula_inferior_angle",
                "psis",
                "popliteal_crease",
            )
            for side in SIDES
        ),
    )
)
# Landmarks seen only from the front: the dorsum of the foot faces forward and up.
ANTERIOR_LANDMARKS: frozenset[str] = frozenset(
    (*ANTERIOR_MIDLINE_LANDMARKS, *(f"metatarsal_bases_{side}" for side in SIDES))
)

LANDMARK_NAMES: frozenset[str] = frozenset(
    (
        *MIDLINE_LANDMARKS,
        *ANTERIOR_MIDLINE_LANDMARKS,
        *(f"{name}_{side}" for name in SIDED_LANDMARKS for side in SIDES),
    )
)


def pose_array(values: np.ndarray) -> np.ndarray:
    """Check and return a (33, 4) float array of BlazePose x, y (pixels), z, visibility."""
    array = np.asarray(values, dtype=float)
    if array.shape != (KEYPOINT_COUNT, 4):
        raise ValueError(f"pose landmarks must have shape (33, 4), got {array.shape}")
    return array
