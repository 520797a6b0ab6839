"""The guided partner session: a routine as steps, one point and side at a time, each with a
countdown, and a summary at the end.

Pure and immutable: every transition returns a new `GuidedSession`, and the time comes from the
caller (`now`, seconds on any monotonic clock), so tests control the clock and a web page can keep
a session in its per-user state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from finder.body.catalog import Catalog, Point, Routine, load_catalog
from finder.body.points import point_sides

SIDE_LABELS = {
    "left": "receiver's left side",
    "right": "receiver's right side",
    "midline": "on the midline (the spine)",
}
HAND_SIDE_LABELS = {"left": "receiver's left hand", "right": "receiver's right hand"}
VERTEBRA = re.compile(r"\b[TL]\d{1,2}\b")  # a thoracic or lumbar vertebra: "T3", "L2"


@dataclass(frozen=True)
class Step:
    """One point on one side, pressed for `duration_s` seconds (the technique's upper time)."""

    point: Point
    side: str  # "left" | "right" | "midline" (the receiver's own side)
    duration_s: int

    @property
    def code(self) -> str:
        return self.point.code

    @property
    def on_hand(self) -> bool:
        """A point on the back of the hand: found on a photo of the hand, not of the back."""
        return "hand" in self.point.views

    @property
    def counts_vertebrae(self) -> bool:
        """Its touch hint names a thoracic or lumbar vertebra ("just below T3"), found by
        counting the spine's bumps from a landmark (`Catalog.spine_guide`)."""
        return bool(VERTEBRA.search(self.point.hint))

    @property
    def side_label(self) -> str:
        return (HAND_SIDE_LABELS if self.on_hand else SIDE_LABELS)[self.side]


LEFT_OUT_IN_PREGNANCY = ("avoid", "caution")
"""The catalog's pregnancy flags a session leaves out when the receiver may be pregnant
(ROUTINES.md: GB-21, BL-60 and LI-4 are said to bring on labour; lumbosacral points and CV-6
are avoided by many practitioners)."""


def split_for_pregnancy(
    points: tuple[Point, ...], pregnant: bool
) -> tuple[tuple[Point, ...], tuple[Point, ...]]:
    """(kept, left out): when `pregnant`, the points flagged "avoid" (GB-21, BL-60, LI-4) or
    "caution" (the lumbosacral points BL-23, BL-52, GV-4, and CV-6) are left out; otherwise
    every point is kept."""
    if not pregnant:
        return points, ()
    return (
        tuple(p for p in points if p.pregnancy not in LEFT_OUT_IN_PREGNANCY),
        tuple(p for p in points if p.pregnancy in LEFT_OUT_IN_PREGNANCY),
    )


def plan_steps(
    routine: Routine, pregnant: bool, catalog: Catalog | None = None
) -> tuple[tuple[Step, ...], tuple[Point, ...]]:
    """The steps of `routine` in order, both sides of a bilateral point in turn (left, then
    right), and the points left out for pregnancy (`split_for_pregnancy`)."""
    catalog = catalog or load_catalog()
    kept, left_out = split_for_pregnancy(tuple(map(catalog.get, routine.points)), pregnant)
    steps = [
        Step(point, side, point.technique.duration_s[1])
        for point in kept
        for side in point_sides(point)
    ]
    return tuple(steps), left_out


@dataclass(frozen=True)
class Summary:
    """What a finished (or ended) session did: each pressed step with its seconds, the steps
    not pressed, and the points left out for pregnancy."""

    concern: str
    pregnant: bool
    pressed: tuple[tuple[Step, float], ...]
    not_pressed: tuple[Step, ...]
    left_out: tuple[Point, ...]

    @property
    def total_s(self) -> float:
        return sum(seconds for _, seconds in self.pressed)

    @property
    def points_pressed(self) -> tuple[str, ...]:
        """Codes pressed, in order, each once."""
        return tuple(dict.fromkeys(step.code for step, _ in self.pressed))


@dataclass(frozen=True)
class GuidedSession:
    """A routine in progress. Create with `GuidedSession.start(routine, pregnant, now)`.

    The current step's clock: `elapsed_s` seconds counted before `running_since` (the clock time
    it last started or resumed), which is None while paused. `pressed_s` holds the seconds spent
    on each step so far (same order as `steps`).
    """

    routine: Routine
    pregnant: bool
    steps: tuple[Step, ...]
    left_out: tuple[Point, ...]
    pressed_s: tuple[float, ...]
    index: int = 0
    elapsed_s: float = 0.0
    running_since: float | None = None
    finished: bool = False

    @classmethod
    def start(
        cls, routine: Routine, pregnant: bool, now: float, catalog: Catalog | None = None
    ) -> GuidedSession:
        """A session on its first step, its timer running from `now`."""
        steps, left_out = plan_steps(routine, pregnant, catalog)
        return cls(
            routine,
            pregnant,
            steps,
            left_out,
            pressed_s=(0.0,) * len(steps),
            running_since=now,
            finished=not steps,
        )

    # --- what the page shows ---------------------------------------------------------------

    @property
    def current(self) -> Step | None:
        """The step being pressed, or None once the session is finished."""
        return None if self.finished else self.steps[self.index]

    @property
    def paused(self) -> bool:
        return not self.finished and self.running_since is None

    @property
    def is_last(self) -> bool:
        return self.index == len(self.steps) - 1

    def elapsed(self, now: float) -> float:
        """Seconds counted on the current step, at most its duration."""
        if self.finished:
            return 0.0
        running = 0.0 if self.running_since is None else max(now - self.running_since, 0.0)
        return min(self.elapsed_s + running, float(self.steps[self.index].duration_s))

    def remaining(self, now: float) -> float:
        """Seconds left on the current step (0 when the time is up or the session finished)."""
        if self.finished:
            return 0.0
        return self.steps[self.index].duration_s - self.elapsed(now)

    def time_up(self, now: float) -> bool:
        return not self.finished and self.remaining(now) <= 0

    # --- transitions -----------------------------------------------------------------------

    def pause(self, now: float) -> GuidedSession:
        """Freeze the countdown (no change when already paused or finished)."""
        if self.finished or self.running_since is None:
            return self
        return replace(self, elapsed_s=self.elapsed(now), running_since=None)

    def resume(self, now: float) -> GuidedSession:
        """Restart the countdown where it was frozen (no change unless paused)."""
        if not self.paused:
            return self
        return replace(self, running_since=now)

    def restart(self, now: float) -> GuidedSession:
        """Start the current step's countdown again from its full time, running (the seconds
        already pressed still count in the summary); no change once finished."""
        if self.finished:
            return self
        return replace(self._record(now), elapsed_s=0.0, running_since=now)

    def next(self, now: float) -> GuidedSession:
        """Go to the next step with a full countdown (running unless paused); after the last
        step the session is finished."""
        return self._go(self.index + 1, now)

    def previous(self, now: float) -> GuidedSession:
        """Go back one step with a full countdown (no change on the first step)."""
        if self.finished or self.index == 0:
            return self
        return self._go(self.index - 1, now)

    def finish(self, now: float) -> GuidedSession:
        """End the session now; the summary counts what was pressed so far."""
        if self.finished:
            return self
        return replace(self._record(now), finished=True, running_since=None, elapsed_s=0.0)

    def advance_if_due(self, now: float) -> GuidedSession:
        """Move on through every step whose time ran out by `now`, each next step starting the
        moment the one before ended (hands-free sessions); no change while paused."""
        session = self
        while session.running_since is not None and session.time_up(now):
            ended_at = session.running_since + session.current.duration_s - session.elapsed_s
            session = session._go(session.index + 1, ended_at)
        return session

    def summary(self) -> Summary:
        pressed = tuple(
            (step, seconds)
            for step, seconds in zip(self.steps, self.pressed_s, strict=True)
            if seconds > 0
        )
        not_pressed = tuple(
            step for step, seconds in zip(self.steps, self.pressed_s, strict=True) if seconds <= 0
        )
        return Summary(self.routine.concern, self.pregnant, pressed, not_pressed, self.left_out)

    def _record(self, now: float) -> GuidedSession:
        """Add the time spent on the current step to `pressed_s`."""
        pressed = list(self.pressed_s)
        pressed[self.index] += self.elapsed(now)
        return replace(self, pressed_s=tuple(pressed))

    def _go(self, index: int, now: float) -> GuidedSession:
        if self.finished:
            return self
        recorded = self._record(now)
        if index >= len(self.steps):
            return replace(recorded, finished=True, running_since=None, elapsed_s=0.0)
        running_since = None if self.paused else now
        return replace(recorded, index=index, elapsed_s=0.0, running_since=running_since)


def focus_box(
    xy: tuple[float, float],
    cun_px: float,
    image_size: tuple[int, int],
    half_width_cun: float = 8.0,
    half_height_cun: float = 10.0,
    min_fraction: float = 0.45,
) -> tuple[int, int, int, int]:
    """A crop (x0, y0, x1, y1) around a point so it shows large: about 16 x 20 cun of body, at
    least `min_fraction` of the image's shorter side across (for context when the body is small),
    never larger than the image, moved to stay inside it. `image_size` = (width, height)."""
    width, height = image_size
    floor = min_fraction * min(width, height)
    box_w = min(round(max(2 * half_width_cun * cun_px, floor)), width)
    aspect = half_height_cun / half_width_cun
    box_h = min(round(max(2 * half_height_cun * cun_px, floor * aspect)), height)
    x0 = min(max(round(xy[0] - box_w / 2), 0), width - box_w)
    y0 = min(max(round(xy[1] - box_h / 2), 0), height - box_h)
    return x0, y0, x0 + box_w, y0 + box_h
