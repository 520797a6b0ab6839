"""Property-based tests: whatever landmark array comes in, `locate_landmarks` answers with a
well-formed result and the overlay draws it, never an exception.

Well-formed: every located point has finite image coordinates (px), a finite non-negative radius
(px) and a confidence in [0, 1]; every chosen point, on each of its sides, is either located or
omitted with a reason; a rejected result says why and places nothing; `to_dict()` is strict JSON
(no NaN or infinity). The arrays are a plausible body (tests/bodies.py) moved, turned and scaled
over twelve orders of magnitude, then damaged: NaN and infinite entries, float extremes,
visibilities outside [0, 1] (refused with ValueError), keypoints collapsed onto one spot,
swapped, or mirrored; and arrays of arbitrary numbers.
"""

from __future__ import annotations

import json
import math
import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from finder.body.catalog import load_catalog
from finder.body.landmarks import KEYPOINT_COUNT, LEFT_RIGHT_PAIRS
from finder.body.points import point_sides
from finder.body.result import FinderResult
from finder.body.view import VIEW_CHOICES
from finder.pipelines.photo import locate_landmarks, select_points
from finder.render.overlay import Annotator
from tests.bodies import standing_back_view

EXAMPLES = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
MAX_CANVAS_PX = 640  # drawing canvases are at most this wide and high (results may reach beyond)
EXTREMES = (
    math.nan,
    math.inf,
    -math.inf,
    1e308,
    -1e308,
    1e-308,
    0.0,
    -1.0,
    2.0,
    1e9,
    -1e9,
)
CODES = [point.code for point in load_catalog().points]

# Photo-like sizes (the decoder's limits: 32 px a side, 100 megapixels) and anything.
image_sizes = st.tuples(st.integers(32, 10_000), st.integers(32, 10_000)) | st.tuples(
    st.integers(1, 8000), st.integers(1, 8000)
)
chosen_codes = st.none() | st.lists(st.sampled_from(CODES), min_size=1, max_size=6, unique=True)
views = st.sampled_from(VIEW_CHOICES)
keypoint = st.integers(0, KEYPOINT_COUNT - 1)


@st.composite
def placed_bodies(draw, size: tuple[int, int]) -> np.ndarray:
    """The mean man seen from behind, turned, scaled to 1e-6..1e6 of the image's short side and
    centred anywhere from half an image before it to half an image beyond it; visibilities and
    depths drawn at random. Half the draws are a plausible photo instead: nearly upright, a
    tenth to all of the image high, near its centre, the body's keypoints seen."""
    body = standing_back_view()
    xy = body[:, :2] - body[:, :2].mean(axis=0)
    if draw(st.booleans()):
        angle, exponent = draw(st.floats(-0.3, 0.3)), draw(st.floats(-1, 0))
        where = st.floats(0.4, 0.6)
        seen = st.floats(0.5, 1)
    else:
        angle, exponent = draw(st.floats(-math.pi, math.pi)), draw(st.floats(-6, 6))
        where = st.floats(-0.5, 1.5)
        seen = st.floats(0, 1)
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    scale = 10**exponent * min(size) / np.ptp(xy[:, 1])
    centre = np.array(size) * np.array([draw(where), draw(where)])
    body[:, :2] = xy @ rotation.T * scale + centre
    body[:, 2] = draw(hnp.arrays(float, KEYPOINT_COUNT, elements=st.floats(-2, 2)))
    body[:, 3] = draw(st.just(body[:, 3]) | hnp.arrays(float, KEYPOINT_COUNT, elements=seen))
    return body


def set_extreme(body: np.ndarray, draw) -> None:
    body[draw(keypoint), draw(st.integers(0, 3))] = draw(st.sampled_from(EXTREMES))


def collapse(body: np.ndarray, draw) -> None:
    indices = draw(st.lists(keypoint, min_size=2, max_size=KEYPOINT_COUNT, unique=True))
    body[indices, :2] = body[indices[0], :2]


def swap_two(body: np.ndarray, draw) -> None:
    a, b = draw(keypoint), draw(keypoint)
    body[[a, b], :2] = body[[b, a], :2]


def swap_sides(body: np.ndarray, draw) -> None:
    for left, right in LEFT_RIGHT_PAIRS:
        body[[left, right]] = body[[right, left]]


def upside_down(body: np.ndarray, draw) -> None:
    body[:, 1] = 2 * np.nanmean(body[:, 1]) - body[:, 1]


def stretch_part(body: np.ndarray, draw) -> None:
    indices = draw(st.lists(keypoint, min_size=1, max_size=10, unique=True))
    factor = 10 ** draw(st.floats(-4, 4))
    centre = body[indices, :2].mean(axis=0)
    body[indices, :2] = centre + (body[indices, :2] - centre) * factor


DAMAGE = (set_extreme, collapse, swap_two, swap_sides, upside_down, stretch_part)


@st.composite
def damaged_bodies(draw, size: tuple[int, int]) -> np.ndarray:
    body = draw(placed_bodies(size))
    for damage in draw(st.lists(st.sampled_from(DAMAGE), max_size=4)):
        with np.errstate(all="ignore"):  # NaN and overflow are what the damage is for
            damage(body, draw)
    return body


def assert_well_formed(result: FinderResult, codes, size: tuple[int, int]) -> None:
    assert (result.width, result.height) == size
    for point in result.points:
        assert all(math.isfinite(v) for v in (*point.xy, point.radius_px)), point
        assert point.radius_px >= 0, point
        assert 0.0 <= point.confidence <= 1.0, point
    expected = {(p.code, side) for p in select_points(codes) for side in point_sides(p)}
    located = [(p.code, p.side) for p in result.points]
    omitted = [(o.code, o.side) for o in result.omitted]
    assert len(located) + len(omitted) == len(expected)
    assert set(located) | set(omitted) == expected
    assert all(isinstance(o.reason, str) and o.reason.strip() for o in result.omitted)
    if not result.accepted:
        assert not result.points and result.anatomy is None
        assert all(isinstance(p, str) and p.strip() for p in result.problems)
    summary = result.summary()
    assert isinstance(summary, str) and summary.strip() and "\n" not in summary
    json.dumps(result.to_dict(), allow_nan=False)


def assert_drawable(result: FinderResult, size: tuple[int, int]) -> None:
    """The overlay draws the result on a canvas of the image's size (capped for speed)."""
    width, height = (min(side, MAX_CANVAS_PX) for side in size)
    canvas = np.full((height, width, 3), 90, np.uint8)
    drawn = Annotator().annotate(canvas, result, highlight=CODES[0])
    assert drawn.shape == canvas.shape and drawn.dtype == np.uint8


def run_case(landmarks: np.ndarray, size, view: str, codes) -> FinderResult | None:
    """The result, checked; None when the array was refused (a visibility outside [0, 1])."""
    with warnings.catch_warnings():
        # NaN and overflow in intermediate numpy arithmetic are expected here; the result
        # must still come out well-formed.
        warnings.simplefilter("ignore", RuntimeWarning)
        visibility = landmarks[:, 3]
        if np.all(np.isfinite(landmarks)) and not np.all((visibility >= 0) & (visibility <= 1)):
            with pytest.raises(ValueError, match=re.escape("visibility (column 4) must lie in")):
                locate_landmarks(landmarks, size, view, codes)
            return None
        result = locate_landmarks(landmarks, size, view, codes)
        assert_well_formed(result, codes, size)
        assert_drawable(result, size)
    return result


@EXAMPLES
@given(data=st.data(), size=image_sizes, view=views, codes=chosen_codes)
def test_moved_and_scaled_bodies_give_well_formed_results(data, size, view, codes):
    run_case(data.draw(placed_bodies(size)), size, view, codes)


@EXAMPLES
@given(data=st.data(), size=image_sizes, view=views, codes=chosen_codes)
def test_damaged_bodies_give_well_formed_results(data, size, view, codes):
    run_case(data.draw(damaged_bodies(size)), size, view, codes)


@EXAMPLES
@given(
    landmarks=hnp.arrays(
        float,
        (KEYPOINT_COUNT, 4),
        elements=st.floats(allow_nan=True, allow_infinity=True, width=64),
    ),
    size=image_sizes,
    view=views,
    codes=chosen_codes,
)
def test_arbitrary_numbers_give_well_formed_results(landmarks, size, view, codes):
    run_case(landmarks, size, view, codes)


def test_the_generated_bodies_are_often_accepted():
    """The strategies reach the anatomy, points and drawing, not only the rejections."""
    accepted = []

    @settings(max_examples=150, deadline=None, database=None, derandomize=True)
    @given(data=st.data(), size=image_sizes)
    def count(data, size):
        body = data.draw(placed_bodies(size))
        result = run_case(body, size, "auto", None)
        accepted.append(result is not None and result.accepted)

    count()
    assert sum(accepted) >= 0.2 * len(accepted), f"{sum(accepted)} of {len(accepted)} accepted"


def test_a_keypoint_far_outside_the_picture_counts_as_unseen():
    """A visible knee found 50 image heights below the picture (a guess, not a sighting) is not
    used: the knee's points are omitted with a reason, the back points are still placed."""
    body = standing_back_view()
    body[25, 1] = 50 * 2400.0  # LEFT_KNEE
    result = locate_landmarks(body, (2400, 2400), "back")
    assert result.accepted
    reasons = {(o.code, o.side): o.reason for o in result.omitted}
    assert "left knee" in reasons[("BL-40", "left")]
    assert {("BL-40", "right"), ("BL-23", "left")} <= {(p.code, p.side) for p in result.points}


@pytest.mark.parametrize("visibility", [7.0, -0.1, 1e308])
def test_a_visibility_outside_0_1_is_refused(visibility):
    body = standing_back_view()
    body[5, 3] = visibility
    with pytest.raises(ValueError, match=re.escape("visibility (column 4) must lie in [0, 1]")):
        locate_landmarks(body, (2400, 2400), "back")
