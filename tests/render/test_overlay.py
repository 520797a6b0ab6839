"""Drawing: what appears on the canvas for a located, a chosen and a rejected result."""

from __future__ import annotations

import numpy as np

from finder import locate_landmarks
from finder.render.overlay import MERIDIAN_COLOURS, Annotator, meridian_of
from tests.bodies import IMAGE_SIZE, standing_back_view

BLANK = np.full((IMAGE_SIZE[1], IMAGE_SIZE[0], 3), 40, np.uint8)


def colour_at(image, xy):
    return tuple(int(v) for v in image[round(xy[1]), round(xy[0])])


def test_every_point_is_drawn_in_its_meridian_colour_and_the_input_is_untouched():
    result = locate_landmarks(standing_back_view(), IMAGE_SIZE, view="back")
    blank = BLANK.copy()
    drawn = Annotator().annotate(blank, result)
    assert np.array_equal(blank, BLANK)
    for point in result.points:
        assert colour_at(drawn, point.xy) == MERIDIAN_COLOURS[meridian_of(point.code)]


def test_only_the_chosen_points_are_drawn():
    result = locate_landmarks(standing_back_view(), IMAGE_SIZE, view="back")
    drawn = Annotator(show_midline=False).annotate(BLANK, result, codes={"BL-23"})
    chosen = [np.array(p.xy) for p in result.points if p.code == "BL-23"]
    for point in result.points:
        centre = colour_at(drawn, point.xy)
        near_chosen = min(np.linalg.norm(point.xy - xy) for xy in chosen) < 4 * result.cun_px
        if point.code == "BL-23":
            assert centre == MERIDIAN_COLOURS["BL"]
        elif not near_chosen:  # (a neighbour may sit under BL-23's label or ring)
            assert centre == (40, 40, 40), point.code


def test_highlighted_point_is_drawn_larger():
    result = locate_landmarks(standing_back_view(), IMAGE_SIZE, view="back")
    annotator = Annotator(show_midline=False, show_legend=False)
    plain = annotator.annotate(BLANK, result, codes={"GV-4"})
    large = annotator.annotate(BLANK, result, codes={"GV-4"}, highlight="GV-4")
    violet = np.array(MERIDIAN_COLOURS["GV"])
    assert (large == violet).all(axis=2).sum() > 3 * (plain == violet).all(axis=2).sum()


def test_rejected_pose_shows_the_reason_banner_and_no_points():
    body = standing_back_view()
    body[[11, 12], 3] = 0.1  # shoulders not seen
    result = locate_landmarks(body, IMAGE_SIZE, view="back")
    drawn = Annotator().annotate(BLANK, result)
    assert not result.accepted
    assert not np.array_equal(drawn[:20], BLANK[:20])  # the banner across the top
    assert np.array_equal(drawn[IMAGE_SIZE[1] // 2 :], BLANK[IMAGE_SIZE[1] // 2 :])
