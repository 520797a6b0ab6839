"""A back whose shoulders the picture cuts off: the body from the hips and knees alone.

When the shortest ANSUR II trunk for the pelvis seen (hip-keypoint width) would end beyond the
picture's edge, the shoulders cannot be in the picture: shoulders a pose model reports there are
guesses (BlazePose puts them at the waist or on the buttocks of shared photo 13 cut below C7).
The body is then anchored on the hips. Frame: origin at the hip-keypoint midpoint, `up` between
the thighs and the hip line's normal (`body_axis`), `left` toward the receiver's left (a back:
the head, and any face, is out of the picture), lengths in B-cun. The cun, the crest height, the
trunk and the shoulder width come from intercept-free regressions on the hip width, thigh and
shank lengths (ANSUR II, `calibration/hips_only.json`, fitted by `finder fit-hips-only`); C7
lies one ANSUR C7-to-crest span above the crest, so the levels stay within one vertebra only on
the lower back, and the rest asks for a C7 tap (`finder.body.fit` then completes the spine).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from calibration import DATA_DIR
from finder.body.anatomy import (
    BodyFrame,
    PosePrior,
    c7_to_crest_step,
    keypoint_landmarks,
    leg_features,
)
from finder.body.landmarks import HIPS, LEFT_RIGHT_PAIRS, SHOULDERS, SIDE_KEYPOINTS, SIDES
from finder.body.model import BodyModel, Regression
from finder.body.pose import Detector
from finder.body.spine import SpineEstimate, chained, independent
from finder.body.view import (
    HEAD,
    Facing,
    FacingSource,
    OrientedPose,
    in_picture,
    left_axis,
    midpoint,
)

HIPS_ONLY_FILE = "hips_only.json"
FEATURES = ("hip_width", "thigh", "shank")
TARGETS = ("cun", "iliac_crest", "trunk", "shoulder_width")

SHOULDERS_CUT_OFF = "the shoulders are cut off by the picture's edge"
NECK_IN_VIEW = "take the photo again with the base of the neck in view to complete"
"""The next step for the upper back of a hips-only body: its shoulders lie beyond the picture's
edge (`shoulders_cut_off`), so C7 just above them does too, where a partner's marks cannot go (a
tap board takes marks on the picture only; a C7 given beyond the edge, as the command line and
the Python API allow, still completes the spine)."""
LEVEL_ABOVE_THE_HIPS = (
    SHOULDERS_CUT_OFF + ", so {level} is too far up the back to place from the hips alone "
    "(more than one vertebra uncertain): " + NECK_IN_VIEW
)
SHOULDER_TOP_CUT_OFF = SHOULDERS_CUT_OFF + ": " + NECK_IN_VIEW


@dataclass(frozen=True)
class HipsOnlyModel:
    """`calibration/hips_only.json`: per target (TARGETS) the regressions tried in order (the
    first whose features are all measured wins; heights in px above the hip-keypoint midpoint,
    the cun in px, `sd_cun` its error, relative for the cun), and the plausibility bounds."""

    regressions: Mapping[str, tuple[Regression, ...]]
    min_trunk_hip_widths: float
    max_trunk_hip_widths: float
    thigh_to_hip_width: tuple[float, float]
    min_room_above_hip_widths: float
    min_hip_visibility: float
    min_hip_width_px: float
    blazepose_hips_up: float = 0.0  # hip widths BlazePose's hips move up on such pictures

    def predict(self, target: str, features: Mapping[str, float]) -> tuple[float, float]:
        """(value px, sd in cun) from the first `target` regression whose features are
        measured."""
        for regression in self.regressions[target]:
            if all(name in features for name in regression.features):
                return regression.apply(features), regression.sd_cun
        raise ValueError(f"no hips-only {target} regression fits the visible keypoints")


def parse_hips_only_model(raw: Mapping[str, object]) -> HipsOnlyModel:
    """Validate the hips-only data; errors name the file and the entry."""
    try:
        regressions = {}
        for target in TARGETS:
            models = []
            for entry in raw["regressions"][target]:
                features = tuple(entry["features"])
                if set(features) - set(FEATURES) or len(entry["coef"]) != len(features):
                    raise ValueError(f"regression {target}: bad features {features}")
                models.append(
                    Regression(features, tuple(map(float, entry["coef"])), entry["sd_cun"], None)
                )
            if not models:
                raise ValueError(f"regression {target}: no models (run `finder fit-hips-only`)")
            regressions[target] = tuple(models)
        bounds = raw["plausibility"]
        low, high = (float(v) for v in bounds["thigh_to_hip_width"])
        model = HipsOnlyModel(
            regressions,
            float(bounds["min_trunk_hip_widths"]),
            float(bounds["max_trunk_hip_widths"]),
            (low, high),
            float(bounds["min_room_above_hip_widths"]),
            float(bounds["min_hip_visibility"]),
            float(bounds["min_hip_width_px"]),
            float(raw["blazepose_hips_up_hip_widths"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{HIPS_ONLY_FILE}: {error}") from error
    if not 0 < low < high or not 0 < model.min_trunk_hip_widths < model.max_trunk_hip_widths:
        raise ValueError(f"{HIPS_ONLY_FILE}: plausibility bounds must be positive and ordered")
    return model


@lru_cache(maxsize=1)
def load_hips_only_model() -> HipsOnlyModel:
    """The shipped hips-only model (cached)."""
    text = DATA_DIR.joinpath(HIPS_ONLY_FILE).read_text(encoding="utf-8")
    return parse_hips_only_model(json.loads(text))


def _seen_in_picture(pose: OrientedPose, keypoint: int) -> bool:
    return pose.visible(keypoint) and in_picture(pose, pose.landmarks[keypoint, :2], 0.0)


def body_axis(pose: OrientedPose) -> np.ndarray | None:
    """Unit vector up the body (image px), halfway between the thighs' mean direction (from each
    knee seen inside the picture to its own hip) and the normal to the hip line on that side:
    each alone tilts 2-10 degrees on crops of photo 13 (a stepping leg, a hip keypoint off by a
    few px over a short line), their mean 0-7 (median 2; whole photo's trunk axis as truth).
    None when no knee is seen."""
    lm = pose.landmarks
    thighs = [
        lm[SIDE_KEYPOINTS[side].hip, :2] - lm[SIDE_KEYPOINTS[side].knee, :2]
        for side in SIDES
        if _seen_in_picture(pose, SIDE_KEYPOINTS[side].knee)
    ]
    if not thighs:
        return None
    units = [_unit(t) for t in thighs]
    thigh = _unit(sum(units) / len(units))  # their mean, summed in order as np.mean sums
    across = lm[HIPS[0], :2] - lm[HIPS[1], :2]
    normal = _unit(np.array([across[1], -across[0]]))
    return _unit(thigh + (normal if float(normal @ thigh) >= 0 else -normal))


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.hypot(*vector)), 1e-9)


def hips_only_features(pose: OrientedPose, up: np.ndarray) -> dict[str, float]:
    """Lengths (px): the hip-keypoint width, and along `up` the thigh (hip midpoint to the seen
    knees, mean) and the shank (seen knees to their seen ankles, mean)."""
    lm = pose.landmarks
    hip_mid = midpoint(lm, HIPS)
    features = {"hip_width": float(np.hypot(*(lm[HIPS[0], :2] - lm[HIPS[1], :2])))}
    knees = [s for s in SIDES if _seen_in_picture(pose, SIDE_KEYPOINTS[s].knee)]
    return features | leg_features(pose, hip_mid, up, knees)


def shoulders_cut_off(pose: OrientedPose, model: HipsOnlyModel | None = None) -> bool:
    """Whether the picture cuts the shoulders off above hips it shows: no face read toward the
    camera, both hips and a knee seen inside the picture, and up the body either the shortest
    ANSUR trunk for this hip width (`min_trunk_hip_widths`) ends beyond the picture's edge, or
    the longest one does and the shoulders found make no trunk for these hips (unseen, outside
    the picture, or nearer the hips than the shortest trunk: a guess inside a picture that cut
    the real ones off)."""
    model = model or load_hips_only_model()
    if pose.facing is Facing.FRONT and not pose.facing_chosen:
        return False  # a face toward the camera: the head, so the shoulders, are in the picture
    if not all(_seen_in_picture(pose, hip) for hip in HIPS):
        return False
    up = body_axis(pose)
    if up is None:
        return False
    lm = pose.landmarks
    hip_mid = midpoint(lm, HIPS)
    hip_width = float(np.hypot(*(lm[HIPS[0], :2] - lm[HIPS[1], :2])))

    def fits(trunk_hip_widths: float) -> bool:
        return in_picture(pose, hip_mid + trunk_hip_widths * hip_width * up, 0.0)

    if not fits(model.min_trunk_hip_widths):
        return True
    shoulders_found = all(_seen_in_picture(pose, shoulder) for shoulder in SHOULDERS) and (
        float((midpoint(lm, SHOULDERS) - hip_mid) @ up) >= model.min_trunk_hip_widths * hip_width
    )
    return not shoulders_found and not fits(model.max_trunk_hip_widths)


def as_hips_only(pose: OrientedPose, model: HipsOnlyModel | None = None) -> OrientedPose | None:
    """`pose` as a body whose shoulders the picture cuts off (None unless `shoulders_cut_off`):
    BlazePose's hips moved up by `blazepose_hips_up` hip widths (where it puts them on the whole
    body), the shoulder keypoints moved to where the regressions put them from the hips (beyond
    the picture) and unseen, the head keypoints moved with them and unseen, left/right relabelled
    from the hips, and seen from behind unless the view was chosen (no head, so no face)."""
    model = model or load_hips_only_model()
    if not shoulders_cut_off(pose, model):
        return None
    facing = pose.facing if pose.facing_chosen else Facing.BACK
    source = pose.facing_source if pose.facing_chosen else FacingSource.NO_FACE_SIGN
    up = body_axis(pose)
    lm = pose.landmarks.copy()
    if float((lm[HIPS[0], :2] - lm[HIPS[1], :2]) @ left_axis(up, facing)) < 0:
        for left, right in LEFT_RIGHT_PAIRS:
            lm[[left, right]] = lm[[right, left]]
    if pose.detector is Detector.BLAZEPOSE:
        hip_width = float(np.hypot(*(lm[HIPS[0], :2] - lm[HIPS[1], :2])))
        lm[list(HIPS), :2] += model.blazepose_hips_up * hip_width * up
    oriented = replace(pose, landmarks=lm, facing=facing, facing_source=source)
    features = hips_only_features(oriented, up)
    trunk, _ = model.predict("trunk", features)
    width, _ = model.predict("shoulder_width", features)
    shoulder_mid = midpoint(lm, HIPS) + trunk * up
    shift = shoulder_mid - midpoint(lm, SHOULDERS)
    left = left_axis(up, facing)
    lm[HEAD, :2] += shift
    lm[list(SHOULDERS), :2] = [shoulder_mid + width / 2 * left, shoulder_mid - width / 2 * left]
    lm[[*HEAD, *SHOULDERS], 3] = 0.0
    return replace(oriented, landmarks=lm)


def hips_only_prior(
    pose: OrientedPose, body_model: BodyModel, cun_px: float | None = None
) -> PosePrior:
    """The body model's estimate from the hips and knees of a hips-only pose (pure function;
    `cun_px` replaces the predicted cun when a better one is known): the crest (L4) from the
    regression, C7 one ANSUR C7-to-crest span above it, so the spine's uncertainty grows up the
    back with that span's spread and the cun's; the acromia are missing."""
    model = load_hips_only_model()
    up = body_axis(pose)
    if up is None:
        raise ValueError("a hips-only body needs a knee in view")
    features = hips_only_features(pose, up)
    predicted_cun_px, cun_sd = model.predict("cun", features)
    cun_px = cun_px or predicted_cun_px
    frame = BodyFrame(midpoint(pose.landmarks, HIPS), up, left_axis(up, pose.facing), cun_px)
    crest_px, crest_sd = model.predict("iliac_crest", features)
    span_px, span_var, lean_var = c7_to_crest_step(body_model, cun_px, cun_sd)
    midline_sd = body_model.midline_sd_cun * cun_px
    spine = SpineEstimate(
        chained(1, crest_px, (crest_sd * cun_px) ** 2, span_px, span_var),
        independent((0.0, 0.0), (math.sqrt(midline_sd**2 + lean_var), midline_sd)),
        body_model.spine_fractions[body_model.crest_level],
    )
    visibility = float(pose.landmarks[list(HIPS), 3].min())
    trunk_px, _ = model.predict("trunk", features)
    landmarks, missing = keypoint_landmarks(pose, frame, trunk_px, visibility, body_model)
    for side in SIDES:
        del landmarks[f"acromion_{side}"]
        missing[f"acromion_{side}"] = SHOULDER_TOP_CUT_OFF
    return PosePrior(frame, cun_sd, spine, landmarks, missing, visibility, LEVEL_ABOVE_THE_HIPS)
