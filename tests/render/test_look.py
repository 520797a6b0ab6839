"""The overlay looks as it did before the annotators and the label layout, except where it was
meant to change: on fixed frames (tests/render/frames.py) every pixel equals the previous
drawing (tests/render/data/<frame>.png, drawn by the overlay of main at 1f2ef4b) outside

- the labels: the boxes of the new layout, the boxes of the previous labels
  (data/previous_label_boxes.json) and the leader lines of labels moved from their dots, and
  the legend's box when the labels are numbers listed there;
- the rings that used to hide under their dot: a ring is now never smaller than its dot;
- the legend, drawn once and blended into each picture, may differ by LEGEND_LEVELS (OpenCV
  rounds after each blend) unless it lists numbered points, when it changes altogether. (The
  ring's row now also gives "about +/- N cm"; these frames are drawn without it.)
"""

from __future__ import annotations

import gzip
import json
import pickle
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest

from finder.render.overlay import Annotator, LabelLayout, OverlayStyle, unit_of
from tests.render.frames import Frame, fixed_frames

DATA = Path(__file__).parent / "data"
LEGEND_LEVELS = 3


def with_stored_result(frame: Frame) -> Frame:
    """`frame` with the result drawn then (data/<name>.result.pickle.gz), so that changes to
    the body model do not show as changes to the drawing."""
    with gzip.open(DATA / f"{frame.name}.result.pickle.gz", "rb") as stored:
        return replace(frame, result=pickle.load(stored))


FRAMES = {frame.name: with_stored_result(frame) for frame in fixed_frames()}


def allowed_changes(frame: Frame, layout: LabelLayout, annotator: Annotator) -> np.ndarray:
    """(H, W) True where the drawing may differ from the previous one."""
    height, width = frame.bgr.shape[:2]
    mask = np.zeros((height, width), np.uint8)
    previous = json.loads((DATA / "previous_label_boxes.json").read_text())[frame.name]
    legend = [layout.legend] if layout.numbered else []
    for x0, y0, x1, y1 in [label.box for label in layout.labels] + previous + legend:
        mask[max(y0, 0) : y1, max(x0, 0) : x1] = 1
    unit = unit_of(frame.bgr)
    style = annotator.style
    for label in layout.labels:
        if label.leader:
            x0, y0, x1, y1 = label.box
            start = tuple(round(v) for v in label.anchor)
            end = (min(max(start[0], x0), x1 - 1), min(max(start[1], y0), y1 - 1))
            cv2.line(
                mask,
                start,
                end,
                1,
                round(style.leader_width_units * unit) + 2 * style.leader_edge_px + 4,
            )
    scale = style.label_scale(unit, frame.result.cun_px)
    least = annotator.rings.least_radius(unit, scale)
    reach = least + round(style.ring_width_units * unit) + 2
    for point in frame.result.points:
        if round(point.radius_px) < least:
            cv2.circle(mask, tuple(round(v) for v in point.xy), reach, 1, -1)
    return mask.astype(bool)


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_the_drawing_is_unchanged_outside_labels_and_enlarged_rings(name):
    frame = FRAMES[name]
    style = OverlayStyle(ring_legend_with_cm="{text}")  # the ring's row as before
    annotator = Annotator(show_legend=frame.show_legend, style=style)
    drawn, layout = annotator.annotate_with_layout(
        frame.bgr, frame.result, frame.codes, frame.highlight
    )
    before = cv2.imread(str(DATA / f"{name}.png"))
    changed = (drawn != before).any(axis=2)
    if layout.legend is not None and not layout.numbered:
        x0, y0, x1, y1 = layout.legend
        legend = cv2.absdiff(drawn[y0:y1, x0:x1], before[y0:y1, x0:x1])
        assert legend.max() <= LEGEND_LEVELS
        changed[y0:y1, x0:x1] = False
    outside = changed & ~allowed_changes(frame, layout, annotator)
    assert not outside.any(), f"{outside.sum()} pixels changed, e.g. at {np.argwhere(outside)[:5]}"
    if frame.result.points:
        assert changed.any()  # the labels did move
