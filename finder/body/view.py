"""Which way the body faces, and the receiver's own left and right.

MediaPipe's left/right labels and nose visibility are unreliable on back views, so the facing is
decided from two cues (MediaPipe's side labelling and the nose's depth relative to the shoulders),
leaning to "back", the product's main use; the caller may force it. Then every left/right keypoint
pair is relabelled from the geometry so that LEFT_* is the receiver's own left.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

import numpy as np

from finder.body.landmarks import HIPS, LEFT_RIGHT_PAIRS, SHOULDERS, Keypoint, pose_array
from finder.body.pose import Detector

VISIBLE = 0.5  # BlazePose visibility from which a keypoint counts as seen
HEAD = (Keypoint.NOSE, Keypoint.LEFT_EAR, Keypoint.RIGHT_EAR)


class Facing(str, Enum):
    """The side of the body that faces the camera."""

    BACK = "back"
    FRONT = "front"


VIEW_CHOICES = ("auto", "back", "front")


class FacingSource(Enum):
    """How the facing was decided: chosen by the user, or read from the pose."""

    CHOSEN = "chosen"
    FACE_TOWARD_CAMERA = "face toward camera"  # both cues say front
    NO_FACE_SIGN = "no face sign"  # leaning to back

    @property
    def sentence(self) -> str:
        """Why this facing, in a person's words (`FACING_SENTENCES`)."""
        return FACING_SENTENCES[self]


FACING_SENTENCES = {
    FacingSource.CHOSEN: "chosen by the user",
    FacingSource.FACE_TOWARD_CAMERA: "the face seems to point toward the camera",
    FacingSource.NO_FACE_SIGN: "no clear sign of a face toward the camera",
}


@dataclass(frozen=True)
class OrientedPose:
    """Pose landmarks, shape (33, 4): x, y in image pixels, z (BlazePose depth), visibility;
    relabelled so that LEFT_* indices are the receiver's own left side."""

    landmarks: np.ndarray
    image_size: tuple[int, int]  # (width, height) in pixels
    facing: Facing
    facing_source: FacingSource
    detector: Detector = Detector.BLAZEPOSE  # which model found it (its keypoints are in
    # BlazePose's convention either way, finder.body.convention)

    def visible(self, *keypoints: int) -> bool:
        visibility = self.landmarks[:, 3]
        # A loop, not all(...): 0.7 us instead of 1.8 us, and this runs dozens of times a pose.
        for keypoint in keypoints:  # noqa: SIM110
            if not visibility[keypoint] >= VISIBLE:  # NaN counts as unseen
                return False
        return True

    @property
    def facing_chosen(self) -> bool:
        """Whether the user chose the facing (else `decide_facing` read it from the pose)."""
        return self.facing_source is FacingSource.CHOSEN

    @property
    def facing_reason(self) -> str:
        """Why this facing, for a person."""
        return self.facing_source.sentence


def in_picture(pose: OrientedPose, xy: np.ndarray, margin_px: float) -> bool:
    """Whether image position `xy` (px) lies in the picture, widened by `margin_px` each side."""
    width, height = pose.image_size
    return bool(
        -margin_px <= xy[0] <= width + margin_px and -margin_px <= xy[1] <= height + margin_px
    )


def up_axis(landmarks: np.ndarray) -> np.ndarray:
    """Unit vector from the hip-keypoint midpoint to the shoulder midpoint (image pixels); when
    the hips are not both seen, `shoulder_normal`.

    Neither depends on left/right labels, so this is safe before relabelling."""
    if not _hips_seen(landmarks):
        return shoulder_normal(landmarks)
    return _unit(midpoint(landmarks, SHOULDERS) - midpoint(landmarks, HIPS))


def midpoint(landmarks: np.ndarray, pair: tuple[int, int]) -> np.ndarray:
    """x, y (image px) halfway between the two keypoints `pair`: the same numbers as the mean
    of the two rows, without numpy's reduction overhead (this runs several times a frame)."""
    return (landmarks[pair[0], :2] + landmarks[pair[1], :2]) / 2


def span(landmarks: np.ndarray, pair: tuple[int, int]) -> float:
    """Distance (image px) between the two keypoints `pair`, e.g. the shoulder width."""
    return float(np.hypot(*(landmarks[pair[0], :2] - landmarks[pair[1], :2])))


def shoulder_normal(landmarks: np.ndarray) -> np.ndarray:
    """Unit vector perpendicular to the shoulder line, on the side of the head keypoints (nose
    and ears, wherever BlazePose put them; image pixels)."""
    shoulders = landmarks[[Keypoint.LEFT_SHOULDER, Keypoint.RIGHT_SHOULDER], :2]
    across = shoulders[0] - shoulders[1]
    normal = _unit(np.array([-across[1], across[0]]))
    toward_head = landmarks[list(HEAD), :2].mean(axis=0) - midpoint(landmarks, SHOULDERS)
    return -normal if float(toward_head @ normal) < 0 else normal


def _unit(vector: np.ndarray) -> np.ndarray:
    length = float(np.hypot(*vector))
    return vector / length if length > 0 else np.array([0.0, -1.0])


def _hips_seen(landmarks: np.ndarray) -> bool:
    return (
        float(landmarks[Keypoint.LEFT_HIP, 3]) >= VISIBLE
        and float(landmarks[Keypoint.RIGHT_HIP, 3]) >= VISIBLE
    )


def left_axis(up: np.ndarray, facing: Facing) -> np.ndarray:
    """Unit vector toward the receiver's own left, in image pixels.

    Seen from behind, the receiver's left lies on the image's left when the body is upright."""
    back_left = np.array([up[1], -up[0]])
    return back_left if facing is Facing.BACK else -back_left


def _labelled_left_offset(landmarks: np.ndarray, left: np.ndarray) -> float:
    """How far MediaPipe's LEFT shoulder and hip lie toward `left` from their RIGHT twins (px);
    the hips count only when both are seen."""
    spread = landmarks[Keypoint.LEFT_SHOULDER, :2] - landmarks[Keypoint.RIGHT_SHOULDER, :2]
    if _hips_seen(landmarks):
        spread = spread + landmarks[Keypoint.LEFT_HIP, :2] - landmarks[Keypoint.RIGHT_HIP, :2]
    return float(spread @ left)


def decide_facing(landmarks: np.ndarray) -> tuple[Facing, FacingSource]:
    """Front only when MediaPipe's labels and the nose depth both say the face is toward us."""
    up = up_axis(landmarks)
    labels_say_front = _labelled_left_offset(landmarks, left_axis(up, Facing.BACK)) < 0
    shoulder_depth = landmarks[[Keypoint.LEFT_SHOULDER, Keypoint.RIGHT_SHOULDER], 2].mean()
    nose_in_front = landmarks[Keypoint.NOSE, 2] < shoulder_depth
    if labels_say_front and nose_in_front:
        return Facing.FRONT, FacingSource.FACE_TOWARD_CAMERA
    return Facing.BACK, FacingSource.NO_FACE_SIGN


def orient(landmarks: np.ndarray, image_size: tuple[int, int], view: str = "auto") -> OrientedPose:
    """Decide (or take) the facing and relabel left/right pairs as the receiver's own sides."""
    if view not in VIEW_CHOICES:
        raise ValueError(f"view must be one of {', '.join(VIEW_CHOICES)}, not {view!r}")
    array = pose_array(landmarks).copy()
    if view == "auto":
        facing, source = decide_facing(array)
    else:
        facing, source = Facing(view), FacingSource.CHOSEN
    if _labelled_left_offset(array, left_axis(up_axis(array), facing)) < 0:
        for left, right in LEFT_RIGHT_PAIRS:
            array[[left, right]] = array[[right, left]]
    return OrientedPose(array, (int(image_size[0]), int(image_size[1])), facing, source)


ARMS_RAISED = (
    "the arms are raised, which moves the shoulders: tap C7 and the shoulder tops to place the "
    "points that rest on them"
)
"""Why C7, the upper back and the shoulder tops are left out of a body the hips anchor when
`arms_raised`: what was seen, then the one next step (the taps place them where they are)."""

ARMS_RAISED_NO_HIPS = (
    "the arms are raised, which moves the shoulders, and no hips were found to place the back "
    "from instead — tap C7 and the two hip-bone tops (the shoulder tops instead when the hips "
    "are cut off)"
)
"""Why a body whose only anchor is its shoulders is refused when `arms_raised`. Placing it
anyway was measured and is no answer (MoveNet's people on shared photos 11 and 12, checked with
the raised-arms rule off): on 11 (arms over the head) C7 lands 4.0 cun (framed look) and 8.2 cun
(as is) below its mark, straight down the spine; on 12 (a barbell) the pose fails the checks
anyway (its shoulders not across the neck). Nor can the hips stand in: 12 shows none, and 11's
lie in the dark at the waistband (MoveNet scores them 0.1-0.3, about 4 cun high) with no knee
for the hips-only body (`finder.body.hips_only`). The taps named place the points on both (C7
and the hip-bone tops on 11, C7 and the shoulder tops on 12:
`tests/pipelines/test_photos.py`)."""

ARMS = (Keypoint.LEFT_ELBOW, Keypoint.RIGHT_ELBOW, Keypoint.LEFT_WRIST, Keypoint.RIGHT_WRIST)
_ARM_ROWS = np.array(ARMS)  # their rows, as one index array (read once a frame in live video)


def arms_raised(
    landmarks: np.ndarray, limits: Mapping[str, object], min_visibility: float | None = None
) -> bool:
    """Whether an elbow or wrist (landmarks 33 x 4, px) seen with at least `min_visibility`
    (default: `arms_raised.min_visibility`) is raised: more than `above_shoulders_widths`
    shoulder widths above the shoulder-keypoint midpoint along the body's up axis (`up_axis`;
    arms over the head), or above that midpoint and more than `out_widths` widths from it across
    the body (hands out at shoulder height, a bar on the shoulders). The shoulder keypoints then
    ride up with the arms (`body_model.json` "plausibility" arms_raised.source)."""
    rule = limits["arms_raised"]
    seen = float(rule["min_visibility"]) if min_visibility is None else min_visibility
    width = span(landmarks, SHOULDERS)
    up = up_axis(landmarks)
    arms = landmarks[_ARM_ROWS]
    offsets = (arms[:, :2] - midpoint(landmarks, SHOULDERS)) / width
    height, out = offsets @ up, np.abs(offsets @ np.array([-up[1], up[0]]))
    raised = (height > float(rule["above_shoulders_widths"])) | (
        (height > 0) & (out > float(rule["out_widths"]))
    )
    return bool((raised & (arms[:, 3] >= seen)).any())
