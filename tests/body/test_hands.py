"""The hand view: which hand, back or palm, LI-4 and TE-3 on hand-written hand landmarks; the
same on real photos through MediaPipe Hands; the command line and the Hand page."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from finder.adapters.imageio import read_image
from finder.adapters.pose import HandEstimator
from finder.body.hands import (
    NO_HAND,
    DetectedHand,
    Face,
    HandKeypoint,
    hand_points,
    knuckles_in_order,
    load_hand_model,
    locate_on_hands,
    parse_hand_model,
    read_hand,
)
from finder.pipelines.hand import locate_hand_points
from finder.pipelines.photo import select_points
from finder.render.overlay import MERIDIAN_COLOURS, Annotator, meridian_of
from finder.tools.evaluate_hands import COPIES
from tests.apptest import fresh_app, no_failures
from tests.photos import photo

MODEL = load_hand_model()
IMAGE_SIZE = (1000, 800)
K = HandKeypoint

# The back of a right hand, fingers up, seen from the back (hand-written, px; x right, y down).
# The thumb and index finger are on the image's left, as when you look at the back of your own
# right hand held up in front of you.
RIGHT_BACK_XY = {
    K.WRIST: (0, 0),
    K.THUMB_CMC: (-28, -14),
    K.THUMB_MCP: (-50, -34),
    K.THUMB_IP: (-64, -54),
    K.THUMB_TIP: (-74, -72),
    K.INDEX_FINGER_MCP: (-30, -92),
    K.INDEX_FINGER_PIP: (-33, -132),
    K.INDEX_FINGER_DIP: (-35, -156),
    K.INDEX_FINGER_TIP: (-36, -176),
    K.MIDDLE_FINGER_MCP: (-9, -96),
    K.MIDDLE_FINGER_PIP: (-9, -141),
    K.MIDDLE_FINGER_DIP: (-9, -169),
    K.MIDDLE_FINGER_TIP: (-9, -191),
    K.RING_FINGER_MCP: (11, -91),
    K.RING_FINGER_PIP: (13, -131),
    K.RING_FINGER_DIP: (14, -156),
    K.RING_FINGER_TIP: (15, -176),
    K.PINKY_MCP: (29, -81),
    K.PINKY_PIP: (34, -111),
    K.PINKY_DIP: (37, -129),
    K.PINKY_TIP: (39, -146),
}
ORIGIN = np.array([500.0, 600.0])


def hand_landmarks(scale: float = 2.0, angle_deg: float = 0.0, origin=ORIGIN) -> np.ndarray:
    """(21, 3) landmarks of RIGHT_BACK_XY scaled, turned (counter-clockwise on screen) and moved;
    z = 0 (a flat hand facing the camera)."""
    xy = np.array([RIGHT_BACK_XY[k] for k in HandKeypoint], float) * scale
    turn = math.radians(angle_deg)
    rotation = np.array([[math.cos(turn), math.sin(turn)], [-math.sin(turn), math.cos(turn)]])
    return np.column_stack((xy @ rotation.T + origin, np.zeros(len(xy))))


def turned_about_long_axis(landmarks: np.ndarray, degrees: float) -> np.ndarray:
    """The hand of `hand_landmarks()` turned about the vertical line through its wrist: x
    shrinks toward the wrist, depth (z) appears."""
    turned = landmarks.copy()
    offset = landmarks[:, 0] - ORIGIN[0]
    turned[:, 0] = ORIGIN[0] + math.cos(math.radians(degrees)) * offset
    turned[:, 2] = math.sin(math.radians(degrees)) * offset
    return turned


def mirror(landmarks: np.ndarray, width: int = IMAGE_SIZE[0]) -> np.ndarray:
    mirrored = landmarks.copy()
    mirrored[:, 0] = width - landmarks[:, 0]
    return mirrored


def hand(landmarks: np.ndarray, side: str, score: float = 0.97) -> DetectedHand:
    return DetectedHand(landmarks, side, score)


def locate(*hands: DetectedHand, codes=None):
    return locate_on_hands(
        hands, IMAGE_SIZE, hand_points() if codes is None else select_points(codes)
    )


def placed(result) -> dict[tuple[str, str], np.ndarray]:
    return {(p.code, p.side): np.array(p.xy) for p in result.points}


def side_of_line(point, start, end) -> float:
    """> 0 on one side of the line start -> end, < 0 on the other (2D cross product)."""
    a, b = (
        np.asarray(end)[:2] - np.asarray(start)[:2],
        np.asarray(point)[:2] - np.asarray(start)[:2],
    )
    return float(a[0] * b[1] - a[1] * b[0])


# --- which hand, which face ---------------------------------------------------------------------


def test_geometry_alone_cannot_tell_a_right_back_from_a_left_palm():
    landmarks = hand_landmarks()
    assert read_hand(hand(landmarks, "right"), MODEL).face is Face.BACK
    assert read_hand(hand(landmarks, "left"), MODEL).face is Face.PALM


def test_the_mirrored_turn_is_a_left_back_or_a_right_palm():
    landmarks = mirror(hand_landmarks())
    assert read_hand(hand(landmarks, "left"), MODEL).face is Face.BACK
    assert read_hand(hand(landmarks, "right"), MODEL).face is Face.PALM


def test_a_mirrored_preview_reads_the_turn_reversed():
    mirrored_view = mirror(hand_landmarks())  # a right hand's back in a selfie preview
    assert read_hand(DetectedHand(mirrored_view, "right", 0.9, True), MODEL).face is Face.BACK
    assert read_hand(DetectedHand(mirrored_view, "left", 0.9, True), MODEL).face is Face.PALM


def test_the_certainty_is_the_handedness_score_and_lowers_the_confidence():
    sure = locate(hand(hand_landmarks(), "right", 0.99))
    unsure = locate(hand(hand_landmarks(), "right", 0.85))
    assert read_hand(hand(hand_landmarks(), "right", 0.85), MODEL).certainty == 0.85
    for ours, theirs in zip(sure.points, unsure.points, strict=True):
        assert 0 < theirs.confidence < ours.confidence <= 1
        assert ours.radius_px == theirs.radius_px


def test_a_hand_the_model_cannot_name_gets_no_points():
    """Issue 14: a bare back read as "right hand: its back faces the camera (74% sure)" put
    LI-4 on the spine. Below the handedness gate no point is placed, and the reason says why."""
    result = locate(hand(hand_landmarks(), "right", 0.74))
    assert not result.points and not result.accepted
    assert result.problems == (
        "cannot tell whether this is a left or a right hand (74% sure): show the whole back of "
        "one hand, fingers together",
    )


def test_landmarks_without_a_hands_knuckle_order_are_no_hand():
    scrambled = hand_landmarks()
    scrambled[[K.MIDDLE_FINGER_MCP, K.PINKY_MCP]] = scrambled[[K.PINKY_MCP, K.MIDDLE_FINGER_MCP]]
    result = locate(hand(scrambled, "right", 0.99))
    assert result.problems == (NO_HAND,) and not result.points
    assert knuckles_in_order(hand(turned_about_long_axis(hand_landmarks(), 60), "right"))


def test_a_palm_gets_no_points_and_says_to_turn_the_hand_over():
    result = locate(hand(hand_landmarks(), "left"))
    assert not result.points and not result.accepted
    reasons = {(o.code, o.side): o.reason for o in result.omitted}
    assert reasons[("LI-4", "left")] == "this is the palm of the left hand: turn the hand over"
    assert reasons[("TE-3", "right")] == "the right hand is not in the picture"
    assert result.summary() == "this is the palm of the left hand: turn the hand over"
    assert not result.nobody_found


def test_a_hand_seen_edge_on_is_not_read():
    landmarks = turned_about_long_axis(hand_landmarks(), 80)
    reading = read_hand(hand(landmarks, "right"), MODEL)
    assert reading.face is Face.SIDE
    assert "seen from its side" in locate(hand(landmarks, "right")).problems[0]


def test_a_tiny_hand_asks_to_come_closer():
    result = locate(hand(hand_landmarks(scale=0.4), "right"))
    assert not result.points
    assert result.problems == ("the right hand is too small in the picture: come closer",)


def test_no_hand_omits_every_hand_point_with_a_reason():
    result = locate()
    assert result.problems == (NO_HAND,) and result.nobody_found  # NO_HAND says how to show one
    assert {(o.code, o.side) for o in result.omitted} == {
        (code, side) for code in ("LI-4", "TE-3") for side in ("left", "right")
    }


def test_both_hands_each_get_their_points_and_the_larger_of_two_same_labels_wins():
    right = hand(hand_landmarks(origin=(300, 600)), "right")
    left = hand(mirror(hand_landmarks(origin=(300, 600))), "left")
    both = placed(locate(right, left))
    assert set(both) == {(c, s) for c in ("LI-4", "TE-3") for s in ("left", "right")}
    big = hand(hand_landmarks(scale=2.5, origin=(700, 600)), "right")
    result = locate(right, big)
    assert "another right hand, smaller, not used" in result.view_reason
    np.testing.assert_allclose(
        placed(result)[("LI-4", "right")], placed(locate(big))[("LI-4", "right")]
    )


def test_points_off_the_hand_are_omitted_with_the_view_to_use():
    result = locate(hand(hand_landmarks(), "right"), codes=["LI-4", "BL-23", "CV-6"])
    reasons = {(o.code, o.side): o.reason for o in result.omitted}
    assert reasons[("BL-23", "left")] == "not on the hand: use the back view"
    assert reasons[("CV-6", "midline")] == "not on the hand: use the front view"
    assert set(placed(result)) == {("LI-4", "right")}


# --- where the points go ------------------------------------------------------------------------


def test_li4_lies_on_the_thumb_side_of_the_middle_of_the_second_metacarpal():
    landmarks = hand_landmarks()
    li4 = placed(locate(hand(landmarks, "right")))[("LI-4", "right")]
    wrist, index, middle = (
        landmarks[k] for k in (K.WRIST, K.INDEX_FINGER_MCP, K.MIDDLE_FINGER_MCP)
    )
    thumb = landmarks[K.THUMB_MCP]
    # On the thumb's side of the wrist -> index-knuckle line, away from the middle finger.
    assert side_of_line(li4, wrist, index) * side_of_line(thumb, wrist, index) > 0
    assert side_of_line(li4, wrist, index) * side_of_line(middle, wrist, index) < 0
    # Along the bone: beyond the wrist half of the line, short of the knuckle (not in the web).
    axis = index[:2] - wrist[:2]
    along = float((li4 - wrist[:2]) @ axis / (axis @ axis))
    assert 0.55 < along < 0.8


def test_te3_lies_between_the_fourth_and_fifth_metacarpals_behind_the_knuckles():
    landmarks = hand_landmarks()
    te3 = placed(locate(hand(landmarks, "right")))[("TE-3", "right")]
    wrist, ring, little = (landmarks[k] for k in (K.WRIST, K.RING_FINGER_MCP, K.PINKY_MCP))
    # Between the lines wrist -> ring knuckle and wrist -> little knuckle.
    assert side_of_line(te3, wrist, ring) * side_of_line(te3, wrist, little) < 0
    # Proximal to both knuckles: nearer the wrist, along the hand, than either of them.
    along = (ring[:2] + little[:2]) / 2 - wrist[:2]
    assert (te3 - wrist[:2]) @ along < min(
        (ring[:2] - wrist[:2]) @ along, (little[:2] - wrist[:2]) @ along
    )
    fcun = read_hand(hand(landmarks, "right"), MODEL).fcun_px
    assert 0.2 * fcun < np.linalg.norm(te3 - (ring[:2] + little[:2]) / 2) < fcun


@settings(max_examples=40, deadline=None)
@given(
    scale=st.floats(0.8, 6.0),
    angle=st.floats(-180.0, 180.0),
    x=st.floats(200.0, 800.0),
    y=st.floats(200.0, 600.0),
)
def test_moving_scaling_and_turning_the_hand_moves_the_points_with_it(scale, angle, x, y):
    reference = locate(hand(hand_landmarks(scale=2.0), "right"))
    moved = locate(hand(hand_landmarks(scale=scale, angle_deg=angle, origin=(x, y)), "right"))
    turn = math.radians(angle)
    rotation = np.array([[math.cos(turn), math.sin(turn)], [-math.sin(turn), math.cos(turn)]])
    for before, after in zip(reference.points, moved.points, strict=True):
        expected = (np.array(before.xy) - ORIGIN) / 2.0 * scale @ rotation.T + (x, y)
        np.testing.assert_allclose(after.xy, expected, atol=1e-6)
        assert after.radius_px == pytest.approx(before.radius_px * scale / 2.0)
        assert after.confidence == pytest.approx(before.confidence)
        assert after.side == before.side


def test_a_mirrored_image_shows_the_other_hand_with_mirrored_points():
    right = locate(hand(hand_landmarks(), "right"))
    left = locate(hand(mirror(hand_landmarks()), "left"))
    assert {p.side for p in left.points} == {"left"}
    for code in ("LI-4", "TE-3"):
        expected = placed(right)[(code, "right")] * (-1, 1) + (IMAGE_SIZE[0], 0)
        np.testing.assert_allclose(placed(left)[(code, "left")], expected, atol=1e-9)


def test_the_finger_cun_counts_depth_so_a_turned_hand_keeps_its_size():
    flat = hand_landmarks()
    turned = turned_about_long_axis(flat, 50)
    flat_cun = read_hand(hand(flat, "right"), MODEL).fcun_px
    assert read_hand(hand(turned, "right"), MODEL).fcun_px == pytest.approx(flat_cun)
    span = np.linalg.norm(flat[K.INDEX_FINGER_MCP] - flat[K.PINKY_MCP])
    assert flat_cun == pytest.approx(4 / 9 * span, rel=1e-3)  # WHO: four fingers = 3 F-cun


# --- the calibration data -----------------------------------------------------------------------


def test_every_hand_point_in_the_catalog_has_a_hand_rule():
    assert set(MODEL.rules) == {point.code for point in hand_points()} == {"LI-4", "TE-3"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda raw: raw["points"].pop("TE-3"), "no rule for the catalog's hand points ['TE-3']"),
        (lambda raw: raw["points"]["LI-4"].update(between=["wrist", "elbow"]), "point LI-4"),
        (lambda raw: raw["points"]["LI-4"].update(fraction=1.5), "fraction 1.5 is outside"),
        (lambda raw: raw["points"]["TE-3"].update(sd_fcun=0), "sd_fcun must be a positive"),
        (lambda raw: raw["facing"].pop("min_sine"), "missing field 'min_sine'"),
        (lambda raw: raw["points"].update({"BL-23": raw["points"]["LI-4"]}), "['BL-23'] are not"),
        (lambda raw: raw.update(min_handedness_score=1.0), "min_handedness_score must be below"),
    ],
)
def test_a_broken_hand_model_names_the_file_and_the_entry(change, message):
    from calibration import DATA_DIR

    raw = json.loads(DATA_DIR.joinpath("hand_model.json").read_text(encoding="utf-8"))
    change(raw)
    with pytest.raises(ValueError, match=r"hand_model\.json") as error:
        parse_hand_model(raw, {"LI-4", "TE-3"})
    assert message in str(error.value)


# --- drawing ------------------------------------------------------------------------------------


def test_the_overlay_draws_hand_points_in_their_meridian_colours():
    blank = np.full((IMAGE_SIZE[1], IMAGE_SIZE[0], 3), 40, np.uint8)
    result = locate(hand(hand_landmarks(), "right"), hand(mirror(hand_landmarks()), "left"))
    drawn = Annotator().annotate(blank, result)
    assert len(result.points) == 4
    for point in result.points:
        x, y = (round(v) for v in point.xy)
        assert tuple(int(v) for v in drawn[y, x]) == MERIDIAN_COLOURS[meridian_of(point.code)]


# --- real photos through MediaPipe Hands -------------------------------------------------------


@pytest.fixture(scope="module")
def estimator():
    with HandEstimator("still") as model:
        yield model


@pytest.fixture(scope="module")
def two_hands(estimator):
    """Photo 07: a therapist facing the camera, the backs of both hands on a back."""
    bgr = read_image(photo("07"))
    hands = estimator.detect(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    return bgr, hands, locate_hand_points(bgr, estimator=estimator)


@pytest.mark.model
@pytest.mark.shared
def test_both_backs_are_found_and_named_from_the_owners_view(two_hands):
    bgr, _, result = two_hands
    assert result.accepted and result.view == "hand"
    assert set(placed(result)) == {(c, s) for c in ("LI-4", "TE-3") for s in ("left", "right")}
    # She faces the camera: her left hand is on the image's right.
    where = placed(result)
    assert where[("TE-3", "left")][0] > bgr.shape[1] / 2 > where[("TE-3", "right")][0]


@pytest.mark.model
@pytest.mark.shared
def test_on_the_photo_li4_is_on_the_index_side_and_te3_on_the_little_finger_side(two_hands):
    _, hands, result = two_hands
    where = placed(result)
    for detected in hands:
        lm = detected.landmarks[:, :2]
        index, little = lm[K.INDEX_FINGER_MCP], lm[K.PINKY_MCP]
        li4, te3 = where[("LI-4", detected.handedness)], where[("TE-3", detected.handedness)]
        assert np.linalg.norm(li4 - index) < np.linalg.norm(li4 - little)
        assert np.linalg.norm(te3 - little) < np.linalg.norm(te3 - index)


@pytest.mark.shared
@pytest.mark.model
def test_a_mirrored_photo_shows_the_other_hands_unless_said_to_be_mirrored(two_hands, estimator):
    bgr, hands, result = two_hands
    fcun = {h.handedness: read_hand(h, MODEL).fcun_px for h in hands}
    flipped = cv2.flip(bgr, 1)
    as_photo = placed(locate_hand_points(flipped, estimator=estimator))
    as_preview = placed(locate_hand_points(flipped, estimator=estimator, mirrored=True))
    width = bgr.shape[1]
    for (code, side), xy in placed(result).items():
        back = as_photo[(code, "left" if side == "right" else "right")] * (-1, 1) + (width, 0)
        assert np.linalg.norm(back - xy) < 0.25 * fcun[side]  # the same spot, mirrored
        assert (code, side) in as_preview


@pytest.mark.model
@pytest.mark.shared
def test_a_palm_on_a_photo_is_named_and_refused(estimator):
    result = locate_hand_points(photo("06"), estimator=estimator)
    assert not result.points
    assert result.problems == ("this is the palm of the right hand: turn the hand over",)


@pytest.mark.model
@pytest.mark.shared
def test_a_hand_filling_the_picture_is_still_found(estimator):
    bgr = read_image(photo("05"))
    hands = estimator.detect(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    xy = hands[0].landmarks[:, :2]
    (x0, y0), (x1, y1) = xy.min(axis=0).astype(int), xy.max(axis=0).astype(int)
    close_up = bgr[y0:y1, x0:x1]  # the hand's own bounding box
    result = locate_hand_points(close_up, estimator=estimator)
    assert {p.side for p in result.points} == {"right"}


def test_the_evaluation_maps_every_copy_back_onto_the_original():
    image = np.zeros((300, 400, 3), np.uint8)
    spot = np.array([250.5, 100.5])  # the centre of pixel (250, 100)
    image[100, 250] = 255
    for name, make in COPIES.items():
        copy = make((400, 300), (200, 50, 300, 150))
        drawn = copy.render(image)
        found = np.argwhere(drawn.max(axis=2) == drawn.max())
        centre = found.mean(axis=0)[::-1] + 0.5
        np.testing.assert_allclose(copy.to_original(centre), spot, atol=1.0, err_msg=name)


# --- the command line and the app --------------------------------------------------------------


@pytest.mark.model
def test_the_command_line_annotates_hand_photos(tmp_path):
    command = [sys.executable, "-m", "finder.cli", "annotate", str(photo("07")), str(photo("06"))]
    run = subprocess.run(
        [*command, "--view", "hand", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 2, run.stderr  # the palm photo got no point
    assert "06_" in run.stderr and "this is the palm of the right hand" in run.stderr
    assert "Traceback" not in run.stderr
    result = json.loads((tmp_path / f"{photo('07').stem}.json").read_text())
    assert result["view"] == "hand" and result["accepted"]
    assert sorted((p["code"], p["side"]) for p in result["points"]) == [
        ("LI-4", "left"),
        ("LI-4", "right"),
        ("TE-3", "left"),
        ("TE-3", "right"),
    ]
    assert (tmp_path / f"{photo('07').stem}.png").exists()


@pytest.fixture
def app() -> AppTest:
    app = fresh_app()
    app.session_state["page"] = "Hand"
    return app.run()


@pytest.mark.model
def test_the_hand_page_marks_both_points_on_the_sample_and_drops_li4_in_pregnancy(app):
    no_failures(app)
    assert app.subheader[0].value == "Show me the back of your hand"
    assert len(app.image) == 1
    located = app.table[0].value
    assert list(located["Code"]) == ["LI-4", "TE-3"]
    assert set(located["Side"]) == {"left, right"}
    assert any("Avoid during pregnancy" in w.value for w in app.warning)  # LI-4's caution
    app.toggle(key="guided_pregnant").set_value(True)
    app.session_state["page"] = "Hand"
    app.run()
    no_failures(app)
    assert list(app.table[0].value["Code"]) == ["TE-3"]
    assert any(
        "Left out because the receiver may be pregnant: LI-4" in w.value for w in app.warning
    )
    app.toggle(key="guided_pregnant").set_value(False)
    app.session_state["page"] = "Hand"
    app.run()


@pytest.mark.model
def test_the_guided_session_shows_hand_points_on_the_hand_photo(app):
    def show():
        app.session_state["page"] = "Guided session"
        app.run()

    show()
    app.selectbox(key="guided_routine").set_value("Upper back, neck and shoulders")
    show()
    next(b for b in app.button if b.label == "Start session").click()
    show()
    while not app.subheader[0].value.startswith("TE-3"):
        next(b for b in app.button if b.label == "Next").click()
        show()
    no_failures(app)
    assert any(m.value == "#### Receiver's left hand" for m in app.markdown)
    assert len(app.image) == 1  # TE-3 drawn on the sample hand photo
    assert not any("not visible" in i.value for i in app.info)
