"""The spinous processes as a linear-Gaussian model with two anchors: C7 and the iliac-crest
level (L4, WHO rule g).

Every spinous level at fraction f of the C7 -> S2 distance (Ernst 2013, `body_model.json`) lies
on the straight line through the anchors, at weights (1 - w, w) with w = f / f_L4 (below L4 the
line is extrapolated). Positions are body-frame pixels from the frame's origin: `up` along the
body's up axis, `left` toward the receiver's left. Pose regressions give the prior; a partner's tap
on C7, the crests or the PSIS is an observation that updates it (a Kalman update), so a tap moves
exactly the levels the line ties to it and shrinks their uncertainty.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

Weight = float | np.ndarray  # one point's, or many points' (element by element)


@dataclass(frozen=True)
class AxisEstimate:
    """Mean (px) and 2 x 2 covariance (px^2) of one coordinate of the two anchors (C7, L4)."""

    mean: np.ndarray
    cov: np.ndarray

    def at(self, c7_weight: Weight, l4_weight: Weight) -> tuple[Weight, Weight]:
        """(value, standard deviation) in px of the point at these anchor weights: floats, or
        arrays of many points' weights."""
        (m0, m1), ((c00, c01), (c10, c11)) = self.mean.tolist(), self.cov.tolist()
        # weights @ mean and weights @ cov @ weights written out (numpy's per-call cost
        # dominates on 2-vectors); equal to numpy's products up to the last bit.
        w0, w1 = c7_weight, l4_weight
        variance = (w0 * c00 + w1 * c10) * w0 + (w0 * c01 + w1 * c11) * w1
        if isinstance(variance, np.ndarray):
            return w0 * m0 + w1 * m1, np.sqrt(np.maximum(variance, 0.0))
        return w0 * m0 + w1 * m1, math.sqrt(max(variance, 0.0))

    def observe(self, weights: tuple[float, float], value: float, sd: float) -> AxisEstimate:
        """The estimate after measuring the point at anchor `weights` (C7, L4) as `value` +-
        `sd` (px)."""
        weights = np.asarray(weights, dtype=float)
        spread = self.cov @ weights
        gain = spread / (weights @ spread + sd**2)
        return AxisEstimate(
            self.mean + gain * (value - weights @ self.mean), self.cov - np.outer(gain, spread)
        )


def independent(values: tuple[float, float], sds: tuple[float, float]) -> AxisEstimate:
    """Two anchors known independently: means and standard deviations in px."""
    return AxisEstimate(np.asarray(values, dtype=float), np.diag(np.square(sds)))


def chained(known: int, value: float, var: float, step: float, step_var: float) -> AxisEstimate:
    """Two anchors (C7, L4) where anchor `known` (0: C7, 1: L4) lies at `value` with variance
    `var` and the other `step` beyond it with the step's own variance (px, px^2)."""
    mean = np.full(2, value + step)
    mean[known] = value
    cov = np.full((2, 2), var)
    cov[1 - known, 1 - known] += step_var
    return AxisEstimate(mean, cov)


@dataclass(frozen=True)
class SpineEstimate:
    """Where the midline's C7 and L4 lie along the body's up axis and sideways from it (px)."""

    up: AxisEstimate
    left: AxisEstimate
    crest_fraction: float  # the C7 -> S2 fraction of L4

    def weights(self, fraction: Weight) -> tuple[Weight, Weight]:
        """Anchor weights (C7, L4) of the level at `fraction` of C7 -> S2 (a float, or an array
        of fractions)."""
        w = fraction / self.crest_fraction
        return 1.0 - w, w

    def level(self, fraction: Weight) -> tuple[Weight, Weight, Weight]:
        """(up, left, sd) in px of the spinous level at `fraction`; sd is along `up` only.
        Given an array of fractions, arrays of each."""
        weights = self.weights(fraction)
        up, sd = self.up.at(*weights)
        left, _ = self.left.at(*weights)
        return up, left, sd

    def observe(self, fraction: float, up: float, left: float | None, sd: float) -> SpineEstimate:
        """The estimate after a tap on the midline at `fraction`: body-frame px, sd in px.

        `left` is None when the tap says nothing about the midline's sideways position (one
        crest top alone, say)."""
        weights = self.weights(fraction)
        return SpineEstimate(
            self.up.observe(weights, up, sd),
            self.left if left is None else self.left.observe(weights, left, sd),
            self.crest_fraction,
        )

    @property
    def length_px(self) -> float:
        """C7 -> S2 distance along `up` (px)."""
        c7, crest = self.up.mean
        return float((c7 - crest) / self.crest_fraction)
