"""One state for the receiver: the photo, the view, the partner's marks, the box drawn around
the receiver and the chosen profile (all kept per browser session), located the same way by
every page that shows the receiver's back points (Photo, Guided session)."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from finder.body.result import FinderResult
from finder.pipelines.photo import locate_landmarks
from finder.pipelines.search import BoxError
from finder.ui import VIEW, Photo, analyse, detect
from finder.ui.taps import chosen_profile, current_box, current_taps


@dataclass(frozen=True)
class Located:
    """The receiver's points on a photo: `prior` from the camera model alone (inside the
    box), `full` with the partner's marks and profile; `box_problem` says why a box drawn was
    not used; `another_person` when someone else is in view."""

    prior: FinderResult
    full: FinderResult
    box_problem: str | None
    another_person: bool

    @property
    def refused(self) -> bool:
        """Nothing placed: the partner's marks are the way forward."""
        return not self.full.accepted


def locate_receiver(photo: Photo) -> Located:
    """All catalog points on `photo` for the receiver as the Photo page set them up. A frame
    frozen in the live view keeps the live view's pose (the same points as on the video)
    unless a box is drawn or that pose is not accepted with the view chosen here."""
    box, problem = current_box(photo), None
    if photo.pose is not None and box is None:
        frozen = _on_live_pose(photo)
        if frozen is not None:
            return frozen
    try:
        prior = analyse(photo, box=box)
    except BoxError as error:
        box, problem = None, f"The box was not used: {error}."
        prior = analyse(photo)
    taps, profile = current_taps(photo), chosen_profile()
    full = analyse(photo, taps=taps, profile=profile, box=box) if taps or profile else prior
    crowded = detect(photo, st.session_state.get(VIEW, "auto"), box).remarks.another_person
    return Located(prior, full, problem, prior.accepted and crowded)


def _on_live_pose(photo: Photo) -> Located | None:
    """The points on a frozen frame from the live view's pose (`locate_landmarks`, as the
    live view placed them), or None when that pose is not accepted."""
    height, width = photo.bgr.shape[:2]
    view = st.session_state.get(VIEW, "auto")
    prior = locate_landmarks(photo.pose, (width, height), view)
    if not prior.accepted:
        return None
    taps, profile = current_taps(photo), chosen_profile()
    full = (
        locate_landmarks(photo.pose, (width, height), view, None, taps, profile)
        if taps or profile
        else prior
    )
    return Located(prior, full, None, False)
