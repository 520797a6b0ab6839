"""Fit and evaluate the body model on ANSUR II synthetic bodies (SYNTHETIC_BODIES.md convention).

Vertical errors are measured along the body's up axis and reported in B-cun (stature / 75).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from finder.anatomy import body_features, body_model_path, build_anatomy, parse_body_model
from finder.synthetic import IMAGE_SIZE, SyntheticBody, ansur_bodies, read_ansur
from finder.view import orient

# Feature sets tried in order (first fully visible one wins at run time).
MODEL_FEATURES = {
    "C7": (("trunk", "shoulder_width", "head"), ("trunk", "shoulder_width")),
    "iliac_crest": (("trunk", "thigh", "shank", "hip_width"), ("trunk",)),
    "cun": (
        ("trunk", "thigh", "shank", "head"),
        ("trunk", "thigh", "shank"),
        ("trunk", "shoulder_width", "hip_width", "head"),
        ("trunk", "shoulder_width", "hip_width"),
    ),
}
EVALUATED = ("C7", "iliac_crest", "greater_trochanter", "popliteal_crease", "lateral_malleolus")
SEED = 2008


def split(bodies: Sequence[SyntheticBody]) -> np.ndarray:
    """Seeded boolean mask: True = fitting half, False = evaluation half."""
    return np.random.default_rng(SEED).random(len(bodies)) < 0.5


def _targets(body: SyntheticBody, hip_mid: np.ndarray, up: np.ndarray) -> dict[str, float]:
    def height(name: str) -> float:
        return float((np.array([0.0, body.truth_y[name]]) - hip_mid) @ up)

    return {"C7": height("C7"), "iliac_crest": height("iliac_crest"), "cun": body.cun_px}


def refit(bodies: Sequence[SyntheticBody]) -> dict:
    """Least-squares coefficients for every model, fitted on the fitting half; returns the new
    body-model data (not yet written)."""
    mask = split(bodies)
    rows = []
    for body in bodies:
        features, hip_mid, up = body_features(orient(body.landmarks, IMAGE_SIZE, "back"))
        rows.append((features, _targets(body, hip_mid, up), body.cun_px))
    raw = json.loads(body_model_path().read_text(encoding="utf-8"))
    for target, feature_sets in MODEL_FEATURES.items():
        models = []
        for names in feature_sets:
            x = np.array([[f[n] for n in names] for f, _, _ in rows])
            y = np.array([t[target] for _, t, _ in rows])
            cun = np.array([c for _, _, c in rows])
            coef, *_ = np.linalg.lstsq(x[mask], y[mask], rcond=None)
            residual_cun = (x[mask] @ coef - y[mask]) / cun[mask]
            models.append(
                {
                    "features": list(names),
                    "coef": [round(float(c), 5) for c in coef],
                    "sd_cun": round(float(np.std(residual_cun)), 3),
                }
            )
        raw["regressions"][target]["models"] = models
    fitting = [row for row, fitted in zip(read_ansur(), mask, strict=True) if fitted]
    raw["spans"].update(span_statistics(fitting))
    return raw


SPANS = {  # span -> (upper, lower) ANSUR II measures whose difference it is (mm)
    "c7_to_crest": ("cervicaleheight", "iliocristaleheight"),
    "biacromial": ("biacromialbreadth", None),
}


def span_statistics(rows: Sequence[dict[str, str]]) -> dict[str, dict[str, float]]:
    """Mean and SD (cun) of each span in SPANS, and its straight line on stature (cm)."""
    stature_mm = np.array([float(r["stature"]) for r in rows])
    stature_cm = stature_mm / 10
    statistics = {}
    for name, (upper, lower) in SPANS.items():
        span_mm = np.array([float(r[upper]) - (float(r[lower]) if lower else 0.0) for r in rows])
        span_cun = span_mm / (stature_mm / 75)
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
    the mean of both sides)."""
    model = parse_body_model(raw) if raw else None
    errors: dict[str, list[float]] = {name: [] for name in EVALUATED}
    for body in bodies:
        anatomy = build_anatomy(orient(body.landmarks, IMAGE_SIZE, "back"), model)
        for name in EVALUATED:
            names = [name] if name in anatomy.landmarks else [f"{name}_left", f"{name}_right"]
            predicted_y = np.mean([anatomy.landmarks[n].xy[1] for n in names])
            errors[name].append(abs(predicted_y - body.truth_y[name]) / body.cun_px)
    return {name: np.array(values) for name, values in errors.items()}


def evaluate(bodies: Sequence[SyntheticBody], raw: dict | None = None) -> list[ErrorRow]:
    """Median and 95th-percentile vertical error per landmark for men, women and all."""
    errors = vertical_errors(bodies, raw)
    sexes = np.array([b.sex for b in bodies])
    rows = []
    for name in EVALUATED:
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


def run(refit_model: bool = False) -> str:
    """The `finder evaluate-body` command: evaluation on the held-out half (and all bodies)."""
    bodies = ansur_bodies()
    raw = None
    if refit_model:
        raw = refit(bodies)
        body_model_path().write_text(
            json.dumps(raw, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    held_out = [b for b, fitted in zip(bodies, split(bodies), strict=True) if not fitted]
    return f"Held-out half ({len(held_out)} bodies, never used for fitting):\n" + format_table(
        evaluate(held_out, raw)
    )
