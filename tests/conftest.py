"""Markers for the test layers (pyproject.toml lists them) and the skip for missing shared data.

- `model`: runs the real MediaPipe pose or hand model.
- `shared`: reads `../shared/data` (photos, ANSUR II); skipped with the reason when it is missing.
- `browser`: drives the served app in headless Chromium.
- `slow`: takes more than a few seconds on two cores (soak, population-wide sweeps).

`make check` runs every test with none of these; `make test` runs them all. A failed browser test
runs once more before it counts.
"""

from __future__ import annotations

import pytest

from tests.photos import SHARED_DATA


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A browser test that fails runs once more (pytest-rerunfailures; the summary shows
    the rerun): a real browser on a loaded two-core machine can miss a redraw. A test that
    fails twice fails the run."""
    for item in items:
        if item.get_closest_marker("browser") and not item.get_closest_marker("flaky"):
            item.add_marker(pytest.mark.flaky(reruns=1))


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("shared") and not SHARED_DATA.is_dir():
        pytest.skip(f"needs the shared data at {SHARED_DATA}")
