"""The `finder` command as a user runs it: files written, exit codes, messages on bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.photos import photo


def finder(*args: str) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("finder")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "finder.cli"]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """A folder with one good photo and every kind of bad input, annotated in one run."""
    folder = tmp_path_factory.mktemp("inputs")
    shutil.copy(photo("13"), folder / "good.jpg")
    (folder / "text.jpg").write_text("these are my notes, not a photo\n")
    data = photo("13").read_bytes()
    (folder / "truncated.jpg").write_bytes(data[: len(data) // 2])
    (folder / "empty.jpg").write_bytes(b"")
    cv2.imwrite(str(folder / "one-pixel.png"), np.zeros((1, 1, 3), np.uint8))
    cv2.imwrite(str(folder / "huge.png"), np.zeros((10500, 10000), np.uint8))
    noise = np.random.default_rng(0).integers(0, 255, (480, 640, 3), dtype=np.uint8)
    cv2.imwrite(str(folder / "no-person.png"), cv2.GaussianBlur(noise, (31, 31), 0))
    out = tmp_path_factory.mktemp("out")
    return folder, out, finder("annotate", str(folder), "--out", str(out))


@pytest.mark.shared
def test_batch_goes_on_past_bad_files_and_exits_2(batch):
    _, out, run = batch
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert (out / "good.png").exists() and (out / "good.json").exists()
    result = json.loads((out / "good.json").read_text())
    assert result["accepted"] and result["points"]


@pytest.mark.shared
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("text.jpg", "not an image"),
        ("truncated.jpg", "truncated or corrupt"),
        ("empty.jpg", "empty file"),
        ("one-pixel.png", "too small"),
        ("huge.png", "too large"),
        ("no-person.png", "found no body in the picture"),
    ],
)
def test_each_bad_input_gets_one_line_naming_file_and_problem(batch, name, message):
    _, _, run = batch
    lines = [line for line in run.stderr.splitlines() if line.startswith("finder: ")]
    (line,) = [line for line in lines if f"{name}:" in line]
    assert message in line


@pytest.mark.shared
def test_json_holds_what_the_readme_promises(batch):
    _, out, _ = batch
    result = json.loads((out / "good.json").read_text())
    for key in ("width", "height", "view", "cun_px", "anatomy", "points", "omitted"):
        assert key in result
    names = {
        "C7",
        "S2",
        "iliac_crest",
        "sacral_hiatus",
        "acromion_left",
        "acromion_right",
        "greater_trochanter_left",
        "popliteal_crease_right",
        "lateral_malleolus_right",
        "scapula_inferior_angle_left",
        *(f"T{i}" for i in range(1, 13)),
        *(f"L{i}" for i in range(1, 6)),
    }
    assert names <= result["anatomy"].keys()
    assert set(result["anatomy"]["C7"]) == {"x", "y", "sd_px"}
    point = result["points"][0]
    assert set(point) == {"code", "side", "x", "y", "radius_px", "confidence", "uncertainty_cm"}
    assert {p["side"] for p in result["points"]} <= {"left", "right", "midline"}
    assert all(set(o) == {"code", "side", "reason"} for o in result["omitted"])


@pytest.mark.model
def test_chosen_points_only(tmp_path):
    run = finder("annotate", str(photo("13")), "--out", str(tmp_path), "--points", "B23,gb 21")
    assert run.returncode == 0, run.stderr
    (written,) = tmp_path.glob("*.json")
    assert {p["code"] for p in json.loads(written.read_text())["points"]} == {"BL-23", "GB-21"}


def test_unknown_point_and_missing_file_are_usage_errors(tmp_path):
    run = finder("annotate", str(photo("13")), "--out", str(tmp_path), "--points", "BL-99")
    assert run.returncode == 2 and "BL-99" in run.stderr and "Traceback" not in run.stderr
    run = finder("annotate", str(tmp_path / "nope.jpg"), "--out", str(tmp_path))
    assert run.returncode == 2 and "nope.jpg: file not found" in run.stderr


def test_points_lists_the_catalog():
    run = finder("points")
    assert run.returncode == 0
    header, *rows = run.stdout.splitlines()
    assert header.split()[:3] == ["Code", "Pinyin", "English"]
    codes = [line.split()[0] for line in rows]
    assert len(codes) == 24 and "BL-23" in codes and "CV-6" in codes


def test_info_accepts_any_alias():
    run = finder("info", "B47")
    assert run.returncode == 0
    assert run.stdout.startswith("BL-52") and "How to press" in run.stdout
    run = finder("info", "Shoulder Well")
    assert "GB-21" in run.stdout and "Pregnancy: avoid" in run.stdout


def test_info_finds_what_the_apps_library_finds():
    """One search for both: "kidney" names BL-23 (Kidney Transporter) and KI-27 (Kidney 27);
    a single time reads "30 s", not "30-30 s"."""
    run = finder("info", "kidney")
    assert run.returncode == 0 and run.stdout.startswith("2 points match 'kidney'")
    assert "BL-23 Shenshu" in run.stdout and "KI-27" in run.stdout
    run = finder("info", "BL-40")
    assert "(30 s)" in run.stdout and "30-30" not in run.stdout


def test_info_unknown_code_suggests(tmp_path):
    run = finder("info", "BL-2x")
    assert run.returncode == 2 and "Traceback" not in run.stderr and "BL-2" in run.stderr
