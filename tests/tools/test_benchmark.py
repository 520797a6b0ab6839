"""`finder benchmark`: the figures issue 15 asks for, on real photos."""

from __future__ import annotations

import re

import pytest
from PIL import Image

from finder.tools.benchmark import LARGE_SIDES_PX, large_copy, run
from tests.photos import photo

pytestmark = [pytest.mark.model, pytest.mark.shared]


def test_large_copy_is_a_12_megapixel_jpeg_in_the_photos_orientation(tmp_path):
    with Image.open(large_copy(photo("13"), tmp_path)) as tall:  # a portrait photo
        assert tall.format == "JPEG" and tall.size == LARGE_SIDES_PX[::-1]
        assert tall.size[0] * tall.size[1] >= 12_000_000
    with Image.open(large_copy(photo("08"), tmp_path)) as wide:  # a landscape one
        assert wide.size == LARGE_SIDES_PX


def test_report_prints_both_ratios_and_the_12_megapixel_times():
    report = run([photo("13"), photo("08")], repeats=1)
    ratios = re.search(
        r"Accepted photos: median (\d+\.\d\d)x bare pose \(1 photos; single runs [\d.]+-[\d.]+x\)\."
        r" Refused photos: worst (\d+\.\d\d)x bare pose \(1 photos",
        report,
    )
    assert ratios, report
    assert all(float(ratio) > 0.5 for ratio in ratios.groups())
    large = re.search(
        r"slowest accepted (\d+\.\d\d) s, slowest refused (\d+\.\d\d) s \(aim: under 1 s\)", report
    )
    assert large, report
    for name in (photo("13").name[:40], photo("08").name[:40]):
        assert report.count(f"| {name} |") == 3  # stages, against bare, 12-megapixel copy
