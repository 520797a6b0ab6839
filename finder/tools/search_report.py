"""`finder search-report`: does the photo search put the points on the receiver, on someone
else, or nowhere? Per kind of photo, against hand-marked landmarks.

Kinds: each photo as it is; and, for the upright backs (standing or seated), the photo with the
head cut off (the top just above C7), with the shoulders cut off (the top below C7), cut at the
waist, and with a mirrored copy of itself pasted beside it (a second person; its marks are not
the receiver's). A result is *right* when C7 and each marked shoulder top (acromion) that lies in
the picture is within RIGHT_CUN of its mark (the cun is the result's own); *off* when the points
are on the receiver (the finder's C7 inside the marked receiver box) but further than that;
*wrong body* when the finder's C7 lies outside the receiver's box (on someone else, or nowhere
near); *nothing* when the finder refuses. Photos whose marks all fall outside a crop count as
*unmarked* when points are placed.

Marks: `landmarks.json` beside the photos (its LANDMARKS.md): x, y px of the stored file,
"posture" standing / seated / prone.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import numpy as np

from finder.adapters.imageio import read_image
from finder.body.result import FinderResult
from finder.pipelines.photo import locate_image, shared_still_estimator

RIGHT_CUN = 1.5
"""Largest distance (B-cun) of C7 and the shoulder tops from the marks for a right body."""
JUDGED = ("C7", "acromion_left", "acromion_right")


class Outcome(Enum):
    RIGHT = "right body"
    OFF = "receiver, off by more than 1.5 cun"
    WRONG = "wrong body"
    NOTHING = "nothing"
    UNMARKED = "points, no mark in view"


Marks = dict[str, tuple[float, float]]
"""Landmark name -> x, y px; "box_min" / "box_max" are the receiver box's corners."""
Kind = Callable[[np.ndarray, Marks], tuple[np.ndarray, Marks]]


def _top_at(bgr: np.ndarray, marks: Marks, y: float) -> tuple[np.ndarray, Marks]:
    top = int(np.clip(y, 0, bgr.shape[0] - 64))
    kept = {k: (x, my - top) for k, (x, my) in marks.items() if my >= top or k.startswith("box")}
    return bgr[top:], kept


def head_cut(bgr: np.ndarray, marks: Marks) -> tuple[np.ndarray, Marks]:
    """The top a tenth of the picture's height above C7 (the head out of the picture)."""
    return _top_at(bgr, marks, marks["C7"][1] - 0.1 * bgr.shape[0])


def shoulders_cut(bgr: np.ndarray, marks: Marks) -> tuple[np.ndarray, Marks]:
    """The top a sixth of the picture's height below C7 (shoulders out of the picture)."""
    return _top_at(bgr, marks, marks["C7"][1] + bgr.shape[0] / 6)


def waist_up(bgr: np.ndarray, marks: Marks) -> tuple[np.ndarray, Marks]:
    """The bottom a third of the picture's height below C7."""
    bottom = int(np.clip(marks["C7"][1] + bgr.shape[0] / 3, 64, bgr.shape[0]))
    return bgr[:bottom], {k: v for k, v in marks.items() if v[1] < bottom or k.startswith("box")}


def second_person(bgr: np.ndarray, marks: Marks) -> tuple[np.ndarray, Marks]:
    """A mirrored copy pasted to the right: another back of the same size beside the receiver."""
    return np.hstack([bgr, bgr[:, ::-1]]), marks


KINDS: dict[str, Kind | None] = {
    "as taken": None,
    "head cut off": head_cut,
    "shoulders cut off": shoulders_cut,
    "waist up": waist_up,
    "second person beside": second_person,
}
UPRIGHT = ("standing", "seated")


@dataclass(frozen=True)
class Row:
    kind: str
    photo: str
    outcome: Outcome
    worst_cun: float | None
    said: str


def judge(result: FinderResult, marks: Marks) -> tuple[Outcome, float | None]:
    """The outcome and the largest distance (cun) of a judged landmark from its mark."""
    if not result.accepted or not result.points:
        return Outcome.NOTHING, None
    anatomy = result.anatomy
    gaps = [
        float(np.hypot(*(anatomy.landmarks[name].xy - np.array(marks[name]))))
        / anatomy.frame.cun_px
        if name in anatomy.landmarks
        else float("inf")
        for name in JUDGED
        if name in marks
    ]
    c7 = anatomy.landmarks["C7"].xy if "C7" in anatomy.landmarks else None
    on_receiver = c7 is not None and bool(
        np.all(np.array(marks["box_min"]) <= c7) and np.all(c7 <= np.array(marks["box_max"]))
    )
    if not gaps:
        return (Outcome.UNMARKED if on_receiver else Outcome.WRONG), None
    worst = max(gaps)
    if worst <= RIGHT_CUN:
        return Outcome.RIGHT, worst
    return (Outcome.OFF if on_receiver else Outcome.WRONG), worst


def rows(photos: Path, names: Sequence[str] | None = None) -> list[Row]:
    """Every kind of every marked photo in `photos` (all when `names` is None)."""
    marked = json.loads((photos / "landmarks.json").read_text())
    estimator = shared_still_estimator()
    out = []
    for name in sorted(names or marked):
        entry = marked[name]
        marks = {k: (float(v["x"]), float(v["y"])) for k, v in entry["landmarks"].items()}
        x0, y0, x1, y1 = (float(v) for v in entry["receiver_box"])
        marks["box_min"], marks["box_max"] = (x0, y0), (x1, y1)
        bgr = read_image(photos / name)
        for kind, make in KINDS.items():
            if make is not None and (entry["posture"] not in UPRIGHT or "C7" not in marks):
                continue
            image, kept = (bgr, marks) if make is None else make(bgr, marks)
            result = locate_image(np.ascontiguousarray(image), estimator=estimator)
            outcome, worst = judge(result, kept)
            out.append(Row(kind, name[:2], outcome, worst, result.summary()))
    return out


def table(found: list[Row]) -> str:
    """Per kind: right / wrong / nothing / unmarked counts and the photos in each; then one
    line per result."""
    lines = [
        "| kind of photo | photos | " + " | ".join(outcome.value for outcome in Outcome) + " |",
        "|---|---:|" + "---|" * len(Outcome),
    ]
    for kind in KINDS:
        mine = [row for row in found if row.kind == kind]
        if not mine:
            continue
        cells = []
        for outcome in Outcome:
            which = [row.photo for row in mine if row.outcome is outcome]
            cells.append(f"{len(which)}" + (f" ({', '.join(which)})" if which else ""))
        lines.append(f"| {kind} | {len(mine)} | " + " | ".join(cells) + " |")
    totals = Counter(row.outcome for row in found)
    lines.append(
        f"| **all** | {len(found)} | "
        + " | ".join(str(totals[outcome]) for outcome in Outcome)
        + " |"
    )
    lines += [
        "",
        "| kind | photo | outcome | worst of C7 / shoulder tops (cun) | the finder says |",
    ]
    lines.append("|---|---|---|---:|---|")
    for row in found:
        worst = "" if row.worst_cun is None else f"{row.worst_cun:.2f}"
        lines.append(f"| {row.kind} | {row.photo} | {row.outcome.value} | {worst} | {row.said} |")
    return "\n".join(lines)


def run(photos: Path) -> str:
    return table(rows(photos)) + (
        f"\n\nRight: C7 and each marked shoulder top in view within {RIGHT_CUN} cun of the marks "
        "in landmarks.json; off: the finder's C7 inside the marked receiver box but further; "
        "wrong body: its C7 outside that box."
    )
