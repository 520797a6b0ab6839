"""Raised arms move the shoulder keypoints (`finder.body.anatomy.arms_raised`): the points that
rest on them are left out with one true sentence, the hip-anchored ones stay, and the live view
keeps its last points while a partner lifts the receiver's arm."""

from __future__ import annotations

import numpy as np
import pytest

from finder import locate_landmarks
from finder.body.landmarks import Keypoint
from finder.body.model import load_body_model
from finder.body.view import ARMS, ARMS_RAISED, ARMS_RAISED_NO_HIPS, arms_raised
from finder.pipelines.live import HOLD_FRAMES, LiveProcessor, LiveSettings
from finder.pipelines.photo import REFUSALS
from finder.pipelines.search import Refusal
from finder.tools.evaluate_photos import cases, evaluate_case
from tests.bodies import IMAGE_SIZE, standing_back_view, with_arms_up
from tests.photos import PHOTOS

SHOULDER_POINTS = ("GV-14", "GB-21")
HIP_POINTS = ("BL-23", "GV-4")


def test_hanging_arms_of_the_synthetic_bodies_are_not_raised():
    assert not arms_raised(standing_back_view(), load_body_model().plausibility)


def test_raised_arms_leave_out_the_shoulder_points_with_the_sentence():
    down = locate_landmarks(standing_back_view(), IMAGE_SIZE, "back", SHOULDER_POINTS + HIP_POINTS)
    up = locate_landmarks(
        with_arms_up(standing_back_view()), IMAGE_SIZE, "back", SHOULDER_POINTS + HIP_POINTS
    )
    assert down.accepted and up.accepted
    assert {p.code for p in down.points} == set(SHOULDER_POINTS + HIP_POINTS)
    assert {p.code for p in up.points} == set(HIP_POINTS)  # the lower back stays
    assert {(o.code, o.reason) for o in up.omitted} == {
        (code, ARMS_RAISED) for code in SHOULDER_POINTS
    }
    assert "C7" not in up.anatomy.landmarks and "acromion_left" not in up.anatomy.landmarks
    assert "L4" in up.anatomy.landmarks


def test_arms_raised_needs_the_arms_seen_and_above_the_shoulders():
    limits = load_body_model().plausibility
    threshold = float(limits["arms_raised"]["above_shoulders_widths"])
    assert arms_raised(with_arms_up(standing_back_view(), threshold + 0.1), limits)
    assert not arms_raised(with_arms_up(standing_back_view(), threshold - 0.1), limits)
    unseen = with_arms_up(standing_back_view())
    unseen[list(ARMS), 3] = float(limits["arms_raised"]["min_visibility"]) - 0.1
    assert not arms_raised(unseen, limits)


def test_an_upper_body_with_raised_arms_is_refused_with_the_sentence():
    body = with_arms_up(standing_back_view())
    below = [k for k in Keypoint if k.value >= Keypoint.LEFT_HIP.value]
    body[below, 3] = 0.0  # the hips and legs unseen: the shoulders alone would anchor the body
    result = locate_landmarks(body, IMAGE_SIZE, "back", SHOULDER_POINTS)
    assert not result.accepted and result.problems == (ARMS_RAISED_NO_HIPS,)  # no other anchor
    assert not result.points
    body[list(ARMS), 3] = 0.0  # the same shoulders with the arms unseen are an upper body
    assert locate_landmarks(body, IMAGE_SIZE, "back", SHOULDER_POINTS).accepted


class Unsmoothed:
    """The live view's smoother, passing each pose through."""

    def __call__(self, landmarks, timestamp_s):
        return landmarks

    def reset(self):
        pass


class ScriptedEstimator:
    """Returns the given poses in turn, then nobody (the live view's pose models)."""

    def __init__(self, poses):
        self.poses = iter(poses)

    def detect(self, rgb):
        return next(self.poses, None)

    def close(self):
        pass


@pytest.mark.parametrize("raised_frames", [HOLD_FRAMES, HOLD_FRAMES + 3])
def test_live_view_holds_the_points_while_an_arm_is_lifted_for_a_moment(raised_frames):
    down, up = standing_back_view(), with_arms_up(standing_back_view())
    poses = [down] * 3 + [up] * raised_frames + [down]
    processor = LiveProcessor(
        LiveSettings(codes=SHOULDER_POINTS + HIP_POINTS, view="back"),
        estimator=ScriptedEstimator(poses),
        smoother=Unsmoothed(),
        crowd_estimator=ScriptedEstimator([]),
    )
    frame = np.full((IMAGE_SIZE[1], IMAGE_SIZE[0], 3), 128, np.uint8)
    shown = []
    for index in range(len(poses)):
        processor.process(frame, index / 30)
        shown.append(processor.status()["points"])
    processor.close()
    full = 2 * len(SHOULDER_POINTS + HIP_POINTS) - 2  # GV-14 and GV-4 lie on the midline
    held = [full] * min(raised_frames, HOLD_FRAMES)
    after_hold = [full - 3] * (raised_frames - HOLD_FRAMES)  # GV-14, GB-21 twice, left out
    assert shown == [full] * 3 + held + after_hold + [full]


@pytest.mark.shared
@pytest.mark.model
@pytest.mark.slow
def test_raised_arms_on_the_shared_photos_leave_c7_out_and_the_others_keep_it():
    """11 mirrored (arms over the head, whole body) and 12 mirrored (a barbell on the
    shoulders, upper body) put C7 2.5-2.7 cun too high. Now 11 mirrored keeps its lower back and
    leaves C7 out with the reason; 12 mirrored, whose shoulders were its only anchor, is refused
    with the sentence for raised arms and no hips, as are 11 and 12 as taken. The arms-down
    bodies found (09, 10, 13 and its crops) keep C7 and the shoulder tops."""
    outcomes = {case.name: evaluate_case(case) for case in cases(PHOTOS)}
    whole = outcomes["11 mirrored"].result
    assert whole.accepted and "C7" not in whole.anatomy.landmarks
    assert whole.anatomy.missing["C7"] == ARMS_RAISED
    assert {"BL-23", "GV-4"} <= {p.code for p in whole.points}
    for name in ("11", "12", "12 mirrored"):
        assert outcomes[name].result.problems == (REFUSALS[Refusal.ARMS_RAISED],), name
    kept = [o for name, o in outcomes.items() if name[:2] in ("09", "10", "13")]
    assert len(kept) == 12  # each whole and mirrored, and the six crops of 13
    for outcome in kept:
        assert "C7" in outcome.result.anatomy.landmarks, outcome.case.name
        assert [e.landmark for e in outcome.errors].count("acromion") == 2, outcome.case.name
