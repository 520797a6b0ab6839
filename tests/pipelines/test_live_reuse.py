"""The live path without a camera model: a scripted pose stands in for BlazePose. Points placed
on a pose are moved, not placed again, when the next smoothed pose is the same body moved as a
whole within a pixel; they match the points placed afresh. The tracking model is released when
the stream ends and made again at the next frame."""

from __future__ import annotations

import numpy as np
import pytest

from finder.body.landmarks import Keypoint
from finder.body.result import transform_result
from finder.pipelines import live
from finder.pipelines.live import LiveProcessor, LiveSettings, similarity_fit
from finder.pipelines.photo import locate_landmarks
from finder.pipelines.smoothing import OneEuroFilter
from tests.bodies import similarity
from tests.render.frames import body_in

SIZE = (640, 480)
FRAME = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)


class ScriptedPose:
    """Returns the given poses in turn, counting calls; `closed` once closed."""

    def __init__(self, poses):
        self.poses = list(poses)
        self.calls = 0
        self.closed = False

    def detect(self, rgb):
        pose = self.poses[min(self.calls, len(self.poses) - 1)]
        self.calls += 1
        return pose

    def close(self):
        self.closed = True


class PassThrough(OneEuroFilter):
    """No smoothing: the scripted pose is the smoothed pose."""

    def __call__(self, landmarks, timestamp_s):
        return None if landmarks is None else np.asarray(landmarks, dtype=float)


def by_key(result):
    return {(p.code, p.side): np.array(p.xy) for p in result.points}


def test_a_similarity_is_recovered_and_moves_a_result_like_placing_it_afresh():
    body = body_in(SIZE, 0.27)
    moved = similarity(body, angle_deg=4.0, scale=1.1, shift=(12.0, -5.0), centre=(320, 240))
    matrix = similarity_fit(body[:, :2], moved[:, :2])
    np.testing.assert_allclose(body[:, :2] @ matrix[:, :2].T + matrix[:, 2], moved[:, :2])
    before = locate_landmarks(body, SIZE, "back")
    fresh, carried = locate_landmarks(moved, SIZE, "back"), transform_result(before, matrix)
    assert by_key(fresh).keys() == by_key(carried).keys()
    for key, xy in by_key(fresh).items():
        assert np.hypot(*(by_key(carried)[key] - xy)) < 1.5, key
    assert carried.cun_px == pytest.approx(fresh.cun_px, rel=0.02)


def test_points_are_moved_while_the_body_moves_as_a_whole_and_placed_again_otherwise(monkeypatch):
    body = body_in(SIZE, 0.27)
    still_shift = similarity(body, shift=(3.0, 1.0))  # the camera moved: a whole-body shift
    bent = still_shift.copy()
    bent[25:29, 0] += 15.0  # knees and ankles moved on their own
    placed = []
    real = live.locate_landmarks
    monkeypatch.setattr(
        live, "locate_landmarks", lambda *args, **kw: placed.append(1) or real(*args, **kw)
    )
    processor = LiveProcessor(
        estimator=ScriptedPose([body, still_shift, bent]),
        smoother=PassThrough(),
        crowd_estimator=ScriptedPose([None]),  # nobody else in view
    )
    results = []
    for index in range(3):
        processor.process(FRAME, index / 10)
        results.append(processor._last_result)
    assert len(placed) == 2  # the first frame and the bent pose; the shift moved the points
    shifted = by_key(results[1])
    for key, xy in by_key(results[0]).items():
        np.testing.assert_allclose(shifted[key], np.add(xy, (3.0, 1.0)), atol=1e-6)


def placements(monkeypatch, poses, settings=None):
    """How many times the live view placed the points afresh by each of `poses` (the first
    places them), and its results."""
    placed = []
    real = live.locate_landmarks
    monkeypatch.setattr(
        live, "locate_landmarks", lambda *args, **kw: placed.append(1) or real(*args, **kw)
    )
    processor = LiveProcessor(
        settings,
        estimator=ScriptedPose(poses),
        smoother=PassThrough(),
        crowd_estimator=ScriptedPose([None]),
    )
    counts, results = [], []
    for index in range(len(poses)):
        processor.process(FRAME, index / 10)
        counts.append(len(placed))
        results.append(processor._last_result)
    return counts, results


def moved_on_their_own(body, keypoints, dx=6.0):
    """`body` shifted as a whole by (3, 1) px, `keypoints` further by `dx` px across."""
    moved = similarity(body, shift=(3.0, 1.0))
    moved[list(keypoints), 0] += dx
    return moved


@pytest.mark.parametrize(
    "keypoints",
    [
        (Keypoint.LEFT_HEEL, Keypoint.RIGHT_HEEL),
        (Keypoint.LEFT_EYE, Keypoint.MOUTH_RIGHT),
        (Keypoint.LEFT_PINKY, Keypoint.RIGHT_THUMB),
        (Keypoint.LEFT_FOOT_INDEX, Keypoint.RIGHT_FOOT_INDEX),  # seen from behind
        (Keypoint.LEFT_ELBOW, Keypoint.RIGHT_WRIST),  # the arms still hang
    ],
)
def test_keypoints_no_point_rests_on_moving_on_their_own_keep_the_points(monkeypatch, keypoints):
    body = body_in(SIZE, 0.27)
    counts, results = placements(monkeypatch, [body, moved_on_their_own(body, keypoints)])
    assert counts == [1, 1]
    shifted = by_key(results[1])
    for key, xy in by_key(results[0]).items():
        np.testing.assert_allclose(shifted[key], np.add(xy, (3.0, 1.0)), atol=1e-6)


@pytest.mark.parametrize(
    "keypoints",
    [
        (Keypoint.LEFT_ANKLE, Keypoint.RIGHT_ANKLE),  # BL-60 rests on them
        (Keypoint.LEFT_EAR, Keypoint.RIGHT_EAR),  # the head's height is a feature of the cun
        (Keypoint.LEFT_KNEE,),
    ],
)
def test_keypoints_the_points_rest_on_moving_on_their_own_place_them_again(monkeypatch, keypoints):
    body = body_in(SIZE, 0.27)
    counts, _ = placements(monkeypatch, [body, moved_on_their_own(body, keypoints)])
    assert counts == [1, 2]


def test_a_keypoint_coming_into_view_places_the_points_again(monkeypatch):
    """The ankles hidden, then seen on the body moved as a whole: the ankle points omitted on
    the first frame are placed on the second, not held out by moving the first frame's points."""
    body = body_in(SIZE, 0.27)
    hidden = body.copy()
    hidden[[Keypoint.LEFT_ANKLE, Keypoint.RIGHT_ANKLE], 3] = 0.1
    counts, results = placements(monkeypatch, [hidden, similarity(body, shift=(3.0, 1.0))])
    assert counts == [1, 2]
    assert "BL-60" not in {code for code, _ in by_key(results[0])}
    assert "BL-60" in {code for code, _ in by_key(results[1])}


def test_foot_tips_count_when_the_points_face_the_camera(monkeypatch):
    body = body_in(SIZE, 0.27)
    tips = moved_on_their_own(body, (Keypoint.LEFT_FOOT_INDEX, Keypoint.RIGHT_FOOT_INDEX))
    counts, results = placements(monkeypatch, [body, tips], LiveSettings(view="front"))
    assert results[0].view == "front" and results[0].accepted
    assert counts == [1, 2]  # the metatarsal bases rest on them


def test_arms_raised_on_a_moved_body_place_the_points_again_and_hold_them(monkeypatch):
    body = body_in(SIZE, 0.27)
    raised = similarity(body, shift=(3.0, 1.0))
    shoulder_y = raised[[Keypoint.LEFT_SHOULDER, Keypoint.RIGHT_SHOULDER], 1].mean()
    raised[[Keypoint.LEFT_WRIST, Keypoint.RIGHT_WRIST], 1] = shoulder_y - 80.0  # over the head
    counts, results = placements(monkeypatch, [body, raised])
    assert counts == [1, 2]
    assert results[1] is results[0]  # held, unmoved, while the arms are up


def test_the_tracking_model_goes_when_the_stream_ends(monkeypatch):
    first = ScriptedPose([body_in(SIZE, 0.27)])
    made = []
    monkeypatch.setattr(live, "PoseEstimator", lambda mode: made.append(mode) or first)
    processor = LiveProcessor(smoother=PassThrough(), crowd_estimator=ScriptedPose([None]))
    assert not made  # no model before the first frame
    processor.process(FRAME, 0.0)
    processor.release()
    assert made == [live.PoseMode.TRACKING] and first.closed
    processor.process(FRAME, 1.0)
    assert len(made) == 2 and processor.status()["frames"] == 2
    processor.close()


@pytest.mark.parametrize("mirrored", [False, True])
def test_a_frame_handed_over_is_drawn_on_in_place_and_frozen_as_captured(mirrored):
    camera = np.random.default_rng(7).integers(0, 256, (SIZE[1], SIZE[0], 3), np.uint8)
    outputs = []
    for in_place in (False, True):
        processor = LiveProcessor(
            LiveSettings(mirrored=mirrored),
            estimator=ScriptedPose([body_in(SIZE, 0.27)]),
            smoother=PassThrough(),
            crowd_estimator=ScriptedPose([None]),
        )
        frame = camera.copy()
        outputs.append(processor.process(frame, 0.0, in_place=in_place))
        assert (outputs[-1] is frame) == (in_place and not mirrored)
        assert in_place or np.array_equal(frame, camera)  # a copy was drawn on
        frozen = processor.frozen_frame()
        np.testing.assert_array_equal(frozen, camera)  # as captured: unmirrored, undrawn
        frozen[:] = 0
        np.testing.assert_array_equal(processor.frozen_frame(), camera)  # a copy
    assert processor.status()["points"] > 0
    np.testing.assert_array_equal(outputs[0], outputs[1])  # the same drawing either way
