"""A partner's marks that contradict the body: one wrong mark is set aside with a message that
names it, and the other points stay (issue 14 item 5)."""

from __future__ import annotations

import numpy as np

from finder import locate_landmarks
from finder.body.fit import Taps
from finder.body.from_pose import build_anatomy
from finder.body.view import orient
from tests.bodies import IMAGE_SIZE, standing_back_view

BACK_TAPS = ("C7", "acromion_left", "acromion_right", "iliac_crest_top_left")


def model_taps(names, moved: dict[str, tuple[float, float]] | None = None) -> Taps:
    """Taps where the model puts `names`, some of them moved by a shift (px)."""
    truth = build_anatomy(orient(standing_back_view(), IMAGE_SIZE, "back"))
    moved = moved or {}
    return Taps(
        {name: tuple(truth.landmarks[name].xy + moved.get(name, (0.0, 0.0))) for name in names}
    )


def placed(result) -> set[tuple[str, str]]:
    return {(p.code, p.side) for p in result.points}


def test_one_mark_dragged_off_the_body_keeps_the_others_and_names_it():
    good = locate_landmarks(standing_back_view(), IMAGE_SIZE, "back", taps=model_taps(BACK_TAPS))
    wrong = locate_landmarks(
        standing_back_view(),
        IMAGE_SIZE,
        "back",
        taps=model_taps(BACK_TAPS, {"acromion_left": (-400.0, 500.0)}),
    )
    assert wrong.accepted and placed(wrong) == placed(good)
    assert wrong.anatomy.tapped == good.anatomy.tapped - {"acromion_left"}
    (note,) = wrong.notes
    assert "left shoulder top mark" in note and "set aside" in note
    assert "found no body" not in wrong.summary()


def test_marks_alone_out_of_order_set_the_wrong_one_aside():
    """Without a usable pose, C7 dragged below the crest: the shoulder and crest marks still
    place the back, and the message names C7 (not 'the camera model found no body')."""
    nobody = np.full((33, 4), np.nan)
    names = (
        "C7",
        "acromion_left",
        "acromion_right",
        "iliac_crest_top_left",
        "iliac_crest_top_right",
    )
    good = locate_landmarks(nobody, IMAGE_SIZE, "back", taps=model_taps(names))
    wrong = locate_landmarks(
        nobody, IMAGE_SIZE, "back", taps=model_taps(names, {"C7": (0.0, 900.0)})
    )
    assert wrong.accepted and wrong.basis == "taps"
    assert "C7" not in wrong.anatomy.tapped
    assert len(wrong.points) >= len(good.points) - 4
    (note,) = wrong.notes
    assert note.startswith("your C7 mark was set aside") and "below" in note


def test_marks_that_fit_nowhere_are_still_refused_with_the_reason():
    nobody = np.full((33, 4), np.nan)
    result = locate_landmarks(nobody, IMAGE_SIZE, "back", taps=model_taps(("C7",)))
    assert not result.accepted and "tap C7 and both hip-bone tops" in result.problems[0]
