"""The hand view's pipeline: image -> MediaPipe Hands -> which hand, which face -> hand points."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from finder.adapters.imageio import read_image
from finder.adapters.pose import HandEstimator, PoseMode
from finder.body.hands import hand_points, locate_on_hands
from finder.body.result import FinderResult
from finder.pipelines.photo import select_points


def locate_hand_points(
    image: str | Path | np.ndarray,
    codes: Iterable[str] | None = None,
    estimator: HandEstimator | None = None,
    mirrored: bool = False,
) -> FinderResult:
    """Hand points (LI-4, TE-3 by default; `codes` by code or alias) on the back of each hand in
    a photo: a file path or a BGR uint8 array (OpenCV order). `mirrored` for a mirrored preview
    (selfie camera), which swaps the owner's left and right."""
    bgr = image if isinstance(image, np.ndarray) else read_image(Path(image))
    estimator = estimator or shared_hand_estimator()
    height, width = bgr.shape[:2]
    hands = estimator.detect(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), mirrored=mirrored)
    points = hand_points() if codes is None else select_points(codes)
    return locate_on_hands(hands, (width, height), points)


@lru_cache(maxsize=1)
def shared_hand_estimator() -> HandEstimator:
    """One still-image hand model per process, for the command line and the Python API."""
    return HandEstimator(PoseMode.STILL)
