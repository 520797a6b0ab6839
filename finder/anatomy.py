"""The body model: from oriented pose keypoints to the surface anatomy a practitioner palpates.

Body frame: origin at the hip-keypoint midpoint, `up` toward the shoulder midpoint, `left` toward
the receiver's own left, lengths in B-cun (`cun_px` pixels each). Constants come from
`calibration/body_model.json`, each with its source.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

from calibration import DATA_DIR
from finder.landmarks import SIDES, SPINOUS_LEVELS, Keypoint
from finder.spine import SpineEstimate, independent
from finder.view import OrientedPose, left_axis

FEATURES = ("trunk", "shoulder_width", "hip_width", "thigh", "shank", "head")
SPAN_KEYS = ("mean_cun", "sd_cun", "per_stature_cm", "mean_stature_cm", "sd_given_stature_cun")


class Limb(NamedTuple):
    """The keypoints of one side of the body, by the receiver's side."""

    shoulder: Keypoint
    hip: Keypoint
    knee: Keypoint
    ankle: Keypoint


SIDE_KEYPOINTS = {
    "left": Limb(
        Keypoint.LEFT_SHOULDER, Keypoint.LEFT_HIP, Keypoint.LEFT_KNEE, Keypoint.LEFT_ANKLE
    ),
    "right": Limb(
        Keypoint.RIGHT_SHOULDER, Keypoint.RIGHT_HIP, Keypoint.RIGHT_KNEE, Keypoint.RIGHT_ANKLE
    ),
}


@dataclass(frozen=True)
class Regression:
    """A linear, intercept-free predictor over pose lengths (px -> px); `sd_cun` is its error."""

    features: tuple[str, ...]
    coef: tuple[float, ...]
    sd_cun: float


@dataclass(frozen=True)
class BodyModel:
    """Constants of `calibration/body_model.json`, validated."""

    regressions: Mapping[str, tuple[Regression, ...]]
    spine_fractions: Mapping[str, float]
    crest_level: str
    level_fraction_sd: float
    landmarks: Mapping[str, Mapping[str, float]]
    plausibility: Mapping[str, object]
    midline_sd_cun: float
    taps: Mapping[str, float]
    spans: Mapping[str, Mapping[str, float]]

    def span(self, name: str, stature_cm: float | None = None) -> tuple[float, float]:
        """(length, sd) in cun of a body span ("c7_to_crest", "biacromial"), given the stature
        when it is known."""
        span = self.spans[name]
        if stature_cm is None:
            return span["mean_cun"], span["sd_cun"]
        shift = span["per_stature_cm"] * (stature_cm - span["mean_stature_cm"])
        return span["mean_cun"] + shift, span["sd_given_stature_cun"]

    def predict(self, target: str, features: Mapping[str, float]) -> tuple[float, float]:
        """(value, sd in cun) from the first regression whose features are all measured."""
        for regression in self.regressions[target]:
            if all(name in features for name in regression.features):
                value = sum(
                    c * features[n]
                    for n, c in zip(regression.features, regression.coef, strict=True)
                )
                return float(value), regression.sd_cun
        raise ValueError(f"no {target} regression fits the visible keypoints")


def parse_body_model(raw: Mapping[str, object], source: str = "body_model.json") -> BodyModel:
    """Validate the body-model data; errors name the file and the entry."""
    try:
        regressions = {}
        for target in ("C7", "iliac_crest", "cun"):
            models = []
            for entry in raw["regressions"][target]["models"]:
                features = tuple(entry["features"])
                unknown = set(features) - set(FEATURES)
                if unknown or len(entry["coef"]) != len(features) or "trunk" not in features:
                    raise ValueError(f"regression {target}: bad features {features}")
                models.append(
                    Regression(features, tuple(map(float, entry["coef"])), entry["sd_cun"])
                )
            if not models:
                raise ValueError(
                    f"regression {target}: no models (run `finder evaluate-body --refit`)"
                )
            regressions[target] = tuple(models)
        spine = raw["spine"]
        fractions = {name: float(spine["fraction_c7_to_s2"][name]) for name in SPINOUS_LEVELS}
        if list(fractions.values()) != sorted(fractions.values()):
            raise ValueError("spine: fractions must grow from C7 to S2")
        return BodyModel(
            regressions=regressions,
            spine_fractions=fractions,
            crest_level=spine["crest_level"],
            level_fraction_sd=float(spine["level_fraction_sd"]),
            landmarks=raw["landmarks"],
            plausibility=raw["plausibility"],
            midline_sd_cun=float(spine["midline_sd_cun"]),
            taps={key: float(raw["taps"][key]) for key in ("sd_cm", "cun_cm")},
            spans={
                name: {key: float(raw["spans"][name][key]) for key in SPAN_KEYS}
                for name in ("c7_to_crest", "biacromial")
            },
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{source}: {error}") from error


BODY_MODEL_FILE = "body_model.json"


@lru_cache(maxsize=1)
def load_body_model() -> BodyModel:
    """The shipped body model (cached)."""
    text = DATA_DIR.joinpath(BODY_MODEL_FILE).read_text(encoding="utf-8")
    return parse_body_model(json.loads(text))


def body_model_path() -> Path:
    return Path(str(DATA_DIR.joinpath(BODY_MODEL_FILE)))


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
    """Named surface landmarks (see finder.landmarks.LANDMARK_NAMES) on one body; `missing`
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
    shoulders = lm[[Keypoint.LEFT_SHOULDER, Keypoint.RIGHT_SHOULDER], :2]
    hips = lm[[Keypoint.LEFT_HIP, Keypoint.RIGHT_HIP], :2]
    hip_mid = hips.mean(axis=0)
    trunk_vector = shoulders.mean(axis=0) - hip_mid
    trunk = float(np.hypot(*trunk_vector))
    up = trunk_vector / trunk
    features = {
        "trunk": trunk,
        "shoulder_width": float(np.hypot(*(shoulders[0] - shoulders[1]))),
        "hip_width": float(np.hypot(*(hips[0] - hips[1]))),
    }
    knees = [s for s in SIDES if pose.visible(SIDE_KEYPOINTS[s].knee)]
    if knees:
        features["thigh"] = float(
            np.mean([(hip_mid - lm[SIDE_KEYPOINTS[s].knee, :2]) @ up for s in knees])
        )
    shanks = [s for s in knees if pose.visible(SIDE_KEYPOINTS[s].ankle)]
    if shanks:
        features["shank"] = float(
            np.mean(
                [
                    (lm[SIDE_KEYPOINTS[s].knee, :2] - lm[SIDE_KEYPOINTS[s].ankle, :2]) @ up
                    for s in shanks
                ]
            )
        )
    if pose.visible(Keypoint.LEFT_EAR, Keypoint.RIGHT_EAR):
        ears = lm[[Keypoint.LEFT_EAR, Keypoint.RIGHT_EAR], :2].mean(axis=0)
        features["head"] = float((ears - shoulders.mean(axis=0)) @ up)
    return features, hip_mid, up


@dataclass(frozen=True)
class PosePrior:
    """What the pose alone says: the body frame (origin hip midpoint), the cun's relative
    standard deviation, the spine, and the landmarks that rest on keypoints (shoulders, hips,
    knees, ankles) with the reasons for those that could not be placed."""

    frame: BodyFrame
    cun_relative_sd: float
    spine: SpineEstimate
    landmarks: Mapping[str, AnatomicalLandmark]
    missing: Mapping[str, str]
    torso_visibility: float


def pose_prior(pose: OrientedPose, model: BodyModel, cun_px: float | None = None) -> PosePrior:
    """The body model's estimate from the keypoints alone (pure function); `cun_px` replaces
    the predicted cun when a better one is known."""
    features, hip_mid, up = body_features(pose)
    predicted_cun_px, cun_sd = model.predict("cun", features)
    cun_px = cun_px or predicted_cun_px
    frame = BodyFrame(hip_mid, up, left_axis(up, pose.facing), cun_px)
    c7_px, c7_sd = model.predict("C7", features)
    crest_px, crest_sd = model.predict("iliac_crest", features)
    midline_sd = model.midline_sd_cun * cun_px
    spine = SpineEstimate(
        independent((c7_px, crest_px), (c7_sd * cun_px, crest_sd * cun_px)),
        independent((0.0, 0.0), (midline_sd, midline_sd)),
        model.spine_fractions[model.crest_level],
    )
    torso = [Keypoint.LEFT_SHOULDER, Keypoint.RIGHT_SHOULDER, Keypoint.LEFT_HIP, Keypoint.RIGHT_HIP]
    torso_visibility = float(pose.landmarks[torso, 3].min())
    landmarks, missing = keypoint_landmarks(pose, frame, features["trunk"], torso_visibility, model)
    return PosePrior(frame, cun_sd, spine, landmarks, missing, torso_visibility)


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
    landmarks: dict[str, AnatomicalLandmark] = {}
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
        shoulder, hip, knee, ankle = (pose.landmarks[k] for k in limb)
        shoulder_up, shoulder_left = frame.to_body(shoulder[:2])
        acromion = constants["acromion"]
        put(
            f"acromion_{side}",
            shoulder_up + acromion["up_cun"],
            shoulder_left + sign * acromion["out_cun"],
            acromion["sd_cun"],
            shoulder[3],
        )
        hip_up, hip_left = frame.to_body(hip[:2])
        trochanter = constants["greater_trochanter"]
        put(
            f"greater_trochanter_{side}",
            hip_up,
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


def assemble(
    model: BodyModel,
    frame: BodyFrame,
    spine: SpineEstimate,
    reference: BodyFrame,
    placed: Mapping[str, AnatomicalLandmark],
    missing: Mapping[str, str],
    torso_visibility: float,
    tapped: Mapping[str, AnatomicalLandmark] | None = None,
) -> Anatomy:
    """The whole anatomy: spinous levels and the landmarks set at spinal levels (scapulae,
    crests, PSIS) from the spine, then `placed` (keypoint landmarks), then the partner's
    `tapped` landmarks, which replace the model's, then midpoints of what is final."""
    tapped = tapped or {}
    constants = model.landmarks
    landmarks: dict[str, AnatomicalLandmark] = {}
    level_at = {}
    interpolation_sd = model.level_fraction_sd * spine.length_px
    for level, fraction in model.spine_fractions.items():
        up, left, sd = spine.level(fraction)
        w = fraction / spine.crest_fraction
        # Ernst's per-level spread vanishes at the two anchors (a Brownian-bridge shape).
        sd = float(np.hypot(sd, 2 * np.sqrt(abs(w * (1 - w))) * interpolation_sd))
        level_at[level] = (up, left)
        landmarks[level] = AnatomicalLandmark(_at(frame, up, left), sd, torso_visibility)
    landmarks["iliac_crest"] = landmarks[model.crest_level]
    for side in SIDES:
        sign = 1.0 if side == "left" else -1.0
        for name in ("scapula_spine_root", "scapula_inferior_angle", "psis", "iliac_crest_top"):
            c = constants[name]
            up, left = level_at[c.get("level", model.crest_level)]
            landmarks[f"{name}_{side}"] = AnatomicalLandmark(
                _at(frame, up, left + sign * c["out_cun"] * frame.cun_px),
                c["sd_cun"] * frame.cun_px,
                torso_visibility,
            )
    landmarks.update(placed)
    landmarks.update(tapped)
    missing = {name: reason for name, reason in missing.items() if name not in landmarks}
    for side in SIDES:
        root = landmarks[f"scapula_spine_root_{side}"]
        landmarks[f"scapula_medial_border_{side}"] = _midpoint(
            root, landmarks[f"scapula_inferior_angle_{side}"]
        )
        if f"acromion_{side}" in landmarks:
            landmarks[f"scapular_spine_midpoint_{side}"] = _midpoint(
                root, landmarks[f"acromion_{side}"]
            )
        else:
            missing[f"scapular_spine_midpoint_{side}"] = missing[f"acromion_{side}"]
    return Anatomy(frame, landmarks, missing, spine, reference, frozenset(tapped))


def build_anatomy(pose: OrientedPose, model: BodyModel | None = None) -> Anatomy:
    """Place every surface landmark the visible keypoints support (pure function)."""
    model = model or load_body_model()
    prior = pose_prior(pose, model)
    return assemble(
        model,
        prior.frame,
        prior.spine,
        reference_frame(prior.frame, prior.spine),
        prior.landmarks,
        prior.missing,
        prior.torso_visibility,
    )


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


def _midpoint(a: AnatomicalLandmark, b: AnatomicalLandmark) -> AnatomicalLandmark:
    return AnatomicalLandmark(
        (a.xy + b.xy) / 2,
        float(np.hypot(a.sd_px, b.sd_px) / 2**0.5),
        min(a.visibility, b.visibility),
    )
