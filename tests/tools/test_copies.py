"""One photo-copy toolkit for the evaluations: every kind of copy maps a copy's pixel positions
back onto the original (continuous pixels, as MediaPipe reports them)."""

from __future__ import annotations

import numpy as np

from finder.tools.copies import beside, cropped, mirrored, then
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


def test_a_picture_pasted_beside_fills_its_box_and_the_photo_keeps_its_pixels():
    other = np.full((100, 50, 3), (0, 0, 200), np.uint8)  # 50 x 100 px, red
    for on_left in (True, False):
        widened = beside(spot_image(), other, top=20, height=200, on_left=on_left)
        x0, y0, x1, y1 = widened.pasted
        assert (x1 - x0, y1 - y0) == (100, 200) and y0 == 20
        assert x0 == (0 if on_left else SIZE[0])
        assert widened.picture.shape == (SIZE[1], SIZE[0] + 100, 3)
        assert (widened.picture[y0:y1, x0:x1] == (0, 0, 200)).all()
        rest = np.delete(widened.picture[:, x0:x1], np.s_[y0:y1], axis=0)
        assert (rest == 0).all()  # the widening beyond the pasted picture: the median colour
        col, row = (widened.original.from_original(SPOT) - 0.5).astype(int)
        assert widened.picture[row, col].max() == 255  # the spot, exactly where it maps
        np.testing.assert_allclose(widened.original.to_original([col + 0.5, row + 0.5]), SPOT)


def test_a_picture_pasted_beside_stops_at_the_bottom_edge():
    widened = beside(spot_image(), np.zeros((100, 50, 3), np.uint8), 250, 200, on_left=False)
    assert widened.pasted == (SIZE[0], 250, SIZE[0] + 25, SIZE[1])
