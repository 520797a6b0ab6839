"""A moving body is drawn as before the live view's speed work: the stored results of the fixed
frames (tests/render/frames.py) moved step by step as the live view moves them (a shift, a
turn, a zoom; one `Annotator` follows them, so labels are moved and laid out again as on
video), drawn over the frames' backdrop, equal the drawing of main at fe8978c pixel for pixel
(tests/render/data/moving-<frame>.png holds that drawing XOR the backdrop, the steps one
below the other, so that the files stay small). Run this module to draw the references again."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from finder.body.result import FinderResult, transform_result
from finder.render.overlay import Annotator
from tests.render.test_look import FRAMES

DATA = Path(__file__).parent / "data"
# (turn degrees, zoom, shift x, y px) about the picture's centre, each from the first frame:
# small steps that move the labels, a zoom that changes the label size, a jump that sends
# labels out of the picture, and sub-pixel steps.
STEPS = (
    (0.0, 1.0, 0.0, 0.0),
    (0.0, 1.0, 3.0, 1.0),
    (1.5, 1.0, 8.0, 2.0),
    (1.5, 1.0, 8.3, 2.4),
    (0.0, 1.12, 20.0, -4.0),
    (-2.0, 0.9, -70.0, 12.0),
)
NAMES = ("dense", "routine")


def moved(result: FinderResult, step: tuple[float, float, float, float]) -> FinderResult:
    angle, zoom, dx, dy = step
    centre = (result.width / 2, result.height / 2)
    matrix = cv2.getRotationMatrix2D(centre, angle, zoom)
    matrix[:, 2] += (dx, dy)
    return transform_result(result, matrix)


def drawn_sequence(name: str) -> np.ndarray:
    """The frame `name` drawn at every step of STEPS by one annotator, XOR its backdrop, the
    steps one below the other."""
    frame = FRAMES[name]
    annotator = Annotator(show_legend=frame.show_legend)
    return np.vstack(
        [
            cv2.bitwise_xor(
                annotator.annotate(
                    frame.bgr, moved(frame.result, step), frame.codes, frame.highlight
                ),
                frame.bgr,
            )
            for step in STEPS
        ]
    )


@pytest.mark.parametrize("name", NAMES)
def test_a_moving_body_is_drawn_as_before(name):
    xor = drawn_sequence(name)
    before = cv2.imread(str(DATA / f"moving-{name}.png"))
    height = FRAMES[name].bgr.shape[0]
    for step in range(len(STEPS)):
        rows = slice(step * height, (step + 1) * height)
        changed = (xor[rows] != before[rows]).any(axis=2)
        assert not changed.any(), (
            f"step {step}: {changed.sum()} pixels differ, e.g. at {np.argwhere(changed)[:5]}"
        )


if __name__ == "__main__":
    for name in NAMES:
        cv2.imwrite(
            str(DATA / f"moving-{name}.png"),
            drawn_sequence(name),
            [cv2.IMWRITE_PNG_COMPRESSION, 9],
        )
