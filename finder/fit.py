"""Partner-assisted fit: the body model fitted to the landmarks a partner taps, with or without a
pose.

A tap is an image position (px) of a landmark the partner sees or feels. C7, the crest tops and
the PSIS update the spine (`finder.spine`), so the levels between them follow by the Ernst
fractions; every tapped landmark is placed where it was tapped, with the finger's uncertainty
(`body_model.json` "taps"); the cun scale combines the pose's estimate with the spans the taps
measure. Without a pose, C7 and both crest tops (or both PSIS) define the body frame and every
back level follows; both shoulder tops alone, or both crest tops alone, define a frame from which
the levels near them are placed (`taps_prior`).

A `Profile` keeps the taps in body coordinates (cun along the body's up and left axes, from the
L4 midline point estimated before any tap: `Anatomy.reference`), so they follow the receiver
when they or the camera move.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from calibration import DATA_DIR
from finder.anatomy import (
    AnatomicalLandmark,
    Anatomy,
    BodyFrame,
    BodyModel,
    PosePrior,
    assemble,
    c7_to_crest_step,
    load_body_model,
    pose_prior,
)
from finder.landmarks import SIDES
from finder.spine import AxisEstimate, SpineEstimate, chained
from finder.view import Facing, OrientedPose, left_axis


@dataclass(frozen=True)
class TapGuide:
    """How a partner finds one landmark (`calibration/taps.json`)."""

    name: str
    label: str
    instruction: str


@lru_cache(maxsize=1)
def tap_guides() -> tuple[TapGuide, ...]:
    """The landmarks a partner may tap, in the order the app asks for them."""
    raw = json.loads(DATA_DIR.joinpath("taps.json").read_text(encoding="utf-8"))
    return tuple(
        TapGuide(name, entry["label"], entry["instruction"])
        for name, entry in raw["landmarks"].items()
    )


TAPPABLE = tuple(guide.name for guide in tap_guides())
STATURE_RANGE_CM = (100.0, 230.0)
UNINFORMED_CUN = 1e3  # prior spread of the spine when only taps are given (cun)
NEEDS_POSE = "the camera model found no body: tap it, or take the photo with the hips in view"


class FitError(ValueError):
    """The taps given cannot be fitted; the message says what to tap."""


@dataclass(frozen=True)
class Taps:
    """Landmarks a partner placed: name (one of TAPPABLE) -> (x, y) image px; the receiver's
    stature in cm when entered."""

    image_xy: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    stature_cm: float | None = None

    def __post_init__(self) -> None:
        unknown = sorted(set(self.image_xy) - set(TAPPABLE))
        if unknown:
            raise FitError(f"cannot tap {', '.join(unknown)}: choose from {', '.join(TAPPABLE)}")
        if not all(np.all(np.isfinite(xy)) and len(xy) == 2 for xy in self.image_xy.values()):
            raise FitError("a tap position is not a finite (x, y) pair of pixels")
        low, high = STATURE_RANGE_CM
        if self.stature_cm is not None and not low <= self.stature_cm <= high:
            raise FitError(f"the height must lie between {low:.0f} and {high:.0f} cm")


@dataclass(frozen=True)
class Profile:
    """One receiver's taps, kept in body coordinates: name -> (up, left) in cun from the L4
    midline point before taps (`Anatomy.reference`); `name` is what the partner called it."""

    name: str
    body_cun: Mapping[str, tuple[float, float]]
    stature_cm: float | None = None

    def taps_on(self, reference: BodyFrame) -> Taps:
        """The profile's taps placed on a body whose reference frame is `reference` (px)."""
        return Taps(
            {tap: tuple(map(float, reference.to_image(*uv))) for tap, uv in self.body_cun.items()},
            self.stature_cm,
        )


def profile_from(name: str, taps: Taps, anatomy: Anatomy) -> Profile:
    """Taps kept in the reference frame of the anatomy they were fitted to."""
    return Profile(
        name,
        {tap: anatomy.reference.to_body(np.asarray(xy)) for tap, xy in taps.image_xy.items()},
        taps.stature_cm,
    )


def fit_anatomy(pose: OrientedPose | None, taps: Taps, model: BodyModel | None = None) -> Anatomy:
    """The anatomy fitted to the taps and, when given, the pose (pure function)."""
    model = model or load_body_model()
    xy = {name: np.asarray(value, dtype=float) for name, value in taps.image_xy.items()}
    tap_sd_cun = model.taps["sd_cm"] / (
        taps.stature_cm / 75 if taps.stature_cm else model.taps["cun_cm"]
    )
    if pose is None:
        prior = taps_prior(xy, taps.stature_cm, tap_sd_cun, model)
    else:
        prior = pose_prior(pose, model)
    reference = prior.reference  # before the taps rescale the cun
    if pose is not None:
        estimates = [(prior.frame.cun_px, prior.cun_relative_sd)]
        estimates += scale_estimates(xy, taps.stature_cm, tap_sd_cun, model)
        cun_px = fuse_scales(estimates)[0]
        if cun_px != prior.frame.cun_px:
            prior = pose_prior(pose, model, cun_px)
    frame = prior.frame
    tap_sd_px = tap_sd_cun * frame.cun_px
    spine = observe_taps(prior.spine, xy, frame, tap_sd_px, model)
    tapped = {
        name: AnatomicalLandmark(position, tap_sd_px, 1.0)
        for name, position in xy.items()
        if name != "C7"
    }
    if "C7" in xy:
        up, left, sd = spine.level(0.0)
        tapped["C7"] = AnatomicalLandmark(frame.origin + up * frame.up + left * frame.left, sd, 1.0)
    return assemble(
        model,
        frame,
        spine,
        reference,
        prior.landmarks,
        prior.missing,
        prior.torso_visibility,
        tapped,
        too_uncertain=prior.too_uncertain,
    )


def observe_taps(
    spine: SpineEstimate,
    xy: Mapping[str, np.ndarray],
    frame: BodyFrame,
    tap_sd_px: float,
    model: BodyModel,
) -> SpineEstimate:
    """The spine after the midline taps: C7 (fraction 0), the crest tops (L4) and the PSIS (S2).

    A pair gives its midpoint, on the midline (sd / sqrt 2); one side alone gives only a height."""

    def body_px(position: np.ndarray) -> tuple[float, float]:
        offset = position - frame.origin
        return float(offset @ frame.up), float(offset @ frame.left)

    if "C7" in xy:
        up, left = body_px(xy["C7"])
        spine = spine.observe(0.0, up, left, tap_sd_px)
    for name, level in (("iliac_crest_top", model.crest_level), ("psis", "S2")):
        sides = [xy[f"{name}_{side}"] for side in SIDES if f"{name}_{side}" in xy]
        if not sides:
            continue
        up, left = body_px(np.mean(sides, axis=0))
        paired = len(sides) == 2
        spine = spine.observe(
            model.spine_fractions[level],
            up,
            left if paired else None,
            tap_sd_px / math.sqrt(len(sides)),
        )
    return spine


def scale_estimates(
    xy: Mapping[str, np.ndarray],
    stature_cm: float | None,
    tap_sd_cun: float,
    model: BodyModel,
) -> list[tuple[float, float]]:
    """(cun in px, relative sd) from the spans the taps measure: C7 to the L4 midline point and
    the breadths between the acromia and between the crest tops (`body_model.json` "spans")."""
    estimates = []
    lower = _l4_point(xy, model)
    spans = (
        ("c7_to_crest", ("C7", None), None if lower is None or "C7" not in xy else lower),
        ("biacromial", ("acromion_left", "acromion_right"), None),
        ("bicristal", ("iliac_crest_top_left", "iliac_crest_top_right"), None),
    )
    for span, (a, b), point in spans:
        if point is not None:
            length_px = float(np.hypot(*(xy[a] - point)))
        elif b is not None and a in xy and b in xy:
            length_px = float(np.hypot(*(xy[a] - xy[b])))
        else:
            continue
        length_cun, sd_cun = model.span(span, stature_cm)
        relative_sd = math.hypot(sd_cun, math.sqrt(2) * tap_sd_cun) / length_cun
        if length_px > 0:
            estimates.append((length_px / length_cun, relative_sd))
    return estimates


def fuse_scales(estimates: list[tuple[float, float]]) -> tuple[float, float]:
    """Inverse-variance mean of (cun px, relative sd) estimates, on a log scale."""
    weights = np.array([1 / sd**2 for _, sd in estimates])
    logs = np.array([math.log(value) for value, _ in estimates])
    return float(math.exp(weights @ logs / weights.sum())), float(1 / math.sqrt(weights.sum()))


def taps_prior(
    xy: Mapping[str, np.ndarray],
    stature_cm: float | None,
    tap_sd_cun: float,
    model: BodyModel,
) -> PosePrior:
    """A prior made from the taps alone, resting on the best that was tapped: C7 with the L4
    midline point (both crest tops, or both PSIS), else both shoulder tops, else both crest
    tops. The cun comes from the tapped spans; the spine is what the taps leave unknown, so that
    the midline taps (`observe_taps`) then fix it."""
    lower = _l4_point(xy, model)
    if "C7" in xy and lower is not None:
        prior = _spine_prior(xy, lower, stature_cm, tap_sd_cun, model)
    elif all(f"acromion_{side}" in xy for side in SIDES):
        prior = _girdle_prior("acromion", xy, stature_cm, tap_sd_cun, model)
    elif all(f"iliac_crest_top_{side}" in xy for side in SIDES):
        prior = _girdle_prior("iliac_crest_top", xy, stature_cm, tap_sd_cun, model)
    else:
        raise FitError(NEEDS_TAPS)
    _check_sides(xy, prior.frame, model)
    return prior


NEEDS_TAPS = (
    "the camera model found no body: tap C7 and both iliac crest tops (or both PSIS dimples) "
    "to place every back point, or both shoulder tops, or both crest tops, for the part of the "
    "back near them"
)
BEYOND_TAPS = {
    "acromion": (
        "{level} is too far down the back to place from the shoulder taps (more than one "
        "vertebra uncertain): tap both iliac crest tops too"
    ),
    "iliac_crest_top": (
        "{level} is too far up the back to place from the crest taps (more than one vertebra "
        "uncertain): tap C7 too"
    ),
}


def _spine_prior(
    xy: Mapping[str, np.ndarray],
    lower: np.ndarray,
    stature_cm: float | None,
    tap_sd_cun: float,
    model: BodyModel,
) -> PosePrior:
    """Frame origin at the tapped L4 midline point, `up` toward C7; the spine uninformed."""
    spine_vector = xy["C7"] - lower
    length_px = float(np.hypot(*spine_vector))
    if length_px < 1.0:
        raise FitError("C7 and the crests were tapped on the same spot: tap them again")
    up = spine_vector / length_px
    cun_px, cun_sd = fuse_scales(scale_estimates(xy, stature_cm, tap_sd_cun, model))
    wide = (UNINFORMED_CUN * cun_px) ** 2
    spine = SpineEstimate(
        AxisEstimate(np.array([length_px, 0.0]), np.diag([wide, wide])),
        AxisEstimate(np.zeros(2), np.diag([wide, wide])),
        model.spine_fractions[model.crest_level],
    )
    frame = BodyFrame(lower, up, left_axis(up, Facing.BACK), cun_px)
    return PosePrior(frame, cun_sd, spine, {}, _needs_pose(), 1.0)


def _girdle_prior(
    girdle: str,
    xy: Mapping[str, np.ndarray],
    stature_cm: float | None,
    tap_sd_cun: float,
    model: BodyModel,
) -> PosePrior:
    """Frame origin between the two tapped `girdle` landmarks (the acromia or the crest tops),
    `left` along their line, `up` perpendicular to it (seen from behind). The spine's other end
    lies one ANSUR C7 -> crest span away, with that span's spread, the cun's and a sideways lean
    (`anatomy.c7_to_crest_step`); levels too uncertain to place are left out."""
    left_tap, right_tap = (xy[f"{girdle}_{side}"] for side in SIDES)
    breadth_px = float(np.hypot(*(left_tap - right_tap)))
    if breadth_px < 1.0:
        raise FitError(f"both {TAP_GROUPS[girdle]} were tapped on the same spot: tap them again")
    left = (left_tap - right_tap) / breadth_px
    up = np.array([-left[1], left[0]])  # left_axis(up, BACK) == left
    cun_px, cun_sd = fuse_scales(scale_estimates(xy, stature_cm, tap_sd_cun, model))
    frame = BodyFrame((left_tap + right_tap) / 2, up, left, cun_px)
    step_px, step_var, lean_var = c7_to_crest_step(model, cun_px, cun_sd)
    midline_var = (model.midline_sd_cun * cun_px) ** 2
    wide = (UNINFORMED_CUN * cun_px) ** 2
    if girdle == "acromion":
        c7_cun, c7_sd_cun = model.span("c7_above_acromion", stature_cm)
        c7_var = (c7_sd_cun * cun_px) ** 2 + (c7_cun * cun_px * cun_sd) ** 2
        along = chained(0, c7_cun * cun_px, c7_var, -step_px, step_var)
        sideways = chained(0, 0.0, midline_var, 0.0, lean_var)
    else:  # the crest tops' midpoint is L4 (WHO rule g): the crest taps place it
        along = chained(1, 0.0, wide, step_px, step_var)
        sideways = chained(1, 0.0, wide, 0.0, lean_var + midline_var)
    spine = SpineEstimate(along, sideways, model.spine_fractions[model.crest_level])
    return PosePrior(frame, cun_sd, spine, {}, _needs_pose(), 1.0, BEYOND_TAPS[girdle])


def _needs_pose() -> dict[str, str]:
    """Why the landmarks that rest on keypoints are missing without a pose (unless tapped)."""
    missing = {
        f"{name}_{side}": NEEDS_POSE
        for side in SIDES
        for name in ("acromion", "greater_trochanter", "popliteal_crease", "lateral_malleolus")
    }
    missing["sacral_hiatus"] = NEEDS_POSE
    return missing


def _check_sides(xy: Mapping[str, np.ndarray], frame: BodyFrame, model: BodyModel) -> None:
    """Refuse taps that contradict the frame: a left/right pair swapped (seen from behind, the
    receiver's left is on the picture's left when upright), or landmarks out of their order down
    the back (C7 and the shoulder tops above the crests and the PSIS; C7 at most
    `c7_below_acromion_max_cun` below the shoulder tops)."""
    for name in ("acromion", "iliac_crest_top", "psis", "scapula_inferior_angle"):
        pair = [f"{name}_{side}" for side in SIDES]
        if all(p in xy for p in pair) and float((xy[pair[0]] - xy[pair[1]]) @ frame.left) <= 0:
            raise FitError(
                f"the left and right {TAP_GROUPS[name]} taps are swapped: seen from behind, "
                "the receiver's left side is on the picture's left"
            )
    heights = {}
    for name in TAP_GROUPS:
        tapped = [xy[n] for n in (name, *(f"{name}_{side}" for side in SIDES)) if n in xy]
        if tapped:
            heights[name] = frame.to_body(np.mean(tapped, axis=0))[0]
    below_max = model.taps["c7_below_acromion_max_cun"]
    for upper, lower, margin in (
        ("C7", "iliac_crest_top", 0.0),
        ("C7", "psis", 0.0),
        ("acromion", "iliac_crest_top", 0.0),
        ("acromion", "psis", 0.0),
        ("C7", "acromion", below_max),
    ):
        if upper in heights and lower in heights and heights[upper] < heights[lower] - margin:
            raise FitError(
                f"the {TAP_GROUPS[upper]} tap lies below the {TAP_GROUPS[lower]}: check that "
                "left and right are not swapped (seen from behind, the receiver's left side "
                "is on the picture's left)"
            )


TAP_GROUPS = {
    "C7": "C7",
    "acromion": "shoulder tops",
    "iliac_crest_top": "crest tops",
    "psis": "PSIS",
    "scapula_inferior_angle": "shoulder-blade tips",
}


def _l4_point(xy: Mapping[str, np.ndarray], model: BodyModel) -> np.ndarray | None:
    """The L4 midline point the taps give (px): the crest tops' midpoint, or, from both PSIS
    (the S2 line) and C7, the point at the L4 fraction between them."""
    crests = [f"iliac_crest_top_{side}" for side in SIDES]
    if all(name in xy for name in crests):
        return (xy[crests[0]] + xy[crests[1]]) / 2
    psis = [f"psis_{side}" for side in SIDES]
    if "C7" in xy and all(name in xy for name in psis):
        s2 = (xy[psis[0]] + xy[psis[1]]) / 2
        return xy["C7"] + model.spine_fractions[model.crest_level] * (s2 - xy["C7"])
    return None
