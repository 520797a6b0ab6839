"""The command line under abuse: colliding output names, outputs that cannot be written, point
lists and codes typed wrong, a bug or a dying worker on one photo of a batch, special files, and
stderr holding only the finder's own lines. Pathological sizes: tests/cli/test_big_pictures.py."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from finder import cli
from finder.body.fit import FitError, Taps
from finder.cli import Outcome, output_stems, parse_points
from finder.pipelines.photo import locate_landmarks
from finder.pipelines.search import BoxError, receiver_box
from tests.cli.test_cli import finder

SAMPLE = Path(cli.__file__).parent / "samples" / "full-back-standing.jpg"


def read_only_place(tmp_path: Path) -> Path:
    """A folder nobody may create anything in: /sys for root (who ignores permissions)."""
    if os.geteuid() == 0:
        return Path("/sys/finder-test-out")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    return locked / "out"


# -- output names ----------------------------------------------------------------------------


def test_output_names_never_collide_and_do_not_depend_on_the_run():
    paths = [Path("in/a.jpg"), Path("in/a.png"), Path("in/a_2.jpg"), Path("in/A.tif")]
    stems = output_stems(paths)
    assert stems == ["a", "a_3", "a_2", "A_4"]
    assert len({stem.casefold() for stem in stems}) == len(paths)  # case-insensitive disks too
    assert output_stems(paths) == stems


@pytest.mark.model
def test_three_inputs_sharing_a_name_give_three_results(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    grey = np.full((64, 64, 3), 128, np.uint8)
    for name in ("a.jpg", "a.png", "a_2.jpg"):
        cv2.imwrite(str(folder / name), grey)
    out = tmp_path / "out"
    assert cli.main(["annotate", str(folder), "--out", str(out), "--jobs", "1"]) == 2  # nobody
    assert sorted(p.name for p in out.glob("*.json")) == ["a.json", "a_2.json", "a_3.json"]


# -- outputs that cannot be written ----------------------------------------------------------


def test_out_naming_a_file_or_a_read_only_place_is_one_line_and_exit_2(tmp_path, capsys):
    a_file = tmp_path / "results.txt"
    a_file.write_text("")
    for out, message in (
        (a_file, "is a file, not a folder"),
        (read_only_place(tmp_path), "cannot create the folder"),
    ):
        assert cli.main(["annotate", str(SAMPLE), "--out", str(out)]) == 2
        (line,) = capsys.readouterr().err.splitlines()
        assert line.startswith(f"finder: --out {out}: ") and message in line


@pytest.mark.model
def test_a_picture_that_cannot_be_written_is_an_error_for_that_image(tmp_path, capsys):
    out = tmp_path / "out"
    (out / "back.png").mkdir(parents=True)  # a folder where the drawing should go
    (tmp_path / "back.jpg").write_bytes(SAMPLE.read_bytes())
    (tmp_path / "other.jpg").write_bytes(SAMPLE.read_bytes())
    inputs = [str(tmp_path / "back.jpg"), str(tmp_path / "other.jpg")]
    code = cli.main(["annotate", *inputs, "--out", str(out), "--jobs", "1", "--points", "BL-23"])
    assert code == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("finder:")]
    assert lines == [
        f"finder: {tmp_path / 'back.jpg'}: cannot write {out / 'back.png'} (Is a directory)"
    ]
    assert json.loads((out / "other.json").read_text())["points"]


# -- one photo's failure is one line ---------------------------------------------------------


@pytest.mark.model
def test_an_unexpected_error_on_one_photo_is_one_line_and_the_rest_is_done(
    tmp_path, monkeypatch, capsys
):
    for name in ("bad.jpg", "good.jpg"):
        (tmp_path / name).write_bytes(SAMPLE.read_bytes())
    bad = np.zeros((40, 40, 3), np.uint8)
    real_read, real_locate = cli.read_image, cli.locate_image

    def locate(bgr, **kwargs):
        if bgr is bad:
            raise RuntimeError("a bug\nover two lines")
        return real_locate(bgr, **kwargs)

    monkeypatch.setattr(cli, "read_image", lambda p: bad if p.stem == "bad" else real_read(p))
    monkeypatch.setattr(cli, "locate_image", locate)
    out = tmp_path / "out"
    assert cli.main(["annotate", str(tmp_path), "--out", str(out), "--jobs", "1"]) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("finder:")]
    assert lines == [
        f"finder: {tmp_path / 'bad.jpg'}: internal error (RuntimeError: a bug over two lines)"
    ]
    assert (out / "good.json").exists() and not (out / "bad.json").exists()


def test_a_worker_that_dies_costs_its_photo_only(tmp_path, monkeypatch):
    """A worker killed on one photo (out of memory, a crash in native code): that photo's
    outcome says so; the photos the dead worker had not finished are done again elsewhere."""

    def annotate(source, *rest):
        if source.name == "crash.jpg":
            os._exit(9)
        return Outcome(source, True, "points placed")

    monkeypatch.setattr(cli, "annotate_one", annotate)  # forked workers inherit it
    names = ["a.jpg", "crash.jpg", "b.jpg", "c.jpg", "d.jpg"]
    jobs = [
        (tmp_path / name, Path(name).stem, tmp_path, "auto", None, None, True) for name in names
    ]
    outcomes = cli.run_jobs(jobs, 2, cli.Progress(len(jobs)))
    assert [o.source.name for o in outcomes] == names
    assert [o.ok for o in outcomes] == [True, False, True, True, True]
    assert outcomes[1].message == cli.WORKER_DIED


# -- points and codes ------------------------------------------------------------------------


def test_points_given_twice_are_placed_once():
    assert parse_points("BL-23,B23,BL-23, ub 23") == ["BL-23"]
    assert parse_points("GB-21,BL-23,gb21") == ["GB-21", "BL-23"]


@pytest.mark.parametrize("text", ["", ",,,", " , "])
def test_an_empty_point_list_is_a_usage_error(text, tmp_path, capsys):
    assert cli.main(["annotate", str(SAMPLE), "--out", str(tmp_path), "--points", text]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "no point codes given" in line
    assert not list(tmp_path.iterdir())


def test_a_huge_code_is_not_echoed_back(capsys):
    code = "B" * 100_000
    assert cli.main(["info", code]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert len(line) < 200 and "100000 characters" in line
    assert cli.main(["annotate", str(SAMPLE), "--out", "/tmp", "--points", f"BL-23,{code}"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert len(line) < 200


# -- special files ---------------------------------------------------------------------------


@pytest.mark.model
def test_special_files_named_jpg_are_refused_quickly_and_the_rest_is_done(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "zero.jpg").symlink_to("/dev/zero")
    os.mkfifo(folder / "pipe.jpg")
    out = tmp_path / "out"
    run = finder("annotate", str(folder), str(SAMPLE), "--out", str(out), "--points", "BL-23")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    lines = [line for line in run.stderr.splitlines() if line.startswith("finder:")]
    assert sorted(lines) == [
        f"finder: {folder / 'pipe.jpg'}: cannot read the file (not a regular file (a FIFO))",
        f"finder: {folder / 'zero.jpg'}: cannot read the file (not a regular file (a device))",
    ]
    assert json.loads((out / "full-back-standing.json").read_text())["points"]


# -- stderr and start-up ---------------------------------------------------------------------


@pytest.mark.model
def test_annotate_prints_only_its_own_lines_on_stderr(tmp_path):
    (tmp_path / "nobody.jpg").write_bytes(b"")
    run = finder("annotate", str(SAMPLE), str(tmp_path / "nobody.jpg"), "--out", str(tmp_path))
    lines = run.stderr.splitlines()
    assert lines, "expected the empty file's line"
    own = [line for line in lines if line.startswith(("finder: ", "[", "\r["))]
    assert own == lines, lines  # no TensorFlow Lite, absl or MediaPipe log lines


@pytest.mark.model
def test_the_pose_model_loads_without_matplotlib_or_sounddevice():
    code = (
        "import sys\n"
        "from finder.pipelines.photo import locate_image\n"
        f"assert locate_image({str(SAMPLE)!r}).points\n"
        "print(sorted(m for m in ('matplotlib', 'sounddevice') if m in sys.modules))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "[]"


# -- the Python API raises its documented errors ---------------------------------------------


def test_codes_given_as_one_string_are_a_type_error():
    with pytest.raises(TypeError, match=r"codes must be a list of point codes, e.g. \['BL-23'\]"):
        locate_landmarks(None, (300, 400), codes="BL-23")


@pytest.mark.parametrize("size", [(math.inf, 400), (300, math.nan), (0, 400), ("wide", 400)])
def test_an_image_size_that_is_not_whole_pixels_is_a_value_error(size):
    with pytest.raises(ValueError, match="image_size must be"):
        locate_landmarks(None, size)


@pytest.mark.parametrize("value", [math.inf, math.nan, "ten"])
def test_a_box_of_non_finite_numbers_is_a_box_error(value):
    with pytest.raises(BoxError, match="must be four whole numbers of pixels"):
        receiver_box((0, 0, value, value), (300, 400))
    assert receiver_box((0, 0, 1e300, 1e300), (300, 400)) == (0, 0, 300, 400)  # huge: clipped


@pytest.mark.parametrize("value", [1e300, -1e12, 5_000.0])
def test_a_tap_far_outside_the_picture_is_a_fit_error(value):
    taps = Taps({"C7": (150.0, 40.0), "iliac_crest_top_left": (100.0, value)})
    with pytest.raises(
        FitError, match=r"iliac_crest_top_left mark .* lies far outside the picture"
    ):
        locate_landmarks(None, (300, 400), taps=taps)
