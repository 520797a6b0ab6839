"""The One Euro filter over pose landmarks: jitter is damped, steady motion followed closely."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finder.pipelines.smoothing import OneEuroFilter


def still_body(seed: int = 0) -> np.ndarray:
    """(33, 4) landmarks scattered over a 640x480 frame (px), visibility 0.9."""
    rng = np.random.default_rng(seed)
    body = np.zeros((33, 4))
    body[:, 0] = rng.uniform(100, 540, 33)
    body[:, 1] = rng.uniform(50, 430, 33)
    body[:, 2] = rng.normal(0, 0.1, 33)
    body[:, 3] = 0.9
    return body


@pytest.mark.parametrize("fps", [15, 30])
@pytest.mark.parametrize("jitter_px", [1.0, 3.0])
def test_still_body_jitter_is_at_least_halved(fps, jitter_px):
    rng = np.random.default_rng(1)
    body, smoother = still_body(), OneEuroFilter()
    raw, smooth = [], []
    for frame in range(10 * fps):
        noisy = body.copy()
        noisy[:, :2] += rng.normal(0, jitter_px, (33, 2))
        raw.append(noisy[:, :2])
        smooth.append(smoother(noisy, frame / fps)[:, :2])
    settle = 2 * fps  # judge after two seconds
    raw_sd = np.std(np.array(raw)[settle:], axis=0).mean()
    smooth_sd = np.std(np.array(smooth)[settle:], axis=0).mean()
    assert smooth_sd <= 0.5 * raw_sd, (smooth_sd, raw_sd)
    # And it stays centred on the body.
    assert np.abs(np.array(smooth)[settle:].mean(axis=0) - body[:, :2]).max() < jitter_px


@settings(max_examples=60, deadline=None)
@given(
    speed=st.floats(0.0, 800.0),
    angle=st.floats(0.0, 2 * math.pi),
    fps=st.sampled_from([10, 15, 24, 30, 60]),
)
def test_steady_motion_is_followed_with_a_bounded_lag(speed, angle, fps):
    smoother = OneEuroFilter()
    body = still_body()
    velocity = speed * np.array([math.cos(angle), math.sin(angle)])  # px/s
    for frame in range(3 * fps):
        t = frame / fps
        moved = body.copy()
        moved[:, :2] += velocity * t
        out = smoother(moved, t)
    lag = np.hypot(*(out[:, :2] - moved[:, :2]).T).max()
    bound = speed / (2 * math.pi * (smoother.min_cutoff + smoother.beta * speed))
    assert lag <= bound + 0.05, (lag, bound)
    assert lag <= 1 / (2 * math.pi * smoother.beta) + 0.05
    # The lag trails the motion: the smoothed body sits behind, never ahead.
    if speed > 1:
        assert ((moved[:, :2] - out[:, :2]) @ velocity).min() >= 0


def test_z_and_visibility_pass_through():
    smoother = OneEuroFilter()
    body = still_body()
    smoother(body, 0.0)
    changed = body.copy()
    changed[:, 2] += 0.5
    changed[:, 3] = 0.2
    out = smoother(changed, 0.1)
    np.testing.assert_array_equal(out[:, 2:], changed[:, 2:])


def test_reset_when_the_person_is_lost():
    smoother = OneEuroFilter()
    body = still_body()
    for frame in range(30):
        smoother(body, frame / 30)
    assert smoother(None, 1.0) is None
    # A new person elsewhere is taken as is, with no trail from the old one.
    elsewhere = body.copy()
    elsewhere[:, 0] += 200
    np.testing.assert_array_equal(smoother(elsewhere, 1.1), elsewhere)


def test_reset_method_and_restarts_after_a_gap_or_time_going_back():
    body = still_body()
    jumped = body.copy()
    jumped[:, 1] -= 100
    for late in (0.5 + 2.0, 0.5 - 0.2):  # a gap over max_gap_s; time running backwards
        smoother = OneEuroFilter(max_gap_s=1.0)
        smoother(body, 0.0)
        smoother(body, 0.5)
        np.testing.assert_array_equal(smoother(jumped, late), jumped)
    smoother = OneEuroFilter()
    smoother(body, 0.0)
    smoother.reset()
    np.testing.assert_array_equal(smoother(jumped, 0.04), jumped)
    # Without a reset the jump is smoothed.
    smoother = OneEuroFilter()
    smoother(body, 0.0)
    assert np.abs(smoother(jumped, 0.04)[:, 1] - jumped[:, 1]).min() > 10


def test_same_timestamp_twice_does_not_divide_by_zero():
    smoother = OneEuroFilter()
    body = still_body()
    smoother(body, 0.0)
    out = smoother(body + 1.0, 0.0)
    assert np.isfinite(out).all()


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        OneEuroFilter(min_cutoff=0)
    with pytest.raises(ValueError):
        OneEuroFilter()(np.zeros((17, 3)), 0.0)
