"""The Streamlit app through streamlit.testing (no browser): pages open without errors and show
what the finder found. The upload path is covered by tests/test_browser_photo.py."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from finder.body.hands import NO_HAND
from finder.pipelines import photo
from finder.pipelines.crowd import ANOTHER_PERSON
from finder.ui import Photo, sentence
from tests.apptest import fresh_app, no_failures

PAGE = "page"  # session-state key of the open tab


@pytest.fixture
def app() -> AppTest:
    """The app after its first run: the Photo page with the bundled sample (MediaPipe loads).
    One per test: the app's custom components belong to the AppTest runtime that imported them."""
    return fresh_app()


def show(app: AppTest, page: str) -> AppTest:
    """Run the app with `page` open (AppTest does not click tabs); widget changes made since the
    last run take effect."""
    app.session_state[PAGE] = page
    return app.run()


@pytest.mark.model
def test_opens_with_the_sample_annotated(app):
    no_failures(app)
    assert [tab.label for tab in app.tabs] == [
        "Photo",
        "Hand",
        "Guided session",
        "Live camera",
        "Point library",
    ]
    assert len(app.image) == 1  # the annotated sample
    located = app.table[0].value
    # A routine at first, not all 30 points; each point's uncertainty in cm, never a "100%".
    assert list(located["Code"]) == ["GV-12", "BL-15", "GV-11", "SI-11", "BL-18", "BL-23"]
    assert list(located.columns) == ["Code", "Name", "Side", "Within", "Note"]  # fits a phone
    assert any(e.label == "How to press these points" for e in app.expander)
    assert all(within.startswith("± ") and within.endswith(" cm") for within in located["Within"])
    assert any("relaxation-massage aid" in c.value for c in app.caption)
    assert not app.warning  # a full body: no framing advice


@pytest.mark.model
def test_photo_page_limits_points_to_a_routine(app):
    app.selectbox(key="photo_focus").set_value("Lower back")
    show(app, "Photo")
    no_failures(app)
    located = ["BL-23", "BL-52", "GV-4", "GB-30", "BL-40", "BL-60", "BL-62"]
    assert list(app.table[0].value["Code"]) == located  # in the routine's order
    shown = {code for t in app.table for code in t.value["Code"]}
    assert not shown & {"CV-6", "LR-3"}  # front and foot points are not in a routine from behind
    app.selectbox(key="photo_focus").set_value("All points")
    show(app, "Photo")


@pytest.mark.model
def test_photo_page_explains_a_rejected_photo(app):
    app.selectbox(key="photo_sample").set_value("massage-table.jpg")
    show(app, "Photo")
    try:
        no_failures(app)
        # The first screen says what to do and opens the marking board; the reason comes after.
        assert any("bump at the base of the neck" in i.value for i in app.info)
        assert app.toggle(key="taps_adjust").value
        assert any("tap C7 and the two hip-bone tops" in c.value for c in app.caption)
        assert not app.table
        assert not [b for b in app.get("download_button")]  # nothing found, nothing to download
    finally:
        app.selectbox(key="photo_sample").set_value("full-back-standing.jpg")
        show(app, "Photo")
    assert not app.toggle(key="taps_adjust").value  # a photo the camera model reads: no board


@pytest.mark.model
def test_a_new_photo_starts_the_marking_guide_at_c7():
    """The guide names the landmark the next click places: on a new photo it starts again at
    C7, not where the last photo's marking stopped (a click there placed the wrong landmark)."""
    app = fresh_app()
    app.toggle(key="taps_adjust").set_value(True)
    show(app, "Photo")
    app.selectbox(key="taps_active").set_value("acromion_left")
    show(app, "Photo")
    assert app.selectbox(key="taps_active").value == "acromion_left"  # the partner's choice stays
    app.selectbox(key="photo_sample").set_value("massage-table.jpg")
    show(app, "Photo")
    no_failures(app)
    assert app.selectbox(key="taps_active").value == "C7"


@pytest.mark.model
def test_a_height_outside_the_body_models_range_is_not_used_and_breaks_nothing():
    """The height field's bounds come from the body model (finder.body.fit.STATURE_RANGE_CM):
    50 cm is refused with a line on the board, the page stays."""
    app = fresh_app()
    app.toggle(key="taps_adjust").set_value(True)
    show(app, "Photo")
    app.number_input(key="taps_stature").set_value(50)
    show(app, "Photo")
    no_failures(app)
    assert any("below 100 cm is not used" in w.value for w in app.warning)
    assert app.table  # the points are still there


@pytest.mark.model
def test_the_optional_height_starts_empty_not_at_zero():
    """The board's height field showed "0" for a height not given: it starts empty ("Not
    given"), and a height given and then cleared is not used."""
    app = fresh_app()
    app.toggle(key="taps_adjust").set_value(True)
    show(app, "Photo")
    height = app.number_input(key="taps_stature")
    assert height.value is None and height.placeholder == "Not given"
    height.set_value(170)
    show(app, "Photo")
    app.number_input(key="taps_stature").set_value(None)
    show(app, "Photo")
    no_failures(app)
    assert app.number_input(key="taps_stature").value is None
    assert not app.warning and app.table


@pytest.mark.model
def test_a_photo_without_a_hand_gets_the_advice_once():
    """The Hand page said "No hand found in the picture: show the back of the hand, fingers
    together, filling much of the picture, in good light. Tip: the back of the hand toward the
    camera, fingers together and straight, the hand filling much of the picture, in good
    light.": the same advice twice in one box."""
    app = fresh_app()
    app.session_state["_hand_photo"] = Photo(
        "wall.jpg", "wall", np.full((480, 640, 3), 128, np.uint8)
    )
    show(app, "Hand")
    no_failures(app)
    advice = [w.value for w in app.warning if "fingers together" in w.value]
    assert advice == [sentence(NO_HAND) + "."]


@pytest.mark.model
def test_another_person_in_view_offers_the_box_around_the_receiver(monkeypatch):
    """When the photo search remarks another person beside the receiver, the page says so and
    offers the receiver box (the offer follows the search's remark, not the note's words)."""
    search = photo.search_photo
    monkeypatch.setattr(
        photo,
        "search_photo",
        lambda *args, **kwargs: replace(
            search(*args, **kwargs), remarks=photo.PhotoRemarks(another_person=True)
        ),
    )
    app = fresh_app()
    no_failures(app)
    assert app.table  # the sample's points, on the body taken for the receiver
    assert any(w.value == sentence(ANOTHER_PERSON) + "." for w in app.warning)
    assert "Draw a box around the receiver" in [b.label for b in app.button]


@pytest.mark.model
def test_library_search_finds_a_point_by_any_name(app):
    show(app, "Point library")
    for text in ("Shenshu", "UB23", "B23", "Kidney Transporter", "bl-23"):
        app.text_input(key="library_search").input(text)
        show(app, "Point library")
        no_failures(app)
        points = [e.label.split()[0] for e in app.expander if not e.label.startswith("Reading")]
        assert points == ["BL-23"], text


def click(app: AppTest, label: str, page: str) -> AppTest:
    next(b for b in app.button if b.label == label).click()
    return show(app, page)


@pytest.mark.model
def test_guided_lower_back_starts_with_bl23(app):
    show(app, "Guided session")
    no_failures(app)
    assert any("Before you start" in m.value for m in app.markdown)  # the cautions come first
    app.selectbox(key="guided_routine").set_value("Lower back")
    show(app, "Guided session")
    assert app.table[0].value["Point"][0].startswith("BL-23")
    click(app, "Start session", "Guided session")
    no_failures(app)
    assert app.subheader[0].value.startswith("BL-23")
    assert any("left side" in m.value for m in app.markdown)
    assert len(app.image) == 1  # BL-23 drawn on the sample
    # The point, timer and buttons come before the photo: stacked on a phone, the countdown
    # and Next stay on the first screen instead of below the picture.
    first = app.columns[0]
    assert first.subheader[0].value.startswith("BL-23")
    assert any(b.label == "Next" for b in first.button)
    assert not first.image  # the photo is in the next column
    # The point's cautions are in view, not folded away in an expander.
    assert any("kidneys lie beneath" in w.value for w in first.warning)
    assert not any(e.warning for e in app.expander)
    # "Level with L2": how to count the spine's bumps is said where it is needed.
    assert any(c.value.startswith("Counting the bumps of the spine") for c in first.caption)
    click(app, "Restart timer", "Guided session")
    assert app.subheader[0].value.startswith("BL-23")  # the same side, its time again
    assert any("left side" in m.value for m in app.markdown)
    click(app, "Next", "Guided session")
    assert any("right side" in m.value for m in app.markdown)
    click(app, "End session", "Guided session")
    assert any("Session ended: 1 point pressed" in s.value for s in app.success)
    click(app, "New session", "Guided session")
    no_failures(app)


@pytest.mark.model
def test_the_timer_never_contradicts_a_press_and_release_technique(app):
    """GB-21 is pressed 4-5 s and released; under its countdown the page said "Keep a steady
    pressure"."""
    show(app, "Guided session")
    app.selectbox(key="guided_routine").set_value("Upper back, neck and shoulders")
    show(app, "Guided session")
    click(app, "Start session", "Guided session")
    no_failures(app)
    assert app.subheader[0].value.startswith("GB-21")
    assert any("press for 4–5 seconds and release" in m.value for m in app.markdown)
    assert not any("steady" in c.value for c in app.caption)
    assert any(c.value == "Ease off and go slower if it hurts." for c in app.caption)


@pytest.mark.model
def test_a_step_on_a_photo_without_a_back_says_so_briefly(app):
    """Each step used to repeat the Photo page's whole refusal, nested parentheses and all
    ("... tap C7 and the two hip-bone tops to place the points (the shoulder tops instead
    when ...)): find it by touch. Midline, just below T3. To place it, ...")."""
    app.selectbox(key="photo_sample").set_value("massage-table.jpg")
    show(app, "Guided session")
    click(app, "Start session", "Guided session")
    no_failures(app)
    assert app.subheader[0].value.startswith("GV-12")
    (info,) = app.info
    assert info.value.startswith("The photo on the Photo page shows no back the finder can trust")
    assert "T3" not in info.value and "tap C7" not in info.value
    assert any("just below T3" in m.value for m in app.markdown)  # the hint, once


@pytest.mark.model
def test_a_session_left_for_another_page_waits_instead_of_moving_on(app, monkeypatch):
    """Three minutes on the Point library mid-session used to bring the partner back to step 4
    of 10, steps 1-3 counted as pressed."""
    import sys

    now = [1000.0]
    monkeypatch.setattr(sys.modules["finder.ui.guided"], "clock", lambda: now[0])
    show(app, "Guided session")
    click(app, "Start session", "Guided session")
    for _ in range(4):  # 20 s of pressing: the countdown redraws each second in a browser
        now[0] += 5
        show(app, "Guided session")
    show(app, "Point library")
    now[0] += 200
    show(app, "Guided session")
    no_failures(app)
    assert app.subheader[0].value.startswith("GV-12")  # still the first step
    assert any(">0:40</div>" in m.value for m in app.markdown)  # 60 s less the 20 pressed
    assert any(c.value.startswith("Paused while another page was open") for c in app.caption)
    click(app, "Resume", "Guided session")
    assert not any(c.value.startswith("Paused") for c in app.caption)


@pytest.mark.model
def test_pregnant_switch_removes_gb21_from_the_upper_back(app):
    show(app, "Guided session")
    app.selectbox(key="guided_routine").set_value("Upper back, neck and shoulders")
    show(app, "Guided session")
    assert app.table[0].value["Point"][0].startswith("GB-21")
    app.toggle(key="guided_pregnant").set_value(True)
    show(app, "Guided session")
    no_failures(app)
    planned = list(app.table[0].value["Point"])
    assert not any(name.startswith(("GB-21", "LI-4")) for name in planned)
    assert any("GB-21" in w.value for w in app.warning)  # said to be left out
    app.toggle(key="guided_pregnant").set_value(False)
    show(app, "Guided session")


@pytest.mark.model
def test_live_camera_page_never_shows_a_traceback(app):
    # streamlit-webrtc needs a real server, which AppTest lacks: the page may only report that.
    show(app, "Live camera")
    assert not app.exception, app.exception
    show(app, "Photo")
    no_failures(app)


@pytest.mark.model
def test_deleting_a_profile_says_so_where_it_stays_in_view(tmp_path, monkeypatch):
    """Issue 14: the confirmation was inside the Profiles section, which closes once no
    profile is applied."""
    from finder.adapters.profiles import ProfileStore
    from finder.body.fit import Profile
    from tests.apptest import fresh_app

    monkeypatch.setenv("FINDER_DATA_DIR", str(tmp_path))
    ProfileStore().save(Profile("Alex", {"C7": (21.5, 0.3)}))
    app = fresh_app()
    app.selectbox(key="profile_choice").set_value("Alex").run()
    next(b for b in app.button if b.label == "Delete this profile").click().run()
    no_failures(app)
    assert any("Deleted the profile “Alex”" in i.value for i in app.info)
    assert not any("Deleted" in i.value for e in app.expander for i in e.info)  # not inside
