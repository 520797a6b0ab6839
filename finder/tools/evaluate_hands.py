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
from finder.adapters.pose import HandEstimator, PoseMode
from finder.body.hand_landmarks import OTHER_SIDE
from finder.body.hands import hand_points, hands_by_side, load_hand_model, locate_on_hands
from finder.tools.copies import Copy, cropped, mirrored, quarter_turn, rotated, scaled

ROTATION_DEG = 30.0
CROP_MARGIN = 0.1  # of the hands' bounding box, on each side: a close-up
CENTRE_CROP = 0.7  # of each side, when the original has no hand


def cropped_close(size: tuple[int, int], hands_box) -> Copy:
    """Cut to the hands' bounding box (x0, y0, x1, y1 px) plus a margin; the middle of the photo
    when it has no hands."""
    width, height = size
    if hands_box is None:
        margin_x, margin_y = (1 - CENTRE_CROP) / 2 * width, (1 - CENTRE_CROP) / 2 * height
        box = (margin_x, margin_y, width - margin_x, height - margin_y)
    else:
        x0, y0, x1, y1 = hands_box
        pad_x, pad_y = CROP_MARGIN * (x1 - x0), CROP_MARGIN * (y1 - y0)
        box = (x0 - pad_x, y0 - pad_y, x1 + pad_x, y1 + pad_y)
    x0, y0 = max(int(box[0]), 0), max(int(box[1]), 0)
    x1, y1 = min(int(np.ceil(box[2])), width), min(int(np.ceil(box[3])), height)
    return cropped((x0, y0, x1, y1), "cropped close")


# The kinds of copy: name -> maker(original size (width, height) px, hands box or None) -> Copy.
COPIES: dict[str, Callable[[tuple[int, int], tuple | None], Copy]] = {
    "mirrored": lambda size, box: mirrored(size),
    "rotated 90°": lambda size, box: quarter_turn(size),
    f"rotated {ROTATION_DEG:.0f}°": lambda size, box: rotated(
        size, ROTATION_DEG, f"rotated {ROTATION_DEG:.0f}°", cv2.BORDER_CONSTANT
    ),
    "cropped close": cropped_close,
    "half size": lambda size, box: scaled(
        size, (max(size[0] // 2, 1), max(size[1] // 2, 1)), "half size"
    ),
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
    size = (bgr.shape[1], bgr.shape[0])
    for name, make in COPIES.items():
        copy = make(size, box)
        _, result = locate(copy.render(bgr))
        seen = {
            (p.code, OTHER_SIDE[p.side] if copy.mirrored else p.side): copy.to_original(p.xy)
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
    estimator = HandEstimator(PoseMode.STILL)
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
