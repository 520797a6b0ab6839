"""When the photo search's work runs: MoveNet beside BlazePose's upright pass (the same answer
as one after the other), and copies that stop once no pose can gather enough support."""

from __future__ import annotations

import threading
from concurrent.futures import Future

import numpy as np
import pytest

import finder.pipelines.photo as photo_pipeline
import finder.pipelines.search as search
from finder import locate_image
from finder.adapters.movenet import MoveNet
from finder.adapters.pose import PoseMode
from finder.pipelines.search import (
    MAX_BLIND_PASSES,
    MAX_PASSES,
    MIN_SUPPORT,
    attempts,
    find_pose,
    render,
    turned_picture,
)
from tests.photos import photo


class OneAfterTheOther:
    """A stand-in for the search's ThreadPoolExecutor that runs each task at once, on the
    calling thread: the sequential schedule."""

    def __init__(self, **_options):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    def submit(self, task, *args):
        future = Future()
        future.set_result(task(*args))
        return future


class ThreadNotingMoveNet(MoveNet):
    """The real MoveNet model, noting the thread of each look."""

    def __init__(self):
        super().__init__(threads=photo_pipeline.MOVENET_THREADS)
        self.threads: list[str] = []

    def detect(self, rgb, min_score=0.2):
        self.threads.append(threading.current_thread().name)
        return super().detect(rgb, min_score)


@pytest.mark.model
@pytest.mark.shared
@pytest.mark.parametrize("prefix", ["01", "06", "08", "09", "13"])
def test_movenet_beside_blazepose_gives_the_same_result(monkeypatch, prefix):
    """Accepted (09, 13) and refused photos (01; 06 with aimed copies; 08 with a blind copy):
    the result is the same, to the last bit, whether MoveNet runs beside BlazePose's upright
    pass or after it."""
    people = ThreadNotingMoveNet()
    monkeypatch.setattr(photo_pipeline, "shared_people_detector", lambda: people)
    beside = locate_image(photo(prefix))
    assert people.threads[0] != threading.main_thread().name
    monkeypatch.setattr(search, "ThreadPoolExecutor", OneAfterTheOther)
    after = locate_image(photo(prefix))
    assert people.threads[-1] == threading.main_thread().name
    assert after.to_dict() == beside.to_dict()
    assert np.array_equal(after.keypoints, beside.keypoints)


class NobodyEstimator:
    """A still-mode pose model that finds nobody, counting its passes."""

    mode = PoseMode.STILL

    def __init__(self):
        self.passes = 0

    def detect_pose(self, rgb):
        self.passes += 1
        return None


class NobodyPeople:
    """A MoveNet that sees nobody."""

    def detect(self, rgb, min_score=0.2):
        return ()


def test_copies_stop_when_no_pose_can_be_confirmed():
    """Nobody anywhere. With MoveNet (which looks twice: as it is and framed) too few blind
    copies are left in MAX_BLIND_PASSES for a pose to be confirmed by MIN_SUPPORT others, so
    none runs; without MoveNet, copies run until fewer than MIN_SUPPORT + 1 are left."""
    picture = np.full((400, 300, 3), 128, np.uint8)
    estimator = NobodyEstimator()
    found = find_pose(picture, estimator, people=NobodyPeople())
    assert found.checked is None and found.refusal is None
    assert MAX_BLIND_PASSES - found.passes <= MIN_SUPPORT
    assert estimator.passes == 1  # the upright pass; MoveNet made the other passes
    estimator = NobodyEstimator()
    found = find_pose(picture, estimator)
    copies = min(MAX_PASSES - 1, len(attempts((300, 400))) - 1)
    assert estimator.passes == found.passes == 1 + copies - MIN_SUPPORT


@pytest.mark.parametrize("bgr", [False, True])
@pytest.mark.parametrize("box", [None, (100, 50, 900, 1300)])
def test_turned_copies_are_the_upright_picture_turned(bgr, box):
    """A copy that only turns the upright picture is made from it, without shrinking the photo
    again: the same pixels as `render` makes; copies with a border are not."""
    photo = np.random.default_rng(1).integers(0, 256, (1500, 1100, 3), dtype=np.uint8)
    first, *others = attempts((1100, 1500), box)
    upright = render(photo, first, bgr)
    for attempt in others:
        turned = turned_picture(upright, first, attempt)
        if attempt.border_px:
            assert turned is None
        else:
            assert turned.flags.c_contiguous
            assert np.array_equal(turned, render(photo, attempt, bgr)), attempt.describe()
