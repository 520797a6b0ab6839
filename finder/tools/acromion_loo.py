"""The acromion's offset from its shoulder keypoint judged out of sample: leave one photo out.

The body model places each acromion tip a fixed offset above and outside its shoulder keypoint
(`calibration/body_model.json` landmarks.acromion, medians over the shared photos). Here each
photo is held out in turn (with its mirror image and crops, the same body), the offset is fitted
on the other photos' acromia and put on the held-out ones, as `finder.tools.c7_loo` does for C7.

Inputs are `evaluate_photos.Offset`s (truth - keypoint in the finder's body axes, cun; `out` away
from the midline, MoveNet's keypoints in BlazePose's convention), so an acromion placed `up`,
`out` cun from its keypoint is `up - offset.up_cun` along and `out - offset.out_cun` outward off
its mark.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from finder.body.model import BodyModel
from finder.tools.evaluate_photos import ACROMION_OFFSET, Offset


def photo_of(offset: Offset) -> str:
    """The photo an offset's case was made from (`Case.photo`)."""
    return offset.case.split()[0]


@dataclass(frozen=True)
class Rule:
    """How the offset is fitted: medians of the training acromia that share the held-out one's
    `group` (all of them when none does, or without `group`); sideways in shoulder-keypoint
    widths (scaled by the held-out case's width) with `in_widths`, else in cun."""

    name: str
    group: Callable[[Offset], Hashable] | None = None
    in_widths: bool = False

    def place(self, training: Sequence[Offset], held: Offset) -> tuple[float, float]:
        """(up, out) cun from the held-out acromion's shoulder keypoint."""
        same = [o for o in training if self.group is None or self.group(o) == self.group(held)]
        chosen = same or training
        up = float(np.median([o.up_cun for o in chosen]))
        if self.in_widths:
            return up, float(np.median([o.out_widths for o in chosen])) * held.width_cun
        return up, float(np.median([o.out_cun for o in chosen]))


RULES = (
    Rule("one offset for both detectors (shipped)"),
    Rule("one offset per detector", group=lambda o: o.detector),
    Rule("sideways in shoulder widths", in_widths=True),
)


@dataclass(frozen=True)
class Miss:
    """One acromion placed off its mark: finder - truth along the body (cun, + toward the head)
    and outward (cun, + away from the midline)."""

    photo: str
    up_cun: float
    out_cun: float

    @property
    def distance_cun(self) -> float:
        return float(np.hypot(self.up_cun, self.out_cun))


def miss(offset: Offset, up: float, out: float) -> Miss:
    return Miss(photo_of(offset), up - offset.up_cun, out - offset.out_cun)


def leave_one_photo_out(
    acromia: Sequence[Offset], rule: Rule
) -> tuple[list[Miss], dict[str, float]]:
    """Each photo's acromia placed by `rule` fitted on the other photos', and the sideways
    offset each fold fitted (cun, the median over its held-out acromia)."""
    misses, fitted = [], {}
    for photo in sorted({photo_of(o) for o in acromia}):
        training = [o for o in acromia if photo_of(o) != photo]
        held = [o for o in acromia if photo_of(o) == photo]
        placed = [rule.place(training, o) for o in held]
        misses += [miss(o, up, out) for o, (up, out) in zip(held, placed, strict=True)]
        fitted[photo] = float(np.median([out for _, out in placed]))
    return misses, fitted


def format_per_photo(acromia: Sequence[Offset]) -> str:
    """Per photo and detector: the acromia's median offsets and the sideways range."""
    lines = [
        "| photo | detector | n | up (cun) | out (cun) | out: least, most (cun) |",
        "|---|---|---|---|---|---|",
    ]
    for photo in sorted({photo_of(o) for o in acromia}):
        for detector in dict.fromkeys(o.detector for o in acromia):
            chosen = [o for o in acromia if photo_of(o) == photo and o.detector is detector]
            if chosen:
                out = [o.out_cun for o in chosen]
                lines.append(
                    f"| {photo} | {detector.value} | {len(chosen)} "
                    f"| {np.median([o.up_cun for o in chosen]):+.2f} | {np.median(out):+.2f} "
                    f"| {min(out):+.2f}, {max(out):+.2f} |"
                )
    return "\n".join(lines)


def format_row(name: str, fitted: str, misses: Sequence[Miss], photos: Sequence[str]) -> str:
    distance = [m.distance_cun for m in misses]
    per_photo = " / ".join(
        f"{np.median([m.distance_cun for m in misses if m.photo == p]):.2f}" for p in photos
    )
    return (
        f"| {name} | {fitted} | {len(misses)} | {np.median(distance):.2f} "
        f"| {np.percentile(distance, 90):.2f} | {np.mean([m.up_cun for m in misses]):+.2f} "
        f"| {np.mean([m.out_cun for m in misses]):+.2f} | {per_photo} |"
    )


def loo_table(offsets: Sequence[Offset], model: BodyModel) -> str:
    """The acromia's offsets per photo, then the shipped offset on the photos it was fitted to
    and each rule left one photo out (its sideways offset per held-out photo)."""
    acromia = [o for o in offsets if o.name == ACROMION_OFFSET]
    if not acromia:
        return "no acromion placed on a marked photo"
    photos = sorted({photo_of(o) for o in acromia})
    shown = " / ".join(photos)
    shipped = model.landmarks["acromion"]
    lines = [
        f"| acromion rule | out fitted without {shown} (cun) | n | median | p90 | bias along "
        f"| bias outward | median on {shown} |",
        "|---|---|---|---|---|---|---|---|",
        format_row(
            "shipped, in sample (fitted on these photos)",
            "-",
            [miss(o, shipped["up_cun"], shipped["out_cun"]) for o in acromia],
            photos,
        ),
    ]
    for rule in RULES:
        misses, fitted = leave_one_photo_out(acromia, rule)
        text = " / ".join(f"{fitted[p]:+.2f}" for p in photos)
        lines.append(format_row(rule.name + ", left one photo out", text, misses, photos))
    return format_per_photo(acromia) + "\n\n" + "\n".join(lines)
