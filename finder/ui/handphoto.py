"""The receiver's hand photo, shared by the Hand page and the guided session's hand steps:
the upload, camera and sample widgets, the current hand photo, its hand points (once per session
and photo), and a guided step's picture of one hand point."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from finder.body.catalog import Point
from finder.body.result import FinderResult
from finder.pipelines.hand import locate_hand_points
from finder.render.overlay import Annotator
from finder.ui import (
    SAMPLE_SUFFIXES,
    SAMPLES_DIR,
    Photo,
    hand_estimator,
    photo_from_upload,
    photo_or_sample,
    remember,
    sentence,
)

HAND_SAMPLES = "hands"  # folder of hand samples inside samples/
SAMPLE = "hand_sample"  # the chosen hand sample (a selectbox)
_PHOTO = "_hand_photo"  # the uploaded or captured Photo, while it is the current one
_ERROR = "_hand_photo_error"
_GENERATION = "_hand_input_generation"  # bumped to empty the uploader and the camera
_RESULTS = "_hand_results"


def render_hand_step(point: Point, side: str) -> None:
    """The guided session's picture for a point on the back of the hand: a photo of that hand
    with the point drawn large, or why it is not placed and a way to take the photo."""
    photo = current_hand_photo()
    result = analyse_hand(photo) if photo is not None else None
    placed = [p for p in result.points if (p.code, p.side) == (point.code, side)] if result else []
    if placed:
        drawn = Annotator(show_legend=False).annotate(
            photo.bgr, replace(result, points=(placed[0],)), highlight=point.code
        )
        st.image(
            drawn,
            channels="BGR",
            width="stretch",
            caption=f"{point.code} on the back of the receiver's {side} hand.",
        )
    else:
        reason = _why_not(result, point.code, side) if result else "no photo of the hand yet"
        st.info(
            f"{sentence(reason)}. Take a photo of the back of the receiver's {side} hand below, "
            f"or find it by touch: {point.hint}"
        )
    with st.expander("Photo of the hand", expanded=not placed):
        hand_photo_input("guided_hand")


def hand_photo_input(prefix: str) -> None:
    """Upload, camera and sample widgets that set the current hand photo; `prefix` keeps the
    widgets of different pages apart."""
    state = st.session_state
    generation = state.setdefault(_GENERATION, 0)
    upload_key = f"{prefix}_upload_{generation}"
    st.file_uploader(
        "Upload a photo of the back of the hand",
        key=upload_key,
        on_change=_on_photo,
        args=(upload_key,),
        help="JPEG, PNG, WebP and most other image files; convert iPhone HEIC photos to JPEG "
        "first. The photo stays in this browser session only; nothing is saved.",
    )  # any file: the content decides, and a file that cannot be read gets a message
    if st.toggle("Use this device's camera", key=f"{prefix}_camera_on"):
        camera_key = f"{prefix}_camera_{generation}"
        st.camera_input(
            "Take a photo of the back of the hand",
            key=camera_key,
            on_change=_on_photo,
            args=(camera_key,),
        )
    if state.get(_ERROR):
        st.error(state[_ERROR])
    names = hand_sample_names()
    if names:
        state.setdefault(SAMPLE, names[0])
        st.selectbox(
            "Or try a sample photo",
            names,
            key=SAMPLE,
            on_change=_use_sample,
            format_func=lambda name: name.split("/")[-1],
        )
        if state.get(_PHOTO) is not None:
            st.button("Back to the sample photo", on_click=_use_sample, key=f"{prefix}_back")


def hand_sample_names() -> list[str]:
    """The bundled hand samples as paths under samples/ ("hands/hands-on-back.jpg")."""
    folder = SAMPLES_DIR / HAND_SAMPLES
    if not folder.is_dir():
        return []
    return sorted(
        f"{HAND_SAMPLES}/{p.name}" for p in folder.iterdir() if p.suffix.lower() in SAMPLE_SUFFIXES
    )


def current_hand_photo() -> Photo | None:
    """The uploaded or captured hand photo, else the chosen hand sample; None when neither."""
    state = st.session_state
    return photo_or_sample(state.get(_PHOTO), hand_sample_names(), state.get(SAMPLE))


def analyse_hand(photo: Photo) -> FinderResult:
    """The hand points on `photo` (all of them), computed once per session and photo with the
    app's shared hand model."""
    return remember(
        st.session_state.setdefault(_RESULTS, {}),
        photo.key,
        lambda: locate_hand_points(photo.bgr, estimator=hand_estimator()),
    )


def _on_photo(key: str) -> None:
    state = st.session_state
    state[_PHOTO], state[_ERROR] = photo_from_upload(state.get(key))


def _use_sample() -> None:
    state = st.session_state
    state[_PHOTO] = None
    state[_ERROR] = None
    state[_GENERATION] = state.get(_GENERATION, 0) + 1  # empties the uploader and the camera


def _why_not(result: FinderResult, code: str, side: str) -> str:
    for omission in result.omitted:
        if (omission.code, omission.side) == (code, side):
            return omission.reason
    return result.summary()
