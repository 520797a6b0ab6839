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
from finder.fit import FitError, Profile, Taps, fit_anatomy
from finder.imageio import read_image
from finder.points import locate_points, point_sides
from finder.pose import PoseEstimator
from finder.rescue import Box, FoundPose, find_pose
from finder.result import FinderResult, Omission
from finder.trust import check_pose
from finder.view import Facing, orient

NO_PERSON = (
    "no person found in the picture: take the photo from behind with the shoulders, hips and "
    "knees in view, in good light"
)


def select_points(codes: Iterable[str] | None = None) -> tuple[Point, ...]:
    """Catalog points by code or alias (all of them when `codes` is None)."""
    catalog = load_catalog()
    if codes is None:
        return catalog.points
    return tuple(catalog.get(code) for code in codes)


def locate_landmarks(
    landmarks: np.ndarray | None,
    image_size: tuple[int, int],
    view: str = "auto",
    codes: Iterable[str] | None = None,
    taps: Taps | None = None,
    profile: Profile | None = None,
) -> FinderResult:
    """Points from BlazePose landmarks: (33, 4) x, y in pixels, z, visibility (None: nobody
    found); image_size = (width, height) in pixels. `taps` (image px) and a saved `profile`
    (body coordinates) fit the body model to what a partner placed; taps win where both say."""
    points = select_points(codes)
    width, height = int(image_size[0]), int(image_size[1])
    if landmarks is None:
        if taps is not None:
            return locate_taps(taps, (width, height), codes)
        return no_person_result(width, height, codes)
    pose = orient(landmarks, (width, height), view)
    problems = check_pose(pose)
    if problems:
        if taps is not None:
            return locate_taps(taps, (width, height), codes)
        return _rejected(
            width, height, points, problems, pose.facing.value, pose.facing_reason, pose.landmarks
        )
    if profile is not None:
        from_profile = profile.taps_on(build_anatomy(pose).reference)
        taps = Taps(
            {**from_profile.image_xy, **(taps.image_xy if taps else {})},
            (taps.stature_cm if taps else None) or profile.stature_cm,
        )
    anatomy = fit_anatomy(pose, taps) if taps and taps.image_xy else build_anatomy(pose)
    located, omitted = locate_points(anatomy, pose.facing, points, (width, height))
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
        profile=profile.name if profile else None,
    )


def locate_taps(
    taps: Taps, image_size: tuple[int, int], codes: Iterable[str] | None = None
) -> FinderResult:
    """Points from a partner's taps alone (no pose): a back view, image px."""
    width, height = int(image_size[0]), int(image_size[1])
    points = select_points(codes)
    try:
        anatomy = fit_anatomy(None, taps)
    except FitError as error:
        return _rejected(width, height, points, [str(error)], None, "", None)
    located, omitted = locate_points(anatomy, Facing.BACK, points, (width, height))
    return FinderResult(
        width,
        height,
        Facing.BACK.value,
        "placed from your taps",
        (),
        anatomy,
        tuple(located),
        tuple(omitted),
    )


def locate_image(
    image: str | Path | np.ndarray,
    view: str = "auto",
    codes: Iterable[str] | None = None,
    estimator: PoseEstimator | None = None,
    taps: Taps | None = None,
    profile: Profile | None = None,
    box: Box | None = None,
    rescue: bool = True,
) -> FinderResult:
    """Points on a photo: a file path or a BGR uint8 array (OpenCV order); `taps` and
    `profile` as in `locate_landmarks`.

    `box` (x, y, w, h in image pixels) marks the receiver when someone else is in view; with
    `rescue`, turned and padded copies are tried when the upright pass finds no plausible body
    (finder.rescue). Raises finder.rescue.BoxError for an unusable box."""
    bgr = image if isinstance(image, np.ndarray) else read_image(Path(image))
    estimator = estimator or shared_still_estimator()
    height, width = bgr.shape[:2]
    found = find_pose(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), estimator, view, box, rescue)
    return locate_found(found, (width, height), view, codes, taps, profile)


def locate_found(
    found: FoundPose,
    image_size: tuple[int, int],
    view: str = "auto",
    codes: Iterable[str] | None = None,
    taps: Taps | None = None,
    profile: Profile | None = None,
) -> FinderResult:
    """Points from a pose search (landmarks in original pixels, or nobody found), marked with
    the attempt that found the pose; image_size = (width, height) in pixels."""
    result = locate_landmarks(found.landmarks, image_size, view, codes, taps, profile)
    return replace(result, pose_source=found.source)


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
