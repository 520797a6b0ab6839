"""Typed results of the finder and their JSON form (what `<name>.json` holds)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from finder.anatomy import Anatomy


@dataclass(frozen=True)
class LocatedPoint:
    """A point placed on the image: position (px), receiver's side, one-standard-deviation
    uncertainty radius (px) and confidence in [0, 1]: the chance that the true point lies within
    1.5 cun of the mark, times the visibility of the keypoints it rests on."""

    code: str
    side: str  # "left" | "right" | "midline" (the receiver's own side)
    xy: tuple[float, float]
    radius_px: float
    confidence: float

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "side": self.side,
            "x": round(self.xy[0], 1),
            "y": round(self.xy[1], 1),
            "radius_px": round(self.radius_px, 1),
            "confidence": round(self.confidence, 3),
        }


@dataclass(frozen=True)
class Omission:
    """A catalog point not placed, with a reason a person understands."""

    code: str
    side: str
    reason: str

    def to_dict(self) -> dict:
        return {"code": self.code, "side": self.side, "reason": self.reason}


@dataclass(frozen=True)
class FinderResult:
    """Everything found on one image. `problems` is non-empty when no body could be trusted;
    then `anatomy` is None and every point is omitted. `notes` are cautions about an accepted
    result (e.g. another person in view)."""

    width: int
    height: int
    view: str | None  # facing used: "back" | "front"; None when no pose was found
    view_reason: str
    problems: tuple[str, ...]
    anatomy: Anatomy | None
    points: tuple[LocatedPoint, ...]
    omitted: tuple[Omission, ...]
    keypoints: np.ndarray | None = field(default=None, repr=False)  # (33, 4) oriented pose
    notes: tuple[str, ...] = ()

    @property
    def accepted(self) -> bool:
        return not self.problems

    @property
    def cun_px(self) -> float | None:
        return self.anatomy.frame.cun_px if self.anatomy else None

    def summary(self) -> str:
        """One line for a person: what was placed, or why nothing was; then any notes."""
        if not self.accepted:
            return self.problems[0]
        if not self.points:
            if self.view == "front":
                outcome = (
                    "the person found faces the camera (front view), so no back point is "
                    "visible; if this is a back, choose the back view"
                )
            else:
                outcome = "no chosen point is visible in this picture"
        else:
            outcome = f"{len(self.points)} points placed ({len(self.omitted)} not visible)"
        return "; ".join((outcome, *self.notes))

    def to_dict(self) -> dict:
        return {
            "width": self.width,
            "height": self.height,
            "view": self.view,
            "view_reason": self.view_reason,
            "accepted": self.accepted,
            "problems": list(self.problems),
            "notes": list(self.notes),
            "cun_px": None if self.cun_px is None else round(self.cun_px, 2),
            "anatomy": _anatomy_dict(self.anatomy.landmarks) if self.anatomy else {},
            "points": [p.to_dict() for p in self.points],
            "omitted": [o.to_dict() for o in self.omitted],
        }


def _anatomy_dict(landmarks: Mapping) -> dict:
    return {
        name: {
            "x": round(float(lm.xy[0]), 1),
            "y": round(float(lm.xy[1]), 1),
            "sd_px": round(float(lm.sd_px), 1),
        }
        for name, lm in landmarks.items()
    }
