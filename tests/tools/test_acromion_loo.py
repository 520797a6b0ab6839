"""The acromion's offset left one photo out (finder.tools.acromion_loo): a held-out photo's copies
never reach the fit, a rule per detector falls back to all acromia for a detector it has not
seen, and the README states what the command gives."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from finder.body.model import load_body_model
from finder.body.pose import Detector
from finder.tools.acromion_loo import RULES, Rule, leave_one_photo_out, loo_table
from finder.tools.evaluate_photos import ACROMION_OFFSET, Offset, cases, evaluate_case
from tests.photos import PHOTOS

README = Path(__file__).resolve().parents[2] / "README.md"

PER_DETECTOR = next(r for r in RULES if r.group is not None)


def acromion(case: str, out: float, up: float = 2.0, detector=Detector.MOVENET, width=16.0):
    return Offset(ACROMION_OFFSET, case, True, detector, up, out, width)


def test_a_held_out_photo_is_placed_by_the_offset_fitted_without_its_copies():
    acromia = [
        acromion("09", 0.0),
        acromion("09 mirrored", 0.0),
        acromion("13", 1.0, up=1.0),
        acromion("13 to the knee", 1.0, up=1.0),
    ]
    misses, fitted = leave_one_photo_out(acromia, Rule("one"))
    assert fitted == {"09": 1.0, "13": 0.0}
    assert [(m.photo, m.up_cun, m.out_cun) for m in misses] == [
        ("09", -1.0, 1.0),
        ("09", -1.0, 1.0),
        ("13", 1.0, -1.0),  # placed 1 cun too high and 1 cun inside the mark
        ("13", 1.0, -1.0),
    ]


def test_a_rule_per_detector_fits_each_detector_apart_and_falls_back_to_all():
    acromia = [
        acromion("09", 0.0),
        acromion("10", 1.0, detector=Detector.BLAZEPOSE),
        acromion("13", 2.0),
        acromion("13 mirrored", 4.0, detector=Detector.BLAZEPOSE),
    ]
    _, fitted = leave_one_photo_out(acromia, PER_DETECTOR)
    # without 09 MoveNet's other acromion (13) gives 2.0; without 10 BlazePose's (13 mirrored)
    # 4.0; without 13 each detector's own: MoveNet 0.0, BlazePose 1.0, median 0.5
    assert fitted == {"09": 2.0, "10": 4.0, "13": 0.5}
    _, fallback = leave_one_photo_out(acromia[:3], PER_DETECTOR)
    assert fallback["10"] == 1.0  # no BlazePose acromion left: all of them (0.0 and 2.0)


def test_a_sideways_offset_in_widths_scales_with_the_held_out_shoulders():
    acromia = [acromion("09", 1.6, width=16.0), acromion("13", 0.75, width=15.0)]
    _, fitted = leave_one_photo_out(acromia, Rule("widths", in_widths=True))
    assert fitted == pytest.approx({"09": 0.05 * 16.0, "13": 0.1 * 15.0})


def test_the_in_sample_row_is_the_shipped_offset_on_every_acromion():
    shipped = load_body_model().landmarks["acromion"]
    acromia = [acromion("09", shipped["out_cun"] + 0.3, up=shipped["up_cun"] - 0.4)]
    acromia.append(acromion("10", 0.0))
    table = loo_table(acromia, load_body_model()).split("\n\n")[1].splitlines()
    assert table[2].startswith("| shipped, in sample (fitted on these photos) | - | 2 |")
    on_10 = np.hypot(shipped["up_cun"] - 2.0, shipped["out_cun"])
    assert table[2].endswith(f"| 0.50 / {on_10:.2f} |")


@pytest.mark.model
@pytest.mark.shared
def test_the_readme_states_the_shipped_acromion_offset_left_one_photo_out():
    """The README's out-of-sample acromion row is what `finder evaluate-photos` gives for the
    shipped rule (median and p90, cun)."""
    row = re.search(
        r"\| acromion, left one photo out \(below\) \| (\d+) \| ([\d.]+) \| ([\d.]+) \|",
        README.read_text(encoding="utf-8"),
    )
    assert row, "README: no 'acromion, left one photo out' row"
    offsets = [f for case in cases(PHOTOS) for f in evaluate_case(case).offsets]
    misses, _ = leave_one_photo_out([o for o in offsets if o.name == ACROMION_OFFSET], RULES[0])
    distances = [m.distance_cun for m in misses]
    assert len(misses) == int(row[1])
    assert (np.median(distances), np.percentile(distances, 90)) == pytest.approx(
        (float(row[2]), float(row[3])), abs=0.006
    )
