"""Time each pipeline stage on photos (decoding, pose, anatomy + points, drawing), and the whole
photo path against bare pose (decode + one still-mode BlazePose pass), alternately in one
process: the median ratio on accepted photos and the worst on refused ones."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from finder.adapters.imageio import ImageError, read_image
from finder.pipelines.photo import (
    locate_found,
    locate_landmarks,
    search_photo,
    shared_still_estimator,
)
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


def versus_bare(path: Path, repeats: int) -> tuple[float, float, bool, int]:
    """(bare ms, whole ms, accepted, model passes) on one photo: medians over `repeats`
    alternating runs of bare pose (decode + one still pass) and `locate_image`."""
    estimator = shared_still_estimator()
    bare, whole = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        estimator.detect_pose(cv2.cvtColor(read_image(path), cv2.COLOR_BGR2RGB))
        t1 = time.perf_counter()
        bgr = read_image(path)
        search = search_photo(bgr, estimator)
        result = locate_found(search.found, (bgr.shape[1], bgr.shape[0]), remarks=search.remarks)
        t2 = time.perf_counter()
        bare.append(t1 - t0)
        whole.append(t2 - t1)
    return (
        1000 * float(np.median(bare)),
        1000 * float(np.median(whole)),
        result.accepted,
        (search.found.passes),
    )


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
    return "\n".join([*lines, "", *_against_bare(paths, repeats)]) + (
        f"\n\nMedian of {repeats} runs per photo; 'beyond pose' is the share of anatomy, points "
        "and drawing in pose + anatomy + points + drawing (decoding is shown apart). 'x bare' is "
        "the whole photo path (locate_image: search, remarks, points) over decode + one bare "
        "pose pass, run alternately."
    )


def _against_bare(paths: Sequence[Path], repeats: int) -> list[str]:
    lines = [
        "| photo | bare (ms) | whole (ms) | x bare | accepted | model passes |",
        "|---|---:|---:|---:|---|---:|",
    ]
    accepted, refused = [], []
    for path in paths:
        try:
            bare, whole, ok, passes = versus_bare(path, repeats)
        except ImageError:
            continue
        (accepted if ok else refused).append(whole / bare)
        lines.append(
            f"| {path.name[:40]} | {bare:.0f} | {whole:.0f} | {whole / bare:.2f} | "
            f"{'yes' if ok else 'no'} | {passes} |"
        )
    median = f"{np.median(accepted):.2f}x" if accepted else "none accepted"
    worst = f"{max(refused):.2f}x" if refused else "none refused"
    return [
        *lines,
        "",
        f"Accepted photos: median {median} bare pose ({len(accepted)} photos). "
        f"Refused photos: worst {worst} bare pose ({len(refused)} photos).",
    ]


def _beyond_pose(timings: dict[str, float]) -> float:
    ours = timings["anatomy+points"] + timings["draw"]
    return ours / max(ours + timings["pose"], 1e-9)
