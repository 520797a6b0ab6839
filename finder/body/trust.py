"""Is this pose a plausible view of one body? Checked before any point is placed.

BlazePose often returns a confident but wrong pose on back photos (hips placed mid-back, the
therapist instead of the receiver, arms mistaken for a torso). Each failed check yields a
`Problem` (its kind, and the side of a knee or an ankle); an empty list means the pose may be
used. Decisions read the kind; `Problem.sentence` gives a person's words where a result is made.
With the hips in view (`finder.body.anatomy.hips_evidence`) the whole body is checked; without
them, the upper body: the shoulders against the head. There a front view read from the pose
alone is refused: BlazePose reads many upper-body backs as fronts (`python -m
finder.tools.view_report`, crops of photo 13).
Limits and their sources: `body_model.json` "plausibility".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import Enum

import numpy as np

from finder.body.anatomy import hips_evidence
from finder.body.convention import in_blazepose_convention
from finder.body.hips_only import (
    SHOULDERS_CUT_OFF,
    as_hips_only,
    body_axis,
    hips_only_features,
    load_hips_only_model,
)
from finder.body.landmarks import HIPS, SHOULDERS, SIDE_KEYPOINTS, SIDES, Keypoint
from finder.body.model import load_body_model
from finder.body.pose import Pose
from finder.body.view import (
    ARMS_RAISED_NO_HIPS,
    HEAD,
    VISIBLE,
    Facing,
    OrientedPose,
    arms_raised,
    in_picture,
    left_axis,
    midpoint,
    orient,
    shoulder_normal,
    span,
)


class ProblemKind(Enum):
    """Why a pose cannot be trusted; `PROBLEM_SENTENCES` says it in a person's words."""

    INVALID_NUMBERS = "invalid numbers"
    SHOULDERS_NOT_IN_VIEW = "shoulders not in view"
    TOO_SMALL = "too small"
    ARMS_RAISED = "arms raised"
    FRONT_WITHOUT_FACE = "front read from the pose, no face found"  # set by the photo search
    UPSIDE_DOWN = "upside down in the picture, not found again turned"  # set by the photo search
    # upper body (the hips out of view)
    HEAD_AND_HIPS_OUT = "head and hips out of view"
    FRONT_OF_UPPER_BODY = "front of an upper body read from the pose"
    HEAD_NOT_ABOVE_SHOULDERS = "head not above the shoulders"
    HEAD_TOO_HIGH = "head too far above the shoulders"
    SHOULDERS_NOT_ACROSS_NECK = "shoulder line not across the neck"
    HEAD_TOO_WIDE = "head too wide"
    SHOULDERS_MIXED_UP = "left and right shoulders mixed up"
    HEAD_CUT_OFF_FACING_CAMERA = "head cut off, facing the camera"
    SHOULDERS_NOT_LEVEL = "shoulder line not level"
    # whole body
    TRUNK_TOO_LONG = "trunk too long"
    TRUNK_TOO_SHORT = "trunk too short"
    HIPS_DO_NOT_FIT_SHOULDERS = "hips do not fit the shoulders"
    SHOULDERS_NOT_ACROSS_TRUNK = "shoulder line not across the trunk"
    TWISTED = "shoulders and hips twisted"
    KNEE_ABOVE_HIPS = "knee above the hips"  # with a side
    ANKLE_ABOVE_KNEE = "ankle above the knee"  # with a side
    # hips only (the shoulders cut off)
    FRONT_WITHOUT_SHOULDERS = "front without shoulders"
    HIPS_NOT_CLEAR = "hips not clearly seen"
    LOWER_BACK_CUT_OFF = "lower back cut off"
    HIPS_NOT_ACROSS_THIGHS = "hip line not across the thighs"
    KNEE_OFF_THE_HIPS = "knee does not fit the hips"  # with a side
    ANKLE_ABOVE_KNEE_BELOW_HIPS = "ankle above the knee below hips alone"  # with a side


STEP_BACK = "step back until the shoulders, hips and knees are in the picture"
UNRELIABLE = "the pose is unreliable"
PROBLEM_SENTENCES = {
    ProblemKind.INVALID_NUMBERS: "the pose estimate contains invalid numbers",
    ProblemKind.SHOULDERS_NOT_IN_VIEW: f"the shoulders are not clearly in view: {STEP_BACK}",
    ProblemKind.TOO_SMALL: (
        "the person is too small in the picture: come closer or crop the photo"
    ),
    ProblemKind.ARMS_RAISED: ARMS_RAISED_NO_HIPS,
    ProblemKind.HEAD_AND_HIPS_OUT: (
        "the hips are out of view and so is the head: with the upper body only, keep the "
        "head and shoulders in the picture, or step back until the hips are in it"
    ),
    ProblemKind.FRONT_OF_UPPER_BODY: (
        "with only the upper body in view the finder cannot tell a face from the back of "
        "a head: choose the view (back or front)"
    ),
    ProblemKind.HEAD_NOT_ABOVE_SHOULDERS: (
        f"the head was not found above the shoulders: {UNRELIABLE}"
    ),
    ProblemKind.HEAD_TOO_HIGH: f"the head was found too far above the shoulders: {UNRELIABLE}",
    ProblemKind.SHOULDERS_NOT_ACROSS_NECK: (
        f"the shoulder line is not across the neck: {UNRELIABLE}"
    ),
    ProblemKind.HEAD_TOO_WIDE: f"the head found is too wide for the shoulders: {UNRELIABLE}",
    ProblemKind.SHOULDERS_MIXED_UP: f"the left and right shoulders are mixed up: {UNRELIABLE}",
    ProblemKind.HEAD_CUT_OFF_FACING_CAMERA: (
        "the head is cut off by the top of the picture and the body seems to face the "
        "camera: if this is a back, choose the back view"
    ),
    ProblemKind.FRONT_WITHOUT_FACE: (
        "the body found seems to face the camera, but no face was found on it: if this is a "
        "back, tap C7 and the two hip-bone tops; if it is a front, choose the front view"
    ),
    ProblemKind.UPSIDE_DOWN: (
        "the body found stands on its head in the picture (its shoulders below its hips) and "
        "the picture turned round does not show it again: turn the photo upright, or tap C7 "
        "and the two hip-bone tops"
    ),
    ProblemKind.SHOULDERS_NOT_LEVEL: f"the shoulder line is not level: {UNRELIABLE}",
    ProblemKind.TRUNK_TOO_LONG: (
        "the trunk found is too long for the shoulders: the body may be turned sideways "
        "or the pose was not found reliably"
    ),
    ProblemKind.TRUNK_TOO_SHORT: (
        "the trunk found is too short for the shoulders: the body may be turned sideways "
        "or the pose was not found reliably"
    ),
    ProblemKind.HIPS_DO_NOT_FIT_SHOULDERS: f"the hips found do not fit the shoulders: {UNRELIABLE}",
    ProblemKind.SHOULDERS_NOT_ACROSS_TRUNK: (
        f"the shoulder line is not across the trunk: {UNRELIABLE}"
    ),
    ProblemKind.TWISTED: f"shoulders and hips are twisted against each other: {UNRELIABLE}",
    ProblemKind.KNEE_ABOVE_HIPS: (
        "the {side} knee was found too close to or above the hips: the lower body was not "
        "found reliably (if the receiver is seated, take the photo from the waist up)"
    ),
    ProblemKind.ANKLE_ABOVE_KNEE: (
        "the {side} ankle was found too close to or above the knee: the lower body was not "
        "found reliably"
    ),
    ProblemKind.FRONT_WITHOUT_SHOULDERS: (
        f"{SHOULDERS_CUT_OFF} and the front points need them: if this is a back, choose the "
        "back view"
    ),
    ProblemKind.HIPS_NOT_CLEAR: (
        f"{SHOULDERS_CUT_OFF} and the hips are not clearly seen: {UNRELIABLE}"
    ),
    ProblemKind.LOWER_BACK_CUT_OFF: (
        f"{SHOULDERS_CUT_OFF} and so is the lower back: take the picture from the waist "
        "down, or tap C7 and the two hip-bone tops"
    ),
    ProblemKind.HIPS_NOT_ACROSS_THIGHS: f"the hip line is not across the thighs: {UNRELIABLE}",
    ProblemKind.KNEE_OFF_THE_HIPS: f"the {{side}} knee does not fit the hips: {UNRELIABLE}",
    ProblemKind.ANKLE_ABOVE_KNEE_BELOW_HIPS: (
        f"the {{side}} ankle was found too close to or above the knee: {UNRELIABLE}"
    ),
}
"""A person's words for each kind of problem: what was found, then what to do ({side}: the
receiver's own side of a knee or an ankle)."""


@dataclass(frozen=True)
class Problem:
    """One reason a pose cannot be trusted: its kind, and the receiver's side ("left" or
    "right") of the knee or ankle it is about (None otherwise)."""

    kind: ProblemKind
    side: str | None = None

    @property
    def sentence(self) -> str:
        """The problem in a person's words (`PROBLEM_SENTENCES`): made where a result is shown."""
        return PROBLEM_SENTENCES[self.kind].format(side=self.side)


@dataclass(frozen=True)
class CheckedPose:
    """A pose oriented (facing, receiver's own sides) and marked in frame (`in_frame`), with the
    reasons it cannot be trusted (empty: plausible). Made once per photo by `check`; every later
    stage takes it as it is."""

    pose: OrientedPose
    problems: tuple[Problem, ...]

    @property
    def accepted(self) -> bool:
        return not self.problems


def check(pose: Pose, image_size: tuple[int, int], view: str = "auto") -> CheckedPose:
    """Orient `pose` (image px of a `image_size` = (width, height) picture) with `view` ("auto",
    "back" or "front") in BlazePose's keypoint convention (`finder.body.convention`), mark
    keypoints beyond the frame unseen, and check it."""
    converted = in_blazepose_convention(pose, image_size)
    oriented = orient(converted.landmarks, image_size, view)
    oriented = in_frame(replace(oriented, detector=pose.detector))
    hips_only = as_hips_only(oriented)
    if hips_only is not None:  # shoulders the picture cannot hold are guesses: set aside
        return CheckedPose(hips_only, tuple(hips_only_problems(hips_only)))
    return CheckedPose(oriented, tuple(_framed_pose_problems(oriented)))


def in_frame(pose: OrientedPose, limits: Mapping[str, object] | None = None) -> OrientedPose:
    """The pose with every keypoint found beyond the frame margin (`max_outside_frame` times
    the image's long side, px) marked unseen (visibility 0), and visibility clipped to
    BlazePose's range [0, 1]: a keypoint far outside the picture is a guess, not a sighting."""
    limits = limits or load_body_model().plausibility
    width, height = pose.image_size
    margin = float(limits["max_outside_frame"]) * max(width, height)
    x, y = pose.landmarks[:, 0], pose.landmarks[:, 1]
    inside = (-margin <= x) & (x <= width + margin) & (-margin <= y) & (y <= height + margin)
    landmarks = pose.landmarks.copy()
    landmarks[:, 3] = np.where(inside, np.clip(landmarks[:, 3], 0.0, 1.0), 0.0)
    return replace(pose, landmarks=landmarks)


def check_pose(pose: OrientedPose, limits: Mapping[str, object] | None = None) -> list[Problem]:
    """Reasons why the pose cannot be trusted (empty when it is plausible)."""
    limits = limits or load_body_model().plausibility
    if not np.all(np.isfinite(pose.landmarks)):
        return [Problem(ProblemKind.INVALID_NUMBERS)]
    return _framed_pose_problems(in_frame(pose, limits), limits)


def _framed_pose_problems(
    pose: OrientedPose, limits: Mapping[str, object] | None = None
) -> list[Problem]:
    """`check_pose` of a pose already `in_frame` (as `check` makes it; a second pass would
    change nothing)."""
    limits = limits or load_body_model().plausibility
    if not np.all(np.isfinite(pose.landmarks)):
        return [Problem(ProblemKind.INVALID_NUMBERS)]
    lm = pose.landmarks
    if not _shoulders_in_picture(pose):
        return [Problem(ProblemKind.SHOULDERS_NOT_IN_VIEW)]
    whole_body = hips_evidence(pose, limits).anchor
    if _below_measurable_size(pose, limits, whole_body):
        return [Problem(ProblemKind.TOO_SMALL)]
    if whole_body:
        problems = _whole_body_problems(pose, limits)
    elif arms_raised(lm, limits):  # the shoulders, the only anchor, ride up with the arms
        problems = [Problem(ProblemKind.ARMS_RAISED)]
    else:
        problems = _upper_body_problems(pose, limits)
    if problems and _picture_share(pose) < float(limits["small_in_picture"]):
        problems.insert(0, Problem(ProblemKind.TOO_SMALL))
    return problems


def _shoulders_in_picture(pose: OrientedPose) -> bool:
    """Both shoulders seen, inside the picture itself (BlazePose guesses shoulders below a
    head-only crop)."""
    lm = pose.landmarks
    return pose.visible(*SHOULDERS) and all(in_picture(pose, lm[k, :2], 0.0) for k in SHOULDERS)


def _below_measurable_size(
    pose: OrientedPose, limits: Mapping[str, object], whole_body: bool
) -> bool:
    """Whether the body's reference length is too few pixels to check it: the trunk (shoulder
    midpoint to hip midpoint) for a whole body, the shoulder width for an upper body."""
    lm = pose.landmarks
    if whole_body:
        trunk_vector = midpoint(lm, SHOULDERS) - midpoint(lm, HIPS)
        return float(np.hypot(*trunk_vector)) < float(limits["min_trunk_px"])
    shoulder_width = span(lm, SHOULDERS)
    return shoulder_width < float(limits["upper_body"]["min_shoulder_width_px"])


def _picture_share(pose: OrientedPose) -> float:
    """The larger of the fractions of the picture's width and height that the seen keypoints
    span."""
    seen = pose.landmarks[pose.landmarks[:, 3] >= VISIBLE, :2]
    return float(np.max(np.ptp(seen, axis=0) / np.array(pose.image_size)))


def _upper_body_problems(pose: OrientedPose, limits: Mapping[str, object]) -> list[Problem]:
    """The hips are out of view: the shoulders (measurable, `_below_measurable_size`) must fit
    a head seen above them."""
    lm = pose.landmarks
    upper = limits["upper_body"]
    shoulder_width = span(lm, SHOULDERS)
    shoulder_mid, up = midpoint(lm, SHOULDERS), shoulder_normal(lm)
    head = [k for k in HEAD if pose.visible(k)]
    if not head and _head_cut_off(pose, shoulder_mid, up, shoulder_width, limits):
        return _headless_problems(pose, up, shoulder_width, limits)
    if not head:
        return [Problem(ProblemKind.HEAD_AND_HIPS_OUT)]
    if pose.facing is Facing.FRONT and not pose.facing_chosen:
        return [Problem(ProblemKind.FRONT_OF_UPPER_BODY)]
    problems = []
    head_vector = lm[head, :2].mean(axis=0) - shoulder_mid
    head_height = float(head_vector @ up)
    low, high = upper["head_to_shoulder_width"]
    if head_height < low * shoulder_width:
        problems.append(Problem(ProblemKind.HEAD_NOT_ABOVE_SHOULDERS))
    elif head_height > high * shoulder_width:
        problems.append(Problem(ProblemKind.HEAD_TOO_HIGH))
    shoulder_line = (lm[SHOULDERS[0], :2] - lm[SHOULDERS[1], :2]) / shoulder_width
    head_direction = head_vector / max(float(np.hypot(*head_vector)), 1e-9)
    if abs(float(head_direction @ shoulder_line)) > float(limits["max_shoulder_tilt_cos"]):
        problems.append(Problem(ProblemKind.SHOULDERS_NOT_ACROSS_NECK))
    if pose.visible(Keypoint.LEFT_EAR, Keypoint.RIGHT_EAR):
        ear_span = float(np.hypot(*(lm[Keypoint.LEFT_EAR, :2] - lm[Keypoint.RIGHT_EAR, :2])))
        if ear_span > float(upper["max_ear_span_to_shoulder_width"]) * shoulder_width:
            problems.append(Problem(ProblemKind.HEAD_TOO_WIDE))
    if float(shoulder_line @ left_axis(up, pose.facing)) <= 0:
        problems.append(Problem(ProblemKind.SHOULDERS_MIXED_UP))
    return problems


def cut_at_the_neck(pose: OrientedPose, limits: Mapping[str, object] | None = None) -> bool:
    """Whether the picture's top edge cuts the body at the neck: both shoulders seen inside the
    picture, no hips to anchor the body, and too little room above the shoulders for a head
    (`_head_cut_off`), wherever a detector put head keypoints (beyond the edge, or guessed on
    the neck)."""
    limits = limits or load_body_model().plausibility
    lm = pose.landmarks
    if not _shoulders_in_picture(pose):
        return False
    if hips_evidence(pose, limits).anchor:
        return False
    shoulder_width = span(lm, SHOULDERS)
    return _head_cut_off(pose, midpoint(lm, SHOULDERS), shoulder_normal(lm), shoulder_width, limits)


def _head_cut_off(
    pose: OrientedPose,
    shoulder_mid: np.ndarray,
    up: np.ndarray,
    shoulder_width: float,
    limits: Mapping[str, object],
) -> bool:
    """Whether the picture's top edge cuts the head off: the body stands upright in the picture
    (`up`, toward the head keypoints wherever the detector guessed them, within
    `max_shoulder_tilt_cos` of the image's up) and there is less room above the shoulder
    midpoint than HEAD_ROOM_SHOULDER_WIDTHS (px)."""
    image_up = np.array([0.0, -1.0])
    if float(up @ image_up) < np.sqrt(1 - float(limits["max_shoulder_tilt_cos"]) ** 2):
        return False
    return float(shoulder_mid[1]) < HEAD_ROOM_SHOULDER_WIDTHS * shoulder_width


HEAD_ROOM_SHOULDER_WIDTHS = 0.49
"""Below this room above the shoulder keypoints (shoulder widths) the head's keypoints cannot be
in the picture: their mean height above the shoulders is 0.49-0.81 shoulder widths on ANSUR II
(0.1-99.9 percentile; `body_model.json` "upper_body_source")."""


def _headless_problems(
    pose: OrientedPose, up: np.ndarray, shoulder_width: float, limits: Mapping[str, object]
) -> list[Problem]:
    """A back cut off at the neck by the picture's top edge (the most common partner photo): the
    shoulders alone, level and in the receiver's order, give the upper back. A head that is not
    in the picture shows no face, so only a back view is taken."""
    lm = pose.landmarks
    if pose.facing is not Facing.BACK:
        return [Problem(ProblemKind.HEAD_CUT_OFF_FACING_CAMERA)]
    shoulder_line = (lm[SHOULDERS[0], :2] - lm[SHOULDERS[1], :2]) / shoulder_width
    if abs(float(shoulder_line @ up)) > float(limits["max_shoulder_tilt_cos"]):
        return [Problem(ProblemKind.SHOULDERS_NOT_LEVEL)]
    if float(shoulder_line @ left_axis(up, pose.facing)) <= 0:
        return [Problem(ProblemKind.SHOULDERS_MIXED_UP)]
    return []


def _whole_body_problems(pose: OrientedPose, limits: Mapping[str, object]) -> list[Problem]:
    """The hips are in view: proportions and order along the body, shoulders to ankles (the
    trunk measurable, `_below_measurable_size`)."""
    lm = pose.landmarks
    problems = []
    shoulders, hips = lm[list(SHOULDERS), :2], lm[list(HIPS), :2]
    shoulder_mid, hip_mid = midpoint(lm, SHOULDERS), midpoint(lm, HIPS)
    trunk_vector = shoulder_mid - hip_mid
    trunk = float(np.hypot(*trunk_vector))
    up = trunk_vector / trunk
    shoulder_width = span(lm, SHOULDERS)
    hip_width = span(lm, HIPS)

    low, high = limits["trunk_to_shoulder_width"]
    if trunk > high * shoulder_width:
        problems.append(Problem(ProblemKind.TRUNK_TOO_LONG))
    elif trunk < low * shoulder_width:
        problems.append(Problem(ProblemKind.TRUNK_TOO_SHORT))
    low, high = limits["hip_to_shoulder_width"]
    if not low * shoulder_width <= hip_width <= high * shoulder_width:
        problems.append(Problem(ProblemKind.HIPS_DO_NOT_FIT_SHOULDERS))
    shoulder_line = (shoulders[0] - shoulders[1]) / max(shoulder_width, 1e-9)
    if abs(float(shoulder_line @ up)) > float(limits["max_shoulder_tilt_cos"]):
        problems.append(Problem(ProblemKind.SHOULDERS_NOT_ACROSS_TRUNK))
    shoulders_left = float((shoulders[0] - shoulders[1]) @ left_axis(up, pose.facing))
    hips_left = float((hips[0] - hips[1]) @ left_axis(up, pose.facing))
    if shoulders_left * hips_left <= 0:
        problems.append(Problem(ProblemKind.TWISTED))
    min_thigh = float(limits["min_thigh_trunks"]) * trunk
    problems += _leg_problems(
        pose,
        hip_mid,
        up,
        (min_thigh, np.inf),
        lambda thigh: float(limits["min_shank_trunks"]) * trunk,
        (ProblemKind.KNEE_ABOVE_HIPS, ProblemKind.ANKLE_ABOVE_KNEE),
    )
    head = [k for k in HEAD if pose.visible(k)]
    if head:
        head_height = float((lm[head, :2].mean(axis=0) - shoulder_mid) @ up)
        if head_height < float(limits["min_head_trunks"]) * trunk:
            problems.append(Problem(ProblemKind.HEAD_NOT_ABOVE_SHOULDERS))
    return problems


def _leg_problems(
    pose: OrientedPose,
    hip_mid: np.ndarray,
    up: np.ndarray,
    thigh_range: tuple[float, float],
    min_shank: Callable[[float], float],
    kinds: tuple[ProblemKind, ProblemKind],
) -> list[Problem]:
    """Each seen knee's height below the hip midpoint along `up` (the thigh, px) must lie in
    `thigh_range` (px), else `kinds[0]` for its side; below a fitting knee, a seen ankle must lie
    at least `min_shank(thigh)` px lower, else `kinds[1]`."""
    lm = pose.landmarks
    low, high = thigh_range
    problems = []
    for side in SIDES:
        knee, ankle = SIDE_KEYPOINTS[side].knee, SIDE_KEYPOINTS[side].ankle
        if not pose.visible(knee):
            continue
        thigh = float((hip_mid - lm[knee, :2]) @ up)
        if not low <= thigh <= high:
            problems.append(Problem(kinds[0], side))
        elif pose.visible(ankle) and float((lm[knee, :2] - lm[ankle, :2]) @ up) < min_shank(thigh):
            problems.append(Problem(kinds[1], side))
    return problems


def hips_only_problems(
    pose: OrientedPose, limits: Mapping[str, object] | None = None
) -> list[Problem]:
    """A body whose shoulders the picture cuts off (`finder.body.hips_only.as_hips_only`): the
    hips clearly seen and measurable, seen from behind, the picture reaching the typical crest
    height above them, and every knee seen where ANSUR II thighs put knees for this hip width,
    below the hips and across from the hip line."""
    limits = limits or load_body_model().plausibility
    model = load_hips_only_model()
    if pose.facing is not Facing.BACK:
        return [Problem(ProblemKind.FRONT_WITHOUT_SHOULDERS)]
    lm = pose.landmarks
    up = body_axis(pose)
    features = hips_only_features(pose, up)
    hip_width = features["hip_width"]
    if hip_width < model.min_hip_width_px:
        return [Problem(ProblemKind.TOO_SMALL)]
    if float(lm[list(HIPS), 3].min()) < model.min_hip_visibility:
        return [Problem(ProblemKind.HIPS_NOT_CLEAR)]
    hip_mid = midpoint(lm, HIPS)
    if not in_picture(pose, hip_mid + model.min_room_above_hip_widths * hip_width * up, 0.0):
        return [Problem(ProblemKind.LOWER_BACK_CUT_OFF)]
    problems = []
    hip_line = (lm[HIPS[0], :2] - lm[HIPS[1], :2]) / hip_width
    if abs(float(hip_line @ up)) > float(limits["max_shoulder_tilt_cos"]):
        problems.append(Problem(ProblemKind.HIPS_NOT_ACROSS_THIGHS))
    low, high = model.thigh_to_hip_width
    return problems + _leg_problems(
        pose,
        hip_mid,
        up,
        (low * hip_width, high * hip_width),
        lambda thigh: float(limits["min_shank_trunks"]) * thigh,
        (ProblemKind.KNEE_OFF_THE_HIPS, ProblemKind.ANKLE_ABOVE_KNEE_BELOW_HIPS),
    )
