"""The anatomy from a pose: the body model's estimate that the visible keypoints support (the
shoulders with or without the hips, `finder.body.anatomy`; the hips alone when the picture cuts
the shoulders off, `finder.body.hips_only`), assembled into every surface landmark. Image
pixels in, image pixels and B-cun out (the frames of `finder.body.anatomy`)."""

from __future__ import annotations

from dataclasses import replace

from finder.body.anatomy import (
    Anatomy,
    PosePrior,
    assemble,
    shoulders_prior,
)
from finder.body.hips_only import hips_only_prior
from finder.body.landmarks import HIPS, POSTERIOR_LANDMARKS, SHOULDERS
from finder.body.model import BodyModel, load_body_model
from finder.body.view import Facing, OrientedPose

BEHIND_ONLY = "back-of-body landmark: not visible from the front"
"""Why a landmark palpated only from behind is left out of a front view."""


def pose_prior(pose: OrientedPose, model: BodyModel, cun_px: float | None = None) -> PosePrior:
    """The body model's estimate from the keypoints alone (pure function); `cun_px` replaces
    the predicted cun when a better one is known. Hips seen without shoulders (cut off by the
    picture, `finder.body.trust`) give `hips_only_prior`, anything else `shoulders_prior`."""
    if pose.visible(*HIPS) and not pose.visible(*SHOULDERS):
        return hips_only_prior(pose, model, cun_px)
    return shoulders_prior(pose, model, cun_px)


def build_anatomy(pose: OrientedPose, model: BodyModel | None = None) -> Anatomy:
    """Place every surface landmark the visible keypoints support (pure function); in a front
    view the landmarks seen only from behind are left out (they join `missing`)."""
    model = model or load_body_model()
    prior = pose_prior(pose, model)
    anatomy = assemble(
        model,
        prior.frame,
        prior.spine,
        prior.reference,
        prior.landmarks,
        prior.missing,
        prior.torso_visibility,
        too_uncertain=prior.too_uncertain,
    )
    if pose.facing is not Facing.FRONT:
        return anatomy
    hidden = POSTERIOR_LANDMARKS & anatomy.landmarks.keys()
    return replace(
        anatomy,
        landmarks={n: lm for n, lm in anatomy.landmarks.items() if n not in hidden},
        missing={**anatomy.missing, **dict.fromkeys(sorted(hidden), BEHIND_ONLY)},
    )
