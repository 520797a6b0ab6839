"""The point tables the Photo and Hand pages show (finder.ui.points), on results made here."""

from __future__ import annotations

from finder.body.catalog import load_catalog
from finder.body.result import FinderResult, LocatedPoint
from finder.ui.points import located_rows


def hand_result() -> FinderResult:
    """LI-4 on both hands, as the hand model gives them: no body frame, so no scale in cm."""
    points = tuple(
        LocatedPoint("LI-4", side, (100.0, 80.0), 6.0, 0.9) for side in ("left", "right")
    )
    return FinderResult(400, 300, "hand", "", (), None, points, ())


def test_hand_points_get_no_empty_within_column():
    """The Hand page's table had a "Within" column with nothing in it (hand points have no
    uncertainty in cm): it looked broken on a phone, where it took a fifth of the width."""
    rows = located_rows(hand_result(), load_catalog().get)
    assert rows == [
        {
            "Code": "LI-4",
            "Name": "Hegu (Union Valley)",
            "Side": "left, right",
            "Note": "avoid in pregnancy",
        }
    ]
