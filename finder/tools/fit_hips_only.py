"""`finder fit-hips-only`: the hips-only body's regressions and bounds on ANSUR II
(`calibration/hips_only.json`, `finder.body.hips_only`).

The synthetic back views of `finder.body.synthetic` (the keypoints where real photos put them),
measured as a hips-only body: the hip-keypoint width, the thigh and the shank along the thighs.
Regressions are intercept-free least squares on the seeded fitting half (the same split as
`finder evaluate-body`), their errors on the other half; the bounds are the 0.1 and 99.9
percentiles over every body.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from calibration import DATA_DIR
from finder.body.hips_only import HIPS_ONLY_FILE, body_axis, hips_only_features
from finder.body.landmarks import HIPS, SHOULDERS
from finder.body.synthetic import IMAGE_SIZE, SyntheticBody
from finder.body.view import midpoint, orient, span
from finder.tools.ansur import ansur_bodies
from finder.tools.evaluate_body import split

MODELS = (("hip_width", "thigh", "shank"), ("hip_width", "thigh"))
"""The regressions tried in order at run time (a knee is always seen; an ankle may not be)."""
PERCENTILES = (0.1, 99.9)
MIN_HIP_VISIBILITY = 0.8
"""Hip visibility a hips-only body needs (BlazePose scores photo 13's hips 1.0 on every crop
cut between C7 and the hips; MoveNet's hips there score 0.04-0.49): the hips carry the whole
body, so they must be clearly seen, not merely seen (0.5)."""
MIN_TRUNK_PX = 40
"""The whole body's smallest measurable trunk (`body_model.json` plausibility.min_trunk_px),
turned into a hip width by the ANSUR median hip width / trunk."""


def measurements(bodies: Sequence[SyntheticBody]) -> list[dict[str, float]]:
    """Per body: the hips-only features (px) and the targets (px): one cun, the crest height
    above the hip-keypoint midpoint, the trunk (hip to shoulder keypoint midpoints) and the
    shoulder-keypoint width."""
    rows = []
    for body in bodies:
        pose = orient(body.landmarks, IMAGE_SIZE, "back")
        up = body_axis(pose)
        lm = pose.landmarks
        hip_mid = midpoint(lm, HIPS)
        rows.append(
            {
                **hips_only_features(pose, up),
                "cun": body.cun_px,
                "iliac_crest": float((np.array([0.0, body.truth_y["iliac_crest"]]) - hip_mid) @ up),
                "trunk": float((midpoint(lm, SHOULDERS) - hip_mid) @ up),
                "shoulder_width": span(lm, SHOULDERS),
            }
        )
    return rows


def fit(rows: Sequence[dict[str, float]], mask: np.ndarray) -> tuple[dict, list[str]]:
    """The regressions fitted on `rows[mask]` and the report lines of their held-out errors
    (cun; relative for the cun)."""
    cun = np.array([row["cun"] for row in rows])
    regressions, report = {}, []
    for target in ("cun", "iliac_crest", "trunk", "shoulder_width"):
        fitted = []
        for names in MODELS:
            x = np.array([[row[n] for n in names] for row in rows])
            y = np.array([row[target] for row in rows])
            coef, *_ = np.linalg.lstsq(x[mask], y[mask], rcond=None)
            scale = y if target == "cun" else cun
            residual = (x @ coef - y) / scale
            fitted.append(
                {
                    "features": list(names),
                    "coef": [round(float(c), 5) for c in coef],
                    "sd_cun": round(float(np.std(residual[mask])), 3),
                }
            )
            held_out = np.abs(residual[~mask])
            report.append(
                f"| {target} | {', '.join(names)} | {np.median(held_out):.3f} | "
                f"{np.percentile(held_out, 95):.3f} |"
            )
        regressions[target] = fitted
    return regressions, report


def bounds(rows: Sequence[dict[str, float]]) -> dict[str, object]:
    """The plausibility bounds from every body (see `finder.body.hips_only`)."""
    width = np.array([row["hip_width"] for row in rows])
    thigh = np.array([row["thigh"] for row in rows]) / width
    trunk = np.array([row["trunk"] for row in rows]) / width
    crest = np.array([row["iliac_crest"] for row in rows]) / width
    return {
        "min_room_above_hip_widths": round(float(np.median(crest)), 3),
        "min_trunk_hip_widths": round(float(np.percentile(trunk, PERCENTILES[0])), 3),
        "max_trunk_hip_widths": round(float(np.percentile(trunk, PERCENTILES[1])), 3),
        "thigh_to_hip_width": [round(float(v), 3) for v in np.percentile(thigh, PERCENTILES)],
        "min_hip_visibility": MIN_HIP_VISIBILITY,
        "min_hip_width_px": round(MIN_TRUNK_PX / float(np.median(trunk)), 1),
    }


def run(ansur_dir: Path, write: bool = False) -> str:
    """Fit, report the held-out errors, and with `write` replace the shipped file's numbers."""
    bodies = ansur_bodies(ansur_dir)
    rows = measurements(bodies)
    regressions, report = fit(rows, split(bodies))
    path = Path(str(DATA_DIR.joinpath(HIPS_ONLY_FILE)))
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["regressions"] = {**raw["regressions"], **regressions}
    raw["plausibility"] = {**raw["plausibility"], **bounds(rows)}
    if write:
        path.write_text(json.dumps(raw, indent=1) + "\n", encoding="utf-8")
    lines = [
        f"Hips-only body on {len(bodies)} ANSUR II bodies (held-out half, |error| in cun; "
        "relative for the cun):",
        "",
        "| target | features | median | 95th pct |",
        "|---|---|---:|---:|",
        *report,
        "",
        "Bounds: " + json.dumps({k: v for k, v in raw["plausibility"].items() if k != "source"}),
    ]
    return "\n".join(lines)
