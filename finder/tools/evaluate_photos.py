"""The body model on real photos: the finder's anatomy against eye-marked landmarks.

Truth: `landmarks.json` beside the shared photos (its LANDMARKS.md): C7, the acromia and the
iliac crest tops in each photo's pixels. More truth is made from it: every photo mirrored (the
receiver's sides swap), and each photo that shows both crest tops cut off at the waist, mid-thigh
and knee (the truth moves with the crop, which keeps the top-left corner). Each case goes through
`locate_image` (with the receiver box when other people are in view).

Errors are in the finder's own cun (`cun_px`) along its body axes: `up` toward the head and
`left` toward the receiver's left; a bias is the mean of finder - truth (+ = the finder's mark
lies toward the head, or toward the receiver's left).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TypeVar

import cv2
import numpy as np

from finder.adapters.imageio import read_image
from finder.body.anatomy import Anatomy
from finder.body.landmarks import HIPS, SHOULDERS, SIDES
from finder.body.pose import Detector
from finder.body.result import Basis, FinderResult
from finder.body.view import VISIBLE, OrientedPose, midpoint, span, up_axis
from finder.pipelines.photo import (
    locate_found,
    search_photo,
    shared_people_detector,
    shared_still_estimator,
)

TRUTH_FILE = "landmarks.json"
# Evaluated landmarks: truth name (landmarks.json, sides merged) -> the finder's landmark.
EVALUATED = {"C7": "C7", "acromion": "acromion", "iliac_crest_top": "iliac_crest_top"}
SIDED = {"acromion", "iliac_crest_top"}
ACROMION_OFFSET = "acromion - shoulder kp"
"""The name of an acromion's `Offset` from its shoulder keypoint."""


class Crop(Enum):
    """Where a copy of a photo is cut off below: the bottom edge lies this many acromion
    breadths (truth) below the crest tops' midpoint. The waist cut passes about the hip joints
    (the bikini's lower edge on photo 13), mid-thigh halfway to the knee, knee at the crease."""

    WAIST = 0.5
    MID_THIGH = 1.2
    KNEE = 1.75


@dataclass(frozen=True)
class Mark:
    """One eye-marked landmark: image position (px) and its one-sigma uncertainty (px)."""

    xy: np.ndarray
    sd_px: float


@dataclass(frozen=True)
class Case:
    """One picture with its truth: `marks` by landmarks.json name (receiver's sides), the
    receiver box (x, y, w, h px) when other people are in view."""

    name: str
    bgr: np.ndarray
    marks: Mapping[str, Mark]
    box: tuple[int, int, int, int] | None
    crop: Crop | None = None  # None: the whole photo

    @property
    def photo(self) -> str:
        """The photo this picture was made from (its mirror images and crops share it)."""
        return self.name.split()[0]

    @property
    def crests_in_view(self) -> bool:
        """Both crest tops are marked and inside the picture."""
        height, width = self.bgr.shape[:2]
        return all(
            f"iliac_crest_top_{s}" in self.marks
            and 0 <= self.marks[f"iliac_crest_top_{s}"].xy[0] < width
            and 0 <= self.marks[f"iliac_crest_top_{s}"].xy[1] < height
            for s in SIDES
        )


def load_truth(photos: Path) -> dict[str, dict]:
    """landmarks.json by photo file name; ValueError with the file's name when unreadable."""
    path = photos / TRUTH_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: cannot read the landmarks ({error})") from None


def photo_case(photos: Path, file_name: str, entry: Mapping) -> Case:
    """The photo as stored, with its marks and (when others are in view) its receiver box."""
    marks = {
        name: Mark(np.array([mark["x"], mark["y"]], dtype=float), float(mark["sd_px"]))
        for name, mark in entry["landmarks"].items()
    }
    x0, y0, x1, y1 = entry["receiver_box"]
    box = (x0, y0, x1 - x0, y1 - y0) if entry["other_people"] else None
    return Case(file_name[:2], read_image(photos / file_name), marks, box)


def mirrored(case: Case) -> Case:
    """The picture flipped left to right: x -> width - x, and the receiver's sides swap (a
    mirrored back is the back of a mirrored body)."""
    width = case.bgr.shape[1]
    swap = {"left": "right", "right": "left"}
    marks = {}
    for name, mark in case.marks.items():
        stem, _, side = name.rpartition("_")
        renamed = f"{stem}_{swap[side]}" if side in swap else name
        marks[renamed] = Mark(np.array([width - mark.xy[0], mark.xy[1]]), mark.sd_px)
    box = None
    if case.box is not None:
        x, y, w, h = case.box
        box = (width - x - w, y, w, h)
    flipped = np.ascontiguousarray(case.bgr[:, ::-1])
    return Case(f"{case.name} mirrored", flipped, marks, box, case.crop)


def cropped(case: Case, crop: Crop) -> Case | None:
    """The picture cut off `crop` below the crest tops (None without both crest tops and both
    acromia marked); marks below the new edge are dropped, the box is clipped."""
    names = [f"{n}_{s}" for n in SIDED for s in SIDES]
    if not all(name in case.marks for name in names):
        return None
    crest = np.mean([case.marks[f"iliac_crest_top_{s}"].xy for s in SIDES], axis=0)
    breadth = float(np.hypot(*(case.marks["acromion_left"].xy - case.marks["acromion_right"].xy)))
    bottom = min(round(float(crest[1]) + crop.value * breadth), case.bgr.shape[0])
    marks = {name: mark for name, mark in case.marks.items() if mark.xy[1] < bottom}
    box = None
    if case.box is not None:
        x, y, w, h = case.box
        box = (x, y, w, max(min(y + h, bottom) - y, 1))
    label = crop.name.lower().replace("_", "-")
    return Case(f"{case.name} to the {label}", case.bgr[:bottom], marks, box, crop)


def cases(photos: Path) -> Iterator[Case]:
    """Every photo with marks, its crops (where the crests are marked) and their mirror
    images."""
    for file_name, entry in sorted(load_truth(photos).items()):
        if not entry["landmarks"]:
            continue
        original = photo_case(photos, file_name, entry)
        for case in (original, *filter(None, (cropped(original, c) for c in Crop))):
            yield case
            yield mirrored(case)


@dataclass(frozen=True)
class Error:
    """One landmark on one case: finder - truth along the body axes (cun), and the mark's own
    stated uncertainty (its sd_px in the finder's cun)."""

    landmark: str
    case: str
    up_cun: float
    left_cun: float
    truth_sd_cun: float = 0.0

    @property
    def distance_cun(self) -> float:
        return float(np.hypot(self.up_cun, self.left_cun))


@dataclass(frozen=True)
class Offset:
    """A detector's keypoint against eye-marked truth on one case, in the body axes: truth -
    keypoint, `up` toward the head and `out` away from the midline (cun, and in widths of the
    shoulder keypoints, `width_cun` apart)."""

    name: str
    case: str
    whole: bool  # on a whole photo (else a crop, where BlazePose moves the hips)
    detector: Detector
    up_cun: float
    out_cun: float
    width_cun: float

    @property
    def up_widths(self) -> float:
        return self.up_cun / self.width_cun

    @property
    def out_widths(self) -> float:
        return self.out_cun / self.width_cun


@dataclass
class CaseResult:
    """What the finder did on one case."""

    case: Case
    result: FinderResult
    detector: Detector = Detector.BLAZEPOSE
    errors: list[Error] = field(default_factory=list)
    offsets: list[Offset] = field(default_factory=list)
    pose: OrientedPose | None = None  # the pose the finder used (image px)


def evaluate_case(case: Case, view: str = "auto") -> CaseResult:
    """The finder's result on one case (`locate_image`'s search and placing), its errors and
    the keypoint offsets of the detector that found the body."""
    search = search_photo(case.bgr, shared_still_estimator(), view, case.box)
    height, width = case.bgr.shape[:2]
    result = locate_found(search.found, (width, height), remarks=search.remarks)
    found = search.found
    outcome = CaseResult(
        case, result, found.detector, pose=None if found.checked is None else found.checked.pose
    )
    if result.accepted and result.basis is Basis.POSE:
        outcome.errors = landmark_errors(result.anatomy, case)
        outcome.offsets = keypoint_offsets(result, case, search.found.detector)
    return outcome


def landmark_errors(anatomy: Anatomy, case: Case) -> list[Error]:
    """finder - truth for each evaluated landmark both have (sided ones once per side)."""
    frame = anatomy.frame
    errors = []
    for truth_name, finder_name in EVALUATED.items():
        pairs = (
            [(f"{truth_name}_{s}", f"{finder_name}_{s}") for s in SIDES]
            if truth_name in SIDED
            else [(truth_name, finder_name)]
        )
        for truth_key, finder_key in pairs:
            if truth_key in case.marks and finder_key in anatomy.landmarks:
                up, left = frame.to_body(anatomy.landmarks[finder_key].xy)
                true_up, true_left = frame.to_body(case.marks[truth_key].xy)
                sd_cun = case.marks[truth_key].sd_px / frame.cun_px
                errors.append(Error(truth_name, case.name, up - true_up, left - true_left, sd_cun))
    return errors


def keypoint_offsets(
    result: FinderResult, case: Case, detector: Detector = Detector.BLAZEPOSE
) -> list[Offset]:
    """Truth - keypoint in the finder's body frame: each acromion against its shoulder
    keypoint, C7 against the shoulder-keypoint midpoint, each crest top against its hip
    keypoint. The keypoints are the finder's (MoveNet's already moved into BlazePose's
    convention, `finder.body.convention`)."""
    frame, lm = result.anatomy.frame, np.asarray(result.keypoints)
    width = span(lm, SHOULDERS)
    pairs = []
    for side, shoulder, hip in zip(SIDES, SHOULDERS, HIPS, strict=True):
        pairs.append((ACROMION_OFFSET, f"acromion_{side}", lm[shoulder, :2], side))
        pairs.append(("crest top - hip kp", f"iliac_crest_top_{side}", lm[hip, :2], side))
    pairs.append(("C7 - shoulder kp midpoint", "C7", lm[list(SHOULDERS), :2].mean(0), None))
    offsets = []
    for name, truth_key, keypoint, side in pairs:
        if truth_key not in case.marks:
            continue
        up, left = frame.to_body(case.marks[truth_key].xy)
        kp_up, kp_left = frame.to_body(keypoint)
        out = (left - kp_left) * (1.0 if side in (None, "left") else -1.0)
        offsets.append(
            Offset(
                name,
                case.name,
                case.crop is None,
                detector,
                up - kp_up,
                out,
                width / frame.cun_px,
            )
        )
    return offsets


@dataclass(frozen=True)
class Summary:
    """Errors of one landmark over the cases (cun): median and 90th percentile of the distance;
    along (`up`) and across (`left`) the body, the median absolute error and the mean signed
    one (the bias); the marks' median stated sd (`truth_sd`) and the median distance that
    alone would give a perfect finder (`truth_median`: a 2-D normal error of that sd per axis,
    1.177 sd)."""

    landmark: str
    count: int
    median: float
    p90: float
    median_up: float
    bias_up: float
    median_left: float
    bias_left: float
    truth_sd: float = float("nan")

    @property
    def truth_median(self) -> float:
        return RAYLEIGH_MEDIAN * self.truth_sd


RAYLEIGH_MEDIAN = float(np.sqrt(2 * np.log(2)))
"""Median distance of a 2-D normal error with sd 1 per axis (the Rayleigh distribution)."""


def summarise(errors: Sequence[Error]) -> list[Summary]:
    rows = []
    for landmark in EVALUATED:
        chosen = [e for e in errors if e.landmark == landmark]
        if not chosen:
            rows.append(Summary(landmark, 0, *(float("nan"),) * 7))
            continue
        distance = np.array([e.distance_cun for e in chosen])
        up = np.array([e.up_cun for e in chosen])
        left = np.array([e.left_cun for e in chosen])
        rows.append(
            Summary(
                landmark,
                len(chosen),
                float(np.median(distance)),
                float(np.percentile(distance, 90)),
                float(np.median(np.abs(up))),
                float(up.mean()),
                float(np.median(np.abs(left))),
                float(left.mean()),
                float(np.median([e.truth_sd_cun for e in chosen])),
            )
        )
    return rows


@dataclass(frozen=True)
class Placement:
    """How often a point was placed where it should be: GV-14 below the true C7 (cases with C7
    marked), BL-23 on both sides (cases showing both crest tops)."""

    code: str
    cases: int
    placed: int
    right_place: int | None  # GV-14: placed below the true C7; None when not judged


def placements(outcomes: Sequence[CaseResult]) -> list[Placement]:
    gv14 = [o for o in outcomes if "C7" in o.case.marks]
    placed_gv14 = below = 0
    for outcome in gv14:
        points = [p for p in outcome.result.points if p.code == "GV-14"]
        if not points:
            continue
        placed_gv14 += 1
        frame = outcome.result.anatomy.frame
        point_up, _ = frame.to_body(np.asarray(points[0].xy))
        c7_up, _ = frame.to_body(outcome.case.marks["C7"].xy)
        below += point_up < c7_up
    bl23 = [o for o in outcomes if o.case.crests_in_view]
    placed_bl23 = sum(
        {p.side for p in o.result.points if p.code == "BL-23"} == set(SIDES) for o in bl23
    )
    return [
        Placement("GV-14", len(gv14), placed_gv14, below),
        Placement("BL-23", len(bl23), placed_bl23, None),
    ]


def format_errors(rows: Sequence[Summary], ansur: Mapping[str, tuple[float, float]]) -> str:
    lines = [
        "| landmark | n | median | p90 | along: median, bias | across: median, bias "
        "| marks' sd; median from it alone | ANSUR II median / p95 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        reference = ansur.get(r.landmark)
        ansur_text = f"{reference[0]:.2f} / {reference[1]:.2f}" if reference else "-"
        lines.append(
            f"| {r.landmark} | {r.count} | {r.median:.2f} | {r.p90:.2f} "
            f"| {r.median_up:.2f}, {r.bias_up:+.2f} | {r.median_left:.2f}, {r.bias_left:+.2f} "
            f"| {r.truth_sd:.2f}; {r.truth_median:.2f} | {ansur_text} |"
        )
    return "\n".join(lines)


def format_placements(rows: Sequence[Placement]) -> str:
    parts = []
    for r in rows:
        text = f"{r.code} placed on {r.placed} of {r.cases}"
        if r.right_place is not None:
            text += f" ({r.right_place} below the true C7)"
        parts.append(text)
    return "; ".join(parts)


def format_offsets(offsets: Sequence[Offset]) -> str:
    lines = [
        "| truth - keypoint | detector | photos | n | up (cun) | out (cun) "
        "| up (shoulder widths) | out (shoulder widths) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in dict.fromkeys(o.name for o in offsets):
        for detector in Detector:
            found = [o for o in offsets if o.name == name and o.detector is detector]
            for label, chosen in by_picture(found):
                med = {
                    key: float(np.median([getattr(o, key) for o in chosen]))
                    for key in ("up_cun", "out_cun", "up_widths", "out_widths")
                }
                lines.append(
                    f"| {name} | {detector.value} | {label} | {len(chosen)} "
                    f"| {med['up_cun']:+.2f} | {med['out_cun']:+.2f} "
                    f"| {med['up_widths']:+.3f} | {med['out_widths']:+.3f} |"
                )
    return "\n".join(lines)


@dataclass(frozen=True)
class DetectorPair:
    """BlazePose and MoveNet run on the same picture and finding the receiver (shoulder
    midpoints within half a shoulder width of each other and of the marked C7), compared in
    BlazePose's axes (`down` from its shoulders toward its hips): where BlazePose's shoulder and
    hip midpoints lie below MoveNet's, in MoveNet shoulder widths (hips: NaN unless both
    detectors see both hips), and BlazePose's shoulder width over MoveNet's."""

    case: str
    whole: bool
    shoulders_down: float
    shoulder_width_ratio: float
    hips_down: float


def detector_pair(case: Case) -> DetectorPair | None:
    """Both detectors, as they come (no convention applied), on one case with C7 marked; None
    unless both find the receiver."""
    if "C7" not in case.marks:
        return None
    rgb = cv2.cvtColor(case.bgr, cv2.COLOR_BGR2RGB)
    blaze = shared_still_estimator().detect_pose(rgb)
    if blaze is None:
        return None
    b = blaze.landmarks
    b_width = float(np.hypot(*(b[SHOULDERS[0], :2] - b[SHOULDERS[1], :2])))

    def near(xy: np.ndarray) -> bool:
        return float(np.hypot(*(xy - midpoint(b, SHOULDERS)))) < 0.5 * b_width

    same = [
        p.pose.landmarks
        for p in shared_people_detector().detect(rgb)
        if near(midpoint(p.pose.landmarks, SHOULDERS))
    ]
    if not same or not near(case.marks["C7"].xy):
        return None
    m = same[0]
    m_width = float(np.hypot(*(m[SHOULDERS[0], :2] - m[SHOULDERS[1], :2])))
    down = -up_axis(b)
    hips_seen = min(b[list(HIPS), 3].min(), m[list(HIPS), 3].min()) >= VISIBLE
    return DetectorPair(
        case.name,
        case.crop is None,
        float((midpoint(b, SHOULDERS) - midpoint(m, SHOULDERS)) @ down) / m_width,
        b_width / m_width,
        float((midpoint(b, HIPS) - midpoint(m, HIPS)) @ down) / m_width if hips_seen else np.nan,
    )


Measured = TypeVar("Measured", "Offset", "DetectorPair")


def by_picture(measured: Sequence[Measured]) -> Iterator[tuple[str, list[Measured]]]:
    """`measured` on whole photos, on crops, and all of it ("whole", "crops", "all"), each with
    its label; a group with nothing in it is left out."""
    for whole, label in ((True, "whole"), (False, "crops"), (None, "all")):
        chosen = [m for m in measured if whole is None or m.whole is whole]
        if chosen:
            yield label, chosen


def format_pairs(pairs: Sequence[DetectorPair]) -> str:
    """Medians of `detector_pair` on whole photos, crops and all."""
    lines = [
        "| pictures | n | shoulders: BlazePose below MoveNet (MoveNet widths) "
        "| shoulder width: BlazePose / MoveNet | hips: BlazePose below MoveNet (widths) |",
        "|---|---|---|---|---|",
    ]
    for label, chosen in by_picture(pairs):
        med = {
            key: float(np.nanmedian([getattr(p, key) for p in chosen]))
            if any(np.isfinite(getattr(p, key)) for p in chosen)
            else np.nan
            for key in ("shoulders_down", "shoulder_width_ratio", "hips_down")
        }
        hips = sum(bool(np.isfinite(p.hips_down)) for p in chosen)
        lines.append(
            f"| {label} | {len(chosen)} | {med['shoulders_down']:+.3f} "
            f"| {med['shoulder_width_ratio']:.3f} | {med['hips_down']:+.3f} (n = {hips}) |"
        )
    return "\n".join(lines)


def format_cases(outcomes: Sequence[CaseResult]) -> str:
    lines = []
    for o in outcomes:
        r = o.result
        if not r.accepted:
            lines.append(f"- {o.case.name}: refused ({r.problems[0]})")
            continue
        errors = ", ".join(
            f"{e.landmark} {e.up_cun:+.1f}/{e.left_cun:+.1f}" for e in o.errors if e.landmark
        )
        source = r.pose_source or "upright"  # names the second detector (FoundPose.changes)
        c7_missing = r.anatomy.missing.get("C7")
        lines.append(
            f"- {o.case.name}: {r.view}, {source}, cun {r.anatomy.frame.cun_px:.1f} px; "
            f"up/left errors {errors or 'none'}"
            + ("" if c7_missing is None else f"; C7 left out: {c7_missing}")
        )
    return "\n".join(lines)
