"""The line under the Photo page's picture (finder.ui.photo.caption), on results made here."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from finder.body.fit import Taps
from finder.pipelines.photo import locate_taps
from finder.ui import Photo
from finder.ui.photo import caption

SIZE = (1067, 1600)
MARKS = {
    "C7": (683, 900),
    "iliac_crest_top_left": (705, 1500),
    "iliac_crest_top_right": (1050, 1350),
}
PHOTO = Photo("back.jpg", "key", np.zeros((SIZE[1], SIZE[0], 3), np.uint8))


def marked():
    return locate_taps(Taps({name: tuple(map(float, xy)) for name, xy in MARKS.items()}), SIZE)


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
