"""How much a partner's taps help: vertical errors on the ANSUR II held-out half
(SYNTHETIC_BODIES.md convention, 1 px = 1 mm), pose only vs pose and taps vs taps only.

Simulated taps: the true landmark plus a seeded Gaussian finger error of `body_model.json`
taps.sd_cm (1 cm) in x and y: C7, both acromion tips and both crest tops (at the true crest
height, half the body's bicristal breadth out). "taps only" uses all five; "shoulder taps" only
C7 and the acromia (an upper-back photo); "crest taps" only the crest tops (a lower-back photo).
Truth for a spinous level between C7 and L4 is the Ernst fraction applied to the true C7 and
crest heights: this checks the fit, not Ernst's fractions. A level the fit leaves out (too
uncertain), or every level of taps the fit refuses as contradictory (`FitError`: C7 more than
`c7_below_acromion_max_cun` below the shoulder tops), counts in the share placed, not in the
errors. The acromia are tapped where photos show them (`simulated_taps`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from finder.body.anatomy import Anatomy
from finder.body.fit import FitError, Taps, fit_anatomy
from finder.body.from_pose import build_anatomy
from finder.body.model import load_body_model
from finder.body.synthetic import IMAGE_SIZE, MIDLINE_X, SyntheticBody
from finder.body.view import OrientedPose, orient
from finder.tools.ansur import ansur_bodies
from finder.tools.evaluate_body import split

LEVELS = ("C7", "T4", "T7", "T10", "L2", "L4")
METHODS = ("pose only", "pose + taps", "taps only", "shoulder taps", "crest taps")
SHOULDER_TAPS = ("C7", "acromion_left", "acromion_right")
CREST_TAPS = ("iliac_crest_top_left", "iliac_crest_top_right")
SEED = 75


def simulated_taps(body: SyntheticBody, rng: np.random.Generator) -> Taps:
    """Taps on C7, the acromia and the crest tops of `body`, each off by the finger error. The
    acromia are tapped where photos show them, `acromion_above_ansur_cun` above ANSUR's
    (calibration/body_model.json landmarks.acromion)."""
    model = load_body_model()
    finger_px = model.taps["sd_cm"] * 10
    crest_out = body.bicristal_px / 2
    acromion_out = body.biacromial_px / 2
    acromion_y = body.truth_y["acromion"] - model.acromion_above_ansur_cun * body.cun_px
    truth = {
        "C7": (MIDLINE_X, body.truth_y["C7"]),
        "acromion_left": (MIDLINE_X - acromion_out, acromion_y),
        "acromion_right": (MIDLINE_X + acromion_out, acromion_y),
        "iliac_crest_top_left": (MIDLINE_X - crest_out, body.truth_y["iliac_crest"]),
        "iliac_crest_top_right": (MIDLINE_X + crest_out, body.truth_y["iliac_crest"]),
    }
    return Taps(
        {name: tuple(np.add(xy, rng.normal(0.0, finger_px, 2))) for name, xy in truth.items()}
    )


def level_truth_y(body: SyntheticBody, level: str) -> float:
    """True image y (px) of a spinous level by the Ernst fractions between true C7 and L4."""
    model = load_body_model()
    w = model.spine_fractions[level] / model.spine_fractions[model.crest_level]
    return (1 - w) * body.truth_y["C7"] + w * body.truth_y["iliac_crest"]


def tap_errors(bodies: Sequence[SyntheticBody]) -> dict[str, dict[str, np.ndarray]]:
    """Absolute vertical error (cun) per method and level, one value per body; NaN where the
    method leaves the level out."""
    rng = np.random.default_rng(SEED)
    errors = {method: {level: [] for level in LEVELS} for method in METHODS}
    for body in bodies:
        pose = orient(body.landmarks, IMAGE_SIZE, "back")
        taps = simulated_taps(body, rng)
        fits = dict(
            zip(
                METHODS,
                (
                    build_anatomy(pose),
                    _fit(pose, taps),
                    _fit(None, taps),
                    _fit(None, _only(taps, SHOULDER_TAPS)),
                    _fit(None, _only(taps, CREST_TAPS)),
                ),
                strict=True,
            )
        )
        for method, anatomy in fits.items():
            for level in LEVELS:
                if anatomy is None or level not in anatomy.landmarks:
                    errors[method][level].append(np.nan)
                    continue
                error = anatomy.landmarks[level].xy[1] - level_truth_y(body, level)
                errors[method][level].append(abs(error) / body.cun_px)
    return {m: {lv: np.array(v) for lv, v in by_level.items()} for m, by_level in errors.items()}


def _fit(pose: OrientedPose | None, taps: Taps) -> Anatomy | None:
    """`fit_anatomy`, or None when it refuses the taps as contradictory."""
    try:
        return fit_anatomy(pose, taps)
    except FitError:
        return None


def _only(taps: Taps, names: Sequence[str]) -> Taps:
    return Taps({name: taps.image_xy[name] for name in names}, taps.stature_cm)


def format_table(errors: dict[str, dict[str, np.ndarray]], count: int) -> str:
    header = " | ".join(f"{method} median / 95th" for method in METHODS)
    lines = [f"| level (n = {count}) | {header} |", "|---" * (len(METHODS) + 1) + "|"]
    for level in LEVELS:
        lines.append(f"| {level} | " + " | ".join(_cell(errors[m][level]) for m in METHODS) + " |")
    return "\n".join(lines)


def _cell(errors: np.ndarray) -> str:
    """Median / 95th percentile of the placed levels, and the share placed when not all are."""
    placed = errors[~np.isnan(errors)]
    if placed.size == 0:
        return "not placed"
    cell = f"{np.median(placed):.2f} / {np.percentile(placed, 95):.2f}"
    share = placed.size / errors.size
    return cell if share == 1 else f"{cell} ({share:.1%} placed)"


def run(ansur_dir: Path) -> str:
    """The `finder evaluate-taps` command: the table on the held-out half, in cun."""
    bodies = ansur_bodies(ansur_dir)
    held_out = [b for b, fitted in zip(bodies, split(bodies), strict=True) if not fitted]
    return (
        "Vertical error in cun on the held-out ANSUR II half, taps = truth + 1 cm finger "
        "error (shoulder taps: C7 and both acromia; crest taps: both crest tops):\n"
        + format_table(tap_errors(held_out), len(held_out))
    )
