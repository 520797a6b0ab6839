"""Sentences are made at the edge: rewording one changes what a person reads, never a decision
(facing, refusals, the too-dark remark), and the tolerance a point is judged by is the
calibrated one."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from finder import locate_landmarks
from finder.body import points
from finder.body.landmarks import Keypoint
from finder.body.model import load_cun_rule
from finder.body.pose import as_pose
from finder.body.result import MAX_CONFIDENCE, Refusal, chance_within
from finder.body.trust import PROBLEM_SENTENCES, ProblemKind, check
from finder.body.view import FACING_SENTENCES, FacingSource
from finder.pipelines.photo import NO_PERSON, TOO_DARK, PhotoRemarks, no_person_result, with_remarks
from finder.pipelines.search import _refusal
from finder.tools.evaluate_body import LOWER_BODY
from tests.bodies import IMAGE_SIZE, standing_back_view, with_arms_up

CODES = ("BL-23", "GB-21")


def upper_body_facing_the_camera() -> np.ndarray:
    """The mean man mirrored (his front), hips and legs out of view, nose toward the camera:
    a front read from the pose alone, which the upper-body check refuses."""
    body = standing_back_view()
    body[:, 0] = IMAGE_SIZE[0] - body[:, 0]
    hidden = list(LOWER_BODY)
    body[hidden, 3] = 0.05
    body[hidden, :2] = np.random.default_rng(5).uniform(0, IMAGE_SIZE[0], (len(hidden), 2))
    body[Keypoint.NOSE, 2] = -0.5
    return body


def test_rewording_the_facing_sentences_changes_no_decision(monkeypatch):
    body = upper_body_facing_the_camera()
    before = [locate_landmarks(body, IMAGE_SIZE, view) for view in ("auto", "front")]
    for source in FacingSource:
        monkeypatch.setitem(FACING_SENTENCES, source, f"reworded: {source.name}")
    after = [locate_landmarks(body, IMAGE_SIZE, view) for view in ("auto", "front")]
    # Read from the pose, a front of the upper body is refused; chosen by the user, it is used.
    assert [r.accepted for r in after] == [r.accepted for r in before] == [False, True]
    assert [r.problems for r in after] == [r.problems for r in before]
    assert [len(r.points) for r in after] == [len(r.points) for r in before]
    assert after[0].view_reason == "reworded: FACE_TOWARD_CAMERA"
    assert after[1].view_reason == "reworded: CHOSEN"


def test_rewording_the_plausibility_sentences_changes_no_decision(monkeypatch):
    """An upper body refused for its raised arms alone: the search says so by the check's kind
    (`Refusal.ARMS_RAISED`), whatever the words; the result shows the words of that kind."""
    body = with_arms_up(standing_back_view())
    body[list(LOWER_BODY), 3] = 0.0  # the shoulders alone would anchor the body
    for kind in ProblemKind:
        monkeypatch.setitem(PROBLEM_SENTENCES, kind, f"reworded: {kind.name}")
    upright = check(as_pose(body), IMAGE_SIZE, "back")
    assert _refusal(upright, (), IMAGE_SIZE, "back") is Refusal.ARMS_RAISED
    result = locate_landmarks(body, IMAGE_SIZE, "back", CODES)
    assert result.problems == ("reworded: ARMS_RAISED",)


@pytest.mark.parametrize("reason", [NO_PERSON, "nobody in view (any wording)"])
def test_too_dark_replaces_the_no_person_reason_whatever_its_words(reason):
    nobody = no_person_result(640, 480, CODES, reason)
    dark = with_remarks(nobody, PhotoRemarks(too_dark=True), CODES)
    assert nobody.problems == (reason,) and dark.problems == (TOO_DARK,)
    assert {o.reason for o in dark.omitted} == {TOO_DARK}


def test_too_dark_comes_before_the_reasons_a_found_pose_was_refused():
    refused = locate_landmarks(upper_body_facing_the_camera(), IMAGE_SIZE, codes=CODES)
    dark = with_remarks(refused, PhotoRemarks(too_dark=True), CODES)
    assert not refused.accepted and not refused.nobody_found
    assert dark.problems == (TOO_DARK, *refused.problems)


def test_chance_within_is_the_rayleigh_distribution():
    sd = 0.8
    median = sd * math.sqrt(2 * math.log(2))  # half of all 2D normal errors lie within it
    assert chance_within(sd, median) == pytest.approx(0.5)
    assert chance_within(sd, 0.0) == 0.0 and chance_within(0.0, 1.0) == 1.0
    assert chance_within(sd, 1.0) < chance_within(sd, 2.0) < 1.0


def test_point_confidence_uses_the_calibrated_tolerance(monkeypatch):
    body = standing_back_view()
    rule = load_cun_rule()
    assert rule.good_enough_cun == pytest.approx(1.5)  # body_model.json "cun", with its source
    base = locate_landmarks(body, IMAGE_SIZE, "back", CODES)
    wider = replace(rule, good_enough_cun=2 * rule.good_enough_cun)
    monkeypatch.setattr(points, "load_cun_rule", lambda: wider)
    widened = locate_landmarks(body, IMAGE_SIZE, "back", CODES)
    assert base.points and len(widened.points) == len(base.points)
    for before, after in zip(base.points, widened.points, strict=True):
        sd_cun = before.radius_px / base.cun_px
        visibility = before.confidence / chance_within(sd_cun, rule.good_enough_cun)
        expected = min(visibility * chance_within(sd_cun, 3.0), MAX_CONFIDENCE)  # never certain
        assert after.confidence == pytest.approx(expected, abs=2e-3)
        assert after.confidence >= before.confidence
