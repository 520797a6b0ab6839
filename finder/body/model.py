"""The body model's constants: `calibration/body_model.json` (each entry with its source),
validated into typed values. Read by every body stage; imports only names and calibration."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from calibration import DATA_DIR
from finder.body.landmarks import SPINOUS_LEVELS

FEATURES = ("trunk", "shoulder_width", "hip_width", "thigh", "shank", "head")
# Where each target's regressions measure from: "hips" (the hip-keypoint midpoint), "shoulders"
# (the shoulder-keypoint midpoint); None for the cun, a scale. A model must use a length that is
# measured whenever its anchor is: the trunk for the hips, the shoulder width for the shoulders.
REGRESSION_ANCHORS = {
    "C7": ("hips", "shoulders"),
    "iliac_crest": ("hips",),
    "navel": ("hips",),
    "suprasternale": ("shoulders",),
    "cun": (None,),
}
ANCHOR_LENGTHS = {
    "hips": {"trunk"},
    "shoulders": {"shoulder_width"},
    None: {"trunk", "shoulder_width"},
}
SPANS = ("c7_to_crest", "biacromial", "bicristal", "c7_above_acromion")
SPAN_KEYS = ("mean_cun", "sd_cun", "per_stature_cm", "mean_stature_cm", "sd_given_stature_cun")


KEYPOINTS_FILE = "keypoints.json"


@dataclass(frozen=True)
class SyntheticKeypoints:
    """Where the synthetic ANSUR II bodies put BlazePose's shoulder and hip keypoints
    (`finder.body.synthetic`): the shoulders below and inside the acromion tip, the hips below
    the trochanter top, as fractions of the biacromial breadth."""

    shoulder_below_acromion: float
    shoulder_inside_acromion: float
    hip_below_trochanter: float = 0.0


@dataclass(frozen=True)
class HipsNearTheEdge:
    """BlazePose's hips on a picture that ends near below them: `per_width` x (`up_to_room` -
    room) shoulder widths higher than on a whole body, room being the picture below the hip
    midpoint in shoulder widths (`finder.body.anatomy.hips_as_on_a_whole_body`)."""

    per_width: float
    up_to_room: float


@dataclass(frozen=True)
class KeypointConvention:
    """MoveNet's keypoints moved into BlazePose's (`finder.body.convention`): shoulders down the
    trunk by `shoulders_down` MoveNet shoulder widths and drawn together to
    `shoulder_width_ratio` of their width, hips down by `hips_down` widths; knees with less
    than `knees_clear_room` widths of picture below them are unseen."""

    shoulders_down: float
    shoulder_width_ratio: float
    hips_down: float
    knees_clear_room: float = 0.0
    hips_near_the_edge: HipsNearTheEdge = HipsNearTheEdge(0.0, 0.0)


def _keypoints_data() -> Mapping[str, Mapping[str, object]]:
    return json.loads(DATA_DIR.joinpath(KEYPOINTS_FILE).read_text(encoding="utf-8"))


def parse_synthetic_keypoints(raw: Mapping[str, Mapping[str, object]]) -> SyntheticKeypoints:
    """The "synthetic" entry of keypoints.json; errors name the file and the entry."""
    try:
        entry = raw["synthetic"]
        values = SyntheticKeypoints(
            float(entry["shoulder_below_acromion"]),
            float(entry["shoulder_inside_acromion"]),
            float(entry["hip_below_trochanter"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{KEYPOINTS_FILE}: synthetic: {error}") from error
    if not all(-0.5 < v < 0.5 for v in vars(values).values()):
        raise ValueError(f"{KEYPOINTS_FILE}: synthetic: offsets must lie within half a breadth")
    return values


def parse_keypoint_convention(raw: Mapping[str, Mapping[str, object]]) -> KeypointConvention:
    """The "movenet_to_blazepose" entry of keypoints.json; errors name the file and the entry."""
    try:
        entry = raw["movenet_to_blazepose"]
        values = KeypointConvention(
            float(entry["shoulders_down"]),
            float(entry["shoulder_width_ratio"]),
            float(entry["hips_down"]),
            float(entry["knees_clear_room"]),
            HipsNearTheEdge(
                float(raw["blazepose_hips_near_the_edge"]["per_width"]),
                float(raw["blazepose_hips_near_the_edge"]["up_to_room"]),
            ),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(
            f"{KEYPOINTS_FILE}: movenet_to_blazepose or blazepose_hips_near_the_edge: {error}"
        ) from error
    if (
        not 0.5 < values.shoulder_width_ratio < 2
        or max(abs(values.shoulders_down), abs(values.hips_down)) >= 1
    ):
        raise ValueError(
            f"{KEYPOINTS_FILE}: movenet_to_blazepose: shifts must be under one shoulder width "
            "and the width ratio between 0.5 and 2"
        )
    return values


@lru_cache(maxsize=1)
def load_synthetic_keypoints() -> SyntheticKeypoints:
    """The shipped synthetic keypoint placement (cached)."""
    return parse_synthetic_keypoints(_keypoints_data())


@lru_cache(maxsize=1)
def load_keypoint_convention() -> KeypointConvention:
    """The shipped MoveNet -> BlazePose correction (cached)."""
    return parse_keypoint_convention(_keypoints_data())


@dataclass(frozen=True)
class Regression:
    """A linear, intercept-free predictor over pose lengths (px -> px); `sd_cun` is its error;
    `anchor` is where the predicted height is measured from (see REGRESSION_ANCHORS)."""

    features: tuple[str, ...]
    coef: tuple[float, ...]
    sd_cun: float
    anchor: str | None

    def apply(self, features: Mapping[str, float]) -> float:
        return float(sum(c * features[n] for n, c in zip(self.features, self.coef, strict=True)))

    @classmethod
    def from_entry(cls, entry: Mapping[str, object]) -> Regression:
        """One model of body_model.json "regressions" (not validated; `parse_body_model` is)."""
        return cls(
            tuple(entry["features"]),
            tuple(map(float, entry["coef"])),
            float(entry["sd_cun"]),
            entry["anchor"],
        )


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
    max_level_sd_vertebrae: float
    upper_body_tilt_sd_deg: float
    acromion_above_ansur_cun: float = 0.0

    def span(self, name: str, stature_cm: float | None = None) -> tuple[float, float]:
        """(length, sd) in cun of a body span (one of SPANS), given the stature when it is
        known."""
        span = self.spans[name]
        if stature_cm is None:
            return span["mean_cun"], span["sd_cun"]
        shift = span["per_stature_cm"] * (stature_cm - span["mean_stature_cm"])
        return span["mean_cun"] + shift, span["sd_given_stature_cun"]

    def regression(self, target: str, features: Mapping[str, float]) -> Regression:
        """The first regression for `target` whose features are all measured."""
        for regression in self.regressions[target]:
            if all(name in features for name in regression.features):
                return regression
        raise ValueError(f"no {target} regression fits the visible keypoints")

    def predict(self, target: str, features: Mapping[str, float]) -> tuple[float, float]:
        """(value, sd in cun) from the first regression whose features are all measured."""
        regression = self.regression(target, features)
        return regression.apply(features), regression.sd_cun

    def height(
        self, target: str, features: Mapping[str, float], anchor_up: Mapping[str, float]
    ) -> tuple[float, float]:
        """(height in px along the frame's up axis from its origin, sd in cun) of `target`;
        `anchor_up` gives each measured anchor's own height in that frame (px)."""
        regression = self.regression(target, features)
        return regression.apply(features) + anchor_up[regression.anchor], regression.sd_cun

    def c7_above_acromion(self, stature_cm: float | None = None) -> tuple[float, float]:
        """(height, sd) in cun of C7 above the acromia where a photo shows them and the pose
        model places them: the ANSUR II span less `acromion_above_ansur_cun`."""
        above, spread = self.span("c7_above_acromion", stature_cm)
        return above - self.acromion_above_ansur_cun, spread

    @property
    def vertebra_cun(self) -> float:
        """The mean distance between neighbouring spinous processes from C7 to L4 (cun)."""
        return self.span("c7_to_crest")[0] / SPINOUS_LEVELS.index(self.crest_level)


def parse_body_model(
    raw: Mapping[str, object],
    source: str = "body_model.json",
    synthetic: SyntheticKeypoints | None = None,
) -> BodyModel:
    """Validate the body-model data; errors name the file and the entry. `synthetic` (default:
    keypoints.json) says where the ANSUR II bodies' shoulder keypoints sit, which sets how far
    the acromion placed from real photos lies above ANSUR's (`acromion_above_ansur_cun`)."""
    synthetic = synthetic or load_synthetic_keypoints()
    try:
        regressions = {}
        for target, anchors in REGRESSION_ANCHORS.items():
            models = []
            for entry in raw["regressions"][target]["models"]:
                features, anchor = tuple(entry["features"]), entry["anchor"]
                if (
                    anchor not in anchors
                    or set(features) - set(FEATURES)
                    or len(entry["coef"]) != len(features)
                    or not ANCHOR_LENGTHS[anchor] & set(features)
                ):
                    raise ValueError(f"regression {target}: bad anchor {anchor} or {features}")
                models.append(Regression.from_entry(entry))
            if not models:
                raise ValueError(
                    f"regression {target}: no models (run `finder evaluate-body --refit`)"
                )
            regressions[target] = tuple(models)
        spine = raw["spine"]
        fractions = {name: float(spine["fraction_c7_to_s2"][name]) for name in SPINOUS_LEVELS}
        if list(fractions.values()) != sorted(fractions.values()):
            raise ValueError("spine: fractions must grow from C7 to S2")
        spans = {name: {key: float(raw["spans"][name][key]) for key in SPAN_KEYS} for name in SPANS}
        acromion_above_ansur = float(raw["landmarks"]["acromion"]["up_cun"]) - (
            synthetic.shoulder_below_acromion * spans["biacromial"]["mean_cun"]
        )
        return BodyModel(
            regressions=regressions,
            spine_fractions=fractions,
            crest_level=spine["crest_level"],
            level_fraction_sd=float(spine["level_fraction_sd"]),
            landmarks=raw["landmarks"],
            plausibility=raw["plausibility"],
            midline_sd_cun=float(spine["midline_sd_cun"]),
            taps={
                key: float(raw["taps"][key])
                for key in ("sd_cm", "cun_cm", "c7_below_acromion_max_cun", "off_pose_max_cun")
            },
            spans=spans,
            max_level_sd_vertebrae=float(spine["max_level_sd_vertebrae"]),
            upper_body_tilt_sd_deg=float(spine["upper_body_tilt_sd_deg"]),
            acromion_above_ansur_cun=acromion_above_ansur,
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
class CunRule:
    """The proportional body inch (B-cun) and the tolerance a mark is judged by, from
    `body_model.json` "cun" (sources there)."""

    per_stature: float  # B-cun in a body's height (75, WHO 2008)
    good_enough_cun: float  # a mark within this many B-cun of the true point is found

    def of_stature(self, stature: float) -> float:
        """One B-cun in the stature's own unit (cm in, cm out; mm in, mm out)."""
        return stature / self.per_stature


@lru_cache(maxsize=1)
def load_cun_rule() -> CunRule:
    """The shipped B-cun rule (cached). Read on its own, so the ANSUR tools can convert
    statures while the regressions are refitted."""
    raw = json.loads(DATA_DIR.joinpath(BODY_MODEL_FILE).read_text(encoding="utf-8"))
    try:
        rule = CunRule(float(raw["cun"]["per_stature"]), float(raw["cun"]["good_enough"]))
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{BODY_MODEL_FILE}: cun: {error}") from error
    if rule.per_stature <= 0 or rule.good_enough_cun <= 0:
        raise ValueError(f"{BODY_MODEL_FILE}: cun: per_stature and good_enough must be > 0")
    return rule


def cun_of_stature(stature: float) -> float:
    """One B-cun in the stature's own unit: stature / 75 (`CunRule.of_stature`)."""
    return load_cun_rule().of_stature(stature)
