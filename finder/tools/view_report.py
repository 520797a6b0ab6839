"""Per-view evidence: how often points are placed, on the shared photos and on copies the report
makes of them (mirrored, rotated, cropped), and how far the points move between an original and
its copy, in cun of the original.

    python -m finder.tools.view_report [PHOTO_DIR]

Copies are affine images of the original (a 2 x 3 matrix from original to copy pixels); a copy's
points are mapped back into the original and matched by code and receiver's side (a mirror image
swaps the sides the finder sees). Crops cut the picture below the shoulders at fractions of the
original's shoulder-to-hip distance, so the hips leave the picture.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import numpy as np

from finder.adapters.imageio import read_image
from finder.body.landmarks import Keypoint
from finder.body.result import FinderResult
from finder.pipelines.photo import locate_image, shared_still_estimator
from finder.tools.copies import Copy, cropped, mirrored, rotated, then

DEFAULT_PHOTOS = Path("../shared/data/photos")  # relative to the working directory
# What each shared photo shows (../shared/data/photos/SOURCES.md); in 04 BlazePose finds the
# standing therapist, who faces the camera.
PHOTO_KINDS = {
    "back, standing": ("13",),
    "back, upper body or seated": ("09", "10", "11", "12"),
    "back, lying": ("01", "02", "03", "05", "06", "07", "08"),
    "front": ("04",),
}
ROTATIONS_DEG = (-30, -15, -5, 5, 15, 30, 90, 180)
CROP_FRACTIONS = tuple(np.round(np.arange(0.2, 1.001, 0.05), 2))  # of shoulders -> hips
CROP_ROTATIONS_DEG = (-15, 15)
OPPOSITE = {"left": "right", "right": "left", "midline": "midline"}


def whole_copies(size: tuple[int, int]) -> list[Copy]:
    """Mirrored and rotated copies of the whole picture."""
    return [mirrored(size), *(rotated(size, angle) for angle in ROTATIONS_DEG)]


def crop_copies(size: tuple[int, int], shoulders_y: float, hips_y: float) -> list[Copy]:
    """Crops between the shoulder and hip lines (image y, px), each also mirrored and rotated."""
    copies = []
    for fraction in CROP_FRACTIONS:
        bottom = round(shoulders_y + fraction * (hips_y - shoulders_y))
        crop = cropped((0, 0, size[0], bottom), f"cut at {fraction:.2f}")
        copies += [crop, then(crop, mirrored(crop.size))]
        copies += [then(crop, rotated(crop.size, angle)) for angle in CROP_ROTATIONS_DEG]
    return copies


class CopyStatus(Enum):
    """What became of a copy."""

    PLACED = "placed"
    NO_POSE = "no pose"  # BlazePose found nobody
    REFUSED = "refused"  # by the plausibility checks
    OTHER_SIDE = "other side"  # read as the other side of the body (front for back)
    NOTHING_PLACED = "nothing placed"


@dataclass(frozen=True)
class CopyOutcome:
    """One copy against its original: what became of it, the points placed, and for those the
    original placed too how far they moved and the copy's stated radius (one standard
    deviation), in cun of the original."""

    status: CopyStatus
    placed: int
    moves_cun: tuple[float, ...]
    radii_cun: tuple[float, ...]


def compare(original: FinderResult, copy: Copy, result: FinderResult) -> CopyOutcome:
    before = {(p.code, p.side): np.array(p.xy) for p in original.points}
    moves, radii = [], []
    for point in result.points:
        side = OPPOSITE[point.side] if copy.mirrored else point.side
        if (point.code, side) in before:
            moved = copy.to_original(point.xy) - before[(point.code, side)]
            moves.append(float(np.hypot(*moved)) / original.cun_px)
            radii.append(point.radius_px / result.cun_px)
    if result.keypoints is None:
        status = CopyStatus.NO_POSE
    elif not result.accepted:
        status = CopyStatus.REFUSED
    elif result.view != original.view:
        status = CopyStatus.OTHER_SIDE
    else:
        status = CopyStatus.PLACED if result.points else CopyStatus.NOTHING_PLACED
    return CopyOutcome(status, len(result.points), tuple(moves), tuple(radii))


@dataclass(frozen=True)
class ViewRow:
    view: str
    photos: str  # "placed on / shown" for the shared photos of this kind
    copies: int
    outcomes: tuple[CopyOutcome, ...]

    def cells(self) -> list[str]:
        outcomes = [o for o in self.outcomes if o.status is not CopyStatus.OTHER_SIDE]
        moves = np.array([m for o in outcomes for m in o.moves_cun])
        radii = np.array([r for o in outcomes for r in o.radii_cun])
        placed = [o.placed for o in outcomes if o.status is CopyStatus.PLACED]

        def count(status: CopyStatus) -> str:
            return str(sum(o.status is status for o in self.outcomes))

        def figure(values: np.ndarray, text: Callable[[np.ndarray], str]) -> str:
            return text(values) if values.size else "-"

        return [
            self.view,
            self.photos,
            str(self.copies),
            count(CopyStatus.PLACED),
            f"{np.median(placed):.0f}" if placed else "-",
            count(CopyStatus.NO_POSE),
            count(CopyStatus.REFUSED),
            count(CopyStatus.OTHER_SIDE),
            figure(moves, lambda v: f"{np.median(v):.2f}"),
            figure(moves, lambda v: f"{np.percentile(v, 95):.2f} / {v.max():.2f}"),
            figure(radii, lambda v: f"{np.median(v):.2f}"),
        ]


HEADER = (
    "view",
    "shared photos with points",
    "copies",
    "copies with points",
    "points per copy (median)",
    "no pose found",
    "refused",
    "read as the other side",
    "moved: median (cun)",
    "moved: 95th pct / max (cun)",
    "stated radius: median (cun)",
)


def format_rows(rows: Sequence[ViewRow]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return "\n".join(lines)


def shoulders_and_hips_y(result: FinderResult) -> tuple[float, float]:
    keypoints = result.keypoints
    shoulders = keypoints[[Keypoint.LEFT_SHOULDER, Keypoint.RIGHT_SHOULDER], 1].mean()
    hips = keypoints[[Keypoint.LEFT_HIP, Keypoint.RIGHT_HIP], 1].mean()
    return float(shoulders), float(hips)


def outcomes_of(
    bgr: np.ndarray,
    original: FinderResult,
    copies: Sequence[Copy],
    view: str = "auto",
) -> Iterator[CopyOutcome]:
    estimator = shared_still_estimator()
    for copy in copies:
        yield compare(original, copy, locate_image(copy.render(bgr), view, estimator=estimator))


def view_rows(photo_dir: Path = DEFAULT_PHOTOS) -> list[ViewRow]:
    """The per-view rows: the shared photos of each kind, then copies of those that got points
    (whole copies of the standing backs and the fronts; crops of the standing backs for the
    upper body, read automatically and with the back view chosen)."""
    photos = {path.name[:2]: path for path in sorted(photo_dir.glob("*.jpg"))}
    images = {prefix: read_image(path) for prefix, path in photos.items()}
    results = {prefix: locate_image(bgr) for prefix, bgr in images.items()}

    def shown(kind: str) -> str:
        prefixes = [p for p in PHOTO_KINDS[kind] if p in results]
        placed = [p for p in prefixes if results[p].points]
        return f"{len(placed)} of {len(prefixes)}" + (f" ({', '.join(placed)})" if placed else "")

    def row(
        view: str,
        kind: str,
        copies_of: Callable[[FinderResult, tuple], list[Copy]],
        originals: str = "",
        mode: str = "auto",
    ) -> ViewRow:
        """Copies of the photos of kind `originals` (default: `kind`) that got points."""
        outcomes, count = [], 0
        for prefix in PHOTO_KINDS[originals or kind]:
            original = results.get(prefix)
            if original is None or not original.points:
                continue
            copies = copies_of(original, (original.width, original.height))
            count += len(copies)
            outcomes += outcomes_of(images[prefix], original, copies, mode)
        return ViewRow(view, shown(kind), count, tuple(outcomes))

    def crops(original: FinderResult, size: tuple[int, int]) -> list[Copy]:
        return crop_copies(size, *shoulders_and_hips_y(original))

    return [
        row("back, standing", "back, standing", lambda _, size: whole_copies(size)),
        row("back, upper body (crops)", "back, upper body or seated", crops, "back, standing"),
        row(
            "back, upper body (crops), back view chosen",
            "back, upper body or seated",
            crops,
            "back, standing",
            "back",
        ),
        ViewRow("back, lying", shown("back, lying"), 0, ()),
        row("front", "front", lambda _, size: whole_copies(size)),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    photo_dir = Path(args[0]) if args else DEFAULT_PHOTOS
    if not photo_dir.is_dir():
        print(f"view_report: {photo_dir}: no such folder", file=sys.stderr)
        return 2
    print(format_rows(view_rows(photo_dir)))
    print(
        "\nCopies: mirrored and rotated by "
        + ", ".join(f"{a:+g}" for a in ROTATIONS_DEG)
        + " degrees; crops cut between the shoulder and hip lines at "
        + f"{CROP_FRACTIONS[0]:.2f}..{CROP_FRACTIONS[-1]:.2f} of that distance, each also "
        "mirrored and rotated by " + ", ".join(f"{a:+g}" for a in CROP_ROTATIONS_DEG) + " degrees."
        " Moves compare points the original and its copy both placed, in cun of the original."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
