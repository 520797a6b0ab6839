"""The point finder web app: `streamlit run streamlit_app.py`.

Widgets and wiring only; the pages live in `finder.ui`, the logic in `finder`.
"""

from __future__ import annotations

import streamlit as st

from finder.ui import DISCLAIMER, PAGES, guarded, guided, hand, keep_widget_state, library, photo

PAGE = "page"  # the open tab


def render_live() -> None:
    """The live camera page, from finder.ui.live when it exists."""
    from finder.ui.live import render_live_page  # deferred: WebRTC imports cost startup time

    render_live_page()


RENDERERS = {
    "Photo": photo.render_photo_page,
    "Hand": hand.render_hand_page,
    "Guided session": guided.render_guided_page,
    "Live camera": render_live,
    "Point library": library.render_library_page,
}

st.set_page_config(page_title="Acupressure point finder", page_icon="👐", layout="wide")
keep_widget_state(
    (
        *photo.PERSISTENT_KEYS,
        *hand.PERSISTENT_KEYS,
        *guided.PERSISTENT_KEYS,
        *library.PERSISTENT_KEYS,
    )
)
st.title("Acupressure point finder")
st.caption(DISCLAIMER)
# Lazy tabs: only the open one runs (on_change="rerun"), so a hidden page costs nothing.
for tab, name in zip(st.tabs(PAGES, key=PAGE, on_change="rerun"), PAGES, strict=True):
    if tab.open:
        with tab:
            guarded(RENDERERS[name])
