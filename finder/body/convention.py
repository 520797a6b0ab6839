"""Every detector's keypoints in one convention: BlazePose's, the one the body model is fitted
to (`calibration/keypoints.json`, measured on the shared photos by `finder evaluate-photos`).

MoveNet (COCO keypoints) puts its shoulders higher and wider apart than BlazePose on the same
body, and its hips higher; `in_blazepose_convention` moves them to where BlazePose would put
them, so one body model serves both detectors, and leaves out the knees it reports at the
picture's edge."""

from __future__ import annotations

import numpy as np

from finder.body.landmarks import HIPS, SHOULDERS, Keypoint
from finder.body.model import KeypointConvention, load_keypoint_convention
from finder.body.pose import Detector, Pose
from finder.body.view import midpoint, up_axis


def in_blazepose_convention(
    pose: Pose,
    image_size: tuple[int, int] | None = None,
    convention: KeypointConvention | None = None,
) -> Pose:
    """`pose` with its shoulder and hip keypoints where BlazePose would put them (image px), in
    a picture of `image_size` (width, height px; None: the picture's edges are not known).

    A BlazePose pose is returned as it is. For MoveNet, with w its shoulder width (px) and `down`
    the unit vector from its shoulders toward its hips (`finder.body.view.up_axis`, reversed):
    the shoulders move `shoulders_down` w down and toward each other until they are
    `shoulder_width_ratio` w apart, the hips move `hips_down` w down; and a knee with less than
    `knees_clear_room` w of picture below it is unseen (visibility 0): MoveNet reports knees the
    picture's edge cuts off as seen, just above the edge."""
    if pose.detector is not Detector.MOVENET:
        return pose
    c = convention or load_keypoint_convention()
    landmarks = pose.landmarks.copy()
    xy = landmarks[:, :2]
    down = -up_axis(pose.landmarks)
    middle = midpoint(xy, SHOULDERS)
    for shoulder in SHOULDERS:
        xy[shoulder] = middle + c.shoulder_width_ratio * (xy[shoulder] - middle)
    width = float(np.hypot(*(xy[SHOULDERS[0]] - xy[SHOULDERS[1]]))) / c.shoulder_width_ratio
    xy[list(SHOULDERS)] += c.shoulders_down * width * down
    xy[list(HIPS)] += c.hips_down * width * down
    if image_size is not None:
        for knee in KNEES:
            below = xy[knee] + c.knees_clear_room * width * down
            if not (0 <= below[0] <= image_size[0] and 0 <= below[1] <= image_size[1]):
                landmarks[knee, 3] = 0.0
    return Pose(landmarks, pose.detector)


KNEES = (Keypoint.LEFT_KNEE, Keypoint.RIGHT_KNEE)
