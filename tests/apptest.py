"""Shared pieces for the tests that run the app through streamlit.testing (no browser)."""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


def no_failures(app: AppTest) -> None:
    """The run raised nothing and showed no error message."""
    assert not app.exception, app.exception
    assert not [e.value for e in app.error]


def fresh_app(timeout_s: float = 120) -> AppTest:
    """The app after its first run, in a fresh AppTest whose runtime knows the app's custom
    components: they register when `finder.ui` is imported, with the runtime of that moment, so
    the UI modules are imported anew (an AppTest made earlier in this process has its own).
    Every app test starts here, so the order the tests run in does not matter."""
    for name in [name for name in sys.modules if name.startswith("finder.ui")]:
        del sys.modules[name]
    return AppTest.from_file(APP, default_timeout=timeout_s).run()
