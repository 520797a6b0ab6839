"""The Photo page's picture (finder.ui.photo), on results made here from a partner's marks:
cut to the back (`shown_picture`: the labels and the legend are drawn on the cut picture, so
the cut never takes them away) and the line under it (`caption`)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from finder.body.fit import Taps
from finder.pipelines.photo import locate_taps
from finder.render.overlay import Annotator
from finder.ui import Photo
from finder.ui.photo import caption, crop_box, shown_picture

SIZE = (1067, 1600)  # shared photo 01, with a partner's three marks (tests/ui/test_browser_partner)
MARKS = {
    "C7": (683, 900),
    "iliac_crest_top_left": (705, 1500),
    "iliac_crest_top_right": (1050, 1350),
}
PHOTO = Photo("back.jpg", "key", np.zeros((SIZE[1], SIZE[0], 3), np.uint8))


def marked():
    return locate_taps(Taps({name: tuple(map(float, xy)) for name, xy in MARKS.items()}), SIZE)


def test_the_cut_picture_keeps_the_legend():
    """The legend sat in a corner of the whole photo and the cut to the back took it away (on
    shared photo 13 entirely, on 09 half of it): now the cut picture has its own legend."""
    result = marked()
    box = crop_box(result)
    x0, y0, x1, y1 = box
    whole = Annotator().layout(result, SIZE).legend
    assert whole[0] < x0 or whole[1] < y0 or whole[2] > x1 or whole[3] > y1  # the cut missed it
    grey = np.full((SIZE[1], SIZE[0], 3), 128, np.uint8)
    shown = shown_picture(grey, result)
    assert shown.shape[:2] == (y1 - y0, x1 - x0)  # still cut to the back
    cut = result.cropped(box)
    lx0, ly0, lx1, ly1 = Annotator().layout(cut, (x1 - x0, y1 - y0)).legend
    assert shown[ly0:ly1, lx0:lx1].mean() < 100  # the legend's dark shade is in the picture


def test_a_cut_result_is_the_same_result_moved():
    result = marked()
    box = crop_box(result)
    cut = result.cropped(box)
    assert (cut.width, cut.height) == (box[2] - box[0], box[3] - box[1])
    for before, after in zip(result.points, cut.points, strict=True):
        assert after.code == before.code and after.side == before.side
        assert np.allclose(np.subtract(before.xy, after.xy), box[:2])
        assert cut.uncertainty_cm(after) == result.uncertainty_cm(before)
    for name, mark in result.anatomy.landmarks.items():
        assert np.allclose(mark.xy - cut.anatomy.landmarks[name].xy, box[:2])
    assert cut.anatomy.frame.to_body(cut.points[0].xy) == pytest.approx(
        result.anatomy.frame.to_body(result.points[0].xy)
    )


def test_marks_are_called_marks():
    """The page says "Mark the back by hand" and the picture "From your marks"; the caption
    said "8 points placed (2 not visible), from your taps. View: back (placed from your taps)"."""
    text = caption(PHOTO, marked())
    assert text == "back.jpg. Placed from your marks."


def test_no_detector_jargon_nor_a_repeated_note():
    """Shared photo 09's caption said "pose found: found by the second detector", and a note
    shown beside the photo (another person in view) was said again under it."""
    note = "another person may be in view"
    result = replace(
        marked(),
        anatomy=replace(marked().anatomy, tapped=frozenset()),
        view_reason="no clear sign of a face toward the camera",
        pose_source="found by the second detector",
        notes=(note,),
    )
    text = caption(PHOTO, result)
    assert text == "back.jpg. View: back (no clear sign of a face toward the camera)."
