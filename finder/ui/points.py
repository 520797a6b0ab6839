"""Shared point widgets for the pages: a result limited to the chosen points, the tables of
located and omitted points, and one point's full description."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

import streamlit as st

from finder.body.catalog import Point
from finder.body.result import FinderResult
from finder.ui import sentence

VIEW_WORDS = {"back": "the back", "front": "the front", "hand": "the back of the hand"}
PREGNANCY_NOTES = {"avoid": "avoid in pregnancy", "caution": "care in pregnancy"}
PREGNANCY_WORDS = {
    "avoid": "Avoid during pregnancy (traditionally said to bring on labour).",
    "caution": "During pregnancy many practitioners leave this point out.",
}


def only(result: FinderResult, codes: Iterable[str]) -> FinderResult:
    """`result` limited to `codes` (located and omitted alike), in the order of `codes`."""
    order = {code: rank for rank, code in enumerate(codes)}
    return replace(
        result,
        points=tuple(
            sorted((p for p in result.points if p.code in order), key=lambda p: order[p.code])
        ),
        omitted=tuple(
            sorted((o for o in result.omitted if o.code in order), key=lambda o: order[o.code])
        ),
    )


def within_text(radius_cm: float | None) -> str:
    """A point's uncertainty for a person: "± 1.5 cm" (FinderResult.uncertainty_cm: one
    standard deviation, rounded up to half a centimetre); "" when the body's scale is unknown."""
    return "" if radius_cm is None else f"± {radius_cm:g} cm"


def located_rows(result: FinderResult, point_of: Callable[[str], Point]) -> list[dict[str, str]]:
    """One row per located point, its sides together, in the order placed; "Within" is the
    larger side's uncertainty in cm (a guess never reads as "100%"), left out when no point has
    one (hand points: no body scale), so no empty column shows. Short columns that fit a
    phone; how to press each point is `render_how_to_press`."""
    sides: dict[str, list[str]] = {}
    radius: dict[str, float | None] = {}
    for located in result.points:
        sides.setdefault(located.code, []).append(located.side)
        cm = result.uncertainty_cm(located)
        known = [r for r in (radius.get(located.code), cm) if r is not None]
        radius[located.code] = max(known) if known else None
    rows = []
    for code, point_sides in sides.items():
        point = point_of(code)
        rows.append(
            {
                "Code": code,
                "Name": f"{point.pinyin} ({point.english})",
                "Side": ", ".join(point_sides),
                "Within": within_text(radius[code]),
                "Note": PREGNANCY_NOTES.get(point.pregnancy or "", ""),
            }
        )
    if not any(row["Within"] for row in rows):
        rows = [{name: text for name, text in row.items() if name != "Within"} for row in rows]
    return rows


def render_how_to_press(result: FinderResult, point_of: Callable[[str], Point]) -> None:
    """How to press each located point, one line each (kept out of the table, whose rows it
    made tall on a phone)."""
    with st.expander("How to press these points"):
        st.markdown(
            "\n".join(
                f"- **{code}**: {point.technique.how} ({point.technique.seconds} per side)"
                for code in dict.fromkeys(p.code for p in result.points)
                for point in (point_of(code),)
            )
        )


def omitted_rows(result: FinderResult, point_of: Callable[[str], Point]) -> list[dict[str, str]]:
    """One row per omitted point and reason, its sides together."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for omission in result.omitted:
        grouped.setdefault((omission.code, omission.reason), []).append(omission.side)
    return [
        {
            "Code": code,
            "Name": f"{point_of(code).pinyin} ({point_of(code).english})",
            "Side": ", ".join(sides),
            "Why not": sentence(reason),
        }
        for (code, reason), sides in grouped.items()
    ]


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
