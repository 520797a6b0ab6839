"""Each annotator against the same OpenCV calls on a blank array (as MediaPipe tests its
drawing utilities): the image drawn must equal the expected one pixel for pixel. Labels, drawn
from cached sprites, must match OpenCV's own text within two levels. Bad images are refused
with a ValueError that says what is wrong."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pytest

from finder import locate_landmarks
from finder.body.result import LocatedPoint
from finder.render.overlay import (
    DEFAULT_STYLE,
    Annotator,
    BadgeAnnotator,
    BannerAnnotator,
    DotAnnotator,
    Label,
    LabelAnnotator,
    LabelLayout,
    LeaderAnnotator,
    RingAnnotator,
    TapAnnotator,
    text_box_size,
)
from tests.render.frames import body_in

SIZE = (64, 48)  # (width, height) px
UNIT = 1.0
SCALE = 0.5
STYLE = DEFAULT_STYLE
BL = STYLE.meridian_colours["BL"]


def blank(value: int = 30) -> np.ndarray:
    return np.full((SIZE[1], SIZE[0], 3), value, np.uint8)


def point(code="BL-23", xy=(20.0, 24.0), radius_px=9.0) -> LocatedPoint:
    return LocatedPoint(code, "left", xy, radius_px, 0.9)


def test_a_dot_is_a_white_edged_disc_in_its_meridian_colour():
    image = blank()
    DotAnnotator(STYLE).annotate(image, [point()], SCALE)
    expected = blank()
    dot, edge = round(9 * SCALE), round(2 * SCALE)
    cv2.circle(expected, (20, 24), dot + edge, (255, 255, 255), -1, cv2.LINE_AA)
    cv2.circle(expected, (20, 24), dot, BL, -1, cv2.LINE_AA)
    np.testing.assert_array_equal(image, expected)


def test_the_highlighted_dot_is_larger():
    image = blank()
    DotAnnotator(STYLE).annotate(image, [point()], SCALE, highlight="BL-23")
    expected = blank()
    dot, edge = round(2.2 * 9 * SCALE), round(2 * SCALE)
    cv2.circle(expected, (20, 24), dot + edge, (255, 255, 255), -1, cv2.LINE_AA)
    cv2.circle(expected, (20, 24), dot, BL, -1, cv2.LINE_AA)
    np.testing.assert_array_equal(image, expected)


def test_a_ring_is_blended_at_sixty_percent():
    image = blank()
    RingAnnotator(STYLE).annotate(image, [point(radius_px=12.0)], UNIT, SCALE)
    rings = blank()
    cv2.circle(rings, (20, 24), 12, BL, 2, cv2.LINE_AA)
    expected = cv2.addWeighted(rings, 0.6, blank(), 0.4, 0)
    np.testing.assert_array_equal(image, expected)


def test_a_ring_smaller_than_its_dot_is_drawn_just_outside_it():
    image = blank()
    annotator = RingAnnotator(STYLE)
    annotator.annotate(image, [point(radius_px=1.0)], UNIT, SCALE)
    least = annotator.least_radius(UNIT, SCALE)
    assert least == round(9 * SCALE) + round(2 * SCALE) + 2  # dot, its edge, the ring's width
    rings = blank()
    cv2.circle(rings, (20, 24), least, BL, 2, cv2.LINE_AA)
    np.testing.assert_array_equal(image, cv2.addWeighted(rings, 0.6, blank(), 0.4, 0))


def test_marks_placed_by_hand_are_gold_diamonds_with_a_dark_edge():
    body = body_in((640, 480), 0.27)
    result = locate_landmarks(body, (640, 480), view="back")
    anatomy = replace(result.anatomy, tapped=frozenset({"C7"}))
    image = np.full((480, 640, 3), 30, np.uint8)
    TapAnnotator(STYLE).annotate(image, anatomy, SCALE)
    expected = np.full((480, 640, 3), 30, np.uint8)
    x, y = (round(v) for v in anatomy.landmarks["C7"].xy)
    half = round(9 * SCALE)
    diamond = np.array([(x, y - half), (x + half, y), (x, y + half), (x - half, y)])
    cv2.fillPoly(expected, [diamond], (0, 200, 255), cv2.LINE_AA)
    cv2.polylines(expected, [diamond], True, (0, 0, 0), 1, cv2.LINE_AA)
    np.testing.assert_array_equal(image, expected)


def test_the_badge_is_a_shaded_corner_with_gold_text():
    image = blank()
    BadgeAnnotator(STYLE).annotate(image, "Pat", UNIT)
    expected = blank()
    (width, height), _ = cv2.getTextSize("Pat", cv2.FONT_HERSHEY_SIMPLEX, 0.55, 2)
    pad = 8
    region = expected[: height + 2 * pad, : width + 2 * pad]
    cv2.addWeighted(np.full_like(region, (40, 40, 40)), 0.7, region, 0.3, 0, dst=region)
    cv2.putText(
        expected,
        "Pat",
        (pad, pad + height),
        cv2.FONT_HERSHEY_SIMPLEX,
        0.55,
        (0, 200, 255),
        2,
        cv2.LINE_AA,
    )
    np.testing.assert_array_equal(image, expected)


def test_the_banner_wraps_the_message_across_the_top():
    image = np.full((120, 200, 3), 30, np.uint8)
    message = "no person in view at all today"
    BannerAnnotator(STYLE).annotate(image, message, UNIT)
    expected = np.full((120, 200, 3), 30, np.uint8)
    # 200 px at 11 px a character is 18 characters, below the floor of 20 per line.
    lines = ["no person in view at", "all today"]
    region = expected[: 28 * len(lines) + 14]
    cv2.addWeighted(np.full_like(region, (30, 30, 160)), 0.75, region, 0.25, 0, dst=region)
    for row, text in enumerate(lines):
        origin = (12, 8 + 28 * (row + 1) - 6)
        cv2.putText(
            expected, text, origin, cv2.FONT_HERSHEY_SIMPLEX, 0.55, (255, 255, 255), 2, cv2.LINE_AA
        )
    np.testing.assert_array_equal(image, expected)


def test_a_label_is_drawn_inside_its_box_like_opencvs_outlined_text():
    width, height, origin = text_box_size("BL-23", SCALE, STYLE)
    box = (10, 8, 10 + width, 8 + height)
    layout = LabelLayout((Label("BL-23", "BL-23", (5.0, 5.0), box, BL, SCALE),))
    image = blank(90)
    LabelAnnotator(STYLE).annotate(image, layout)
    expected = blank(90)
    at = (box[0] + origin[0], box[1] + origin[1])
    cv2.putText(expected, "BL-23", at, cv2.FONT_HERSHEY_SIMPLEX, SCALE, (0, 0, 0), 3, cv2.LINE_AA)
    cv2.putText(expected, "BL-23", at, cv2.FONT_HERSHEY_SIMPLEX, SCALE, BL, 1, cv2.LINE_AA)
    difference = cv2.absdiff(image, expected)
    assert difference.max() <= 2  # OpenCV rounds after each of the two layers
    outside = np.ones(image.shape[:2], bool)
    outside[box[1] : box[3], box[0] : box[2]] = False
    assert (image[outside] == 90).all()  # nothing drawn beyond the box
    assert (image != 90).any(axis=2).sum() > 50


def test_labels_drawn_together_equal_labels_drawn_one_by_one_even_cut_by_the_edges():
    """The labels are blended in one pass over their bounding box; the picture around them,
    and labels the picture's edges cut, come out as drawing each label alone."""
    width, height, _ = text_box_size("BL-23", SCALE, STYLE)
    picture_w, picture_h = 160, 90
    boxes = [
        (-7, 2, -7 + width, 2 + height),  # cut by the left edge
        (60, 30, 60 + width, 30 + height),
        (20, picture_h - 10, 20 + width, picture_h - 10 + height),  # cut by the bottom edge
        (picture_w + 3, 0, picture_w + 3 + width, height),  # wholly outside
    ]
    labels = tuple(Label("BL-23", "BL-23", (0.0, 0.0), box, BL, SCALE) for box in boxes)
    picture = np.random.default_rng(3).integers(0, 256, (picture_h, picture_w, 3), np.uint8)
    together, one_by_one = picture.copy(), picture.copy()
    LabelAnnotator(STYLE).annotate(together, LabelLayout(labels))
    for label in labels:
        LabelAnnotator(STYLE).annotate(one_by_one, LabelLayout((label,)))
    np.testing.assert_array_equal(together, one_by_one)
    assert (together != picture).any()


def test_a_moved_label_gets_a_leader_line_to_its_dot():
    width, height, _ = text_box_size("7", SCALE, STYLE)
    box = (40, 5, 40 + width, 5 + height)
    layout = LabelLayout((Label("7", "BL-23", (10.0, 40.0), box, BL, SCALE, leader=True),))
    image = blank()
    LeaderAnnotator(STYLE).annotate(image, layout, UNIT)
    # The line from the dot to the box's nearest pixel passes half way between them.
    middle = np.round((np.array([10, 40]) + np.array([40, 5 + height - 1])) / 2).astype(int)
    assert (image[middle[1] - 1 : middle[1] + 2, middle[0] - 1 : middle[0] + 2] != 30).any()


BAD_IMAGES = {
    "float image": np.zeros((48, 64, 3), np.float32),
    "grey image": np.zeros((48, 64), np.uint8),
    "four channels": np.zeros((48, 64, 4), np.uint8),
    "empty image": np.zeros((0, 64, 3), np.uint8),
    "a list": [[0, 0, 0]],
}


@pytest.mark.parametrize("name", sorted(BAD_IMAGES))
def test_every_annotator_refuses_an_image_that_is_not_bgr_uint8(name):
    image = BAD_IMAGES[name]
    result = locate_landmarks(body_in((640, 480), 0.27), (640, 480), view="back")
    calls = (
        lambda: Annotator().annotate(image, result),
        lambda: DotAnnotator().annotate(image, [point()], SCALE),
        lambda: RingAnnotator().annotate(image, [point()], UNIT, SCALE),
        lambda: TapAnnotator().annotate(image, result.anatomy, SCALE),
        lambda: LabelAnnotator().annotate(image, LabelLayout(())),
        lambda: LeaderAnnotator().annotate(image, LabelLayout(()), UNIT),
        lambda: BadgeAnnotator().annotate(image, "Pat", UNIT),
        lambda: BannerAnnotator().annotate(image, "why", UNIT),
    )
    for call in calls:
        with pytest.raises(ValueError, match="image must"):
            call()
