"""MoveNet MultiPose Lightning on onnxruntime: up to six people per picture, each with a box, a
score and 17 COCO keypoints, converted into the finder's `Pose` (`from_movenet`).

The model file ships as package data (`finder/models/movenet_multipose.onnx`; where it comes
from and its licence: `finder/models/MOVENET.md`; how it was made: `finder convert-movenet`).
Input: RGB int32 0-255, [1, H, W, 3], the long side scaled to INPUT_LONG_SIDE px, padded
bottom/right with black to multiples of STRIDE. Output [1, 6, 56]: per candidate, 17 x (y, x,
score) normalised to the padded input in COCO order, then the box (ymin, xmin, ymax, xmax) and
the person score; candidates are not sorted. Left/right are the person's own sides.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import cv2
import numpy as np

from finder.body.landmarks import Keypoint
from finder.body.pose import Detector, Pose

INPUT_LONG_SIDE = 256
"""Long side (px) of MoveNet's input. It sets the cost of a look (one core of the shared 2-core
machine, a 3:2 photo: 53-59 ms at 256, 33 at 192, 28 at 160, 19 at 128) and what the search
gets right: with a smaller input `finder search-report`'s 40 pictures lost right bodies (at
14c2cfc, right 7 before: 224 gave 5, 192 gave 3 and back points on photo 04's therapist, 160
gave 2), so every look, the people count beside an accepted BlazePose back included, is made at
256 px."""
STRIDE = 32
SEEN_SCORE = 0.2
"""MoveNet keypoint score from which a keypoint counts as seen. `from_movenet` maps it to
`finder.body.view.VISIBLE` (0.5): visibility = min(1, score * 0.5 / SEEN_SCORE). On the shared
photos the shoulders MoveNet places right score 0.20-0.6 (09: 0.25 and 0.20), the hips hidden by a
towel or the frame 0.0-0.1."""
HIP_SEEN_SCORE = 0.5
"""The same for the hips, which MoveNet puts at the picture's edge or the waistband, scoring
0.2-0.6, when the photo is cut at the waist (shared photo 11: 0.41 and 0.47 on hips 4 cun too
high); its hips on whole bodies score 0.8-1.0."""
PERSON_MIN_SCORE = 0.2
"""Person score below which a candidate is not a person: the empty rows of the output score
under 0.1; the small walker and the back-turned man of the receiver issue score 0.37-0.41."""

COCO_KEYPOINTS = (
    Keypoint.NOSE,
    Keypoint.LEFT_EYE,
    Keypoint.RIGHT_EYE,
    Keypoint.LEFT_EAR,
    Keypoint.RIGHT_EAR,
    Keypoint.LEFT_SHOULDER,
    Keypoint.RIGHT_SHOULDER,
    Keypoint.LEFT_ELBOW,
    Keypoint.RIGHT_ELBOW,
    Keypoint.LEFT_WRIST,
    Keypoint.RIGHT_WRIST,
    Keypoint.LEFT_HIP,
    Keypoint.RIGHT_HIP,
    Keypoint.LEFT_KNEE,
    Keypoint.RIGHT_KNEE,
    Keypoint.LEFT_ANKLE,
    Keypoint.RIGHT_ANKLE,
)
"""The BlazePose keypoint each COCO keypoint (MoveNet's output order) stands for."""

STAND_INS = {
    Keypoint.LEFT_EYE_INNER: Keypoint.LEFT_EYE,
    Keypoint.LEFT_EYE_OUTER: Keypoint.LEFT_EYE,
    Keypoint.RIGHT_EYE_INNER: Keypoint.RIGHT_EYE,
    Keypoint.RIGHT_EYE_OUTER: Keypoint.RIGHT_EYE,
    Keypoint.MOUTH_LEFT: Keypoint.NOSE,
    Keypoint.MOUTH_RIGHT: Keypoint.NOSE,
    Keypoint.LEFT_PINKY: Keypoint.LEFT_WRIST,
    Keypoint.LEFT_INDEX: Keypoint.LEFT_WRIST,
    Keypoint.LEFT_THUMB: Keypoint.LEFT_WRIST,
    Keypoint.RIGHT_PINKY: Keypoint.RIGHT_WRIST,
    Keypoint.RIGHT_INDEX: Keypoint.RIGHT_WRIST,
    Keypoint.RIGHT_THUMB: Keypoint.RIGHT_WRIST,
    Keypoint.LEFT_HEEL: Keypoint.LEFT_ANKLE,
    Keypoint.LEFT_FOOT_INDEX: Keypoint.LEFT_ANKLE,
    Keypoint.RIGHT_HEEL: Keypoint.RIGHT_ANKLE,
    Keypoint.RIGHT_FOOT_INDEX: Keypoint.RIGHT_ANKLE,
}
"""BlazePose landmarks MoveNet does not give, placed (unseen, visibility 0) at the nearest one it
does, so that geometry over all landmarks stays on the body."""


def from_movenet(keypoints: np.ndarray) -> Pose:
    """A Pose from MoveNet's 17 COCO keypoints (17, 3): x, y in image pixels, score in [0, 1].

    Visibility is the score rescaled so that SEEN_SCORE (HIP_SEEN_SCORE for the hips) becomes
    `finder.body.view.VISIBLE`; landmarks MoveNet does not give stand at
    STAND_INS with visibility 0. MoveNet has no depth: z is 0, except the nose, put in front of
    the shoulders (z = -1), because MoveNet's side labels follow the body on backs and fronts
    alike, so `finder.body.view.decide_facing` reads the facing from the labels alone."""
    keypoints = np.asarray(keypoints, dtype=float)
    if keypoints.shape != (len(COCO_KEYPOINTS), 3):
        raise ValueError(f"MoveNet keypoints must have shape (17, 3), got {keypoints.shape}")
    array = np.zeros((len(Keypoint), 4))
    array[list(COCO_KEYPOINTS), :2] = keypoints[:, :2]
    seen_at = np.where(
        np.isin(COCO_KEYPOINTS, (Keypoint.LEFT_HIP, Keypoint.RIGHT_HIP)), HIP_SEEN_SCORE, SEEN_SCORE
    )
    array[list(COCO_KEYPOINTS), 3] = np.clip(keypoints[:, 2] * 0.5 / seen_at, 0.0, 1.0)
    for missing, stand_in in STAND_INS.items():
        array[missing, :2] = array[stand_in, :2]
    array[Keypoint.NOSE, 2] = -1.0
    return Pose(array, Detector.MOVENET)


@dataclass(frozen=True)
class Person:
    """One person MoveNet found: the pose, the box around them (x, y, w, h, image px) and the
    person score in [0, 1]."""

    pose: Pose
    box: tuple[float, float, float, float]
    score: float


def model_path() -> Path:
    """The ONNX file shipped with the package."""
    return Path(str(resources.files("finder.models") / "movenet_multipose.onnx"))


class MoveNet:
    """One onnxruntime session of MoveNet MultiPose (CPU), made once and reused."""

    def __init__(self, path: Path | None = None, threads: int | None = None):
        # onnxruntime's telemetry writes a session file (.ses) into the temporary folder: off.
        os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
        import onnxruntime as ort  # deferred: only the search beyond BlazePose needs it

        options = ort.SessionOptions()
        options.log_severity_level = 3  # errors only: no start-up chatter on stderr
        if threads:
            options.intra_op_num_threads = threads
        self._session = ort.InferenceSession(
            str(path or model_path()), options, providers=["CPUExecutionProvider"]
        )
        self._input = self._session.get_inputs()[0].name

    def raw(self, tensor: np.ndarray) -> np.ndarray:
        """The model's output (6, 56) for a prepared int32 [1, H, W, 3] tensor (`prepare`)."""
        return self._session.run(None, {self._input: tensor})[0][0]

    def detect(self, rgb: np.ndarray, min_score: float = PERSON_MIN_SCORE) -> tuple[Person, ...]:
        """The people in an RGB uint8 picture scoring at least `min_score`, best first."""
        tensor, scale = prepare(rgb)
        to_image = np.array(tensor.shape[2:0:-1]) / scale  # normalised -> image px (x, y)
        people = []
        for row in self.raw(tensor):
            score = float(row[55])
            if score < min_score:
                continue
            keypoints = row[:51].reshape(17, 3).astype(float)
            xy = keypoints[:, [1, 0]] * to_image
            top, left, bottom, right = row[51:55].astype(float)
            x0, y0 = np.array([left, top]) * to_image
            w, h = np.array([right - left, bottom - top]) * to_image
            box = (float(x0), float(y0), float(w), float(h))
            people.append(Person(from_movenet(np.column_stack([xy, keypoints[:, 2]])), box, score))
        return tuple(sorted(people, key=lambda person: -person.score))


def prepare(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(int32 [1, H, W, 3] tensor, scale (x, y)): the picture resized so its long side is
    INPUT_LONG_SIDE px (tensor px = image px * scale) and padded bottom/right with black to
    multiples of STRIDE."""
    height, width = rgb.shape[:2]
    factor = INPUT_LONG_SIDE / max(height, width)
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR)
    padded = (-(-size[1] // STRIDE) * STRIDE, -(-size[0] // STRIDE) * STRIDE)
    tensor = np.zeros((1, *padded, 3), np.int32)
    tensor[0, : size[1], : size[0]] = small
    return tensor, np.array(size) / (width, height)
