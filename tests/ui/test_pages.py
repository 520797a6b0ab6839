"""The app's pages are wiring only and never import one another: what two pages share lives in a
ui module (finder.ui, points, receiver, taps, handphoto)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

UI = Path(__file__).resolve().parents[2] / "finder" / "ui"
PAGES = ("photo", "hand", "guided", "live", "library")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("page", PAGES)
def test_a_page_imports_no_other_page(page):
    others = {f"finder.ui.{other}" for other in PAGES if other != page}
    assert not imported_modules(UI / f"{page}.py") & others
