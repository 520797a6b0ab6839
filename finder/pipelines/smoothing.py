"""A One Euro filter (Casiez, Roussel and Vogel, CHI 2012) over BlazePose landmark arrays.

Each keypoint's x, y (image pixels) is low-pass filtered with a cutoff that rises with its speed:
slow movement (jitter) is smoothed hard, fast movement is followed with little lag. z and
visibility pass through unchanged. Timestamps are in seconds.
"""

from __future__ import annotations

import math

import numpy as np

KEYPOINT_COUNT = 33


def smoothing_factor(elapsed_s: float, cutoff_hz: float | np.ndarray) -> float | np.ndarray:
    """Exponential-smoothing weight of a new sample for a first-order low-pass filter with cutoff
    `cutoff_hz` (Hz) sampled `elapsed_s` seconds after the previous sample."""
    tau = 1.0 / (2.0 * math.pi * np.asarray(cutoff_hz, dtype=float))
    return 1.0 / (1.0 + tau / elapsed_s)


class OneEuroFilter:
    """Smooths (33, 4) pose arrays frame by frame: x, y in pixels, z, visibility.

    `min_cutoff` (Hz) is the cutoff when a keypoint is still; the cutoff rises by `beta`
    (Hz per pixel/second) of the keypoint's filtered speed, so the lag of a keypoint moving
    steadily at v px/s settles at most at v / (2π (min_cutoff + beta v)) pixels, so never above
    1 / (2π beta) however fast it moves.
    `d_cutoff` (Hz) smooths the speed estimate. Defaults suit 640x480 video at 10-30 fps.
    The filter starts afresh after `max_gap_s` seconds without a frame, when time runs
    backwards, or on `reset()` (the person was lost).
    """

    def __init__(
        self,
        min_cutoff: float = 0.7,
        beta: float = 0.02,
        d_cutoff: float = 1.0,
        max_gap_s: float = 1.0,
    ):
        if min_cutoff <= 0 or d_cutoff <= 0 or beta < 0 or max_gap_s <= 0:
            raise ValueError("min_cutoff, d_cutoff and max_gap_s must be > 0 and beta >= 0")
        self.min_cutoff = float(min_cutoff)
        self.beta = float(beta)
        self.d_cutoff = float(d_cutoff)
        self.max_gap_s = float(max_gap_s)
        self.reset()

    def reset(self) -> None:
        """Forget the past: the next frame is passed through as it is."""
        self._t: float | None = None
        self._xy: np.ndarray | None = None  # (33, 2) filtered positions, px
        self._dxy: np.ndarray | None = None  # (33, 2) filtered velocities, px/s

    def __call__(self, landmarks: np.ndarray | None, timestamp_s: float) -> np.ndarray | None:
        """The smoothed copy of `landmarks` seen at `timestamp_s` (seconds); None (no person)
        resets the filter and returns None."""
        if landmarks is None:
            self.reset()
            return None
        raw = np.asarray(landmarks, dtype=float)
        if raw.shape != (KEYPOINT_COUNT, 4):
            raise ValueError(f"pose landmarks must have shape (33, 4), got {raw.shape}")
        out = raw.copy()
        t = float(timestamp_s)
        elapsed = None if self._t is None else t - self._t
        if elapsed is None or elapsed <= 0 or elapsed > self.max_gap_s:
            if elapsed is not None and elapsed == 0:
                return self._output(out)  # the same instant again: nothing new to learn
            self._t, self._xy, self._dxy = t, raw[:, :2].copy(), np.zeros((KEYPOINT_COUNT, 2))
            return out
        xy = raw[:, :2]
        # Speed, itself smoothed at d_cutoff; its magnitude per keypoint sets that cutoff.
        a_d = smoothing_factor(elapsed, self.d_cutoff)
        self._dxy = self._dxy + a_d * ((xy - self._xy) / elapsed - self._dxy)
        speed = np.hypot(self._dxy[:, 0], self._dxy[:, 1])
        a = smoothing_factor(elapsed, self.min_cutoff + self.beta * speed)[:, None]
        self._xy = self._xy + a * (xy - self._xy)
        self._t = t
        return self._output(out)

    def _output(self, out: np.ndarray) -> np.ndarray:
        out[:, :2] = self._xy
        return out
