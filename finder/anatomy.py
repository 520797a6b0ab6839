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
from finder.view import OrientedPose, left_axis

FEATURES = ("trunk", "shoulder_width", "hip_width", "thigh", "shank", "head")


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
    maps the names that could not be placed to a reason a person understands."""

    frame: BodyFrame
    landmarks: Mapping[str, AnatomicalLandmark]
    missing: Mapping[str, str]
    trunk_px: float


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


def build_anatomy(pose: OrientedPose, model: BodyModel | None = None) -> Anatomy:
    """Place every surface landmark the visible keypoints support (pure function)."""
    model = model or load_body_model()
    features, hip_mid, up = body_features(pose)
    cun_px, _ = model.predict("cun", features)
    frame = BodyFrame(hip_mid, up, left_axis(up, pose.facing), cun_px)
    trunk_cun = features["trunk"] / cun_px
    torso_visibility = float(
        pose.landmarks[
            [
                Keypoint.LEFT_SHOULDER,
                Keypoint.RIGHT_SHOULDER,
                Keypoint.LEFT_HIP,
                Keypoint.RIGHT_HIP,
            ],
            3,
        ].min()
    )
    landmarks: dict[str, AnatomicalLandmark] = {}
    missing: dict[str, str] = {}

    def put(name: str, up_cun: float, left_cun: float, sd_cun: float, visibility: float) -> None:
        landmarks[name] = AnatomicalLandmark(
            frame.to_image(up_cun, left_cun), sd_cun * cun_px, visibility
        )

    # Spine: C7 and the crest (= L4) anchor the Ernst fractions; S2 follows from them.
    c7_px, c7_sd = model.predict("C7", features)
    crest_px, crest_sd = model.predict("iliac_crest", features)
    c7, crest = c7_px / cun_px, crest_px / cun_px
    crest_fraction = model.spine_fractions[model.crest_level]
    spine_length = (c7 - crest) / crest_fraction  # C7 -> S2 in cun
    for level, fraction in model.spine_fractions.items():
        weight = min(fraction / crest_fraction, 1.0)
        anchor_sd = np.hypot((1 - weight) * c7_sd, weight * crest_sd)
        sd = float(np.hypot(anchor_sd, model.level_fraction_sd * spine_length))
        put(level, c7 - fraction * spine_length, 0.0, sd, torso_visibility)
    put("iliac_crest", crest, 0.0, crest_sd, torso_visibility)
    hiatus = model.landmarks["sacral_hiatus"]
    put("sacral_hiatus", hiatus["up_trunk"] * trunk_cun, 0.0, hiatus["sd_cun"], torso_visibility)

    level_up = {level: c7 - f * spine_length for level, f in model.spine_fractions.items()}
    for side in SIDES:
        sign = 1.0 if side == "left" else -1.0
        shoulder, hip, knee, ankle = (pose.landmarks[k] for k in SIDE_KEYPOINTS[side])
        constants = model.landmarks
        shoulder_up, shoulder_left = frame.to_body(shoulder[:2])
        acromion = constants["acromion"]
        put(
            f"acromion_{side}",
            shoulder_up + acromion["up_cun"],
            shoulder_left + sign * acromion["out_cun"],
            acromion["sd_cun"],
            shoulder[3],
        )
        for name in ("scapula_spine_root", "scapula_inferior_angle", "psis"):
            c = constants[name]
            put(
                f"{name}_{side}",
                level_up[c["level"]],
                sign * c["out_cun"],
                c["sd_cun"],
                torso_visibility,
            )
        root, angle = (
            landmarks[f"scapula_spine_root_{side}"],
            landmarks[f"scapula_inferior_angle_{side}"],
        )
        landmarks[f"scapula_medial_border_{side}"] = _midpoint(root, angle)
        landmarks[f"scapular_spine_midpoint_{side}"] = _midpoint(
            root, landmarks[f"acromion_{side}"]
        )
        top = constants["iliac_crest_top"]
        put(
            f"iliac_crest_top_{side}", crest, sign * top["out_cun"], top["sd_cun"], torso_visibility
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

        if not pose.visible(SIDE_KEYPOINTS[side].knee):
            missing[f"popliteal_crease_{side}"] = f"the {side} knee is not visible"
        else:
            crease = constants["popliteal_crease"]
            toward_ankle = (
                ankle[:2] - knee[:2] if pose.visible(SIDE_KEYPOINTS[side].ankle) else -frame.up
            )
            step = crease["down_cun"] * cun_px * toward_ankle / np.hypot(*toward_ankle)
            landmarks[f"popliteal_crease_{side}"] = AnatomicalLandmark(
                knee[:2] + step, crease["sd_cun"] * cun_px, float(knee[3])
            )
        if not pose.visible(SIDE_KEYPOINTS[side].ankle):
            missing[f"lateral_malleolus_{side}"] = f"the {side} ankle is not visible"
        else:
            malleolus = constants["lateral_malleolus"]
            ankle_up, ankle_left = frame.to_body(ankle[:2])
            put(
                f"lateral_malleolus_{side}",
                ankle_up,
                ankle_left + sign * malleolus["out_cun"],
                malleolus["sd_cun"],
                float(ankle[3]),
            )
    return Anatomy(frame, landmarks, missing, features["trunk"])


def _midpoint(a: AnatomicalLandmark, b: AnatomicalLandmark) -> AnatomicalLandmark:
    return AnatomicalLandmark(
        (a.xy + b.xy) / 2,
        float(np.hypot(a.sd_px, b.sd_px) / 2**0.5),
        min(a.visibility, b.visibility),
    )
