"""The body model across real adult proportions: ANSUR II synthetic back views."""

from __future__ import annotations

import json

import numpy as np
import pytest

from calibration import DATA_DIR
from finder.body.landmarks import SHOULDERS
from finder.body.model import load_body_model
from finder.body.synthetic import IMAGE_SIZE
from finder.body.trust import Problem, ProblemKind, check_pose
from finder.body.view import orient
from finder.tools.ansur import ansur_bodies
from finder.tools.evaluate_body import evaluate, refit
from tests.photos import ANSUR_DIR


@pytest.fixture(scope="module")
def bodies():
    return ansur_bodies(ANSUR_DIR)


@pytest.mark.shared
def test_held_out_errors_stay_near_the_floor(bodies):
    """Loose bounds on the held-out half (the README has the exact figures)."""
    held_out = bodies[1::5]
    rows = {(r.landmark, r.group): r for r in evaluate(held_out)}
    assert rows[("C7", "all")].median_cun < 0.4 and rows[("C7", "all")].p95_cun < 1.0
    crest = rows[("iliac_crest", "all")]
    assert crest.median_cun < 0.6 and crest.p95_cun < 1.6
    assert rows[("popliteal_crease", "women")].p95_cun < 1.2


@pytest.mark.shared
def test_shipped_coefficients_are_the_fit(bodies):
    """calibration/body_model.json holds what `finder evaluate-body --refit` produces."""
    refitted = refit(bodies, ANSUR_DIR)["regressions"]
    shipped = load_body_model().regressions
    for target, models in shipped.items():
        for model, entry in zip(models, refitted[target]["models"], strict=True):
            assert model.features == tuple(entry["features"])
            np.testing.assert_allclose(model.coef, entry["coef"], atol=1e-4)


@pytest.mark.shared
def test_plausibility_checks_accept_real_bodies(bodies):
    """Real adult proportions pass the trust checks. The one deliberate exception: a trunk more
    than 1.65 shoulder widths long (ANSUR's top ~0.3%, narrow-shouldered women) is refused,
    because BlazePose's garbage poses on massage photos land just above that."""
    problems = [check_pose(orient(b.landmarks, IMAGE_SIZE, "back")) for b in bodies]
    rejected = [p for p in problems if p]
    assert len(rejected) <= 0.005 * len(bodies)
    assert all(p == [Problem(ProblemKind.TRUNK_TOO_LONG)] for p in rejected)


@pytest.mark.shared
def test_synthetic_shoulders_put_c7_where_the_photos_do(bodies):
    """calibration/keypoints.json places the synthetic shoulder keypoints so that C7 stands as
    far above them, in shoulder widths, as the eye-marked C7 stands above BlazePose's on the
    shared photos (`c7_above_shoulders_measured`, from `finder evaluate-photos`)."""
    measured = json.loads(DATA_DIR.joinpath("keypoints.json").read_text())["synthetic"]
    heights = []
    for body in bodies:
        shoulders = body.landmarks[list(SHOULDERS), :2]
        width = float(np.hypot(*(shoulders[0] - shoulders[1])))
        heights.append((shoulders[:, 1].mean() - body.truth_y["C7"]) / width)
    assert np.median(heights) == pytest.approx(measured["c7_above_shoulders_measured"], abs=0.005)
