"""The Point library page through streamlit.testing, opened on its own tab (no camera model)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.apptest import APP, no_failures


def library(search: str) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state["page"] = "Point library"
    app.session_state["library_search"] = search
    return app.run()


def test_a_search_that_finds_nothing_says_what_to_try_not_an_error():
    app = library("xyz")
    no_failures(app)
    (info,) = app.info
    assert info.value.startswith("No point matches “xyz”. Search by a code")
    assert "Unknown acupressure point" not in info.value  # the raw KeyError text before
    assert "sciatica" in info.value


def test_a_misspelt_code_offers_the_codes_spelled_alike():
    app = library("BL-32")
    no_failures(app)
    text = app.info[0].value
    assert text.startswith("No point matches “BL-32”. Did you mean ")
    assert "BL-23" in text


def test_cun_and_vertebrae_are_explained_where_the_locations_use_them():
    """ "1.5 cun out from the midline", "the L2 spinous process": the library never said what a
    cun is or how to find L2."""
    app = library("BL-23")
    no_failures(app)
    guide = next(e for e in app.expander if e.label.startswith("Reading the locations"))
    text = " ".join(m.value for m in guide.markdown)
    assert "1 cun is about the width of their thumb" in text
    assert "L4 level with the tops of the hip bones" in text
    assert any(e.label.startswith("BL-23") for e in app.expander)
