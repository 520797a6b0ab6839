"""`finder rescue-report`: what turning, padding, a receiver box and a partner's taps get.

Per photo: is a pose accepted upright, after rotation/padding (which attempt), inside the
receiver box, how many points the finder places with all of it, and, given the partner's taps,
how many back points it places inside the picture. Optionally, random rotated crops of one
full-body photo, whose upright pose serves as the truth, show whether the rescued poses sit at
the right place.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from finder.adapters.imageio import ImageError, read_image
from finder.adapters.pose import PoseEstimator
from finder.body.catalog import load_catalog
from finder.body.fit import FitError, Taps
from finder.body.landmarks import Keypoint
from finder.body.result import FinderResult
from finder.pipelines.photo import locate_found, shared_still_estimator
from finder.pipelines.search import (
    QUARTER_TURNS,
    Attempt,
    Box,
    FoundPose,
    find_pose,
    render,
    to_attempt,
)

BACK_REGIONS = ("neck", "upper back", "lumbar")
"""Catalog regions whose points are placed from the trunk (shoulders and hips) alone."""

WRONG_PLACE_CUN = 1.5
"""A crop's pose is at the wrong place when its back points lie further than this from the
truth (median over the points, B-cun): the radius of the confidence the finder reports."""


def load_boxes(path: Path) -> dict[str, Box]:
    """Receiver boxes by photo file name from a JSON file {"boxes": {name: {"box": [x, y, w,
    h]}}} (pixels). Raises ValueError naming the file and the entry when malformed."""
    try:
        entries = json.loads(path.read_text())["boxes"]
        return {name: _box(entry["box"]) for name, entry in entries.items()}
    except OSError as error:
        raise ValueError(f"{path}: cannot read ({error.strerror or error})") from None
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(
            f'{path}: expected {{"boxes": {{photo name: {{"box": [x, y, w, h]}}}}}} ({error})'
        ) from None


def load_taps(path: Path) -> dict[str, Taps]:
    """A partner's taps by photo file name from a JSON file {"photos": {name: {"taps": {landmark:
    [x, y]}}}} (pixels). Raises ValueError naming the file and the entry when malformed."""
    try:
        entries = json.loads(path.read_text())["photos"]
        return {
            name: Taps({tap: _pair(xy) for tap, xy in entry["taps"].items()})
            for name, entry in entries.items()
        }
    except OSError as error:
        raise ValueError(f"{path}: cannot read ({error.strerror or error})") from None
    except FitError as error:
        raise ValueError(f"{path}: {error}") from None
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(
            f'{path}: expected {{"photos": {{photo name: {{"taps": {{landmark: [x, y]}}}}}}}} '
            f"({error})"
        ) from None


def _pair(values: Sequence) -> tuple[float, float]:
    x, y = (float(v) for v in values)
    return x, y


def _box(values: Sequence) -> Box:
    x, y, w, h = (int(v) for v in values)
    return x, y, w, h


@dataclass(frozen=True)
class PhotoRow:
    """One photo's outcomes: upright only, with rescue, inside the receiver box (None: no box)."""

    name: str
    upright: FinderResult
    rescued: tuple[FoundPose, FinderResult]
    boxed: tuple[FoundPose, FinderResult] | None
    final_ms: float  # pose search time of the final run (the box's when there is one)
    tapped: FinderResult | None  # the final pose with the partner's taps (None: no taps)

    @property
    def final(self) -> FinderResult:
        """What the finder gives with everything it was given (the box, when there is one)."""
        return (self.boxed or self.rescued)[1]


def photo_row(path: Path, box: Box | None, taps: Taps | None, estimator: PoseEstimator) -> PhotoRow:
    rgb = cv2.cvtColor(read_image(path), cv2.COLOR_BGR2RGB)
    size = (rgb.shape[1], rgb.shape[0])
    upright = locate_found(find_pose(rgb, estimator, rescue=False), size)
    started = time.perf_counter()
    rescued = find_pose(rgb, estimator)
    final_ms = (time.perf_counter() - started) * 1000
    boxed = None
    if box is not None:
        started = time.perf_counter()
        found = find_pose(rgb, estimator, box=box)
        final_ms = (time.perf_counter() - started) * 1000
        boxed = (found, locate_found(found, size))
    tapped = None if taps is None else locate_found((boxed or (rescued,))[0], size, taps=taps)
    return PhotoRow(
        path.name, upright, (rescued, locate_found(rescued, size)), boxed, final_ms, tapped
    )


def back_points_in_picture(result: FinderResult) -> list[str]:
    """The back points (BACK_REGIONS) `result` places inside its picture, as "BL-23 left"."""
    back = {p.code for p in load_catalog().points if p.region in BACK_REGIONS}
    return [
        f"{p.code} {p.side}"
        for p in result.points
        if p.code in back and 0 <= p.xy[0] < result.width and 0 <= p.xy[1] < result.height
    ]


def taps_cell(result: FinderResult | None) -> str:
    """What the taps gave: from what, and how many back points inside the picture."""
    if result is None:
        return "no taps"
    if not result.accepted:
        return f"refused: {result.problems[0]}"
    return f"{result.basis.value}: {len(back_points_in_picture(result))} back points"


def outcome(result: FinderResult) -> str:
    """A short cell: accepted (facing, points) or why not."""
    if result.keypoints is None:
        return "no person"
    if not result.accepted:
        return "rejected"
    return f"accepted, {result.view}, {len(result.points)} points"


def rescue_cell(found: FoundPose) -> str:
    """Which rotated/padded attempt was used, or how many passed the checks unconfirmed."""
    if found.passes == 1:
        return "not needed"
    if not found.attempt.upright:
        return f"{found.changes or 'upright'} ({found.support} others agree)"
    unconfirmed = ", none confirmed" if found.plausible else ""
    return f"none ({found.plausible} of {found.passes - 1} plausible{unconfirmed})"


def photo_table(rows: Sequence[PhotoRow]) -> str:
    """One line per photo and the totals; the box column runs upright-then-rescue in the box;
    points, passes and time are those of the final run (with the box when there is one)."""
    lines = [
        "| photo | upright | rotation/padding | receiver box | box: rotation/padding | points "
        "| passes | pose (ms) | with taps |",
        "|---|---|---|---|---|---:|---:|---:|---|",
    ]
    for row in rows:
        boxed = "no box" if row.boxed is None else outcome(row.boxed[1])
        box_rescue = "" if row.boxed is None else rescue_cell(row.boxed[0])
        passes = (row.boxed or row.rescued)[0].passes
        lines.append(
            f"| {row.name[:2]} | {outcome(row.upright)} | {rescue_cell(row.rescued[0])} | "
            f"{boxed} | {box_rescue} | {len(row.final.points)} | {passes} | "
            f"{row.final_ms:.0f} | {taps_cell(row.tapped)} |"
        )
    boxes = [r for r in rows if r.boxed is not None]
    tapped = [r.tapped for r in rows if r.tapped is not None]
    lines.append(
        f"| **all {len(rows)}** | {sum(r.upright.accepted for r in rows)} accepted | "
        f"{sum(not r.rescued[0].attempt.upright for r in rows)} rescued | "
        f"{sum(r.boxed[1].accepted for r in boxes)} of {len(boxes)} accepted | "
        f"{sum(not r.boxed[0].attempt.upright for r in boxes)} rescued | "
        f"{sum(len(r.final.points) for r in rows)} | "
        f"{sum((r.boxed or r.rescued)[0].passes for r in rows)} | "
        f"{sum(r.final_ms for r in rows):.0f} | "
        f"{sum(bool(back_points_in_picture(t)) for t in tapped)} of {len(tapped)} get back points |"
    )
    return "\n".join(lines)


@dataclass(frozen=True)
class CropOutcome:
    """One rotated crop: whether upright / rescue accepted a pose and its back-point error."""

    upright_error_cun: float | None  # None: the upright pass was not accepted
    rescued_error_cun: float | None  # None: nothing accepted with rescue either
    passes: int


def back_point_error_cun(result: FinderResult, truth: Mapping, cun_px: float) -> float:
    """Median distance (B-cun) between the back points of `result` and the same points in
    `truth` ((code, side) -> xy in the same pixel frame), over the points both place."""
    back = {p.code for p in load_catalog().points if p.region in BACK_REGIONS}
    gaps = [
        float(np.hypot(*(np.array(p.xy) - truth[(p.code, p.side)]))) / cun_px
        for p in result.points
        if p.code in back and (p.code, p.side) in truth
    ]
    return float(np.median(gaps)) if gaps else float("inf")


def random_crops(
    result: FinderResult, image_size: tuple[int, int], count: int, seed: int = 0
) -> list[Attempt]:
    """Rotated crops of a full-body photo (as Attempts without border): the top anywhere from
    above the head to just below the shoulders, the bottom anywhere from the upper thigh to
    the ankles, the sides up to half a shoulder width off the body, a random quarter turn."""
    lm = result.keypoints

    def height_of(*keypoints: Keypoint) -> float:
        return float(lm[list(keypoints), 1].mean())

    nose = height_of(Keypoint.NOSE)
    shoulder = height_of(Keypoint.LEFT_SHOULDER, Keypoint.RIGHT_SHOULDER)
    hip = height_of(Keypoint.LEFT_HIP, Keypoint.RIGHT_HIP)
    knee = height_of(Keypoint.LEFT_KNEE, Keypoint.RIGHT_KNEE)
    ankle = height_of(Keypoint.LEFT_ANKLE, Keypoint.RIGHT_ANKLE)
    shoulder_width = float(
        np.hypot(*(lm[Keypoint.LEFT_SHOULDER, :2] - lm[Keypoint.RIGHT_SHOULDER, :2]))
    )
    rng = np.random.default_rng(seed)
    left_edge, right_edge = float(lm[:, 0].min()), float(lm[:, 0].max())
    width, height = image_size
    crops = []
    for _ in range(count):
        top = max(0, int(rng.uniform(nose - 0.3 * shoulder_width, shoulder + 0.1 * shoulder_width)))
        bottom = min(height, int(rng.uniform(hip + 0.3 * (knee - hip), ankle)))
        left = max(0, int(left_edge - rng.uniform(0, 0.5) * shoulder_width))
        right = min(width, int(right_edge + rng.uniform(0, 0.5) * shoulder_width))
        turns = int(rng.choice(QUARTER_TURNS))
        crops.append(Attempt((left, top, right - left, bottom - top), 0, turns))
    return crops


def crop_outcomes(path: Path, count: int, estimator: PoseEstimator) -> list[CropOutcome]:
    """Run the finder on `count` random rotated crops of a photo whose upright pose is accepted;
    the truth for each crop is the full photo's points carried into the crop."""
    bgr = read_image(path)
    full_size = (bgr.shape[1], bgr.shape[0])
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    full = locate_found(find_pose(rgb, estimator, rescue=False), full_size)
    if not full.points:
        raise ValueError(f"{path.name}: the crops need a photo whose upright pose is accepted")
    outcomes = []
    for crop in random_crops(full, full_size, count):
        image = render(rgb, crop)
        size = (image.shape[1], image.shape[0])
        truth = {
            (p.code, p.side): to_attempt(np.array([p.xy]), crop, full_size)[0] for p in full.points
        }

        upright = locate_found(find_pose(image, estimator, rescue=False), size)
        found = find_pose(image, estimator)
        rescued = locate_found(found, size)
        outcomes.append(
            CropOutcome(
                back_point_error_cun(upright, truth, full.cun_px) if upright.points else None,
                back_point_error_cun(rescued, truth, full.cun_px) if rescued.points else None,
                found.passes,
            )
        )
    return outcomes


def crop_table(name: str, outcomes: Sequence[CropOutcome]) -> str:
    def group(errors: list[float]) -> str:
        if not errors:
            return "0 |  |  | 0"
        wrong = sum(e > WRONG_PLACE_CUN for e in errors)
        return f"{len(errors)} | {np.median(errors):.2f} | {max(errors):.2f} | {wrong}"

    upright = [o.upright_error_cun for o in outcomes if o.upright_error_cun is not None]
    rescued = [
        o.rescued_error_cun
        for o in outcomes
        if o.upright_error_cun is None and o.rescued_error_cun is not None
    ]
    missed = sum(o.rescued_error_cun is None for o in outcomes)
    passes = np.mean([o.passes for o in outcomes])
    return "\n".join(
        [
            f"{len(outcomes)} random rotated crops of {name} (seed 0); error = median distance "
            f"of the back points from the full photo's, B-cun; wrong = over {WRONG_PLACE_CUN} cun",
            "",
            "| pose found | crops | median error | max error | wrong |",
            "|---|---:|---:|---:|---:|",
            f"| upright pass accepted | {group(upright)} |",
            f"| only with rotation/padding | {group(rescued)} |",
            f"| not found | {missed} |  |  |  |",
            "",
            f"Mean pose passes per crop: {passes:.1f}.",
        ]
    )


def run(
    paths: Sequence[Path],
    boxes: Mapping[str, Box],
    crops_from: Path | None = None,
    crops: int = 40,
    taps: Mapping[str, Taps] | None = None,
) -> str:
    """The report: a Markdown table per photo and the totals; then the crop table if asked."""
    estimator = shared_still_estimator()
    taps = taps or {}
    rows, unreadable = [], []
    for path in paths:
        try:
            rows.append(photo_row(path, boxes.get(path.name), taps.get(path.name), estimator))
        except ImageError as error:
            unreadable.append(f"{path.name}: {error}")
    parts = [photo_table(rows), *unreadable]
    if crops_from is not None:
        parts += ["", crop_table(crops_from.name, crop_outcomes(crops_from, crops, estimator))]
    return "\n".join(parts)
