"""Soak test of the live per-frame path: thousands of frames through one `LiveProcessor`, watching
resident memory and frames per second.

The frames loop a slow pan and zoom over the full-body back photo (`finder.tools.live_benchmark`),
each shifted by a few pixels of hand-held jitter; every `GONE_EVERY` frames the receiver leaves
the picture for `GONE_FRAMES` frames (the tracker loses and finds them again), and the settings
change every `SETTINGS_EVERY` frames as a user would change them (all points, a routine,
mirrored preview), so each window of 1,000 frames sees the same mix. Timestamps advance at
`CAMERA_FPS`. Run with `finder soak --frames 10000`.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from finder.adapters.imageio import read_image
from finder.adapters.pose import PoseEstimator, PoseMode
from finder.body.catalog import load_catalog
from finder.pipelines.live import LiveProcessor
from finder.tools.live_benchmark import CLIP_PHOTO, FRAME_SIZE, pan_zoom_clip

LOOP_FRAMES = 150  # distinct frames of the pan-and-zoom loop
JITTER_PX = 3.0  # largest hand-held shift per frame, in pixels of a 640-wide frame
GONE_EVERY = 500  # frames between the receiver leaving the picture ...
GONE_FRAMES = 20  # ... and coming back after this many frames (longer than the live view holds
# the points of a body lost for a moment, HOLD_FRAMES)
SETTINGS_EVERY = 125  # frames between settings changes
CAMERA_FPS = 30.0  # timestamps advance as from a camera at this rate
WINDOW = 1000  # frames per speed window (first and last)


@dataclass(frozen=True)
class SoakReport:
    """What one soak run measured. Memory in MB (resident set size). Speeds in frames per
    second as 1 / the median wall time of one `LiveProcessor.process` call (frame making
    excluded; the median shrugs off other programs' bursts of load), and the median CPU time
    of one call in ms (all of this process's threads; what other programs do barely moves it)."""

    frames: int
    size: tuple[int, int]  # (width, height) px
    rss_start_mb: float  # after the model is loaded, before the first frame
    rss_warm_mb: float  # after the first window of frames (allocations settled)
    rss_end_mb: float  # after the last frame
    rss_samples_mb: tuple[tuple[int, float], ...]  # (frames done, MB) every window
    fps_first: float  # over the first window
    fps_last: float  # over the last window
    cpu_ms_first: float  # over the first window
    cpu_ms_last: float  # over the last window
    frames_with_points: int
    elapsed_s: float

    @property
    def growth_mb(self) -> float:
        """Memory growth from the end of the first window to the end."""
        return self.rss_end_mb - self.rss_warm_mb


def rss_mb() -> float:
    """This process's resident memory now, in MB (from /proc on Linux; elsewhere the peak so
    far, which can only overstate growth)."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (2**20 if sys.platform == "darwin" else 2**10)


def soak_frames(
    count: int, size: tuple[int, int] = FRAME_SIZE, photo: Path | None = None, seed: int = 0
) -> Iterator[np.ndarray]:
    """`count` BGR frames of `size` (width, height px): the pan-and-zoom loop over the photo,
    each shifted by up to JITTER_PX (scaled to the frame width), with the receiver gone (the
    blurred backdrop alone) for GONE_FRAMES frames out of every GONE_EVERY."""
    width, height = size
    loop = list(pan_zoom_clip(read_image(photo or CLIP_PHOTO), LOOP_FRAMES, size))
    empty = cv2.GaussianBlur(loop[0], (0, 0), width / 20)
    rng = np.random.default_rng(seed)
    reach = JITTER_PX * width / FRAME_SIZE[0]
    for index in range(count):
        if index % GONE_EVERY >= GONE_EVERY - GONE_FRAMES:
            yield empty
            continue
        dx, dy = rng.uniform(-reach, reach, 2)
        shift = np.array([[1.0, 0.0, dx], [0.0, 1.0, dy]])
        yield cv2.warpAffine(
            loop[index % LOOP_FRAMES], shift, (width, height), borderMode=cv2.BORDER_REPLICATE
        )


def settings_schedule() -> list[dict]:
    """The settings cycled through, one `LiveProcessor.configure` call each."""
    catalog = load_catalog()
    return [
        {"codes": None, "mirrored": False, "view": "auto"},
        {"codes": catalog.routine("lower-back").points, "mirrored": False, "view": "back"},
        {"codes": catalog.routines[0].points, "mirrored": True, "view": "auto"},
        {"codes": None, "mirrored": True, "view": "back"},
    ]


def run(frames: int = 10_000, size: tuple[int, int] = FRAME_SIZE, window: int = WINDOW):
    """Feed `frames` frames through one LiveProcessor; a SoakReport of memory and speed."""
    if frames < 2 * window:
        raise ValueError(f"need at least two windows of frames: {frames} < 2 x {window}")
    schedule = settings_schedule()
    live = LiveProcessor(estimator=PoseEstimator(PoseMode.TRACKING))  # loaded before rss_start
    rss_start = rss_mb()
    rss_warm = rss_start
    samples: list[tuple[int, float]] = []
    seconds = np.empty(frames)
    cpu_seconds = np.empty(frames)
    with_points = 0
    started = time.perf_counter()
    for index, frame in enumerate(soak_frames(frames, size)):
        if index % SETTINGS_EVERY == 0:
            live.configure(**schedule[index // SETTINGS_EVERY % len(schedule)])
        start, cpu_start = time.perf_counter(), time.process_time()
        live.process(frame, index / CAMERA_FPS)
        seconds[index] = time.perf_counter() - start
        cpu_seconds[index] = time.process_time() - cpu_start
        with_points += live.status()["points"] > 0
        done = index + 1
        if done % window == 0 or done == frames:
            samples.append((done, rss_mb()))
            if done == window:
                rss_warm = samples[-1][1]
    elapsed = time.perf_counter() - started
    live.close()
    return SoakReport(
        frames=frames,
        size=size,
        rss_start_mb=rss_start,
        rss_warm_mb=rss_warm,
        rss_end_mb=samples[-1][1],
        rss_samples_mb=tuple(samples),
        fps_first=1.0 / float(np.median(seconds[:window])),
        fps_last=1.0 / float(np.median(seconds[-window:])),
        cpu_ms_first=1000.0 * float(np.median(cpu_seconds[:window])),
        cpu_ms_last=1000.0 * float(np.median(cpu_seconds[-window:])),
        frames_with_points=with_points,
        elapsed_s=elapsed,
    )


def format_report(soak: SoakReport, window: int = WINDOW) -> str:
    width, height = soak.size
    series = ", ".join(f"{mb:.0f}" for _, mb in soak.rss_samples_mb)
    return "\n".join(
        [
            f"Soak: {soak.frames} frames of {width}x{height} through LiveProcessor.process "
            f"in {soak.elapsed_s:.0f} s",
            f"frames with points drawn: {soak.frames_with_points} "
            f"({soak.frames_with_points / soak.frames:.0%})",
            f"memory (RSS, MB): {soak.rss_start_mb:.1f} before the first frame, "
            f"{soak.rss_warm_mb:.1f} after {window} frames, {soak.rss_end_mb:.1f} at the end; "
            f"growth after warm-up {soak.growth_mb:+.1f} MB",
            f"memory every {window} frames (MB): {series}",
            f"frames per second (1 / median time per frame): first {window} frames "
            f"{soak.fps_first:.1f}, "
            f"last {window} frames {soak.fps_last:.1f} "
            f"(ratio {soak.fps_last / soak.fps_first:.2f})",
            f"CPU time per frame (median, ms): first {window} frames {soak.cpu_ms_first:.1f}, "
            f"last {window} frames {soak.cpu_ms_last:.1f}",
        ]
    )


def parse_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 640x480, not {text!r}") from None
    if width < 32 or height < 32 or width % 2 or height % 2:
        raise argparse.ArgumentTypeError(f"size must be even and at least 32x32, not {text!r}")
    return width, height


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="finder soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=10_000)
    parser.add_argument("--size", type=parse_size, default=FRAME_SIZE, help="WxH, default 640x480")
    parser.add_argument("--window", type=int, default=WINDOW, help="frames per speed window")
    args = parser.parse_args(argv)
    try:
        soak = run(args.frames, args.size, args.window)
    except ValueError as error:
        parser.error(str(error))
    print(format_report(soak, args.window))
    return 0


if __name__ == "__main__":
    sys.exit(main())
