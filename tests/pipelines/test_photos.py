"""Real back photos through the real BlazePose model (the bundled, offline one)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from finder import locate_image
from finder.adapters.imageio import read_image
from finder.body.fit import Taps
from finder.body.landmarks import Keypoint
from finder.tools.rescue_report import load_taps
from tests.photos import DATA, photo

SHARED_TAPS = load_taps(DATA / "photo_taps.json")
pytestmark = [pytest.mark.model, pytest.mark.shared]

FULL_BODY = "13"


@pytest.fixture(scope="module")
def full_body():
    return locate_image(photo(FULL_BODY))


def by_key(result):
    return {(p.code, p.side): np.array(p.xy) for p in result.points}


def test_full_body_back_view_is_accepted_and_points_sit_on_the_back(full_body):
    assert full_body.accepted and full_body.view == "back"
    placed = by_key(full_body)
    keypoints = full_body.keypoints
    shoulders_x = sorted(keypoints[[Keypoint.LEFT_SHOULDER, Keypoint.RIGHT_SHOULDER], 0])
    # Back points lie across the back, between the shoulders' x, and inside the picture.
    for code in ("BL-23", "BL-43", "GV-9", "BL-15", "GB-21"):
        for (placed_code, _), xy in placed.items():
            if placed_code == code:
                assert shoulders_x[0] - 5 <= xy[0] <= shoulders_x[1] + 5, (code, xy)
    for xy in placed.values():
        assert 0 <= xy[0] < full_body.width and 0 <= xy[1] < full_body.height
    # GB-21 on top of the shoulders: above the shoulder keypoints, below C7's neck level.
    shoulder_y = keypoints[[Keypoint.LEFT_SHOULDER, Keypoint.RIGHT_SHOULDER], 1].mean()
    for side in ("left", "right"):
        assert placed[("GB-21", side)][1] < shoulder_y
    # BL-40 behind the knee: just below the visible knee keypoint, within two cun.
    knee = keypoints[Keypoint.RIGHT_KNEE, :2]
    crease = placed[("BL-40", "right")]
    assert 0 < crease[1] - knee[1] < 2 * full_body.cun_px
    assert abs(crease[0] - knee[0]) < full_body.cun_px
    # BL-23 (waist) lies between the shoulders and the hips along the body.
    hips_y = keypoints[[Keypoint.LEFT_HIP, Keypoint.RIGHT_HIP], 1].mean()
    assert shoulder_y < placed[("BL-23", "left")][1] < hips_y


# What the finder makes of each shared photo (../shared/data/photos/SOURCES.md, LANDMARKS.md):
# points only on the receiver's back; every refusal says what was seen and the next step.
THREE_TAPS = "tap C7 and the two hip-bone tops"
ARMS_UP = "tap C7 and the two hip-bone tops (the shoulder tops instead when the hips are cut off)"
EXPECTED = {
    "01": THREE_TAPS,  # face down, seen from above: BlazePose's hips mid-back, knees above them
    "02": THREE_TAPS,  # face down under hot stones
    "03": THREE_TAPS,  # face down, therapist's arms mixed with the client's head
    "04": THREE_TAPS,  # the standing therapist faces the camera: no points on her
    "05": THREE_TAPS,
    "06": THREE_TAPS,
    "07": THREE_TAPS,  # lumbar close-up between the therapist's hands
    "08": THREE_TAPS,  # cupping close-up: only MoveNet (in a black frame) sees a body lying across
    "09": "back",  # MoveNet: the seated man's shoulders, no hips
    "10": "back",  # MoveNet: the upper back in a sports bra
    "11": ARMS_UP,  # arms raised overhead: the shoulders ride up with them
    "12": ARMS_UP,  # a barbell on the shoulders, the hands out at shoulder height
    "13": "back",  # BlazePose, upright
    "14": THREE_TAPS,  # face down, shoulder massage close-up
}
FACE_DOWN = ("01", "02", "03", "04", "05", "06", "07", "08", "14")
SAID_LYING = ("06",)
"""The face-down photos told "lying face down": both camera models see one trunk lying across
the picture (`finder.pipelines.search._lying_alike`); on the others one model alone, or
neither, does, as on crops of standing backs, and the three taps come with "no back the finder
can trust"."""


@pytest.fixture(scope="module")
def results():
    return {prefix: locate_image(photo(prefix)) for prefix in EXPECTED}


@pytest.mark.parametrize(("prefix", "expected"), sorted(EXPECTED.items()))
def test_points_are_drawn_only_on_the_receivers_back(results, prefix, expected):
    result = results[prefix]
    if expected == "back":
        assert result.accepted and result.view == "back" and result.points, result.summary()
        assert not result.notes  # nobody else in view
    else:
        assert not result.accepted and not result.points
        assert expected in result.summary(), result.summary()
        assert "knee was found" not in result.summary() and "front" not in result.summary()


@pytest.mark.parametrize("prefix", [p for p in FACE_DOWN if EXPECTED[p] == THREE_TAPS])
def test_face_down_photos_go_straight_to_the_taps_and_the_taps_place_the_back(results, prefix):
    """The refusal names the three taps; the partner's taps on the photo (tests/data) then place
    the back points."""
    assert THREE_TAPS in results[prefix].problems[0]
    tapped = locate_image(photo(prefix), taps=SHARED_TAPS[photo(prefix).name])
    assert tapped.accepted and tapped.basis == "taps"
    assert {p.code for p in tapped.points} & {"BL-23", "GV-14", "BL-13", "GB-21"}


@pytest.mark.parametrize("prefix", FACE_DOWN)
def test_a_face_down_photo_and_its_mirror_image_get_the_same_sentence(results, prefix):
    """The same scene mirrored is the same answer; "lying face down" only on SAID_LYING."""
    mirrored = locate_image(np.ascontiguousarray(read_image(photo(prefix))[:, ::-1]))
    assert mirrored.problems == results[prefix].problems
    assert ("lying face down" in mirrored.problems[0]) == (prefix in SAID_LYING)


RAISED_ARMS_TAPS = {
    "11": ("C7", "iliac_crest_top_left", "iliac_crest_top_right"),
    "12": ("C7", "acromion_left", "acromion_right"),  # the hip-bone tops are below the picture
}


@pytest.mark.parametrize("prefix", sorted(RAISED_ARMS_TAPS))
def test_raised_arms_photos_name_the_taps_and_those_taps_alone_place_the_back(results, prefix):
    """11 (arms over the head) and 12 (a barbell) are refused: the raised arms move the shoulders
    and no hips anchor the back. The taps the refusal names, taken from the partner's recorded
    taps (tests/data), place the back: from C7 and the hip-bone tops on 11, C7 and the shoulder
    tops on 12."""
    assert "the arms are raised" in results[prefix].problems[0]
    recorded = SHARED_TAPS[photo(prefix).name].image_xy
    taps = Taps({name: recorded[name] for name in RAISED_ARMS_TAPS[prefix]})
    tapped = locate_image(photo(prefix), taps=taps)
    assert tapped.accepted and tapped.basis == "taps", tapped.summary()
    codes = {p.code for p in tapped.points}
    assert {"GV-14", "BL-15", "BL-43"} <= codes  # the upper back from C7
    if "iliac_crest_top_left" in taps.image_xy:
        assert {"BL-23", "GV-4"} <= codes  # the lower back from the hip-bone tops


def test_large_photo_is_reported_in_original_pixels(full_body):
    bgr = read_image(photo(FULL_BODY))
    big = cv2.resize(bgr, None, fx=3, fy=3, interpolation=cv2.INTER_CUBIC)
    result = locate_image(big)
    assert (result.width, result.height) == (bgr.shape[1] * 3, bgr.shape[0] * 3)
    small, large = by_key(full_body), by_key(result)
    assert small.keys() == large.keys()
    for key, xy in small.items():
        # Same model input after downscaling: positions scale by 3 (within resampling noise).
        assert np.linalg.norm(large[key] - 3 * xy) < 0.5 * result.cun_px, key
