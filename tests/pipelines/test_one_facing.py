"""Auto and the explicit view it decides give the same anatomy (real photo, real model)."""

from __future__ import annotations

import numpy as np
import pytest

from finder import locate_image
from finder.adapters.imageio import read_image
from tests.photos import photo

pytestmark = [pytest.mark.model, pytest.mark.shared]


def test_auto_and_the_view_it_decides_give_the_same_anatomy():
    """Photo 13 mirrored and cut at mid-thigh: the upright picture's BlazePose pose reads as a
    face, so auto took MoveNet's back (cun 13.8 px) while an explicit back view used the upright
    BlazePose pose (12.7 px). One facing per photo: both now use the upright pose."""
    bgr = np.ascontiguousarray(read_image(photo("13"))[:860, ::-1])
    auto = locate_image(bgr, view="auto")
    back = locate_image(bgr, view="back")
    assert auto.accepted and back.accepted and auto.view == back.view == "back"
    assert "chosen" not in auto.view_reason  # auto still says why it decided
    assert auto.cun_px == pytest.approx(back.cun_px)
    for name in ("C7", "T3", "acromion_left", "acromion_right"):
        np.testing.assert_allclose(auto.anatomy.landmarks[name].xy, back.anatomy.landmarks[name].xy)
