"""Fit and evaluate the body model on ANSUR II synthetic bodies (SYNTHETIC_BODIES.md convention).

Vertical errors are measured along the body's up axis and reported in B-cun (stature / 75,
`finder.body.model.cun_of_stature`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from finder.body.anatomy import body_features
from finder.body.from_pose import build_anatomy, pose_prior
from finder.body.landmarks import SPINOUS_LEVELS, Keypoint
from finder.body.model import (
    body_model_path,
    cun_of_stature,
    load_body_model,
    parse_body_model,
)
from finder.body.synthetic import IMAGE_SIZE, SyntheticBody
from finder.body.view import orient
from finder.tools.ansur import ansur_bodies, read_ansur

# Per target, the models tried in order (the first whose features are all measured wins at run
# time): (anchor, features). The anchor is where the target height is measured from ("hips" or
# "shoulders" midpoint; None for the cun, a scale); see finder.body.model.REGRESSION_ANCHORS.
MODEL_FEATURES = {
    "C7": (
        ("hips", ("trunk", "shoulder_width", "head")),
        ("hips", ("trunk", "shoulder_width")),
        ("shoulders", ("shoulder_width", "head")),
        ("shoulders", ("shoulder_width",)),
    ),
    "iliac_crest": (("hips", ("trunk", "thigh", "shank", "hip_width")), ("hips", ("trunk",))),
    "navel": (("hips", ("trunk", "thigh", "shank", "hip_width")), ("hips", ("trunk",))),
    "suprasternale": (
        ("shoulders", ("shoulder_width", "head")),
        ("shoulders", ("shoulder_width",)),
    ),
    "cun": (
        (None, ("trunk", "thigh", "shank", "head")),
        (None, ("trunk", "thigh", "shank")),
        (None, ("trunk", "shoulder_width", "hip_width", "head")),
        (None, ("trunk", "shoulder_width", "hip_width")),
        (None, ("shoulder_width", "head")),
        (None, ("shoulder_width",)),
    ),
}
EVALUATED = (
    "C7",
    "acromion",
    "iliac_crest",
    "greater_trochanter",
    "popliteal_crease",
    "lateral_malleolus",
)
EVALUATED_FRONT = ("navel",)
SEED = 2008


def split(bodies: Sequence[SyntheticBody]) -> np.ndarray:
    """Seeded boolean mask: True = fitting half, False = evaluation half."""
    return np.random.default_rng(SEED).random(len(bodies)) < 0.5


@dataclass(frozen=True)
class FitRow:
    """One body as the regressions see it: pose lengths (px), the anchors' image positions (px),
    the body's up axis, and the truth."""

    features: dict[str, float]
    anchors: dict[str, np.ndarray]
    up: np.ndarray
    body: SyntheticBody

    def target(self, name: str, anchor: str | None) -> float:
        """The regression target: the height (px) of landmark `name` above `anchor` along `up`,
        or the cun in px for a scale (anchor None)."""
        if anchor is None:
            return self.body.cun_px
        return float((np.array([0.0, self.body.truth_y[name]]) - self.anchors[anchor]) @ self.up)


def fit_rows(bodies: Sequence[SyntheticBody]) -> list[FitRow]:
    rows = []
    for body in bodies:
        features, hip_mid, up = body_features(orient(body.landmarks, IMAGE_SIZE, "back"))
        anchors = {"hips": hip_mid, "shoulders": hip_mid + features["trunk"] * up}
        rows.append(FitRow(features, anchors, up, body))
    return rows


def refit(bodies: Sequence[SyntheticBody], ansur_dir: Path) -> dict:
    """Least-squares coefficients for every model, fitted on the fitting half; returns the new
    body-model data (not yet written)."""
    mask = split(bodies)
    rows = [row for row, fitted in zip(fit_rows(bodies), mask, strict=True) if fitted]
    raw = json.loads(body_model_path().read_text(encoding="utf-8"))
    for target in MODEL_FEATURES:
        raw["regressions"][target]["models"] = fit_models(rows, target)
    fitting = [row for row, fitted in zip(read_ansur(ansur_dir), mask, strict=True) if fitted]
    raw["spans"].update(span_statistics(fitting))
    return raw


def fit_models(rows: Sequence[FitRow], target: str) -> list[dict]:
    """Least-squares coefficients of each of `target`'s models (MODEL_FEATURES) on `rows`, in
    body_model.json's form."""
    cun = np.array([row.body.cun_px for row in rows])
    fitted = []
    for anchor, names in MODEL_FEATURES[target]:
        x = np.array([[row.features[n] for n in names] for row in rows])
        y = np.array([row.target(target, anchor) for row in rows])
        coef, *_ = np.linalg.lstsq(x, y, rcond=None)
        fitted.append(
            {
                "anchor": anchor,
                "features": list(names),
                "coef": [round(float(c), 5) for c in coef],
                "sd_cun": round(float(np.std((x @ coef - y) / cun)), 3),
            }
        )
    return fitted


SPANS = {  # span -> (upper, lower) ANSUR II measures whose difference it is (mm)
    "c7_to_crest": ("cervicaleheight", "iliocristaleheight"),
    "biacromial": ("biacromialbreadth", None),
    "bicristal": ("bicristalbreadth", None),
    "c7_above_acromion": ("cervicaleheight", "acromialheight"),
}


def span_statistics(rows: Sequence[dict[str, str]]) -> dict[str, dict[str, float]]:
    """Mean and SD (cun) of each span in SPANS, and its straight line on stature (cm)."""
    stature_mm = np.array([float(r["stature"]) for r in rows])
    stature_cm = stature_mm / 10
    statistics = {}
    for name, (upper, lower) in SPANS.items():
        span_mm = np.array([float(r[upper]) - (float(r[lower]) if lower else 0.0) for r in rows])
        span_cun = span_mm / cun_of_stature(stature_mm)
        slope, intercept = np.polyfit(stature_cm, span_cun, 1)
        residual = span_cun - (slope * stature_cm + intercept)
        statistics[name] = {
            "mean_cun": round(float(span_cun.mean()), 3),
            "sd_cun": round(float(span_cun.std()), 3),
            "per_stature_cm": round(float(slope), 5),
            "mean_stature_cm": round(float(stature_cm.mean()), 1),
            "sd_given_stature_cun": round(float(residual.std()), 3),
        }
    return statistics


@dataclass(frozen=True)
class ErrorRow:
    landmark: str
    group: str
    median_cun: float
    p95_cun: float
    count: int


def vertical_errors(
    bodies: Sequence[SyntheticBody], raw: dict | None = None
) -> dict[str, np.ndarray]:
    """Absolute vertical error (cun) per evaluated landmark, one value per body (sided landmarks:
    the mean of both sides); the front landmarks on the same bodies taken as facing the camera."""
    model = parse_body_model(raw) if raw else None
    errors: dict[str, list[float]] = {name: [] for name in (*EVALUATED, *EVALUATED_FRONT)}
    for body in bodies:
        for facing, evaluated in (("back", EVALUATED), ("front", EVALUATED_FRONT)):
            anatomy = build_anatomy(orient(body.landmarks, IMAGE_SIZE, facing), model)
            for name in evaluated:
                names = [name] if name in anatomy.landmarks else [f"{name}_left", f"{name}_right"]
                predicted_y = np.mean([anatomy.landmarks[n].xy[1] for n in names])
                errors[name].append(abs(predicted_y - body.truth_y[name]) / body.cun_px)
    return {name: np.array(values) for name, values in errors.items()}


def evaluate(bodies: Sequence[SyntheticBody], raw: dict | None = None) -> list[ErrorRow]:
    """Median and 95th-percentile vertical error per landmark for men, women and all."""
    errors = vertical_errors(bodies, raw)
    sexes = np.array([b.sex for b in bodies])
    rows = []
    for name in (*EVALUATED, *EVALUATED_FRONT):
        for group, mask in (
            ("men", sexes == "male"),
            ("women", sexes == "female"),
            ("all", np.ones(len(bodies), bool)),
        ):
            values = errors[name][mask]
            rows.append(
                ErrorRow(
                    name,
                    group,
                    float(np.median(values)),
                    float(np.percentile(values, 95)),
                    int(mask.sum()),
                )
            )
    return rows


def format_table(rows: Sequence[ErrorRow]) -> str:
    lines = ["| landmark | group | n | median (cun) | 95th pct (cun) |", "|---|---|---|---|---|"]
    lines += [
        f"| {r.landmark} | {r.group} | {r.count} | {r.median_cun:.2f} | {r.p95_cun:.2f} |"
        for r in rows
    ]
    return "\n".join(lines)


LOWER_BODY = tuple(range(Keypoint.LEFT_HIP, Keypoint.RIGHT_FOOT_INDEX + 1))


@dataclass(frozen=True)
class UpperBodyRow:
    """Errors of the upper-body estimate against what it says of itself: the absolute error
    (cun, or % for the cun), the stated standard deviation (median over bodies) and how often
    the error lies within one and two stated standard deviations."""

    quantity: str
    count: int
    median: float
    p95: float
    stated_sd: float
    within_1sd: float
    within_2sd: float


def upper_body_errors(
    bodies: Sequence[SyntheticBody], raw: dict | None = None
) -> tuple[list[UpperBodyRow], Counter[str]]:
    """The same bodies with the hips, legs and feet hidden (visibility 0): C7 as placed, the L4
    anchor of the spine (one C7-to-crest span below C7; too uncertain to be placed) against the
    crest, and the cun from the shoulders; and how often each spinous level is the lowest one
    still placed."""
    model = parse_body_model(raw) if raw else load_body_model()
    values: dict[str, list[tuple[float, float]]] = {"C7": [], "iliac_crest": [], "cun (%)": []}
    lowest: Counter[str] = Counter()
    for body in bodies:
        landmarks = body.landmarks.copy()
        landmarks[list(LOWER_BODY), 3] = 0.0
        pose = orient(landmarks, IMAGE_SIZE, "back")
        prior = pose_prior(pose, model)
        anatomy = build_anatomy(pose, model)
        frame, spine, cun = anatomy.frame, anatomy.spine, body.cun_px
        c7 = anatomy.landmarks["C7"]
        values["C7"].append((abs(c7.xy[1] - body.truth_y["C7"]) / cun, c7.sd_px / cun))
        up, left, sd = spine.level(spine.crest_fraction)
        crest_y = frame.to_image(up / frame.cun_px, left / frame.cun_px)[1]
        values["iliac_crest"].append((abs(crest_y - body.truth_y["iliac_crest"]) / cun, sd / cun))
        values["cun (%)"].append((100 * abs(frame.cun_px / cun - 1), 100 * prior.cun_relative_sd))
        lowest[[level for level in SPINOUS_LEVELS if level in anatomy.landmarks][-1]] += 1
    rows = []
    for name, pairs in values.items():
        error, stated = np.array(pairs).T
        rows.append(
            UpperBodyRow(
                name,
                len(error),
                float(np.median(error)),
                float(np.percentile(error, 95)),
                float(np.median(stated)),
                float(np.mean(error <= stated)),
                float(np.mean(error <= 2 * stated)),
            )
        )
    return rows, lowest


def format_upper_body(rows: Sequence[UpperBodyRow], lowest: Counter[str]) -> str:
    lines = [
        "| quantity | n | median | 95th pct | stated sd (median) | within 1 sd | within 2 sd |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.quantity} | {r.count} | {r.median:.2f} | {r.p95:.2f} | {r.stated_sd:.2f} "
        f"| {r.within_1sd:.0%} | {r.within_2sd:.0%} |"
        for r in rows
    ]
    shares = ", ".join(
        f"{level} {count / sum(lowest.values()):.0%}"
        for level, count in sorted(lowest.items(), key=lambda item: SPINOUS_LEVELS.index(item[0]))
    )
    return "\n".join(lines) + f"\n\nLowest spinous level placed: {shares}"


def run(ansur_dir: Path, refit_model: bool = False) -> str:
    """The `finder evaluate-body` command: evaluation on the held-out half (and all bodies)."""
    bodies = ansur_bodies(ansur_dir)
    raw = None
    if refit_model:
        raw = refit(bodies, ansur_dir)
        body_model_path().write_text(
            json.dumps(raw, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    held_out = [b for b, fitted in zip(bodies, split(bodies), strict=True) if not fitted]
    return (
        f"Held-out half ({len(held_out)} bodies, never used for fitting):\n"
        + format_table(evaluate(held_out, raw))
        + "\n\nUpper body only (hips, legs and feet hidden), same bodies; errors in cun "
        "(the cun's in %):\n" + format_upper_body(*upper_body_errors(held_out, raw))
    )
