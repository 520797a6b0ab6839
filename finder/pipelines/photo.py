"""The one-way pipeline: image -> pose -> view -> trust -> anatomy -> points."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from finder.adapters.imageio import check_bgr, read_image, too_dark
from finder.adapters.movenet import MoveNet
from finder.adapters.pose import FaceDetector, PoseEstimator, PoseMode
from finder.body.anatomy import Anatomy
from finder.body.catalog import Point, load_catalog
from finder.body.fit import FitError, Profile, Taps, fit_anatomy, tap_guides
from finder.body.from_pose import build_anatomy, pose_prior
from finder.body.landmarks import pose_array
from finder.body.model import load_body_model
from finder.body.points import locate_points, point_sides
from finder.body.pose import Detector, Pose, as_pose
from finder.body.result import Basis, FinderResult, Omission, Refusal
from finder.body.trust import CheckedPose, Problem, ProblemKind, check
from finder.body.view import ARMS_RAISED_NO_HIPS, Facing, OrientedPose
from finder.pipelines.crowd import ANOTHER_PERSON, another_person
from finder.pipelines.search import Box, FoundPose, find_pose

PART_OF_THE_BACK = (
    "the shoulder tops instead when the hips are cut off, the hip-bone tops alone when the "
    "shoulders are"
)
"""What to tap on part of a back: the taps alone place the upper back from C7 and the shoulder
tops, the lower back from the crest tops (`finder.body.fit`; README "Partner taps")."""
NO_PERSON = (
    "the camera model found no body in the picture — if a back is in it, tap C7 and the two "
    f"hip-bone tops ({PART_OF_THE_BACK}); otherwise take the photo from behind with the "
    "shoulders and hips in view, in good light"
)
"""Nobody found: a back the models miss (a close-up, a head cut off) is the common case, so the
way forward is the taps first (back is the default assumption for a picture without a face)."""
TAP_LABELS = {
    guide.name: guide.label
    if guide.label[:2].isupper()
    else guide.label[:1].lower() + guide.label[1:]
    for guide in tap_guides()
}  # "C7", "left shoulder top": as a sentence names a mark
TOO_DARK = "the picture is too dark to find the body: take it in better light"


def select_points(codes: Iterable[str] | None = None) -> tuple[Point, ...]:
    """Catalog points by code or alias (all of them when `codes` is None). Raises TypeError
    for one string instead of a list of them, KeyError for an unknown code."""
    catalog = load_catalog()
    if codes is None:
        return catalog.points
    if isinstance(codes, str):
        raise TypeError(f"codes must be a list of point codes, e.g. [{codes[:20]!r}], not a string")
    return tuple(catalog.get(code) for code in codes)


def check_taps_near(taps: Taps, image_size: tuple[int, int]) -> None:
    """FitError for a tap farther outside the picture than the picture's own width or height
    (image px): a mark a partner placed is on the picture or just beyond its edge."""
    width, height = image_size
    for name, (x, y) in taps.image_xy.items():
        if not (-width <= x <= 2 * width and -height <= y <= 2 * height):
            raise FitError(f"the {name} mark at ({x:.6g}, {y:.6g}) px lies far outside the picture")


def pixel_size(image_size: tuple[int, int]) -> tuple[int, int]:
    """(width, height) as whole pixels; ValueError unless both are finite and at least 1."""
    try:
        width, height = (int(side) for side in image_size)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(
            f"image_size must be (width, height) in pixels, got {image_size!r}"
        ) from None
    if width < 1 or height < 1:
        raise ValueError(f"image_size must be at least 1 x 1 pixels, got {image_size!r}")
    return width, height


def locate_landmarks(
    landmarks: np.ndarray | Pose | None,
    image_size: tuple[int, int],
    view: str = "auto",
    codes: Iterable[str] | None = None,
    taps: Taps | None = None,
    profile: Profile | None = None,
) -> FinderResult:
    """Points from BlazePose landmarks: a Pose or a (33, 4) array of x, y in pixels, z,
    visibility (clipped to [0, 1]); None when nobody was found; image_size = (width, height) in
    pixels. `taps` (image px) and a saved `profile` (body coordinates) fit the body model to what
    a partner placed; taps win where both say. Numbers that are not finite give a rejected
    result; an array of another shape, a visibility outside [0, 1] or an image size that is not
    whole pixels raise ValueError."""
    width, height = pixel_size(image_size)
    if landmarks is None:
        return locate_checked(None, (width, height), codes, taps, profile)
    if not isinstance(landmarks, Pose):
        landmarks = pose_array(landmarks).copy()
        if not np.all(np.isfinite(landmarks)):
            invalid = Problem(ProblemKind.INVALID_NUMBERS).sentence
            return locate_checked(None, (width, height), codes, taps, profile, invalid)
        if not np.all((landmarks[:, 3] >= 0.0) & (landmarks[:, 3] <= 1.0)):
            raise ValueError("landmark visibility (column 4) must lie in [0, 1]")
    checked = check(as_pose(landmarks), (width, height), view)
    return locate_checked(checked, (width, height), codes, taps, profile)


def locate_checked(
    checked: CheckedPose | None,
    image_size: tuple[int, int],
    codes: Iterable[str] | None = None,
    taps: Taps | None = None,
    profile: Profile | None = None,
    no_person: str = NO_PERSON,
) -> FinderResult:
    """Points from a pose checked once (`finder.body.trust.check`; None: nobody found, refused
    with `no_person`), `taps` and `profile` as in `locate_landmarks`; image_size = (width,
    height) px. The check's problems become the result's sentences here."""
    width, height = pixel_size(image_size)
    if taps is not None:
        check_taps_near(taps, (width, height))
    points = select_points(codes)
    if checked is None:
        if taps is not None:
            return locate_taps(taps, (width, height), codes)
        return no_person_result(width, height, codes, no_person)
    pose = checked.pose
    if checked.problems:
        if taps is not None:
            return locate_taps(taps, (width, height), codes)
        return _rejected(
            width,
            height,
            points,
            [problem.sentence for problem in checked.problems],
            pose.facing.value,
            pose.facing_reason,
            pose.landmarks,
        )
    notes: tuple[str, ...] = ()
    if taps is not None and taps.image_xy:
        gaps = tap_gaps(pose, taps)
        limit = load_body_model().taps["off_pose_max_cun"]
        if gaps and float(np.median(list(gaps.values()))) > limit:
            alone = locate_taps(taps, (width, height), codes)
            if alone.accepted:
                return replace(alone, notes=(TAPS_OFF_POSE,))
        taps, notes = set_aside(taps, {name for name, gap in gaps.items() if gap > limit})
    if profile is not None:
        from_profile = profile.taps_on(pose_prior(pose, load_body_model()).reference)
        taps = Taps(
            {**from_profile.image_xy, **(taps.image_xy if taps else {})},
            (taps.stature_cm if taps else None) or profile.stature_cm,
        )
    try:
        anatomy = fit_anatomy(pose, taps) if taps and taps.image_xy else build_anatomy(pose)
    except FitError as error:
        anatomy, notes = build_anatomy(pose), (*notes, f"your marks were set aside: {error}")
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
        notes=notes,
    )


TAPS_OFF_POSE = (
    "your marks are not on the body the camera model found (it found someone facing the camera "
    "or another body), so the points follow your marks alone"
)


OFF_POSE_MARK = (
    "your {names} mark{s} {verb} far from where the body the camera model found has {it} "
    "(more than {limit:.0f} cun), so {it} {was} set aside and the other points kept: drag "
    "{it} onto the spot you feel"
)


def tap_gaps(pose: OrientedPose, taps: Taps) -> dict[str, float]:
    """How far (cun) each tap lies from the same landmark of the pose's own estimate; a
    front view's pose is another body than the back a partner taps (every gap infinite)."""
    anatomy = build_anatomy(pose, load_body_model())
    cun_px = anatomy.frame.cun_px
    return {
        name: (
            float(np.hypot(*(np.asarray(xy) - anatomy.landmarks[name].xy))) / cun_px
            if pose.facing is Facing.BACK
            else float("inf")
        )
        for name, xy in taps.image_xy.items()
        if name in anatomy.landmarks
    }


def set_aside(taps: Taps, names: set[str]) -> tuple[Taps, tuple[str, ...]]:
    """`taps` without the marks `names` (those that contradict the pose), and a note saying
    which were set aside (none when `names` is empty)."""
    if not names:
        return taps, ()
    kept = {name: xy for name, xy in taps.image_xy.items() if name not in names}
    ordered = [name for name in taps.image_xy if name in names]
    one = len(ordered) == 1
    note = OFF_POSE_MARK.format(
        names=" and ".join(TAP_LABELS.get(name, name) for name in ordered),
        s="" if one else "s",
        verb="lies" if one else "lie",
        it="it" if one else "they",
        was="was" if one else "were",
        limit=load_body_model().taps["off_pose_max_cun"],
    )
    return Taps(kept, taps.stature_cm), (note,)


def locate_taps(
    taps: Taps, image_size: tuple[int, int], codes: Iterable[str] | None = None
) -> FinderResult:
    """Points from a partner's taps alone (no pose): a back view, image px."""
    width, height = pixel_size(image_size)
    check_taps_near(taps, (width, height))
    points = select_points(codes)
    notes: tuple[str, ...] = ()
    try:
        anatomy = fit_anatomy(None, taps)
    except FitError as error:
        fitted = _without_one_tap(taps)
        if fitted is None:
            return _rejected(width, height, points, [str(error)], None, "", None)
        name, anatomy = fitted
        label = TAP_LABELS.get(name, name)
        notes = (f"your {label} mark was set aside and the other points kept: {error}",)
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
        notes=notes,
    )


def _without_one_tap(taps: Taps) -> tuple[str, Anatomy] | None:
    """When the taps together cannot be fitted, the one mark whose removal lets the others
    fit, keeping the most landmarks placed (the latest mark first on a tie: the one just
    dragged); None when no single mark is to blame."""
    best: tuple[int, str, Anatomy] | None = None
    for name in reversed(taps.image_xy):
        kept = {other: xy for other, xy in taps.image_xy.items() if other != name}
        try:
            anatomy = fit_anatomy(None, Taps(kept, taps.stature_cm))
        except FitError:
            continue
        if best is None or len(anatomy.landmarks) > best[0]:
            best = (len(anatomy.landmarks), name, anatomy)
    return None if best is None else best[1:]


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
    `profile` as in `locate_landmarks`. Raises ImageError (a ValueError) with a message for the
    user when the file or array is not a usable image.

    `box` (x, y, w, h in image pixels) marks the receiver when someone else is in view; with
    `rescue`, turned and padded copies are tried when the upright pass finds no plausible body
    (finder.pipelines.search). Raises finder.pipelines.search.BoxError for an unusable box.
    With a still-mode estimator and no box, a second person in view adds a note to the result."""
    bgr = check_bgr(image) if isinstance(image, np.ndarray) else read_image(Path(image))
    search = search_photo(bgr, estimator or shared_still_estimator(), view, box, rescue)
    return locate_found(
        search.found, (bgr.shape[1], bgr.shape[0]), codes, taps, profile, search.remarks
    )


@dataclass(frozen=True)
class PhotoRemarks:
    """What a photo or a video frame says beyond its pose: too dark to see a body (looked at
    only when no body was accepted: one that was shows the light was enough); another person in
    view."""

    too_dark: bool = False
    another_person: bool = False


@dataclass(frozen=True)
class PhotoSearch:
    """The slow part of a photo, done once: the receiver's pose (searched, oriented, checked)
    and the photo's remarks. Placing points from it (`locate_found`) takes milliseconds."""

    found: FoundPose
    remarks: PhotoRemarks


def search_photo(
    bgr: np.ndarray,
    estimator: PoseEstimator,
    view: str = "auto",
    box: Box | None = None,
    rescue: bool = True,
) -> PhotoSearch:
    """The receiver's pose on a BGR uint8 photo, inside `box` (x, y, w, h image px) when given,
    with MoveNet and copies tried when the upright picture fails (`rescue`,
    `finder.pipelines.search.find_pose`), and the photo's remarks. The one photo search of the
    API, the command line and the app. Raises BoxError for an unusable box."""
    people = shared_people_detector() if rescue else None
    faces = shared_face_detector() if rescue else None
    found = find_pose(bgr, estimator, view, box, rescue, people, bgr=True, faces=faces)
    if found.people is not None:  # MoveNet looked: it counted the people, no extra pass
        crowded = found.accepted and found.people > 1
    else:
        crowded = someone_else(bgr, found, estimator if box is None else None)
    dark = not found.accepted and too_dark(bgr)  # a body accepted was seen: light enough
    return PhotoSearch(found, PhotoRemarks(dark, crowded))


def someone_else(bgr: np.ndarray, found: FoundPose, crowd_estimator: PoseEstimator | None) -> bool:
    """Whether another person is in a BGR photo besides the pose search's, looked for (with the
    still-mode `crowd_estimator`, when given) only around an accepted pose."""
    return (
        crowd_estimator is not None
        and crowd_estimator.mode is PoseMode.STILL
        and found.accepted
        and another_person(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), found.landmarks, crowd_estimator)
    )


REFUSALS = {
    Refusal.LYING_FACE_DOWN: "lying face down — tap C7 and the two hip-bone tops",
    Refusal.NO_BACK: (
        "no back the finder can trust was found in this picture — tap C7 and the two hip-bone "
        f"tops to place the points ({PART_OF_THE_BACK})"
    ),
    Refusal.SEVERAL_BACKS: (
        "more than one person is in view and the finder cannot tell which is the receiver — "
        "draw a box around the receiver"
    ),
    Refusal.FACING_CAMERA_AMONG_OTHERS: (
        "the only body found faces the camera, so no back points go on it — to place the "
        "receiver's back, tap C7 and the two hip-bone tops (or draw a box around the receiver)"
    ),
    Refusal.ARMS_RAISED: ARMS_RAISED_NO_HIPS,
}
"""The sentence for each refusal of the search: what was seen, then the one next step."""


def locate_found(
    found: FoundPose,
    image_size: tuple[int, int],
    codes: Iterable[str] | None = None,
    taps: Taps | None = None,
    profile: Profile | None = None,
    remarks: PhotoRemarks = PhotoRemarks(),
) -> FinderResult:
    """Points from a pose search (checked pose in original pixels, or nobody found), marked with
    the attempt that found the pose and the photo's remarks; image_size = (width, height) px.
    A partner's taps are weighed against BlazePose's pose (even one the search refused: a body
    facing the camera is then set aside with a note); MoveNet's coarser pose gives way to them."""
    tapped = taps is not None and bool(taps.image_xy)
    if tapped and found.detector is Detector.MOVENET:
        result = locate_checked(None, image_size, codes, taps, profile)
    elif tapped and found.checked is not None and found.checked.accepted:
        result = locate_checked(found.checked, image_size, codes, taps, profile)
    elif found.refusal is not None:
        result = locate_checked(None, image_size, codes, taps, profile, REFUSALS[found.refusal])
    else:
        result = locate_checked(found.checked, image_size, codes, taps, profile)
    searched = replace(result, pose_source=found.changes, refusal=found.refusal)
    return with_remarks(searched, remarks, codes)


def with_remarks(
    result: FinderResult,
    remarks: PhotoRemarks,
    codes: Iterable[str] | None = None,
) -> FinderResult:
    """`result` with its picture's remarks: on a rejected result, too dark comes first and
    replaces the reason that nobody was found; on one accepted from a pose, another person is a
    note. `codes` are the points chosen for `result`."""
    if not result.accepted and remarks.too_dark:
        problems = (TOO_DARK, *(() if result.nobody_found else result.problems))
        rejected = _rejected(
            result.width,
            result.height,
            select_points(codes),
            problems,
            result.view,
            result.view_reason,
            result.keypoints,
        )
        return replace(
            rejected,
            pose_source=result.pose_source,
            nobody_found=result.nobody_found,
            refusal=result.refusal,
        )
    if result.accepted and remarks.another_person and result.basis is not Basis.TAPS:
        return replace(result, notes=(ANOTHER_PERSON,))
    return result


@lru_cache(maxsize=1)
def shared_people_detector() -> MoveNet:
    """One MoveNet session per process (onnxruntime sessions may be shared between threads), on
    one thread: it runs beside BlazePose's pass (one thread too), so together they fill two
    cores; alone on a busy 2-core machine one thread was faster than onnxruntime's default. Two
    threads (the same output to the bit) were slower beside BlazePose too, at load 2: whole photo
    over bare pose 1.71 -> 1.78x on 09, 1.96 -> 2.81x on 10, 1.23 -> 1.50x on 13 (medians of 9
    alternate runs)."""
    return MoveNet(threads=MOVENET_THREADS)


MOVENET_THREADS = 1


@lru_cache(maxsize=1)
def shared_face_detector() -> FaceDetector:
    """One face detector per process (calls serialised by its lock)."""
    return FaceDetector()


@lru_cache(maxsize=1)
def shared_still_estimator() -> PoseEstimator:
    """One still-image model per process, for the command line and the Python API."""
    return PoseEstimator(PoseMode.STILL)


def no_person_result(
    width: int, height: int, codes: Iterable[str] | None = None, reason: str = NO_PERSON
) -> FinderResult:
    """The result of an image with nobody found: every chosen point omitted with `reason`."""
    rejected = _rejected(width, height, select_points(codes), [reason], None, "", None)
    return replace(rejected, nobody_found=True)


def _rejected(width, height, points, problems, view, view_reason, keypoints) -> FinderResult:
    omitted = tuple(Omission(p.code, side, problems[0]) for p in points for side in point_sides(p))
    return FinderResult(
        width, height, view, view_reason, tuple(problems), None, (), omitted, keypoints
    )
