"""BlazePose and MediaPipe Hands: the only module that imports mediapipe.

Pose: RGB image in, a `finder.body.pose.Pose` out (`from_mediapipe`): x, y in the original
image's pixels, z (BlazePose's relative depth, hip-centred, same scale as x in normalised units),
visibility in [0, 1].

Hands: RGB image in, one `finder.body.hand_landmarks.DetectedHand` per hand found: 21 landmarks
with x, y in the original image's pixels and z (depth relative to the wrist, converted to the
same pixels), and the owner's side with MediaPipe's score for it.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import threading
import types
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum

import cv2
import numpy as np

from finder.adapters.imageio import downscale_for_inference
from finder.body.hand_landmarks import OTHER_SIDE, DetectedHand
from finder.body.pose import Detector, Pose

INFERENCE_MAX_SIDE_PX = 1280
HAND_PRESENCE_MIN = 0.8
"""The hand landmark model's hand-presence score a hand needs (MediaPipe's default is 0.5; its
Python solution sets this threshold through `min_tracking_confidence`, in still mode too). On
the shared photos every hand that gets points scores above 0.95; the lowest real hands are
photo 06's (0.8-0.9) and photo 09's, hooked over a shoulder and seen edge-on (0.5-0.7, no
points either way)."""


class PoseMode(str, Enum):
    """How a MediaPipe model treats consecutive images: STILL looks at every image on its own
    (photos); TRACKING follows what it found across consecutive video frames, which is faster
    and steadier."""

    STILL = "still"
    TRACKING = "tracking"


def _solution(name: str) -> types.ModuleType:
    """The MediaPipe solution module `mediapipe.python.solutions.<name>` ("pose", "hands").

    Imported without running the `__init__` of `mediapipe` and `mediapipe.python.solutions`,
    which import every solution and task: drawing_utils brings matplotlib (about a second, and
    it writes ~/.cache/matplotlib and ~/.config/matplotlib and runs fc-list), the audio tasks
    bring sounddevice (which runs ldconfig and gcc looking for PortAudio). The finder uses none
    of them. When mediapipe was already imported in full, that import is used."""
    for package in ("mediapipe", "mediapipe.python.solutions"):
        if package not in sys.modules:
            spec = importlib.util.find_spec(package)
            bare = types.ModuleType(package)
            bare.__path__ = list(spec.submodule_search_locations)
            sys.modules[package] = bare
    return importlib.import_module(f"mediapipe.python.solutions.{name}")


@contextmanager
def native_logs_silenced() -> Iterator[None]:
    """Send what native code writes to standard error (TensorFlow Lite's "Created TensorFlow
    Lite XNNPACK delegate", absl's W0000 warnings: MediaPipe's C++ logs, which no environment
    variable turns off in 0.10.21) to the null device, while Python's `sys.stderr` still
    reaches the real standard error. For a process's whole run (the command line); worker
    processes forked inside inherit it."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        python_writes_to_fd_2 = sys.stderr.fileno() == 2
    except (AttributeError, OSError, ValueError):  # already captured or replaced
        python_writes_to_fd_2 = False
    python_stderr = sys.stderr
    if python_writes_to_fd_2:
        sys.stderr = os.fdopen(os.dup(saved), "w", buffering=1, errors="backslashreplace")
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    os.close(null)
    try:
        yield
    finally:
        if python_writes_to_fd_2:
            sys.stderr.close()
            sys.stderr = python_stderr
        os.dup2(saved, 2)
        os.close(saved)


def from_mediapipe(landmarks, width: int, height: int) -> Pose:
    """A Pose from MediaPipe's `pose_landmarks.landmark` (33, normalised x, y) on a picture of
    `width` x `height` pixels; visibility clipped to [0, 1] (MediaPipe's sigmoid can round past
    it)."""
    array = np.array([(p.x * width, p.y * height, p.z, p.visibility) for p in landmarks], float)
    array[:, 3] = np.clip(array[:, 3], 0.0, 1.0)
    return Pose(array, Detector.BLAZEPOSE)


class _Model:
    """A MediaPipe solution built once and reused (see `PoseMode`; "still" or "tracking" are
    accepted too). Calls are serialised by a lock, so one "still" model can serve every session
    of the app (one picture at a time); a "tracking" model follows one video stream only."""

    def __init__(self, mode: PoseMode | str, max_side_px: int):
        try:
            self.mode = PoseMode(mode)
        except ValueError:
            raise ValueError(f"mode must be 'still' or 'tracking', not {mode!r}") from None
        self.max_side_px = max_side_px
        self._solution = None  # set by the subclass
        self._lock = threading.Lock()  # one picture through the MediaPipe graph at a time

    def _process(self, rgb: np.ndarray):
        small, _ = downscale_for_inference(rgb, self.max_side_px)
        with self._lock:
            return self._solution.process(np.ascontiguousarray(small))

    def close(self) -> None:
        with self._lock:
            self._solution.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


class PoseEstimator(_Model):
    """A BlazePose model (see `_Model` for the modes)."""

    def __init__(
        self, mode: PoseMode | str = PoseMode.STILL, max_side_px: int = INFERENCE_MAX_SIDE_PX
    ):
        super().__init__(mode, max_side_px)
        self._solution = _solution("pose").Pose(
            static_image_mode=self.mode is PoseMode.STILL,
            model_complexity=1,
            smooth_landmarks=self.mode is PoseMode.TRACKING,
            enable_segmentation=False,
        )

    def detect_pose(self, rgb: np.ndarray) -> Pose | None:
        """The most prominent person in an RGB uint8 image, or None."""
        height, width = rgb.shape[:2]
        result = self._process(rgb)
        if result.pose_landmarks is None:
            return None
        return from_mediapipe(result.pose_landmarks.landmark, width, height)

    def detect(self, rgb: np.ndarray) -> np.ndarray | None:
        """`detect_pose` as a (33, 4) array (x, y px, z, visibility), or None."""
        pose = self.detect_pose(rgb)
        return None if pose is None else pose.landmarks


class HandEstimator(_Model):
    """MediaPipe Hands (palm detector + hand landmark model, both inside the 0.10.21 wheel, so it
    runs offline), up to `max_hands` hands (see `_Model` for the modes).

    Handedness: MediaPipe names the hand as if the image were mirrored, like a selfie preview
    (its `Hands` docstring says so). `detect` returns the owner's side for an ordinary,
    unmirrored photo (MediaPipe's label swapped) unless told the image is mirrored. Checked on
    the shared photos: on every hand whose owner is clear (photos 01-08, 11) the swapped label
    names the right hand, and on their mirrored copies MediaPipe's raw label flips.
    """

    def __init__(
        self,
        mode: PoseMode | str = PoseMode.STILL,
        max_side_px: int = INFERENCE_MAX_SIDE_PX,
        max_hands: int = 2,
    ):
        super().__init__(mode, max_side_px)
        self._solution = _solution("hands").Hands(
            static_image_mode=self.mode is PoseMode.STILL,
            max_num_hands=max_hands,
            model_complexity=1,
            min_tracking_confidence=HAND_PRESENCE_MIN,  # the landmark model's presence score
        )

    def detect(self, rgb: np.ndarray, mirrored: bool = False) -> tuple[DetectedHand, ...]:
        """The hands in an RGB uint8 image; `mirrored` when it is a mirrored preview.

        The palm detector often misses a hand that fills the picture (a close-up); in still mode
        a picture without hands is looked at once more inside a black border half its long side
        wide, where the same hand fills a quarter of the frame."""
        hands = self._hands(rgb, mirrored, border=0)
        if not hands and self.mode is PoseMode.STILL:
            hands = self._hands(rgb, mirrored, border=max(rgb.shape[:2]) // 2)
        return hands

    def _hands(self, rgb: np.ndarray, mirrored: bool, border: int) -> tuple[DetectedHand, ...]:
        if border:
            rgb = cv2.copyMakeBorder(rgb, border, border, border, border, cv2.BORDER_CONSTANT)
        height, width = rgb.shape[:2]
        result = self._process(rgb)
        hands = []
        for landmarks, handedness in zip(
            result.multi_hand_landmarks or (), result.multi_handedness or (), strict=True
        ):
            label = handedness.classification[0]
            side = label.label.lower()
            xyz = np.array(
                [(p.x * width, p.y * height, p.z * width) for p in landmarks.landmark], dtype=float
            )
            xyz[:, :2] -= border
            hands.append(
                DetectedHand(
                    xyz, side if mirrored else OTHER_SIDE[side], float(label.score), mirrored
                )
            )
        return tuple(hands)


class FaceDetector(_Model):
    """MediaPipe's short-range face detector (BlazeFace, inside the 0.10.21 wheel), in still
    mode: how sure it is that a picture shows a face. The photo search asks it about a square
    around a person's head to tell someone facing the camera from a back
    (`finder.pipelines.search.shows_face`)."""

    def __init__(self, max_side_px: int = INFERENCE_MAX_SIDE_PX):
        super().__init__(PoseMode.STILL, max_side_px)
        self._solution = _solution("face_detection").FaceDetection(model_selection=0)

    def best_score(self, rgb: np.ndarray) -> float:
        """The highest face score in an RGB uint8 picture (0 when no face is found)."""
        detections = self._process(rgb).detections or ()
        return max((float(detection.score[0]) for detection in detections), default=0.0)
