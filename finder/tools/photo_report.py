"""`finder evaluate-photos`: the real-photo tables of `finder.tools.evaluate_photos` with the
ANSUR II reference beside them and the left-one-photo-out checks of C7 (`finder.tools.c7_loo`)
and the acromion (`finder.tools.acromion_loo`), as one text."""

from __future__ import annotations

from pathlib import Path

from finder.body.model import load_body_model
from finder.tools.acromion_loo import loo_table as acromion_loo_table
from finder.tools.ansur import ansur_bodies, read_ansur
from finder.tools.c7_loo import c7_cases
from finder.tools.c7_loo import loo_table as c7_loo_table
from finder.tools.evaluate_body import evaluate, split
from finder.tools.evaluate_photos import (
    cases,
    detector_pair,
    evaluate_case,
    format_cases,
    format_errors,
    format_offsets,
    format_pairs,
    format_placements,
    placements,
    summarise,
)


def ansur_reference(ansur_dir: Path) -> dict[str, tuple[float, float]]:
    """ANSUR II held-out medians and 95th percentiles (cun) for the landmarks evaluated here
    (`finder evaluate-body`: C7, acromion, iliac crest level), all bodies."""
    bodies = ansur_bodies(ansur_dir)
    held_out = [b for b, fitted in zip(bodies, split(bodies), strict=True) if not fitted]
    rows = {r.landmark: r for r in evaluate(held_out) if r.group == "all"}
    names = {"C7": "C7", "acromion": "acromion", "iliac_crest_top": "iliac_crest"}
    return {
        ours: (rows[theirs].median_cun, rows[theirs].p95_cun)
        for ours, theirs in names.items()
        if theirs in rows
    }


def run(photos: Path, ansur_dir: Path | None = None, view: str = "auto") -> str:
    """The `finder evaluate-photos` command's text."""
    every_case = list(cases(photos))
    outcomes = [evaluate_case(case, view) for case in every_case]
    pairs = [pair for pair in map(detector_pair, every_case) if pair is not None]
    errors = [e for o in outcomes for e in o.errors]
    offsets = [f for o in outcomes for f in o.offsets]
    accepted = sum(o.result.accepted for o in outcomes)
    ansur = ansur_reference(ansur_dir) if ansur_dir else {}
    loo = ""
    if ansur_dir:
        loo = (
            "\n\nC7 left one photo out (each photo, with its mirror image and crops, placed by "
            "the rule fitted on the other photos; h, k: widths above the shoulder keypoints, "
            "a: fraction of the way from the shoulder midpoint; the current rule refits C7's "
            "ANSUR II regressions for each fold's h, finder.tools.c7_loo):\n"
            + c7_loo_table(c7_cases(outcomes), errors, read_ansur(ansur_dir))
        )
    return (
        f"Real photos: {len(outcomes)} cases (photos with marks, crops at the waist, mid-thigh "
        f"and knee, mirror images), {accepted} with a body found by the camera model "
        f"(view {view}). Errors in the finder's cun: distance, and finder - truth along the "
        "body (+ = toward the head) and across it (+ = toward the receiver's left); the marks' "
        "own stated sd (median) and the median distance it alone gives; ANSUR II: "
        "vertical error on the held-out half (finder evaluate-body).\n"
        + format_errors(summarise(errors), ansur)
        + loo
        + "\n\n"
        + format_placements(placements(outcomes))
        + "\n\nKeypoints against the marks (median truth - keypoint; up = toward the "
        "head, out = away from the midline; MoveNet's after `finder.body.convention`):\n"
        + format_offsets(offsets)
        + "\n\nAcromion offsets per photo, and left one photo out (each photo, with its mirror "
        "image and crops, placed by the offset fitted as medians on the other photos' acromia; "
        "finder.tools.acromion_loo):\n"
        + acromion_loo_table(offsets, load_body_model())
        + "\n\nBlazePose against MoveNet on the same pictures (both as they come, where both "
        "find the same body; calibration/keypoints.json movenet_to_blazepose):\n"
        + format_pairs(pairs)
        + "\n\nPer case:\n"
        + format_cases(outcomes)
    )
