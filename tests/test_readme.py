"""The README's Python API example runs as written on the bundled samples, after `import finder`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import finder

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_import_finder_gives_the_names_the_readme_uses():
    used = set()
    for block in python_blocks():
        used |= set(re.findall(r"\bfinder\.(\w+)", block))
    used -= {"samples"}  # a package, imported by the example itself
    assert used, "the README shows no finder.<name>"
    assert used <= set(finder.__all__), used - set(finder.__all__)
    assert all(hasattr(finder, name) for name in used)


@pytest.mark.model
def test_the_readme_python_example_runs_as_written(tmp_path, monkeypatch):
    monkeypatch.setenv("FINDER_DATA_DIR", str(tmp_path))  # the profile is saved here
    (block,) = python_blocks()
    scope: dict = {}
    exec(compile(block, str(README), "exec"), scope)
    assert scope["profile"].name == "Alex"
    assert (tmp_path / "profiles").is_dir() and list((tmp_path / "profiles").glob("*.json"))
    assert scope["result"].view == "hand"
    assert scope["taps"].stature_cm == 168
