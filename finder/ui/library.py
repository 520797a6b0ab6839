"""The Point library page: every catalog point, found by any of its names."""

from __future__ import annotations

import streamlit as st

from finder.body.catalog import Point, load_catalog
from finder.ui import sentence

SEARCH = "library_search"
PERSISTENT_KEYS = (SEARCH,)
VIEW_WORDS = {"back": "the back", "front": "the front", "hand": "the back of the hand"}
PREGNANCY_WORDS = {
    "avoid": "Avoid during pregnancy (traditionally said to bring on labour).",
    "caution": "During pregnancy many practitioners leave this point out.",
}


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


def describe_point(point: Point) -> None:
    """Names, location, technique and cautions (pregnancy first) of one point."""
    sides = "both sides" if point.bilateral else "on the midline"
    where = " or ".join(VIEW_WORDS[view] for view in point.views)
    lines = [
        f"**Name:** {point.pinyin} {point.hanzi}, {point.english}; {point.meridian} meridian",
        f"**Also called:** {', '.join(point.aliases)}",
        f"**Where:** {point.who_location}",
        f"**Find it by touch:** {point.hint}",
        f"**Seen from:** {where}; {sides}",
        f"**How to press:** {point.technique.how} ({point.technique.seconds} per side)",
    ]
    if point.indications:
        lines.append(f"**What it is for:** {'; '.join(point.indications)}")
    st.markdown("  \n".join(lines))
    cautions = list(point.cautions)
    if point.pregnancy:
        cautions.insert(0, PREGNANCY_WORDS[point.pregnancy])
    if cautions:
        st.warning("**Cautions:** " + " ".join(cautions))
    st.caption(f"Source: {point.source}")
