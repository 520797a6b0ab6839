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

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial

import cv2
import numpy as np

from finder.adapters.imageio import MIN_SIDE_PX, too_dark
from finder.adapters.movenet import PERSON_MIN_SCORE, MoveNet, Person
from finder.adapters.pose import INFERENCE_MAX_SIDE_PX, FaceDetector, PoseEstimator, PoseMode
from finder.body.landmarks import HIPS, SHOULDERS
from finder.body.model import load_body_model
from finder.body.pose import Detector, Pose
from finder.body.result import Refusal
from finder.body.trust import CheckedPose, Problem, ProblemKind, check, cut_at_the_neck
from finder.body.view import (
    HEAD,
    VISIBLE,
    Facing,
    FacingSource,
    arms_raised,
    midpoint,
    span,
    up_axis,
)

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

COPY_MAX_SIDE_PX = INFERENCE_MAX_SIDE_PX
"""Long side (px) of every copy shown to a detector: the picture is shrunk before it is
bordered and turned, so a copy never holds more than COPY_MAX_SIDE_PX^2 pixels whatever the
photo's shape (a 3200 x 31000 picture gives copies of at most 1280 x 1280, not 2.6 GB). BlazePose
shrinks to this size anyway."""

_TURN_NAMES = {1: "rotated 90° clockwise", 2: "rotated 180°", 3: "rotated 90° counter-clockwise"}


class BoxError(ValueError):
    """The receiver box cannot be used; `str(err)` is a one-line message for the user."""


@dataclass(frozen=True)
class Attempt:
    """One way of showing the photo to a detector: crop to `box` (original pixels; None for the
    whole photo), shrink so the bordered picture's long side is at most `max_side_px` (None: no
    shrinking), add a border of `border_px` original pixels (scaled with the picture) on every
    side (edge pixels repeated), turn `quarter_turns` x 90° clockwise."""

    box: Box | None = None
    border_px: int = 0
    quarter_turns: int = 0
    max_side_px: int | None = None
    around_person: bool = False  # the box is a crop around a person MoveNet found
    black_border: bool = False  # the border is black (as MoveNet's own padding), not repeated

    @property
    def upright(self) -> bool:
        """The photo (or the box) as it is: no border, no turn."""
        return self.border_px == 0 and self.quarter_turns == 0

    @property
    def whole(self) -> bool:
        """The whole photo as it is: upright, no box (what `describe` calls "upright")."""
        return self.upright and self.box is None and not self.around_person

    def describe(self) -> str:
        """What was done to the photo, for a person: "upright", "inside the receiver box,
        padded, rotated 90° clockwise", ..."""
        parts = []
        if self.around_person:
            parts.append("in a crop around the person")
        elif self.box is not None:
            parts.append("inside the receiver box")
        if self.border_px:
            parts.append("padded")
        if self.quarter_turns:
            parts.append(_TURN_NAMES[self.quarter_turns])
        return ", ".join(parts) or "upright"


@dataclass(frozen=True)
class FoundPose:
    """The pose to use, in ORIGINAL image pixels, oriented and checked once (`checked`); None
    when no attempt found anybody. `attempt` produced it (`detector` says which model);
    `passes` is how many model passes ran (BlazePose and MoveNet); `plausible` how many of the
    copies run gave a pose that passed the checks; `support` how many of those found the same
    body as the one returned (0 when unchecked). `refusal`, when set, replaces the checks'
    reasons; `people` is how many people MoveNet saw (None: it did not run)."""

    checked: CheckedPose | None
    attempt: Attempt
    passes: int
    plausible: int = 0
    support: int = 0
    detector: Detector = Detector.BLAZEPOSE
    refusal: Refusal | None = None
    people: int | None = None

    @property
    def landmarks(self) -> np.ndarray | None:
        """The oriented landmarks (33, 4; x, y original px), or None."""
        return None if self.checked is None else self.checked.pose.landmarks

    @property
    def accepted(self) -> bool:
        return self.refusal is None and self.checked is not None and self.checked.accepted

    @property
    def changes(self) -> str | None:
        """What was done to the photo for this pose, and which detector found it, for a person;
        None for the photo as it is (upright, whole) seen by BlazePose."""
        done = None if self.attempt.whole else self.attempt.describe()
        if self.detector is Detector.MOVENET:
            return "found by the second detector" + (f", {done}" if done else "")
        return done


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


BOX_MARGIN = 0.2
"""Margin shown around the partner's receiver box, as a share of the box's long side on every
side (clipped to the picture); the body taken must still lie in the partner's box (`in_box`), so
a person beside the receiver is not. A box drawn tight cuts the deltoids or the hips, and the
models then guess the cut parts outside it: on shared photo 10 with its marked box BlazePose put
the hips 500 px outside it, a trunk lying across the picture ("lying face down" for a standing
back), and 09 with its hand-drawn box (`tests/data/receiver_boxes.json`) was refused. Measured on
09 and 10 with their marked boxes, 09's hand-drawn box and both beside photo 04's therapist and
beside their own mirror image (7 searches): every margin from 0.18 to 0.35 puts the points on
the receiver in all 7 (C7 and the shoulder tops 0.6-1.8 cun from the marks at 0.2; 0.1 and 0.15
left 10 refused or 6.6 cun off), and a box around the other person never took the
receiver."""


def shown_box(box: Box, image_size: tuple[int, int]) -> Box:
    """The partner's `box` (clipped by `receiver_box`) with BOX_MARGIN on every side, clipped to
    the picture: what the models are shown (original px, x, y, w, h)."""
    x, y, w, h = box
    grow = round(BOX_MARGIN * max(w, h))
    left, top = max(0, x - grow), max(0, y - grow)
    right, bottom = min(image_size[0], x + w + grow), min(image_size[1], y + h + grow)
    return left, top, right - left, bottom - top


def in_box(landmarks: np.ndarray, box: Box, image_size: tuple[int, int]) -> bool:
    """Whether the body at `landmarks` (33, 4; original px) is the one the partner boxed: its
    shoulder midpoint and its hip midpoint, each where it lies in the picture, lie in `box`
    (x, y, w, h). An end beyond the picture's edge (hips below a waist-up photo, shoulders above
    a lower back) is the model's guess and is not held against it."""
    x, y, w, h = box
    for pair in (SHOULDERS, HIPS):
        mx, my = landmarks[list(pair), :2].mean(axis=0)
        in_picture = 0 <= mx < image_size[0] and 0 <= my < image_size[1]
        if in_picture and not (x <= mx <= x + w and y <= my <= y + h):
            return False
    return True


def attempts(image_size: tuple[int, int], box: Box | None = None) -> tuple[Attempt, ...]:
    """Every attempt on a photo of `image_size` (width, height), the upright one first.

    With a box (the partner's box, `shown_box`), every attempt looks inside it: the partner
    has said where the receiver is, so a pose found elsewhere is somebody else."""
    long_side = max(box[2:]) if box else max(image_size)
    borders = sorted({round(fraction * long_side) for fraction in BORDER_FRACTIONS})
    return tuple(
        Attempt(box, border, turns, COPY_MAX_SIDE_PX)
        for border in borders
        for turns in QUARTER_TURNS
    )


def _shrunk(attempt: Attempt, width: int, height: int) -> tuple[int, int, int]:
    """(width, height, border) in the attempt's pixels of a `width` x `height` crop."""
    border = attempt.border_px
    long_side = max(width, height) + 2 * border
    if attempt.max_side_px is None or long_side <= attempt.max_side_px:
        return width, height, border
    scale = attempt.max_side_px / long_side
    return max(1, round(width * scale)), max(1, round(height * scale)), round(border * scale)


def attempt_matrix(attempt: Attempt, image_size: tuple[int, int]) -> np.ndarray:
    """3 x 3 affine map from original pixels to the attempt's pixels (homogeneous x, y, 1)."""
    left, top, width, height = attempt.box or (0, 0, *image_size)
    small_width, small_height, border = _shrunk(attempt, width, height)
    sx, sy = small_width / width, small_height / height
    matrix = np.array([[sx, 0, border - left * sx], [0, sy, border - top * sy], [0, 0, 1]])
    width, height = small_width + 2 * border, small_height + 2 * border
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


def render(image: np.ndarray, attempt: Attempt, bgr: bool = False) -> np.ndarray:
    """The picture the estimator sees for `attempt`: same channel order as `image`, or RGB from
    a BGR `image` when `bgr` (converted after shrinking: no full-size copy)."""
    if attempt.box is not None:
        x, y, w, h = attempt.box
        image = image[y : y + h, x : x + w]
    width, height, b = _shrunk(attempt, image.shape[1], image.shape[0])
    if (width, height) != (image.shape[1], image.shape[0]):
        image = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)
    if bgr:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    if b:
        fill = cv2.BORDER_CONSTANT if attempt.black_border else cv2.BORDER_REPLICATE
        image = cv2.copyMakeBorder(image, b, b, b, b, fill)
    if attempt.quarter_turns:
        image = cv2.rotate(image, _ROTATE_CODES[attempt.quarter_turns])
    return np.ascontiguousarray(image)


def detect_in_original(
    rgb: np.ndarray,
    attempt: Attempt,
    estimator: PoseEstimator,
    bgr: bool = False,
    picture: np.ndarray | None = None,
) -> Pose | None:
    """One pose pass on the attempt's picture (of an RGB image, or BGR when `bgr`; `picture`
    when `render` already made it); the pose in original pixels, or None."""
    pose = estimator.detect_pose(render(rgb, attempt, bgr) if picture is None else picture)
    if pose is None:
        return None
    return pose.mapped(to_original(pose.landmarks[:, :2], attempt, (rgb.shape[1], rgb.shape[0])))


def turned_picture(picture: np.ndarray, first: Attempt, attempt: Attempt) -> np.ndarray | None:
    """The picture of `attempt` when it is `first` turned: `picture` (`render` of `first`)
    turned, the same pixels `render` would make by shrinking the photo again; else None."""
    if not attempt.quarter_turns or replace(attempt, quarter_turns=0) != first:
        return None
    return np.ascontiguousarray(cv2.rotate(picture, _ROTATE_CODES[attempt.quarter_turns]))


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


MAX_PASSES = 9
"""Model passes (BlazePose or MoveNet, each about the same time) one photo may cost: the
upright pass, MoveNet, and the blind copies while the budget lasts (only when MoveNet saw
nobody; with someone seen: upright, MoveNet (and MoveNet in a black frame when its first look
chose nobody), at most one crop and two aimed copies). Face checks (`shows_face`, a 128 px
detector on a square around a head, a few ms) are not counted."""
LYING_MAX_TRUNK_DEG = 45.0
"""A trunk (hip midpoint to shoulder midpoint) within this angle of the image's horizontal is a
body lying across the picture."""
MAX_PEOPLE_CROPS = 1
"""Crops around a small person (`_small_people`) tried per photo (only when MoveNet sees one
person: with several, which one is the receiver is the partner's call)."""
LYING_MIN_TRUNK_SHARE = 0.15
"""Shortest trunk, as a share of the picture's long side, that counts as a body lying across
it (the trunks found on the shared massage photos span 0.2-0.6)."""
SOMEONE_SCORE = 0.1
"""MoveNet person score from which a candidate counts as someone in view (for the refusal's
wording and for "someone else is in view"), below `finder.adapters.movenet.PERSON_MIN_SCORE`
that a pose needs. On the shared massage photos the lying receivers score 0.11-0.36; MoveNet's
empty rows score under 0.05."""


def find_pose(
    rgb: np.ndarray,
    estimator: PoseEstimator,
    view: str = "auto",
    box: Box | None = None,
    rescue: bool = True,
    people: MoveNet | None = None,
    bgr: bool = False,
    faces: FaceDetector | None = None,
) -> FoundPose:
    """The most plausible pose of the receiver in an RGB uint8 photo (H x W x 3; BGR when `bgr`:
    each copy is then converted after shrinking, so a huge photo is never copied whole).

    1. The upright BlazePose pass (on the box with its margin, `shown_box`, when given; every
       model then sees that picture, and a body not in the box itself, `in_box`, is nobody)
       runs first; with a box or without MoveNet, it is used as soon as it passes the checks
       (`finder.body.trust.check`, oriented with `view`) with its back to the camera (or `view`
       is "front").
    2. With `rescue` and a MoveNet model (`people`), MoveNet looks at the same picture (also
       after an accepted upright pass, without a box: it counts the people in view, instead of a
       second BlazePose pass). One back to the camera is the receiver (BlazePose's, else the
       best-scoring MoveNet person whose pose passes the checks); two different backs, or a body
       facing the camera with someone else in view, make the search refuse and ask for the
       receiver box. With a face detector (`faces`), a person whose head shows a face faces
       the camera (`shows_face`): never the receiver of back points, and no reason to refuse
       a back beside them; MoveNet's people without a face are read as backs. When MoveNet
       chose nobody, it looks again at the picture inside a black frame (`framed_attempt`).
       Small people are looked at again in a crop around them.
    3. Otherwise, when MoveNet (or the upright BlazePose pass) saw someone, the picture is turned
       so that their trunk stands up (padded and not: `_aimed`) and a pose both copies find
       wins; when nobody was seen, blind copies (turned, padded) run while MAX_BLIND_PASSES
       (MAX_PASSES without MoveNet) lasts and a checked pose found again by at least
       MIN_SUPPORT other accepted copies wins (most support, then the highest shoulder and hip
       visibility). Copies stop as soon as too few are left for any pose to reach that support
       (the answer is then already known: no extra pass can change it).
    When nothing qualifies, the upright pose is returned with its problems, or a `Refusal` when
    its problems would not describe the picture (a body lying across it, someone seen but no
    body found). Raises BoxError for an unusable box. The attempts are unrelated pictures, so
    rescue needs a still-mode estimator (video stays on the upright pass)."""
    if rescue and estimator.mode is not PoseMode.STILL:
        raise ValueError(f"rescue needs a 'still' pose estimator, not {estimator.mode.value!r}")
    image_size = (rgb.shape[1], rgb.shape[0])
    partner = None if box is None else receiver_box(box, image_size)
    shown = None if partner is None else shown_box(partner, image_size)
    first, *others = attempts(image_size, shown)
    # The upright picture, shown to both models: MoveNet's input is shrunk from it, not from the
    # photo. Shrunk from the photo (1600 -> 256 px) its look could start before this picture is
    # made (about 10 ms sooner on 09 and 10), but the pixels differ a little and MoveNet's answer
    # with them: among search-report's 462 top cuts (at 14c2cfc) 04 cut 160 px from the top got
    # back points on the therapist (34 cun off; wrong bodies 0 -> 1).
    picture = render(rgb, first, bgr)
    look_for_people = partial(detect_people, rgb, first, people, bgr, picture)
    # MoveNet is sure to look at the upright picture when no box or front view can settle the
    # search on BlazePose's pass alone: it then runs beside that pass (both release the GIL).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="finder-movenet") as beside:
        if rescue and people is not None and box is None and view != "front":
            look_for_people = beside.submit(look_for_people).result
        upright_pose = detect_in_original(rgb, first, estimator, bgr, picture)
    if partner is not None and upright_pose is not None:
        upright_pose = upright_pose if in_box(upright_pose.landmarks, partner, image_size) else None
    faced = None
    if faces is not None and view == "auto":
        faced = _face_reader(picture, first, image_size, faces)
    found = _search(
        rgb,
        estimator,
        view,
        rescue,
        people,
        bgr,
        first,
        others,
        upright_pose,
        look_for_people,
        picture,
        faced,
        partner,
    )
    return one_facing(found, upright_pose, first, view)


def _search(
    rgb: np.ndarray,
    estimator: PoseEstimator,
    view: str,
    rescue: bool,
    people: MoveNet | None,
    bgr: bool,
    first: Attempt,
    others: Sequence[Attempt],
    upright_pose: Pose | None,
    look_for_people: Callable[[], tuple[Person, ...]],
    picture: np.ndarray,
    faced: FaceReader | None = None,
    partner: Box | None = None,
) -> FoundPose:
    """`find_pose` after the upright BlazePose pass (`upright_pose`, original px, or None) on
    `picture` (`render` of `first`); `look_for_people` gives MoveNet's people on that picture
    (`detect_people`); `faced` tells whether a body's head shows a face (None: facing from the
    pose alone); with the partner's box (`partner`, original px), only bodies in it (`in_box`)
    are seen."""
    image_size = (rgb.shape[1], rgb.shape[0])

    def boxed(pose: Pose) -> bool:
        return partner is None or in_box(pose.landmarks, partner, image_size)

    upright = _upright_trusted(_checked(upright_pose, image_size, view))
    settled = upright is not None and upright.accepted and (_back(upright) or view == "front")
    if not rescue or (settled and (people is None or first.box is not None or view == "front")):
        return FoundPose(upright, first, passes=1)
    passes = 1
    seen: tuple[Person, ...] = ()
    if people is not None:
        seen = tuple(p for p in look_for_people() if boxed(p.pose))
        passes += 1
        if faced is not None and upright_pose is not None and upright is not None:
            upright = _facing_from_face(upright_pose, upright, image_size, faced, seen)
        chosen = _choose(upright, seen, image_size, view, faced)
        if chosen is None:  # nobody chosen: the picture again, smaller inside a black frame
            framed = detect_people(rgb, framed_attempt(first, image_size), people, bgr)
            passes += 1
            seen = _merged(tuple(p for p in framed if boxed(p.pose)), seen)
            chosen = _choose(upright, seen, image_size, view, faced)
        if isinstance(chosen, Refusal):
            return FoundPose(upright, first, passes, refusal=chosen, people=_count(seen))
        if chosen is not None:
            checked, detector = chosen
            return FoundPose(checked, first, passes, detector=detector, people=_count(seen))
        crops = MAX_PEOPLE_CROPS if _count(seen) == 1 else 0  # with several: which one?
        small, crop, spent = _small_people(rgb, seen, estimator, view, crops, bgr, faced)
        passes += spent
        if small is not None and boxed(small.pose):
            return FoundPose(small, crop, passes, people=_count(seen))
        if upright is not None and upright.accepted:  # facing the camera, others in view
            return FoundPose(
                upright,
                first,
                passes,
                refusal=Refusal.FACING_CAMERA_AMONG_OTHERS,
                people=_count(seen),
            )
    elif upright is not None and upright.accepted:
        return FoundPose(upright, first, passes)
    accepted = []
    aim = seen[0].pose if seen else (upright.pose if upright is not None else None)
    if aim is not None and people is not None:  # stand up the trunk seen: no blind copies
        copies, needed = _aimed(others, aim.landmarks), AIMED_SUPPORT
    else:
        budget = MAX_PASSES if people is None else MAX_BLIND_PASSES
        copies, needed = others[: max(0, budget - passes)], MIN_SUPPORT
    for left, attempt in zip(range(len(copies), 0, -1), copies, strict=True):
        if len(accepted) + left <= needed:  # no pose could be found by `needed` others: stop
            break
        shown = turned_picture(picture, first, attempt)
        pose = detect_in_original(rgb, attempt, estimator, bgr, shown)
        checked = _checked(pose if pose is None or boxed(pose) else None, image_size, view)
        passes += 1
        if checked is not None and faced is not None:
            checked = _confirmed_front(pose, checked, image_size, faced, seen)
        if checked is not None and checked.accepted:
            accepted.append((attempt, checked))

    def support(checked: CheckedPose) -> int:
        return sum(same_body(checked.pose.landmarks, o.pose.landmarks) for _, o in accepted) - 1

    scored = [(support(c), trunk_visibility(c.pose.landmarks), a, c) for a, c in accepted]
    best = max(scored, key=lambda entry: entry[:2], default=None)  # ties: the earlier attempt
    count = None if people is None else _count(seen)
    if best is not None and best[0] >= needed:
        return FoundPose(best[3], best[2], passes, len(accepted), best[0], people=count)
    refusal = _refusal(upright, seen, image_size, view) if people is not None else None
    return FoundPose(upright, first, passes, len(accepted), refusal=refusal, people=count)


MAX_BLIND_PASSES = 6
"""The budget when neither model saw anybody upright: the upright pass, MoveNet and the blind
copies (turns, the padded picture) while it lasts; a pose must be found again by MIN_SUPPORT
other copies, so the copies end as soon as too few are left for that (none run when MoveNet's
passes leave fewer than MIN_SUPPORT + 1)."""


def one_facing(found: FoundPose, upright: Pose | None, first: Attempt, view: str) -> FoundPose:
    """One facing per photo. Under "auto" the upright picture's BlazePose pose may be read as
    facing the other way (an upper back read as a face) while another copy or MoveNet finds the
    body's facing; an explicit view would then have used the upright pose. So the upright pose
    is checked again with the found pose's facing and used when it passes and is the same body
    (shoulder midpoints within half a shoulder width), as that view would: auto and the view it
    decides give the same anatomy."""
    if view != "auto" or upright is None or found.checked is None or not found.accepted:
        return found
    if found.attempt == first and found.detector is Detector.BLAZEPOSE:
        return found  # the upright pose itself: checked with its own facing already
    chosen = found.checked.pose
    again = check(upright, chosen.image_size, chosen.facing.value)
    if not again.accepted or np.allclose(again.pose.landmarks, chosen.landmarks):
        return found
    shoulders = [again.pose.landmarks[list(SHOULDERS), :2], chosen.landmarks[list(SHOULDERS), :2]]
    gap = float(np.hypot(*(shoulders[0].mean(axis=0) - shoulders[1].mean(axis=0))))
    if gap > 0.5 * float(np.hypot(*(shoulders[0][0] - shoulders[0][1]))):
        return found
    decided = replace(again.pose, facing_source=chosen.facing_source)
    checked = replace(again, pose=decided)
    return replace(found, checked=checked, attempt=first, detector=Detector.BLAZEPOSE)


AIMED_SUPPORT = 1
"""A turned copy aimed by MoveNet's trunk (`_aimed`: the turn and the same turn padded) is used
when the other copy of the pair finds the same body."""


def _aimed(others: Sequence[Attempt], landmarks: np.ndarray) -> tuple[Attempt, ...]:
    """The copies among `others` turned by the quarter turns that stand up the trunk at
    `landmarks` (hip midpoint to shoulder midpoint pointing up the picture), padded and not;
    none when it already stands (a turn would not help the pose)."""
    trunk = landmarks[list(SHOULDERS), :2].mean(axis=0) - landmarks[list(HIPS), :2].mean(axis=0)
    ups = []
    for _ in QUARTER_TURNS:
        ups.append(-float(trunk[1]))  # how far the trunk points up the picture
        trunk = np.array([-trunk[1], trunk[0]])  # a clockwise quarter turn of the picture
    turns = int(np.argmax(ups))
    return tuple(a for a in others if turns and a.quarter_turns == turns)


def detect_people(
    rgb: np.ndarray,
    attempt: Attempt,
    people: MoveNet,
    bgr: bool = False,
    picture: np.ndarray | None = None,
) -> tuple[Person, ...]:
    """MoveNet's people (score at least SOMEONE_SCORE) on the attempt's picture (`picture` when
    `render` already made it), poses and boxes mapped into original pixels."""
    image_size = (rgb.shape[1], rgb.shape[0])
    found = []
    shown = render(rgb, attempt, bgr) if picture is None else picture
    for person in people.detect(shown, SOMEONE_SCORE):
        xy = to_original(person.pose.landmarks[:, :2], attempt, image_size)
        x, y, w, h = person.box
        corners = to_original(np.array([[x, y], [x + w, y + h]]), attempt, image_size)
        (x0, y0), (x1, y1) = corners.min(axis=0), corners.max(axis=0)
        found.append(replace(person, pose=person.pose.mapped(xy), box=(x0, y0, x1 - x0, y1 - y0)))
    return tuple(found)


FRAME_FRACTION = 0.25
"""Black frame around the picture for MoveNet's second look, as a fraction of the picture's
(or box's) long side on every side. MoveNet finds a person by the centre of their body; a
back that fills the picture and is cut by its edges (the head, the hips) is often not found
at all, or with its shoulders scored under 0.1, while the same picture shrunk to half its
size inside a black frame gives both shoulders within a few px of the upright pass's where
that pass finds them (shared photos 09, 10, 12 and their waist-up crops: shoulders scored
0.6-1.0 instead of 0.06-0.5; `finder search-report`). Black, because MoveNet's input is
itself padded with black (`finder.adapters.movenet.prepare`)."""


def framed_attempt(first: Attempt, image_size: tuple[int, int]) -> Attempt:
    """`first` (the upright picture or the box) inside a black frame FRAME_FRACTION of its
    long side wide."""
    long_side = max(first.box[2:]) if first.box else max(image_size)
    return replace(first, border_px=round(FRAME_FRACTION * long_side), black_border=True)


def _merged(first: tuple[Person, ...], then: tuple[Person, ...]) -> tuple[Person, ...]:
    """The people of `first`, then those of `then` that are none of them (shoulder midpoints
    more than half a shoulder width apart, `_inside`)."""
    return first + tuple(
        person
        for person in then
        if not any(_inside(person, other.pose.landmarks) for other in first)
    )


FaceReader = Callable[[np.ndarray], bool | None]
"""Whether the head of the body at landmarks (33, 4; original px) shows a face (None: the head
is too dark to tell)."""

FACE_MIN_SCORE = 0.85
"""Face score (MediaPipe's short-range detector on the square around a head, `shows_face`)
from which the person faces the camera. Measured on the shared photos, their crops, mirrored
pairs and photo 13 beside the therapist of photo 04: the therapist's face scores 0.89-0.95 on
every crop around a head keypoint set that lies on her; the backs of heads score up to 0.72
(photo 13's hair bun, 0.5-0.72; photos 09, 10, 11 under 0.6). Squares cut from the upright
picture the models saw (at most COPY_MAX_SIDE_PX) instead of the full-size photo, over the 14
shared photos as taken, mirrored, turned, cut and paired (the searches of `finder
search-report`): every score under 0.70 or over 0.87 (from the full-size photo: under 0.71 or
over 0.85), and every search gives the same result."""
HEAD_SQUARE_SHOULDER_WIDTHS = 0.9
"""Half the side of the square looked at for a face, in shoulder widths, around the mean of
the head keypoints (nose, ears): a head is about 0.5 shoulder widths across (ANSUR II head
breadth / biacromial breadth), so the face fills a good share of the square wherever the
detector put the keypoints on the head."""


HEAD_SQUARE_MIN_PX = 96
"""Smallest side (px) of the square around a head whose lack of a face counts: a face is about a
fifth of the square across (ANSUR II bizygomatic breadth about 0.35 of the biacromial breadth,
in a square 1.8 shoulder widths wide), so under this side it spans under about 20 px, where the
face detector's miss says little; the pose's own reading then stands."""


HEAD_SQUARE_MIN_INSIDE = 0.8
"""Share of the square around a head that must lie inside the picture for a face not found
there to count: a head at the picture's edge may have its face cut off (the therapist of shared
photo 04 cut at the mouth: 0.53 of her square inside, no face found, MoveNet's labels saying
front), so the pose's own reading then stands. A face found counts wherever it is."""


def shows_face(rgb: np.ndarray, landmarks: np.ndarray, faces: FaceDetector) -> bool | None:
    """Whether the head of the body at `landmarks` (33, 4; px of the RGB picture `rgb`) shows a
    face to the camera: FACE_MIN_SCORE in the square HEAD_SQUARE_SHOULDER_WIDTHS around the
    head keypoints. A face found counts wherever it is; no face found cannot tell (None) when
    the head lies beyond the picture (the keypoints' mean outside it: the edge cuts it off, and
    its face with it) or less than HEAD_SQUARE_MIN_INSIDE of its square lies inside, and when
    the square is too small (HEAD_SQUARE_MIN_PX) or too dark (`finder.adapters.imageio.too_dark`)
    to show a face."""
    height, width = rgb.shape[:2]
    half = HEAD_SQUARE_SHOULDER_WIDTHS * span(landmarks, SHOULDERS)
    centre = landmarks[list(HEAD), :2].mean(axis=0)
    if not (0 <= centre[0] < width and 0 <= centre[1] < height):
        return None
    if 2 * half < HEAD_SQUARE_MIN_PX:
        return None
    left, top = (max(0, int(v - half)) for v in centre)
    right, bottom = min(width, int(centre[0] + half)), min(height, int(centre[1] + half))
    if min(right - left, bottom - top) < MIN_SIDE_PX:
        return False
    square = rgb[top:bottom, left:right]  # a view: the detector copies what it needs
    inside = (right - left) * (bottom - top) / (2 * half) ** 2
    if inside < HEAD_SQUARE_MIN_INSIDE:
        # No face found here cannot tell, so the light only matters for a face found (looked at
        # after the detector: 09's and 10's squares, cut by the picture, hold no face).
        found = faces.best_score(square) >= FACE_MIN_SCORE
        return True if found and not too_dark(square, rgb=True) else None
    if too_dark(square, rgb=True):
        return None
    return faces.best_score(square) >= FACE_MIN_SCORE


def _face_reader(
    picture: np.ndarray, first: Attempt, image_size: tuple[int, int], faces: FaceDetector
) -> FaceReader:
    """`shows_face` on `picture` (RGB, `render` of `first`: what the models saw, at most
    COPY_MAX_SIDE_PX, so the square around a head is never cut from the full-size photo nor
    shrunk again for the detector), each body (original px) looked at once."""
    known: dict[bytes, bool | None] = {}

    def faced(landmarks: np.ndarray) -> bool | None:
        key = landmarks[:, :2].tobytes()
        if key not in known:
            shown = landmarks.copy()
            shown[:, :2] = to_attempt(landmarks[:, :2], first, image_size)
            known[key] = shows_face(picture, shown, faces)
        return known[key]

    return faced


def _facing_from_face(
    pose: Pose,
    checked: CheckedPose,
    image_size: tuple[int, int],
    faced: FaceReader,
    seen: tuple[Person, ...] = (),
) -> CheckedPose:
    """The body at `pose` (original px; checked as `checked` with the view "auto") read as a
    front when its head shows a face, as a back when it shows none: back is the default for a
    picture without a face. BlazePose's back stands unless a face is found, and every pose's
    own reading stands when the head is too dark to tell; BlazePose's front must be confirmed
    (`_confirmed_front`, MoveNet's people `seen` being the second witness)."""
    blazepose = pose.detector is Detector.BLAZEPOSE
    if blazepose and checked.pose.facing is Facing.FRONT:
        return _confirmed_front(pose, checked, image_size, faced, seen)
    shows = faced(pose.landmarks)
    if shows is None or (blazepose and not shows):
        return checked  # a back with no face stands too
    facing, source = (
        (Facing.FRONT, FacingSource.FACE_TOWARD_CAMERA)
        if shows
        else (Facing.BACK, FacingSource.NO_FACE_SIGN)
    )
    again = check(pose, image_size, facing.value)
    return replace(again, pose=replace(again.pose, facing_source=source))


def _confirmed_front(
    pose: Pose,
    checked: CheckedPose,
    image_size: tuple[int, int],
    faced: FaceReader,
    seen: tuple[Person, ...] = (),
) -> CheckedPose:
    """BlazePose's pose `checked` (original px) as it is, unless it is an accepted front read
    from the pose: that stands when its head shows a face, or when the face cannot tell
    (`shows_face` None: the head cut off, too small or too dark) and a MoveNet person on the
    same body (`_inside`) is labelled front; else it is refused (FRONT_WITHOUT_FACE).
    BlazePose's two cues (side labels, nose depth) read backs, hands and bra bands as fronts:
    on 462 crops cut from the top of the 14 shared photos it put front points on backs on
    crops of 02, 07 and 10, none with a face found or MoveNet seeing a front there. A front
    the user chose is not questioned."""
    front = checked.pose.facing is Facing.FRONT and not checked.pose.facing_chosen
    if not (checked.accepted and front):
        return checked
    shows = faced(pose.landmarks)
    if shows or (shows is None and any(_labelled_front(p, pose, image_size) for p in seen)):
        return checked
    return replace(checked, problems=(Problem(ProblemKind.FRONT_WITHOUT_FACE),))


def _labelled_front(person: Person, pose: Pose, image_size: tuple[int, int]) -> bool:
    """Whether MoveNet's `person` is the body at `pose` (original px) and its own side labels
    say front (MoveNet's facing: `finder.adapters.movenet`)."""
    return _inside(person, pose.landmarks) and not _back(check(person.pose, image_size))


def _choose(
    upright: CheckedPose | None,
    seen: tuple[Person, ...],
    image_size: tuple[int, int],
    view: str,
    faced: FaceReader | None = None,
) -> tuple[CheckedPose, Detector] | Refusal | None:
    """The receiver among the upright BlazePose pose and MoveNet's people: the body with its
    back to the camera (BlazePose's first, then the best-scoring MoveNet person; MoveNet's pose
    is used for a back only: without depth its facing rests on its side labels alone). A back
    and anybody else MoveNet finds (PERSON_MIN_SCORE, or under it a back, `_weak_back`):
    SEVERAL_BACKS, the partner's box decides
    (MoveNet's side labels cannot tell a mirrored back from a face, nor can BlazePose's cues
    always: checked on shared photos doubled with a mirrored copy). No back: BlazePose's body facing
    the camera when nobody else is in view. None when nothing qualifies. With `faced`,
    MoveNet's facing comes from the face (`_facing_from_face`), and people whose head shows a
    face are nobody's back: they do not make a back ambiguous."""
    backs: list[tuple[CheckedPose, Detector]] = []
    if upright is not None and upright.accepted and _back(upright):
        backs.append((upright, Detector.BLAZEPOSE))
    for person in seen:
        if any(_inside(person, pose.pose.landmarks) for pose, _ in backs):
            continue
        if person.score < PERSON_MIN_SCORE or _arms_raised(person.pose.landmarks):
            continue
        pose = check(person.pose, image_size, view)
        if faced is not None:
            pose = _facing_from_face(person.pose, pose, image_size, faced)
        if pose.accepted and _back(pose):
            backs.append((pose, Detector.MOVENET))
    if not backs and (upright is None or not upright.accepted):
        weak = _cut_at_the_neck(seen, image_size, view, faced)
        if weak is not None:
            return weak, Detector.MOVENET
    if len(backs) > 1:
        return Refusal.SEVERAL_BACKS
    if backs:
        receiver = backs[0][0].pose.landmarks
        if any(
            not _inside(p, receiver)
            and (p.score >= PERSON_MIN_SCORE or _weak_back(p, image_size, view))
            and not (faced is not None and faced(p.pose.landmarks) is True)
            for p in seen
        ):
            return Refusal.SEVERAL_BACKS
        return backs[0]
    if upright is None or not upright.accepted:
        return None
    others = [p for p in seen if not _inside(p, upright.pose.landmarks)]
    return None if others else (upright, Detector.BLAZEPOSE)


def _weak_back(person: Person, image_size: tuple[int, int], view: str) -> bool:
    """Whether MoveNet's `person`, scored under PERSON_MIN_SCORE, is a back all the same: arms
    not raised, its pose passing the checks with its own side labels saying back. Beside the
    back chosen, such a person makes the receiver the partner's call: MoveNet's score does not
    tell two backs apart (shared photo 10 with its receiver box mirrored beside it: the same
    body scores 0.32 and 0.17, and the points went on the first by luck). On the 40 pictures of
    `finder search-report` this changes that one answer (points -> asks which), and nothing on
    its 462 top cuts and 168 random cuts."""
    if _arms_raised(person.pose.landmarks):
        return False
    checked = check(person.pose, image_size, view)
    return checked.accepted and _back(checked)


def _cut_at_the_neck(
    seen: tuple[Person, ...],
    image_size: tuple[int, int],
    view: str,
    faced: FaceReader | None = None,
) -> CheckedPose | None:
    """The back cut at the neck by the picture's top edge (`finder.body.trust.cut_at_the_neck`)
    that MoveNet scores under PERSON_MIN_SCORE, when it is the only such back and nobody in view
    reaches that score. MoveNet's person score follows its keypoints' scores, and on a back cut
    at the neck and at the waist only the shoulders (and arms) can score: shared photo 10 cut
    just above C7 gives one person at 0.16 in the black frame (`framed_attempt`), its shoulders
    scored 0.30 and 0.31 within 0.5 cun of the marked shoulder tops. Such a pose passes the same
    checks as any upper back (both shoulders seen, level, in the receiver's order), and MoveNet's
    own side labels must say back, as well as the face when it can tell (`shows_face`; a missing
    face alone let through the therapist of shared photo 04 cut below her chin, her labels
    saying front)."""
    if any(person.score >= PERSON_MIN_SCORE for person in seen):
        return None
    found = []
    for person in seen:
        if _arms_raised(person.pose.landmarks):
            continue
        labelled = check(person.pose, image_size, view)
        if not (labelled.accepted and _back(labelled) and cut_at_the_neck(labelled.pose)):
            continue  # the face is looked for only on a back cut at the neck
        if faced is not None:
            labelled = _facing_from_face(person.pose, labelled, image_size, faced)
        if labelled.accepted and _back(labelled):
            found.append(labelled)
    return found[0] if len(found) == 1 else None


def _small_people(
    rgb: np.ndarray,
    seen: tuple[Person, ...],
    estimator: PoseEstimator,
    view: str,
    budget: int,
    bgr: bool = False,
    faced: FaceReader | None = None,
) -> tuple[CheckedPose | None, Attempt | None, int]:
    """BlazePose on an enlarged crop around each person MoveNet found small in the picture (box
    long side under SMALL_PERSON of the picture's), best score first, while `budget` passes
    last: (the first checked back found and its crop, or None, None; passes spent)."""
    image_size = (rgb.shape[1], rgb.shape[0])
    passes = 0
    for person in seen:
        x, y, w, h = person.box
        if passes >= budget or max(w, h) >= SMALL_PERSON * max(image_size):
            continue
        grow = CROP_GROWTH * max(w, h)
        left, top = max(0, int(x - grow)), max(0, int(y - grow))
        right = min(image_size[0], int(np.ceil(x + w + grow)))
        bottom = min(image_size[1], int(np.ceil(y + h + grow)))
        if min(right - left, bottom - top) < MIN_SIDE_PX:
            continue
        box = (left, top, right - left, bottom - top)
        crop = Attempt(box, max_side_px=COPY_MAX_SIDE_PX, around_person=True)
        passes += 1
        pose = detect_in_original(rgb, crop, estimator, bgr)
        checked = _checked(pose, image_size, view)
        if checked is not None and faced is not None:
            checked = _facing_from_face(pose, checked, image_size, faced)
        if checked is not None and checked.accepted and _back(checked):
            return checked, crop, passes
    return None, None, passes


SMALL_PERSON = 0.5
"""A person whose MoveNet box's long side is under this share of the picture's is looked at
again in a crop: BlazePose, which shrinks the picture to 1280 px and its detector to 224, then
sees them at a useful size."""
CROP_GROWTH = 0.5
"""The crop around a small person reaches this share of their box's long side beyond it on
every side (BlazePose's detector wants the whole body with room around it)."""


def _inside(person: Person, landmarks: np.ndarray) -> bool:
    """Whether MoveNet's `person` is the body at `landmarks` (33, 4, px): its shoulder midpoint
    lies within half a shoulder width of that body's; for a body seen from the hips alone (the
    picture cut its shoulders off, `finder.body.hips_only`), its box holds that body's hip
    midpoint."""
    visibility = landmarks[:, 3]
    if visibility[list(SHOULDERS)].max() < VISIBLE <= visibility[list(HIPS)].min():
        x, y, w, h = person.box
        hip_x, hip_y = landmarks[list(HIPS), :2].mean(axis=0)
        return x <= hip_x <= x + w and y <= hip_y <= y + h
    shoulders = landmarks[list(SHOULDERS), :2]
    gap = person.pose.landmarks[list(SHOULDERS), :2].mean(axis=0) - shoulders.mean(axis=0)
    return float(np.hypot(*gap)) <= 0.5 * span(landmarks, SHOULDERS)


ARMS_SEEN = 0.25
"""Visibility from which an elbow's or wrist's place counts (MoveNet score 0.1): with raised
arms (`finder.body.anatomy.arms_raised`) MoveNet puts the shoulders toward the armpits (shared
photo 11, a triceps stretch: shoulders and C7 4 cun low), so its pose is not used."""


def _arms_raised(landmarks: np.ndarray) -> bool:
    return arms_raised(landmarks, load_body_model().plausibility, ARMS_SEEN)


def _back(checked: CheckedPose) -> bool:
    return checked.pose.facing is Facing.BACK


def _count(seen: tuple[Person, ...]) -> int:
    return sum(person.score >= PERSON_MIN_SCORE for person in seen)


def _refusal(
    upright: CheckedPose | None,
    seen: tuple[Person, ...],
    image_size: tuple[int, int],
    view: str,
) -> Refusal | None:
    """Why nothing was accepted although someone was seen: a body lying across the picture (the
    upright pose and a MoveNet person on the same trunk, `_lying_alike`), an upper body refused
    only for its raised arms (the upright pose or a person MoveNet is sure of, PERSON_MIN_SCORE;
    `finder.body.trust.check_pose`), or no back that could be trusted. The upright pose's other
    problems (a knee above the hips, a face toward the camera) describe a wrong pose, not the
    picture, so they are not shown; an upright pose whose reading was refused (READING_REFUSED)
    is not counted as a body (on crops of shared photo 10 such poses lay across the picture).
    None when nobody was seen at all."""
    poses = [person.pose.landmarks for person in seen]
    if upright is not None and not set(upright.problems) & READING_REFUSED:
        if any(_lying_alike(upright.pose.landmarks, p, image_size) for p in poses):
            return Refusal.LYING_FACE_DOWN
        poses.append(upright.pose.landmarks)
    sure = [check(p.pose, image_size, view) for p in seen if p.score >= PERSON_MIN_SCORE]
    arms_alone = (Problem(ProblemKind.ARMS_RAISED),)
    if any(checked.problems == arms_alone for checked in [upright, *sure] if checked):
        return Refusal.ARMS_RAISED
    return Refusal.NO_BACK if poses else None


UPSIDE_DOWN_MIN_DEG = 30.0
"""Below the horizontal (degrees), the steepest a body's up axis may point down the picture for
the upright pass's pose to be trusted alone (`_upright_trusted`): a body lying across the
picture (the massage photos) may lie with its head end a little lower; beyond this it stands
on its head. The flipped body of a crop of shared photo 10 pointed 39 degrees down."""
READING_REFUSED = {Problem(ProblemKind.FRONT_WITHOUT_FACE), Problem(ProblemKind.UPSIDE_DOWN)}
"""The search's own refusals of BlazePose's reading of a body (`_confirmed_front`,
`_upright_trusted`): such a pose is no evidence of a body in the picture."""


def _upright_trusted(checked: CheckedPose | None) -> CheckedPose | None:
    """The upright pass's pose as checked, unless it was accepted standing on its head in the
    picture (`up_axis`, hip midpoint to shoulder midpoint, pointing down the picture more than
    UPSIDE_DOWN_MIN_DEG below the horizontal): then it
    is refused (UPSIDE_DOWN) until a copy turned to stand it up finds a body (`_aimed`, the
    search's rescue). BlazePose is trained on upright people, and its pose of a body upside
    down in the picture can be the body flipped end for end: on a crop of shared photo 10
    (x 344-1132, y 102-703) it put the hips at the shoulders and the shoulders at the bra band,
    and with neither the head nor a knee seen nothing in the checks tells the ends apart (27
    back points 29 cun off, its trunk 39 degrees below the horizontal)."""
    if checked is None or not checked.accepted:
        return checked
    if float(up_axis(checked.pose.landmarks)[1]) <= np.sin(np.radians(UPSIDE_DOWN_MIN_DEG)):
        return checked
    return replace(checked, problems=(Problem(ProblemKind.UPSIDE_DOWN),))


def _lying(landmarks: np.ndarray, image_size: tuple[int, int]) -> bool:
    """Whether the trunk (hip midpoint to shoulder midpoint, 33 x 4 landmarks, px) lies within
    LYING_MAX_TRUNK_DEG of the image's horizontal and spans at least LYING_MIN_TRUNK_SHARE of the
    picture's long side (a body on a table, not a tiny pose invented under a chin)."""
    dx, dy = landmarks[list(SHOULDERS), :2].mean(axis=0) - landmarks[list(HIPS), :2].mean(axis=0)
    long_enough = np.hypot(dx, dy) >= LYING_MIN_TRUNK_SHARE * max(image_size)
    return bool(long_enough and abs(dy) <= np.tan(np.radians(LYING_MAX_TRUNK_DEG)) * abs(dx))


LYING_ALIKE_TRUNKS = 0.25
"""Largest distance between BlazePose's shoulder midpoint and a MoveNet person's, in BlazePose's
trunk lengths, for the two models' trunks lying across the picture to be one body
(`_lying_alike`). Either model alone lies: on the crops of `finder search-report --top-cuts` of
the standing and seated backs 09-13 and on 12 random crops of each (`--random-cuts`), each also
mirrored (450 pictures), one model's trunk across the picture (`_lying`) said "lying face down"
on 23 (crops of 09, 10 and 12: BlazePose's trunk along a bra band, MoveNet's people scored
0.1-0.2 with shoulders and hips unseen), with angles, lengths and scores like those of the
massage photos 03, 08 and 14 that it said so on. Both models on one trunk: shared photo 06 and
its mirror image (shoulder midpoints 0.01-0.03 apart, directions 1-7 degrees), photo 04 inside
its receiver box (0.21, 9 degrees); on the 450 crops once, 0.41 and 38 degrees apart. The hip
midpoints are not compared: a lying receiver's hips are under a towel or out of the picture,
and the models put them at different places along the trunk (04 in its box: MoveNet's scored
0.06, BlazePose's outside the picture)."""
LYING_ALIKE_MAX_DEG = 25.0
"""Largest angle (degrees) between the two models' trunks (hip midpoint to shoulder midpoint)
lying across the picture for them to be one body; measured as for LYING_ALIKE_TRUNKS, and on
photo 04 in receiver boxes drawn a few px apart (around x 0-10, y 1040-1060 to the picture's
right and bottom edges): 5-16 degrees, where BlazePose finds a pose."""


def _lying_alike(blazepose: np.ndarray, person: np.ndarray, image_size: tuple[int, int]) -> bool:
    """Whether BlazePose's pose and a MoveNet person (33 x 4 landmarks each, original px) both
    lie across the picture (`_lying`) as one trunk: pointing the same way within
    LYING_ALIKE_MAX_DEG, the shoulder midpoints within LYING_ALIKE_TRUNKS of BlazePose's trunk
    length of each other."""
    if not (_lying(blazepose, image_size) and _lying(person, image_size)):
        return False
    shoulders, other_shoulders = midpoint(blazepose, SHOULDERS), midpoint(person, SHOULDERS)
    trunk = shoulders - midpoint(blazepose, HIPS)
    other = other_shoulders - midpoint(person, HIPS)
    length = float(np.hypot(*trunk))
    gap = float(np.hypot(*(shoulders - other_shoulders)))
    cos = float(trunk @ other) / (length * float(np.hypot(*other)))
    return gap <= LYING_ALIKE_TRUNKS * length and cos >= np.cos(np.radians(LYING_ALIKE_MAX_DEG))


def _checked(pose: Pose | None, image_size: tuple[int, int], view: str) -> CheckedPose | None:
    return None if pose is None else check(pose, image_size, view)
