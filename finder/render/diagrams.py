"""Small pictures of a back that show where one landmark lies, drawn from the body model on the
ANSUR II mean man (finder.body.synthetic.MEAN_MAN). Output: BGR uint8 images, a few hundred
pixels."""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from finder.body.anatomy import Anatomy
from finder.body.from_pose import build_anatomy
from finder.body.landmarks import SIDES, Keypoint
from finder.body.synthetic import IMAGE_SIZE, MEAN_MAN, body_from_ansur
from finder.body.view import orient

PAPER = (246, 242, 238)
INK = (120, 110, 100)
BONE = (170, 160, 150)
MARK = (40, 40, 220)
CROP_MM = (880, 520, 1520, 1930)  # x0, y0, x1, y1 in the mean man's image (1 px = 1 mm)


@lru_cache(maxsize=1)
def _mean_body() -> tuple[np.ndarray, Anatomy]:
    landmarks = body_from_ansur(MEAN_MAN).landmarks
    return landmarks, build_anatomy(orient(landmarks, IMAGE_SIZE, "back"))


@lru_cache(maxsize=32)
def landmark_picture(name: str, height_px: int = 260) -> np.ndarray:
    """A back seen from behind, head to knees, with `name` (an anatomy landmark) marked."""
    landmarks, anatomy = _mean_body()
    x0, y0, x1, y1 = CROP_MM
    scale = height_px / (y1 - y0)
    width_px = round((x1 - x0) * scale)
    canvas = np.full((height_px, width_px, 3), PAPER, np.uint8)

    def px(xy) -> tuple[int, int]:
        return round((xy[0] - x0) * scale), round((xy[1] - y0) * scale)

    marks = anatomy.landmarks
    thick = max(1, round(height_px / 110))
    head = (landmarks[Keypoint.LEFT_EAR, :2] + landmarks[Keypoint.RIGHT_EAR, :2]) / 2
    cv2.circle(canvas, px(head), round(95 * scale), INK, thick, cv2.LINE_AA)
    outline = [
        marks["acromion_left"].xy,
        landmarks[Keypoint.LEFT_HIP, :2] - (60, 0),
        landmarks[Keypoint.LEFT_KNEE, :2] - (40, 0),
        landmarks[Keypoint.RIGHT_KNEE, :2] + (40, 0),
        landmarks[Keypoint.RIGHT_HIP, :2] + (60, 0),
        marks["acromion_right"].xy,
    ]
    cv2.polylines(canvas, [np.array([px(p) for p in outline])], True, INK, thick, cv2.LINE_AA)
    cv2.line(canvas, px(marks["C7"].xy), px(marks["S2"].xy), BONE, thick, cv2.LINE_AA)
    for side in SIDES:
        blade = [marks[f"{part}_{side}"].xy for part in ("scapula_spine_root", "acromion")]
        blade.append(marks[f"scapula_inferior_angle_{side}"].xy)
        cv2.polylines(canvas, [np.array([px(p) for p in blade])], True, BONE, thick, cv2.LINE_AA)
    crests = [marks[f"iliac_crest_top_{side}"].xy for side in SIDES]
    cv2.line(canvas, px(crests[0]), px(crests[1]), BONE, thick, cv2.LINE_AA)
    centre = px(marks[name].xy)
    cv2.circle(canvas, centre, 4 * thick, MARK, -1, cv2.LINE_AA)
    cv2.circle(canvas, centre, 8 * thick, MARK, thick, cv2.LINE_AA)
    return canvas
