"""Crops of the shared photos where a pose once gave points on the wrong thing (found by
sweeping crops, `finder.tools.search_report.sweep`): no front points on a back, no back points
on a body upside down."""

from __future__ import annotations

import pytest

from finder.tools.search_report import Outcome, sweep
from tests.photos import PHOTOS, photo

BACKS_READ_AS_FRONTS = {
    "02": [(0, 106, 1600, 1067)],  # face down under hot stones: a front read from the pose
    "07": [(0, 560, 533, 1600)],  # a hand on a lying back
    "10": [(800, 424, 1600, 1062)],  # a bra band, the head cut off
}
"""Crops (x0, y0, x1, y1 px) of backs on which BlazePose's two cues read a front: front points
were placed (before the face check of BlazePose's fronts)."""


@pytest.mark.model
@pytest.mark.shared
@pytest.mark.slow
def test_backs_read_as_fronts_get_no_front_points():
    photo("02")
    found = sweep(PHOTOS, BACKS_READ_AS_FRONTS)
    assert len(found) == 3
    assert [row.view for row in found] == [None, None, None]
    assert {row.outcome for row in found} == {Outcome.NOTHING}
