"""The Hand page, "Show me the back of your hand": a photo of the back of the receiver's hand
(uploaded, taken with this device's camera, or the bundled sample) with LI-4 and TE-3 drawn on
each back of a hand, how to press them and their cautions.

The guided session's hand steps use the same photo (finder.ui.handphoto). The hand model
lives in `finder.body.hands`; this page only wires it.
"""

from __future__ import annotations

import streamlit as st

from finder.body.catalog import load_catalog
from finder.body.hands import hand_points
from finder.body.result import FinderResult
from finder.pipelines.guided import split_for_pregnancy
from finder.render.overlay import Annotator
from finder.ui import PREGNANT, Photo, plain, sentence, table
from finder.ui.handphoto import HAND_PHOTO, SAMPLE, analyse_hand
from finder.ui.points import describe_point, located_rows, omitted_rows, only

PERSISTENT_KEYS = (SAMPLE,)
HAND_TIP = (
    "Tip: the back of the hand toward the camera, fingers together and straight, the hand "
    "filling much of the picture, in good light."
)


def render_hand_page() -> None:
    state = st.session_state
    state.setdefault(PREGNANT, False)
    st.subheader("Show me the back of your hand")
    st.markdown(
        "Two points for the upper back, neck and shoulders lie on the back of the hand: LI-4 and "
        "TE-3. Take or upload a photo of the back of the receiver's hand (one or both hands); the "
        "finder tells which hand it is and marks the points on its back."
    )
    controls, picture = st.columns([1, 1.4], gap="large")
    with controls:
        HAND_PHOTO.render("hand")
        pregnant = st.toggle("The receiver may be pregnant", key=PREGNANT)
    kept, left_out = split_for_pregnancy(hand_points(), pregnant)
    photo = HAND_PHOTO.current()
    with picture:
        if photo is None:
            st.info("Take or upload a photo of the back of the receiver's hand to begin.")
            return
        full = analyse_hand(photo)
        result = only(full, [point.code for point in kept])
        st.image(
            Annotator().annotate(photo.bgr, result),
            channels="BGR",
            width="stretch",
            caption=_caption(photo, full),
        )
        if not full.accepted:  # no hand found: its message already says how to show one
            tip = "" if full.nobody_found else f" {HAND_TIP}"
            st.warning(f"{sentence(full.summary())}.{tip}")
        if left_out:
            names = ", ".join(point.name for point in left_out)
            st.warning(f"Left out because the receiver may be pregnant: {names}.")
    if result.points:
        st.subheader("Located points")
        table(located_rows(result, load_catalog().get))
    if full.accepted and result.omitted:
        st.subheader("Not placed on this photo")
        table(omitted_rows(result, load_catalog().get))
    st.subheader("How to press")
    for point in kept:
        with st.expander(point.name, expanded=True):
            describe_point(point)


def _caption(photo: Photo, result: FinderResult) -> str:
    source = f"Sample photo: {photo.licence}" if photo.licence else plain(photo.name)
    return f"{source}. {sentence(result.view_reason)}." if result.view_reason else source
