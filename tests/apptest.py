"""Shared pieces for the tests that run the app through streamlit.testing (no browser)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


def no_failures(app: AppTest) -> None:
    """The run raised nothing and showed no error message."""
    assert not app.exception, app.exception
    assert not [e.value for e in app.error]
