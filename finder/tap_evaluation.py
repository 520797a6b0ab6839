"""How much a partner's taps help: vertical errors on the ANSUR II held-out half
(SYNTHETIC_BODIES.md convention, 1 px = 1 mm), pose only vs pose and taps vs taps only.

Simulated taps: the true landmark plus a seeded Gaussian finger error of `body_model.json`
taps.sd_cm (1 cm) in x and y: C7, both acromion tips and both crest tops (at the true crest
height, the model's sideways offset). Truth for a spinous level between C7 and L4 is the Ernst
fraction applied to the true C7 and crest heights: this checks the fit, not Ernst's fractions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from finder.anatomy import build_anatomy, load_body_model
from finder.evaluation import split
from finder.fit import Taps, fit_anatomy
from finder.synthetic import IMAGE_SIZE, MIDLINE_X, SyntheticBody, ansur_bodies
from finder.view import orient

LEVELS = ("C7", "T4", "T7", "T10", "L2", "L4")
METHODS = ("pose only", "pose + taps", "taps only")
SEED = 75


def simulated_taps(body: SyntheticBody, rng: np.random.Generator) -> Taps:
    """Taps on C7, the acromia and the crest tops of `body`, each off by the finger error."""
    model = load_body_model()
    finger_px = model.taps["sd_cm"] * 10
    crest_out = model.landmarks["iliac_crest_top"]["out_cun"] * body.cun_px
    acromion_out = body.biacromial_px / 2
    truth = {
        "C7": (MIDLINE_X, body.truth_y["C7"]),
        "acromion_left": (MIDLINE_X - acromion_out, body.truth_y["acromion"]),
        "acromion_right": (MIDLINE_X + acromion_out, body.truth_y["acromion"]),
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
    """Absolute vertical error (cun) per method and level, one value per body."""
    rng = np.random.default_rng(SEED)
    errors = {method: {level: [] for level in LEVELS} for method in METHODS}
    for body in bodies:
        pose = orient(body.landmarks, IMAGE_SIZE, "back")
        taps = simulated_taps(body, rng)
        fits = dict(
            zip(
                METHODS,
                (build_anatomy(pose), fit_anatomy(pose, taps), fit_anatomy(None, taps)),
                strict=True,
            )
        )
        for method, anatomy in fits.items():
            for level in LEVELS:
                error = anatomy.landmarks[level].xy[1] - level_truth_y(body, level)
                errors[method][level].append(abs(error) / body.cun_px)
    return {m: {lv: np.array(v) for lv, v in by_level.items()} for m, by_level in errors.items()}


def format_table(errors: dict[str, dict[str, np.ndarray]], count: int) -> str:
    header = " | ".join(f"{method} median / 95th" for method in METHODS)
    lines = [f"| level (n = {count}) | {header} |", "|---" * (len(METHODS) + 1) + "|"]
    for level in LEVELS:
        cells = " | ".join(
            f"{np.median(errors[m][level]):.2f} / {np.percentile(errors[m][level], 95):.2f}"
            for m in METHODS
        )
        lines.append(f"| {level} | {cells} |")
    return "\n".join(lines)


def run() -> str:
    """The `finder evaluate-taps` command: the table on the held-out half, in cun."""
    bodies = ansur_bodies()
    held_out = [b for b, fitted in zip(bodies, split(bodies), strict=True) if not fitted]
    return (
        "Vertical error in cun on the held-out ANSUR II half, taps = truth + 1 cm finger "
        "error:\n" + format_table(tap_errors(held_out), len(held_out))
    )
