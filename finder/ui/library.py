"""The Point library page: every catalog point, found by any of its names."""

from __future__ import annotations

import streamlit as st

from finder.body.catalog import load_catalog
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
    with st.expander("Reading the locations: cun and the spine's bumps"):
        st.markdown(f"{catalog.cun_guide}\n\n{catalog.spine_guide}")
    points = catalog.find(text)
    if not points:
        st.info(no_match(text, catalog.close_codes(text), len(catalog.points)))
        return
    st.caption(f"{len(points)} of {len(catalog.points)} points")
    for point in points:
        with st.expander(point.name, expanded=len(points) == 1):
            describe_point(point)


def no_match(text: str, close: tuple[str, ...], total: int) -> str:
    """What to try when a search finds nothing: the codes spelled alike, else the kinds of
    words the search knows."""
    if close:
        return f"No point matches “{text.strip()}”. Did you mean {', '.join(close)}?"
    return (
        f"No point matches “{text.strip()}”. Search by a code (BL-23, B23), a name (Shenshu, "
        f"Kidney Transporter) or what it is used for (sciatica, stress); clear the box to see "
        f"all {total} points."
    )
