"""The Photo page: a back photo (uploaded or a bundled sample) with its points drawn, tables of
the located and omitted points, and downloads of the picture and the JSON."""

from __future__ import annotations

import json
from dataclasses import replace

import cv2
import numpy as np
import streamlit as st

from finder.adapters.imageio import INPUT_SUFFIXES, ImageError, downscale_for_inference
from finder.body.catalog import Point, load_catalog
from finder.body.result import FinderResult
from finder.body.view import VIEW_CHOICES
from finder.pipelines.search import BoxError
from finder.render.overlay import Annotator
from finder.ui import (
    FRAMING_TIP,
    SAMPLE,
    UPLOAD,
    VIEW,
    Photo,
    analyse,
    current_photo,
    photo_from_bytes,
    plain,
    sample_names,
    sentence,
    table,
)
from finder.ui.taps import (
    ADJUST,
    chosen_profile,
    current_box,
    current_taps,
    render_profiles,
    render_tap_board,
    render_tap_guide,
)
from finder.ui.taps import PERSISTENT_KEYS as TAP_KEYS

FOCUS = "photo_focus"  # which points: all, a routine's concern, or one by one
CODES = "photo_codes"  # the one-by-one choice (a multiselect)
# Widgets whose value outlives a page switch.
PERSISTENT_KEYS = (VIEW, SAMPLE, FOCUS, CODES, ADJUST, *TAP_KEYS)
ALL_POINTS = "All points"
ONE_BY_ONE = "Choose points one by one"
_UPLOAD_GENERATION = "_upload_generation"  # bumped to empty the file uploader
_UPLOAD_ERROR = "_upload_error"
_DRAWN = "_photo_drawn"  # (what was drawn, the annotated picture)
DISPLAY_MAX_HEIGHT_PX = 760  # on screen (CSS px); narrower screens scale the picture down
DISPLAY_MAX_SIDE_PX = 1600  # pixels sent to the browser (sharp on high-density screens)
PREGNANCY_NOTES = {"avoid": "avoid in pregnancy", "caution": "care in pregnancy"}


def render_photo_page() -> None:
    catalog = load_catalog()
    state = st.session_state
    state.setdefault(VIEW, "auto")
    state.setdefault(FOCUS, ALL_POINTS)
    state.setdefault(CODES, [])

    controls, picture = st.columns([1, 1.4], gap="large")
    with controls:
        _choose_photo()
        st.radio(
            "Which side of the body faces the camera?",
            VIEW_CHOICES,
            key=VIEW,
            horizontal=True,
            format_func=lambda view: {"auto": "Find out (auto)"}.get(view, view.capitalize()),
        )
        codes = _choose_points(catalog)

    photo = current_photo()
    if photo is None:
        with picture:
            st.info("Upload a photo of the receiver's back to begin.")
        return
    box, problem = current_box(photo), None
    try:
        prior = analyse(photo, box=box)
    except BoxError as error:
        box, problem = None, f"The box was not used: {error}."
        prior = analyse(photo)
    taps, profile = current_taps(photo), chosen_profile()
    full = analyse(photo, taps=taps, profile=profile, box=box) if taps or profile else prior
    result = subset(full, codes)
    help_key = (taps and tuple(sorted(taps.image_xy.items())), taps and taps.stature_cm)
    profile_key = profile and (profile.name, tuple(sorted(profile.body_cun.items())))
    drawn = _annotated(
        photo, result, (photo.key, state[VIEW], tuple(codes), help_key, profile_key, box)
    )
    with picture:
        adjusting = st.toggle(
            "Place landmarks by hand",
            key=ADJUST,
            help="Click or drag the landmarks you can see or feel; the points follow.",
        )
        height, width = drawn.shape[:2]
        # A container of a fixed width shrinks to fit a narrow screen; the picture fills it.
        with st.container(width=min(width, round(DISPLAY_MAX_HEIGHT_PX * width / height))):
            if adjusting:
                render_tap_board(photo, prior, drawn)
                st.caption(_caption(photo, full))
            else:
                shown, _ = downscale_for_inference(drawn, DISPLAY_MAX_SIDE_PX)
                st.image(shown, channels="BGR", width="stretch", caption=_caption(photo, full))
        if problem:
            st.error(problem)
        if not full.accepted:
            st.warning(f"{sentence(full.summary())}. {FRAMING_TIP}")
            if not adjusting:
                st.info(
                    "You can still find the points: turn on **Place landmarks by hand** and "
                    "click C7, both shoulder tops and both crest tops on the photo. When only "
                    "part of the back shows, click what you see: C7 and both shoulder tops for "
                    "the upper back, both crest tops for the lower back."
                )
        elif not result.points and codes:
            st.warning(sentence(result.summary()) + ".")  # with any notes
        else:
            for note in result.notes:
                st.warning(sentence(note) + ".")
        if profile and full.profile is None and full.accepted:
            st.caption(
                "A profile follows a body the camera model found; on this photo your marks "
                "are used as they are."
            )
        _downloads(photo, result, drawn)
    with controls:
        if adjusting:
            render_tap_guide(photo)
        with st.expander("Profiles", expanded=profile is not None):
            render_profiles(photo, full)

    if full.accepted and result.points:
        st.subheader("Located points")
        table(located_rows(result, catalog.get))
    if full.accepted and result.omitted:
        st.subheader("Not placed on this photo")
        table(omitted_rows(result, catalog.get))


def _annotated(photo: Photo, result: FinderResult, key: tuple) -> np.ndarray:
    """The photo with `result` drawn, kept for the next run while nothing changes (a large
    photo takes a moment to draw)."""
    state = st.session_state
    cached = state.get(_DRAWN)
    if cached is None or cached[0] != key:
        cached = state[_DRAWN] = (key, Annotator().annotate(photo.bgr, result))
    return cached[1]


def subset(result: FinderResult, codes: list[str]) -> FinderResult:
    """The result limited to `codes` (located and omitted alike), in the order of `codes`."""
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


def located_rows(result: FinderResult, point_of) -> list[dict[str, str]]:
    """One row per located point, its sides together, in the order placed."""
    sides: dict[str, list[str]] = {}
    confidence: dict[str, float] = {}
    for located in result.points:
        sides.setdefault(located.code, []).append(located.side)
        confidence[located.code] = min(confidence.get(located.code, 1.0), located.confidence)
    rows = []
    for code, point_sides in sides.items():
        point: Point = point_of(code)
        low, high = point.technique.duration_s
        rows.append(
            {
                "Code": code,
                "Name": f"{point.pinyin} ({point.english})",
                "Receiver's side": ", ".join(point_sides),
                "Confidence": f"{confidence[code]:.0%}",
                "What it is for": "; ".join(point.indications) or "general relaxation",
                "How to press": point.technique.how,
                "Seconds per side": f"{low}" if low == high else f"{low}–{high}",
                "Note": PREGNANCY_NOTES.get(point.pregnancy or "", ""),
            }
        )
    return rows


def omitted_rows(result: FinderResult, point_of) -> list[dict[str, str]]:
    """One row per omitted point and reason, its sides together."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for omission in result.omitted:
        grouped.setdefault((omission.code, omission.reason), []).append(omission.side)
    return [
        {
            "Code": code,
            "Name": f"{point_of(code).pinyin} ({point_of(code).english})",
            "Receiver's side": ", ".join(sides),
            "Why not": sentence(reason),
        }
        for (code, reason), sides in grouped.items()
    ]


def _choose_photo() -> None:
    state = st.session_state
    generation = state.setdefault(_UPLOAD_GENERATION, 0)
    uploader_key = f"photo_upload_{generation}"
    st.file_uploader(
        "Upload a photo of the receiver's back",
        type=[suffix.lstrip(".") for suffix in INPUT_SUFFIXES],
        key=uploader_key,
        on_change=_on_upload,
        args=(uploader_key,),
        help="Taken from behind, standing upright, shoulders to knees in view, in good light. "
        "The photo stays in this browser session only; nothing is saved.",
    )
    if state.get(_UPLOAD_ERROR):
        st.error(state[_UPLOAD_ERROR])
    names = sample_names()
    if names:
        state.setdefault(SAMPLE, names[0])
        st.selectbox("Or try a sample photo", names, key=SAMPLE, on_change=_use_sample)
        if state.get(UPLOAD) is not None:
            st.button("Back to the sample photo", on_click=_use_sample)


def _on_upload(key: str) -> None:
    state = st.session_state
    uploaded = state.get(key)
    state[_UPLOAD_ERROR] = None
    if uploaded is None:  # the user removed the file
        state[UPLOAD] = None
        return
    try:
        state[UPLOAD] = photo_from_bytes(uploaded.name, uploaded.getvalue())
    except ImageError as error:
        state[UPLOAD] = None
        state[_UPLOAD_ERROR] = f"This file can't be used: {error}."
    except Exception as error:  # a callback's failure would otherwise show a traceback
        state[UPLOAD] = None
        state[_UPLOAD_ERROR] = f"Something went wrong reading {uploaded.name}: {error}."


def _use_sample() -> None:
    state = st.session_state
    state[UPLOAD] = None
    state[_UPLOAD_ERROR] = None
    state[_UPLOAD_GENERATION] = state.get(_UPLOAD_GENERATION, 0) + 1  # empties the uploader


def _choose_points(catalog) -> list[str]:
    concerns = [routine.concern for routine in catalog.routines]
    focus = st.selectbox("Points to show", [ALL_POINTS, *concerns, ONE_BY_ONE], key=FOCUS)
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


def _caption(photo: Photo, result: FinderResult) -> str:
    source = f"Sample photo: {photo.licence}" if photo.licence else plain(photo.name)
    if result.view is None:
        return source
    found = f" {sentence(result.summary())}." if result.accepted else ""
    return f"{source}.{found} View: {result.view} ({result.view_reason})."


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
