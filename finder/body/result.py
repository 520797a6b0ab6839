"""Typed results of the finder and their JSON form (what `<name>.json` holds)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum

import numpy as np

from finder.body.anatomy import AnatomicalLandmark, Anatomy, BodyFrame
from finder.body.model import load_body_model
from finder.body.spine import AxisEstimate, SpineEstimate
from finder.body.view import Facing


class Basis(str, Enum):
    """What placed the points; the value is what `to_dict()` writes."""

    NOTHING = ""  # nothing placed
    POSE = "pose"
    POSE_AND_TAPS = "pose and taps"
    TAPS = "taps"


class Refusal(Enum):
    """Why the search gives no body, when the checks of one pose are not the whole story; the
    sentence for a person is made at the edge (`finder.pipelines.photo.REFUSALS`)."""

    LYING_FACE_DOWN = "lying face down"
    """A body lies across the picture (its trunk nearer horizontal than vertical) and none was
    accepted: the three taps place the back."""
    NO_BACK = "no back"
    """Someone is in view but no back could be trusted: the three taps place it."""
    FACING_CAMERA_AMONG_OTHERS = "facing camera among others"
    """The only body accepted faces the camera and someone else is in view: which one is the
    receiver is the partner's call (a receiver box)."""
    SEVERAL_BACKS = "several people"
    """A back and someone else are in view: the partner's box says which one is the
    receiver."""
    ARMS_RAISED = "arms raised"
    """No back was trusted and someone in view has the arms raised
    (`finder.body.anatomy.arms_raised`), which moves the shoulder keypoints, and no hips anchor
    the back instead: tap C7 and the two hip-bone tops (`finder.body.view.ARMS_RAISED_NO_HIPS`)."""


def chance_within(sd: float, tolerance: float) -> float:
    """Chance that a 2D normal error of standard deviation `sd` per axis lies within
    `tolerance` (same units): the Rayleigh distribution's CDF; 1 when `sd` is 0."""
    return 1.0 - math.exp(-(tolerance**2) / (2 * sd**2)) if sd > 0 else 1.0


MAX_CONFIDENCE = 0.95
"""The highest confidence a placed point reports. The chance of lying within 1.5 cun comes from
the model's own error estimates (fitted on ANSUR II bodies, scaled by the pose model's
visibility); posture, clothing and an unusual build add error the model does not see, so no
placed point is reported as certain (it would show as 100 %)."""
UNCERTAINTY_STEP_CM = 0.5  # "± N cm" is rounded up to this step, never below it


@dataclass(frozen=True)
class LocatedPoint:
    """A point placed on the image: position (px), receiver's side, one-standard-deviation
    uncertainty radius (px) and confidence in [0, MAX_CONFIDENCE]: the chance (`chance_within`)
    that the true point lies within a tolerance of the mark (1.5 B-cun on the body,
    `body_model.json` "cun"; 0.5 F-cun on the hand, `hand_model.json`), times the certainty of
    what it rests on (the keypoints' visibility, the hand's handedness score), capped (a value
    given outside that range is clipped into it)."""

    code: str
    side: str  # "left" | "right" | "midline" (the receiver's own side)
    xy: tuple[float, float]
    radius_px: float
    confidence: float

    def __post_init__(self) -> None:
        confidence = self.confidence
        if type(confidence) is float and 0.0 <= confidence <= MAX_CONFIDENCE:
            return  # already a float in range (as every moved point's is): nothing to clip
        object.__setattr__(self, "confidence", min(max(float(confidence), 0.0), MAX_CONFIDENCE))

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
    """Everything found on one image. `problems` is non-empty when no body could be trusted:
    sentences for a person, the first saying why (decisions read `refusal`, `nobody_found` or
    `accepted`, never the words); then `anatomy` is None and every point is omitted. `notes`
    are cautions about an accepted result (e.g. another person in view)."""

    width: int
    height: int
    view: str | None  # facing used: "back" | "front"; None when no pose was found
    view_reason: str
    problems: tuple[str, ...]
    anatomy: Anatomy | None
    points: tuple[LocatedPoint, ...]
    omitted: tuple[Omission, ...]
    keypoints: np.ndarray | None = field(default=None, repr=False)  # (33, 4) oriented pose
    # How the picture was changed for the pose to be found, in a person's words
    # (finder.pipelines.search.FoundPose.changes); None: the upright picture as it is.
    pose_source: str | None = None
    profile: str | None = None  # name of the saved profile applied, if any
    notes: tuple[str, ...] = ()  # remarks on an accepted result, e.g. another person in view
    nobody_found: bool = False  # no person (or hand) in the picture: `problems` says so
    refusal: Refusal | None = None  # why the photo search refused the picture (None: it did not)

    @property
    def basis(self) -> Basis:
        """What placed the points."""
        if self.anatomy is None:
            return Basis.NOTHING
        if not self.anatomy.tapped:
            return Basis.POSE
        return Basis.POSE_AND_TAPS if self.keypoints is not None else Basis.TAPS

    @property
    def accepted(self) -> bool:
        return not self.problems

    @property
    def cun_px(self) -> float | None:
        return self.anatomy.frame.cun_px if self.anatomy else None

    def uncertainty_cm(self, point: LocatedPoint) -> float | None:
        """The radius of `point`'s uncertainty ring (one standard deviation) in centimetres on
        the body, rounded up to UNCERTAINTY_STEP_CM: what "± N cm" says. The cun is taken at
        its adult average (the body model's `taps.cun_cm`, stature / 75). None without a body
        frame (hand points are measured in finger-cun)."""
        if self.cun_px is None:
            return None
        cm = point.radius_px / self.cun_px * load_body_model().taps["cun_cm"]
        return max(math.ceil(cm / UNCERTAINTY_STEP_CM), 1) * UNCERTAINTY_STEP_CM

    def summary(self) -> str:
        """One line for a person: what was placed, or why nothing was; how the body was found
        when that took more than the upright picture; then any notes."""
        if not self.accepted:
            return self.problems[0]
        parts = [self._placed()]
        if self.pose_source is not None and self.basis is not Basis.TAPS:
            parts.append(f"pose found: {self.pose_source}")
        return "; ".join((*parts, *self.notes))

    def _placed(self) -> str:
        if not self.points:
            if self.view == Facing.FRONT:
                return (
                    "the person found faces the camera (front view) and none of the chosen "
                    "points can be placed on the front of the body; if this is a back, choose "
                    "the back view"
                )
            return "no chosen point is visible in this picture"
        view = "front view: " if self.view == Facing.FRONT else ""
        placed = f"{view}{len(self.points)} points placed ({len(self.omitted)} not visible)"
        if self.basis is Basis.TAPS:
            placed += ", from your taps"
        elif self.profile:
            placed += f", fitted to {self.profile}'s profile"
        elif self.basis is Basis.POSE_AND_TAPS:
            placed += ", fitted to your taps"
        return placed

    def cropped(self, box: tuple[int, int, int, int]) -> FinderResult:
        """The same result on the picture cut to `box` (x0, y0, x1, y1 image px): every position
        moved by (-x0, -y0) (`transform_result`), the size the box's; what was placed, where on
        the body and why are unchanged."""
        x0, y0, x1, y1 = box
        shift = np.array([[1.0, 0.0, -x0], [0.0, 1.0, -y0]])
        return replace(transform_result(self, shift), width=x1 - x0, height=y1 - y0)

    def to_dict(self) -> dict:
        return {
            "width": self.width,
            "height": self.height,
            "view": self.view,
            "view_reason": self.view_reason,
            "accepted": self.accepted,
            "problems": list(self.problems),
            "basis": self.basis.value,
            "profile": self.profile,
            "tapped": sorted(self.anatomy.tapped) if self.anatomy else [],
            "pose_source": self.pose_source or UPRIGHT,
            "notes": list(self.notes),
            "cun_px": None if self.cun_px is None else round(self.cun_px, 2),
            "anatomy": _anatomy_dict(self.anatomy.landmarks) if self.anatomy else {},
            "points": [
                {**p.to_dict(), "uncertainty_cm": self.uncertainty_cm(p)} for p in self.points
            ],
            "omitted": [o.to_dict() for o in self.omitted],
        }


UPRIGHT = "upright"  # `to_dict()`'s pose_source for the picture as it is


def _anatomy_dict(landmarks: Mapping) -> dict:
    return {
        name: {
            "x": round(float(lm.xy[0]), 1),
            "y": round(float(lm.xy[1]), 1),
            "sd_px": round(float(lm.sd_px), 1),
        }
        for name, lm in landmarks.items()
    }


def transform_result(
    result: FinderResult, matrix: np.ndarray, visibility: np.ndarray | None = None
) -> FinderResult:
    """`result` moved by the similarity `matrix` (2x3, image px: shift, turn, zoom, or a
    mirror): points, their radii, the anatomy's landmarks, frames and spine, and the keypoints,
    whose visibility becomes `visibility` (33,) when given (the pose they were moved to)."""
    linear, shift = matrix[:, :2], matrix[:, 2]
    (a, b), (c, d) = linear.tolist()
    scale = math.sqrt(abs(a * d - b * c))  # the zoom: the root of the determinant (no LU)

    def move(xy) -> np.ndarray:
        return linear @ np.asarray(xy, dtype=float) + shift

    def move_all(xys: list) -> np.ndarray:
        """Many x, y (px) moved in one matrix product, (N, 2): cheaper than N small ones."""
        return np.asarray(xys, dtype=float).reshape(-1, 2) @ linear.T + shift

    def turn(vector) -> np.ndarray:
        return linear @ np.asarray(vector, dtype=float) / scale

    def move_frame(frame: BodyFrame) -> BodyFrame:
        return BodyFrame(
            origin=move(frame.origin),
            up=turn(frame.up),
            left=turn(frame.left),
            cun_px=frame.cun_px * scale,
        )

    points = tuple(
        LocatedPoint(p.code, p.side, (x, y), p.radius_px * scale, p.confidence)
        for p, (x, y) in zip(
            result.points, move_all([p.xy for p in result.points]).tolist(), strict=True
        )
    )
    keypoints = None
    if result.keypoints is not None:
        keypoints = result.keypoints.copy()
        keypoints[:, :2] = keypoints[:, :2] @ linear.T + shift
        if visibility is not None:
            keypoints[:, 3] = visibility
    anatomy = result.anatomy
    if anatomy is not None:
        moved = move_all([lm.xy for lm in anatomy.landmarks.values()])
        landmarks = {
            name: AnatomicalLandmark(xy, lm.sd_px * scale, lm.visibility)
            for (name, lm), xy in zip(anatomy.landmarks.items(), moved, strict=True)
        }
        spine = anatomy.spine
        # Made directly rather than with `dataclasses.replace` (a tenth of the time each).
        spine = SpineEstimate(
            up=AxisEstimate(mean=spine.up.mean * scale, cov=spine.up.cov * scale**2),
            left=AxisEstimate(mean=spine.left.mean * scale, cov=spine.left.cov * scale**2),
            crest_fraction=spine.crest_fraction,
        )
        anatomy = Anatomy(
            frame=move_frame(anatomy.frame),
            landmarks=landmarks,
            missing=anatomy.missing,
            spine=spine,
            reference=move_frame(anatomy.reference),
            tapped=anatomy.tapped,
        )
    return replace(result, points=points, anatomy=anatomy, keypoints=keypoints)
