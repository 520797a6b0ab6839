"""The partner's receiver box: the models see it with a margin (`shown_box`), and only a body
lying in the box itself is taken (`in_box`). A box drawn tight around the receiver gets the points
that the photo gets without it; a box around the person beside never gives them the receiver's."""

from __future__ import annotations

import json

import numpy as np
import pytest

from finder import locate_image
from finder.pipelines.search import BOX_MARGIN, in_box, shown_box
from finder.tools.search_report import (
    Outcome,
    facing_person,
    judge,
    person_beside,
    second_back,
)
from tests.bodies import IMAGE_SIZE, standing_back_view
from tests.photos import DATA, PHOTOS, photo
from tests.pipelines.test_headless_backs import marked


def test_the_models_see_the_box_with_a_margin_clipped_to_the_picture():
    grow = round(BOX_MARGIN * 500)
    assert shown_box((300, 300, 200, 500), (1067, 1600)) == (
        300 - grow,
        300 - grow,
        200 + 2 * grow,
        500 + 2 * grow,
    )
    assert shown_box((0, 0, 1067, 1600), (1067, 1600)) == (0, 0, 1067, 1600)


def test_a_body_counts_as_boxed_by_its_trunk_ends_inside_the_picture():
    body = standing_back_view()  # IMAGE_SIZE px
    width, height = IMAGE_SIZE
    assert in_box(body, (0, 0, width, height), IMAGE_SIZE)
    across = body.copy()
    across[[23, 24], 0] -= 0.45 * width  # hips guessed to the side, still in the picture
    across[[23, 24], 1] = across[[11, 12], 1].mean()
    shoulders_x = body[[11, 12], 0]
    box = (int(shoulders_x.min()) - 5, 0, int(np.ptp(shoulders_x)) + 10, height)
    assert not in_box(across, box, IMAGE_SIZE)
    beyond = body.copy()
    beyond[[23, 24], 1] += height  # hips below the picture's edge: a guess, not held against it
    assert in_box(beyond, (box[0], 0, box[2], int(body[[11, 12], 1].max()) + 5), IMAGE_SIZE)


def _xywh(x0: float, y0: float, x1: float, y1: float) -> tuple[int, int, int, int]:
    return int(x0), int(y0), round(x1 - x0), round(y1 - y0)


def _hand_box(prefix: str) -> tuple[int, int, int, int]:
    boxes = json.loads((DATA / "receiver_boxes.json").read_text())["boxes"]
    return tuple(boxes[photo(prefix).name]["box"])


@pytest.mark.model
@pytest.mark.shared
@pytest.mark.parametrize(
    ("prefix", "which"), [("09", "hand-drawn"), ("09", "marked"), ("10", "marked")]
)
def test_a_tight_box_gets_points_on_the_receiver(prefix, which):
    """09 with its hand-drawn box was refused, 10 with its marked box (cutting the deltoids) got
    "lying face down"; both get points without a box. Now C7 and the shoulder tops lie on the
    receiver (within the marked box; 09 sits near 1.5 cun of its marks whatever the box)."""
    bgr, marks = marked(prefix)
    box = (
        _hand_box(prefix) if which == "hand-drawn" else _xywh(*marks["box_min"], *marks["box_max"])
    )
    result = locate_image(bgr, box=box)
    outcome, worst = judge(result, marks)
    assert outcome in (Outcome.RIGHT, Outcome.OFF), result.summary()
    if prefix == "10":
        assert outcome is Outcome.RIGHT, worst


@pytest.fixture(scope="module")
def therapist() -> np.ndarray:
    return facing_person(PHOTOS, json.loads((PHOTOS / "landmarks.json").read_text()))


@pytest.mark.model
@pytest.mark.shared
@pytest.mark.parametrize("kind", ["therapist", "mirror"])
@pytest.mark.parametrize("prefix", ["09", "10"])
def test_the_box_picks_the_person_in_it_never_the_one_beside(prefix, kind, therapist):
    """09 and 10 beside photo 04's therapist (facing the camera) or their own mirror image
    (`finder.tools.search_report`): the margin shows part of the other person too, yet the
    receiver's box puts the points on the receiver, and the other person's box never does."""
    bgr, marks = marked(prefix)
    image, kept = (
        person_beside(bgr, marks, therapist) if kind == "therapist" else second_back(bgr, marks)
    )
    image = np.ascontiguousarray(image)
    result = locate_image(image, box=_xywh(*kept["box_min"], *kept["box_max"]))
    assert judge(result, kept)[0] in (Outcome.RIGHT, Outcome.OFF), result.summary()
    other = locate_image(image, box=_xywh(*kept["pasted_min"], *kept["pasted_max"]))
    (x0, y0), (x1, y1) = kept["box_min"], kept["box_max"]
    on_receiver = [p.code for p in other.points if x0 <= p.xy[0] <= x1 and y0 <= p.xy[1] <= y1]
    assert not on_receiver, other.summary()
