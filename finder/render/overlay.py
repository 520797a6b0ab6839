"""Drawing only: located points, their uncertainty rings, the posterior midline with cun ticks,
labels that never overlap, and a legend, on a BGR image. Reads results; never computes anatomy.

Small annotators, each configured once with an `OverlayStyle` and called with
`annotate(image, ...)`, draw one kind of mark in place on a BGR uint8 image; `Annotator`
composes them for a `FinderResult` and returns a drawn copy. Sizes are in "units" (the image's
long side / 1000, px) or in "label scales" (OpenCV font scales that follow the body's cun within
readable limits), so the same style reads on a phone and on a large photo. Coordinates are image
pixels (x right, y down).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

import cv2
import numpy as np

from finder.body.anatomy import Anatomy, BodyFrame
from finder.body.landmarks import SPINOUS_LEVELS
from finder.body.result import Basis, FinderResult, LocatedPoint
from finder.body.view import Facing

BGR = tuple[int, int, int]
Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in image px; x1, y1 exclusive

# Meridian -> BGR colour and name (colours as data, one place).
MERIDIAN_COLOURS: Mapping[str, BGR] = MappingProxyType(
    {
        "BL": (230, 150, 30),  # bladder: blue
        "GB": (60, 200, 60),  # gallbladder: green
        "GV": (200, 60, 200),  # governor vessel: violet
        "SI": (60, 60, 230),  # small intestine: red
        "LI": (0, 140, 255),  # large intestine: orange
        "TE": (0, 215, 255),  # triple energizer: yellow
        "LR": (120, 200, 0),  # liver: teal
        "KI": (140, 60, 20),  # kidney: dark blue
        "CV": (180, 105, 255),  # conception vessel: pink
    }
)
MERIDIAN_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "BL": "Bladder",
        "GB": "Gallbladder",
        "GV": "Governor Vessel",
        "SI": "Small Intestine",
        "LI": "Large Intestine",
        "TE": "Triple Energizer",
        "LR": "Liver",
        "KI": "Kidney",
        "CV": "Conception Vessel",
    }
)
WHITE: BGR = (255, 255, 255)
BLACK: BGR = (0, 0, 0)
GREY: BGR = (200, 200, 200)


@dataclass(frozen=True)
class OverlayStyle:
    """Every colour, font and size the overlay uses. Sizes named `*_units` are in units (image
    long side / 1000 px); `*_scales` in label scales (px per unit of OpenCV font scale, see
    `label_scale`); `*_cun` in the body's cun; opacities in [0, 1]."""

    meridian_colours: Mapping[str, BGR] = field(default_factory=lambda: MERIDIAN_COLOURS)
    meridian_names: Mapping[str, str] = field(default_factory=lambda: MERIDIAN_NAMES)
    unknown_colour: BGR = WHITE  # a meridian without a colour
    font: int = cv2.FONT_HERSHEY_SIMPLEX
    # Label scale: 0.045 font scale per cun px, within [0.45, 0.9] units; 0.7 without a body.
    scale_per_cun_px: float = 0.045
    scale_range_units: tuple[float, float] = (0.45, 0.9)
    scale_without_body_units: float = 0.7
    # Points.
    dot_radius_scales: float = 9.0
    dot_edge_scales: float = 2.0
    dot_edge_colour: BGR = WHITE
    highlight_dot_factor: float = 2.2  # a guided session's current point
    highlight_label_factor: float = 2.0
    ring_width_units: float = 2.0
    ring_opacity: float = 0.6
    ring_min_radius_px: int = 2
    ring_margin_px: int = 2  # blended box beyond the rings
    # Labels: text with a dark outline so it reads on skin, cloth and background alike.
    text_width_scales: float = 2.0
    outline_extra_scales: float = 3.0
    outline_colour: BGR = BLACK
    label_gap_scales: float = 4.0  # between a dot's edge and its label
    leader_width_units: float = 1.0
    leader_edge_px: int = 1  # the dark edge on each side of a leader line
    numbered_label_scale_factor: float = 0.9  # numbers read at a slightly smaller size
    text_scale_step: float = 0.05  # label font scales are rounded to this step
    # Midline.
    midline_colour: BGR = GREY
    midline_width_units: float = 1.5
    tick_width_units: float = 1.0
    tick_half_cun: tuple[float, float] = (0.3, 0.6)  # every cun, every fifth cun
    tick_major_every: int = 5
    spine_labels: tuple[str, ...] = ("C7", "T7", "L4", "S2")
    spine_dot_units: float = 3.0
    spine_dot_colour: BGR = WHITE
    spine_label_factor: float = 0.6  # of the label scale
    spine_label_offset_cun: float = 0.6  # beside the spine, toward the receiver's right
    spine_label_colour: BGR = WHITE
    # Marks a partner placed.
    tap_colour: BGR = (0, 200, 255)  # gold
    tap_half_scales: float = 9.0
    tap_edge_scales: float = 1.5
    tap_edge_colour: BGR = BLACK
    # Legend (bottom-left box): meridians, the ring, and the numbered points when crowded.
    legend_font_units: float = 0.5
    legend_line_units: float = 26.0
    legend_width_units: float = 330.0
    legend_margin_units: float = 10.0
    legend_pad_units: float = 12.0
    legend_row_top_units: float = 8.0
    legend_dot_x_units: float = 16.0
    legend_dot_units: float = 7.0
    legend_text_x_units: float = 32.0
    legend_text_drop_units: float = 6.0
    legend_text_width_units: float = 1.5
    legend_text_colour: BGR = WHITE
    legend_background: BGR = BLACK
    legend_opacity: float = 0.55
    legend_numbers_per_row: int = 4
    ring_legend_text: str = "ring: where the point likely is"
    ring_legend_with_cm: str = "{text}, about +/- {cm:g} cm"  # ASCII: OpenCV's fonts have no ±
    ring_legend_colour: BGR = GREY
    # Badge (top-left: profile or marks in use) and banner (why nothing was placed).
    badge_font_units: float = 0.55
    badge_pad_units: float = 8.0
    badge_text_width_units: float = 1.5
    badge_colour: BGR = (0, 200, 255)
    badge_background: BGR = (40, 40, 40)
    badge_opacity: float = 0.7
    banner_font_units: float = 0.55
    banner_char_units: float = 11.0  # average character width, for wrapping
    banner_min_chars: int = 20
    banner_line_units: float = 28.0
    banner_pad_units: float = 14.0
    banner_x_units: float = 12.0
    banner_y_units: float = 8.0
    banner_rise_units: float = 6.0
    banner_text_width_units: float = 1.5
    banner_colour: BGR = WHITE
    banner_background: BGR = (30, 30, 160)
    banner_opacity: float = 0.75

    def colour_of(self, code: str) -> BGR:
        return self.meridian_colours.get(meridian_of(code), self.unknown_colour)

    def label_scale(self, unit: float, cun_px: float | None) -> float:
        """The font scale of point labels: it follows the body's cun within limits that stay
        readable on a phone; a view without a body frame (the hand view) takes 0.7 units."""
        if cun_px is None:
            return self.scale_without_body_units * unit
        low, high = self.scale_range_units
        return min(max(self.scale_per_cun_px * cun_px, low * unit), high * unit)

    def text_scale(self, scale: float) -> float:
        """A label font scale rounded to `text_scale_step`, so that a zooming picture reuses
        the same few label sprites."""
        step = self.text_scale_step
        return round(max(round(scale / step), 1) * step, 6)

    def dot_radius(self, scale: float, highlighted: bool = False) -> int:
        return _t(
            (self.highlight_dot_factor if highlighted else 1.0) * self.dot_radius_scales * scale
        )


DEFAULT_STYLE = OverlayStyle()


@lru_cache(maxsize=1024)
def meridian_of(code: str) -> str:
    """ "BL-23" -> "BL"."""
    return code.split("-")[0]


def unit_of(image: np.ndarray) -> float:
    """The style's unit for `image`: its long side / 1000, in px."""
    return max(image.shape[:2]) / 1000.0


def check_image(image: np.ndarray) -> np.ndarray:
    """`image` if it is a BGR uint8 array of shape (H, W, 3) with H, W >= 1, else ValueError."""
    if not isinstance(image, np.ndarray):
        raise ValueError(f"the image must be a NumPy array, not {type(image).__name__}")
    if image.dtype != np.uint8:
        raise ValueError(f"the image must be uint8 (BGR), not {image.dtype}")
    if image.ndim != 3 or image.shape[2] != 3 or min(image.shape[:2]) < 1:
        raise ValueError(f"the image must have shape (height, width, 3), not {image.shape}")
    return image


# -- label layout (data) ---------------------------------------------------------------------


@dataclass(frozen=True)
class Label:
    """One label placed on the picture: `text` drawn in `colour` at font `scale` inside `box`
    (image px, inside the picture), for the mark at `anchor` (px). `code` is the point's code
    (None for a spine level); `leader` when the box was moved away from its mark, so a line
    joins them."""

    text: str
    code: str | None
    anchor: tuple[float, float]
    box: Box
    colour: BGR
    scale: float
    leader: bool = False


@dataclass(frozen=True)
class LabelLayout:
    """Where every label goes: no two boxes overlap, all lie inside the picture and none on the
    legend. `numbered` when the picture was too crowded for codes and shows numbers instead,
    `key` then pairs each number with its code (the list the legend shows). `legend` is the
    legend's box (px) and `rows` what it lists: (colour, text) per row."""

    labels: tuple[Label, ...]
    numbered: bool = False
    key: tuple[tuple[str, str], ...] = ()
    legend: Box | None = None
    rows: tuple[tuple[BGR, str], ...] = ()


@dataclass(frozen=True)
class _Wanted:
    """A label to place: its text and mark, the mark's radius (px) and the preferred direction
    (unit vector, image px) in which the label goes first."""

    text: str
    code: str | None
    anchor: np.ndarray
    radius: int
    outward: np.ndarray
    colour: BGR
    scale: float


DIRECTIONS_PER_DISTANCE = 12  # around a mark, after the six near directions
FARTHEST_STEP = 8  # label moved at most this many label heights from its mark


def text_box_size(text: str, scale: float, style: OverlayStyle) -> tuple[int, int, tuple[int, int]]:
    """(width, height, origin) in px of the box an outlined label needs, outline included;
    `origin` is where the text's baseline starts inside the box."""
    thickness = _t(style.text_width_scales * scale)
    outline = thickness + _t(style.outline_extra_scales * scale)
    return _text_box(text, scale, style.font, outline)


@lru_cache(maxsize=4096)
def _text_box(text: str, scale: float, font: int, outline: int) -> tuple[int, int, tuple[int, int]]:
    (width, height), baseline = cv2.getTextSize(text, font, scale, outline)
    pad = outline // 2 + 1
    return width + 2 * pad, height + baseline + 2 * pad, (pad, pad + height)


def _candidate_boxes(wanted: Sequence[_Wanted], style: OverlayStyle) -> np.ndarray:
    """(N, C, 4) boxes (x0, y0, x1, y1 px) where each wanted label may go, best first: beside
    its mark outward, diagonally out and up or down, inward, above, below; then around the
    mark in DIRECTIONS_PER_DISTANCE directions at growing distances (up to FARTHEST_STEP label
    heights). Boxes grow away from the mark."""
    sizes = np.array([text_box_size(w.text, w.scale, style)[:2] for w in wanted], dtype=float)
    reach0 = np.array([w.radius + _t(style.label_gap_scales * w.scale) for w in wanted], float)
    anchors = np.array([w.anchor for w in wanted], dtype=float)
    ox, oy = np.array([w.outward for w in wanted], dtype=float).T
    zero, one = np.zeros_like(ox), np.ones_like(ox)
    near = np.stack(
        [
            np.stack(pair, axis=1)
            for pair in (
                (ox, oy),
                (ox / 1.4, (oy - 1) / 1.4),
                (ox / 1.4, (oy + 1) / 1.4),
                (-ox, -oy),
                (zero, -one),
                (zero, one),
            )
        ],
        axis=1,
    )  # (N, 6, 2)
    turns = 2 * np.pi * np.arange(DIRECTIONS_PER_DISTANCE) / DIRECTIONS_PER_DISTANCE
    # Outward first, then alternately either side of it: 0, +30, -30, +60, ... degrees.
    turns = np.where(np.arange(len(turns)) % 2, 1, -1) * turns[(np.arange(len(turns)) + 1) // 2]
    angles = np.arctan2(oy, ox)[:, None] + turns[None, :]  # (N, A)
    around = np.stack((np.cos(angles), np.sin(angles)), axis=2)
    steps = np.repeat(np.arange(1, FARTHEST_STEP + 1), DIRECTIONS_PER_DISTANCE)
    far = np.tile(around, (1, FARTHEST_STEP, 1))
    directions = np.concatenate((near, far), axis=1)  # (N, C, 2)
    reach = reach0[:, None] + np.concatenate(
        (np.zeros((len(wanted), near.shape[1])), steps[None, :] * sizes[:, 1:2]), axis=1
    )
    dx, dy = directions[..., 0], directions[..., 1]
    width, height = sizes[:, 0:1], sizes[:, 1:2]
    x = anchors[:, 0:1] + reach * dx - width * (dx < -1e-3) - width / 2 * (np.abs(dx) <= 1e-3)
    y = anchors[:, 1:2] + reach * dy - height * (dy < -1e-3) - height / 2 * (np.abs(dy) <= 1e-3)
    x, y = np.round(x), np.round(y)
    return np.stack((x, y, x + width, y + height), axis=2)


NEAR_CANDIDATES = 6  # candidates beside the mark; the others get a leader line
MOVED_LABELS_WITH_CODES = 0.25  # beyond this share of leader lines, numbers are tried


def _leaders(layout: LabelLayout) -> int:
    return sum(label.leader for label in layout.labels)


def _overlaps(boxes: np.ndarray, others: np.ndarray) -> np.ndarray:
    """(N,) True where box i (x0, y0, x1, y1) overlaps any of `others` (M, 4)."""
    if not len(others):
        return np.zeros(len(boxes), bool)
    return (
        (boxes[:, None, 0] < others[None, :, 2])
        & (others[None, :, 0] < boxes[:, None, 2])
        & (boxes[:, None, 1] < others[None, :, 3])
        & (others[None, :, 1] < boxes[:, None, 3])
    ).any(axis=1)


def _inside(boxes: np.ndarray, image_size: tuple[int, int]) -> np.ndarray:
    width, height = image_size
    return (
        (boxes[..., 0] >= 0)
        & (boxes[..., 1] >= 0)
        & (boxes[..., 2] <= width)
        & (boxes[..., 3] <= height)
    )


def place_labels(
    wanted: Sequence[_Wanted],
    image_size: tuple[int, int],
    marks: Sequence[Box],
    blocked: Sequence[Box],
    style: OverlayStyle,
    required: bool = True,
) -> tuple[Label, ...] | None:
    """Labels for `wanted`, in order, each in the first candidate box that lies inside the
    picture (`image_size` width, height px), overlaps no label placed so far nor a `blocked`
    box (legend, badge), and preferably no mark (dots: `marks`). When one cannot be placed:
    None if every label is `required`, else that label is left out."""
    if not wanted:
        return ()
    # Whole pixels as int32: the same comparisons, about twice as fast as on floats.
    boxes = _candidate_boxes(wanted, style).astype(np.int32)
    count, per_label = boxes.shape[:2]
    flat = boxes.reshape(-1, 4)
    # free[i, c]: candidate c of label i lies inside, on no blocked box and, as labels are
    # placed, on none of them (each placed box is struck from the later labels' candidates).
    free = _inside(boxes, image_size)
    free &= ~_overlaps(flat, np.array(blocked, np.int32).reshape(-1, 4)).reshape(count, per_label)
    clear = ~_overlaps(flat, np.array(marks, np.int32).reshape(-1, 4)).reshape(count, per_label)
    left, top, right, bottom = (np.ascontiguousarray(boxes[..., k]) for k in range(4))
    labels = []
    for index, item in enumerate(wanted):
        row = free[index]
        if not row.any():
            if required:
                return None
            continue
        best = row & clear[index]
        choice = int(np.argmax(best if best.any() else row))
        x0, y0, x1, y1 = boxes[index, choice].tolist()
        later = slice(index + 1, None)
        struck = left[later] < x1
        struck &= x0 < right[later]
        struck &= top[later] < y1
        struck &= y0 < bottom[later]
        free[later] &= ~struck
        anchor = (float(item.anchor[0]), float(item.anchor[1]))
        leader = choice >= NEAR_CANDIDATES
        labels.append(
            Label(item.text, item.code, anchor, (x0, y0, x1, y1), item.colour, item.scale, leader)
        )
    return tuple(labels)


def moved_layout(
    previous: LabelLayout,
    old_anchors: np.ndarray,
    old_boxes: np.ndarray,
    anchors: np.ndarray,
    image_size: tuple[int, int],
    blocked: Sequence[Box],
) -> tuple[np.ndarray, np.ndarray] | None:
    """`previous`'s label boxes (`old_boxes`, (N, 4) px, for marks at `old_anchors`, (N, 2)
    px) each moved as far as its mark moved (to `anchors`, same order), and which of them
    (N,) left the picture or met another moved label or a `blocked` box (which must include
    the previous legend), to be placed again around their marks; None when more than half did.
    This is how labels follow a moving body without being laid out again on every video
    frame."""
    boxes = old_boxes + np.tile(np.round(anchors - old_anchors), 2)
    bad = ~_inside(boxes, image_size)
    if blocked:
        bad |= _overlaps(boxes, np.array(blocked, float).reshape(-1, 4))
    pairs = (
        (boxes[:, None, 0] < boxes[None, :, 2])
        & (boxes[None, :, 0] < boxes[:, None, 2])
        & (boxes[:, None, 1] < boxes[None, :, 3])
        & (boxes[None, :, 1] < boxes[:, None, 3])
    )
    np.fill_diagonal(pairs, False)
    bad |= pairs.any(axis=1)
    if bad.sum() > len(boxes) / 2:
        return None
    return boxes, bad


@dataclass(frozen=True)
class _Made:
    """A layout made (afresh or moved) with what moving it again needs: each label's
    (text, code, scale) in order, marks (N, 2) and boxes (N, 4) as arrays (image px), and
    the number of each code when the labels are numbers (`LabelLayout.key` turned round)."""

    layout: LabelLayout
    signature: tuple[tuple[str, str | None, float], ...]
    anchors: np.ndarray
    boxes: np.ndarray
    numbers: Mapping[str, str] | None = None  # code -> number, when numbered

    @classmethod
    def of(cls, layout: LabelLayout) -> _Made:
        labels = layout.labels
        return cls(
            layout,
            tuple((label.text, label.code, label.scale) for label in labels),
            np.array([label.anchor for label in labels], dtype=float).reshape(-1, 2),
            np.array([label.box for label in labels], dtype=float).reshape(-1, 4),
            {code: number for number, code in layout.key} if layout.numbered else None,
        )


# -- annotators --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RingAnnotator:
    """Uncertainty rings (one standard deviation) at the style's opacity, blended only inside
    their bounding box; never smaller than the dot they surround, so every ring shows."""

    style: OverlayStyle = DEFAULT_STYLE

    def annotate(
        self, image: np.ndarray, points: Sequence[LocatedPoint], unit: float, scale: float
    ) -> None:
        check_image(image)
        if not points:
            return
        style = self.style
        thickness = _t(style.ring_width_units * unit)
        least = self.least_radius(unit, scale)
        radii = np.maximum(np.round([p.radius_px for p in points]), least)
        centres = np.array([p.xy for p in points], dtype=float)
        reach = radii[:, None] + thickness + style.ring_margin_px
        x0, y0 = np.floor(centres - reach).min(axis=0).astype(int).tolist()
        x1, y1 = np.ceil(centres + reach).max(axis=0).astype(int).tolist()
        x0, y0 = max(x0, 0), max(y0, 0)
        x1, y1 = min(x1, image.shape[1]), min(y1, image.shape[0])
        if x1 <= x0 or y1 <= y0:
            return
        region = image[y0:y1, x0:x1]
        rings = region.copy()
        # Rounded half to even, as Python's round: the centres and radii of `_px`.
        at = (np.round(centres).astype(int) - (x0, y0)).tolist()
        for point, centre, radius in zip(points, at, radii.astype(int).tolist(), strict=True):
            cv2.circle(rings, centre, radius, style.colour_of(point.code), thickness, cv2.LINE_AA)
        opacity = style.ring_opacity
        cv2.addWeighted(rings, opacity, region, 1 - opacity, 0, dst=region)

    def least_radius(self, unit: float, scale: float) -> int:
        """The smallest ring drawn (px): just outside a dot and its edge."""
        style = self.style
        edge = _t(style.dot_edge_scales * scale)
        thickness = _t(style.ring_width_units * unit)
        return max(style.ring_min_radius_px, style.dot_radius(scale) + edge + thickness)


@dataclass(frozen=True)
class DotAnnotator:
    """A dot in the meridian's colour with a light edge on each point (drawn large for the
    `highlight` code)."""

    style: OverlayStyle = DEFAULT_STYLE

    def annotate(
        self,
        image: np.ndarray,
        points: Sequence[LocatedPoint],
        scale: float,
        highlight: str | None = None,
    ) -> None:
        check_image(image)
        style = self.style
        edge = _t(style.dot_edge_scales * scale)
        radii = (style.dot_radius(scale, False), style.dot_radius(scale, True))
        ordered = points if highlight is None else sorted(points, key=lambda p: p.code == highlight)
        centres = np.round([p.xy for p in ordered]).astype(int).reshape(-1, 2).tolist()
        for point, centre in zip(ordered, centres, strict=True):
            dot = radii[point.code == highlight]
            cv2.circle(image, centre, dot + edge, style.dot_edge_colour, -1, cv2.LINE_AA)
            cv2.circle(image, centre, dot, style.colour_of(point.code), -1, cv2.LINE_AA)


@dataclass(frozen=True)
class MidlineAnnotator:
    """The posterior midline from C7 down to the sacral hiatus (or the lowest level placed) with
    a tick every cun (longer every fifth) and dots at the spine levels the style labels."""

    style: OverlayStyle = DEFAULT_STYLE

    def annotate(self, image: np.ndarray, anatomy: Anatomy, unit: float) -> None:
        check_image(image)
        style = self.style
        frame = anatomy.frame
        placed = [n for n in (*SPINOUS_LEVELS, "sacral_hiatus") if n in anatomy.landmarks]
        if not placed:
            return
        top = anatomy.landmarks[placed[0]].xy
        bottom = anatomy.landmarks[placed[-1]].xy
        colour = style.midline_colour
        cv2.line(
            image, _px(top), _px(bottom), colour, _t(style.midline_width_units * unit), cv2.LINE_AA
        )
        length_px = max(float(np.hypot(*(top - bottom))), 1e-9)
        down = (bottom - top) / length_px  # along the drawn midline, which taps may tilt
        minor, major = style.tick_half_cun
        steps = np.arange(int(length_px / frame.cun_px) + 1)
        at = top + (steps * frame.cun_px)[:, None] * down
        half = np.where(steps % style.tick_major_every == 0, major, minor) * frame.cun_px
        reach = half[:, None] * frame.left
        ends = np.stack((at - reach, at + reach), axis=1)  # (ticks, 2 ends, x y)
        # Rounded half to even like `_px`; one call draws every tick as cv2.line would.
        ticks = list(np.round(ends).astype(np.int32))
        cv2.polylines(image, ticks, False, colour, _t(style.tick_width_units * unit), cv2.LINE_AA)
        for name in self.levels(anatomy):
            at = anatomy.landmarks[name].xy
            cv2.circle(
                image,
                _px(at),
                _t(style.spine_dot_units * unit),
                style.spine_dot_colour,
                -1,
                cv2.LINE_AA,
            )

    def levels(self, anatomy: Anatomy) -> tuple[str, ...]:
        """The spine levels labelled on this anatomy."""
        return tuple(name for name in self.style.spine_labels if name in anatomy.landmarks)


@dataclass(frozen=True)
class TapAnnotator:
    """The landmarks a partner placed: small gold diamonds with a dark edge."""

    style: OverlayStyle = DEFAULT_STYLE

    def annotate(self, image: np.ndarray, anatomy: Anatomy, scale: float) -> None:
        check_image(image)
        style = self.style
        half = _t(style.tap_half_scales * scale)
        for name in sorted(anatomy.tapped):
            x, y = _px(anatomy.landmarks[name].xy)
            diamond = np.array([(x, y - half), (x + half, y), (x, y + half), (x - half, y)])
            cv2.fillPoly(image, [diamond], style.tap_colour, cv2.LINE_AA)
            cv2.polylines(
                image,
                [diamond],
                True,
                style.tap_edge_colour,
                _t(style.tap_edge_scales * scale),
                cv2.LINE_AA,
            )


@dataclass(frozen=True)
class LeaderAnnotator:
    """A thin line in the label's colour, with a dark edge, from each moved label's mark to the
    nearest pixel of its box (drawn under the dots, so that a line never hides another
    point)."""

    style: OverlayStyle = DEFAULT_STYLE

    def annotate(self, image: np.ndarray, layout: LabelLayout, unit: float) -> None:
        check_image(image)
        style = self.style
        width = _t(style.leader_width_units * unit)
        for label in layout.labels:
            if label.leader:
                end = _nearest_in_box(label.anchor, label.box)
                start = _px(label.anchor)
                edged = width + 2 * style.leader_edge_px
                cv2.line(image, start, end, style.outline_colour, edged, cv2.LINE_AA)
                cv2.line(image, start, end, label.colour, width, cv2.LINE_AA)


@dataclass
class LabelAnnotator:
    """Draws the labels of a `LabelLayout`: each label's outlined text inside its box.

    Text is drawn once per (text, colour, scale) into a sprite (its colour over black and its
    coverage) and blended into the box afterwards, so a moving picture costs a few small array
    operations per label instead of OpenCV's text rasteriser; up to `max_sprites` are kept."""

    style: OverlayStyle = DEFAULT_STYLE
    max_sprites: int = 512
    _sprites: dict = field(default_factory=dict, repr=False)

    def annotate(self, image: np.ndarray, layout: LabelLayout) -> None:
        check_image(image)
        for label in layout.labels:
            self._blit(image, label)

    def _blit(self, image: np.ndarray, label: Label) -> None:
        _blend(image, label.box, *self._sprite(label))

    def _sprite(self, label: Label) -> tuple[np.ndarray, np.ndarray]:
        """(over_black, coverage): the label drawn over black, and how much of the picture
        shows through each pixel (over white minus over black), both uint8 of the box's size."""
        key = (label.text, label.colour, label.scale)
        sprite = self._sprites.get(key)
        if sprite is None:
            if len(self._sprites) >= self.max_sprites:
                self._sprites.pop(next(iter(self._sprites)))
            style = self.style
            width, height, origin = text_box_size(label.text, label.scale, style)
            layers = []
            for background in (0, 255):
                canvas = np.full((height, width, 3), background, np.uint8)
                _outlined_text(canvas, label.text, origin, label.scale, label.colour, style)
                layers.append(canvas)
            sprite = self._sprites[key] = (layers[0], cv2.subtract(layers[1], layers[0]))
        return sprite


@dataclass
class LegendAnnotator:
    """A shaded box in a corner listing rows (colour, text): the meridians drawn, the ring,
    and the numbered points when the labels are numbers. The box is drawn once per rows, size
    and unit over black and over white, then blended into the picture (like a label sprite);
    up to `max_sprites` are kept."""

    style: OverlayStyle = DEFAULT_STYLE
    max_sprites: int = 16
    _sprites: dict = field(default_factory=dict, repr=False)

    def box(
        self,
        image_size: tuple[int, int],
        rows: Sequence[tuple[BGR, str]],
        unit: float,
        corner: int = 0,
    ) -> Box:
        """The legend's box (px) for `rows`, wide enough for the longest, at a corner: 0
        bottom-left, 1 bottom-right, 2 top-right, 3 top-left, 4 middle-left, 5 middle-right."""
        style = self.style
        font_scale = style.legend_font_units * unit
        thickness = _t(style.legend_text_width_units * unit)
        longest = max(
            (cv2.getTextSize(text, style.font, font_scale, thickness)[0][0] for _, text in rows),
            default=0,
        )
        text_x = _t(style.legend_text_x_units * unit)
        width = max(_t(style.legend_width_units * unit), text_x + longest + text_x // 2)
        height = _t(style.legend_line_units * unit) * len(rows)
        height += _t(style.legend_pad_units * unit)
        margin = _t(style.legend_margin_units * unit)
        image_w, image_h = image_size
        x0 = margin if corner in (0, 3, 4) else image_w - width - margin
        y0 = {0: image_h - height - margin, 1: image_h - height - margin, 2: margin, 3: margin}
        y0 = y0.get(corner, (image_h - height) // 2)
        return x0, y0, x0 + width, y0 + height

    def annotate(
        self, image: np.ndarray, rows: Sequence[tuple[BGR, str]], box: Box, unit: float
    ) -> None:
        check_image(image)
        x0, y0, x1, y1 = box
        key = (tuple(rows), x1 - x0, y1 - y0, unit)
        sprite = self._sprites.get(key)
        if sprite is None:
            if len(self._sprites) >= self.max_sprites:
                self._sprites.pop(next(iter(self._sprites)))
            layers = []
            for background in (0, 255):
                canvas = np.full((y1 - y0, x1 - x0, 3), background, np.uint8)
                self._draw(canvas, rows, unit)
                layers.append(canvas)
            sprite = self._sprites[key] = (layers[0], cv2.subtract(layers[1], layers[0]))
        _blend(image, box, *sprite)

    def _draw(self, canvas: np.ndarray, rows: Sequence[tuple[BGR, str]], unit: float) -> None:
        """The legend on `canvas`, which is exactly the legend's box."""
        style = self.style
        height, width = canvas.shape[:2]
        _shade(canvas, (0, 0, width, height), style.legend_background, style.legend_opacity)
        line_height = _t(style.legend_line_units * unit)
        for row, (colour, text) in enumerate(rows):
            y = _t(style.legend_row_top_units * unit) + line_height * row + line_height // 2
            dot_at = (_t(style.legend_dot_x_units * unit), y)
            cv2.circle(canvas, dot_at, _t(style.legend_dot_units * unit), colour, -1, cv2.LINE_AA)
            cv2.putText(
                canvas,
                text,
                (_t(style.legend_text_x_units * unit), y + _t(style.legend_text_drop_units * unit)),
                style.font,
                style.legend_font_units * unit,
                style.legend_text_colour,
                _t(style.legend_text_width_units * unit),
                cv2.LINE_AA,
            )


@dataclass(frozen=True)
class BadgeAnnotator:
    """A small dark label in the top-left corner (which profile or marks are in use)."""

    style: OverlayStyle = DEFAULT_STYLE

    def box(self, text: str, unit: float) -> Box:
        style = self.style
        (width, height), _ = cv2.getTextSize(
            text, style.font, style.badge_font_units * unit, _t(style.badge_text_width_units * unit)
        )
        pad = _t(style.badge_pad_units * unit)
        return 0, 0, width + 2 * pad, height + 2 * pad

    def annotate(self, image: np.ndarray, text: str, unit: float) -> None:
        check_image(image)
        style = self.style
        box = self.box(text, unit)
        pad = _t(style.badge_pad_units * unit)
        _shade(image, box, style.badge_background, style.badge_opacity)
        cv2.putText(
            image,
            text,
            (pad, box[3] - pad),
            style.font,
            style.badge_font_units * unit,
            style.badge_colour,
            _t(style.badge_text_width_units * unit),
            cv2.LINE_AA,
        )


@dataclass(frozen=True)
class BannerAnnotator:
    """A red band across the top with the message, wrapped to the picture's width."""

    style: OverlayStyle = DEFAULT_STYLE

    def annotate(self, image: np.ndarray, message: str, unit: float) -> None:
        check_image(image)
        style = self.style
        lines, line = [], ""
        max_chars = max(
            int(image.shape[1] / (style.banner_char_units * unit)), style.banner_min_chars
        )
        for word in message.split():
            if len(line) + len(word) + 1 > max_chars:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        lines.append(line)
        line_height = _t(style.banner_line_units * unit)
        height = line_height * len(lines) + _t(style.banner_pad_units * unit)
        _shade(image, (0, 0, image.shape[1], height), style.banner_background, style.banner_opacity)
        for row, text in enumerate(lines):
            baseline = (
                _t(style.banner_y_units * unit)
                + line_height * (row + 1)
                - _t(style.banner_rise_units * unit)
            )
            cv2.putText(
                image,
                text,
                (_t(style.banner_x_units * unit), baseline),
                style.font,
                style.banner_font_units * unit,
                style.banner_colour,
                _t(style.banner_text_width_units * unit),
                cv2.LINE_AA,
            )


# -- the whole overlay ---------------------------------------------------------------------------


class Annotator:
    """Draws a result: rings, midline, dots, marks placed by hand, labels laid out so that none
    overlaps another or leaves the picture, legend and badge. Labels are the point codes; when
    they do not fit, numbers with the codes listed in the legend."""

    def __init__(
        self,
        show_midline: bool = True,
        show_legend: bool = True,
        style: OverlayStyle = DEFAULT_STYLE,
    ):
        self.show_midline = show_midline
        self.show_legend = show_legend
        self.style = style
        self.rings = RingAnnotator(style)
        self.dots = DotAnnotator(style)
        self.midline = MidlineAnnotator(style)
        self.taps = TapAnnotator(style)
        self.leaders = LeaderAnnotator(style)
        self.labels = LabelAnnotator(style)
        self.legend = LegendAnnotator(style)
        self.badge = BadgeAnnotator(style)
        self.banner = BannerAnnotator(style)
        self._previous: _Made | None = None  # the last layout made, moved on reuse

    def annotate(
        self,
        bgr: np.ndarray,
        result: FinderResult,
        codes: Collection[str] | None = None,
        highlight: str | None = None,
    ) -> np.ndarray:
        """A copy of `bgr` (H x W x 3 uint8) with the result drawn; `codes` limits the points
        drawn, `highlight` draws one code large (guided sessions). ValueError on another
        image type."""
        return self.annotate_with_layout(bgr, result, codes, highlight)[0]

    def annotate_with_layout(
        self,
        bgr: np.ndarray,
        result: FinderResult,
        codes: Collection[str] | None = None,
        highlight: str | None = None,
        layout: LabelLayout | None = None,
    ) -> tuple[np.ndarray, LabelLayout]:
        """`annotate`, with the label layout used (made here unless given)."""
        canvas = check_image(bgr).copy()
        return canvas, self.draw(canvas, result, codes, highlight, layout)

    def draw(
        self,
        canvas: np.ndarray,
        result: FinderResult,
        codes: Collection[str] | None = None,
        highlight: str | None = None,
        layout: LabelLayout | None = None,
    ) -> LabelLayout:
        """`annotate` on `canvas` itself (H x W x 3 uint8, changed in place; a video frame
        needs no copy); the label layout used (made here unless given)."""
        check_image(canvas)
        unit = unit_of(canvas)
        points = self._chosen(result, codes)
        if not points:
            self.banner.annotate(canvas, result.summary(), unit)
            return LabelLayout(())
        if layout is None:
            layout = self.layout(result, (canvas.shape[1], canvas.shape[0]), codes, highlight)
        scale = self.style.label_scale(unit, result.cun_px)
        anatomy = result.anatomy
        if self.show_midline and result.view == Facing.BACK and anatomy is not None:
            self.midline.annotate(canvas, anatomy, unit)
        self.rings.annotate(canvas, points, unit, scale)
        self.leaders.annotate(canvas, layout, unit)
        self.dots.annotate(canvas, points, scale, highlight)
        self.labels.annotate(canvas, layout)
        if anatomy is not None:
            self.taps.annotate(canvas, anatomy, scale)
        if layout.legend is not None:
            self.legend.annotate(canvas, layout.rows, layout.legend, unit)
        badge = self._badge(result)
        if badge:
            self.badge.annotate(canvas, badge, unit)
        return layout

    def layout(
        self,
        result: FinderResult,
        image_size: tuple[int, int],
        codes: Collection[str] | None = None,
        highlight: str | None = None,
    ) -> LabelLayout:
        """Where the labels of `result`'s points (limited to `codes`) go in a picture of
        `image_size` (width, height px): codes beside their dots, moved with a leader line when
        their place is taken; numbers listed in the legend when codes do not all fit."""
        width, height = image_size
        unit = max(width, height) / 1000.0
        points = self._chosen(result, codes)
        if not points:
            return LabelLayout(())
        style = self.style
        scale = style.label_scale(unit, result.cun_px)
        spine = self._spine_labels(result, scale)
        blocked = []
        badge = self._badge(result)
        if badge:
            blocked.append(self.badge.box(badge, unit))
        moved = self._moved(result, points, scale, highlight, spine, image_size, blocked)
        if moved is not None:
            return moved
        marks = self._marks(points, scale, highlight)
        frame = result.anatomy.frame if result.anatomy else None
        coded = self._point_labels(frame, points, scale, highlight, numbers=None)
        ring = self._ring_text(result, points)
        layout = self._fresh(
            image_size, frame, points, scale, highlight, spine, coded, marks, blocked, ring
        )
        self._previous = _Made.of(layout)
        return layout

    def _marks(self, points, scale: float, highlight: str | None) -> list[Box]:
        """The dots' boxes (px), which labels avoid."""
        style = self.style
        return [_box_around(p.xy, style.dot_radius(scale, p.code == highlight)) for p in points]

    def _fresh(
        self, image_size, frame, points, scale, highlight, spine, coded, marks, blocked, ring
    ):
        """A layout made afresh: codes, unless they do not fit or more than
        MOVED_LABELS_WITH_CODES of them would need a leader line and numbers need fewer; then
        numbers on the dots and the codes listed in the legend."""
        style = self.style
        unit = max(image_size) / 1000.0
        legend, rows = None, ()
        if self.show_legend:
            rows = self._legend_rows(points, (), ring)
            legend = self._legend_box(image_size, rows, unit, points)
        obstacles = [*blocked, legend] if legend else blocked
        placed = place_labels([*spine, *coded], image_size, marks, obstacles, style)
        codes = None if placed is None else LabelLayout(placed, legend=legend, rows=rows)
        if codes is not None and _leaders(codes) <= MOVED_LABELS_WITH_CODES * len(placed):
            return codes
        codes_in_order = sorted({p.code for p in points}, key=_code_order)
        key = tuple((str(i + 1), code) for i, code in enumerate(codes_in_order))
        numbers = {code: number for number, code in key}
        numbered = self._point_labels(frame, points, scale, highlight, numbers)
        rows = self._legend_rows(points, key, ring)
        legend = self._legend_box(image_size, rows, unit, points)
        # Numbers that do not fit are left out: the list still names their points.
        obstacles = [*blocked, legend]
        placed = place_labels([*spine, *numbered], image_size, marks, obstacles, style, False)
        numbers_layout = LabelLayout(placed, True, key, legend, rows)
        if codes is not None and _leaders(codes) <= _leaders(numbers_layout):
            return codes
        return numbers_layout

    def _moved(self, result, points, scale, highlight, spine, image_size, blocked):
        """The previous frame's layout moved with the body, when it labels the same marks with
        the same texts and scales, still fits (see `moved_layout`; at most half of the labels
        placed again around their marks) and its legend still covers no point; else None."""
        made = self._previous
        if made is None:
            return None
        previous = made.layout
        order = self._in_label_order(points, highlight)
        codes = [p.code for p in order]
        texts, numbers = codes, made.numbers
        if numbers is not None:
            if numbers.keys() != set(codes):
                return None
            texts = [numbers[code] for code in codes]
        plain, big = self._text_scales(scale, previous.numbered)
        scales = [big if code == highlight else plain for code in codes]
        signature = (
            *((item.text, None, item.scale) for item in spine),
            *zip(texts, codes, scales, strict=True),
        )
        if signature != made.signature:
            return None
        xy = np.array([p.xy for p in order], dtype=float).reshape(-1, 2)
        blocked = list(blocked)
        if previous.legend is not None:
            x0, y0, x1, y1 = previous.legend
            inside = (xy[:, 0] >= x0) & (xy[:, 0] < x1) & (xy[:, 1] >= y0) & (xy[:, 1] < y1)
            if inside.any():
                return None
            blocked.append(previous.legend)
        if not signature:
            return previous
        anchors = np.concatenate((np.array([item.anchor for item in spine]).reshape(-1, 2), xy))
        fits = moved_layout(previous, made.anchors, made.boxes, anchors, image_size, blocked)
        if fits is None:
            return None
        boxes, bad = fits
        labels = [
            Label(label.text, label.code, anchor, box, label.colour, label.scale, label.leader)
            for label, anchor, box in zip(
                previous.labels,
                map(tuple, anchors.tolist()),
                map(tuple, boxes.astype(int).tolist()),
                strict=True,
            )
        ]
        if bad.any():
            frame = result.anatomy.frame if result.anatomy else None
            wanted = [*spine, *self._point_labels(frame, points, scale, highlight, numbers)]
            again = [item for item, redo in zip(wanted, bad, strict=True) if redo]
            kept = [*blocked, *boxes[~bad].astype(int).tolist()]
            marks = self._marks(points, scale, highlight)
            placed = place_labels(again, image_size, marks, kept, self.style)
            if placed is None:
                return None
            replaced = iter(placed)
            labels = [
                next(replaced) if redo else label
                for label, redo in zip(labels, bad.tolist(), strict=True)
            ]
        layout = LabelLayout(
            tuple(labels), previous.numbered, previous.key, previous.legend, previous.rows
        )
        self._previous = (
            _Made(layout, signature, anchors, boxes, made.numbers)
            if not bad.any()
            else _Made.of(layout)
        )
        return layout

    # -- pieces ---------------------------------------------------------------------------------
    @staticmethod
    def _chosen(result: FinderResult, codes: Collection[str] | None) -> list[LocatedPoint]:
        return [p for p in result.points if codes is None or p.code in codes]

    def _text_scales(self, scale: float, numbered: bool) -> tuple[float, float]:
        """The text scales of a plain and of the highlighted point's label."""
        style = self.style
        shrink = style.numbered_label_scale_factor if numbered else 1.0
        return (
            style.text_scale(scale * shrink),
            style.text_scale(style.highlight_label_factor * scale * shrink),
        )

    @staticmethod
    def _in_label_order(points, highlight: str | None) -> list[LocatedPoint]:
        """The points in the order their labels are placed: the highlighted point's first."""
        if highlight is None:
            return list(points)
        return sorted(points, key=lambda p: p.code != highlight)

    def _point_labels(self, frame, points, scale, highlight, numbers) -> list[_Wanted]:
        """Point labels to place, the highlighted point's first: codes, or `numbers[code]`."""
        style = self.style
        text_scales = self._text_scales(scale, numbers is not None)
        radii = (style.dot_radius(scale, False), style.dot_radius(scale, True))
        outward = {side: _outward(frame, side) for side in ("left", "right", "midline")}
        wanted = []
        for point in self._in_label_order(points, highlight):
            big = point.code == highlight
            wanted.append(
                _Wanted(
                    point.code if numbers is None else numbers[point.code],
                    point.code,
                    np.asarray(point.xy, dtype=float),
                    radii[big],
                    outward.get(point.side, outward["midline"]),
                    style.colour_of(point.code),
                    text_scales[big],
                )
            )
        return wanted

    def _spine_labels(self, result: FinderResult, scale: float) -> list[_Wanted]:
        anatomy = result.anatomy
        if not self.show_midline or result.view != Facing.BACK or anatomy is None:
            return []
        style = self.style
        frame = anatomy.frame
        text_scale = style.text_scale(style.spine_label_factor * scale)
        return [
            _Wanted(
                name,
                None,
                np.asarray(anatomy.landmarks[name].xy, dtype=float),
                _t(style.spine_label_offset_cun * frame.cun_px / 2),
                -frame.left,
                style.spine_label_colour,
                text_scale,
            )
            for name in self.midline.levels(anatomy)
        ]

    def _legend_rows(self, points, key, ring: str) -> tuple[tuple[BGR, str], ...]:
        """The legend's rows: the meridians drawn, the ring (`ring`), and the numbered points
        of `key` (number, code), a meridian's on its own rows."""
        style = self.style
        meridians = sorted({meridian_of(p.code) for p in points})
        rows = [
            (
                style.meridian_colours.get(m, style.unknown_colour),
                f"{m}  {style.meridian_names.get(m, m)}",
            )
            for m in meridians
        ]
        rows.append((style.ring_legend_colour, ring))
        for meridian in dict.fromkeys(meridian_of(code) for _, code in key):
            entries = [(n, code) for n, code in key if meridian_of(code) == meridian]
            for start in range(0, len(entries), style.legend_numbers_per_row):
                chunk = entries[start : start + style.legend_numbers_per_row]
                text = "  ".join(f"{n} {code}" for n, code in chunk)
                rows.append((style.colour_of(chunk[0][1]), text))
        return tuple(rows)

    def _ring_text(self, result: FinderResult, points) -> str:
        """The ring's legend row: with the typical ring radius on the body ("± 2 cm": the
        median of the points' `FinderResult.uncertainty_cm`, rounded up to half a cm) when the
        points lie on a body."""
        style = self.style
        spreads = [cm for cm in (result.uncertainty_cm(p) for p in points) if cm is not None]
        if not spreads:
            return style.ring_legend_text
        cm = math.ceil(float(np.median(spreads)) * 2) / 2
        return style.ring_legend_with_cm.format(text=style.ring_legend_text, cm=cm)

    def _legend_box(self, image_size, rows, unit: float, points) -> Box:
        """The legend's box at the first corner (bottom-left first) where it covers fewest
        points."""
        boxes = [self.legend.box(image_size, rows, unit, corner) for corner in range(6)]
        return min(boxes, key=lambda box: self._covered(box, points))

    @staticmethod
    def _covered(box: Box, points: Sequence[LocatedPoint]) -> int:
        """How many of `points` lie inside `box`."""
        x0, y0, x1, y1 = box
        return sum(x0 <= p.xy[0] < x1 and y0 <= p.xy[1] < y1 for p in points)

    @staticmethod
    def _badge(result: FinderResult) -> str:
        if result.profile:
            return f"Profile: {result.profile}"
        return "From your marks" if result.basis is Basis.TAPS else ""


def _code_order(code: str) -> tuple[str, int, str]:
    """Codes by meridian, then by number: BL-10 before BL-15 before GB-21."""
    meridian, _, number = code.partition("-")
    return meridian, int(number) if number.isdigit() else 0, number


def _outward(frame: BodyFrame | None, side: str) -> np.ndarray:
    """Where a label goes first: away from the spine on a body, to the right without one."""
    if frame is None:
        return np.array([1.0, 0.0])
    return {"left": frame.left, "right": -frame.left}.get(side, -frame.left)


def _outlined_text(canvas, text, origin, scale, colour, style: OverlayStyle) -> None:
    """Text with a dark outline, its baseline starting at `origin` (px)."""
    thickness = _t(style.text_width_scales * scale)
    outline = thickness + _t(style.outline_extra_scales * scale)
    cv2.putText(canvas, text, origin, style.font, scale, style.outline_colour, outline, cv2.LINE_AA)
    cv2.putText(canvas, text, origin, style.font, scale, colour, thickness, cv2.LINE_AA)


def _blend(image: np.ndarray, box: Box, over_black: np.ndarray, coverage: np.ndarray) -> None:
    """Blend a sprite drawn over black and over white into `box` (image px) as OpenCV's
    anti-aliased drawing blends into a picture: out = over_black + coverage * picture / 255,
    where coverage = over_white - over_black. A box partly outside the image is cut."""
    x0, y0, x1, y1 = box
    if x0 >= 0 and y0 >= 0 and x1 <= image.shape[1] and y1 <= image.shape[0]:
        region = image[y0:y1, x0:x1]  # inside, as every laid-out label is: no cut
    else:
        region = image[max(y0, 0) : y1, max(x0, 0) : x1]
        top, left = max(y0, 0) - y0, max(x0, 0) - x0
        over_black = over_black[top : top + region.shape[0], left : left + region.shape[1]]
        coverage = coverage[top : top + region.shape[0], left : left + region.shape[1]]
        if not region.size:
            return
    cv2.add(over_black, cv2.multiply(region, coverage, scale=1 / 255), dst=region)


def _shade(canvas, box: Box, colour: BGR, opacity: float) -> None:
    """Blend a filled rectangle (x0, y0, x1, y1 in px) over the canvas."""
    x0, y0, x1, y1 = (max(v, 0) for v in box)
    region = canvas[y0:y1, x0:x1]
    if region.size:
        solid = _solid(region.shape, colour)
        cv2.addWeighted(solid, opacity, region, 1 - opacity, 0, dst=region)


@lru_cache(maxsize=16)
def _solid(shape: tuple[int, ...], colour: BGR) -> np.ndarray:
    """A read-only uint8 array of `shape` filled with `colour` (the legend's is the same box on
    every video frame)."""
    solid = np.empty(shape, np.uint8)
    solid[:] = colour
    solid.flags.writeable = False
    return solid


def _box_around(xy, radius: int) -> Box:
    x, y = _px(xy)
    return x - radius, y - radius, x + radius + 1, y + radius + 1


def _nearest_in_box(xy, box: Box) -> tuple[int, int]:
    x0, y0, x1, y1 = box
    return min(max(round(xy[0]), x0), x1 - 1), min(max(round(xy[1]), y0), y1 - 1)


def _t(value: float) -> int:
    """A size in whole pixels, at least 1."""
    return max(round(value), 1)


def _px(xy) -> tuple[int, int]:
    return round(float(xy[0])), round(float(xy[1]))
