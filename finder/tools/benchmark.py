"""Time each pipeline stage on photos (decoding, pose, anatomy + points, drawing), the whole
photo path against bare pose (decode + one still-mode BlazePose pass), alternately in one
process: the median ratio on accepted photos and the worst on refused ones, and the whole path
on 12-megapixel copies of the photos (decoding included)."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from finder.adapters.imageio import ImageError, read_image
from finder.pipelines.photo import (
    locate_found,
    locate_image,
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


def versus_bare(path: Path, repeats: int) -> tuple[float, float, bool, int, list[float]]:
    """(bare ms, whole ms, accepted, model passes, each run's whole / bare) on one photo: medians
    over `repeats` alternating runs of bare pose (decode + one still pass) and `locate_image`
    (which goes first alternates too)."""
    estimator = shared_still_estimator()
    bare, whole = [], []

    def bare_pass() -> None:
        estimator.detect_pose(cv2.cvtColor(read_image(path), cv2.COLOR_BGR2RGB))

    def whole_path():
        bgr = read_image(path)
        search = search_photo(bgr, estimator)
        found = search.found
        return locate_found(found, (bgr.shape[1], bgr.shape[0]), remarks=search.remarks), found

    for run in range(repeats):
        for timed in (bare_pass, whole_path) if run % 2 == 0 else (whole_path, bare_pass):
            start = time.perf_counter()
            answer = timed()
            (bare if timed is bare_pass else whole).append(time.perf_counter() - start)
            if timed is whole_path:
                result, found = answer
    return (
        1000 * float(np.median(bare)),
        1000 * float(np.median(whole)),
        result.accepted,
        found.passes,
        [w / b for w, b in zip(whole, bare, strict=True)],
    )


LARGE_SIDES_PX = (4244, 2829)
"""Long and short side of the 12-megapixel copies (12.0 MP, 3:2 like the shared photos)."""


def large_copy(path: Path, folder: Path) -> Path:
    """A 12-megapixel JPEG (LARGE_SIDES_PX, quality 92) of the photo at `path`, upscaled
    (bicubic) in its own orientation, written into `folder`."""
    bgr = read_image(path)
    landscape = bgr.shape[1] >= bgr.shape[0]
    size = LARGE_SIDES_PX if landscape else LARGE_SIDES_PX[::-1]
    large = cv2.resize(bgr, size, interpolation=cv2.INTER_CUBIC)
    copy = folder / f"{path.stem}.jpg"
    cv2.imwrite(str(copy), large, [cv2.IMWRITE_JPEG_QUALITY, 92])
    return copy


def time_large(path: Path, repeats: int) -> tuple[float, bool]:
    """(median seconds, accepted) of `locate_image` on a 12-megapixel copy of the photo, from
    the file (decoding included)."""
    with tempfile.TemporaryDirectory() as folder:
        copy = large_copy(path, Path(folder))
        seconds = []
        for _ in range(repeats):
            start = time.perf_counter()
            result = locate_image(copy)
            seconds.append(time.perf_counter() - start)
    return float(np.median(seconds)), result.accepted


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
    return "\n".join(
        [*lines, "", *_against_bare(paths, repeats), "", *_large_photos(paths, repeats)]
    ) + (
        f"\n\nMedian of {repeats} runs per photo; 'beyond pose' is the share of anatomy, points "
        "and drawing in pose + anatomy + points + drawing (decoding is shown apart). 'x bare' is "
        "the whole photo path (locate_image: search, remarks, points) over decode + one bare "
        "pose pass, run alternately; the spread is the 25th-75th percentile of the single runs' "
        "ratios."
    )


def _against_bare(paths: Sequence[Path], repeats: int) -> list[str]:
    lines = [
        "| photo | bare (ms) | whole (ms) | x bare | accepted | model passes |",
        "|---|---:|---:|---:|---|---:|",
    ]
    accepted, refused = [], []
    runs: dict[bool, list[float]] = {True: [], False: []}
    for path in paths:
        try:
            bare, whole, ok, passes, ratios = versus_bare(path, repeats)
        except ImageError:
            continue
        (accepted if ok else refused).append(whole / bare)
        runs[ok] += ratios
        lines.append(
            f"| {path.name[:40]} | {bare:.0f} | {whole:.0f} | {whole / bare:.2f} | "
            f"{'yes' if ok else 'no'} | {passes} |"
        )
    median = f"{np.median(accepted):.2f}x" if accepted else "none accepted"
    worst = f"{max(refused):.2f}x" if refused else "none refused"
    return [
        *lines,
        "",
        f"Accepted photos: median {median} bare pose ({len(accepted)} photos{_spread(runs[True])})."
        f" Refused photos: worst {worst} bare pose ({len(refused)} photos{_spread(runs[False])}).",
    ]


def _spread(ratios: list[float]) -> str:
    if not ratios:
        return ""
    low, high = np.percentile(ratios, [25, 75])
    return f"; single runs {low:.2f}-{high:.2f}x"


def _large_photos(paths: Sequence[Path], repeats: int) -> list[str]:
    lines = ["| photo, 12-megapixel copy | whole (s) | accepted |", "|---|---:|---|"]
    slowest: dict[bool, float] = {}
    for path in paths:
        try:
            seconds, ok = time_large(path, repeats)
        except ImageError:
            continue
        slowest[ok] = max(slowest.get(ok, 0.0), seconds)
        lines.append(f"| {path.name[:40]} | {seconds:.2f} | {'yes' if ok else 'no'} |")
    width, height = LARGE_SIDES_PX
    found = ", ".join(
        f"slowest {kind} {slowest[ok]:.2f} s"
        for ok, kind in ((True, "accepted"), (False, "refused"))
        if ok in slowest
    )
    return [
        *lines,
        "",
        f"12-megapixel copies ({width}x{height} JPEG, locate_image from the file, decoding "
        f"included): {found or 'none readable'} (aim: under 1 s).",
    ]


def _beyond_pose(timings: dict[str, float]) -> float:
    ours = timings["anatomy+points"] + timings["draw"]
    return ours / max(ours + timings["pose"], 1e-9)
