"""evaluate-photos (pure): truth moving with mirrored and cropped copies; offset tables."""

from __future__ import annotations

import numpy as np
import pytest

from finder.body.pose import Detector
from finder.cli import main
from finder.tools.evaluate_photos import (
    Case,
    Crop,
    DetectorPair,
    Error,
    Mark,
    Offset,
    cropped,
    format_offsets,
    format_pairs,
    mirrored,
    summarise,
)

MARKS = {
    "C7": (500, 400),
    "acromion_left": (400, 420),
    "acromion_right": (600, 420),
    "iliac_crest_top_left": (440, 700),
    "iliac_crest_top_right": (560, 700),
}


def case(box=None) -> Case:
    marks = {name: Mark(np.array(xy, dtype=float), 10.0) for name, xy in MARKS.items()}
    return Case("t", np.zeros((1600, 1000, 3), np.uint8), marks, box)


def test_a_mirrored_case_swaps_the_receivers_sides_and_flips_x():
    flipped = mirrored(case(box=(100, 50, 300, 900)))
    assert flipped.marks["acromion_left"].xy.tolist() == [400, 420]  # was the right one at 600
    assert flipped.marks["iliac_crest_top_right"].xy.tolist() == [560, 700]
    assert flipped.marks["C7"].xy.tolist() == [500, 400]
    assert flipped.box == (600, 50, 300, 900)
    assert mirrored(flipped).marks["acromion_left"].xy.tolist() == [400, 420]


def test_crops_end_below_the_crests_by_acromion_breadths_and_keep_the_crests_in_view():
    for crop in Crop:
        cut = cropped(case(box=(0, 0, 1000, 1600)), crop)
        assert cut.bgr.shape[0] == round(700 + crop.value * 200)
        assert cut.box == (0, 0, 1000, cut.bgr.shape[0])
        assert cut.crests_in_view and cut.crop is crop


def test_marks_below_the_cut_are_dropped_and_cases_without_crests_are_not_cut():
    marks = {**case().marks, "psis_left": Mark(np.array([470.0, 900.0]), 10.0)}
    cut = cropped(Case("t", case().bgr, marks, None), Crop.WAIST)
    assert "psis_left" not in cut.marks and "C7" in cut.marks
    without = {k: v for k, v in case().marks.items() if "crest" not in k}
    assert cropped(Case("t", case().bgr, without, None), Crop.KNEE) is None


def test_a_folder_without_photos_is_one_line_and_exit_code_2(tmp_path, capsys):
    assert main(["evaluate-photos", str(tmp_path / "missing")]) == 2
    assert main(["evaluate-photos", str(tmp_path)]) == 2  # no landmarks.json
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("finder: ") for line in err)


def test_offsets_are_summed_up_per_detector_and_kind_of_picture():
    offsets = [
        Offset("C7 - shoulder kp midpoint", "13", True, Detector.BLAZEPOSE, 3.0, 0.0, 15.0),
        Offset("C7 - shoulder kp midpoint", "13 c", False, Detector.BLAZEPOSE, 4.0, 0.0, 40 / 3),
        Offset("C7 - shoulder kp midpoint", "10", True, Detector.MOVENET, 2.0, 0.0, 20.0),
    ]
    rows = format_offsets(offsets).splitlines()[2:]
    assert [row.split(" | ")[1:4] for row in rows] == [
        ["blazepose", "whole", "1"],
        ["blazepose", "crops", "1"],
        ["blazepose", "all", "2"],
        ["movenet", "whole", "1"],
        ["movenet", "all", "1"],
    ]
    assert "+0.250" in rows[2]  # the median of both BlazePose pictures, in shoulder widths


def test_detector_pairs_leave_unseen_hips_out_of_the_hip_median():
    pairs = [
        DetectorPair("13", True, 0.04, 0.96, 0.18),
        DetectorPair("09", True, 0.02, 0.82, float("nan")),
        DetectorPair("13 c", False, 0.07, 0.93, 0.0),
    ]
    whole, crops, everything = format_pairs(pairs).splitlines()[2:]
    assert whole.startswith("| whole | 2 | +0.030 | 0.890 | +0.180 (n = 1) |")
    assert crops.startswith("| crops | 1 | +0.070 | 0.930 | +0.000 (n = 1) |")
    assert everything.startswith("| all | 3 | +0.040 | 0.930 | +0.090 (n = 2) |")


def test_the_marks_own_uncertainty_is_summed_up_beside_the_errors():
    errors = [Error("C7", "a", 0.3, 0.4, 0.5), Error("C7", "b", -0.1, 0.0, 1.0)]
    (c7,) = [row for row in summarise(errors) if row.landmark == "C7"]
    assert c7.truth_sd == pytest.approx(0.75)
    assert c7.truth_median == pytest.approx(0.75 * 1.1774, abs=1e-3)  # Rayleigh median
    assert c7.median == pytest.approx(0.3) and c7.bias_up == pytest.approx(0.1)
