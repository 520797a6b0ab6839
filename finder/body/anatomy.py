"""The body model: from oriented pose keypoints to the surface anatomy a practitioner palpates.

Body frame: origin at the hip-keypoint midpoint, `up` toward the shoulder midpoint, `left` toward
the receiver's own left, lengths in B-cun (`cun_px` pixels each). When the hips are out of view
(upper body only) the origin is the shoulder-keypoint midpoint and `up` is perpendicular to the
shoulder line, toward the head. Constants come from `calibration/body_model.json`, each with its
source.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum

import numpy as np

from finder.body.landmarks import (
    HIPS,
    SHOULDERS,
    SIDE_KEYPOINTS,
    SIDES,
    Keypoint,
)
from finder.body.model import BodyModel, load_keypoint_convention
from finder.body.pose import Detector
from finder.body.spine import SpineEstimate, chained, independent
from finder.body.view import (
    ARMS_RAISED,
    Facing,
    OrientedPose,
    arms_raised,
    in_picture,
    left_axis,
    midpoint,
    shoulder_normal,
    span,
    up_axis,
)

HIPS_OUT_OF_VIEW = (
    "the hips are out of view: tap C7 and the two hip-bone tops to complete, or step back until "
    "the hips are in the picture"
)
"""Why what needs the hips is left out of an upper body: the taps alone place the whole back
from C7 and the crest tops, whichever detector found the shoulders (`finder.body.fit`)."""
EARS = (Keypoint.LEFT_EAR, Keypoint.RIGHT_EAR)


@dataclass(frozen=True)
class BodyFrame:
    """Body axes in the image: `origin` (px), unit vectors `up` and `left`, `cun_px` per B-cun."""

    origin: np.ndarray
    up: np.ndarray
    left: np.ndarray
    cun_px: float

    def to_image(self, up_cun: float, left_cun: float) -> np.ndarray:
        """Image pixel position of a body-frame point given in cun."""
        return self.origin + self.cun_px * (up_cun * self.up + left_cun * self.left)

    def to_body(self, xy: np.ndarray) -> tuple[float, float]:
        """(up, left) in cun of an image pixel position."""
        offset = np.asarray(xy, dtype=float) - self.origin
        return float(offset @ self.up) / self.cun_px, float(offset @ self.left) / self.cun_px


@dataclass(frozen=True)
class AnatomicalLandmark:
    """A surface landmark: image position (px), its standard deviation (px), and the lowest
    BlazePose visibility among the keypoints it rests on."""

    xy: np.ndarray
    sd_px: float
    visibility: float


@dataclass(frozen=True)
class Anatomy:
    """Named surface landmarks (see finder.body.landmarks.LANDMARK_NAMES) on one body; `missing`
    maps the names that could not be placed to a reason a person understands.

    `spine` is the fitted midline (body-frame px); `reference` is the frame in which a partner's
    corrections are stored: its origin is the L4 midline point as estimated before any tap, so
    that stored taps follow the body. `tapped` names the landmarks a partner placed."""

    frame: BodyFrame
    landmarks: Mapping[str, AnatomicalLandmark]
    missing: Mapping[str, str]
    spine: SpineEstimate
    reference: BodyFrame
    tapped: frozenset[str] = frozenset()


def body_features(pose: OrientedPose) -> tuple[dict[str, float], np.ndarray, np.ndarray]:
    """Lengths (px) measured on the pose along the body axes, the hip midpoint and `up`.

    Leg lengths use whichever legs are visible; `head` needs both ears."""
    lm = pose.landmarks
    hip_mid = midpoint(lm, HIPS)
    trunk_vector = midpoint(lm, SHOULDERS) - hip_mid
    trunk = float(np.hypot(*trunk_vector))
    up = trunk_vector / trunk
    features = {
        "trunk": trunk,
        "hip_width": float(np.hypot(*(lm[HIPS[0], :2] - lm[HIPS[1], :2]))),
        **_shoulder_features(pose, up),
    }
    knees = [s for s in SIDES if pose.visible(SIDE_KEYPOINTS[s].knee)]
    return features | leg_features(pose, hip_mid, up, knees), hip_mid, up


def leg_features(
    pose: OrientedPose, hip_mid: np.ndarray, up: np.ndarray, knees: Sequence[str]
) -> dict[str, float]:
    """Leg lengths (px) along `up`: "thigh", from `hip_mid` to the knees of the sides `knees`
    (mean), and "shank", from those knees to their visible ankles (mean); each only when some
    leg gives it."""
    lm = pose.landmarks
    features = {}
    if knees:
        features["thigh"] = _mean([(hip_mid - lm[SIDE_KEYPOINTS[s].knee, :2]) @ up for s in knees])
    shanks = [s for s in knees if pose.visible(SIDE_KEYPOINTS[s].ankle)]
    if shanks:
        features["shank"] = _mean(
            [
                (lm[SIDE_KEYPOINTS[s].knee, :2] - lm[SIDE_KEYPOINTS[s].ankle, :2]) @ up
                for s in shanks
            ]
        )
    return features


def _mean(values: Sequence[float]) -> float:
    """The mean of a few numbers, summed in order as `np.mean` sums them (the same number
    without its per-call cost)."""
    return float(sum(values) / len(values))


def upper_body_features(pose: OrientedPose) -> tuple[dict[str, float], np.ndarray, np.ndarray]:
    """Lengths (px) measured without the hips, the shoulder midpoint and `up`: perpendicular to
    the shoulder line, toward the head (`finder.body.view.shoulder_normal`;
    `finder.body.trust` checks that the head is seen)."""
    up = shoulder_normal(pose.landmarks)
    shoulder_mid = midpoint(pose.landmarks, SHOULDERS)
    return _shoulder_features(pose, up), shoulder_mid, up


def _shoulder_features(pose: OrientedPose, up: np.ndarray) -> dict[str, float]:
    """Shoulder width and, when both ears are seen, the ears' height above the shoulder
    midpoint along `up` (px)."""
    lm = pose.landmarks
    features = {"shoulder_width": span(lm, SHOULDERS)}
    if pose.visible(*EARS):
        features["head"] = float((midpoint(lm, EARS) - midpoint(lm, SHOULDERS)) @ up)
    return features


class Hips(Enum):
    """What the picture says about the hip keypoints as anchors of the body frame."""

    IN_VIEW = "in view"  # seen, with room below them
    AT_THE_EDGE = "at the edge"  # seen, but where BlazePose also reports hips the edge cuts off
    OUT_OF_VIEW = "out of view"  # not both seen, or outside the picture

    @property
    def anchor(self) -> bool:
        """Whether the hips anchor the body frame."""
        return self is Hips.IN_VIEW

    @property
    def reason(self) -> str:
        """Why the landmarks that need the hips are left out (a person's words)."""
        return HIPS_AT_THE_EDGE if self is Hips.AT_THE_EDGE else HIPS_OUT_OF_VIEW


HIPS_AT_THE_EDGE = (
    "the hips are at the picture's edge, where the camera model cannot tell them from hips the "
    "picture cuts off: take the picture a little lower, down to mid-thigh"
)


def hips_evidence(pose: OrientedPose, limits: Mapping[str, object]) -> Hips:
    """Whether the hips can anchor the body.

    Both hip keypoints must be seen and inside the picture, and the picture must reach
    `hips.clear_room` shoulder widths below them down the trunk axis: nearer the edge BlazePose
    reports hips that the edge cuts off as seen, too high, with the visibility and the trunk
    length of real hips (`body_model.json` "plausibility" hips.source), so there the hips are
    `AT_THE_EDGE`, which says so instead of asking for hips already in the picture. MoveNet
    scores hips the edge cuts off as unseen, so its hips need `hips.clear_room_movenet`,
    judged where MoveNet put them."""
    lm = pose.landmarks
    up = up_axis(lm)
    shoulder_width = span(lm, SHOULDERS)
    hips = lm[list(HIPS), :2]
    room = float(limits["hips"]["clear_room"])
    if pose.detector is Detector.MOVENET:
        # Judged where MoveNet put them, before finder.body.convention moved them down.
        convention = load_keypoint_convention()
        hips = hips + convention.hips_down * shoulder_width / convention.shoulder_width_ratio * up
        room = float(limits["hips"]["clear_room_movenet"])
    if not pose.visible(*HIPS) or not all(in_picture(pose, hip, 0.0) for hip in hips):
        return Hips.OUT_OF_VIEW
    below = (hips[0] + hips[1]) / 2 - room * shoulder_width * up
    return Hips.IN_VIEW if in_picture(pose, below, 0.0) else Hips.AT_THE_EDGE


def hips_as_on_a_whole_body(pose: OrientedPose) -> OrientedPose:
    """`pose` with BlazePose's hip keypoints where it puts them when the picture shows the whole
    body: with less than `up_to_room` shoulder widths of picture below the hip midpoint (down the
    trunk axis), BlazePose puts the hips `per_width` x (`up_to_room` - that room) widths higher
    (calibration/keypoints.json "blazepose_hips_near_the_edge"), so they move down by as much.
    MoveNet's hips stay where they are on crops (same file)."""
    if pose.detector is not Detector.BLAZEPOSE:
        return pose
    rule = load_keypoint_convention().hips_near_the_edge
    lm = pose.landmarks
    width = span(lm, SHOULDERS)
    down = -up_axis(lm)
    room = _room_along(midpoint(lm, HIPS), down, pose.image_size) / width
    pull = rule.per_width * max(0.0, rule.up_to_room - room)
    if pull == 0.0:
        return pose
    landmarks = lm.copy()
    landmarks[list(HIPS), :2] += pull * width * down
    return replace(pose, landmarks=landmarks)


def _room_along(xy: np.ndarray, direction: np.ndarray, image_size: tuple[int, int]) -> float:
    """How far (px) from `xy` the picture's edge lies along the unit vector `direction`."""
    steps = [
        (limit - float(xy[axis])) / float(direction[axis])
        for axis, limit in ((0, image_size[0]), (1, image_size[1]), (0, 0.0), (1, 0.0))
        if float(direction[axis]) * (limit - float(xy[axis])) > 0
    ]
    return max(0.0, min(steps, default=float("inf")))


def _c7_spread(pose: OrientedPose, model: BodyModel, c7_sd: float) -> tuple[bool, float]:
    """Whether the arms are raised (`arms_raised`), and C7's sd (cun) from the shoulder
    keypoints: then at least `arms_raised.c7_sd_cun`, the error raised arms cause."""
    if not arms_raised(pose.landmarks, model.plausibility):
        return False, c7_sd
    return True, max(c7_sd, float(model.plausibility["arms_raised"]["c7_sd_cun"]))


def _without_shoulders(
    landmarks: Mapping[str, AnatomicalLandmark], missing: Mapping[str, str]
) -> tuple[dict[str, AnatomicalLandmark], dict[str, str]]:
    """`landmarks` without the acromia, which rest on the shoulder keypoints alone; they join
    `missing` with the ARMS_RAISED reason."""
    acromia = {f"acromion_{side}" for side in SIDES}
    kept = {name: lm for name, lm in landmarks.items() if name not in acromia}
    return kept, {**missing, **dict.fromkeys(sorted(acromia), ARMS_RAISED)}


LEVEL_TOO_UNCERTAIN = "{level} cannot be placed within one vertebra from what is in view"
LEVEL_BEYOND_SHOULDERS = (
    "{level} is too far down the back to place from the shoulders alone (more than one "
    "vertebra uncertain)"
)


@dataclass(frozen=True)
class PosePrior:
    """What the pose alone says: the body frame, the cun's relative standard deviation, the
    spine, and the landmarks that rest on keypoints (shoulders, hips, knees, ankles, feet) with
    the reasons for those that could not be placed. `too_uncertain` (formatted with `level`)
    says why a spinous level too uncertain to place is left out, given what the frame rests on.
    """

    frame: BodyFrame
    cun_relative_sd: float
    spine: SpineEstimate
    landmarks: Mapping[str, AnatomicalLandmark]
    missing: Mapping[str, str]
    torso_visibility: float
    too_uncertain: str = LEVEL_TOO_UNCERTAIN

    @property
    def reference(self) -> BodyFrame:
        """The frame partner corrections are kept in (`Anatomy.reference`), before any tap."""
        return reference_frame(self.frame, self.spine)


def shoulders_prior(pose: OrientedPose, model: BodyModel, cun_px: float | None = None) -> PosePrior:
    """The body model's estimate from a pose whose shoulders are seen (pure function): the
    whole body from the hips and shoulders, or `upper_body_prior` when the hips cannot anchor
    it (`hips_evidence`); `cun_px` replaces the predicted cun when a better one is known."""
    hips = hips_evidence(pose, model.plausibility)
    if not hips.anchor:
        return upper_body_prior(pose, model, cun_px, hips)
    pose = hips_as_on_a_whole_body(pose)
    features, hip_mid, up = body_features(pose)
    predicted_cun_px, cun_sd = model.predict("cun", features)
    cun_px = cun_px or predicted_cun_px
    frame = BodyFrame(hip_mid, up, left_axis(up, pose.facing), cun_px)
    anchor_up = {"hips": 0.0, "shoulders": features["trunk"]}
    c7_px, c7_sd = model.height("C7", features, anchor_up)
    raised, c7_sd = _c7_spread(pose, model, c7_sd)
    crest_px, crest_sd = model.height("iliac_crest", features, anchor_up)
    midline_sd = model.midline_sd_cun * cun_px
    spine = SpineEstimate(
        independent((c7_px, crest_px), (c7_sd * cun_px, crest_sd * cun_px)),
        independent((0.0, 0.0), (midline_sd, midline_sd)),
        model.spine_fractions[model.crest_level],
    )
    torso_visibility = float(pose.landmarks[[*SHOULDERS, *HIPS], 3].min())
    landmarks, missing = keypoint_landmarks(pose, frame, features["trunk"], torso_visibility, model)
    _add_front_landmarks(landmarks, missing, pose, frame, features, anchor_up, model)
    if not raised:
        return PosePrior(frame, cun_sd, spine, landmarks, missing, torso_visibility)
    landmarks, missing = _without_shoulders(landmarks, missing)
    return PosePrior(frame, cun_sd, spine, landmarks, missing, torso_visibility, ARMS_RAISED)


def upper_body_prior(
    pose: OrientedPose, model: BodyModel, cun_px: float | None = None, hips: Hips = Hips.OUT_OF_VIEW
) -> PosePrior:
    """The estimate from the shoulders and head alone (pure function): origin at the shoulder
    midpoint, `up` from `upper_body_features`, C7 and the cun from the shoulder regressions, and
    L4 one ANSUR C7-to-crest span below C7, so the spine's uncertainty grows down the back with
    that span's spread and the cun's. The midline may lean away from `up` by
    `upper_body_tilt_sd_deg` (sideways sd at L4). Leg and pelvis landmarks are missing, for the
    reason `hips` gives."""
    features, shoulder_mid, up = upper_body_features(pose)
    predicted_cun_px, cun_sd = model.predict("cun", features)
    cun_px = cun_px or predicted_cun_px
    frame = BodyFrame(shoulder_mid, up, left_axis(up, pose.facing), cun_px)
    anchor_up = {"shoulders": 0.0}
    c7_px, c7_sd = model.height("C7", features, anchor_up)
    raised, c7_sd = _c7_spread(pose, model, c7_sd)
    span_px, span_var, lean_var = c7_to_crest_step(model, cun_px, cun_sd)
    midline_sd = model.midline_sd_cun * cun_px
    spine = SpineEstimate(
        chained(0, c7_px, (c7_sd * cun_px) ** 2, -span_px, span_var),
        independent((0.0, 0.0), (midline_sd, math.sqrt(midline_sd**2 + lean_var))),
        model.spine_fractions[model.crest_level],
    )
    shoulder_visibility = float(pose.landmarks[list(SHOULDERS), 3].min())
    landmarks = acromion_landmarks(pose, frame, model)
    missing = {
        name: hips.reason
        for name in (
            "sacral_hiatus",
            *(
                f"{name}_{side}"
                for name in ("greater_trochanter", "popliteal_crease", "lateral_malleolus")
                for side in SIDES
            ),
        )
    }
    _add_front_landmarks(landmarks, missing, pose, frame, features, anchor_up, model, hips)
    too_uncertain = f"{hips.reason}; {LEVEL_BEYOND_SHOULDERS}"
    if raised:
        landmarks, missing = _without_shoulders(landmarks, missing)
        too_uncertain = ARMS_RAISED
    return PosePrior(frame, cun_sd, spine, landmarks, missing, shoulder_visibility, too_uncertain)


def c7_to_crest_step(
    model: BodyModel, cun_px: float, cun_relative_sd: float
) -> tuple[float, float, float]:
    """The C7 -> L4 distance along the spine (px) when only one end is anchored, its variance
    from the ANSUR span and the cun's spread (px^2), and the variance of the midline's sideways
    lean over it (`upper_body_tilt_sd_deg`, px^2)."""
    span_cun, span_sd = model.span("c7_to_crest")
    span_px = span_cun * cun_px
    lean_sd = span_px * math.tan(math.radians(model.upper_body_tilt_sd_deg))
    return span_px, (span_sd * cun_px) ** 2 + (span_px * cun_relative_sd) ** 2, lean_sd**2


def acromion_landmarks(
    pose: OrientedPose, frame: BodyFrame, model: BodyModel
) -> dict[str, AnatomicalLandmark]:
    """The acromion tips, above and outside the shoulder keypoints (image px)."""
    acromion = model.landmarks["acromion"]
    landmarks = {}
    for side in SIDES:
        sign = 1.0 if side == "left" else -1.0
        shoulder = pose.landmarks[SIDE_KEYPOINTS[side].shoulder]
        shoulder_up, shoulder_left = frame.to_body(shoulder[:2])
        landmarks[f"acromion_{side}"] = AnatomicalLandmark(
            frame.to_image(
                shoulder_up + acromion["up_cun"], shoulder_left + sign * acromion["out_cun"]
            ),
            acromion["sd_cun"] * frame.cun_px,
            float(shoulder[3]),
        )
    return landmarks


def keypoint_landmarks(
    pose: OrientedPose,
    frame: BodyFrame,
    trunk_px: float,
    torso_visibility: float,
    model: BodyModel,
) -> tuple[dict[str, AnatomicalLandmark], dict[str, str]]:
    """Landmarks placed from single keypoints: acromia, greater trochanters, popliteal creases,
    lateral malleoli, and the sacral hiatus from the trunk length (image px)."""
    constants = model.landmarks
    landmarks = acromion_landmarks(pose, frame, model)
    missing: dict[str, str] = {}

    def put(name: str, up_cun: float, left_cun: float, sd_cun: float, visibility: float) -> None:
        landmarks[name] = AnatomicalLandmark(
            frame.to_image(up_cun, left_cun), sd_cun * frame.cun_px, float(visibility)
        )

    hiatus = constants["sacral_hiatus"]
    put(
        "sacral_hiatus",
        hiatus["up_trunk"] * trunk_px / frame.cun_px,
        0.0,
        hiatus["sd_cun"],
        torso_visibility,
    )
    for side in SIDES:
        sign = 1.0 if side == "left" else -1.0
        limb = SIDE_KEYPOINTS[side]
        hip, knee, ankle = (pose.landmarks[k] for k in (limb.hip, limb.knee, limb.ankle))
        hip_up, hip_left = frame.to_body(hip[:2])
        trochanter = constants["greater_trochanter"]
        put(
            f"greater_trochanter_{side}",
            hip_up + trochanter["up_cun"],
            hip_left * trochanter["out_ratio"],
            trochanter["sd_cun"],
            hip[3],
        )
        if not pose.visible(limb.knee):
            missing[f"popliteal_crease_{side}"] = f"the {side} knee is not visible"
        else:
            crease = constants["popliteal_crease"]
            toward_ankle = ankle[:2] - knee[:2] if pose.visible(limb.ankle) else -frame.up
            step = crease["down_cun"] * frame.cun_px * toward_ankle / np.hypot(*toward_ankle)
            landmarks[f"popliteal_crease_{side}"] = AnatomicalLandmark(
                knee[:2] + step, crease["sd_cun"] * frame.cun_px, float(knee[3])
            )
        if not pose.visible(limb.ankle):
            missing[f"lateral_malleolus_{side}"] = f"the {side} ankle is not visible"
        else:
            malleolus = constants["lateral_malleolus"]
            ankle_up, ankle_left = frame.to_body(ankle[:2])
            put(
                f"lateral_malleolus_{side}",
                ankle_up,
                ankle_left + sign * malleolus["out_cun"],
                malleolus["sd_cun"],
                ankle[3],
            )
    return landmarks, missing


def _add_front_landmarks(
    landmarks: dict[str, AnatomicalLandmark],
    missing: dict[str, str],
    pose: OrientedPose,
    frame: BodyFrame,
    features: Mapping[str, float],
    anchor_up: Mapping[str, float],
    model: BodyModel,
    hips: Hips = Hips.IN_VIEW,
) -> None:
    """In a front view, add the landmarks of the front points: the clavicles' lower border on the
    anterior midline (from the suprasternale regression), the navel (needs the hips) and the
    junction of the 1st and 2nd metatarsal bases on each foot (needs the ankle and toe
    keypoints). Standard deviations are along `up` (px)."""
    if pose.facing is not Facing.FRONT:
        return
    constants, lm = model.landmarks, pose.landmarks
    notch_px, notch_sd = model.height("suprasternale", features, anchor_up)
    clavicle = constants["clavicle_lower_border"]
    landmarks["clavicle_lower_border"] = AnatomicalLandmark(
        _at(frame, notch_px - clavicle["below_suprasternale_cun"] * frame.cun_px, 0.0),
        math.hypot(notch_sd, clavicle["sd_cun"]) * frame.cun_px,
        float(lm[list(SHOULDERS), 3].min()),
    )
    feet = [f"metatarsal_bases_{side}" for side in SIDES]
    if "hips" not in anchor_up:
        missing.update(dict.fromkeys(["navel", *feet], hips.reason))
        return
    navel_px, navel_sd = model.height("navel", features, anchor_up)
    landmarks["navel"] = AnatomicalLandmark(
        _at(frame, navel_px, 0.0),
        navel_sd * frame.cun_px,
        float(lm[[*SHOULDERS, *HIPS], 3].min()),
    )
    bases = constants["metatarsal_bases"]
    for side, name in zip(SIDES, feet, strict=True):
        limb = SIDE_KEYPOINTS[side]
        if not pose.visible(limb.ankle, limb.foot_index):
            missing[name] = f"the {side} foot is not visible"
            continue
        ankle, toe = lm[limb.ankle], lm[limb.foot_index]
        landmarks[name] = AnatomicalLandmark(
            ankle[:2] + bases["ankle_to_toe"] * (toe[:2] - ankle[:2]),
            bases["sd_cun"] * frame.cun_px,
            float(min(ankle[3], toe[3])),
        )


def assemble(
    model: BodyModel,
    frame: BodyFrame,
    spine: SpineEstimate,
    reference: BodyFrame,
    placed: Mapping[str, AnatomicalLandmark],
    missing: Mapping[str, str],
    torso_visibility: float,
    tapped: Mapping[str, AnatomicalLandmark] | None = None,
    too_uncertain: str = LEVEL_TOO_UNCERTAIN,
) -> Anatomy:
    """The whole anatomy: spinous levels and the landmarks set at spinal levels (scapulae,
    crests, PSIS) from the spine, then `placed` (keypoint landmarks), then the partner's
    `tapped` landmarks, which replace the model's, then midpoints of what is final.

    A level whose standard deviation exceeds `max_level_sd_vertebrae` mean vertebra spacings is
    not placed, nor what is set at it; `too_uncertain` (formatted with `level`) says why."""
    tapped = tapped or {}
    constants = model.landmarks
    landmarks: dict[str, AnatomicalLandmark] = {}
    missing = dict(missing)
    level_at = {}
    interpolation_sd = model.level_fraction_sd * spine.length_px
    max_sd = model.max_level_sd_vertebrae * model.vertebra_cun * frame.cun_px
    # Every level at once (the same arithmetic, element by element, as one level at a time).
    fractions = np.fromiter(model.spine_fractions.values(), float, len(model.spine_fractions))
    ups, lefts, sds = spine.level(fractions)
    w = fractions / spine.crest_fraction
    # Ernst's per-level spread vanishes at the two anchors (a Brownian-bridge shape).
    sds = np.hypot(sds, 2 * np.sqrt(np.abs(w * (1 - w))) * interpolation_sd)
    positions = frame.origin + ups[:, None] * frame.up + lefts[:, None] * frame.left
    for level, up, left, sd, xy in zip(
        model.spine_fractions, ups.tolist(), lefts.tolist(), sds.tolist(), positions, strict=True
    ):
        if sd > max_sd:
            missing[level] = too_uncertain.format(level=level)
            continue
        level_at[level] = (up, left)
        landmarks[level] = AnatomicalLandmark(xy, sd, torso_visibility)
    _same_as(landmarks, missing, "iliac_crest", model.crest_level)
    beside = []  # (name, up px, left px, sd px) of each landmark set beside a placed level
    for side in SIDES:
        sign = 1.0 if side == "left" else -1.0
        for name in ("scapula_spine_root", "scapula_inferior_angle", "psis", "iliac_crest_top"):
            c = constants[name]
            level = c.get("level", model.crest_level)
            if level not in level_at:
                missing[f"{name}_{side}"] = missing[level]
                continue
            up, left = level_at[level]
            beside.append(
                (
                    f"{name}_{side}",
                    up,
                    left + sign * c["out_cun"] * frame.cun_px,
                    c["sd_cun"] * frame.cun_px,
                )
            )
    if beside:  # their positions at once, as the levels' (`_at`'s numbers, element by element)
        ups, lefts = np.array([(up, left) for _, up, left, _ in beside]).T
        positions = frame.origin + ups[:, None] * frame.up + lefts[:, None] * frame.left
        for (name, _, _, sd), xy in zip(beside, positions, strict=True):
            landmarks[name] = AnatomicalLandmark(xy, sd, torso_visibility)
    landmarks.update(placed)
    landmarks.update(tapped)
    missing = {name: reason for name, reason in missing.items() if name not in landmarks}
    for side in SIDES:
        root = f"scapula_spine_root_{side}"
        for name, other in (
            ("scapula_medial_border", "scapula_inferior_angle"),
            ("scapular_spine_midpoint", "acromion"),
        ):
            _put_midpoint(landmarks, missing, f"{name}_{side}", root, f"{other}_{side}")
    return Anatomy(frame, landmarks, missing, spine, reference, frozenset(tapped))


def reference_frame(frame: BodyFrame, spine: SpineEstimate) -> BodyFrame:
    """`frame` moved to the L4 midline point of `spine` (see Anatomy.reference)."""
    return BodyFrame(
        _at(frame, float(spine.up.mean[1]), float(spine.left.mean[1])),
        frame.up,
        frame.left,
        frame.cun_px,
    )


def _at(frame: BodyFrame, up_px: float, left_px: float) -> np.ndarray:
    """Image position of a body-frame point given in px along the axes."""
    return frame.origin + up_px * frame.up + left_px * frame.left


def _same_as(
    landmarks: dict[str, AnatomicalLandmark], missing: dict[str, str], name: str, source: str
) -> None:
    """`name` is landmark `source` under another name, or missing for the same reason."""
    if source in landmarks:
        landmarks[name] = landmarks[source]
    else:
        missing[name] = missing[source]


def _put_midpoint(
    landmarks: dict[str, AnatomicalLandmark], missing: dict[str, str], name: str, a: str, b: str
) -> None:
    """Place `name` midway between landmarks `a` and `b`, or say why one of them is missing."""
    if a in landmarks and b in landmarks:
        landmarks[name] = _midpoint(landmarks[a], landmarks[b])
    else:
        missing[name] = missing[a if a not in landmarks else b]


def _midpoint(a: AnatomicalLandmark, b: AnatomicalLandmark) -> AnatomicalLandmark:
    return AnatomicalLandmark(
        (a.xy + b.xy) / 2,
        float(np.hypot(a.sd_px, b.sd_px) / 2**0.5),
        min(a.visibility, b.visibility),
    )
