"""The Photo page: a back photo (uploaded or a bundled sample) with its points drawn, the
partner's marking board when the camera model alone cannot place them, tables of the located and
omitted points, and downloads of the picture and the JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
import streamlit as st

from finder.adapters.imageio import downscale_for_inference
from finder.body.catalog import load_catalog
from finder.body.result import Basis, FinderResult
from finder.body.view import VIEW_CHOICES
from finder.render.overlay import Annotator
from finder.ui import (
    BACK_PHOTO,
    ROUTINE,
    SAMPLE,
    VIEW,
    Photo,
    current_photo,
    plain,
    sentence,
    table,
)
from finder.ui.points import located_rows, omitted_rows, only, render_how_to_press
from finder.ui.receiver import Located, locate_receiver
from finder.ui.taps import (
    ADJUST,
    BOX,
    MODE,
    PROFILE,
    current_taps,
    render_height,
    render_mark_controls,
    render_profile_notice,
    render_profiles,
    render_tap_board,
    start_guide,
)
from finder.ui.taps import PERSISTENT_KEYS as TAP_KEYS

FOCUS = "photo_focus"  # which points: all, a routine's concern, or one by one
CODES = "photo_codes"  # the one-by-one choice (a multiselect)
# Widgets whose value outlives a page switch.
PERSISTENT_KEYS = (VIEW, SAMPLE, FOCUS, CODES, ADJUST, *TAP_KEYS)
ALL_POINTS = "All points"
ONE_BY_ONE = "Choose points one by one"
_DRAWN = "_photo_drawn"  # (what was drawn, the annotated picture)
_SHOWN = "_photo_shown"  # (the annotated picture, the cut picture shown for it)
_OPENED_FOR = "_photo_board_opened_for"  # the photo whose board was opened or closed for it
DISPLAY_MAX_HEIGHT_PX = 760  # on screen (CSS px); narrower screens scale the picture down
DISPLAY_MAX_SIDE_PX = 1600  # pixels sent to the browser (sharp on high-density screens)
CROP_MARGIN_CUN = 4.0  # around the outermost points when the picture is cropped to them
CROP_MIN_FRACTION = 0.3  # of the picture's longer side: the crop never zooms in further
_LAYOUT = "photo_layout"  # the container of the two columns (its CSS class is st-key-...)
_CONTROLS_LEFT = (
    "<style>@media (min-width: 641px) {"
    f" .st-key-{_LAYOUT} [data-testid=stHorizontalBlock] {{ flex-direction: row-reverse; }}"
    f" .st-key-{_LAYOUT} [data-testid=stHorizontalBlock] [data-testid=stHorizontalBlock]"
    " { flex-direction: row; } }</style>"
)
"""Wider than a phone (Streamlit stacks columns at 640 CSS px and below), the two columns swap
sides: controls left, picture right."""
_BASIS_WORDS = {Basis.TAPS: "Placed from your marks", Basis.POSE_AND_TAPS: "Fitted to your marks"}


def render_photo_page() -> None:
    catalog = load_catalog()
    state = st.session_state
    state.setdefault(VIEW, "auto")
    state.setdefault(FOCUS, catalog.routines[0].concern)  # a routine reads better than 30 points
    state.setdefault(CODES, [])

    # The photo and the view come from widgets whose callbacks ran before this run, so the
    # receiver is located first: a refused photo's way forward then heads the page (on a phone
    # the controls would push it below the fold).
    photo = current_photo()
    located = locate_receiver(photo) if photo is not None else None
    first_steps = located is not None and located.refused and current_taps(photo) is None
    with st.container():  # always drawn, so the columns below keep their place in the page
        if first_steps:
            _first_steps()
    # The picture's column comes first in the page, so a phone (where columns stack in page
    # order) shows the photo or the marking board right below the way forward, and the
    # uploader and options after it; a wider screen keeps the controls on the left.
    st.html(_CONTROLS_LEFT)
    with st.container(key=_LAYOUT):
        picture, controls = st.columns([1.4, 1], gap="large")
    with controls:
        BACK_PHOTO.render("photo")
        st.radio(
            "Which side of the body faces the camera?",
            VIEW_CHOICES,
            key=VIEW,
            horizontal=True,
            format_func=lambda view: {"auto": "Find out (auto)"}.get(view, view.capitalize()),
        )
        codes = _choose_points(catalog)

    if photo is None or located is None:
        with picture:
            st.info("Upload a photo of the receiver's back to begin.")
        return
    full = located.full
    result = only(full, codes)
    if state.get(_OPENED_FOR) != photo.key:  # a new photo: the board opens when it is refused
        state[_OPENED_FOR] = photo.key
        state[ADJUST] = located.refused
        start_guide(photo)
    taps = current_taps(photo)
    help_key = (taps and tuple(sorted(taps.image_xy.items())), taps and taps.stature_cm)
    drawn = _annotated(
        photo, result, (photo.key, state[VIEW], tuple(codes), help_key, full.profile)
    )
    with picture:
        adjusting = st.toggle(
            "Mark the back by hand",
            key=ADJUST,
            help="Click or drag the landmarks you can see or feel; the points follow.",
        )
        if adjusting:
            render_mark_controls(photo)
        for message in _messages(located, result, codes, marked=taps is not None):
            message.show()
        if adjusting:
            with _fitted(drawn.shape):
                render_tap_board(photo, located.prior, drawn if result.points else photo.bgr)
                st.caption(caption(photo, result))
        else:
            shown = _shown(photo, result, drawn)
            with _fitted(shown.shape):
                small, _ = downscale_for_inference(shown, DISPLAY_MAX_SIDE_PX)
                st.image(small, channels="BGR", width="stretch", caption=caption(photo, result))
        if first_steps:  # under the photo, so that a phone shows the board first
            st.caption(f"Why the camera model alone could not: {full.problems[0]}.")
        if located.another_person:
            st.button("Draw a box around the receiver", on_click=_box_mode)
        if result.points:
            _downloads(photo, result, drawn)
    with controls:
        if adjusting:
            render_height()
        render_profile_notice()
        with st.expander("Profiles", expanded=full.profile is not None):
            render_profiles(photo, full)

    if result.points:
        st.subheader("Located points")
        st.caption("Within: how far the true point may lie from the mark (one standard deviation).")
        table(located_rows(result, catalog.get))
        render_how_to_press(result, catalog.get)
    if full.accepted and result.omitted:
        st.subheader("Not placed on this photo")
        table(omitted_rows(result, catalog.get))


@dataclass(frozen=True)
class Message:
    """A message for where the user looks (next to the photo), shown with `kind` (st.info,
    st.warning, st.error or st.caption)."""

    kind: Callable[[str], object]
    text: str

    def show(self) -> None:
        self.kind(self.text)


def _messages(
    located: Located, result: FinderResult, codes: list[str], marked: bool
) -> list[Message]:
    """What to say next to the photo: a box not used; why the partner's marks place nothing
    yet; the chosen points not placed; the result's notes (marks set aside, another person)."""
    full = located.full
    messages = []
    if located.box_problem:
        messages.append(Message(st.error, located.box_problem))
    if not full.accepted:
        if marked:
            messages.append(Message(st.warning, sentence(full.problems[0]) + "."))
    elif not result.points and codes:
        messages.append(Message(st.warning, sentence(result.summary()) + "."))
    else:
        messages += [Message(st.warning, sentence(note) + ".") for note in full.notes]
    if st.session_state.get(PROFILE) and full.profile is None and full.accepted:
        messages.append(
            Message(
                st.caption,
                "A profile follows a body the camera model found; on this photo your marks are "
                "used as they are.",
            )
        )
    return messages


def _first_steps() -> None:
    """What to do first on a refused photo (why it was refused is said under the board)."""
    st.info(
        "**Mark the back by hand to place the points.** Click the bump at the base of the neck "
        "(C7), then the two hip-bone tops (crest tops). If the hips are out of the picture, "
        "click the two shoulder tops instead.",
        icon=":material/touch_app:",
    )


def _fitted(shape: tuple[int, ...]):
    """A container as wide as a picture of `shape` shown at most DISPLAY_MAX_HEIGHT_PX tall; it
    shrinks to fit a narrow screen and the picture fills it."""
    height, width = shape[:2]
    return st.container(width=min(width, round(DISPLAY_MAX_HEIGHT_PX * width / height)))


def crop_box(result: FinderResult) -> tuple[int, int, int, int] | None:
    """Where the picture is cut so the back fills the view (x0, y0, x1, y1 image px): the points
    with a margin (CROP_MARGIN_CUN around them, at least CROP_MIN_FRACTION of the picture's
    longer side); None when there is nothing to cut to."""
    if not result.points or result.cun_px is None:
        return None
    width, height = result.width, result.height
    xy = np.array([p.xy for p in result.points])
    margin = max(CROP_MARGIN_CUN * result.cun_px, CROP_MIN_FRACTION * max(width, height) / 2)
    x0, y0 = np.floor(xy.min(axis=0) - margin).astype(int)
    x1, y1 = np.ceil(xy.max(axis=0) + margin).astype(int)
    return max(int(x0), 0), max(int(y0), 0), min(int(x1), width), min(int(y1), height)


def shown_picture(bgr: np.ndarray, result: FinderResult) -> np.ndarray:
    """The photo cut to `crop_box` with the result drawn on the cut picture, so the labels and
    the legend (the key to the colours and the rings) lie inside what is shown; the whole
    drawn photo when there is nothing to cut to."""
    box = crop_box(result)
    if box is None:
        return Annotator().annotate(bgr, result)
    x0, y0, x1, y1 = box
    return Annotator().annotate(bgr[y0:y1, x0:x1], result.cropped(box))


def _shown(photo: Photo, result: FinderResult, drawn: np.ndarray) -> np.ndarray:
    """`shown_picture`, kept for the next run with the drawn photo it goes with."""
    state = st.session_state
    cached = state.get(_SHOWN)
    if cached is None or cached[0] is not drawn:
        cached = state[_SHOWN] = (drawn, shown_picture(photo.bgr, result))
    return cached[1]


def _box_mode() -> None:
    st.session_state[ADJUST] = True
    st.session_state[MODE] = BOX


def _annotated(photo: Photo, result: FinderResult, key: tuple) -> np.ndarray:
    """The photo with `result` drawn, kept for the next run while nothing changes (a large
    photo takes a moment to draw)."""
    state = st.session_state
    cached = state.get(_DRAWN)
    if cached is None or cached[0] != key:
        cached = state[_DRAWN] = (key, Annotator().annotate(photo.bgr, result))
    return cached[1]


def _choose_points(catalog) -> list[str]:
    concerns = [routine.concern for routine in catalog.routines]
    focus = st.selectbox(
        "Points to show",
        [ALL_POINTS, *concerns, ONE_BY_ONE],
        key=FOCUS,
        on_change=_follow_focus,
        args=(concerns,),
    )
    if focus == ALL_POINTS:
        return [point.code for point in catalog.points]
    if focus == ONE_BY_ONE:
        codes = st.multiselect(
            "Points",
            [point.code for point in catalog.points],
            key=CODES,
            format_func=lambda code: catalog.get(code).name,
            placeholder="Type a code or a name",
        )
        if not codes:
            st.info("Choose one or more points.")
        return list(codes)
    return list(catalog.routine(focus).points)


def _follow_focus(concerns: list[str]) -> None:
    """A routine chosen here is the guided session's routine too."""
    state = st.session_state
    if state.get(FOCUS) in concerns:
        state[ROUTINE] = state[FOCUS]


def caption(photo: Photo, result: FinderResult) -> str:
    """The line under the picture: the photo, what the points rest on when it is the partner's
    marks or a profile, and the view. Not the count of points or how the camera model found the
    body (the tables and the messages beside the photo say what a partner needs)."""
    parts = [f"Sample photo: {photo.licence}" if photo.licence else plain(photo.name)]
    if result.profile:
        parts.append(f"Fitted to {plain(result.profile)}'s profile")
    elif result.basis in _BASIS_WORDS:
        parts.append(_BASIS_WORDS[result.basis])
    if result.view is not None and result.basis is not Basis.TAPS:
        parts.append(f"View: {result.view} ({result.view_reason})")
    return ". ".join(parts) + "."


def _downloads(photo: Photo, result: FinderResult, drawn) -> None:
    left, right = st.columns(2)
    left.download_button(
        "Download picture (PNG)",
        data=lambda: cv2.imencode(".png", drawn)[1].tobytes(),
        file_name=f"{photo.stem}-points.png",
        mime="image/png",
        on_click="ignore",
        width="stretch",
    )
    payload = {"photo": photo.name, **result.to_dict()}
    right.download_button(
        "Download points (JSON)",
        data=json.dumps(payload, indent=1) + "\n",
        file_name=f"{photo.stem}-points.json",
        mime="application/json",
        on_click="ignore",
        width="stretch",
    )
