"""Partner help on the Photo page: the tap board (place, drag, box), the landmark guide, and the
saved profiles. Taps and the chosen profile live in `st.session_state` per photo; profiles are
files in the user's data folder (finder.adapters.profiles)."""

from __future__ import annotations

import base64
from functools import partial
from pathlib import Path

import cv2
import numpy as np
import streamlit as st

from finder.adapters.imageio import downscale_for_inference
from finder.adapters.profiles import NAME_MAX_CHARS, ProfileError, ProfileStore
from finder.body.fit import (
    STATURE_RANGE_CM,
    FitError,
    Profile,
    Taps,
    profile_from,
    tap_guides,
)
from finder.body.result import FinderResult
from finder.render.diagrams import landmark_picture
from finder.ui import Photo, sentence

BOARD_MAX_SIDE_PX = 1100  # pixels sent to the browser for the tap board
ADJUST = "taps_adjust"  # the "place landmarks" toggle
ACTIVE = "taps_active"  # which landmark a click places (a radio)
STATURE = "taps_stature"  # the receiver's height in cm, None (empty) = not given
PROFILE = "profile_choice"  # the applied profile's name ("" = none)
SAVE_AS = "profile_save_as"
MODE = "taps_mode"  # what a click on the board does
PLACE, BOX = "Place a landmark", "Draw a box around the receiver"
PERSISTENT_KEYS = (ACTIVE, STATURE, PROFILE, MODE)
NO_PROFILE = ""
FIRST_MARKS = ("C7", "iliac_crest_top_left", "iliac_crest_top_right")
"""The marks asked for first: the bump at the base of the neck and the two hip-bone tops place
every back point (finder.body.fit)."""
MARK_ORDER = (*FIRST_MARKS, *(g.name for g in tap_guides() if g.name not in FIRST_MARKS))
_TAPS = "_taps"  # photo key -> {landmark: (x, y) image px}
_BOXES = "_boxes"  # photo key -> (x, y, w, h) image px around the receiver
_REVISION = "_taps_revision"  # bumped when Python changes the taps, to reset the board
_NOTICE = "_profile_notice"  # (kind, message) shown once after a profile action

TAPBOARD = st.components.v2.component(
    "tapboard",
    html='<div class="tapboard"><canvas></canvas></div>',
    css=".tapboard { width: 100%; } canvas { display: block; touch-action: none; "
    "cursor: crosshair; border-radius: 0.5rem; }",
    js=Path(__file__).with_name("tapboard.js").read_text(encoding="utf-8"),
)


def store() -> ProfileStore:
    return ProfileStore()


def photo_taps(photo: Photo) -> dict[str, tuple[float, float]]:
    """This photo's taps (image px), editable in place."""
    return st.session_state.setdefault(_TAPS, {}).setdefault(photo.key, {})


def current_taps(photo: Photo) -> Taps | None:
    """The partner's taps on `photo` and the height, or None when nothing was given."""
    taps = photo_taps(photo)
    stature = st.session_state.get(STATURE) or None
    if stature is not None and not STATURE_RANGE_CM[0] <= stature <= STATURE_RANGE_CM[1]:
        stature = None  # outside the body model's range: not used (the board says so)
    if not taps and stature is None:
        return None
    return Taps(dict(taps), stature)


def current_box(photo: Photo) -> tuple[int, int, int, int] | None:
    """The box the partner drew around the receiver on `photo` (image px), if any."""
    return st.session_state.setdefault(_BOXES, {}).get(photo.key)


def chosen_profile() -> Profile | None:
    """The profile the partner applied, or None (also when it cannot be read any more)."""
    name = st.session_state.get(PROFILE, NO_PROFILE)
    if not name:
        return None
    try:
        return store().load(name)
    except ProfileError as error:
        st.session_state[_NOTICE] = ("error", sentence(str(error)))
        st.session_state[PROFILE] = NO_PROFILE
        return None


def render_tap_board(photo: Photo, prior: FinderResult, drawn: np.ndarray) -> None:
    """The annotated photo as a board: a click places the chosen landmark, a drag moves a
    mark; the pose's own estimates show as dashed starting positions."""
    state = st.session_state
    taps = photo_taps(photo)
    height, width = photo.bgr.shape[:2]
    suggested = prior.anatomy.landmarks if prior.anatomy else {}
    markers = []
    for guide in tap_guides():
        xy = taps.get(guide.name)
        start = suggested[guide.name].xy if guide.name in suggested else None
        position = xy if xy is not None else start
        markers.append(
            {
                "name": guide.name,
                "label": guide.label,
                "x": None if position is None else float(position[0]),
                "y": None if position is None else float(position[1]),
                "placed": xy is not None,
            }
        )
    revision = state.setdefault(_REVISION, 0)
    active = state.setdefault(ACTIVE, MARK_ORDER[0])
    TAPBOARD(
        data={
            "image": _data_url(drawn),
            "width": width,
            "height": height,
            "markers": markers,
            "active": active,
            "mode": "box" if state.get(MODE) == BOX else "tap",
            "box": current_box(photo),
            "revision": revision,
        },
        default={"taps": {name: list(xy) for name, xy in taps.items()}, "box": None},
        key=_board_key(photo),
        on_taps_change=partial(_on_board_change, photo),
        on_box_change=partial(_on_box_change, photo),
    )


def _board_key(photo: Photo) -> str:
    return f"tapboard-{photo.key}-{st.session_state.get(_REVISION, 0)}"


def _on_box_change(photo: Photo) -> None:
    box = (st.session_state.get(_board_key(photo)) or {}).get("box")
    boxes = st.session_state.setdefault(_BOXES, {})
    if box and box[2] > 0 and box[3] > 0:
        boxes[photo.key] = tuple(int(v) for v in box)


def _on_board_change(photo: Photo) -> None:
    placed = (st.session_state.get(_board_key(photo)) or {}).get("taps") or {}
    taps = photo_taps(photo)
    new = {name: (float(x), float(y)) for name, (x, y) in placed.items()}
    # The marks just placed or moved go last: when the marks contradict each other, the
    # finder sets the latest one aside first.
    kept = {name: xy for name, xy in taps.items() if new.get(name) == xy}
    taps.clear()
    taps.update({**kept, **{name: xy for name, xy in new.items() if name not in kept}})
    _advance(taps)


def _advance(taps: dict) -> None:
    """Move the landmark choice to the next one not yet placed."""
    following = [name for name in MARK_ORDER if name not in taps]
    if following:
        st.session_state[ACTIVE] = following[0]


def start_guide(photo: Photo) -> None:
    """A photo just opened: the next click places the first landmark not yet marked on it
    (C7 on a new photo), not the one the last photo's marking stopped at."""
    st.session_state[ACTIVE] = MARK_ORDER[0]
    _advance(photo_taps(photo))


def render_mark_controls(photo: Photo) -> None:
    """What a click on the board does, right above it (also on a phone): place the next
    landmark, with its one-line instruction and a small picture, and undo buttons; or draw a
    box around the receiver."""
    state = st.session_state
    st.radio(
        "A click on the photo:",
        (PLACE, BOX),
        key=MODE,
        horizontal=True,
        label_visibility="collapsed",
    )
    if state.get(MODE) == BOX:
        st.markdown(
            "**Drag a rectangle around the person being massaged**: the finder then looks for "
            "the body only inside it."
        )
        st.button(
            "Remove the box",
            on_click=_remove_box,
            args=(photo,),
            disabled=current_box(photo) is None,
        )
        return
    guides = {guide.name: guide for guide in tap_guides()}
    taps = photo_taps(photo)
    state.setdefault(ACTIVE, MARK_ORDER[0])
    # Horizontal containers, not columns: they stay side by side on a phone, where columns
    # stack and would push the board a screen further down.
    words_and_picture = st.container(horizontal=True, vertical_alignment="center")
    with words_and_picture.container():
        st.selectbox(
            "Your next click places",
            MARK_ORDER,
            key=ACTIVE,
            format_func=lambda name: ("✓ " if name in taps else "") + guides[name].label,
        )
        guide = guides[state[ACTIVE]]
        st.caption(guide.instruction)
    words_and_picture.image(
        landmark_picture(guide.name, height_px=150), channels="BGR", width="content"
    )
    left_and_right = st.container(horizontal=True)
    left_and_right.button(
        f"Remove the {guide.label} mark",
        on_click=_remove,
        args=(photo, guide.name),
        disabled=guide.name not in taps,
        width="stretch",
    )
    left_and_right.button(
        "Clear all marks", on_click=_clear, args=(photo,), disabled=not taps, width="stretch"
    )


def render_height() -> None:
    """The receiver's height, which makes the marks' scale a little more exact."""
    low, high = (int(cm) for cm in STATURE_RANGE_CM)
    stature = st.number_input(
        "Receiver's height in cm (optional)",
        value=None,  # empty until given: a "0" read as a height to fill in
        min_value=0,
        max_value=high,
        step=1,
        key=STATURE,
        placeholder="Not given",
        help=f"Makes the finger's 1 cm uncertainty a little more exact: {low} to {high} cm.",
    )
    if stature and stature < low:
        st.warning(
            f"A height below {low} cm is not used: enter {low} to {high} cm, or leave it empty."
        )


def _remove_box(photo: Photo) -> None:
    st.session_state.setdefault(_BOXES, {}).pop(photo.key, None)
    _reset_board()


def _remove(photo: Photo, name: str) -> None:
    photo_taps(photo).pop(name, None)
    _reset_board()


def _clear(photo: Photo) -> None:
    photo_taps(photo).clear()
    _reset_board()


def _reset_board() -> None:
    st.session_state[_REVISION] = st.session_state.get(_REVISION, 0) + 1


def render_profile_notice() -> None:
    """The outcome of the last profile action (saved, deleted, not saved), shown once outside
    the Profiles section so that it stays in view when the section closes."""
    notice = st.session_state.pop(_NOTICE, None)
    if notice:
        getattr(st, notice[0])(notice[1])


def render_profiles(photo: Photo, result: FinderResult) -> None:
    """Apply, save, replace and delete named profiles."""
    state = st.session_state
    stored = store().list()
    names = [entry.name for entry in stored if entry.profile is not None]
    if state.get(PROFILE) not in (NO_PROFILE, *names):
        state[PROFILE] = NO_PROFILE
    st.selectbox(
        "Apply a saved profile",
        [NO_PROFILE, *names],
        key=PROFILE,
        format_func=lambda name: name or "None",
        help="A profile keeps the marks you placed for one person, relative to their body, so "
        "they follow them on other photos and in the live view.",
    )
    for entry in stored:
        if entry.profile is None:
            st.warning(f"{sentence(entry.problem)}.")
    taps = current_taps(photo)
    can_save = taps is not None and bool(taps.image_xy) and result.anatomy is not None
    name_column, button_column = st.columns([2, 1], vertical_alignment="bottom")
    name_column.text_input(
        "Save the marks as a profile named", key=SAVE_AS, max_chars=NAME_MAX_CHARS
    )
    button_column.button(
        "Save profile",
        on_click=_save,
        args=(photo, result),
        disabled=not can_save,
        width="stretch",
    )
    if not can_save:
        st.caption("Place at least one mark on a body the finder can use, then save.")
    if state.get(PROFILE):
        st.button("Delete this profile", on_click=_delete, args=(state[PROFILE],))


def _save(photo: Photo, result: FinderResult) -> None:
    state = st.session_state
    name = state.get(SAVE_AS, "").strip()
    taps = current_taps(photo)
    try:
        if taps is None or result.anatomy is None:
            raise ProfileError("place at least one mark on a body the finder can use first")
        profile = profile_from(name, taps, result.anatomy)
        existing = {entry.name for entry in store().list()}
        path = store().save(profile, replace=name in existing and name == state.get(PROFILE))
    except (ProfileError, FitError) as error:
        state[_NOTICE] = ("error", f"Not saved: {error}.")
        return
    state[PROFILE] = profile.name
    state[_NOTICE] = ("success", f"Saved the profile “{profile.name}” in {path.parent}.")


def _delete(name: str) -> None:
    state = st.session_state
    try:
        store().delete(name)
    except ProfileError as error:
        state[_NOTICE] = ("error", sentence(str(error)))
        return
    state[PROFILE] = NO_PROFILE
    state[_NOTICE] = ("info", f"Deleted the profile “{name}”.")


def _data_url(bgr: np.ndarray) -> str:
    small, _ = downscale_for_inference(bgr, BOARD_MAX_SIDE_PX)
    encoded = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 85])[1]
    return "data:image/jpeg;base64," + base64.b64encode(encoded.tobytes()).decode("ascii")
