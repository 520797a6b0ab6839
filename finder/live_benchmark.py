"""Live-video throughput: the whole per-frame work of `LiveProcessor` against bare pose tracking.

The clip is a slow pan and zoom over the full-body back photo (shared photo 13, or its copy in
`samples/`) at 640x480. Run with `python -m finder.live_benchmark`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from finder.imageio import read_image

FRAME_SIZE = (640, 480)  # (width, height) in pixels
CLIP_FRAMES = 150
CLIP_FPS = 10.0
_ROOT = Path(__file__).resolve().parents[1]
PHOTO_CANDIDATES = (
    _ROOT.parent / "shared" / "data" / "photos" / "13_standing_full-body_swimwear_pexels-5282577.jpg",
    _ROOT / "samples" / "full-back-standing.jpg",
)


def default_photo() -> Path:
    """The full-body back photo the clip is made from (shared photo 13, else its sample copy)."""
    for path in PHOTO_CANDIDATES:
        if path.is_file():
            return path
    raise FileNotFoundError(f"none of {', '.join(map(str, PHOTO_CANDIDATES))} exists")


def pan_zoom_clip(
    photo_bgr: np.ndarray,
    frames: int = CLIP_FRAMES,
    size: tuple[int, int] = FRAME_SIZE,
    body_centre: tuple[float, float] = (0.52, 0.55),
) -> Iterator[np.ndarray]:
    """BGR frames of `size` (width, height px): a slow pan and zoom over a portrait photo.

    The photo's height fills the frame at zoom 1; the zoom goes to 1.2 and back while the
    photo drifts sideways by up to a sixth of the frame width and a little vertically, one
    cycle per clip. `body_centre` is the point kept near the frame centre, as fractions of the
    photo's width and height. Beyond the photo's edges its border is stretched and blurred.
    """
    width, height = size
    photo_h, photo_w = photo_bgr.shape[:2]
    # Shrink once so that the per-frame warp never shrinks by much (less aliasing).
    prescale = min(1.0, 1.3 * height / photo_h)
    small = cv2.resize(
        photo_bgr,
        (round(photo_w * prescale), round(photo_h * prescale)),
        interpolation=cv2.INTER_AREA,
    )
    small_h, small_w = small.shape[:2]
    centre = np.array([body_centre[0] * small_w, body_centre[1] * small_h])
    inside = np.full((small_h, small_w), 255, np.uint8)
    for index in range(frames):
        phase = 2 * math.pi * index / max(frames, 1)
        zoom = 1.0 + 0.1 * (1 - math.cos(phase))
        scale = zoom * height / small_h
        target = np.array(
            [width / 2 + width / 6 * math.sin(phase), height / 2 + 0.04 * height * math.sin(2 * phase)]
        )
        shift = target - scale * centre
        matrix = np.array([[scale, 0, shift[0]], [0, scale, shift[1]]])
        sharp = cv2.warpAffine(
            small, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        mask = cv2.warpAffine(inside, matrix, (width, height), flags=cv2.INTER_NEAREST)
        backdrop = cv2.GaussianBlur(sharp, (0, 0), 12)
        yield np.where(mask[:, :, None] > 0, sharp, backdrop)


def clip(frames: int = CLIP_FRAMES, photo: Path | None = None) -> list[np.ndarray]:
    """The benchmark clip as a list of 640x480 BGR frames."""
    return list(pan_zoom_clip(read_image(photo or default_photo()), frames))
