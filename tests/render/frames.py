"""Fixed frames for the overlay's look: the synthetic mean man (tests/bodies.py) scaled into a
picture over a seeded textured background, with the results the overlay draws on them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from finder import locate_landmarks
from finder.body.catalog import load_catalog
from finder.body.result import FinderResult
from tests.bodies import similarity, standing_back_view

ROUTINE = "lower-back"


@dataclass(frozen=True)
class Frame:
    """A picture (BGR uint8), the result on it and how the overlay is asked to draw it."""

    name: str
    bgr: np.ndarray
    result: FinderResult
    codes: frozenset[str] | None = None
    highlight: str | None = None
    show_legend: bool = True


def backdrop(size: tuple[int, int]) -> np.ndarray:
    """A smooth gradient of `size` (width, height px) from dark to light, so that the blending
    of rings and shades shows on it (and the reference PNGs stay small)."""
    width, height = size
    x = np.linspace(0.0, 1.0, width)[None, :]
    y = np.linspace(0.0, 1.0, height)[:, None]
    channels = (60 + 120 * x + 0 * y, 50 + 150 * y + 0 * x, 170 - 100 * (x + y) / 2)
    return np.dstack(channels).round().astype(np.uint8)


def body_in(size: tuple[int, int], scale: float) -> np.ndarray:
    """The mean man's back view scaled by `scale` (1 = 1 px per mm) and centred in a picture of
    `size` (width, height px)."""
    body = standing_back_view()
    centre = body[:, :2].min(axis=0) / 2 + body[:, :2].max(axis=0) / 2
    shift = np.asarray(size, dtype=float) / 2 - centre
    return similarity(body, scale=scale, shift=shift, centre=centre)


def fixed_frames() -> tuple[Frame, ...]:
    """A dense body (torso about 100 px wide) at 640x480 with every point, a larger one, a
    routine with a highlighted point and no legend, and a refused body (the banner)."""
    routine = frozenset(load_catalog().routine(ROUTINE).points)
    frames = []
    for name, size, scale in (("dense", (640, 480), 0.27), ("large", (1200, 900), 0.5)):
        result = locate_landmarks(body_in(size, scale), size, view="back")
        frames.append(Frame(name, backdrop(size), result))
    size = (640, 480)
    result = locate_landmarks(body_in(size, 0.27), size, view="back")
    frames.append(Frame("routine", backdrop(size), result, routine, "BL-23", show_legend=False))
    refused = body_in(size, 0.27)
    refused[[11, 12], 3] = 0.1  # shoulders not seen
    frames.append(Frame("refused", backdrop(size), locate_landmarks(refused, size, view="back")))
    return tuple(frames)
