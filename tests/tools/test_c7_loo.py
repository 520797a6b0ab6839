"""C7 rules left one photo out (finder.tools.c7_loo): a held-out photo's copies never reach the
fit, errors are in the case's own frame, and the current rule's refit is the shipped model's."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from calibration import DATA_DIR
from finder.body.anatomy import BodyFrame
from finder.body.landmarks import KEYPOINT_COUNT, Keypoint
from finder.body.model import load_body_model
from finder.body.view import Facing, FacingSource, OrientedPose
from finder.tools.ansur import read_ansur
from finder.tools.c7_loo import (
    AnsurRefit,
    C7Case,
    Candidate,
    c7_cases,
    candidates,
    format_loo,
    leave_one_photo_out,
    median_of,
    onto_the_neck,
    weighted_median,
)
from finder.tools.evaluate_photos import Mark, cases, evaluate_case, summarise
from tests.photos import ANSUR_DIR, PHOTOS

README = Path(__file__).resolve().parents[2] / "README.md"

CUN_PX = 10.0


def c7_case(name: str, height_widths: float, ears_x: float = 500.0, sd_px: float = 10.0):
    """Shoulders 200 px apart at y = 400 around x = 500, ears 100 px above them at `ears_x`, the
    marked C7 `height_widths` shoulder widths above the shoulder midpoint; frame up = -y."""
    landmarks = np.zeros((KEYPOINT_COUNT, 4))
    landmarks[:, 3] = 1.0
    landmarks[Keypoint.LEFT_SHOULDER, :2] = (400, 400)
    landmarks[Keypoint.RIGHT_SHOULDER, :2] = (600, 400)
    landmarks[Keypoint.LEFT_EAR, :2] = (ears_x - 30, 300)
    landmarks[Keypoint.RIGHT_EAR, :2] = (ears_x + 30, 300)
    landmarks[Keypoint.NOSE, :2] = (ears_x, 310)
    pose = OrientedPose(landmarks, (1000, 1000), Facing.BACK, FacingSource.NO_FACE_SIGN)
    frame = BodyFrame(
        np.array([500.0, 400.0]), np.array([0.0, -1.0]), np.array([-1.0, 0.0]), CUN_PX
    )
    truth = Mark(np.array([500.0, 400.0 - 200 * height_widths]), sd_px)
    return C7Case(name, name.split()[0], pose, frame, truth)


def k_up(seen: list[list[str]]) -> Candidate:
    """C7 the median marked height up from the shoulder midpoint; records what each fit saw."""

    def fit(cases):
        seen.append(sorted(c.name for c in cases))
        return median_of(lambda c: c.height_widths)(cases)

    return Candidate("k up", fit, lambda c, k: c.shoulder_mid + k * c.shoulder_width * c.frame.up)


def test_a_held_out_photo_is_placed_by_the_rule_fitted_without_its_copies():
    cases = [
        c7_case("09", 0.35),
        c7_case("09 mirrored", 0.35),
        c7_case("13", 0.20),
        c7_case("13 to the knee", 0.20),
        c7_case("13 mirrored", 0.20),
    ]
    seen: list[list[str]] = []
    errors, folds = leave_one_photo_out(cases, k_up(seen))
    assert seen == [["13", "13 mirrored", "13 to the knee"], ["09", "09 mirrored"]]
    assert [(f.photo, f.parameter) for f in folds] == [("09", 0.20), ("13", 0.35)]
    along = {e.case: e.up_cun for e in errors}
    # 0.15 widths of 200 px = 30 px = 3 cun, too low on 09 and too high on 13
    assert along == pytest.approx(
        {"09": -3, "09 mirrored": -3, "13": 3, "13 to the knee": 3, "13 mirrored": 3}
    )
    assert all(e.left_cun == 0 and e.truth_sd_cun == pytest.approx(1.0) for e in errors)


def test_the_table_shows_the_in_sample_row_each_folds_parameter_and_the_per_photo_medians():
    cases = [c7_case("09", 0.35), c7_case("13", 0.20), c7_case("13 mirrored", 0.25)]
    candidate = k_up([])
    errors, folds = leave_one_photo_out(cases, candidate)
    shipped, _ = leave_one_photo_out(cases, Candidate("all", lambda _: 0.25, candidate.place))
    header, _, in_sample, loo = format_loo(shipped, [(candidate, errors, folds)]).splitlines()
    assert "fitted without 09 / 13" in header and "median on 09 / 13" in header
    assert in_sample.startswith("| shipped, in sample")
    assert loo.startswith("| k up, left one photo out | 0.225 / 0.350 | 3 | 2.50 |")
    assert loo.endswith("| 2.50 / 2.50 |")  # 09: 0.125 widths; 13: 0.15 and 0.10 widths


def test_a_weighted_median_follows_the_heavier_marks():
    assert weighted_median([0.2, 0.3, 0.4], [1, 1, 1]) == 0.3
    assert weighted_median([0.2, 0.3, 0.4], [10, 1, 1]) == 0.2
    assert median_of(lambda c: c.height_widths, weighted=True)(
        [c7_case("a", 0.2, sd_px=5), c7_case("b", 0.3, sd_px=20), c7_case("c", 0.4, sd_px=20)]
    ) == pytest.approx(0.2)


def test_moved_onto_the_neck_c7_keeps_its_height_and_leans_with_the_ears():
    case = c7_case("13", 0.2, ears_x=550)  # ears 50 px right over 100 px up
    moved = onto_the_neck(case, np.array([500.0, 360.0]))
    assert moved == pytest.approx([520.0, 360.0])
    assert onto_the_neck(c7_case("13", 0.2), np.array([480.0, 360.0])) == pytest.approx([500, 360])


@pytest.mark.shared
@pytest.mark.slow
def test_the_current_rule_refit_at_the_shipped_height_gives_the_shipped_c7_model():
    """The LOO's current rule is the shipped procedure: at the height measured on the photos
    (keypoints.json) it puts the synthetic shoulders where keypoints.json does and refits C7's
    regressions to body_model.json's coefficients."""
    synthetic = json.loads(DATA_DIR.joinpath("keypoints.json").read_text())["synthetic"]
    refit = AnsurRefit(read_ansur(ANSUR_DIR))
    height = synthetic["c7_above_shoulders_measured"]
    below = refit.keypoints(height).shoulder_below_acromion
    assert below == pytest.approx(synthetic["shoulder_below_acromion"], abs=0.001)
    shipped = load_body_model().regressions["C7"]
    refitted = refit.model(height).regressions["C7"]
    assert [r.features for r in refitted] == [r.features for r in shipped]
    for ours, theirs in zip(refitted, shipped, strict=True):
        assert ours.coef == pytest.approx(theirs.coef, abs=2e-3)
    higher = refit.model(height + 0.1).regressions["C7"][-1]  # shoulders only: C7 = c x width
    assert higher.coef[0] == pytest.approx(shipped[-1].coef[0] + 0.1, abs=0.005)


@pytest.mark.model
@pytest.mark.shared
@pytest.mark.slow
def test_the_readme_states_the_current_rules_c7_figure_left_one_photo_out():
    """The README's out-of-sample C7 row is what `finder evaluate-photos --ansur` gives for the
    current rule (median, p90 and bias along the body, cun)."""
    row = re.search(
        r"\| C7, left one photo out \(below\) \| (\d+) \| ([\d.]+) \| ([\d.]+) "
        r"\| [\d.]+, ([+-][\d.]+) \|",
        README.read_text(encoding="utf-8"),
    )
    assert row, "README: no 'C7, left one photo out' row"
    outcomes = [evaluate_case(case) for case in cases(PHOTOS) if "C7" in case.marks]
    current = candidates(AnsurRefit(read_ansur(ANSUR_DIR)))[0]
    errors, _ = leave_one_photo_out(c7_cases(outcomes), current)
    (c7,) = [r for r in summarise(errors) if r.landmark == "C7"]
    assert c7.count == int(row[1])
    assert (c7.median, c7.p90, c7.bias_up) == pytest.approx(
        (float(row[2]), float(row[3]), float(row[4])), abs=0.006
    )
