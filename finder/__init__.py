"""Acupressure point finder: from a photo or video frame of someone's back to located points.

A relaxation-massage aid; it does not diagnose or treat. The names below are the Python API the
README shows; everything else lives in the layers (`finder.body`, `finder.adapters`,
`finder.pipelines`, `finder.render`).
"""

from finder.adapters.profiles import ProfileStore
from finder.body.fit import TAPPABLE, Profile, Taps, profile_from
from finder.body.result import Basis, FinderResult, LocatedPoint, Omission
from finder.pipelines.hand import locate_hand_points
from finder.pipelines.photo import locate_image, locate_landmarks

__all__ = [
    "TAPPABLE",
    "Basis",
    "FinderResult",
    "LocatedPoint",
    "Omission",
    "Profile",
    "ProfileStore",
    "Taps",
    "locate_hand_points",
    "locate_image",
    "locate_landmarks",
    "profile_from",
]
