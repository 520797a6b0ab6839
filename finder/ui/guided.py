"""The Guided session page: the partner chooses a concern, reads the cautions, then presses one
point and side at a time with a countdown; a summary ends the session.

The session itself is `finder.pipelines.guided.GuidedSession` (pure); this page keeps it in
`st.session_state` and feeds it the clock.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np
import streamlit as st

from finder.body.catalog import load_catalog
from finder.body.points import point_sides
from finder.body.result import FinderResult, LocatedPoint
from finder.pipelines.guided import GuidedSession, Step, focus_box, plan_steps
from finder.render.overlay import Annotator
from finder.ui import (
    PREGNANT,
    ROUTINE,
    Photo,
    current_photo,
    fmt_seconds,
    guarded,
    sentence,
    table,
)
from finder.ui.handphoto import render_hand_step
from finder.ui.receiver import locate_receiver

SESSION = "guided"  # the GuidedSession, or absent before a session starts
AUTO = "guided_auto"  # move on when the time is up (a toggle)
PERSISTENT_KEYS = (ROUTINE, PREGNANT, AUTO)
SEEN = "_guided_seen"  # clock time the session's page last ran (its countdown ticks each second)
AWAY = "_guided_away"  # True while the session is paused because the page was left
AWAY_S = 5.0  # longer than this without a tick: another page was open
clock = time.monotonic  # the page's clock; the session never reads the time itself


def render_guided_page() -> None:
    state = st.session_state
    state.setdefault(ROUTINE, load_catalog().routines[0].concern)
    state.setdefault(PREGNANT, False)
    state.setdefault(AUTO, True)
    session = _pause_if_away(state.get(SESSION))
    if session is None:
        _setup()
    elif session.finished:
        _summary(session)
    else:
        _step(session)


def _pause_if_away(session: GuidedSession | None) -> GuidedSession | None:
    """A running session whose page was hidden (another page open: nothing ticked for more than
    `AWAY_S`) is paused as of the last tick, rather than found several steps on, the skipped
    ones counted as pressed."""
    state = st.session_state
    now, seen = clock(), state.get(SEEN)
    state[SEEN] = now
    if session is None or session.paused or seen is None or now - seen <= AWAY_S:
        return session
    if state.get(AUTO, True):
        session = session.advance_if_due(seen)
    state[SESSION] = session.pause(seen)
    state[AWAY] = not session.finished
    return state[SESSION]


# --- before the session ----------------------------------------------------------------------


def _setup() -> None:
    catalog = load_catalog()
    st.markdown(
        "Press the receiver's points one at a time, each side in turn, while a timer counts "
        "down. The receiver lies face down or sits; you work from behind."
    )
    with st.container(border=True):
        st.markdown("**Before you start**")
        st.markdown("\n".join(f"- {caution}" for caution in catalog.general_cautions))
    left, right = st.columns([1, 1], gap="large")
    with left:
        concern = st.selectbox("What would the receiver like help with?", _concerns(), key=ROUTINE)
        pregnant = st.toggle("The receiver may be pregnant", key=PREGNANT)
        st.toggle("Move on automatically when the time is up", key=AUTO)
        routine = catalog.routine(concern)
        steps, left_out = plan_steps(routine, pregnant, catalog)
        st.button(
            "Start session",
            type="primary",
            on_click=_start,
            args=(concern, pregnant),
            width="stretch",
            disabled=not steps,  # Cold sensitivity is BL-23 alone, left out in pregnancy
        )
    with right:
        if steps:
            st.markdown(f"**{routine.concern}**: {len(steps)} steps, about {_total(steps)}")
            table(plan_rows(steps))
        else:
            st.info(f"**{routine.concern}**: no point is left to press; choose another concern.")
        if left_out:
            names = ", ".join(point.name for point in left_out)
            st.warning(f"Left out because the receiver may be pregnant: {names}.")


def plan_rows(steps: tuple[Step, ...]) -> list[dict[str, str]]:
    """One row per point of the plan, its sides together."""
    rows: dict[str, dict[str, str]] = {}
    for step in steps:
        row = rows.get(step.code)
        if row is None:
            rows[step.code] = {
                "Point": step.point.name,
                "Sides": step.side,
                "Time per side": fmt_seconds(step.duration_s),
                "Where": step.point.region,
            }
        else:
            row["Sides"] += f", {step.side}"
    return list(rows.values())


def _concerns() -> list[str]:
    return [routine.concern for routine in load_catalog().routines]


def _total(steps: tuple[Step, ...]) -> str:
    minutes = math.ceil(sum(step.duration_s for step in steps) / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''} of pressing"


def _start(concern: str, pregnant: bool) -> None:
    routine = load_catalog().routine(concern)
    st.session_state[SESSION] = GuidedSession.start(routine, pregnant, clock())
    st.session_state[SEEN] = clock()


# --- during the session ----------------------------------------------------------------------


def _step(session: GuidedSession) -> None:
    step = session.current
    total = len(session.steps)
    st.progress(
        session.index / total,
        text=f"{session.routine.concern}: step {session.index + 1} of {total}",
    )
    # The point, timer and buttons first: on a phone the columns stack, and the photo below
    # them keeps the countdown on the first screen.
    text, picture = st.columns([1.1, 1], gap="large")
    with text:
        st.subheader(step.point.name)
        st.markdown(f"#### {sentence(step.side_label)}")
        _timer()
        _controls(session)
        st.markdown(f"**Find it by touch:** {step.point.hint}")
        if step.counts_vertebrae:
            st.caption(load_catalog().spine_guide)
        st.markdown(f"**How to press:** {step.point.technique.how}")
        if step.point.indications:
            st.markdown(f"**What it is for:** {'; '.join(step.point.indications)}")
        if step.point.cautions:  # in view: a partner mid-session does not open expanders
            st.warning("**Take care:** " + " ".join(step.point.cautions))
        with st.expander("Exact location (WHO standard)"):
            st.markdown(step.point.who_location)
    with picture:
        _picture(step)


def _picture(step: Step) -> None:
    if step.on_hand:
        render_hand_step(step.point, step.side)
        return
    photo = current_photo()
    if photo is None:
        st.info("No photo: find it by touch.")
        return
    result = locate_receiver(photo).full  # the Photo page's marks, box, profile and view
    placed = [p for p in result.points if p.code == step.code and p.side == step.side]
    if not placed:
        st.info(not_drawn_text(result, step))
        return
    st.image(
        focus_image(photo, result, placed[0]),
        channels="BGR",
        width="stretch",
        caption=f"{step.code}, {step.side_label}: {_basis_words(result)}. Change the photo or "
        "the marks on the Photo page.",
    )


def _basis_words(result: FinderResult) -> str:
    """What placed the point, as the Photo page set it up."""
    if result.profile:
        return f"fitted to {result.profile}'s profile"
    return {"taps": "placed from your marks", "pose and taps": "fitted to your marks"}.get(
        result.basis, "placed by the camera model"
    )


def focus_image(photo: Photo, result: FinderResult, located: LocatedPoint) -> np.ndarray:
    """The photo with only this point on this side drawn large, cropped around it (BGR)."""
    drawn = Annotator(show_legend=False).annotate(
        photo.bgr,
        replace(result, points=(located,)),
        codes=[located.code],
        highlight=located.code,
    )
    height, width = drawn.shape[:2]
    x0, y0, x1, y1 = focus_box(located.xy, result.cun_px, (width, height))
    return drawn[y0:y1, x0:x1]


def not_drawn_text(result: FinderResult, step: Step) -> str:
    """Why the Photo page's photo shows no mark for this step, and what to do; the touch hint
    is beside it already. A photo without a trusted back says so once, not the Photo page's
    whole explanation on every step."""
    if not result.accepted:
        return (
            "The photo on the Photo page shows no back the finder can trust, so no point is "
            "drawn: find it by touch. To see the points drawn, mark the back by hand on the "
            "Photo page."
        )
    reason = next(
        (o.reason for o in result.omitted if o.code == step.code and o.side == step.side),
        "not placed",
    )
    return (
        f"Not on this photo ({reason}): find it by touch. To place it, mark the back by hand "
        "on the Photo page."
    )


@st.fragment(run_every=1)
def _timer() -> None:
    guarded(_tick)


def _tick() -> None:
    state = st.session_state
    session: GuidedSession | None = state.get(SESSION)
    if session is None or session.finished:
        return
    now = clock()
    state[SEEN] = now
    if state.get(AUTO, True):
        moved = session.advance_if_due(now)
        if moved is not session:
            state[SESSION] = moved
            st.rerun()  # the whole page: the next point's picture and text
    remaining = session.remaining(now)
    duration = session.current.duration_s
    with st.container(key="guided_timer"):
        st.markdown(
            f"<div style='font-size:3.2rem;font-weight:700;line-height:1.1'>"
            f"{fmt_seconds(math.ceil(remaining))}</div>",
            unsafe_allow_html=True,
        )
        st.progress(1 - remaining / duration)
        if session.paused and state.get(AWAY):
            st.caption("Paused while another page was open: press Resume.")
        elif session.paused:
            st.caption("Paused")
        elif remaining <= 0:
            st.caption("Time is up: press Next.")
        else:
            st.caption("Ease off and go slower if it hurts.")  # GB-21, SI-11: not steady


def _controls(session: GuidedSession) -> None:
    previous, pause, following = st.columns(3)
    previous.button(
        "Previous",
        icon=":material/skip_previous:",
        on_click=_move,
        args=("previous",),
        disabled=session.index == 0,
        width="stretch",
    )
    label, icon, action = (
        ("Resume", ":material/play_arrow:", "resume")
        if session.paused
        else ("Pause", ":material/pause:", "pause")
    )
    pause.button(label, icon=icon, on_click=_move, args=(action,), width="stretch")
    following.button(
        "Finish" if session.is_last else "Next",
        icon=":material/skip_next:",
        type="primary",
        on_click=_move,
        args=("next",),
        width="stretch",
    )
    left, middle, right = st.columns(3)
    left.toggle("Move on automatically", key=AUTO)
    middle.button(
        "Restart timer",
        icon=":material/replay:",
        on_click=_move,
        args=("restart",),
        type="tertiary",
        help="Give this side its full time again.",
    )
    right.button("End session", on_click=_move, args=("finish",), type="tertiary")


def _move(action: str) -> None:
    state = st.session_state
    session: GuidedSession | None = state.get(SESSION)
    if session is not None:
        state[SESSION] = getattr(session, action)(clock())
    state[SEEN], state[AWAY] = clock(), False


# --- after the session -----------------------------------------------------------------------


def _summary(session: GuidedSession) -> None:
    summary = session.summary()
    if summary.pressed:
        count = len(summary.points_pressed)
        ending = "complete" if not summary.not_pressed else "ended"
        st.success(
            f"Session {ending}: {count} point{'s' if count != 1 else ''} pressed, "
            f"{fmt_seconds(summary.total_s)} in all ({summary.concern})."
        )
        table(
            [
                {"Point": step.point.name, "Side": step.side, "Pressed": fmt_seconds(seconds)}
                for step, seconds in summary.pressed
            ]
        )
    else:
        st.info("The session ended before any point was pressed.")
    if summary.not_pressed:
        st.markdown("**Not pressed:** " + steps_text(summary.not_pressed))
    if summary.left_out:
        names = ", ".join(point.name for point in summary.left_out)
        st.markdown(f"**Left out for pregnancy:** {names}")
    st.button("New session", type="primary", on_click=_new_session)


def steps_text(steps: tuple[Step, ...]) -> str:
    """Points with their sides, e.g. "GB-21 Jianjing (Shoulder Well), right side; GV-14 Dazhui
    (Great Vertebra)": a point is named alone when all its sides are listed."""
    sides: dict[str, list[Step]] = {}
    for step in steps:
        sides.setdefault(step.code, []).append(step)
    return "; ".join(
        group[0].point.name
        if len(group) == len(point_sides(group[0].point))
        else f"{group[0].point.name}, {group[0].side} side"
        for group in sides.values()
    )


def _new_session() -> None:
    st.session_state.pop(SESSION, None)
