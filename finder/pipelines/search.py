"""Get more from BlazePose before giving up: turned, bordered and boxed copies of a photo.

BlazePose is trained on upright people seen whole. A receiver lying face down is horizontal in
the picture, massage photos cut the head or the legs, and a therapist in view draws the model
away. When the upright pass finds no plausible body, the same photo is shown again as
*attempts*: the receiver box cut out (when the partner drew one), a border added on every side
(so a body cut by the frame looks whole), and the picture turned by quarter turns. Each
attempt's pose is mapped back exactly into the original photo, oriented and checked once with
`finder.body.trust.check`; the checked pose is what the later stages use.

Coordinate frames (all continuous pixel coordinates: pixel (col, row) covers [col, col + 1) x
[row, row + 1), x to the right, y downward, as BlazePose reports them):

- original: the decoded photo, `image_size = (width, height)`;
- attempt: what the estimator sees, made from the original by cropping to the box, adding the
  border, then turning clockwise. `attempt_matrix` is that map as a 3 x 3 affine matrix
  (integer entries, exactly invertible); `to_original` applies its inverse.

Only the upright pass is trusted on `check_pose` alone, as before. A rescued pose must also be
found again, at the same place, by other attempts: searching many copies of a photo gives many
chances for a garbage pose to pass the checks once, while a real body is found from most of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from finder.adapters.imageio import MIN_SIDE_PX
from finder.adapters.pose import PoseEstimator, PoseMode
from finder.body.landmarks import HIPS, SHOULDERS
from finder.body.pose import Pose
from finder.body.trust import CheckedPose, check

Box = tuple[int, int, int, int]
"""A rectangle x, y, w, h in original image pixels (top-left corner, width, height)."""

QUARTER_TURNS = (0, 1, 2, 3)
"""Clockwise quarter turns tried: upright, 90°, 180°, 270° (= 90° counter-clockwise)."""

BORDER_FRACTIONS = (0.0, 0.25)
"""Border added on every side, as a fraction of the long side of the (boxed) picture. The border
repeats the edge pixels (cv2.BORDER_REPLICATE), so a limb cut by the frame runs on into it. On
40 random rotated crops of photo 13 (exploration while building this), a replicated border of
0.25 gave 17 attempts whose pose passed the checks at the right place and 5 at a wrong place; a
grey border gave 10 and 10. `finder rescue-report --crops-from PHOTO` prints what the chosen
settings do."""

AGREEMENT_TRUNKS = 0.1
"""Two poses are the same body when each shoulder and hip keypoint lies within this fraction of
the trunk length (shoulder midpoint to hip midpoint) of each other."""

MIN_SUPPORT = 3
"""Other accepted attempts (of 7) that must find the same body before a rescued pose is used.
Measured with these settings: photo 13 is found by all 7 other attempts, the rotated crops of
it that rescue recovers by 3 to 5; the wrong poses that pass the checks on the other shared
photos (therapist's arms, hips at a bra band, a body inside a hand) by none."""

_TURN_NAMES = {1: "rotated 90° clockwise", 2: "rotated 180°", 3: "rotated 90° counter-clockwise"}


class BoxError(ValueError):
    """The receiver box cannot be used; `str(err)` is a one-line message for the user."""


@dataclass(frozen=True)
class Attempt:
    """One way of showing the photo to BlazePose: crop to `box` (original pixels; None for the
    whole photo), add a border of `border_px` pixels on every side (edge pixels repeated), turn
    `quarter_turns` x 90° clockwise."""

    box: Box | None = None
    border_px: int = 0
    quarter_turns: int = 0

    @property
    def upright(self) -> bool:
        """The photo (or the box) as it is: no border, no turn."""
        return self.border_px == 0 and self.quarter_turns == 0

    def describe(self) -> str:
        """What was done to the photo, for a person: "upright", "inside the receiver box,
        padded, rotated 90° clockwise", ..."""
        parts = []
        if self.box is not None:
            parts.append("inside the receiver box")
        if self.border_px:
            parts.append("padded")
        if self.quarter_turns:
            parts.append(_TURN_NAMES[self.quarter_turns])
        return ", ".join(parts) or "upright"


@dataclass(frozen=True)
class FoundPose:
    """The pose to use, in ORIGINAL image pixels, oriented and checked once (`checked`); None
    when no attempt found anybody. `attempt` produced it; `passes` is how many times the
    estimator ran; `plausible` how many of the other attempts gave a pose that passed the checks;
    `support` how many of those found the same body as the one returned (0 when unchecked)."""

    checked: CheckedPose | None
    attempt: Attempt
    passes: int
    plausible: int = 0
    support: int = 0

    @property
    def landmarks(self) -> np.ndarray | None:
        """The oriented landmarks (33, 4; x, y original px), or None."""
        return None if self.checked is None else self.checked.pose.landmarks

    @property
    def accepted(self) -> bool:
        return self.checked is not None and self.checked.accepted

    @property
    def source(self) -> str:
        return self.attempt.describe()

    @property
    def changes(self) -> str | None:
        """What was done to the photo for this pose, for a person; None for the photo as it
        is (upright, whole)."""
        return None if self.attempt == Attempt() else self.attempt.describe()


def receiver_box(box: Box, image_size: tuple[int, int]) -> Box:
    """The part of `box` (x, y, w, h, original pixels) inside the image, or BoxError when the
    box is empty or covers less than MIN_SIDE_PX x MIN_SIDE_PX pixels of the image."""
    try:
        x, y, w, h = (int(v) for v in box)
    except (TypeError, ValueError, OverflowError):
        raise BoxError(
            f"the receiver box must be four whole numbers of pixels, not {box!r}"
        ) from None
    width, height = image_size
    if w <= 0 or h <= 0:
        raise BoxError(f"the receiver box {x},{y},{w},{h} needs a positive width and height")
    left, top = max(x, 0), max(y, 0)
    right, bottom = min(x + w, width), min(y + h, height)
    if right - left < MIN_SIDE_PX or bottom - top < MIN_SIDE_PX:
        raise BoxError(
            f"the receiver box {x},{y},{w},{h} must cover at least {MIN_SIDE_PX}x{MIN_SIDE_PX} "
            f"pixels of the {width}x{height} picture"
        )
    return left, top, right - left, bottom - top


def attempts(image_size: tuple[int, int], box: Box | None = None) -> tuple[Attempt, ...]:
    """Every attempt on a photo of `image_size` (width, height), the upright one first.

    With a box (already clipped by `receiver_box`), every attempt looks inside it: the partner
    has said where the receiver is, so a pose found elsewhere is somebody else."""
    long_side = max(box[2:]) if box else max(image_size)
    borders = sorted({round(fraction * long_side) for fraction in BORDER_FRACTIONS})
    return tuple(Attempt(box, border, turns) for border in borders for turns in QUARTER_TURNS)


def attempt_matrix(attempt: Attempt, image_size: tuple[int, int]) -> np.ndarray:
    """3 x 3 affine map from original pixels to the attempt's pixels (homogeneous x, y, 1)."""
    left, top, width, height = attempt.box or (0, 0, *image_size)
    border = attempt.border_px
    matrix = np.array([[1, 0, border - left], [0, 1, border - top], [0, 0, 1]], dtype=float)
    width, height = width + 2 * border, height + 2 * border
    for _ in range(attempt.quarter_turns):
        # A clockwise quarter turn of a width x height picture: (x, y) -> (height - y, x).
        matrix = np.array([[0, -1, height], [1, 0, 0], [0, 0, 1]], dtype=float) @ matrix
        width, height = height, width
    return matrix


def _apply(matrix: np.ndarray, xy: np.ndarray) -> np.ndarray:
    xy = np.asarray(xy, dtype=float)
    return xy @ matrix[:2, :2].T + matrix[:2, 2]


def to_attempt(xy: np.ndarray, attempt: Attempt, image_size: tuple[int, int]) -> np.ndarray:
    """Points (N, 2) in original pixels -> the attempt's pixels."""
    return _apply(attempt_matrix(attempt, image_size), xy)


def to_original(xy: np.ndarray, attempt: Attempt, image_size: tuple[int, int]) -> np.ndarray:
    """Points (N, 2) in the attempt's pixels -> original pixels (the exact inverse)."""
    return _apply(np.linalg.inv(attempt_matrix(attempt, image_size)), xy)


_ROTATE_CODES = {1: cv2.ROTATE_90_CLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_COUNTERCLOCKWISE}


def render(image: np.ndarray, attempt: Attempt) -> np.ndarray:
    """The picture the estimator sees for `attempt` (same channel order as `image`)."""
    if attempt.box is not None:
        x, y, w, h = attempt.box
        image = image[y : y + h, x : x + w]
    if attempt.border_px:
        b = attempt.border_px
        image = cv2.copyMakeBorder(image, b, b, b, b, cv2.BORDER_REPLICATE)
    if attempt.quarter_turns:
        image = cv2.rotate(image, _ROTATE_CODES[attempt.quarter_turns])
    return np.ascontiguousarray(image)


def detect_in_original(rgb: np.ndarray, attempt: Attempt, estimator: PoseEstimator) -> Pose | None:
    """One pose pass on the attempt's picture; the pose in original pixels, or None."""
    pose = estimator.detect_pose(render(rgb, attempt))
    if pose is None:
        return None
    return pose.mapped(to_original(pose.landmarks[:, :2], attempt, (rgb.shape[1], rgb.shape[0])))


def same_body(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two poses (33, 4; same pixel frame) put the shoulders and hips at the same places,
    within AGREEMENT_TRUNKS of `a`'s trunk length; left/right labels may differ."""
    shoulder_mid, hip_mid = a[list(SHOULDERS), :2].mean(axis=0), a[list(HIPS), :2].mean(axis=0)
    tolerance = AGREEMENT_TRUNKS * float(np.hypot(*(shoulder_mid - hip_mid)))
    for pair in (SHOULDERS, HIPS):
        pa, pb = a[list(pair), :2], b[list(pair), :2]
        gap = min(np.hypot(*(pa - pb).T).max(), np.hypot(*(pa - pb[::-1]).T).max())
        if gap > tolerance:
            return False
    return True


def trunk_visibility(landmarks: np.ndarray) -> float:
    """Mean BlazePose visibility of the shoulders and hips."""
    return float(landmarks[[*SHOULDERS, *HIPS], 3].mean())


def find_pose(
    rgb: np.ndarray,
    estimator: PoseEstimator,
    view: str = "auto",
    box: Box | None = None,
    rescue: bool = True,
) -> FoundPose:
    """The most plausible pose of the receiver in an RGB uint8 photo (H x W x 3).

    The upright attempt (of the box, when given) runs first and is used as soon as it passes the
    checks (`finder.body.trust.check`, oriented with `view`). Otherwise, with `rescue`, every
    other attempt runs; a checked pose found again by at least MIN_SUPPORT other accepted
    attempts wins, the one with most support first, then the highest shoulder and hip
    visibility. When none qualifies, the upright attempt's pose (or None) is returned, so its
    problems are the ones reported. Raises BoxError for an unusable box. The attempts are
    unrelated pictures, so rescue needs a still-mode estimator (video stays on the upright
    pass)."""
    if rescue and estimator.mode is not PoseMode.STILL:
        raise ValueError(f"rescue needs a 'still' pose estimator, not {estimator.mode.value!r}")
    image_size = (rgb.shape[1], rgb.shape[0])
    if box is not None:
        box = receiver_box(box, image_size)
    first, *others = attempts(image_size, box)
    upright = _checked(detect_in_original(rgb, first, estimator), image_size, view)
    if not rescue or (upright is not None and upright.accepted):
        return FoundPose(upright, first, passes=1)
    accepted = []
    for attempt in others:
        checked = _checked(detect_in_original(rgb, attempt, estimator), image_size, view)
        if checked is not None and checked.accepted:
            accepted.append((attempt, checked))
    passes = 1 + len(others)

    def support(checked: CheckedPose) -> int:
        return sum(same_body(checked.pose.landmarks, o.pose.landmarks) for _, o in accepted) - 1

    scored = [(support(c), trunk_visibility(c.pose.landmarks), a, c) for a, c in accepted]
    best = max(scored, key=lambda entry: entry[:2], default=None)  # ties: the earlier attempt
    if best is not None and best[0] >= MIN_SUPPORT:
        return FoundPose(best[3], best[2], passes, len(accepted), best[0])
    return FoundPose(upright, first, passes, len(accepted))


def _checked(pose: Pose | None, image_size: tuple[int, int], view: str) -> CheckedPose | None:
    return None if pose is None else check(pose, image_size, view)
