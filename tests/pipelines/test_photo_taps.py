"""A partner's taps on the 13 shared photos (tests/data/photo_taps.json, placed by hand): with
them every photo gets its back points, whether or not the camera model found the body."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from finder.pipelines.photo import TAPS_OFF_POSE, locate_image, locate_landmarks
from finder.tools.rescue_report import back_points_in_picture, load_taps, run
from tests.photos import DATA, PHOTOS, photo

TAPS_FILE = DATA / "photo_taps.json"
SHARED_TAPS = load_taps(TAPS_FILE)
NAMES = sorted(path.name for path in PHOTOS.glob("*.jpg"))


@pytest.fixture(scope="module")
def tapped_results():
    return {name: locate_image(PHOTOS / name, taps=SHARED_TAPS[name]) for name in NAMES}


def test_every_shared_photo_has_taps_inside_it():
    assert sorted(SHARED_TAPS) == NAMES
    for name, taps in SHARED_TAPS.items():
        height, width = cv2.imread(str(PHOTOS / name)).shape[:2]
        assert len(taps.image_xy) >= 2, name
        for x, y in taps.image_xy.values():
            assert 0 <= x < width and 0 <= y < height, name


@pytest.mark.model
@pytest.mark.shared
@pytest.mark.parametrize("name", NAMES)
def test_with_taps_every_shared_photo_gets_its_back_points(tapped_results, name):
    result = tapped_results[name]
    assert result.accepted, result.problems
    placed = {point.split()[0] for point in back_points_in_picture(result)}
    taps = SHARED_TAPS[name].image_xy
    assert len(placed) >= 5
    if "C7" in taps or "acromion_left" in taps:
        assert {"GV-14", "BL-15", "BL-43"} <= placed  # the upper back
    if "iliac_crest_top_left" in taps or "iliac_crest_top_right" in taps:
        assert {"BL-23", "GV-4"} <= placed  # the lower back
    cun = result.anatomy.frame.cun_px
    for landmark, xy in taps.items():  # where the finger was; C7 weighed against the spine too
        gap = np.hypot(*(result.anatomy.landmarks[landmark].xy - xy))
        assert gap < (0.5 * cun if landmark == "C7" else 1e-6), landmark


@pytest.mark.model
@pytest.mark.shared
def test_taps_alone_agree_with_the_pose_on_the_photo_it_reads():
    """Photo 13: the points from the hand-placed taps alone (no pose) against the pose's."""
    path = photo("13")
    from_pose = locate_image(path)
    height, width = cv2.imread(str(path)).shape[:2]
    from_taps = locate_landmarks(None, (width, height), taps=SHARED_TAPS[path.name])
    truth = {(p.code, p.side): np.array(p.xy) for p in from_pose.points}
    cun = from_pose.anatomy.frame.cun_px
    gaps = [
        np.hypot(*(np.array(p.xy) - truth[(p.code, p.side)])) / cun
        for p in from_taps.points
        if (p.code, p.side) in truth
    ]
    assert len(gaps) >= 20
    assert np.median(gaps) < 1.0  # within one B-cun of where the pose puts them


@pytest.mark.model
@pytest.mark.shared
def test_taps_on_a_body_the_pose_did_not_find_set_the_pose_aside(tapped_results):
    """Photo 04: the camera model finds the therapist facing the camera; the partner's taps
    mark the receiver lying in front of her, so the points follow the taps alone."""
    result = tapped_results[photo("04").name]
    assert result.basis == "taps" and TAPS_OFF_POSE in result.notes
    assert "GB-21" in {point.split()[0] for point in back_points_in_picture(result)}


@pytest.mark.model
@pytest.mark.shared
def test_rescue_report_counts_the_back_points_the_taps_give():
    names = [photo("07"), photo("13")]
    report = run(names, {}, taps={path.name: SHARED_TAPS[path.name] for path in names})
    assert "| 07 | no person |" in report and "taps: 9 back points" in report
    assert "pose and taps: 25 back points" in report
    assert "2 of 2 get back points" in report


def test_a_malformed_taps_file_names_the_entry(tmp_path):
    bad = tmp_path / "taps.json"
    bad.write_text('{"photos": {"a.jpg": {"taps": {"T4": [1, 2]}}}}')
    with pytest.raises(ValueError, match="cannot tap T4"):
        load_taps(bad)
    bad.write_text('{"photos": []}')
    with pytest.raises(ValueError, match="expected"):
        load_taps(bad)
