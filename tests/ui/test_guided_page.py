"""The Guided session page's setup through streamlit.testing, opened on its own tab (no camera
model: the photo is drawn only once a session runs)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.apptest import APP, no_failures


def setup_page(concern: str, pregnant: bool) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state["page"] = "Guided session"
    app.session_state["guided_routine"] = concern
    app.session_state["guided_pregnant"] = pregnant
    return app.run()


def test_a_routine_with_every_point_left_out_cannot_be_started():
    """Cold sensitivity is BL-23 alone: with the pregnancy switch on, the page offered
    "0 steps, about 0 minutes of pressing", an empty table and a Start button that ended the
    session at once."""
    app = setup_page("Cold sensitivity", pregnant=True)
    no_failures(app)
    start = next(b for b in app.button if b.label == "Start session")
    assert start.disabled
    assert any("no point is left to press; choose another concern" in i.value for i in app.info)
    assert not app.table
    assert any("BL-23" in w.value for w in app.warning)  # what was left out, and why


def test_a_routine_with_points_left_can_be_started():
    app = setup_page("Cold sensitivity", pregnant=False)
    no_failures(app)
    assert not next(b for b in app.button if b.label == "Start session").disabled
    assert list(app.table[0].value["Point"]) == ["BL-23 Shenshu (Kidney Transporter)"]
