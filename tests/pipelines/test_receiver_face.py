"""Which person is the receiver: a head that shows a face faces the camera and never gets back
points, a body without a face is read as a back (`finder.pipelines.search.shows_face`)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from finder import locate_image
from finder.adapters.imageio import read_image
from finder.adapters.movenet import Person
from finder.body.landmarks import LEFT_RIGHT_PAIRS, SHOULDERS, Keypoint
from finder.body.pose import Detector, Pose
from finder.body.trust import Problem, ProblemKind, check
from finder.body.view import HEAD, Facing, FacingSource
from finder.pipelines.search import (
    COPY_MAX_SIDE_PX,
    FACE_MIN_SCORE,
    HEAD_SQUARE_MIN_PX,
    HEAD_SQUARE_SHOULDER_WIDTHS,
    _face_reader,
    _facing_from_face,
    attempts,
    render,
    shows_face,
)
from finder.tools.copies import beside
from tests.bodies import IMAGE_SIZE, standing_back_view
from tests.photos import PHOTOS, photo


class Faces:
    """A face detector stand-in: the score it gives, and the pictures it was shown."""

    def __init__(self, score: float):
        self.score, self.shown = score, []

    def best_score(self, rgb):
        self.shown.append(rgb.shape)
        return self.score


def test_a_face_is_looked_for_in_a_square_around_the_head_keypoints():
    landmarks = standing_back_view()
    picture = np.full((IMAGE_SIZE[1], IMAGE_SIZE[0], 3), 128, np.uint8)
    width = float(np.hypot(*np.subtract(*landmarks[list(SHOULDERS), :2])))
    side = 2 * int(HEAD_SQUARE_SHOULDER_WIDTHS * width)
    faces = Faces(FACE_MIN_SCORE)
    assert shows_face(picture, landmarks, faces) is True
    assert abs(faces.shown[0][0] - side) <= 2 and abs(faces.shown[0][1] - side) <= 2
    assert shows_face(picture, landmarks, Faces(FACE_MIN_SCORE - 0.01)) is False


def test_the_face_is_looked_for_in_the_picture_the_models_saw():
    """The square around the head is cut from the upright picture (shrunk to COPY_MAX_SIDE_PX),
    not from the full-size photo: the face detector is never shown a square larger than that
    picture's, and the photo is not shrunk again for it."""
    landmarks = standing_back_view()
    photo = np.full((IMAGE_SIZE[1], IMAGE_SIZE[0], 3), 128, np.uint8)
    first = attempts(IMAGE_SIZE)[0]
    faces = Faces(FACE_MIN_SCORE)
    faced = _face_reader(render(photo, first, bgr=True), first, IMAGE_SIZE, faces)
    assert faced(landmarks) is True and faced(landmarks) is True
    scale = COPY_MAX_SIDE_PX / max(IMAGE_SIZE)
    width = scale * float(np.hypot(*np.subtract(*landmarks[list(SHOULDERS), :2])))
    side = 2 * int(HEAD_SQUARE_SHOULDER_WIDTHS * width)
    assert len(faces.shown) == 1  # each body looked at once
    assert abs(faces.shown[0][0] - side) <= 2 and abs(faces.shown[0][1] - side) <= 2


def test_a_head_too_dark_to_show_a_face_cannot_tell():
    faces = Faces(1.0)
    dark = np.full((IMAGE_SIZE[1], IMAGE_SIZE[0], 3), 3, np.uint8)
    assert shows_face(dark, standing_back_view(), faces) is None
    assert faces.shown == []


def test_a_head_too_small_to_show_a_face_cannot_tell():
    landmarks = standing_back_view().copy()
    shoulders = landmarks[list(SHOULDERS), :2]
    width = float(np.hypot(*(shoulders[0] - shoulders[1])))
    scale = 0.9 * HEAD_SQUARE_MIN_PX / (2 * HEAD_SQUARE_SHOULDER_WIDTHS * width)
    landmarks[:, :2] *= scale  # the body shrunk until its head square is under the minimum
    faces = Faces(0.0)
    picture = np.full((2400, 2400, 3), 128, np.uint8)
    assert shows_face(picture, landmarks, faces) is None and faces.shown == []


def test_a_head_beyond_the_picture_cannot_tell_and_is_not_looked_at():
    """The face of a head the edge cuts off is not in the picture, whichever way it faces (the
    therapist of shared photo 04 cut at the mouth): the pose's own reading stands."""
    landmarks = standing_back_view().copy()
    landmarks[:, 1] -= landmarks[list(HEAD), 1].max() + 200  # the head above the top edge
    faces = Faces(1.0)
    picture = np.full((2400, 2400, 3), 128, np.uint8)
    assert shows_face(picture, landmarks, faces) is None
    assert faces.shown == []


def test_no_face_in_a_head_square_the_edge_cuts_cannot_tell_but_a_face_found_counts():
    landmarks = standing_back_view().copy()
    width = float(np.hypot(*np.subtract(*landmarks[list(SHOULDERS), :2])))
    half = HEAD_SQUARE_SHOULDER_WIDTHS * width
    centre_y = landmarks[list(HEAD), 1].mean()
    landmarks[:, 1] -= centre_y - 0.5 * half  # three quarters of the square inside the picture
    picture = np.full((2400, 2400, 3), 128, np.uint8)
    assert shows_face(picture, landmarks, Faces(FACE_MIN_SCORE - 0.01)) is None
    assert shows_face(picture, landmarks, Faces(FACE_MIN_SCORE)) is True
    dark = np.full((2400, 2400, 3), 3, np.uint8)  # too dark for a face found to count
    assert shows_face(dark, landmarks, Faces(1.0)) is None
    landmarks[:, 1] += 0.5 * half  # the whole square inside
    assert shows_face(picture, landmarks, Faces(FACE_MIN_SCORE - 0.01)) is False


def facing_labels(landmarks: np.ndarray) -> np.ndarray:
    """The same body with MoveNet-like labels that say "front": left and right swapped."""
    swapped = landmarks.copy()
    for left, right in LEFT_RIGHT_PAIRS:
        swapped[[left, right]] = swapped[[right, left]]
    return swapped


@pytest.mark.parametrize("shows", [False, True])
def test_movenet_facing_comes_from_the_face_not_the_side_labels(shows):
    pose = Pose(facing_labels(standing_back_view()), Detector.MOVENET)
    checked = check(pose, IMAGE_SIZE)
    read = _facing_from_face(pose, checked, IMAGE_SIZE, lambda landmarks: shows)
    assert read.pose.facing is (Facing.FRONT if shows else Facing.BACK)
    assert read.pose.facing_source is (
        FacingSource.FACE_TOWARD_CAMERA if shows else FacingSource.NO_FACE_SIGN
    )


def test_a_blazepose_back_whose_head_shows_a_face_is_a_front():
    pose = Pose(standing_back_view())
    checked = check(pose, IMAGE_SIZE)
    assert checked.pose.facing is Facing.BACK
    assert _facing_from_face(pose, checked, IMAGE_SIZE, lambda landmarks: False) is checked
    front = _facing_from_face(pose, checked, IMAGE_SIZE, lambda landmarks: True)
    assert front.pose.facing is Facing.FRONT


def test_a_front_the_user_chose_is_not_looked_at_for_a_face():
    pose = Pose(standing_back_view())
    front = check(pose, IMAGE_SIZE, "front")
    looked = []
    assert _facing_from_face(pose, front, IMAGE_SIZE, lambda lm: looked.append(lm)) is front
    assert looked == []


def movenet_like(landmarks: np.ndarray) -> Pose:
    """MoveNet's pose of the same keypoints: no depth, the nose put in front of the shoulders
    (`finder.adapters.movenet`), so its facing follows its side labels."""
    flat = landmarks.copy()
    flat[:, 2] = 0.0
    flat[Keypoint.NOSE, 2] = -1.0
    return Pose(flat, Detector.MOVENET)


@pytest.mark.parametrize(
    ("shows", "movenet_says_front", "kept"),
    [
        (True, False, True),
        (False, True, False),
        (None, True, True),
        (None, False, False),
    ],
    ids=["face found", "no face", "cannot tell, MoveNet front", "cannot tell, MoveNet back"],
)
def test_a_blazepose_front_read_from_the_pose_needs_a_face_or_movenets_labels(
    shows, movenet_says_front, kept
):
    """BlazePose's two cues read backs, hands and bra bands as fronts (crops of shared photos
    02, 07 and 10): its front stands only with a face found, or, when the face cannot tell,
    with MoveNet's labels on the same body saying front; else it is refused."""
    landmarks = facing_labels(standing_back_view())
    landmarks[Keypoint.NOSE, 2] = landmarks[list(SHOULDERS), 2].mean() - 1.0
    pose = Pose(landmarks)
    checked = check(pose, IMAGE_SIZE)
    assert checked.accepted and checked.pose.facing is Facing.FRONT
    labels = landmarks if movenet_says_front else standing_back_view()
    seen = (Person(movenet_like(labels), (0.0, 0.0, *map(float, IMAGE_SIZE)), 0.5),)
    read = _facing_from_face(pose, checked, IMAGE_SIZE, lambda lm: shows, seen)
    assert read.accepted is kept
    assert read.problems == (() if kept else (Problem(ProblemKind.FRONT_WITHOUT_FACE),))


THERAPIST = (40, 180, 840, 1290)  # photo 04: the standing therapist (x0, y0, x1, y1), facing us


@pytest.mark.model
@pytest.mark.shared
@pytest.mark.parametrize("back_first", [True, False], ids=["back left", "back right"])
def test_the_back_beside_someone_facing_the_camera_gets_the_points(back_first):
    """Photo 13's back beside photo 04's therapist, who faces the camera: the points go on the
    back (C7 within 1.5 cun of its mark), with a note that someone else is in view."""
    back = read_image(photo("13"))
    x0, y0, x1, y1 = THERAPIST
    therapist = read_image(photo("04"))[y0:y1, x0:x1]
    widened = beside(back, therapist, top=0, height=back.shape[0], on_left=not back_first)
    result = locate_image(widened.picture)
    assert result.accepted and result.view == "back", result.summary()
    marks = json.loads((PHOTOS / "landmarks.json").read_text())[photo("13").name]["landmarks"]
    c7 = widened.original.from_original((marks["C7"]["x"], marks["C7"]["y"]))
    assert np.hypot(*(result.anatomy.landmarks["C7"].xy - c7)) / result.cun_px < 1.5
    assert "more than one person may be in view" in result.summary()


@pytest.mark.model
@pytest.mark.shared
def test_two_backs_alike_are_still_the_partners_call():
    back = read_image(photo("13"))
    result = locate_image(np.ascontiguousarray(np.hstack([back, back[:, ::-1]])))
    assert not result.accepted and "draw a box around the receiver" in result.summary()


@pytest.mark.model
@pytest.mark.shared
def test_the_therapist_cut_at_the_mouth_gets_no_back_points():
    """Shared photo 04 below row 560: the standing therapist's face is cut off by the top edge
    (no face to find) and MoveNet's side labels say front: no points on her."""
    bgr = read_image(photo("04"))
    result = locate_image(np.ascontiguousarray(bgr[560:]))
    assert not result.points, result.summary()
