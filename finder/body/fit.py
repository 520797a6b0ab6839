"""Partner-assisted fit: the body model fitted to the landmarks a partner taps, with or without a
pose.

A tap is an image position (px) of a landmark the partner sees or feels. C7, the crest tops and
the PSIS update the spine (`finder.body.spine`), so the levels between them follow by the Ernst
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
from typing import NamedTuple

import numpy as np

from calibration import DATA_DIR
from finder.body.anatomy import (
    AnatomicalLandmark,
    Anatomy,
    BodyFrame,
    PosePrior,
    assemble,
    c7_to_crest_step,
)
from finder.body.from_pose import pose_prior
from finder.body.landmarks import SIDES
from finder.body.model import BodyModel, cun_of_stature, load_body_model
from finder.body.spine import SpineEstimate, chained
from finder.body.view import Facing, OrientedPose, left_axis


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
NEEDS_POSE = (
    "the camera model found no body to place this from: {how}take a photo from behind with the "
    "receiver standing, the whole body in view"
)
"""Why a landmark that rests on the pose's keypoints (shoulder tops, hips, knees, ankles) is
missing when only taps place the back; {how} names the mark to place when the landmark can be
marked by hand ("mark the left shoulder top, or "), else is empty. Not "with the hips in view":
the partner may have tapped them on a photo the model reads no body from (lying face down)."""


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
        cun_of_stature(taps.stature_cm) if taps.stature_cm else model.taps["cun_cm"]
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
    spine = observe_taps(prior.spine, xy, frame, tap_sd_px, model, taps.stature_cm, pose is None)
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
    stature_cm: float | None = None,
    acromia_for_c7: bool = False,
) -> SpineEstimate:
    """The spine after the midline taps: C7 (fraction 0), the crest tops (L4) and the PSIS (S2);
    with `acromia_for_c7` and no C7 tap, the shoulder tops stand in for it, C7 lying
    `BodyModel.c7_above_acromion` above them (taps alone; a pose has its own C7 from the
    shoulders).

    A pair gives its midpoint, on the midline (sd / sqrt 2); one side alone gives only a height."""

    def body_px(position: np.ndarray) -> tuple[float, float]:
        offset = position - frame.origin
        return float(offset @ frame.up), float(offset @ frame.left)

    sources = [(model.crest_level, "iliac_crest_top", 0.0, 0.0), ("S2", "psis", 0.0, 0.0)]
    if "C7" in xy:
        up, left = body_px(xy["C7"])
        spine = spine.observe(0.0, up, left, tap_sd_px)
    elif acromia_for_c7:
        above, spread = model.c7_above_acromion(stature_cm)
        sources.append(("C7", "acromion", above * frame.cun_px, spread * frame.cun_px))
    for level, name, above_px, spread_px in sources:
        sides = [xy[f"{name}_{side}"] for side in SIDES if f"{name}_{side}" in xy]
        if not sides:
            continue
        up, left = body_px(np.mean(sides, axis=0))
        paired = len(sides) == 2
        spine = spine.observe(
            model.spine_fractions[level],
            up + above_px,
            left if paired else None,
            math.hypot(tap_sd_px / math.sqrt(len(sides)), spread_px),
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


SPINE_TAPS = (
    "C7",
    *(f"{name}_{side}" for name in ("acromion", "iliac_crest_top", "psis") for side in SIDES),
)
"""The taps that tell where the spine is (`observe_taps`); the others only help the frame."""
NEEDS_TAPS = (
    "the camera model found no body: tap C7 and both hip-bone tops (or both PSIS dimples) "
    "to place every back point, or at least two landmarks near the part of the back you want, "
    "one of them C7, a shoulder top, a crest top or a PSIS dimple"
)
TAPS_TOO_UNCERTAIN = "{level} cannot be placed within one vertebra from these taps: {hint}"


@dataclass(frozen=True)
class TemplateFit:
    """The body frame that best carries the average body (`body_template`) onto the taps: a
    rotation, scale and shift (image px), the cun's relative sd and the up axis's sd (rad)."""

    frame: BodyFrame
    cun_relative_sd: float
    angle_sd: float


def body_template(model: BodyModel, stature_cm: float | None = None) -> dict[str, TemplateEntry]:
    """Where each tappable trunk landmark lies on the average body, in cun from the L4 midline
    point, with its spread between bodies along and across the body, given the stature when
    known (`body_model.json` spans and landmarks). Spreads are local: C7's from the crests (the
    C7 -> crest span), the acromia's from C7, each side's breadth spread / sqrt 2 so that the two
    sides together spread as the breadth does; a spread shared by every tap only shifts the fit.
    The knee creases are left out: legs bend."""
    span, span_sd = model.span("c7_to_crest", stature_cm)
    c7_above, c7_above_sd = model.c7_above_acromion(stature_cm)
    acromia, acromia_sd = model.span("biacromial", stature_cm)
    crests, crests_sd = model.span("bicristal", stature_cm)
    crest_fraction = model.spine_fractions[model.crest_level]
    constants = model.landmarks

    def at_level(name: str) -> float:
        return span * (1 - model.spine_fractions[constants[name]["level"]] / crest_fraction)

    template = {"C7": TemplateEntry(span, 0.0, span_sd, model.midline_sd_cun)}
    for side, sign in (("left", 1.0), ("right", -1.0)):
        template[f"acromion_{side}"] = TemplateEntry(
            span - c7_above, sign * acromia / 2, c7_above_sd, acromia_sd / math.sqrt(2)
        )
        crest_sd = constants["iliac_crest_top"]["sd_cun"]
        template[f"iliac_crest_top_{side}"] = TemplateEntry(
            0.0, sign * crests / 2, crest_sd, crests_sd / math.sqrt(2)
        )
        for name in ("psis", "scapula_inferior_angle"):
            sd = constants[name]["sd_cun"]
            template[f"{name}_{side}"] = TemplateEntry(
                at_level(name), sign * constants[name]["out_cun"], sd, sd
            )
    return template


class TemplateEntry(NamedTuple):
    """One landmark of the average body: position and spread (sd) along the body's up and left
    axes, in cun from the L4 midline point."""

    up: float
    left: float
    up_sd: float
    left_sd: float


def fit_template(
    xy: Mapping[str, np.ndarray], template: Mapping[str, TemplateEntry], tap_sd_cun: float
) -> TemplateFit:
    """Weighted least squares of image = origin + cun_px * (up * u + left * v) over the tapped
    template landmarks (at least two), seen from behind. Unknowns: the origin (px) and
    cun_px * up = (a, b); left follows. Each landmark's residual is weighed along and across
    the body (axes of a first, evenly weighted pass) by 1 / (its spread^2 + the finger's sd^2),
    in cun."""
    names = [name for name in xy if name in template]
    if len(names) < 2:
        raise FitError(NEEDS_TAPS)
    axes = None
    for _ in range(2):
        rows, image, weights = [], [], []
        for name in names:
            entry = template[name]
            block = np.array([[1.0, 0.0, entry.up, entry.left], [0.0, 1.0, -entry.left, entry.up]])
            if axes is None:  # first pass: image axes, the spread shared evenly
                turn, sds = np.eye(2), (math.hypot(entry.up_sd, entry.left_sd) / math.sqrt(2),) * 2
            else:
                turn, sds = axes, (entry.up_sd, entry.left_sd)
            rows += [*(turn @ block)]
            image += [*(turn @ xy[name])]
            weights += [1.0 / (sd**2 + tap_sd_cun**2) for sd in sds]
        design, weight = np.array(rows), np.array(weights)
        inverse = np.linalg.inv(design.T @ (weight[:, None] * design))
        origin_x, origin_y, a, b = inverse @ (design.T @ (weight * np.array(image)))
        cun_px = math.hypot(a, b)
        if cun_px < MIN_CUN_PX:
            raise FitError("the landmarks were tapped on one spot: place each where it is")
        up = np.array([a, b]) / cun_px
        axes = np.array([up, left_axis(up, Facing.BACK)])
    across = np.array([-up[1], up[0]])
    cov = cun_px**2 * inverse[2:, 2:]  # of (a, b), px^2: the residuals are cun_px * cun
    return TemplateFit(
        BodyFrame(np.array([origin_x, origin_y]), up, axes[1], cun_px),
        math.sqrt(up @ cov @ up) / cun_px,
        math.sqrt(across @ cov @ across) / cun_px,
    )


MIN_CUN_PX = 1.0


def taps_prior(
    xy: Mapping[str, np.ndarray],
    stature_cm: float | None,
    tap_sd_cun: float,
    model: BodyModel,
) -> PosePrior:
    """A prior made from the taps alone: the frame from `fit_template`, origin at the L4 midline
    point, and a spine known only up to its C7 -> L4 span (`anatomy.c7_to_crest_step`, widened
    by the frame's tilt uncertainty), so that the spine taps (`observe_taps`) then place it."""
    if not any(name in xy for name in SPINE_TAPS):
        raise FitError(NEEDS_TAPS)
    fit = fit_template(xy, body_template(model, stature_cm), tap_sd_cun)
    frame = fit.frame
    _check_sides(xy, frame, model)
    step_px, step_var, lean_var = c7_to_crest_step(model, frame.cun_px, fit.cun_relative_sd)
    lean_var += (step_px * fit.angle_sd) ** 2
    midline_var = (model.midline_sd_cun * frame.cun_px) ** 2
    wide = (UNINFORMED_CUN * frame.cun_px) ** 2
    spine = SpineEstimate(
        chained(1, 0.0, wide, step_px, step_var),
        chained(1, 0.0, wide, 0.0, lean_var + midline_var),
        model.spine_fractions[model.crest_level],
    )
    upper = "C7" in xy or any(f"acromion_{side}" in xy for side in SIDES)
    lower = any(f"{name}_{side}" in xy for name in ("iliac_crest_top", "psis") for side in SIDES)
    hint = (
        "tap C7 and both hip-bone tops"
        if upper == lower
        else ("tap both hip-bone tops too" if upper else "tap C7 too")
    )
    too_uncertain = TAPS_TOO_UNCERTAIN.replace("{hint}", hint)
    return PosePrior(frame, fit.cun_relative_sd, spine, {}, _needs_pose(), 1.0, too_uncertain)


def _needs_pose() -> dict[str, str]:
    """Why the landmarks that rest on keypoints are missing without a pose (unless tapped)."""
    labels = {guide.name: guide.label.lower() for guide in tap_guides()}
    names = [
        f"{name}_{side}"
        for side in SIDES
        for name in ("acromion", "greater_trochanter", "popliteal_crease", "lateral_malleolus")
    ]
    return {
        name: NEEDS_POSE.format(how=f"mark the {labels[name]}, or " if name in labels else "")
        for name in (*names, "sacral_hiatus")
    }


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
