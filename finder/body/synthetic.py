"""ANSUR II bodies as BlazePose landmarks, by the convention of shared/domain/SYNTHETIC_BODIES.md
with the shoulder and hip keypoints where real photos show BlazePose puts them
(`calibration/keypoints.json` "synthetic", measured by `finder evaluate-photos`).

Back view, orthographic, 1 px = 1 mm, image 2400 x 2400 px, floor at y = 2300, posterior midline
at x = 1200; the receiver's left side is on the image's left.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from finder.body.landmarks import KEYPOINT_COUNT, Keypoint
from finder.body.model import SyntheticKeypoints, cun_of_stature, load_synthetic_keypoints

IMAGE_SIZE = (2400, 2400)
FLOOR_Y = 2300.0
MIDLINE_X = 1200.0
FACE = (0, 1, 2, 3, 4, 5, 6, 9, 10)
# Rounded ANSUR II male means (mm), REFERENCE.md section 5.1.
MEAN_MAN = {
    "sex": "male",
    "stature": "1756",
    "cervicaleheight": "1517",
    "acromialheight": "1441",
    "suprasternaleheight": "1439",
    "biacromialbreadth": "416",
    "bicristalbreadth": "275",
    "acromionradialelength": "336",
    "wristheight": "850",
    "hipbreadth": "346",
    "trochanterionheight": "901",
    "iliocristaleheight": "1062",
    "waistheightomphalion": "1057",
    "lateralfemoralepicondyleheight": "492",
    "tibialheight": "468",
    "lateralmalleolusheight": "73",
    "headbreadth": "152",
}


@dataclass(frozen=True)
class SyntheticBody:
    """One subject: landmarks (33, 4) in image pixels, the measured truth (image y, px), one
    B-cun (px) and the acromion-to-acromion and iliac-crest breadths (px)."""

    sex: str
    landmarks: np.ndarray
    truth_y: dict[str, float]
    cun_px: float
    biacromial_px: float
    bicristal_px: float


def body_from_ansur(
    row: dict[str, str], keypoints: SyntheticKeypoints | None = None
) -> SyntheticBody:
    """Turn one ANSUR II row (mm) into the 33 landmarks a camera behind the subject sees; the
    shoulder and hip keypoints sit where `keypoints` (default: calibration/keypoints.json) says,
    relative to the acromion tips and the trochanter tops."""
    keypoints = keypoints or load_synthetic_keypoints()
    m = {key: float(value) for key, value in row.items() if key != "sex" and _is_number(value)}
    breadth = m["biacromialbreadth"]
    half_shoulder = breadth / 2
    quarter_hip = m["hipbreadth"] / 4
    placements = {  # keypoint pair index (left) -> (height above floor, lateral offset), mm
        Keypoint.LEFT_SHOULDER: (
            m["acromialheight"] - keypoints.shoulder_below_acromion * breadth,
            half_shoulder - keypoints.shoulder_inside_acromion * breadth,
        ),
        Keypoint.LEFT_ELBOW: (m["acromialheight"] - m["acromionradialelength"], half_shoulder + 10),
        Keypoint.LEFT_WRIST: (m["wristheight"], half_shoulder + 20),
        Keypoint.LEFT_PINKY: (m["wristheight"] - 60, half_shoulder + 25),
        Keypoint.LEFT_INDEX: (m["wristheight"] - 60, half_shoulder + 25),
        Keypoint.LEFT_THUMB: (m["wristheight"] - 60, half_shoulder + 25),
        Keypoint.LEFT_HIP: (
            m["trochanterionheight"] - keypoints.hip_below_trochanter * breadth,
            quarter_hip,
        ),
        Keypoint.LEFT_KNEE: (m["lateralfemoralepicondyleheight"], quarter_hip - 10),
        Keypoint.LEFT_ANKLE: (m["lateralmalleolusheight"], quarter_hip - 15),
        Keypoint.LEFT_HEEL: (30.0, quarter_hip - 15),
        Keypoint.LEFT_FOOT_INDEX: (20.0, quarter_hip - 15),
        Keypoint.LEFT_EAR: (m["stature"] - 125, m["headbreadth"] / 2),
    }
    landmarks = np.zeros((KEYPOINT_COUNT, 4))
    landmarks[:, 3] = 0.99
    for left, (height, offset) in placements.items():
        landmarks[left, :2] = (MIDLINE_X - offset, FLOOR_Y - height)
        landmarks[left + 1, :2] = (MIDLINE_X + offset, FLOOR_Y - height)
    face = {  # index -> (height below stature, lateral offset), receiver's left negative x
        0: (120, 0),
        1: (100, -30),
        2: (100, -30),
        3: (100, -30),
        4: (100, 30),
        5: (100, 30),
        6: (100, 30),
        9: (150, -20),
        10: (150, 20),
    }
    for index, (below, offset) in face.items():
        landmarks[index, :2] = (MIDLINE_X + offset, FLOOR_Y - (m["stature"] - below))
    landmarks[list(FACE), 3] = 0.5
    truth_y = {
        "C7": FLOOR_Y - m["cervicaleheight"],
        "iliac_crest": FLOOR_Y - m["iliocristaleheight"],
        "greater_trochanter": FLOOR_Y - m["trochanterionheight"],
        "popliteal_crease": FLOOR_Y - m["tibialheight"],
        "lateral_malleolus": FLOOR_Y - m["lateralmalleolusheight"],
        "acromion": FLOOR_Y - m["acromialheight"],
        "navel": FLOOR_Y - m["waistheightomphalion"],
        "suprasternale": FLOOR_Y - m["suprasternaleheight"],
    }
    return SyntheticBody(
        row["sex"],
        landmarks,
        truth_y,
        cun_of_stature(m["stature"]),
        m["biacromialbreadth"],
        m["bicristalbreadth"],
    )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
