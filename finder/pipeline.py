"""The one-way pipeline: image -> pose -> view -> trust -> anatomy -> points."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from finder.anatomy import build_anatomy
from finder.catalog import Point, load_catalog
from finder.crowd import ANOTHER_PERSON, another_person
from finder.imageio import check_bgr, read_image, too_dark
from finder.points import locate_points, point_sides
from finder.pose import PoseEstimator
from finder.result import FinderResult, Omission
from finder.trust import check_pose, in_frame
from finder.view import orient

NO_PERSON = (
    "no person found in the picture: take the photo from behind, close enough that the body "
    "fills most of the picture, with the shoulders, hips and knees in view, in good light"
)
TOO_DARK = "the picture is too dark to find the body: take it in better light"


def select_points(codes: Iterable[str] | None = None) -> tuple[Point, ...]:
    """Catalog points by code or alias (all of them when `codes` is None)."""
    catalog = load_catalog()
    if codes is None:
        return catalog.points
    return tuple(catalog.get(code) for code in codes)


def locate_landmarks(
    landmarks: np.ndarray,
    image_size: tuple[int, int],
    view: str = "auto",
    codes: Iterable[str] | None = None,
) -> FinderResult:
    """Points from BlazePose landmarks: (33, 4) x, y in pixels, z, visibility;
    image_size = (width, height) in pixels."""
    points = select_points(codes)
    width, height = int(image_size[0]), int(image_size[1])
    pose = in_frame(orient(landmarks, (width, height), view))
    problems = check_pose(pose)
    if problems:
        return _rejected(
            width, height, points, problems, pose.facing.value, pose.facing_reason, pose.landmarks
        )
    anatomy = build_anatomy(pose)
    located, omitted = locate_points(anatomy, pose.facing, points)
    return FinderResult(
        width,
        height,
        pose.facing.value,
        pose.facing_reason,
        (),
        anatomy,
        tuple(located),
        tuple(omitted),
        pose.landmarks,
    )


def locate_image(
    image: str | Path | np.ndarray,
    view: str = "auto",
    codes: Iterable[str] | None = None,
    estimator: PoseEstimator | None = None,
) -> FinderResult:
    """Points on a photo: a file path or a BGR uint8 array (OpenCV order). Raises ImageError
    (a ValueError) with a message for the user when the file or array is not a usable image.
    With a still-mode estimator, a second person in view adds a note to the result."""
    bgr = check_bgr(image) if isinstance(image, np.ndarray) else read_image(Path(image))
    estimator = estimator or shared_still_estimator()
    height, width = bgr.shape[:2]
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    landmarks = estimator.detect(rgb)
    if landmarks is None:
        return no_person_result(width, height, codes, TOO_DARK if too_dark(bgr) else NO_PERSON)
    result = locate_landmarks(landmarks, (width, height), view, codes)
    if not result.accepted and too_dark(bgr):
        problems = (TOO_DARK, *result.problems)
        points = select_points(codes)
        return _rejected(
            width, height, points, problems, result.view, result.view_reason, result.keypoints
        )
    if result.accepted and estimator.mode == "still" and another_person(rgb, landmarks, estimator):
        return replace(result, notes=(ANOTHER_PERSON,))
    return result


@lru_cache(maxsize=1)
def shared_still_estimator() -> PoseEstimator:
    """One still-image model per process, for the command line and the Python API."""
    return PoseEstimator("still")


def no_person_result(
    width: int, height: int, codes: Iterable[str] | None = None, reason: str = NO_PERSON
) -> FinderResult:
    """The result of an image with nobody found: every chosen point omitted with `reason`."""
    return _rejected(width, height, select_points(codes), [reason], None, "", None)


def _rejected(width, height, points, problems, view, view_reason, keypoints) -> FinderResult:
    omitted = tuple(Omission(p.code, side, problems[0]) for p in points for side in point_sides(p))
    return FinderResult(
        width, height, view, view_reason, tuple(problems), None, (), omitted, keypoints
    )
