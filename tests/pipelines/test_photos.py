"""Real back photos through the real BlazePose model (the bundled, offline one)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from finder import locate_image
from finder.adapters.imageio import read_image
from finder.body.landmarks import Keypoint
from tests.photos import photo

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


# What BlazePose does on each shared photo (../shared/data/photos/SOURCES.md) and what the
# finder must make of it: points only on the one correct pose.
EXPECTED = {
    "01": "rejected",  # hips placed mid-back, knees above them
    "02": "no person",
    "03": "rejected",  # therapist's arms mixed with the client's head
    "04": "front",  # the standing therapist, facing the camera: front points only
    "05": "no person",
    "06": "rejected",  # background person and therapist
    "07": "no person",
    "08": "no person",
    "09": "no person",
    "10": "no person",
    "11": "rejected",  # hips placed mid-back
    "12": "no person",
    "13": "accepted",
}


@pytest.mark.parametrize(("prefix", "expected"), sorted(EXPECTED.items()))
def test_points_are_drawn_only_on_a_checked_body(prefix, expected):
    result = locate_image(photo(prefix))
    outcome = (
        "front"
        if result.accepted and result.view == "front"
        else "accepted"
        if result.points
        else "no person"
        if result.keypoints is None
        else "rejected"
    )
    assert outcome == expected, result.summary()
    if expected == "front":
        assert {p.code for p in result.points} <= {"CV-6", "KI-27", "LR-3"}
    elif expected != "accepted":
        assert not result.points
    assert result.summary()  # a reason a person can read


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
