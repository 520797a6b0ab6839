"""Drawing only: located points, their uncertainty rings, the posterior midline with cun ticks
and a legend, on a BGR image. Reads results; never computes anatomy."""

from __future__ import annotations

from collections.abc import Collection

import cv2
import numpy as np

from finder.body.landmarks import SPINOUS_LEVELS
from finder.body.result import Basis, FinderResult
from finder.body.view import Facing

# Meridian -> BGR colour (colours as data, one place).
MERIDIAN_COLOURS: dict[str, tuple[int, int, int]] = {
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
MERIDIAN_NAMES = {
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
SPINE_LABELS = ("C7", "T7", "L4", "S2")
WHITE, BLACK, GREY = (255, 255, 255), (0, 0, 0), (200, 200, 200)
TAP_GOLD = (0, 200, 255)  # BGR: what a partner placed
FONT = cv2.FONT_HERSHEY_SIMPLEX


def meridian_of(code: str) -> str:
    return code.split("-")[0]


class Annotator:
    """Draws results; sizes follow the image so labels stay readable when a phone shrinks it."""

    def __init__(self, show_midline: bool = True, show_legend: bool = True):
        self.show_midline = show_midline
        self.show_legend = show_legend

    def annotate(
        self,
        bgr: np.ndarray,
        result: FinderResult,
        codes: Collection[str] | None = None,
        highlight: str | None = None,
    ) -> np.ndarray:
        """A copy of `bgr` with the result drawn; `codes` limits the points drawn, `highlight`
        draws one code large (guided sessions)."""
        canvas = bgr.copy()
        unit = max(canvas.shape[:2]) / 1000.0
        points = [p for p in result.points if codes is None or p.code in codes]
        if not points:
            _banner(canvas, result.summary(), unit)
            return canvas
        frame = result.anatomy.frame if result.anatomy else None
        # Sizes follow the body (cun) within limits that stay readable on a phone; a view
        # without a body frame (the hand view) takes the middle of those limits.
        scale = (
            float(np.clip(0.045 * frame.cun_px, 0.45 * unit, 0.9 * unit)) if frame else 0.7 * unit
        )
        if self.show_midline and result.view == Facing.BACK:
            _draw_midline(canvas, result, unit, scale)
        _draw_rings(canvas, points, _t(2 * unit))
        taken: list[tuple[int, int, int, int]] = []
        labels = []
        for point in sorted(points, key=lambda p: p.code == highlight):
            big = point.code == highlight
            colour = MERIDIAN_COLOURS.get(meridian_of(point.code), WHITE)
            centre = _px(point.xy)
            dot = _t((2.2 if big else 1.0) * 9 * scale)
            cv2.circle(canvas, centre, dot + _t(2 * scale), WHITE, -1, cv2.LINE_AA)
            cv2.circle(canvas, centre, dot, colour, -1, cv2.LINE_AA)
            taken.append((centre[0] - dot, centre[1] - dot, centre[0] + dot, centre[1] + dot))
            outward = _outward(frame, point.side)
            labels.append((point.code, centre, dot, outward, (2.0 if big else 1.0) * scale, colour))
        for code, centre, dot, outward, text_scale, colour in labels:
            _place_label(canvas, code, centre, dot, outward, text_scale, colour, taken)
        _draw_taps(canvas, result, scale)
        if self.show_legend:
            _legend(canvas, sorted({meridian_of(p.code) for p in points}), unit)
        badge = {Basis.TAPS: "From your marks"}.get(result.basis, "")
        if result.profile:
            badge = f"Profile: {result.profile}"
        if badge:
            _badge(canvas, badge, unit)
        return canvas


def _outward(frame, side: str) -> np.ndarray:
    """Where a label goes first: away from the spine on a body, to the right without one."""
    if frame is None:
        return np.array([1.0, 0.0])
    return {"left": frame.left, "right": -frame.left}.get(side, -frame.left)


def _t(value: float) -> int:
    return max(round(value), 1)


def _text(canvas, text, origin, scale, colour) -> None:
    """Text with a dark outline so it reads on skin, cloth and background alike."""
    thickness = _t(2 * scale)
    cv2.putText(canvas, text, origin, FONT, scale, BLACK, thickness + _t(3 * scale), cv2.LINE_AA)
    cv2.putText(canvas, text, origin, FONT, scale, colour, thickness, cv2.LINE_AA)


def _draw_rings(canvas, points, thickness: int) -> None:
    """Uncertainty rings at 60 % opacity, blended only inside their bounding box."""
    reach = np.array([[p.xy[0], p.xy[1], p.radius_px] for p in points])
    x0, y0 = np.floor(reach[:, :2] - reach[:, 2:] - thickness - 2).min(axis=0).astype(int)
    x1, y1 = np.ceil(reach[:, :2] + reach[:, 2:] + thickness + 2).max(axis=0).astype(int)
    x0, y0 = max(x0, 0), max(y0, 0)
    x1, y1 = min(x1, canvas.shape[1]), min(y1, canvas.shape[0])
    if x1 <= x0 or y1 <= y0:
        return
    region = canvas[y0:y1, x0:x1]
    rings = region.copy()
    for point in points:
        colour = MERIDIAN_COLOURS.get(meridian_of(point.code), WHITE)
        centre = (round(point.xy[0]) - x0, round(point.xy[1]) - y0)
        cv2.circle(rings, centre, max(round(point.radius_px), 2), colour, thickness, cv2.LINE_AA)
    cv2.addWeighted(rings, 0.6, region, 0.4, 0, dst=region)


def _shade(canvas, box, colour, opacity: float) -> None:
    """Blend a filled rectangle (x0, y0, x1, y1 in px) over the canvas."""
    x0, y0, x1, y1 = (max(v, 0) for v in box)
    region = canvas[y0:y1, x0:x1]
    if region.size:
        cv2.addWeighted(np.full_like(region, colour), opacity, region, 1 - opacity, 0, dst=region)


def _place_label(canvas, text, centre, dot, outward, scale, colour, taken) -> None:
    """Put the label beside its dot where it overlaps no dot or label drawn so far (outward
    from the spine first), else outward anyway. `taken` holds boxes (x0, y0, x1, y1) in px."""
    (width, height), _ = cv2.getTextSize(text, FONT, scale, _t(2 * scale))
    gap = dot + _t(4 * scale)
    ox, oy = float(outward[0]), float(outward[1])
    directions = (
        (ox, oy),
        ((ox) / 1.4, (oy - 1) / 1.4),
        (ox / 1.4, (oy + 1) / 1.4),
        (-ox, -oy),
        (0.0, -1.0),
        (0.0, 1.0),
    )
    # Boxes grow away from the dot: x0 = anchor - width for leftward directions, etc.
    candidates = np.array(
        [
            (
                centre[0] + gap * dx - width * (dx < -1e-3) - width / 2 * (abs(dx) <= 1e-3),
                centre[1] + gap * dy + height * (dy > 1e-3) + height / 2 * (abs(dy) <= 1e-3),
            )
            for dx, dy in directions
        ]
    ).astype(int)
    boxes = np.column_stack(
        (candidates[:, 0], candidates[:, 1] - height, candidates[:, 0] + width, candidates[:, 1])
    )
    if taken:
        other = np.array(taken)
        hits = (
            (boxes[:, None, 0] < other[None, :, 2])
            & (other[None, :, 0] < boxes[:, None, 2])
            & (boxes[:, None, 1] < other[None, :, 3])
            & (other[None, :, 1] < boxes[:, None, 3])
        )
        free = np.flatnonzero(~hits.any(axis=1))
    else:
        free = np.array([0])
    choice = int(free[0]) if free.size else 0
    taken.append(tuple(int(v) for v in boxes[choice]))
    _text(canvas, text, (int(candidates[choice, 0]), int(candidates[choice, 1])), scale, colour)


def _draw_midline(canvas, result: FinderResult, unit: float, scale: float) -> None:
    anatomy = result.anatomy
    frame = anatomy.frame
    # C7 down to the sacral hiatus, or to the lowest level placed when the hips are out of view.
    placed = [n for n in (*SPINOUS_LEVELS, "sacral_hiatus") if n in anatomy.landmarks]
    top = anatomy.landmarks[placed[0]].xy
    bottom = anatomy.landmarks[placed[-1]].xy
    cv2.line(canvas, _px(top), _px(bottom), GREY, _t(1.5 * unit), cv2.LINE_AA)
    length_px = max(float(np.hypot(*(top - bottom))), 1e-9)
    down = (bottom - top) / length_px  # along the drawn midline, which taps may tilt
    for step in range(int(length_px / frame.cun_px) + 1):
        at = top + step * frame.cun_px * down
        half = (0.6 if step % 5 == 0 else 0.3) * frame.cun_px
        cv2.line(
            canvas,
            _px(at - half * frame.left),
            _px(at + half * frame.left),
            GREY,
            _t(unit),
            cv2.LINE_AA,
        )
    for name in (label for label in SPINE_LABELS if label in anatomy.landmarks):
        at = anatomy.landmarks[name].xy
        cv2.circle(canvas, _px(at), _t(3 * unit), WHITE, -1, cv2.LINE_AA)
        label_at = at - 0.6 * frame.cun_px * frame.left  # just beside the spine
        _text(canvas, name, _px(label_at), 0.6 * scale, WHITE)


def _legend(canvas, meridians: list[str], unit: float) -> None:
    scale = 0.5 * unit
    line_height = _t(26 * unit)
    rows = [(MERIDIAN_COLOURS[m], f"{m}  {MERIDIAN_NAMES[m]}") for m in meridians]
    rows.append((GREY, "ring: where the point likely is"))
    width = _t(330 * unit)
    height = line_height * len(rows) + _t(12 * unit)
    x0, y0 = _t(10 * unit), canvas.shape[0] - height - _t(10 * unit)
    _shade(canvas, (x0, y0, x0 + width, y0 + height), BLACK, 0.55)
    for row, (colour, text) in enumerate(rows):
        y = y0 + _t(8 * unit) + line_height * row + line_height // 2
        cv2.circle(canvas, (x0 + _t(16 * unit), y), _t(7 * unit), colour, -1, cv2.LINE_AA)
        cv2.putText(
            canvas,
            text,
            (x0 + _t(32 * unit), y + _t(6 * unit)),
            FONT,
            scale,
            WHITE,
            _t(1.5 * unit),
            cv2.LINE_AA,
        )


def _draw_taps(canvas, result: FinderResult, scale: float) -> None:
    """The landmarks a partner placed: small gold diamonds with a dark edge."""
    if result.anatomy is None:
        return
    half = _t(9 * scale)
    for name in sorted(result.anatomy.tapped):
        x, y = _px(result.anatomy.landmarks[name].xy)
        diamond = np.array([(x, y - half), (x + half, y), (x, y + half), (x - half, y)])
        cv2.fillPoly(canvas, [diamond], TAP_GOLD, cv2.LINE_AA)
        cv2.polylines(canvas, [diamond], True, BLACK, _t(1.5 * scale), cv2.LINE_AA)


def _badge(canvas, text: str, unit: float) -> None:
    """A small dark label in the top-left corner (which profile or marks are in use)."""
    scale = 0.55 * unit
    (width, height), _ = cv2.getTextSize(text, FONT, scale, _t(1.5 * unit))
    pad = _t(8 * unit)
    _shade(canvas, (0, 0, width + 2 * pad, height + 2 * pad), (40, 40, 40), 0.7)
    cv2.putText(
        canvas, text, (pad, pad + height), FONT, scale, TAP_GOLD, _t(1.5 * unit), cv2.LINE_AA
    )


def _banner(canvas, message: str, unit: float) -> None:
    scale = 0.55 * unit
    words, lines, line = message.split(), [], ""
    max_chars = max(int(canvas.shape[1] / (11 * unit * 1.0)), 20)
    for word in words:
        if len(line) + len(word) + 1 > max_chars:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    line_height = _t(28 * unit)
    height = line_height * len(lines) + _t(14 * unit)
    _shade(canvas, (0, 0, canvas.shape[1], height), (30, 30, 160), 0.75)
    for row, text in enumerate(lines):
        cv2.putText(
            canvas,
            text,
            (_t(12 * unit), _t(8 * unit) + line_height * (row + 1) - _t(6 * unit)),
            FONT,
            scale,
            WHITE,
            _t(1.5 * unit),
            cv2.LINE_AA,
        )


def _px(xy) -> tuple[int, int]:
    return round(float(xy[0])), round(float(xy[1]))
