"""MoveNet MultiPose: its output pinned on fixed inputs, and its keypoints in the finder's pose."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from finder.adapters.imageio import read_image
from finder.adapters.movenet import (
    COCO_KEYPOINTS,
    HIP_SEEN_SCORE,
    SEEN_SCORE,
    STAND_INS,
    MoveNet,
    from_movenet,
    prepare,
)
from finder.body.landmarks import Keypoint
from finder.body.pose import Detector
from finder.body.view import VISIBLE
from tests.photos import DATA, photo

PINNED = json.loads((DATA / "movenet_pinned.json").read_text())


@pytest.fixture(scope="module")
def movenet():
    return MoveNet()


def coco(scores: float = 0.6) -> np.ndarray:
    """17 keypoints on a small upright back: x, y px, score."""
    rng = np.random.default_rng(0)
    return np.column_stack([rng.uniform(100, 500, (17, 2)), np.full(17, scores)])


def test_coco_keypoints_land_on_their_blazepose_places():
    keypoints = coco()
    pose = from_movenet(keypoints)
    assert pose.detector is Detector.MOVENET
    for index, keypoint in enumerate(COCO_KEYPOINTS):
        assert pose.landmarks[keypoint, :2].tolist() == keypoints[index, :2].tolist()
    for missing, stand_in in STAND_INS.items():
        assert pose.landmarks[missing, 3] == 0.0
        assert pose.landmarks[missing, :2].tolist() == pose.landmarks[stand_in, :2].tolist()
    assert len(STAND_INS) + len(COCO_KEYPOINTS) == len(Keypoint)


def test_scores_become_visibility_at_the_seen_thresholds():
    keypoints = coco()
    keypoints[:, 2] = SEEN_SCORE
    hips = [COCO_KEYPOINTS.index(Keypoint.LEFT_HIP), COCO_KEYPOINTS.index(Keypoint.RIGHT_HIP)]
    keypoints[hips, 2] = HIP_SEEN_SCORE
    pose = from_movenet(keypoints)
    assert np.allclose(pose.landmarks[list(COCO_KEYPOINTS), 3], VISIBLE)
    keypoints[:, 2] = 1.0
    assert from_movenet(keypoints).landmarks[:, 3].max() == 1.0  # clipped


def test_wrong_shape_is_refused():
    with pytest.raises(ValueError, match=r"\(17, 3\)"):
        from_movenet(np.zeros((33, 3)))


@pytest.mark.parametrize(("height", "width"), [(1600, 1067), (31000, 3200), (20, 20000)])
def test_the_input_is_small_whatever_the_photo(height, width):
    tensor, scale = prepare(np.zeros((height, width, 3), np.uint8))
    assert tensor.dtype == np.int32 and max(tensor.shape[1:3]) == 256
    assert tensor.shape[1] % 32 == 0 and tensor.shape[2] % 32 == 0 and np.all(scale > 0)


@pytest.mark.model
def test_a_blank_picture_has_nobody(movenet):
    assert movenet.detect(np.full((480, 640, 3), 128, np.uint8)) == ()


@pytest.mark.model
@pytest.mark.shared
@pytest.mark.parametrize("name", sorted(PINNED["photos"]))
def test_output_is_pinned_on_shared_photos(movenet, name):
    expected = PINNED["photos"][name]
    rgb = cv2.cvtColor(read_image(photo(name[:2])), cv2.COLOR_BGR2RGB)
    best = movenet.detect(rgb, 0.0)[0]
    assert best.score == pytest.approx(expected["score"], abs=PINNED["tolerance_score"])
    assert np.allclose(best.box, expected["box_xywh"], atol=PINNED["tolerance_px"])
    keypoints = np.array(expected["keypoints_xy_score"])
    got = best.pose.landmarks[list(COCO_KEYPOINTS)]
    assert np.allclose(got[:, :2], keypoints[:, :2], atol=PINNED["tolerance_px"])
    visibility = from_movenet(keypoints).landmarks[list(COCO_KEYPOINTS), 3]
    assert np.allclose(visibility, got[:, 3], atol=0.05)
