"""Acupressure point finder: from a photo or video frame of someone's back to located points.

A relaxation-massage aid; it does not diagnose or treat.
"""

from finder.body.fit import Profile, Taps
from finder.body.result import FinderResult, LocatedPoint, Omission
from finder.pipelines.photo import locate_image, locate_landmarks

__all__ = [
    "FinderResult",
    "LocatedPoint",
    "Omission",
    "Profile",
    "Taps",
    "locate_image",
    "locate_landmarks",
]
