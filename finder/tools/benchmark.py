"""Time each pipeline stage on photos: decoding, pose, anatomy + points, drawing."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from finder.adapters.imageio import ImageError, read_image
from finder.pipelines.photo import locate_landmarks, shared_still_estimator
from finder.render.overlay import Annotator

STAGES = ("decode", "pose", "anatomy+points", "draw")


def time_photo(path: Path, repeats: int) -> dict[str, float]:
    """Median milliseconds per stage over `repeats` runs on one photo."""
    estimator = shared_still_estimator()
    annotator = Annotator()
    samples: dict[str, list[float]] = {stage: [] for stage in STAGES}
    for _ in range(repeats):
        t0 = time.perf_counter()
        bgr = read_image(path)
        t1 = time.perf_counter()
        landmarks = estimator.detect(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        t2 = time.perf_counter()
        if landmarks is None:
            result = None
        else:
            result = locate_landmarks(landmarks, (bgr.shape[1], bgr.shape[0]))
        t3 = time.perf_counter()
        if result is not None:
            annotator.annotate(bgr, result)
        t4 = time.perf_counter()
        for stage, seconds in zip(STAGES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            samples[stage].append(seconds * 1000)
    return {stage: float(np.median(values)) for stage, values in samples.items()}


def run(paths: Sequence[Path], repeats: int = 3) -> str:
    """The `finder benchmark` report: a Markdown table, one row per photo, and the totals."""
    shared_still_estimator()  # build the model before timing
    lines = [
        "| photo | " + " | ".join(f"{s} (ms)" for s in STAGES) + " | beyond pose |",
        "|---|" + "---|" * (len(STAGES) + 1),
    ]
    totals = dict.fromkeys(STAGES, 0.0)
    for path in paths:
        try:
            timings = time_photo(path, repeats)
        except ImageError as error:
            lines.append(f"| {path.name} | unreadable: {error} |")
            continue
        for stage in STAGES:
            totals[stage] += timings[stage]
        lines.append(
            f"| {path.name[:40]} | "
            + " | ".join(f"{timings[s]:.1f}" for s in STAGES)
            + f" | {_beyond_pose(timings):.1%} |"
        )
    lines.append(
        "| **all** | "
        + " | ".join(f"{totals[s]:.1f}" for s in STAGES)
        + f" | {_beyond_pose(totals):.1%} |"
    )
    return "\n".join(lines) + (
        f"\n\nMedian of {repeats} runs per photo; 'beyond pose' is the share of anatomy, points "
        "and drawing in pose + anatomy + points + drawing (decoding is shown apart)."
    )


def _beyond_pose(timings: dict[str, float]) -> float:
    ours = timings["anatomy+points"] + timings["draw"]
    return ours / max(ours + timings["pose"], 1e-9)
