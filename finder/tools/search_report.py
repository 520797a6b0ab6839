"""`finder search-report`: does the photo search put the points on the receiver, on someone
else, or nowhere? Per kind of photo, against hand-marked landmarks.

Kinds: each photo as it is; and, for the upright backs (standing or seated), the photo with the
head cut off (the top just above C7), with the shoulders cut off (the top below C7), with only
the lower back (the top two thirds of the way from C7 to the marked crest tops, where marked),
cut at the waist, with another real person pasted beside it (photo 04's therapist, who faces
the camera), and with its own mirror image pasted beside it (two backs alike: nothing says which
is the receiver, so asking for the receiver box is the right answer there). A result is *right*
when C7 and each marked shoulder top (acromion) that lies in the picture is within RIGHT_CUN of
its mark (the cun is the result's own), or for a body placed from the hips alone (no C7: the
picture cuts the shoulders off) each marked crest top in the picture; *off* when the points are
on the receiver (the finder's C7, or its crest line without C7, inside the marked receiver box)
but further than that; *wrong body* when that lies outside the receiver's box (on someone else,
or nowhere near) or any point lies on the pasted person; *asks which is the receiver* when the
finder refuses because it cannot tell which person is the receiver; *nothing* when it refuses
otherwise. Photos whose judged marks all fall outside a crop count as *unmarked* when points are
placed.

Marks: `landmarks.json` beside the photos (its LANDMARKS.md): x, y px of the stored file,
"posture" standing / seated / prone, "other_people" boxes.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import partial
from pathlib import Path

import numpy as np

from finder.adapters.imageio import read_image
from finder.body.result import FinderResult, Refusal
from finder.pipelines.photo import locate_image, shared_still_estimator
from finder.tools.copies import beside

RIGHT_CUN = 1.5
"""Largest distance (B-cun) of C7 and the shoulder tops from the marks for a right body."""
JUDGED = ("C7", "acromion_left", "acromion_right")
JUDGED_WITHOUT_C7 = ("iliac_crest_top_left", "iliac_crest_top_right")
"""What is judged on a body placed from the hips alone (`finder.body.hips_only`)."""


class Outcome(Enum):
    RIGHT = "right body"
    OFF = "receiver, off by more than 1.5 cun"
    WRONG = "wrong body"
    ASKS_WHICH = "asks which is the receiver"
    NOTHING = "nothing"
    UNMARKED = "points, no mark in view"


Marks = dict[str, tuple[float, float]]
"""Landmark name -> x, y px; "box_min" / "box_max" are the receiver box's corners, "pasted_min" /
"pasted_max" those of a person pasted beside the receiver."""
Kind = Callable[[np.ndarray, Marks], tuple[np.ndarray, Marks] | None]
"""A crop of a photo and its marks in the crop; None when the photo's marks do not allow it."""


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


def lower_back(bgr: np.ndarray, marks: Marks) -> tuple[np.ndarray, Marks] | None:
    """The top two thirds of the way from C7 down to the marked crest tops (shoulders out of the
    picture, the lower back in it); None without crest marks."""
    crests = [marks[name][1] for name in JUDGED_WITHOUT_C7 if name in marks]
    if not crests:
        return None
    return _top_at(bgr, marks, marks["C7"][1] + 2 / 3 * (min(crests) - marks["C7"][1]))


def waist_up(bgr: np.ndarray, marks: Marks) -> tuple[np.ndarray, Marks]:
    """The bottom a third of the picture's height below C7."""
    bottom = int(np.clip(marks["C7"][1] + bgr.shape[0] / 3, 64, bgr.shape[0]))
    return bgr[:bottom], {k: v for k, v in marks.items() if v[1] < bottom or k.startswith("box")}


def person_beside(bgr: np.ndarray, marks: Marks, other: np.ndarray) -> tuple[np.ndarray, Marks]:
    """`other` (a BGR crop of a person) as tall as the receiver's box, level with it, on a
    widening of the picture on the side where the receiver stands nearer the edge (so the two
    stand close); the marks moved with the receiver, and the pasted box's corners added."""
    (x0, y0), (x1, y1) = marks["box_min"], marks["box_max"]
    on_left = x0 < bgr.shape[1] - x1
    widened = beside(bgr, other, int(y0), round(y1 - y0), on_left)
    moved = {name: tuple(widened.original.from_original(xy)) for name, xy in marks.items()}
    px0, py0, px1, py1 = widened.pasted
    return widened.picture, moved | {"pasted_min": (px0, py0), "pasted_max": (px1, py1)}


def second_back(bgr: np.ndarray, marks: Marks) -> tuple[np.ndarray, Marks]:
    """The receiver's own mirror image (their box) pasted beside them: two backs alike."""
    (x0, y0), (x1, y1) = marks["box_min"], marks["box_max"]
    return person_beside(bgr, marks, bgr[int(y0) : int(y1), int(x0) : int(x1)][:, ::-1])


FACING_PHOTO = "04"
"""The photo whose first other person (landmarks.json "other_people") is pasted beside the
receivers: the therapist of photo 04, standing and facing the camera; cut at the top of 04's
receiver box, so that none of the receiver lying below her comes along."""
SECOND_PERSON, SECOND_BACK = "second person beside", "second back beside"
ASKING_IS_RIGHT = (SECOND_BACK,)
"""Kinds where nothing in the picture says which person is the receiver: the right answer is
to ask for the receiver box (elsewhere, right is points on the receiver)."""


def facing_person(photos: Path, marked: dict) -> np.ndarray:
    """The BGR crop of FACING_PHOTO's other person."""
    (name,) = (name for name in marked if name.startswith(FACING_PHOTO))
    x0, y0, x1, y1 = (int(v) for v in marked[name]["other_people"][0]["box"])
    return read_image(photos / name)[y0 : min(y1, int(marked[name]["receiver_box"][1])), x0:x1]


def kinds(facing: np.ndarray) -> dict[str, Kind | None]:
    """The kinds of photo, by name; None is the photo as it is."""
    return {
        "as taken": None,
        "head cut off": head_cut,
        "shoulders cut off": shoulders_cut,
        "lower back only": lower_back,
        "waist up": waist_up,
        SECOND_PERSON: partial(person_beside, other=facing),
        SECOND_BACK: second_back,
    }


UPRIGHT = ("standing", "seated")


@dataclass(frozen=True)
class Row:
    kind: str
    photo: str
    outcome: Outcome
    worst_cun: float | None
    said: str


def _inside(xy: np.ndarray, marks: Marks, box: str) -> bool:
    return bool(np.all(np.array(marks[f"{box}_min"]) <= xy) and np.all(xy <= marks[f"{box}_max"]))


def judge(result: FinderResult, marks: Marks) -> tuple[Outcome, float | None]:
    """The outcome and the largest distance (cun) of a judged landmark from its mark: C7 and
    the shoulder tops, or the crest tops when the finder placed no C7 (hips alone)."""
    if not result.accepted or not result.points:
        asks = result.refusal is Refusal.SEVERAL_BACKS
        return (Outcome.ASKS_WHICH if asks else Outcome.NOTHING), None
    anatomy = result.anatomy
    anchor = "C7" if "C7" in anatomy.landmarks else "iliac_crest"
    gaps = [
        float(np.hypot(*(anatomy.landmarks[name].xy - np.array(marks[name]))))
        / anatomy.frame.cun_px
        if name in anatomy.landmarks
        else float("inf")
        for name in (JUDGED if anchor == "C7" else JUDGED_WITHOUT_C7)
        if name in marks
    ]
    placed = anatomy.landmarks[anchor].xy if anchor in anatomy.landmarks else None
    on_receiver = placed is not None and _inside(placed, marks, "box")
    if "pasted_min" in marks and any(
        _inside(np.array(point.xy), marks, "pasted") for point in result.points
    ):
        return Outcome.WRONG, max(gaps, default=None)
    if not gaps:
        return (Outcome.UNMARKED if on_receiver else Outcome.WRONG), None
    worst = max(gaps)
    if worst <= RIGHT_CUN:
        return Outcome.RIGHT, worst
    return (Outcome.OFF if on_receiver else Outcome.WRONG), worst


def rows(photos: Path, names: Sequence[str] | None = None) -> list[Row]:
    """Every kind of every marked photo in `photos` (all when `names` is None)."""
    marked = json.loads((photos / "landmarks.json").read_text())
    made = kinds(facing_person(photos, marked))
    estimator = shared_still_estimator()
    out = []
    for name in sorted(names or marked):
        entry = marked[name]
        marks = _marks(entry)
        bgr = read_image(photos / name)
        for kind, make in made.items():
            if make is not None and (entry["posture"] not in UPRIGHT or "C7" not in marks):
                continue
            crop = (bgr, marks) if make is None else make(bgr, marks)
            if crop is None:
                continue
            image, kept = crop
            result = locate_image(np.ascontiguousarray(image), estimator=estimator)
            outcome, worst = judge(result, kept)
            out.append(Row(kind, name[:2], outcome, worst, result.summary()))
    return out


def _marks(entry: dict) -> Marks:
    """A photo's marks (`landmarks.json` entry) and its receiver box's corners."""
    marks = {k: (float(v["x"]), float(v["y"])) for k, v in entry["landmarks"].items()}
    x0, y0, x1, y1 = (float(v) for v in entry["receiver_box"])
    marks["box_min"], marks["box_max"] = (x0, y0), (x1, y1)
    return marks


Crop = tuple[int, int, int, int]
"""A part of a photo: x0, y0, x1, y1 (original px, right and bottom excluded)."""


def cropped(bgr: np.ndarray, marks: Marks, crop: Crop) -> tuple[np.ndarray, Marks]:
    """The picture inside `crop`, with the marks inside it and the receiver box's corners
    (wherever they fall) moved into the crop's pixels."""
    x0, y0, x1, y1 = crop
    kept = {
        k: (x - x0, y - y0)
        for k, (x, y) in marks.items()
        if (x0 <= x < x1 and y0 <= y < y1) or k.startswith("box")
    }
    return np.ascontiguousarray(bgr[y0:y1, x0:x1]), kept


TOP_CUT_SHARES = tuple(round(0.05 * step, 2) for step in range(1, 12))
"""Where `top_cuts` start the picture: 5 % to 55 % of its height down."""


def top_cuts(size: tuple[int, int]) -> tuple[Crop, ...]:
    """Crops of a `size` = (width, height) picture cut from the top (TOP_CUT_SHARES of its
    height), each the whole width and each half (the left one up to width // 2)."""
    width, height = size
    halves = ((0, width), (0, width // 2), (width // 2, width))
    return tuple(
        (x0, int(share * height), x1, height) for share in TOP_CUT_SHARES for x0, x1 in halves
    )


def random_cuts(photos: Path, count: int = 12, seed: int = 13) -> dict[str, list[Crop]]:
    """`count` random crops of each marked photo (by photo number, in name order), each 0.4-1
    of the photo's width and height, anywhere in it; the same crops for the same `seed`."""
    marked = json.loads((photos / "landmarks.json").read_text())
    rng = np.random.default_rng(seed)
    out = {}
    for name in sorted(marked):
        height, width = read_image(photos / name).shape[:2]
        crops = []
        for _ in range(count):
            w, h = int(width * rng.uniform(0.4, 1)), int(height * rng.uniform(0.4, 1))
            x, y = int(rng.uniform(0, width - w)), int(rng.uniform(0, height - h))
            crops.append((x, y, x + w, y + h))
        out[name[:2]] = crops
    return out


@dataclass(frozen=True)
class SweepRow:
    photo: str
    crop: Crop
    outcome: Outcome
    worst_cun: float | None
    view: str | None  # the facing of the body placed ("back" / "front"), None when refused
    upright: bool = False  # a crop of a standing or seated back (landmarks.json "posture")
    refusal: Refusal | None = None


def sweep(photos: Path, crops: Mapping[str, Sequence[Crop]] | None = None) -> list[SweepRow]:
    """Crops of the marked photos in `photos`, searched and judged: `crops` by photo number
    ("10": crops of photo 10...), or when None `top_cuts` of every photo."""
    marked = json.loads((photos / "landmarks.json").read_text())
    estimator = shared_still_estimator()
    out = []
    for name in sorted(marked):
        if crops is not None and name[:2] not in crops:
            continue
        bgr = read_image(photos / name)
        size = (bgr.shape[1], bgr.shape[0])
        for crop in top_cuts(size) if crops is None else crops[name[:2]]:
            image, kept = cropped(bgr, _marks(marked[name]), crop)
            result = locate_image(image, estimator=estimator)
            outcome, worst = judge(result, kept)
            view = result.view if result.accepted and result.points else None
            upright = marked[name]["posture"] in UPRIGHT
            out.append(SweepRow(name[:2], crop, outcome, worst, view, upright, result.refusal))
    return out


def sweep_table(found: list[SweepRow]) -> str:
    """The count of each outcome (and of bodies read as fronts, and of standing or seated backs
    told "lying face down"), then one line per crop that got points and per upright back told
    it lies."""
    totals = Counter(row.outcome for row in found)
    fronts = sum(row.view == "front" for row in found)
    lying = [row for row in found if row.upright and row.refusal is Refusal.LYING_FACE_DOWN]
    lines = [
        f"{len(found)} crops: "
        + ", ".join(f"{outcome.value} {totals[outcome]}" for outcome in Outcome)
        + f"; front points on {fronts}; standing or seated backs told lying face down {len(lying)}",
        "",
        "| photo | crop x0, y0, x1, y1 | outcome | worst (cun) | view |",
        "|---|---|---|---:|---|",
    ]
    for row in found:
        if row.view is not None or row in lying:
            worst = "" if row.worst_cun is None else f"{row.worst_cun:.2f}"
            crop = ", ".join(map(str, row.crop))
            said = row.view or "lying face down"
            lines.append(f"| {row.photo} | {crop} | {row.outcome.value} | {worst} | {said} |")
    return "\n".join(lines)


def right_answer(kind: str) -> Outcome:
    return Outcome.ASKS_WHICH if kind in ASKING_IS_RIGHT else Outcome.RIGHT


def table(found: list[Row]) -> str:
    """Per kind: the right answer and how many got it, the count of each outcome and the photos
    in each; then one line per result."""
    lines = [
        "| kind of photo | photos | right answer | answered so | "
        + " | ".join(outcome.value for outcome in Outcome)
        + " |",
        "|---|---:|---|---:|" + "---|" * len(Outcome),
    ]
    for kind in dict.fromkeys(row.kind for row in found):
        mine = [row for row in found if row.kind == kind]
        cells = []
        for outcome in Outcome:
            which = [row.photo for row in mine if row.outcome is outcome]
            cells.append(f"{len(which)}" + (f" ({', '.join(which)})" if which else ""))
        expected = right_answer(kind)
        answered = sum(row.outcome is expected for row in mine)
        lines.append(
            f"| {kind} | {len(mine)} | {expected.value} | {answered} | " + " | ".join(cells) + " |"
        )
    totals = Counter(row.outcome for row in found)
    answered = sum(row.outcome is right_answer(row.kind) for row in found)
    lines.append(
        f"| **all** | {len(found)} | | {answered} | "
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
        "in landmarks.json (the crest tops for a body placed from the hips alone); off: the "
        "finder's C7 (its crest line without C7) inside the marked receiver box but further; "
        "wrong body: outside that box, or any point on the person pasted beside; asks "
        "which is the receiver: refused for more than one person in view, asking for the "
        f"receiver box (the right answer for {', '.join(ASKING_IS_RIGHT)}: two backs alike)."
    )
