"""One photo-copy toolkit for the evaluations: every kind of copy maps a copy's pixel positions
back onto the original (continuous pixels, as MediaPipe reports them)."""

from __future__ import annotations

import numpy as np

from finder.tools.copies import cropped, mirrored, then
from finder.tools.view_report import crop_copies, whole_copies

SIZE = (400, 300)  # (width, height) px
SPOT = np.array([250.5, 100.5])  # the centre of pixel (250, 100)


def spot_image() -> np.ndarray:
    image = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    image[100, 250] = 255
    return image


def test_every_body_copy_maps_back_onto_the_original():
    copies = whole_copies(SIZE) + crop_copies(SIZE, shoulders_y=40.0, hips_y=200.0)
    seen = 0
    for copy in copies:
        drawn = copy.render(spot_image())
        if drawn.max() < 64:  # the spot was cut away
            assert copy.size[1] <= 101, copy.name
            continue
        found = np.argwhere(drawn.max(axis=2) == drawn.max())
        centre = found.mean(axis=0)[::-1] + 0.5
        np.testing.assert_allclose(copy.to_original(centre), SPOT, atol=1.0, err_msg=copy.name)
        seen += 1
    assert seen > len(copies) // 2


def test_a_mirror_is_exact_and_swaps_sides():
    copy = mirrored(SIZE)
    assert copy.mirrored and not cropped((0, 0, 10, 10)).mirrored
    drawn = copy.render(spot_image())
    assert drawn[100, SIZE[0] - 1 - 250].max() == 255  # the same pixel, not one beside it
    np.testing.assert_allclose(copy.to_original([SIZE[0] - 250.5, 100.5]), SPOT)
    assert not then(copy, mirrored(copy.size)).mirrored
