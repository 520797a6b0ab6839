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
    PhotoInput,
    hand_estimator,
    remember,
    sentence,
)

HAND_SAMPLES = "hands"  # folder of hand samples inside samples/
SAMPLE = "hand_sample"  # the chosen hand sample (a selectbox)
_RESULTS = "_hand_results"


def render_hand_step(point: Point, side: str) -> None:
    """The guided session's picture for a point on the back of the hand: a photo of that hand
    with the point drawn large, or why it is not placed and a way to take the photo."""
    photo = HAND_PHOTO.current()
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
        HAND_PHOTO.render("guided_hand")


def hand_sample_names() -> list[str]:
    """The bundled hand samples as paths under samples/ ("hands/hands-on-back.jpg")."""
    folder = SAMPLES_DIR / HAND_SAMPLES
    if not folder.is_dir():
        return []
    return sorted(
        f"{HAND_SAMPLES}/{p.name}" for p in folder.iterdir() if p.suffix.lower() in SAMPLE_SUFFIXES
    )


HAND_PHOTO = PhotoInput(
    photo_key="_hand_photo",
    sample_key=SAMPLE,
    samples=hand_sample_names,
    upload_label="Upload a photo of the back of the hand",
    upload_help="JPEG, PNG, WebP and most other image files; convert iPhone HEIC photos to JPEG "
    "first. The photo stays in this browser session only; nothing is saved.",
    camera_label="Take a photo of the back of the hand",
)
"""The receiver's hand: shared by the Hand page and the guided session's hand steps."""


def analyse_hand(photo: Photo) -> FinderResult:
    """The hand points on `photo` (all of them), computed once per session and photo with the
    app's shared hand model."""
    return remember(
        st.session_state.setdefault(_RESULTS, {}),
        photo.key,
        lambda: locate_hand_points(photo.bgr, estimator=hand_estimator()),
    )


def _why_not(result: FinderResult, code: str, side: str) -> str:
    for omission in result.omitted:
        if (omission.code, omission.side) == (code, side):
            return omission.reason
    return result.summary()
