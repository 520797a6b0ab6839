"""Transformed copies of a photo (mirrored, turned, rotated, cropped, scaled) and the map of a
copy's pixel positions back into the original, for the evaluations that ask how steady the
finder is (`view_report` for bodies, `evaluate_hands` for hands); and a photo with another
picture pasted beside it (`search_report`'s second person).

Pixel positions are continuous, as MediaPipe reports them: pixel (col, row) covers [col, col + 1)
x [row, row + 1), x to the right, y downward. A copy is one affine map from original to copy
positions; `Copy.render` converts it to OpenCV's pixel-centre convention when it draws the copy,
so that a point found on the copy maps back to the same place in the original.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

_CENTRE = np.array([0.5, 0.5])  # a pixel's centre, from its top-left corner (px)


@dataclass(frozen=True)
class Copy:
    """A transformed copy of a photo: `matrix` (2 x 3) maps original pixel positions to the
    copy's (continuous pixels); `size` is the copy's (width, height) px; `border` is how the
    copy is filled beyond the original (an OpenCV border mode)."""

    name: str
    matrix: np.ndarray
    size: tuple[int, int]
    border: int = cv2.BORDER_REPLICATE

    def render(self, bgr: np.ndarray) -> np.ndarray:
        """The copy of `bgr`, the original (BGR uint8)."""
        linear, shift = self.matrix[:, :2], self.matrix[:, 2]
        if _is_shrink(linear, shift):
            return cv2.resize(bgr, self.size, interpolation=cv2.INTER_AREA)
        # In pixel-centre coordinates (continuous minus one half) the shift changes.
        centred = np.column_stack([linear, shift + linear @ _CENTRE - _CENTRE])
        return cv2.warpAffine(
            bgr, centred, self.size, flags=cv2.INTER_LINEAR, borderMode=self.border
        )

    @property
    def mirrored(self) -> bool:
        """A mirror image: the finder sees the receiver's (or the hand owner's) other side."""
        return float(np.linalg.det(self.matrix[:, :2])) < 0

    def to_original(self, xy) -> np.ndarray:
        """Copy pixel positions, (2,) or (n, 2), in the original's pixels (same shape)."""
        inverse = cv2.invertAffineTransform(self.matrix)
        return np.asarray(xy, dtype=float) @ inverse[:, :2].T + inverse[:, 2]

    def from_original(self, xy) -> np.ndarray:
        """Original pixel positions, (2,) or (n, 2), in the copy's pixels (same shape)."""
        return np.asarray(xy, dtype=float) @ self.matrix[:, :2].T + self.matrix[:, 2]


def _is_shrink(linear: np.ndarray, shift: np.ndarray) -> bool:
    diagonal = np.diag(np.diag(linear))
    return bool(np.all(linear == diagonal) and np.all(shift == 0) and np.all(np.diag(linear) < 1))


def mirrored(size: tuple[int, int]) -> Copy:
    """Flipped left to right."""
    return Copy("mirrored", np.array([[-1.0, 0.0, size[0]], [0.0, 1.0, 0.0]]), size)


def quarter_turn(size: tuple[int, int]) -> Copy:
    """Turned a quarter clockwise: original (x, y) -> (height - y, x)."""
    width, height = size
    return Copy("rotated 90°", np.array([[0.0, -1.0, height], [1.0, 0.0, 0.0]]), (height, width))


def rotated(
    size: tuple[int, int], angle_deg: float, name: str = "", border: int = cv2.BORDER_REPLICATE
) -> Copy:
    """Rotated about the centre by `angle_deg` (counter-clockwise), on a canvas that holds it."""
    width, height = size
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle_deg, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_size = (round(height * sin + width * cos), round(height * cos + width * sin))
    matrix[:, 2] += (new_size[0] - width) / 2, (new_size[1] - height) / 2
    return Copy(name or f"rotated {angle_deg:+g} deg", matrix, new_size, border)


def cropped(box: tuple[int, int, int, int], name: str = "cropped") -> Copy:
    """The part of the picture inside `box` = (x0, y0, x1, y1), whole pixels of the original."""
    x0, y0, x1, y1 = (int(v) for v in box)
    return Copy(name, np.array([[1.0, 0.0, -x0], [0.0, 1.0, -y0]]), (x1 - x0, y1 - y0))


def scaled(size: tuple[int, int], new_size: tuple[int, int], name: str = "scaled") -> Copy:
    """Resized to `new_size` (width, height) px; a smaller copy averages the original's pixels."""
    sx, sy = new_size[0] / size[0], new_size[1] / size[1]
    return Copy(name, np.array([[sx, 0.0, 0.0], [0.0, sy, 0.0]]), tuple(new_size))


def then(first: Copy, second: Copy) -> Copy:
    """`second` applied to the copy `first` (`second` made for `first.size`)."""
    linear = second.matrix[:, :2] @ first.matrix[:, :2]
    shift = second.matrix[:, :2] @ first.matrix[:, 2] + second.matrix[:, 2]
    return Copy(
        f"{first.name}, {second.name}", np.column_stack([linear, shift]), second.size, second.border
    )


@dataclass(frozen=True)
class Beside:
    """A photo on a canvas widened to hold another picture beside it: `picture` (BGR uint8),
    `original` (the map of the photo's pixel positions onto the canvas) and `pasted`, the box
    (x0, y0, x1, y1 px of the canvas, right and bottom exclusive) the other picture fills."""

    picture: np.ndarray
    original: Copy
    pasted: tuple[int, int, int, int]


def beside(bgr: np.ndarray, other: np.ndarray, top: int, height: int, on_left: bool) -> Beside:
    """`bgr` widened on the left or right by `other` (BGR uint8) scaled to `height` px (at most
    down to the bottom edge) with its top at row `top`; the rest of the widening is `bgr`'s median
    colour."""
    photo_height, photo_width = bgr.shape[:2]
    height = min(height, photo_height - top)
    width = round(other.shape[1] * height / other.shape[0])
    pasted = scaled((other.shape[1], other.shape[0]), (width, height)).render(other)
    canvas = np.empty((photo_height, photo_width + width, 3), np.uint8)
    canvas[:] = np.median(bgr[::4, ::4].reshape(-1, 3), axis=0).astype(np.uint8)
    shift, x0 = (width, 0) if on_left else (0, photo_width)
    canvas[:, shift : shift + photo_width] = bgr
    canvas[top : top + height, x0 : x0 + width] = pasted
    original = Copy(
        "beside another picture",
        np.array([[1.0, 0.0, shift], [0.0, 1.0, 0.0]]),
        canvas.shape[1::-1],
    )
    return Beside(canvas, original, (x0, top, x0 + width, top + height))
