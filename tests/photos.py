"""Paths to the shared back-view photos (../shared/data/photos, beside the repository)."""

from __future__ import annotations

from pathlib import Path

from finder.pose import PoseEstimator

PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "data" / "photos"


def photo(prefix: str) -> Path:
    """The shared photo whose name starts with `prefix` (e.g. "13")."""
    (match,) = PHOTOS.glob(f"{prefix}_*.jpg")
    return match


class CountingEstimator(PoseEstimator):
    """The real still-image pose model, counting its passes."""

    def __init__(self):
        super().__init__("still")
        self.passes = 0

    def detect(self, rgb):
        self.passes += 1
        return super().detect(rgb)
