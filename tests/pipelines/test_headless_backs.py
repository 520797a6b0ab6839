"""A back cut at the neck by the picture's top edge that MoveNet scores under PERSON_MIN_SCORE:
on such a picture only the shoulders (and arms) can score, so its pose is used when it passes the
checks of a back cut at the neck and nobody in view is scored a person
(`finder.pipelines.search._cut_at_the_neck`); never beside someone MoveNet is sure of, never when
two such backs are in view."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from finder import locate_image
from finder.adapters.imageio import read_image
from finder.adapters.movenet import PERSON_MIN_SCORE, Person
from finder.body.anatomy import HIPS_OUT_OF_VIEW
from finder.body.landmarks import Keypoint
from finder.body.pose import Detector, Pose
from finder.body.result import Refusal
from finder.body.view import Facing
from finder.pipelines.search import SOMEONE_SCORE, _choose
from finder.tools.search_report import Outcome, head_cut, judge, second_back
from tests.body.test_partial import cut_at_the_neck
from tests.photos import PHOTOS, photo
from tests.pipelines.test_receiver_face import facing_labels

WEAK = (SOMEONE_SCORE + PERSON_MIN_SCORE) / 2


def person(room_shoulder_widths: float, score: float, shift_px: float = 0.0) -> Person:
    """MoveNet's person: the standing back cut `room_shoulder_widths` above the shoulders, its
    hips and legs unseen (as MoveNet scores them on a back cut at the waist), moved `shift_px` to
    the right; its side labels say back."""
    landmarks, _, _ = cut_at_the_neck(room_shoulder_widths)
    landmarks[Keypoint.LEFT_HIP :, 3] = 0.0
    landmarks[:, 2] = 0.0  # no depth, the nose in front (`finder.adapters.movenet.from_movenet`)
    landmarks[Keypoint.NOSE, 2] = -1.0
    landmarks[:, 0] += shift_px
    return Person(Pose(landmarks, Detector.MOVENET), (shift_px, 0.0, 800.0, 800.0), score)


def picture_size(room_shoulder_widths: float, people: int = 1) -> tuple[int, int]:
    width, height = cut_at_the_neck(room_shoulder_widths)[1]
    return people * width, height


def test_a_back_cut_at_the_neck_scored_under_a_person_is_the_receiver_when_alone():
    chosen = _choose(None, (person(0.3, WEAK),), picture_size(0.3), "auto")
    assert isinstance(chosen, tuple), chosen
    checked, detector = chosen
    assert detector is Detector.MOVENET and checked.accepted
    assert checked.pose.facing is Facing.BACK


def test_a_weak_person_with_room_for_a_head_above_the_shoulders_is_nobody():
    assert _choose(None, (person(0.9, WEAK),), picture_size(0.9), "auto") is None


def test_a_weak_back_beside_a_person_movenet_is_sure_of_makes_the_search_ask():
    """MoveNet's score does not tell two backs apart: the weak back never gets the points, and
    it leaves the sure one the partner's call."""
    width = picture_size(0.3)[0]
    sure = person(0.3, PERSON_MIN_SCORE, shift_px=width)
    chosen = _choose(None, (sure, person(0.3, WEAK)), picture_size(0.3, people=2), "auto")
    assert chosen is Refusal.SEVERAL_BACKS


def test_a_weak_person_that_is_no_back_leaves_the_sure_back_the_receiver():
    width = picture_size(0.3)[0]
    sure = person(0.3, PERSON_MIN_SCORE, shift_px=width)
    weak = person(0.3, WEAK)
    front = replace(weak, pose=Pose(facing_labels(weak.pose.landmarks), Detector.MOVENET))
    chosen = _choose(None, (sure, front), picture_size(0.3, people=2), "auto")
    checked, _ = chosen
    shoulders_x = checked.pose.landmarks[11:13, 0]
    assert np.all(shoulders_x > width), "the points went on the weak person"


def test_two_weak_backs_cut_at_the_neck_are_nobody():
    width = picture_size(0.3)[0]
    two = (person(0.3, WEAK), person(0.3, WEAK, shift_px=width))
    assert _choose(None, two, picture_size(0.3, people=2), "auto") is None


def test_a_weak_back_needs_its_side_labels_to_say_back_as_well_as_no_face():
    """A face cut off by the top edge shows no face: the labels must agree (shared photo 04's
    therapist cut below the chin is read as a front by MoveNet's labels)."""
    weak = person(0.3, WEAK)
    front = replace(weak, pose=Pose(facing_labels(weak.pose.landmarks), Detector.MOVENET))
    no_face = lambda landmarks: False  # noqa: E731
    assert _choose(None, (front,), picture_size(0.3), "auto", no_face) is None
    assert isinstance(_choose(None, (weak,), picture_size(0.3), "auto", no_face), tuple)


def marked(prefix: str) -> tuple[np.ndarray, dict]:
    """A shared photo (BGR) and its marks as `finder.tools.search_report` reads them."""
    name = photo(prefix).name
    entry = json.loads((PHOTOS / "landmarks.json").read_text())[name]
    marks = {k: (float(v["x"]), float(v["y"])) for k, v in entry["landmarks"].items()}
    x0, y0, x1, y1 = entry["receiver_box"]
    marks["box_min"], marks["box_max"] = (x0, y0), (x1, y1)
    return read_image(PHOTOS / name), marks


@pytest.mark.model
@pytest.mark.shared
def test_photo_10_cut_at_the_neck_gets_the_upper_back_and_a_way_to_complete_it():
    """Photo 10 cut a tenth of its height above C7: BlazePose finds nobody, MoveNet one person
    at 0.16 inside its black frame; C7 and the shoulder tops land within 1.5 cun of the marks,
    and what needs the hips says how to complete it."""
    image, marks = head_cut(*marked("10"))
    result = locate_image(np.ascontiguousarray(image))
    assert judge(result, marks)[0] is Outcome.RIGHT, result.summary()
    assert "second detector" in (result.pose_source or "")
    codes = {point.code for point in result.points}
    assert {"GV-14", "GB-21", "BL-15"} <= codes and "BL-23" not in codes
    reasons = {omission.reason for omission in result.omitted if omission.code == "BL-23"}
    assert reasons and all(reason.startswith(HIPS_OUT_OF_VIEW) for reason in reasons)


@pytest.mark.model
@pytest.mark.shared
def test_photo_10_beside_its_mirror_image_asks_which_is_the_receiver():
    """Photo 10 with its receiver box mirrored beside it (`search_report.second_back`): MoveNet
    scores the same body 0.32 and 0.17 (under a person), so the score cannot say which is the
    receiver; the search asks for the box."""
    image, marks = second_back(*marked("10"))
    result = locate_image(np.ascontiguousarray(image))
    assert judge(result, marks)[0] is Outcome.ASKS_WHICH, result.summary()


@pytest.mark.model
@pytest.mark.shared
def test_the_therapist_cut_below_her_chin_gets_no_back_points():
    """The left half of shared photo 04 below row 480: the standing therapist, facing the camera,
    her face cut off by the top edge; MoveNet scores her 0.14 with her shoulders at the edge."""
    bgr, _ = marked("04")
    result = locate_image(np.ascontiguousarray(bgr[480:, : bgr.shape[1] // 2]))
    assert not result.accepted and not result.points, result.summary()
