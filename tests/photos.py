"""Paths to the shared material beside the repository (../shared/data) and the tests' own data.

Tests that need `../shared` carry the `shared` marker (tests/conftest.py) and are skipped, with the
reason, when it is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from finder.adapters.pose import PoseEstimator

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
PHOTOS = SHARED_DATA / "photos"
ANSUR_DIR = SHARED_DATA / "anthropometry"
DATA = Path(__file__).resolve().parent / "data"


def photo(prefix: str) -> Path:
    """The shared photo whose name starts with `prefix` (e.g. "13"); skips the test when the
    shared photos are not beside the repository."""
    matches = sorted(PHOTOS.glob(f"{prefix}_*.jpg"))
    if not matches:
        pytest.skip(f"shared photo {prefix} not found under {PHOTOS}")
    (match,) = matches
    return match


class CountingEstimator(PoseEstimator):
    """The real still-image pose model, counting its passes."""

    def __init__(self):
        super().__init__("still")
        self.passes = 0

    def detect_pose(self, rgb):
        self.passes += 1
        return super().detect_pose(rgb)
