"""Acupressure point finder: from a photo or video frame of someone's back to located points.

A relaxation-massage aid; it does not diagnose or treat.
"""

from finder.fit import Profile, Taps
from finder.pipeline import locate_image, locate_landmarks
from finder.result import FinderResult, LocatedPoint, Omission

__all__ = [
    "FinderResult",
    "LocatedPoint",
    "Omission",
    "Profile",
    "Taps",
    "locate_image",
    "locate_landmarks",
]
