"""Test video: a slow pan and zoom over the full-body back photo (shared photo 13), 640x480.

`write_y4m` writes YUV4MPEG2 (4:2:0 planes from OpenCV's I420 conversion), the raw format
Chromium's `--use-file-for-fake-video-capture` plays as a looping fake camera.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np

from finder.adapters.imageio import read_image
from finder.tools.live_benchmark import pan_zoom_clip
from tests.photos import photo

FRAME_SIZE = (640, 480)  # (width, height) in pixels
FPS = 10
SECONDS = 6


def clip_frames(
    frames: int = FPS * SECONDS, size: tuple[int, int] = FRAME_SIZE
) -> list[np.ndarray]:
    """BGR frames (uint8, `size` = (width, height) px) of the pan and zoom over photo 13."""
    return list(pan_zoom_clip(read_image(photo("13")), frames, size))


def write_y4m(path: Path, frames: Iterable[np.ndarray], fps: int = FPS) -> Path:
    """Write BGR frames (all one size, even width and height in px) as a .y4m at `fps`."""
    path = Path(path)
    frames = iter(frames)
    first = next(frames)
    height, width = first.shape[:2]
    if width % 2 or height % 2:
        raise ValueError(f"4:2:0 needs an even frame size, got {width}x{height}")
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for frame in (first, *frames):
            if frame.shape[:2] != (height, width):
                raise ValueError(
                    f"frame of {frame.shape[1]}x{frame.shape[0]} in a {width}x{height} clip"
                )
            out.write(b"FRAME\n")
            out.write(cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes())
    return path


def read_y4m(path: Path) -> list[np.ndarray]:
    """Frames of a 4:2:0 .y4m written by `write_y4m`, back in BGR (for checking it)."""
    data = Path(path).read_bytes()
    header, _, body = data.partition(b"\n")
    tags = dict((tag[:1], tag[1:]) for tag in header.decode("ascii").split()[1:])
    width, height = int(tags["W"]), int(tags["H"])
    size = width * height * 3 // 2
    frames, offset = [], 0
    while offset < len(body):
        if body[offset : offset + 6] != b"FRAME\n":
            raise ValueError(f"no FRAME marker at byte {offset} of the frame data")
        chunk = body[offset + 6 : offset + 6 + size]
        planes = np.frombuffer(chunk, np.uint8).reshape(height * 3 // 2, width)
        frames.append(cv2.cvtColor(planes, cv2.COLOR_YUV2BGR_I420))
        offset += 6 + size
    return frames


def make_test_video(path: Path, seconds: float = SECONDS, fps: int = FPS) -> Path:
    """The fake-camera clip for the browser test: photo 13 panned and zoomed, 640x480."""
    return write_y4m(path, clip_frames(round(seconds * fps)), fps)
