"""The live per-frame path over 10,000 frames: memory stays flat and frames do not slow down.

Prints the figures (`pytest -s`); the README's soak table comes from
`python -m finder.tools.soak --frames 10000` at the live size, 640x480. Here the frames are
320x240 to save drawing time; pose tracking costs about the same at either size.
"""

from __future__ import annotations

import pytest

from finder.pipelines.live import HOLD_FRAMES
from finder.tools import soak

FRAMES = 10_000
SIZE = (320, 240)
MAX_GROWTH_MB = 50.0
MIN_SPEED_RATIO = 0.5  # last 1,000 frames against the first: a loose bound, not a speed test


@pytest.fixture(scope="module")
def report() -> soak.SoakReport:
    result = soak.run(FRAMES, SIZE)
    print("\n" + soak.format_report(result))
    return result


@pytest.mark.model
@pytest.mark.slow
def test_memory_does_not_grow_over_10000_frames(report):
    assert report.frames == FRAMES
    assert report.growth_mb < MAX_GROWTH_MB, soak.format_report(report)
    # Not only the end: no sample after warm-up exceeds the bound either.
    peak = max(mb for _, mb in report.rss_samples_mb)
    assert peak - report.rss_warm_mb < MAX_GROWTH_MB, soak.format_report(report)


@pytest.mark.model
@pytest.mark.slow
def test_frames_do_not_slow_down(report):
    # Measured in CPU time per frame: on a shared machine other programs' load changes wall
    # time between the windows, while work that grows with the frames shows in either.
    assert report.cpu_ms_first > MIN_SPEED_RATIO * report.cpu_ms_last, soak.format_report(report)


@pytest.mark.model
@pytest.mark.slow
def test_the_soak_exercised_tracking(report):
    # The receiver is out of the picture for 4 % of the frames; the live view keeps the last
    # points for HOLD_FRAMES of them, then lets go; points are drawn on the rest.
    without_points = (soak.GONE_FRAMES - HOLD_FRAMES) / soak.GONE_EVERY
    share = report.frames_with_points / report.frames
    assert 0.9 <= share < 1 - without_points / 2, soak.format_report(report)


def test_the_command_refuses_too_few_frames(capsys):
    with pytest.raises(SystemExit) as stop:
        soak.main(["--frames", "1500"])
    assert stop.value.code == 2
    assert "need at least two windows of frames" in capsys.readouterr().err
