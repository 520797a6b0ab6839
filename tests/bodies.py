"""Hand-written bodies for geometry tests (ANSUR II mean man, SYNTHETIC_BODIES.md convention)."""

from __future__ import annotations

import numpy as np

from finder.synthetic import body_from_ansur

# Rounded ANSUR II male means (mm), REFERENCE.md section 5.1.
MEAN_MAN = {
    "sex": "male",
    "stature": "1756",
    "cervicaleheight": "1517",
    "acromialheight": "1441",
    "suprasternaleheight": "1439",
    "biacromialbreadth": "416",
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
