"""Live video: a `LiveProcessor` per browser session turns camera frames into annotated frames.

streamlit-webrtc calls `process` from its own worker thread while the Streamlit script changes
the settings and reads the status, so settings and last-frame state sit behind a lock. Nothing
here calls Streamlit. Coordinates are image pixels, times seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace

import cv2
import numpy as np

from finder.adapters.imageio import too_dark
from finder.adapters.pose import PoseEstimator, PoseMode
from finder.body.fit import Profile
from finder.body.landmarks import KEYPOINT_COUNT, Keypoint
from finder.body.model import load_body_model
from finder.body.result import FinderResult, transform_result
from finder.body.view import VIEW_CHOICES, Facing, arms_raised
from finder.pipelines.crowd import another_person
from finder.pipelines.photo import (
    PhotoRemarks,
    locate_landmarks,
    no_person_result,
    select_points,
    with_remarks,
)
from finder.pipelines.smoothing import OneEuroFilter
from finder.render.overlay import Annotator

NO_PERSON_LIVE = (
    "no person in view: point the camera at the receiver's back with the shoulders, hips and "
    "knees in the picture, in good light"
)
STAGES = ("convert", "pose", "smooth", "points", "remarks", "draw")
CROWD_EVERY_FRAMES = 30
"""Frames from one look for another person to the next. A look is one still-mode pose pass on
the frame with the receiver covered (about 17 ms at 640x480 on a 2-core machine, so about 0.6 ms
a frame on average); its answer holds until the next look."""
DARK_SAMPLE_STEP = 4
"""Darkness is measured on every 4th pixel across and down (a 16th of the frame): the brightest
1 % of a 640x480 frame is then read from 19,200 pixels, in about 0.1 ms instead of 0.5 ms."""
REUSE_TOLERANCE_PX = 1.0
"""Largest distance (px) between a visible keypoint and where moving the last placed pose as a
whole puts it, for that pose's points to be moved instead of placed again."""
REUSE_MAX_FRAMES = 15  # points are placed afresh at least this often (visibility, confidence)
HOLD_FRAMES = 8  # frames in a row without a body (about 0.3 s) that keep the last points
REUSE_VISIBLE = 0.5  # keypoints at least this visible on both poses decide the reuse
REUSE_RESTS_ON = (
    Keypoint.NOSE,
    Keypoint.LEFT_EAR,
    Keypoint.RIGHT_EAR,
    Keypoint.LEFT_SHOULDER,
    Keypoint.RIGHT_SHOULDER,
    Keypoint.LEFT_HIP,
    Keypoint.RIGHT_HIP,
    Keypoint.LEFT_KNEE,
    Keypoint.RIGHT_KNEE,
    Keypoint.LEFT_ANKLE,
    Keypoint.RIGHT_ANKLE,
)
"""Keypoints whose move decides whether the last points are moved or placed afresh: the body
frame, the cun's regression features (the head's height from the ears), the keypoint landmarks
and the trust checks rest on the head (nose, ears), shoulders, hips, knees and ankles. The
others are left out: nothing rests on the eyes, mouth, fingers and heels, the foot tips carry
only the front view's metatarsal bases (counted when the points face the camera:
`REUSE_RESTS_ON_FRONT`), and the elbows and wrists only say whether the arms are raised, which
`arms_raised` asks of every frame instead. They jitter on their own: on the live benchmark's
clip counting every keypoint but the heels placed the points afresh on 58% of frames, these
on 35%."""
REUSE_RESTS_ON_FRONT = (*REUSE_RESTS_ON, Keypoint.LEFT_FOOT_INDEX, Keypoint.RIGHT_FOOT_INDEX)
_REUSE_COUNTED = {
    Facing.BACK.value: np.isin(np.arange(KEYPOINT_COUNT), REUSE_RESTS_ON),
    Facing.FRONT.value: np.isin(np.arange(KEYPOINT_COUNT), REUSE_RESTS_ON_FRONT),
}
FPS_SMOOTHING = 0.1  # weight of the newest frame interval in the FPS moving average
FPS_RESTART_S = 2.0  # a longer pause between frames restarts the FPS estimate
_KEEP = object()  # `configure` argument left out


@dataclass(frozen=True)
class LiveSettings:
    """What the live view shows: `codes` (canonical point codes, None = every point),
    `mirrored` (show the preview as a mirror image), `view` ("auto", "back", "front") and the
    receiver's saved `profile`, whose taps follow the body from frame to frame."""

    codes: tuple[str, ...] | None = None
    mirrored: bool = False
    view: str = "auto"
    profile: Profile | None = None


class LiveProcessor:
    """Camera frame in, annotated frame out: pose tracking, One Euro smoothing, points, drawing.

    One per browser session (the tracking pose model follows one video stream); `process` runs
    one frame at a time even if called from two threads. The tracking model is made at the
    first frame and closed by `release()` when the stream ends, so a session without a running
    camera holds no model. The frame's remarks are the photo's
    (`finder.pipelines.photo.with_remarks`): too dark, when no body is accepted; another person in
    view, looked for every CROWD_EVERY_FRAMES frames around an accepted body with a still-mode
    model: `crowd_estimator` when given (it may be shared with other sessions and is never
    closed here), else one made when first needed.
    """

    def __init__(
        self,
        settings: LiveSettings | None = None,
        estimator: PoseEstimator | None = None,
        smoother: OneEuroFilter | None = None,
        annotator: Annotator | None = None,
        crowd_estimator: PoseEstimator | None = None,
    ):
        self._work_lock = threading.Lock()  # one frame through the pose model at a time
        self._state_lock = threading.Lock()  # settings and last-frame state
        self._settings = LiveSettings()
        if settings is not None:
            self.configure(
                codes=settings.codes,
                mirrored=settings.mirrored,
                view=settings.view,
                profile=settings.profile,
            )
        self._estimator = estimator  # tracking mode; made at the first frame
        self._smoother = smoother or OneEuroFilter()
        self._annotator = annotator or Annotator()
        self._crowd_estimator = crowd_estimator  # still mode; made at the first look
        self._owns_crowd_estimator = crowd_estimator is None
        self._another_person = False  # the last finished look's answer
        self._looker: ThreadPoolExecutor | None = None  # the worker thread of the looks
        self._look: Future | None = None  # the look under way
        self._look_due: tuple[np.ndarray, np.ndarray] | None = None  # (RGB, pose) to look at
        self._frames_since_look = CROWD_EVERY_FRAMES  # so the first body is looked around
        self._placed: _Placed | None = None  # the last points placed afresh, for reuse
        self._frames = 0
        self._last_rgb: np.ndarray | None = None  # the last frame as the pose model saw it
        self._last_pose: np.ndarray | None = None  # the smoothed pose the last frame's points used
        self._last_result: FinderResult | None = None
        self._last_timestamp: float | None = None
        self._interval_s: float | None = None  # moving average of frame intervals
        self._timings_ms: dict[str, float] = {}

    # -- settings (any thread) ------------------------------------------------------------
    @property
    def settings(self) -> LiveSettings:
        with self._state_lock:
            return self._settings

    def configure(
        self,
        codes: Iterable[str] | object | None = _KEEP,
        mirrored: bool | None = None,
        view: str | None = None,
        profile: Profile | object | None = _KEEP,
    ) -> LiveSettings:
        """Change some settings; `codes` may be codes or aliases, None for every point, and
        `profile` a Profile or None (leave either out to keep the current choice). Raises
        KeyError / ValueError on unknown values."""
        changes: dict = {}
        if codes is not _KEEP:
            changes["codes"] = (
                None if codes is None else tuple(p.code for p in select_points(tuple(codes)))
            )
        if mirrored is not None:
            changes["mirrored"] = bool(mirrored)
        if view is not None:
            if view not in VIEW_CHOICES:
                raise ValueError(f"view must be one of {', '.join(VIEW_CHOICES)}, not {view!r}")
            changes["view"] = view
        if profile is not _KEEP:
            changes["profile"] = profile
        with self._state_lock:
            self._settings = replace(self._settings, **changes)
            return self._settings

    # -- the per-frame work (the video thread) ----------------------------------------------
    def process(
        self, bgr: np.ndarray, timestamp_s: float | None = None, in_place: bool = False
    ) -> np.ndarray:
        """The annotated frame (BGR uint8, same size) for camera frame `bgr` captured at
        `timestamp_s` seconds (any steady clock; default: now). When the settings say
        mirrored, the output is the mirror image with the receiver's sides kept true: pose and
        points are found on the camera's own frame, then mirrored for display. `in_place`:
        the caller hands the frame over (as the camera callback does with each decoded
        frame), so the points are drawn on `bgr` itself, which is returned, instead of on a
        copy."""
        if timestamp_s is None:
            timestamp_s = time.monotonic()
        with self._work_lock:
            settings = self.settings
            height, width = bgr.shape[:2]
            t0 = time.perf_counter()
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            t1 = time.perf_counter()
            if self._estimator is None:
                self._estimator = PoseEstimator(PoseMode.TRACKING)
            landmarks = self._estimator.detect(rgb)
            t2 = time.perf_counter()
            landmarks = self._smoother(landmarks, timestamp_s)
            t3 = time.perf_counter()
            result = self._points(landmarks, (width, height), settings)
            pose = landmarks if result.accepted and self._placed is not None else None
            if pose is not None and self._placed.held:
                pose = None  # points held from an earlier frame: this frame has no pose of its own
            t4 = time.perf_counter()
            remarks = self._remarks(bgr, rgb, landmarks, result.accepted)
            result = with_remarks(result, remarks, settings.codes)
            t5 = time.perf_counter()
            if settings.mirrored:
                result = mirror_result(result, width)
                canvas = cv2.flip(bgr, 1)  # a new array: drawn on in place
            else:
                canvas = bgr if in_place and bgr.flags.writeable else bgr.copy()
            self._annotator.draw(canvas, result)
            t6 = time.perf_counter()
            timings = dict(zip(STAGES, np.diff([t0, t1, t2, t3, t4, t5, t6]) * 1000.0, strict=True))
            self._record(rgb, result, timestamp_s, timings, pose)
            self._start_look()
            return canvas

    def _points(
        self, landmarks: np.ndarray | None, size: tuple[int, int], settings: LiveSettings
    ) -> FinderResult:
        """The points on this frame's smoothed pose (x, y px in a picture of `size`). When the
        pose is the one the last points were placed on moved as a whole (a similarity: shift,
        turn and zoom, as when the camera moves) to within REUSE_TOLERANCE_PX at every visible
        keypoint, those points are moved the same way instead of being placed again, for up to
        REUSE_MAX_FRAMES frames; any other change, or a moved point leaving the picture, places
        them afresh. A frame with the arms raised (`arms_raised`: a partner lifting the
        receiver's arm), which leaves the shoulder points out, holds the last points like a frame
        without a body (`_held`)."""
        width, height = size
        placed = self._placed
        if landmarks is None:
            result = no_person_result(width, height, settings.codes, NO_PERSON_LIVE)
            return self._held(result, settings)
        raised = arms_raised(landmarks, load_body_model().plausibility)
        reusable = placed is not None and placed.settings is settings
        if reusable and not raised and placed.reused < REUSE_MAX_FRAMES:
            moved = placed.moved_to(landmarks, size)
            if moved is not None:
                self._placed = replace(placed, reused=placed.reused + 1, held=0)
                return moved
        result = locate_landmarks(
            landmarks, size, settings.view, settings.codes, profile=settings.profile
        )
        if result.accepted and not raised:
            self._placed = _Placed(landmarks, result, settings)
            return result
        return self._held(result, settings)

    def _held(self, refused: FinderResult, settings: LiveSettings) -> FinderResult:
        """A frame without an accepted body shows the last points placed, unchanged, for up to
        HOLD_FRAMES frames in a row (a slow pan or a blurred frame loses the body for a moment;
        the points should not flicker off and on); after that, or with other settings, the
        frame's own refusal."""
        placed = self._placed
        if placed is not None and placed.settings is settings and placed.held < HOLD_FRAMES:
            self._placed = replace(placed, held=placed.held + 1)
            return placed.result
        self._placed = None
        return refused

    def _remarks(
        self, bgr: np.ndarray, rgb: np.ndarray, landmarks: np.ndarray | None, accepted: bool
    ) -> PhotoRemarks:
        """This frame's remarks: without an accepted body, whether the frame (BGR, sampled every
        DARK_SAMPLE_STEP pixels) is too dark; with one, whether another person is in view (the
        same RGB frame with the body at `landmarks`, x, y px, covered). That look runs off the
        frame path, on a worker thread started once the frame is drawn (`_start_look`), when
        CROWD_EVERY_FRAMES frames have passed since the last one started; each frame shows the
        answer of the last look finished."""
        self._frames_since_look += 1
        look = self._look
        if look is not None and look.done():
            self._another_person = look.result()
            self._look = None
        if not accepted:
            return PhotoRemarks(too_dark=too_dark(bgr[::DARK_SAMPLE_STEP, ::DARK_SAMPLE_STEP]))
        looks_due = self._frames_since_look >= CROWD_EVERY_FRAMES and self._look is None
        if looks_due and landmarks is not None:  # held points: no body on this frame to cover
            self._look_due = (rgb, landmarks.copy())
            self._frames_since_look = 0
        return PhotoRemarks(another_person=self._another_person)

    def _start_look(self) -> None:
        """Start the look that `_remarks` found due, once the frame is drawn: its first
        steps (covering the body, preparing the picture) hold Python's lock, which the frame's
        drawing would otherwise wait for; the next frame's pose pass does not hold it."""
        if self._look_due is None:
            return
        rgb, landmarks = self._look_due
        self._look_due = None
        if self._crowd_estimator is None:
            self._crowd_estimator = PoseEstimator(PoseMode.STILL)
        if self._looker is None:
            self._looker = ThreadPoolExecutor(1, thread_name_prefix="live-crowd-look")
        self._look = self._looker.submit(another_person, rgb, landmarks, self._crowd_estimator)

    def wait_for_remarks(self, timeout_s: float | None = None) -> None:
        """Wait until the look for another person under way (if any) has finished, so that the
        next frame shows its answer."""
        look = self._look
        if look is not None:
            wait([look], timeout=timeout_s)

    def _record(self, rgb, result, timestamp_s, timings, pose) -> None:
        with self._state_lock:
            self._frames += 1
            self._last_rgb, self._last_result, self._last_pose = rgb, result, pose
            self._timings_ms = {stage: float(ms) for stage, ms in timings.items()}
            previous, self._last_timestamp = self._last_timestamp, timestamp_s
            if previous is None:
                return
            interval = timestamp_s - previous
            if interval <= 0 or interval > FPS_RESTART_S:
                self._interval_s = None  # the stream restarted: estimate afresh
            elif self._interval_s is None:
                self._interval_s = interval
            else:
                self._interval_s += FPS_SMOOTHING * (interval - self._interval_s)

    # -- what the page reads (any thread) ----------------------------------------------------
    def frozen_frame(self) -> np.ndarray | None:
        """The last camera frame as captured (BGR, never mirrored nor annotated), for the
        photo view; None before the first frame. It is made from the RGB copy the pose model
        saw (the colour conversion is exact both ways), so a frame drawn on in place, or
        changed by its caller afterwards, is still given back as captured."""
        with self._state_lock:
            rgb = self._last_rgb
        return None if rgb is None else cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)

    def frozen_pose(self) -> np.ndarray | None:
        """A copy of the smoothed pose (33, 4: x, y px of the camera frame, unmirrored, z,
        visibility) the last frame's points were placed on, or None when that frame showed no
        points of its own: with `frozen_frame`, the Photo page places the same points the live
        view showed instead of searching the frame again."""
        with self._state_lock:
            return None if self._last_pose is None else self._last_pose.copy()

    @property
    def fps(self) -> float:
        """Frames processed per second: the inverse of a moving average of frame intervals
        (0.0 until two frames have been seen)."""
        with self._state_lock:
            return 0.0 if not self._interval_s else 1.0 / self._interval_s

    def status(self) -> dict:
        """frames (processed so far), points (drawn on the last frame), fps, person (found on
        the last frame), message (one line for a person), timings_ms (last frame, per stage)."""
        fps = self.fps
        with self._state_lock:
            result = self._last_result
            return {
                "frames": self._frames,
                "points": 0 if result is None else len(result.points),
                "fps": round(fps, 1),
                "person": result is not None and result.anatomy is not None,
                "message": "waiting for the camera" if result is None else result.summary(),
                "timings_ms": dict(self._timings_ms),
            }

    def status_line(self) -> str:
        """ "Live: N frames processed, K points on the last frame, F fps"."""
        status = self.status()
        return (
            f"Live: {status['frames']} frames processed, {status['points']} points on the last "
            f"frame, {status['fps']:.1f} fps"
        )

    def release(self) -> None:
        """The stream ended: close the tracking model (the next frame makes a new one) and
        forget the smoothed pose. Settings and the last frame stay for the page."""
        with self._work_lock:
            if self._estimator is not None:
                self._estimator.close()
                self._estimator = None
            self._smoother.reset()
            self._placed = None

    def close(self) -> None:
        """Release the models this processor holds (a shared crowd model stays open)."""
        self.release()
        with self._work_lock:
            if self._looker is not None:
                self._looker.shutdown(wait=True)
                self._looker, self._look = None, None
            if self._crowd_estimator is not None and self._owns_crowd_estimator:
                self._crowd_estimator.close()
                self._crowd_estimator = None


def mirror_result(result: FinderResult, width: int) -> FinderResult:
    """`result` reflected left-right within an image `width` pixels wide (x -> width - x), each
    point keeping its receiver's side: what to draw on the mirrored frame."""
    return transform_result(result, np.array([[-1.0, 0.0, width], [0.0, 1.0, 0.0]]))


@dataclass(frozen=True)
class _Placed:
    """Points placed afresh on `landmarks` (33, 4: x, y px, z, visibility) with `settings`,
    how many frames have reused them since, and how many frames in a row without a body have
    shown them (`held`)."""

    landmarks: np.ndarray
    result: FinderResult
    settings: LiveSettings
    reused: int = 0
    held: int = 0

    def moved_to(self, landmarks: np.ndarray, size: tuple[int, int]) -> FinderResult | None:
        """The result moved with the body to `landmarks`, when they are these landmarks moved
        as a whole within REUSE_TOLERANCE_PX at every keypoint the points rest on
        (REUSE_RESTS_ON, or REUSE_RESTS_ON_FRONT; see `LiveProcessor._points`), the same of
        them in view (REUSE_VISIBLE); else None."""
        counted = _REUSE_COUNTED[self.result.view]
        visible = (self.landmarks[:, 3] >= REUSE_VISIBLE) & counted
        if visible.sum() < 3 or (visible != ((landmarks[:, 3] >= REUSE_VISIBLE) & counted)).any():
            return None  # a keypoint left or came into view: points rest on it or are omitted
        matrix = similarity_fit(self.landmarks[visible, :2], landmarks[visible, :2])
        moved = self.landmarks[visible, :2] @ matrix[:, :2].T + matrix[:, 2]
        if np.abs(moved - landmarks[visible, :2]).max() >= REUSE_TOLERANCE_PX:
            return None
        result = transform_result(self.result, matrix, landmarks[:, 3])
        width, height = size
        xy = np.array([p.xy for p in result.points]).reshape(-1, 2)
        if ((xy < 0) | (xy >= (width, height))).any():
            return None  # a point left the picture: place them afresh, with the omissions
        return result


def similarity_fit(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The 2x3 matrix [s R | t] of the similarity (shift, turn, zoom; no mirror) that moves the
    (N, 2) points `source` closest to `target` in least squares. In the plane s R is
    [[p, -q], [q, p]], linear in (p, q), so the fit is closed-form (the same minimum as
    Umeyama 1991's SVD, without its cost)."""
    count = len(source)  # means as sums over the count: np.mean's numbers, without its overhead
    source_mean, target_mean = source.sum(axis=0) / count, target.sum(axis=0) / count
    a, b = source - source_mean, target - target_mean
    ax, ay, bx, by = a[:, 0], a[:, 1], b[:, 0], b[:, 1]
    norm = max(float(ax @ ax + ay @ ay), 1e-12)
    p, q = float(ax @ bx + ay @ by) / norm, float(ax @ by - ay @ bx) / norm
    linear = np.array([[p, -q], [q, p]])
    return np.column_stack((linear, target_mean - linear @ source_mean))
