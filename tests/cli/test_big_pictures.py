"""Small files that decode to big pictures, in a batch with a good photo: the batch finishes,
the good photo's results are written, each bad file gets one line, exit code 2, and no process
of the run grows past 1 GB. `finder annotate DIR --out OUT --jobs 1` under `/usr/bin/time -v`
prints the time and peak memory of each (README, bad input)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from finder import cli

SAMPLE = Path(cli.__file__).parent / "samples" / "full-back-standing.jpg"
PEAK_LIMIT_KB = 1024 * 1024  # 1 GB, as ru_maxrss counts it on Linux (kB)
MEASURED = """
import resource, sys
from finder.cli import main
code = main(sys.argv[1:])
status = open("/proc/self/status").read().split("\\n")
own_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print("peak_kb", max(own_kb, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""  # `finder` with the peak resident memory of its process (and workers) printed last. The
# process's own peak is VmHWM: RUSAGE_SELF's ru_maxrss keeps the peak of the process it was
# started from (Linux carries it across exec), which in a full test run is pytest's own ~2 GB.

PATHOLOGICAL = {
    # file name: (what it holds, the line's message)
    "grey-3200x31000.png": (
        lambda: np.full((31_000, 3_200, 3), 128, np.uint8),
        "the camera model found no body in the picture",
    ),
    "black-32x20000.png": (
        lambda: np.zeros((20_000, 32), np.uint8),
        "image too long and narrow (32x20000 px)",
    ),
    "zeros-9900x10000.png": (
        lambda: np.zeros((10_000, 9_900, 3), np.uint8),
        "the picture is too dark to find the body",
    ),
}


@pytest.mark.model
@pytest.mark.slow
def test_a_batch_with_pictures_that_decode_huge_finishes_within_1_gb(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, (make, _) in PATHOLOGICAL.items():
        assert cv2.imwrite(str(folder / name), make())
        assert (folder / name).stat().st_size < 400_000  # small files, big pictures
    shutil.copy(SAMPLE, folder / "good.jpg")
    out = tmp_path / "out"
    options = ["--out", str(out), "--jobs", "1", "--points", "BL-23"]
    run = subprocess.run(
        [sys.executable, "-c", MEASURED, "annotate", str(folder), *options],
        capture_output=True,
        text=True,
        timeout=600,
    )
    peak_kb = int(run.stdout.split("peak_kb ")[-1])
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr[-3000:]
    lines = [line for line in run.stderr.splitlines() if line.startswith("finder: ")]
    for name, (_, message) in PATHOLOGICAL.items():
        (line,) = [line for line in lines if line.startswith(f"finder: {folder / name}: ")]
        assert message in line
    assert json.loads((out / "good.json").read_text())["points"]
    assert (out / "good.png").stat().st_size > 0
    assert peak_kb < PEAK_LIMIT_KB, f"peak {peak_kb / 1024:.0f} MB"
