"""How steady the hand view is on real photos: each photo and copies of it (mirrored, rotated
90 and 30 degrees, cropped to the hands, halved) go through MediaPipe Hands and the hand model;
the tables say how often the points are placed and how far a point placed on both the original and
the copy moves between them, in F-cun of the original hand, after mapping the copy's point back
into the original's pixels.

`finder evaluate-hands ../shared/data/photos` prints the tables (Markdown).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from finder.adapters.imageio import read_image
from finder.adapters.pose import HandEstimator
from finder.body.hand_landmarks import OTHER_SIDE
from finder.body.hands import (
    hand_points,
    hands_by_side,
    load_hand_model,
    locate_on_hands,
)

ROTATION_DEG = 30.0
CROP_MARGIN = 0.1  # of the hands' bounding box, on each side: a close-up
CENTRE_CROP = 0.7  # of each side, when the original has no hand


@dataclass(frozen=True)
class Copy:
    """A transformed copy of a photo: `back` maps (n, 2) pixel positions in the copy to the
    original's pixels; `swaps_sides` when the copy shows the owner's other hand (a mirror)."""

    bgr: np.ndarray
    back: Callable[[np.ndarray], np.ndarray]
    swaps_sides: bool = False


def mirrored(bgr: np.ndarray, hands_box) -> Copy:
    width = bgr.shape[1]
    return Copy(cv2.flip(bgr, 1), lambda xy: np.column_stack((width - xy[:, 0], xy[:, 1])), True)


def rotated_90(bgr: np.ndarray, hands_box) -> Copy:
    """Turned a quarter clockwise: original (x, y) -> (height - y, x)."""
    height = bgr.shape[0]
    return Copy(
        cv2.rotate(bgr, cv2.ROTATE_90_CLOCKWISE),
        lambda xy: np.column_stack((xy[:, 1], height - xy[:, 0])),
    )


def rotated(bgr: np.ndarray, hands_box, degrees: float = ROTATION_DEG) -> Copy:
    """Turned `degrees` counter-clockwise about the centre on a canvas large enough to keep every
    pixel (black corners)."""
    height, width = bgr.shape[:2]
    matrix = cv2.getRotationMatrix2D(((width - 1) / 2, (height - 1) / 2), degrees, 1.0)
    corners = np.array([[0, 0, 1], [width, 0, 1], [0, height, 1], [width, height, 1]], float)
    turned = corners @ matrix.T
    low = turned.min(axis=0)
    matrix[:, 2] -= low
    size = np.ceil(turned.max(axis=0) - low).astype(int)
    inverse = cv2.invertAffineTransform(matrix)
    # MediaPipe's pixel positions are continuous (pixel i spans i..i+1); OpenCV's are centres.
    return Copy(
        cv2.warpAffine(bgr, matrix, (int(size[0]), int(size[1]))),
        lambda xy: (np.column_stack((xy - 0.5, np.ones(len(xy)))) @ inverse.T) + 0.5,
    )


def cropped(bgr: np.ndarray, hands_box) -> Copy:
    """Cut to the hands' bounding box plus a margin (the middle of the photo without hands)."""
    height, width = bgr.shape[:2]
    if hands_box is None:
        margin_x, margin_y = (1 - CENTRE_CROP) / 2 * width, (1 - CENTRE_CROP) / 2 * height
        box = (margin_x, margin_y, width - margin_x, height - margin_y)
    else:
        x0, y0, x1, y1 = hands_box
        pad_x, pad_y = CROP_MARGIN * (x1 - x0), CROP_MARGIN * (y1 - y0)
        box = (x0 - pad_x, y0 - pad_y, x1 + pad_x, y1 + pad_y)
    x0, y0 = max(int(box[0]), 0), max(int(box[1]), 0)
    x1, y1 = min(int(np.ceil(box[2])), width), min(int(np.ceil(box[3])), height)
    offset = np.array([x0, y0], float)
    return Copy(bgr[y0:y1, x0:x1], lambda xy: xy + offset)


def halved(bgr: np.ndarray, hands_box) -> Copy:
    height, width = bgr.shape[:2]
    size = (max(width // 2, 1), max(height // 2, 1))
    scale = np.array([width / size[0], height / size[1]])
    small = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA)
    return Copy(small, lambda xy: xy * scale)


# The kinds of copy: name -> maker(bgr, hands_box or None) -> Copy.
COPIES: dict[str, Callable[[np.ndarray, tuple | None], Copy]] = {
    "mirrored": mirrored,
    "rotated 90°": rotated_90,
    f"rotated {ROTATION_DEG:.0f}°": rotated,
    "cropped close": cropped,
    "half size": halved,
}


@dataclass(frozen=True)
class PhotoOutcome:
    """One photo: what was read on the original, and per copy the points placed on both (their
    movement in F-cun), on the original only, and on the copy only."""

    name: str
    notes: str
    placed: int
    moves: dict[str, list[float]]
    lost: dict[str, int]
    new: dict[str, int]


def evaluate_photo(path: Path, estimator: HandEstimator) -> PhotoOutcome:
    model = load_hand_model()
    points = hand_points()
    bgr = read_image(path)

    def locate(image):
        hands = estimator.detect(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
        height, width = image.shape[:2]
        return hands, locate_on_hands(hands, (width, height), points, model)

    hands, original = locate(bgr)
    by_side, notes = hands_by_side(hands, model)
    fcun = {side: reading.fcun_px for side, (_, reading) in by_side.items()}
    placed = {(p.code, p.side): np.array(p.xy) for p in original.points}
    box = None
    if hands:
        xy = np.vstack([hand.landmarks[:, :2] for hand in hands])
        box = (*xy.min(axis=0), *xy.max(axis=0))
    moves, lost, new = {}, {}, {}
    for name, make in COPIES.items():
        copy = make(bgr, box)
        _, result = locate(copy.bgr)
        seen = {
            (p.code, OTHER_SIDE[p.side] if copy.swaps_sides else p.side): copy.back(
                np.array([p.xy])
            )[0]
            for p in result.points
        }
        moves[name] = [
            float(np.linalg.norm(seen[key] - xy) / fcun[key[1]])
            for key, xy in placed.items()
            if key in seen
        ]
        lost[name] = sum(key not in seen for key in placed)
        new[name] = sum(key not in placed for key in seen)
    return PhotoOutcome(
        path.name, "; ".join(notes) or original.summary(), len(placed), moves, lost, new
    )


def run(paths: Sequence[Path]) -> str:
    """Markdown tables: per photo, then per kind of copy."""
    estimator = HandEstimator("still")
    outcomes = [evaluate_photo(path, estimator) for path in paths]
    names = list(COPIES)
    lines = [
        "| photo | what the finder reads | points placed | "
        + " | ".join(f"{name}: median move (cun)" for name in names)
        + " |",
        "|---|---|---:|" + "---:|" * len(names),
    ]
    for outcome in outcomes:
        cells = [_median(outcome.moves[name]) for name in names]
        lines.append(
            f"| {outcome.name[:2]} | {outcome.notes} | {outcome.placed} | "
            + " | ".join(cells)
            + " |"
        )
    lines += [
        "",
        "| copy | placed on the copy too | lost on the copy | new on the copy | "
        "median move (cun) | 95th pct (cun) | max (cun) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    total = sum(outcome.placed for outcome in outcomes)
    for name in names:
        moves = [move for outcome in outcomes for move in outcome.moves[name]]
        lost = sum(outcome.lost[name] for outcome in outcomes)
        new = sum(outcome.new[name] for outcome in outcomes)
        lines.append(
            f"| {name} | {len(moves)} of {total} | {lost} | {new} | {_median(moves)} | "
            f"{_percentile(moves, 95)} | {_percentile(moves, 100)} |"
        )
    lines.append("")
    lines.append(
        "Moves are in F-cun of the original hand (1 F-cun = 4/9 of the index-to-little knuckle "
        "span); a mirrored copy shows the owner's other hand, so its points are matched to the "
        "other side."
    )
    return "\n".join(lines)


def _median(values: list[float]) -> str:
    return f"{np.median(values):.2f}" if values else "–"


def _percentile(values: list[float], q: float) -> str:
    return f"{np.percentile(values, q):.2f}" if values else "–"
