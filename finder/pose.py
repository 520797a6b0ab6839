"""BlazePose through MediaPipe: the only module that imports mediapipe.

RGB image in, a (33, 4) array out: x, y in the original image's pixels, z (BlazePose's relative
depth, hip-centred, same scale as x in normalised units), visibility in [0, 1].
"""

from __future__ import annotations

import numpy as np

from finder.imageio import downscale_for_inference

INFERENCE_MAX_SIDE_PX = 1280


class PoseEstimator:
    """A BlazePose model built once and reused.

    mode "still" treats every image on its own (photos); "tracking" follows a person across
    consecutive video frames, which is faster and steadier. Not thread-safe: one per session.
    """

    def __init__(self, mode: str = "still", max_side_px: int = INFERENCE_MAX_SIDE_PX):
        if mode not in ("still", "tracking"):
            raise ValueError(f"mode must be 'still' or 'tracking', not {mode!r}")
        import mediapipe as mp  # deferred: importing mediapipe costs about a second

        self.mode = mode
        self.max_side_px = max_side_px
        self._pose = mp.solutions.pose.Pose(
            static_image_mode=mode == "still",
            model_complexity=1,
            smooth_landmarks=mode == "tracking",
            enable_segmentation=False,
        )

    def detect(self, rgb: np.ndarray) -> np.ndarray | None:
        """Landmarks of the most prominent person in an RGB uint8 image, or None."""
        height, width = rgb.shape[:2]
        small, _ = downscale_for_inference(rgb, self.max_side_px)
        result = self._pose.process(np.ascontiguousarray(small))
        if result.pose_landmarks is None:
            return None
        landmarks = np.array(
            [
                (p.x * width, p.y * height, p.z, p.visibility)
                for p in result.pose_landmarks.landmark
            ],
            dtype=float,
        )
        return landmarks

    def close(self) -> None:
        self._pose.close()

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
