"""Live-video throughput: the whole per-frame work of `LiveProcessor` against bare pose tracking.

The clip is a slow pan and zoom over the full-body back photo (shared photo 13, or its copy in
`samples/`) at 640x480. Run with `finder live-benchmark`.
"""

from __future__ import annotations

import math
import os
import platform
import time
from collections.abc import Iterator, Sequence
from importlib import metadata
from pathlib import Path

import cv2
import numpy as np

from finder.adapters.imageio import read_image
from finder.adapters.pose import PoseEstimator
from finder.body.catalog import load_catalog
from finder.pipelines.live import CROWD_EVERY_FRAMES, STAGES, LiveProcessor, LiveSettings
from finder.samples import SAMPLES_DIR

AIM_RATIO = 0.9  # of bare pose throughput
AIM_FPS = 20.0
ROUTINE = "lower-back"  # the routine with the most points
FRAME_SIZE = (640, 480)  # (width, height) in pixels
CLIP_FRAMES = 150
CLIP_FPS = 10.0
CLIP_PHOTO = SAMPLES_DIR / "full-back-standing.jpg"  # a copy of shared photo 13


def pan_zoom_clip(
    photo_bgr: np.ndarray,
    frames: int = CLIP_FRAMES,
    size: tuple[int, int] = FRAME_SIZE,
    body_centre: tuple[float, float] = (0.52, 0.55),
) -> Iterator[np.ndarray]:
    """BGR frames of `size` (width, height px): a slow pan and zoom over a portrait photo.

    The photo's height fills the frame at zoom 1; the zoom goes to 1.2 and back while the
    photo drifts sideways by up to a sixth of the frame width and a little vertically, one
    cycle per clip. `body_centre` is the point kept near the frame centre, as fractions of the
    photo's width and height. Beyond the photo's edges its border is stretched and blurred.
    """
    width, height = size
    photo_h, photo_w = photo_bgr.shape[:2]
    # Shrink once so that the per-frame warp never shrinks by much (less aliasing).
    prescale = min(1.0, 1.3 * height / photo_h)
    small = cv2.resize(
        photo_bgr,
        (round(photo_w * prescale), round(photo_h * prescale)),
        interpolation=cv2.INTER_AREA,
    )
    small_h, small_w = small.shape[:2]
    centre = np.array([body_centre[0] * small_w, body_centre[1] * small_h])
    inside = np.full((small_h, small_w), 255, np.uint8)
    for index in range(frames):
        phase = 2 * math.pi * index / max(frames, 1)
        zoom = 1.0 + 0.1 * (1 - math.cos(phase))
        scale = zoom * height / small_h
        target = np.array(
            [
                width / 2 + width / 6 * math.sin(phase),
                height / 2 + 0.04 * height * math.sin(2 * phase),
            ]
        )
        shift = target - scale * centre
        matrix = np.array([[scale, 0, shift[0]], [0, scale, shift[1]]])
        sharp = cv2.warpAffine(
            small, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        mask = cv2.warpAffine(inside, matrix, (width, height), flags=cv2.INTER_NEAREST)
        backdrop = cv2.GaussianBlur(sharp, (0, 0), 12)
        yield np.where(mask[:, :, None] > 0, sharp, backdrop)


def clip(frames: int = CLIP_FRAMES, photo: Path | None = None) -> list[np.ndarray]:
    """The benchmark clip as a list of 640x480 BGR frames."""
    return list(pan_zoom_clip(read_image(photo or CLIP_PHOTO), frames))


def run(frames: Sequence[np.ndarray] | None = None, rounds: int = 3) -> str:
    """The live benchmark report (Markdown): the whole per-frame work of `LiveProcessor`
    (colour conversion, pose tracking, smoothing, points, remarks, drawing) against bare pose
    tracking on the same frames in one run. Each contender has its own tracker and sees every
    frame; the contenders take turns frame by frame (in a rotating order), so that other load
    on the machine falls on all of them alike. The live view is handed each frame as the app's
    camera callback hands it over: a fresh copy (made before the clock starts, as the camera
    decodes a new frame), drawn on in place."""
    frames = list(frames) if frames is not None else clip()
    rgb = [cv2.cvtColor(frame, cv2.COLOR_BGR2RGB) for frame in frames]
    routine = load_catalog().routine(ROUTINE)
    bare = PoseEstimator("tracking")
    contenders: dict[str, LiveProcessor | None] = {
        'bare pose: `PoseEstimator("tracking").detect` on RGB': None,
        "live, all points": LiveProcessor(),
        f"live, {routine.concern} routine ({len(routine.points)} point codes)": LiveProcessor(
            LiveSettings(codes=routine.points)
        ),
    }
    names = list(contenders)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    cpu_seconds: dict[str, list[float]] = {name: [] for name in names}  # this thread's CPU
    stage_ms = {name: {stage: [] for stage in STAGES} for name in names}
    points: dict[str, list[int]] = {name: [] for name in names}
    turn = 0
    for round_index in range(rounds + 1):  # round 0 warms every model up, untimed
        clip_start_s = round_index * (len(frames) / CLIP_FPS + 0.1)  # the clip loops
        for index in range(len(frames)):
            turn += 1
            for name in names[turn % len(names) :] + names[: turn % len(names)]:
                live = contenders[name]
                frame = None if live is None else frames[index].copy()  # as freshly decoded
                start, start_cpu = time.perf_counter(), time.thread_time()
                if live is None:
                    bare.detect(rgb[index])
                else:
                    live.process(frame, clip_start_s + index / CLIP_FPS, in_place=True)
                elapsed, cpu = time.perf_counter() - start, time.thread_time() - start_cpu
                if not round_index:
                    continue
                seconds[name].append(elapsed)
                cpu_seconds[name].append(cpu)
                if live is not None:
                    status = live.status()
                    points[name].append(status["points"])
                    for stage, ms in status["timings_ms"].items():
                        stage_ms[name][stage].append(ms)
    bare.close()
    for live in contenders.values():
        if live is not None:
            live.close()
    return _report(frames, rounds, seconds, cpu_seconds, stage_ms, points)


def _report(frames, rounds, seconds, cpu_seconds, stage_ms, points) -> str:
    height, width = frames[0].shape[:2]
    names = list(seconds)
    mean_ms = {name: 1000 * float(np.mean(seconds[name])) for name in names}
    median_ms = {name: 1000 * float(np.median(seconds[name])) for name in names}
    cpu_ms = {name: 1000 * float(np.mean(cpu_seconds[name])) for name in names}
    fps = {name: 1000 / mean_ms[name] for name in names}
    bare_fps = fps[names[0]]
    lines = [
        f"## Live video throughput: {width}x{height}, {len(frames)}-frame back-view clip",
        "",
        "| pipeline | ms / frame (mean) | ms / frame (median) | frames / s | vs bare pose "
        "| CPU ms / frame (mean) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in names:
        lines.append(
            f"| {name} | {mean_ms[name]:.1f} | {median_ms[name]:.1f} | {fps[name]:.1f} | "
            f"{fps[name] / bare_fps:.2f} | {cpu_ms[name]:.2f} |"
        )
    lines += [
        "",
        "Mean milliseconds per stage of the live pipeline:",
        "",
        "| pipeline | " + " | ".join(STAGES) + " | points drawn (median) |",
        "|---|" + "---:|" * (len(STAGES) + 1),
    ]
    for name in names[1:]:
        means = " | ".join(f"{np.mean(stage_ms[name][s]):.1f}" for s in STAGES)
        lines.append(f"| {name} | {means} | {int(np.median(points[name]))} |")
    worst = min(fps[name] for name in names[1:])
    worst_ratio = worst / bare_fps
    verdict = (
        f"Aim: at least {AIM_RATIO:.0%} of bare pose throughput and {AIM_FPS:.0f} frames/s. "
        f"Frames/s {'met' if worst >= AIM_FPS else 'NOT met'} ({worst:.1f} at worst); "
        f"ratio {'met' if worst_ratio >= AIM_RATIO else 'NOT met'} ({worst_ratio:.2f} at worst)."
    )
    lines += [
        "",
        verdict,
        "",
        f"{rounds} timed passes over the clip after one untimed warm-up pass; frames / s is "
        "1000 / mean ms. The clip is a slow pan and zoom over the full-body back photo (shared "
        'photo 13). The bare baseline is `PoseEstimator("tracking").detect`, the thin wrapper '
        "around MediaPipe's `Pose.process` (plus copying 33 landmarks into an array), because "
        "only `finder/adapters/pose.py` may import MediaPipe. Each live frame's stages: "
        "convert (BGR to RGB), pose (tracking), smooth (One Euro), points (`locate_landmarks`), "
        "remarks (too "
        "dark without a body; with one, a look for another person every "
        f"{CROWD_EVERY_FRAMES} frames, on a worker thread off the frame path), draw "
        "(`Annotator.draw`, in place on the frame handed over, as the app's camera "
        "callback does). Other work on the machine "
        "slows every row alike. CPU is the calling thread's own (MediaPipe runs the model on "
        "threads of its own), so a live row's CPU less bare pose's is the work beyond the pose "
        "model, which other work on the machine disturbs less than it disturbs the times.",
        "",
        f"Machine: {os.cpu_count()} CPUs, {platform.machine()}, Python "
        f"{platform.python_version()}, mediapipe {_version('mediapipe')}, opencv "
        f"{cv2.__version__}.",
    ]
    return "\n".join(lines)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


if __name__ == "__main__":
    print(run())
