"""The Point library page: every catalog point, found by any of its names."""

from __future__ import annotations

import streamlit as st

from finder.body.catalog import load_catalog
from finder.ui import sentence
from finder.ui.points import describe_point

SEARCH = "library_search"
PERSISTENT_KEYS = (SEARCH,)


def render_library_page() -> None:
    catalog = load_catalog()
    st.session_state.setdefault(SEARCH, "")
    text = st.text_input(
        "Search by code or name",
        key=SEARCH,
        placeholder="BL-23, B23, UB23, Shenshu, Kidney Transporter, sciatica…",
    )
    points = catalog.find(text)
    if not points:
        try:
            catalog.get(text)
        except KeyError as error:
            st.info(sentence(error.args[0]) + ".")
        return
    st.caption(f"{len(points)} of {len(catalog.points)} points")
    for point in points:
        with st.expander(point.name, expanded=len(points) == 1):
            describe_point(point)
