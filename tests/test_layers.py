"""The package's layers, read from the import statements (README "Package map"): the body model
is pure, the adapters see only the body's plain types, drawing and composition never reach up
into the front-ends, and only the MediaPipe adapter imports mediapipe."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "finder"


def imports(path: Path) -> dict[str, set[str]]:
    """Module -> the names imported from it (empty for `import module`), anywhere in the file."""
    found: dict[str, set[str]] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.setdefault(node.module, set()).update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                found.setdefault(alias.name, set())
    return found


def modules(folder: str) -> dict[str, dict[str, set[str]]]:
    return {path.stem: imports(path) for path in sorted((PACKAGE / folder).glob("*.py"))}


def ours(imported: dict[str, set[str]]) -> set[str]:
    """The project's own modules and the heavy outside ones among `imported`."""
    roots = ("finder", "calibration", "mediapipe", "cv2", "streamlit")
    return {name for name in imported if name.split(".")[0] in roots}


def test_the_body_model_imports_only_itself_and_calibration():
    for name, imported in modules("body").items():
        outside = {m for m in ours(imported) if not m.startswith(("finder.body", "calibration"))}
        assert not outside, f"finder/body/{name}.py imports {sorted(outside)}"


def test_the_first_body_stages_import_no_later_one():
    body = modules("body")
    for name in ("landmarks", "hand_landmarks", "pose", "view", "spine", "model"):
        later = {m for m in ours(body[name]) if m.split(".")[-1] in {"trust", "anatomy", "fit"}}
        assert not later, f"finder/body/{name}.py imports {sorted(later)}"
    # trust reads anatomy's hips_evidence only (the hips rule: finder.body.anatomy.Hips).
    assert body["trust"].get("finder.body.anatomy", set()) <= {"hips_evidence"}


def test_adapters_see_only_the_body_model_and_the_pose_adapter_only_plain_types():
    for name, imported in modules("adapters").items():
        outside = {
            m for m in ours(imported) if not m.startswith(("finder.body", "finder.adapters", "cv2"))
        }
        assert outside <= ({"mediapipe"} if name == "pose" else set()), (name, outside)
    pose_body = {m for m in modules("adapters")["pose"] if m.startswith("finder.body")}
    plain = {"finder.body.landmarks", "finder.body.hand_landmarks", "finder.body.pose"}
    assert pose_body <= plain, pose_body - plain


def test_drawing_and_composition_never_import_the_front_ends():
    for folder in ("render", "pipelines"):
        for name, imported in modules(folder).items():
            upward = {m for m in ours(imported) if m.startswith(("finder.ui", "finder.tools"))}
            upward |= {m for m in ours(imported) if m in {"finder.cli", "streamlit"}}
            assert not upward, f"finder/{folder}/{name}.py imports {sorted(upward)}"


def test_only_the_pose_adapter_imports_mediapipe():
    """By an import statement or by importlib (the adapter imports MediaPipe's solutions that
    way, without its heavy package __init__)."""
    statement = re.compile(r"^\s*(import|from) mediapipe\b|import_module\(f?[\"']mediapipe", re.M)
    importers = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if statement.search(path.read_text(encoding="utf-8"))
    }
    assert importers == {"adapters/pose.py"}
