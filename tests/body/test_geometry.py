"""View, trust, anatomy and points on hand-written landmark arrays."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finder import locate_landmarks
from finder.body.catalog import load_catalog
from finder.body.from_pose import build_anatomy
from finder.body.landmarks import LEFT_RIGHT_PAIRS, Keypoint
from finder.body.view import Facing, orient
from tests.bodies import IMAGE_SIZE, similarity, standing_back_view, transform_xy


def positions(result) -> dict[tuple[str, str], np.ndarray]:
    return {(p.code, p.side): np.array(p.xy) for p in result.points}


def swap_labels(landmarks: np.ndarray) -> np.ndarray:
    swapped = landmarks.copy()
    for left, right in LEFT_RIGHT_PAIRS:
        swapped[[left, right]] = landmarks[[right, left]]
    return swapped


def test_standing_back_view_places_every_back_point_on_both_sides():
    result = locate_landmarks(standing_back_view(), IMAGE_SIZE, view="back")
    assert result.accepted
    placed = positions(result)
    for code in ("GB-21", "BL-23", "BL-43", "BL-40", "BL-60", "GB-30"):
        assert (code, "left") in placed and (code, "right") in placed
    for code in ("GV-14", "GV-4", "GV-9"):
        assert (code, "midline") in placed
    omitted = {(o.code, o.side): o.reason for o in result.omitted}
    assert "front" in omitted[("CV-6", "midline")]
    assert "hand" in omitted[("LI-4", "left")]


def test_points_sit_where_the_who_rules_put_them():
    result = locate_landmarks(standing_back_view(), IMAGE_SIZE, view="back")
    anatomy, frame = result.anatomy.landmarks, result.anatomy.frame
    placed = positions(result)
    # Seen from behind the receiver's left is on the image's left.
    assert placed[("BL-23", "left")][0] < 1200 < placed[("BL-23", "right")][0]
    # BL-23: 1.5 cun beside the midline, level with the L2/L3 gap.
    up, left = frame.to_body(placed[("BL-23", "left")])
    l2_l3 = frame.to_body((anatomy["L2"].xy + anatomy["L3"].xy) / 2)[0]
    assert left == pytest.approx(1.5, abs=1e-6) and up == pytest.approx(l2_l3, abs=1e-6)
    # GB-21: midway between C7 and the acromion.
    expected = (anatomy["C7"].xy + anatomy["acromion_right"].xy) / 2
    np.testing.assert_allclose(placed[("GB-21", "right")], expected)
    # BL-40 lies just below the knee keypoint (popliteal crease), BL-60 at ankle height.
    knee = standing_back_view()[Keypoint.LEFT_KNEE, :2]
    assert 0 < placed[("BL-40", "left")][1] - knee[1] < 2 * frame.cun_px
    # Spine runs top to bottom: C7 above T12 above L4 above S2; GV-9 above GV-4.
    ys = [anatomy[name].xy[1] for name in ("C7", "T12", "L4", "S2")]
    assert ys == sorted(ys)
    assert placed[("GV-9", "midline")][1] < placed[("GV-4", "midline")][1]
    # GB-30 is a third of the way from the trochanter to the sacral hiatus.
    trochanter = anatomy["greater_trochanter_left"].xy
    hiatus = anatomy["sacral_hiatus"].xy
    np.testing.assert_allclose(
        placed[("GB-30", "left")], trochanter + (hiatus - trochanter) / 3, atol=0.5
    )


def test_cun_scale_matches_stature_over_75():
    result = locate_landmarks(standing_back_view(), IMAGE_SIZE, view="back")
    assert result.cun_px == pytest.approx(1756 / 75, rel=0.03)


@settings(max_examples=40, deadline=None)
@given(
    angle=st.floats(-180, 180),
    scale=st.floats(0.3, 1.0),
    shift=st.tuples(st.floats(-150, 150), st.floats(-150, 150)),
)
def test_points_follow_a_moved_scaled_rotated_body(angle, scale, shift):
    """Away from the picture's edges the points move with the body. (Near the bottom edge they
    may not: BlazePose's hips there are moved as on a whole body, anatomy.hips_as_on_a_whole_body.
    The picture is made roomy so that no move brings the hips near an edge.)"""
    roomy = (2 * IMAGE_SIZE[0], 2 * IMAGE_SIZE[1])
    original = locate_landmarks(standing_back_view(), roomy, view="back")
    moved = locate_landmarks(
        similarity(standing_back_view(), angle, scale, shift), roomy, view="back"
    )
    assert moved.accepted
    before, after = positions(original), positions(moved)
    assert before.keys() == after.keys()
    for key, xy in before.items():
        np.testing.assert_allclose(after[key], transform_xy(xy, angle, scale, shift), atol=1e-6)
    radii = {(p.code, p.side): p.radius_px for p in moved.points}
    for p in original.points:
        assert radii[(p.code, p.side)] == pytest.approx(p.radius_px * scale)


def test_mirrored_image_mirrors_points_and_swaps_sides():
    body = standing_back_view()
    mirrored = body.copy()
    mirrored[:, 0] = IMAGE_SIZE[0] - body[:, 0]
    before = positions(locate_landmarks(body, IMAGE_SIZE, view="back"))
    after = positions(locate_landmarks(mirrored, IMAGE_SIZE, view="back"))
    opposite = {"left": "right", "right": "left", "midline": "midline"}
    for (code, side), xy in before.items():
        np.testing.assert_allclose(after[(code, opposite[side])], [IMAGE_SIZE[0] - xy[0], xy[1]])


def test_mediapipe_side_labels_are_not_trusted():
    body = standing_back_view()
    before = positions(locate_landmarks(body, IMAGE_SIZE, view="back"))
    after = positions(locate_landmarks(swap_labels(body), IMAGE_SIZE, view="back"))
    assert before.keys() == after.keys()
    for key in before:
        np.testing.assert_allclose(after[key], before[key])


def test_swapping_the_facing_swaps_the_receivers_sides():
    body = standing_back_view()
    back = build_anatomy(orient(body, IMAGE_SIZE, "back")).landmarks
    front = build_anatomy(orient(body, IMAGE_SIZE, "front")).landmarks
    for name in ("acromion", "greater_trochanter", "lateral_malleolus", "iliac_crest_top"):
        np.testing.assert_allclose(front[f"{name}_left"].xy, back[f"{name}_right"].xy)
    assert back["acromion_left"].xy[0] < 1200  # receiver's left on the image's left from behind


def test_front_view_omits_back_points_with_the_reason():
    result = locate_landmarks(standing_back_view(), IMAGE_SIZE, view="front")
    assert result.view == "front"
    assert {p.code for p in result.points} == {"CV-6", "KI-27", "LR-3"}  # front points only
    reasons = {o.code: o.reason for o in result.omitted}
    assert "not visible from the front" in reasons["BL-23"]


def test_auto_view_leans_to_back_and_reads_a_face_toward_the_camera():
    body = standing_back_view()
    assert orient(body, IMAGE_SIZE, "auto").facing is Facing.BACK
    facing_us = swap_labels(body)  # MediaPipe labels as for a front view ...
    facing_us[Keypoint.NOSE, 2] = -0.5  # ... and the nose in front of the shoulders
    assert orient(facing_us, IMAGE_SIZE, "auto").facing is Facing.FRONT


def test_invisible_knee_omits_only_that_sides_knee_point():
    body = standing_back_view()
    body[[Keypoint.LEFT_KNEE, Keypoint.LEFT_ANKLE], 3] = 0.1
    result = locate_landmarks(body, IMAGE_SIZE, view="back")
    placed = positions(result)
    reasons = {(o.code, o.side): o.reason for o in result.omitted}
    assert ("BL-40", "right") in placed
    assert "left knee" in reasons[("BL-40", "left")]
    assert "left ankle" in reasons[("BL-60", "left")]
    assert ("BL-23", "left") in placed


def test_chosen_points_only():
    result = locate_landmarks(standing_back_view(), IMAGE_SIZE, view="back", codes=["B23", "gb21"])
    assert {p.code for p in result.points} == {"BL-23", "GB-21"}


def _hips_mid_back(body):
    """BlazePose's failure on photos 01 and 11: hips halfway up the back, knees near them."""
    shoulders = body[[11, 12], 1].mean()
    for hip, knee in ((23, 25), (24, 26)):
        body[hip, 1] = (body[hip, 1] + shoulders) / 2
        body[knee, 1] = body[hip, 1] + 20
    return body


def _turned_sideways(body):
    for left, right in ((11, 12), (23, 24)):
        centre = body[[left, right], 0].mean()
        body[[left, right], 0] = centre + (body[[left, right], 0] - centre) * 0.3
    return body


def _shoulders_hidden(body):
    body[[11, 12], 3] = 0.2
    return body


def _tiny(body):
    return similarity(body, scale=0.01)


def _twisted(body):
    body[[23, 24]] = body[[24, 23]]
    return body


def _head_below_shoulders(body):
    body[[0, 7, 8], 1] = body[[11, 12], 1].mean() + 200
    return body


def _collapsed(body):
    body[:, :2] = 500.0
    return body


def _not_a_number(body):
    body[11, 0] = np.nan
    return body


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (_hips_mid_back, "knee"),
        (_turned_sideways, "turned sideways"),
        (_shoulders_hidden, "shoulders"),
        (_tiny, "too small"),
        (_twisted, "twisted"),
        (_head_below_shoulders, "head"),
        (_collapsed, "too small"),
        (_not_a_number, "invalid"),
    ],
)
def test_implausible_poses_place_nothing_and_say_why(damage, reason):
    result = locate_landmarks(damage(standing_back_view()), IMAGE_SIZE, view="back")
    assert not result.accepted and not result.points
    assert any(reason in problem for problem in result.problems), result.problems
    assert all(o.reason == result.problems[0] for o in result.omitted)
    expected = sum(2 if p.bilateral else 1 for p in load_catalog().points)
    assert len(result.omitted) == expected  # every point, on each of its sides


def test_uncertainty_grows_away_from_the_anchors():
    result = locate_landmarks(standing_back_view(), IMAGE_SIZE, view="back")
    anatomy = result.anatomy.landmarks
    assert anatomy["C7"].sd_px < anatomy["T8"].sd_px
    for point in result.points:
        assert point.radius_px > 0 and 0 < point.confidence <= 1
