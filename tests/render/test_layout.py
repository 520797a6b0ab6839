"""Labels a partner can read: the layout the overlay returns puts every label inside the
picture, no two labels on each other and none on the legend or the badge, for dense bodies
at small sizes (a torso about 100 px wide, or 50) with all 30 points; codes when they fit, else
numbers with the codes listed in the legend; labels follow a moving body."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from finder import locate_landmarks
from finder.body.catalog import load_catalog
from finder.render.overlay import Annotator, LabelLayout
from tests.bodies import similarity
from tests.render.frames import body_in

ROUTINE = frozenset(load_catalog().routine("lower-back").points)
# (picture width, height px, body scale): torso (shoulder to shoulder) about 100 px at 0.27.
SIZES = [(640, 480, 0.27), (480, 360, 0.2), (320, 240, 0.135), (1200, 900, 0.5), (390, 844, 0.3)]


def boxes_of(layout: LabelLayout) -> np.ndarray:
    return np.array([label.box for label in layout.labels], dtype=float).reshape(-1, 4)


def assert_readable(layout: LabelLayout, size: tuple[int, int], blocked=()) -> None:
    boxes = boxes_of(layout)
    width, height = size
    assert (boxes[:, 0] >= 0).all() and (boxes[:, 1] >= 0).all()
    assert (boxes[:, 2] <= width).all() and (boxes[:, 3] <= height).all()
    assert (boxes[:, 2] > boxes[:, 0]).all() and (boxes[:, 3] > boxes[:, 1]).all()
    others = [*blocked, *([layout.legend] if layout.legend else [])]
    for i, (x0, y0, x1, y1) in enumerate(boxes):
        for j, (u0, v0, u1, v1) in enumerate([*boxes, *others]):
            if i != j:
                apart = x1 <= u0 or u1 <= x0 or y1 <= v0 or v1 <= y0
                assert apart, (layout.labels[i], ([*boxes, *others])[j])


@pytest.mark.parametrize(("width", "height", "scale"), SIZES)
@pytest.mark.parametrize("legend", [True, False])
def test_labels_of_all_points_never_overlap_and_stay_inside(width, height, scale, legend):
    size = (width, height)
    result = locate_landmarks(body_in(size, scale), size, view="back")
    assert len(result.points) >= 30  # every back point, on both sides
    layout = Annotator(show_legend=legend).layout(result, size)
    assert_readable(layout, size)
    labelled = {label.code for label in layout.labels if label.code}
    assert len([label for label in layout.labels if label.code]) == len(result.points)
    if layout.numbered:  # every point is named in the list, by the number on its dot
        assert {code for _, code in layout.key} == {p.code for p in result.points}
        numbers = dict(layout.key)
        assert all(numbers[label.text] == label.code for label in layout.labels if label.code)
    else:
        assert labelled == {p.code for p in result.points}
        assert all(label.text == label.code for label in layout.labels if label.code)


def test_all_points_on_a_small_picture_show_numbers_and_a_routine_shows_codes():
    small = (320, 240)
    result = locate_landmarks(body_in(small, 0.135), small, view="back")
    crowded = Annotator().layout(result, small)
    assert crowded.numbered and crowded.legend is not None
    size = (640, 480)
    result = locate_landmarks(body_in(size, 0.27), size, view="back")
    routine = Annotator(show_legend=False).layout(result, size, ROUTINE)
    assert not routine.numbered
    assert {label.text for label in routine.labels if label.code} == {
        p.code for p in result.points if p.code in ROUTINE
    }


def test_a_routine_with_a_highlight_and_a_profile_badge_stays_clear_of_the_badge():
    size = (640, 480)
    result = locate_landmarks(body_in(size, 0.27), size, view="back")
    result = replace(result, profile="Pat")
    annotator = Annotator(show_legend=False)
    layout = annotator.layout(result, size, ROUTINE, highlight="BL-23")
    badge = annotator.badge.box("Profile: Pat", max(size) / 1000)
    assert_readable(layout, size, blocked=[badge])
    first = layout.labels[[label.code for label in layout.labels].index("BL-23")]
    assert first.scale > min(label.scale for label in layout.labels if label.code)


def test_labels_follow_a_moving_body_and_are_laid_out_again_when_they_would_collide():
    size = (640, 480)
    body = body_in(size, 0.27)
    annotator = Annotator()
    first = annotator.layout(locate_landmarks(body, size, view="back"), size)
    shifted = similarity(body, shift=(7.0, -3.0))
    moved = annotator.layout(locate_landmarks(shifted, size, view="back"), size)
    assert [label.text for label in moved.labels] == [label.text for label in first.labels]
    np.testing.assert_allclose(
        boxes_of(moved) - boxes_of(first), np.tile([7, -3, 7, -3], (len(first.labels), 1))
    )
    assert_readable(moved, size)
    # Shrunk to half, the same boxes would collide: a new layout, still readable.
    centre = tuple(np.asarray(size) / 2)
    smaller = similarity(body, scale=0.5, centre=centre)
    again = annotator.layout(locate_landmarks(smaller, size, view="back"), size)
    assert_readable(again, size)


def test_the_hand_view_places_labels_to_the_right_of_the_points_when_there_is_room():
    from finder.body.result import LocatedPoint

    size = (400, 300)
    result = locate_landmarks(body_in(size, 0.2), size, view="back")
    hand = replace(
        result,
        anatomy=None,
        view="hand",
        points=(LocatedPoint("LI-4", "right", (100.0, 150.0), 8.0, 0.8),),
    )
    (label,) = Annotator(show_legend=False).layout(hand, size).labels
    assert label.box[0] > 100 and label.box[1] < 150 < label.box[3]


def test_the_legend_gives_the_typical_ring_in_centimetres():
    size = (640, 480)
    result = locate_landmarks(body_in(size, 0.27), size, view="back")
    layout = Annotator().layout(result, size)
    (ring,) = [text for _, text in layout.rows if text.startswith("ring:")]
    spreads = sorted(result.uncertainty_cm(p) for p in result.points)
    cm = float(ring.split("+/- ")[1].removesuffix(" cm"))
    assert spreads[0] <= cm <= spreads[-1] and cm * 2 == int(cm * 2)
