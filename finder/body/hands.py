"""The back of the hand, from MediaPipe's 21 hand landmarks (pure geometry, no model).

For each hand: whose hand it is (the owner's left or right), whether its back or its palm faces
the camera, the finger cun (F-cun) in pixels, and the hand points (LI-4, TE-3) placed on its back
by the rules in `calibration/hand_model.json`.

Coordinates are image pixels (x to the right, y downward); a landmark's z is MediaPipe's depth
relative to the wrist in the same pixel scale (negative = nearer the camera). Names ending in
`_fcun` are finger cun.

Which hand and which face: MediaPipe's handedness label comes from the hand's appearance (nails,
knuckles, palm creases). The 2D turn of the triangle wrist -> index MCP -> little-finger MCP
(its chirality) is the same for a right back and a left palm, so geometry alone cannot name the
hand; given the hand, it names the face. Both calls therefore rest on the handedness score, which
is the certainty reported; the turn is used only when the triangle is open enough to be read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any

import numpy as np

from calibration import DATA_DIR
from finder.body.catalog import Point, load_catalog
from finder.body.hand_landmarks import KEYPOINT_BY_NAME, DetectedHand, HandKeypoint
from finder.body.points import point_sides
from finder.body.result import FinderResult, LocatedPoint, Omission, chance_within

HAND_MODEL_FILE = "hand_model.json"
NO_HAND = (
    "no hand found in the picture: show the back of the hand, fingers together, filling much "
    "of the picture, in good light"
)


class Face(str, Enum):
    """Which face of the hand the camera sees."""

    BACK = "back"
    PALM = "palm"
    SIDE = "side"  # edge-on: the turn of the knuckle triangle cannot be read


@dataclass(frozen=True)
class HandRule:
    """Where a hand point sits: the anchor `A + fraction * (B - A)` for `between = (A, B)`
    (landmark names), then `radial_fcun` toward the thumb side and `proximal_fcun` toward the
    wrist, across and along the hand in the image; `sd_fcun` is its standard deviation."""

    between: tuple[HandKeypoint, HandKeypoint]
    fraction: float
    radial_fcun: float
    proximal_fcun: float
    sd_fcun: float


@dataclass(frozen=True)
class HandModel:
    """The constants of `calibration/hand_model.json` (see there for their sources)."""

    fcun_per_knuckle_span: float
    min_facing_sine: float
    min_knuckle_span_px: float
    min_handedness_score: float
    good_enough_fcun: float
    rules: Mapping[str, HandRule]  # point code -> rule


@dataclass(frozen=True)
class HandReading:
    """What the geometry says about one hand.

    `side`: the owner's hand; `face`: the face toward the camera; `certainty`: the chance both
    calls are right (the handedness score); `facing_sine`: signed sine of the turn wrist -> index
    MCP -> little-finger MCP in image axes (positive: a right back or a left palm in an
    unmirrored image); `fcun_px`: one finger cun in pixels; `knuckle_span_px`: index to
    little-finger MCP, depth included (px).
    """

    side: str
    face: Face
    certainty: float
    facing_sine: float
    fcun_px: float
    knuckle_span_px: float

    def describe(self) -> str:
        """E.g. "left hand: its back faces the camera (99% sure)"."""
        faces = {
            Face.BACK: "its back faces the camera",
            Face.PALM: "its palm faces the camera",
            Face.SIDE: "seen from its side",
        }
        return f"{self.side} hand: {faces[self.face]} ({self.certainty:.0%} sure)"

    def problem(self, model: HandModel) -> str | None:
        """Why no point can be placed on this hand, or None when its back is in view."""
        if self.knuckle_span_px < model.min_knuckle_span_px:
            return f"the {self.side} hand is too small in the picture: come closer"
        if self.certainty < model.min_handedness_score:
            return (
                f"cannot tell whether this is a left or a right hand ({self.certainty:.0%} sure): "
                "show the whole back of one hand, fingers together"
            )
        if self.face is Face.PALM:
            return f"this is the palm of the {self.side} hand: turn the hand over"
        if self.face is Face.SIDE:
            return (
                f"the {self.side} hand is seen from its side: turn the back of the hand toward "
                "the camera"
            )
        return None


def knuckles_in_order(hand: DetectedHand) -> bool:
    """Whether the landmarks have a hand's shape across the knuckles: seen along the line from
    the index to the little-finger knuckle (depth included), the middle and ring knuckles lie
    between them, in that order (true of every hand on the shared photos, however turned).
    Landmarks that fail it are not a hand."""
    knuckles = hand.landmarks  # x, y and depth: a hand turned edge-on keeps its order
    index = knuckles[HandKeypoint.INDEX_FINGER_MCP]
    across = knuckles[HandKeypoint.PINKY_MCP] - index
    length_sq = float(across @ across)
    if length_sq == 0:
        return False
    middle, ring = (
        float((knuckles[k] - index) @ across) / length_sq
        for k in (HandKeypoint.MIDDLE_FINGER_MCP, HandKeypoint.RING_FINGER_MCP)
    )
    return 0.0 < middle < ring < 1.0


def facing_sine(landmarks: np.ndarray) -> float:
    """Signed sine of the angle from (index MCP - wrist) to (little-finger MCP - wrist) in image
    axes (x right, y down): positive for a right hand's back or a left hand's palm, unchanged by
    moving, scaling or rotating the image, negated by mirroring it. 0 when degenerate."""
    wrist = landmarks[HandKeypoint.WRIST, :2]
    index = landmarks[HandKeypoint.INDEX_FINGER_MCP, :2] - wrist
    little = landmarks[HandKeypoint.PINKY_MCP, :2] - wrist
    lengths = float(np.hypot(*index) * np.hypot(*little))
    if lengths == 0:
        return 0.0
    return float(index[0] * little[1] - index[1] * little[0]) / lengths


def read_hand(hand: DetectedHand, model: HandModel) -> HandReading:
    """Side, face, certainty and scale of one hand (see the module docstring)."""
    sine = facing_sine(hand.landmarks)
    if abs(sine) < model.min_facing_sine:
        face = Face.SIDE
    else:
        right_turn = (sine > 0) != hand.mirrored  # a mirror reverses the turn
        face = Face.BACK if right_turn == (hand.handedness == "right") else Face.PALM
    index = hand.landmarks[HandKeypoint.INDEX_FINGER_MCP]
    little = hand.landmarks[HandKeypoint.PINKY_MCP]
    span = float(np.linalg.norm(index - little))
    return HandReading(
        side=hand.handedness,
        face=face,
        certainty=hand.handedness_score,
        facing_sine=sine,
        fcun_px=model.fcun_per_knuckle_span * span,
        knuckle_span_px=span,
    )


def hand_axes(hand: DetectedHand) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors in the image (px): `proximal`, from the middle of the index and little-finger
    knuckles toward the wrist, and `radial`, across it toward the index finger (thumb side)."""
    index = hand.xy(HandKeypoint.INDEX_FINGER_MCP)
    little = hand.xy(HandKeypoint.PINKY_MCP)
    along = hand.xy(HandKeypoint.WRIST) - (index + little) / 2
    proximal = along / max(float(np.hypot(*along)), 1e-9)
    radial = np.array([-proximal[1], proximal[0]])
    if radial @ (index - little) < 0:
        radial = -radial
    return proximal, radial


def place_point(
    code: str, rule: HandRule, hand: DetectedHand, reading: HandReading, model: HandModel
) -> LocatedPoint:
    """The point `code` on the back of this hand; side is the owner's hand."""
    start, end = (hand.xy(keypoint) for keypoint in rule.between)
    proximal, radial = hand_axes(hand)
    xy = (
        start
        + rule.fraction * (end - start)
        + reading.fcun_px * (rule.radial_fcun * radial + rule.proximal_fcun * proximal)
    )
    confidence = chance_within(rule.sd_fcun, model.good_enough_fcun) * reading.certainty
    return LocatedPoint(
        code, reading.side, (float(xy[0]), float(xy[1])), rule.sd_fcun * reading.fcun_px, confidence
    )


def hand_points() -> tuple[Point, ...]:
    """The catalog's points seen on the back of the hand (LI-4, TE-3)."""
    return tuple(point for point in load_catalog().points if "hand" in point.views)


def hands_by_side(
    hands: Iterable[DetectedHand], model: HandModel
) -> tuple[dict[str, tuple[DetectedHand, HandReading]], list[str]]:
    """Each owner's side with its hand and reading (the larger hand when two claim a side),
    and one note per hand found, largest first."""
    readings = sorted(
        ((hand, read_hand(hand, model)) for hand in hands),
        key=lambda pair: -pair[1].knuckle_span_px,
    )
    by_side: dict[str, tuple[DetectedHand, HandReading]] = {}
    notes = []
    for hand, reading in readings:
        if reading.side in by_side:
            notes.append(f"another {reading.side} hand, smaller, not used")
        else:
            by_side[reading.side] = (hand, reading)
            notes.append(reading.describe())
    return by_side, notes


def locate_on_hands(
    hands: Sequence[DetectedHand],
    image_size: tuple[int, int],
    points: Iterable[Point],
    model: HandModel | None = None,
) -> FinderResult:
    """Hand points on the hands found in one image (image_size = (width, height) px).

    A result with view "hand": each point on each of the owner's hands whose back is in view,
    its side the owner's hand; every other (point, side) omitted with its reason. `problems` is
    set when no back of a hand is in view. When two hands claim the same side, the larger is
    used."""
    model = model or load_hand_model()
    hands = [hand for hand in hands if knuckles_in_order(hand)]
    by_side, notes = hands_by_side(hands, model)
    located, omitted = [], []
    for point in points:
        rule = model.rules.get(point.code)
        for side in point_sides(point):
            if rule is None:
                reason = f"not on the hand: use the {point.views[0]} view"
                omitted.append(Omission(point.code, side, reason))
            elif side not in by_side:
                omitted.append(Omission(point.code, side, f"the {side} hand is not in the picture"))
            else:
                hand, reading = by_side[side]
                problem = reading.problem(model)
                if problem:
                    omitted.append(Omission(point.code, side, problem))
                else:
                    located.append(place_point(point.code, rule, hand, reading, model))
    usable = [r for _, r in by_side.values() if r.problem(model) is None]
    if not hands:
        problems: tuple[str, ...] = (NO_HAND,)
    elif not usable:
        problems = tuple(reading.problem(model) for _, reading in by_side.values())
    else:
        problems = ()
    width, height = int(image_size[0]), int(image_size[1])
    return FinderResult(
        width,
        height,
        "hand",
        "; ".join(notes),
        problems,
        None,
        tuple(located),
        tuple(omitted),
        nobody_found=not hands,
    )


@lru_cache(maxsize=1)
def load_hand_model() -> HandModel:
    """The shipped hand model (cached); raises ValueError naming the file and the entry."""
    text = DATA_DIR.joinpath(HAND_MODEL_FILE).read_text(encoding="utf-8")
    hand_codes = {point.code for point in hand_points()}
    return parse_hand_model(json.loads(text), hand_codes)


def parse_hand_model(
    raw: Mapping[str, Any], hand_codes: Iterable[str], source: str = HAND_MODEL_FILE
) -> HandModel:
    """Validate the hand-model data; every point in `hand_codes` (the catalog's hand points)
    needs a rule, and every rule a hand point."""
    try:
        rules = {code: _rule(code, entry) for code, entry in raw["points"].items()}
        missing = set(hand_codes) - set(rules)
        unknown = set(rules) - set(hand_codes)
        if missing:
            raise ValueError(f"points: no rule for the catalog's hand points {sorted(missing)}")
        if unknown:
            raise ValueError(f"points: {sorted(unknown)} are not hand points in the catalog")
        model = HandModel(
            fcun_per_knuckle_span=_positive(raw["finger_cun"]["per_knuckle_span"], "finger_cun"),
            min_facing_sine=_positive(raw["facing"]["min_sine"], "facing.min_sine"),
            min_knuckle_span_px=_positive(raw["min_knuckle_span_px"], "min_knuckle_span_px"),
            min_handedness_score=_positive(raw["min_handedness_score"], "min_handedness_score"),
            good_enough_fcun=_positive(raw["good_enough_fcun"], "good_enough_fcun"),
            rules=rules,
        )
        if model.min_facing_sine >= 1:
            raise ValueError("facing.min_sine must be below 1")
        if model.min_handedness_score >= 1:
            raise ValueError("min_handedness_score must be below 1")
        return model
    except (KeyError, TypeError, ValueError) as error:
        detail = f"missing field {error}" if isinstance(error, KeyError) else str(error)
        raise ValueError(f"{source}: {detail}") from error


def _rule(code: str, entry: Mapping[str, Any]) -> HandRule:
    names = entry["between"]
    unknown = [name for name in names if name not in KEYPOINT_BY_NAME]
    if len(names) != 2 or unknown:
        raise ValueError(f"point {code}: 'between' needs two hand landmark names, got {names}")
    fraction = float(entry["fraction"])
    if not 0 <= fraction <= 1:
        raise ValueError(f"point {code}: fraction {fraction} is outside [0, 1]")
    return HandRule(
        between=(KEYPOINT_BY_NAME[names[0]], KEYPOINT_BY_NAME[names[1]]),
        fraction=fraction,
        radial_fcun=float(entry["radial_fcun"]),
        proximal_fcun=float(entry["proximal_fcun"]),
        sd_fcun=_positive(entry["sd_fcun"], f"point {code}: sd_fcun"),
    )


def _positive(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(f"{where} must be a positive number, got {value!r}")
    return float(value)
