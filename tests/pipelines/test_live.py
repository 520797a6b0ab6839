"""LiveProcessor on a panned and zoomed clip of the full-body back photo (real BlazePose)."""

from __future__ import annotations

import re
import threading

import cv2
import numpy as np
import pytest

from finder.adapters.imageio import read_image
from finder.body.catalog import load_catalog
from finder.body.fit import Profile
from finder.pipelines.crowd import ANOTHER_PERSON
from finder.pipelines.live import (
    CROWD_EVERY_FRAMES,
    HOLD_FRAMES,
    LiveProcessor,
    LiveSettings,
    mirror_result,
)
from finder.pipelines.photo import TOO_DARK, locate_landmarks
from finder.render.overlay import Annotator
from finder.tools.live_benchmark import run as run_benchmark
from tests.photos import CountingEstimator, photo
from tests.video import FPS, clip_frames

FRAMES = 40
WIDTH = 640


@pytest.fixture(scope="module")
def frames():
    return clip_frames(FRAMES)


class RecordingAnnotator(Annotator):
    """The overlay, keeping every result it draws: the points shown on each frame, in the
    output frame's pixels."""

    def __init__(self):
        super().__init__()
        self.results = []

    def draw(self, canvas, result, *args, **kwargs):
        self.results.append(result)
        return super().draw(canvas, result, *args, **kwargs)


def run(frames, settings: LiveSettings | None = None) -> tuple:
    """A processor run over `frames`: it, and per frame the output, status and result drawn."""
    drawn = RecordingAnnotator()
    processor = LiveProcessor(settings, annotator=drawn)
    outputs, statuses = [], []
    for index, frame in enumerate(frames):
        outputs.append(processor.process(frame, index / FPS))
        statuses.append(processor.status())
    return processor, outputs, statuses, drawn.results


@pytest.fixture(scope="module")
def plain(frames):
    processor, *outcome = run(frames)
    yield processor, *outcome
    processor.close()


@pytest.fixture(scope="module")
def mirrored(frames):
    processor, *outcome = run(frames, LiveSettings(mirrored=True))
    yield processor, *outcome
    processor.close()


def by_key(result) -> dict[tuple[str, str], np.ndarray]:
    return {(p.code, p.side): np.array(p.xy) for p in result.points}


@pytest.mark.model
@pytest.mark.shared
def test_points_are_drawn_on_most_frames(frames, plain):
    _, outputs, statuses, _ = plain
    assert [s["frames"] for s in statuses] == list(range(1, FRAMES + 1))
    after_start = statuses[3:]
    with_points = [s for s in after_start if s["points"] > 0 and s["person"]]
    assert len(with_points) >= 0.9 * len(after_start), [s["points"] for s in statuses]
    for frame, output in zip(frames, outputs, strict=True):
        assert output.shape == frame.shape and output.dtype == np.uint8
    # The overlay changes the picture, and the input frame is left alone.
    assert np.mean(cv2.absdiff(outputs[-1], frames[-1])) > 0.5
    assert set(statuses[-1]["timings_ms"]) == {
        "convert",
        "pose",
        "smooth",
        "points",
        "remarks",
        "draw",
    }


@pytest.mark.model
@pytest.mark.shared
def test_points_follow_the_body_across_the_pan(plain):
    _, _, _, results = plain
    # On every frame the back points sit between that frame's shoulders, inside the picture.
    for result in results[5:]:
        keypoints = result.keypoints
        shoulders_x = sorted(keypoints[[11, 12], 0])
        for (code, _), xy in by_key(result).items():
            assert 0 <= xy[0] < WIDTH and 0 <= xy[1] < 480
            if code in ("BL-23", "BL-15", "GV-9"):
                assert shoulders_x[0] - 5 <= xy[0] <= shoulders_x[1] + 5, (code, xy)


@pytest.mark.model
@pytest.mark.shared
def test_fps_is_a_moving_average_of_frame_intervals(plain):
    processor, _, statuses, _ = plain
    assert statuses[0]["fps"] == 0.0  # one frame: no interval yet
    assert processor.fps == pytest.approx(FPS, rel=0.01)
    line = processor.status_line()
    match = re.fullmatch(
        r"Live: (\d+) frames processed, (\d+) points on the last frame, ([\d.]+) fps", line
    )
    assert match, line
    assert int(match[1]) == FRAMES and int(match[2]) == statuses[-1]["points"]


@pytest.mark.shared
@pytest.mark.model
def test_mirrored_preview_mirrors_positions_and_keeps_sides(frames, plain, mirrored):
    _, _, plain_statuses, plain_results = plain
    _, mirrored_outputs, mirrored_statuses, mirrored_results = mirrored
    assert [s["points"] for s in mirrored_statuses] == [s["points"] for s in plain_statuses]
    compared = 0
    for straight, flipped in zip(plain_results[5:], mirrored_results[5:], strict=True):
        straight_points, flipped_points = by_key(straight), by_key(flipped)
        assert straight_points.keys() == flipped_points.keys()
        for key, xy in straight_points.items():
            assert flipped_points[key] == pytest.approx([WIDTH - xy[0], xy[1]], abs=0.5), key
            compared += 1
        # Seen from behind, the receiver's left is on the image's left; in the mirror, right.
        for code in ("BL-23", "GB-21"):
            if (code, "left") in straight_points and (code, "right") in straight_points:
                assert straight_points[code, "left"][0] < straight_points[code, "right"][0]
                assert flipped_points[code, "left"][0] > flipped_points[code, "right"][0]
    assert compared > 100
    # The picture itself is mirrored: its top-right corner is the camera's top-left corner.
    corner = mirrored_outputs[-1][:40, -40:].astype(int)
    expected = cv2.flip(frames[-1], 1)[:40, -40:].astype(int)
    assert np.abs(corner - expected).max() <= 1


@pytest.mark.model
@pytest.mark.shared
def test_freeze_returns_the_last_raw_frame(frames, plain, mirrored):
    for processor in (plain[0], mirrored[0]):
        frozen = processor.frozen_frame()
        np.testing.assert_array_equal(frozen, frames[-1])  # never mirrored nor annotated
        frozen[:] = 0
        np.testing.assert_array_equal(processor.frozen_frame(), frames[-1])  # a copy


@pytest.mark.shared
@pytest.mark.model
def test_nobody_in_view_shows_why_and_resets(frames):
    processor = LiveProcessor(LiveSettings(codes=("BL-23",)))
    assert processor.frozen_frame() is None
    assert processor.status()["message"] == "waiting for the camera"
    empty = np.full((480, WIDTH, 3), 90, np.uint8)
    output = processor.process(empty, 0.0)
    status = processor.status()
    assert status["points"] == 0 and not status["person"]
    assert "no person" in status["message"]
    assert np.mean(cv2.absdiff(output, empty)) > 1  # the banner saying so
    # Then the person comes into view.
    for index, frame in enumerate(frames[:8], start=1):
        processor.process(frame, index / FPS)
    assert processor.status()["points"] == 2  # BL-23 on both sides
    processor.close()


@pytest.mark.model
@pytest.mark.shared
def test_a_frozen_frame_places_the_points_the_live_view_showed(plain):
    """Issue 14 item 8: after Freeze the Photo page searched the frame again with the still
    model and could refuse it. The live view's own pose goes with the frame instead."""
    processor, _, _, results = plain
    pose = processor.frozen_pose()
    frame = processor.frozen_frame()
    assert pose is not None and pose.shape == (33, 4)
    again = locate_landmarks(pose, (frame.shape[1], frame.shape[0]))
    assert again.accepted
    shown, frozen = by_key(results[-1]), by_key(again)
    assert shown.keys() == frozen.keys()
    for key, xy in shown.items():
        assert np.hypot(*(frozen[key] - xy)) < 2.0, key  # the same points, within 2 px


@pytest.mark.shared
@pytest.mark.model
def test_a_look_for_another_person_falls_due_while_points_are_held(frames):
    """Held points have no body on this frame to look around: the look waits for one (it used
    to fail on the missing pose and end the soak)."""
    processor = LiveProcessor(LiveSettings(codes=("BL-23",)))
    body_frames = CROWD_EVERY_FRAMES - HOLD_FRAMES // 2
    for index, frame in enumerate(frames[:body_frames]):
        processor.process(frame, index / FPS)
    empty = np.full_like(frames[0], 90)
    for index in range(HOLD_FRAMES):  # the look falls due in the middle of these
        processor.process(empty, (body_frames + index) / FPS)
        assert processor.status()["points"] == 2, index
    processor.close()


@pytest.mark.shared
@pytest.mark.model
def test_a_body_lost_for_a_moment_keeps_its_points_then_lets_go(frames):
    """Issue 14 item 8: on a slow pan a frame or two without a body made the points flicker
    off (and a red banner on). Up to HOLD_FRAMES frames in a row show the last points."""
    processor = LiveProcessor(LiveSettings(codes=("BL-23",)))
    for index, frame in enumerate(frames[:8]):
        processor.process(frame, index / FPS)
    assert processor.status()["points"] == 2
    empty = np.full_like(frames[0], 90)
    for index in range(HOLD_FRAMES):
        processor.process(empty, (8 + index) / FPS)
        assert processor.status()["points"] == 2, index  # held, not flickering off
        assert processor.frozen_pose() is None  # a held frame has no pose of its own to freeze
    processor.process(empty, (8 + HOLD_FRAMES) / FPS)
    status = processor.status()
    assert status["points"] == 0 and "no person" in status["message"]  # then let go
    processor.close()


@pytest.mark.shared
@pytest.mark.model
def test_settings_choose_the_points_and_are_checked(frames):
    routine = load_catalog().routine("lower-back")
    recorder = RecordingAnnotator()
    processor = LiveProcessor(annotator=recorder)
    processor.configure(codes=routine.points, view="back")
    for index, frame in enumerate(frames[:6]):
        processor.process(frame, index / FPS)
    drawn = {p.code for p in recorder.results[-1].points}
    assert drawn and drawn <= set(routine.points)
    assert processor.settings == LiveSettings(tuple(routine.points), False, "back")
    # Aliases become codes; leaving codes out keeps them.
    assert processor.configure(codes=["Shenshu"]).codes == ("BL-23",)
    assert processor.configure(mirrored=True).codes == ("BL-23",)
    assert processor.configure(codes=None).codes is None
    with pytest.raises(KeyError):
        processor.configure(codes=["XX-99"])
    with pytest.raises(ValueError):
        processor.configure(view="sideways")
    processor.close()


@pytest.mark.shared
@pytest.mark.model
def test_settings_may_change_while_frames_are_processed(frames):
    processor = LiveProcessor()
    errors: list[BaseException] = []

    def video_thread():
        try:
            for index, frame in enumerate(frames[:15]):
                processor.process(frame, index / FPS)
        except BaseException as error:  # reported below
            errors.append(error)

    thread = threading.Thread(target=video_thread)
    thread.start()
    while thread.is_alive():
        processor.configure(mirrored=not processor.settings.mirrored)
        processor.status()
        processor.frozen_frame()
    thread.join()
    assert not errors and processor.status()["frames"] == 15
    processor.close()


@pytest.mark.model
@pytest.mark.shared
def test_mirroring_a_result_twice_gives_it_back(plain):
    result = plain[3][-1]
    twice = mirror_result(mirror_result(result, WIDTH), WIDTH)
    for (key, xy), (key2, xy2) in zip(by_key(result).items(), by_key(twice).items(), strict=True):
        assert key == key2 and xy == pytest.approx(xy2)
    np.testing.assert_allclose(twice.keypoints, result.keypoints)
    np.testing.assert_allclose(twice.anatomy.frame.left, result.anatomy.frame.left)


@pytest.mark.shared
@pytest.mark.model
def test_benchmark_report_runs_on_a_short_clip(frames):
    report = run_benchmark(frames[:6], rounds=1)
    assert "| bare pose" in report and "| live, all points |" in report
    # time, median, frames/s, ratio and the calling thread's CPU per frame
    assert re.search(r"\| live, all points \|( \d+\.\d+ \|){5}\n", report), report
    assert re.search(r"ratio (NOT )?met \(\d\.\d\d at worst\)", report), report


@pytest.mark.shared
@pytest.mark.model
def test_a_profile_follows_the_receiver_across_the_pan(frames, plain):
    """The profile's C7 sits 1 cun above the model's on every frame, wherever the body is."""
    _, _, _, results = plain
    first = next(r for r in results if r.accepted)
    c7_up, c7_left = first.anatomy.reference.to_body(first.anatomy.landmarks["C7"].xy)
    profile_c7 = Profile("Alex", {"C7": (c7_up + 1.0, c7_left)})
    processor, _, _, with_profile = run(frames, LiveSettings(profile=profile_c7))
    processor.close()
    shifts = []
    for before, after in zip(results, with_profile, strict=True):
        if before.accepted and after.accepted:
            assert after.profile == "Alex"
            frame = before.anatomy.frame
            moved = after.anatomy.landmarks["C7"].xy - before.anatomy.landmarks["C7"].xy
            shifts.append(float(moved @ frame.up) / frame.cun_px)
    assert len(shifts) > FRAMES // 2
    # pulled toward the tap one cun up, weighed against the pose's own C7 estimate
    assert all(0.2 < shift < 1.0 for shift in shifts), shifts


@pytest.mark.model
@pytest.mark.shared
def test_a_normal_clip_has_no_remark(plain):
    _, _, statuses, results = plain
    for status in statuses:
        assert TOO_DARK not in status["message"] and ANOTHER_PERSON not in status["message"]
    assert sum(result.accepted for result in results) > FRAMES - 5


@pytest.mark.shared
@pytest.mark.model
def test_a_dark_frame_says_it_is_too_dark(frames):
    """The first frame of the clip (photo 13, where BlazePose finds the body) at 3 % brightness."""
    dark = (frames[0] * 0.03).round().astype(np.uint8)
    recorder = RecordingAnnotator()
    processor = LiveProcessor(LiveSettings(codes=("BL-23",)), annotator=recorder)
    try:
        output = processor.process(dark, 0.0)
        status = processor.status()
        assert status["message"] == TOO_DARK and not status["person"]
        assert recorder.results[-1].omitted[0].reason == TOO_DARK
        assert np.mean(cv2.absdiff(output, dark)) > 1  # the banner saying so
        # The same frame in its own light: the body, and no remark.
        for index in range(1, 4):
            processor.process(frames[0], index / FPS)
        assert processor.status()["message"] == "2 points placed (0 not visible)"
    finally:
        processor.close()


@pytest.mark.model
@pytest.mark.shared
def test_another_person_in_view_is_remarked_and_held_between_looks():
    """Photo 13 twice side by side; then the left copy covered with grey, the right one (which
    BlazePose follows) where it was. Another person is looked for on the first frame with a
    body and then once every CROWD_EVERY_FRAMES frames, off the frame path: a look's answer
    shows from the frame after it finished (here each look is waited for) and holds until the
    next look's."""
    photo13 = read_image(photo("13"))
    two = cv2.resize(np.hstack([photo13, photo13]), (WIDTH, 480), interpolation=cv2.INTER_AREA)
    one = two.copy()
    one[:, : WIDTH // 2] = 128
    crowd = CountingEstimator()
    recorder = RecordingAnnotator()
    processor = LiveProcessor(
        LiveSettings(mirrored=True), crowd_estimator=crowd, annotator=recorder
    )
    messages = []
    try:
        for index, frame in enumerate([two] * 3 + [one] * (CROWD_EVERY_FRAMES - 1)):
            processor.process(frame, index / FPS)
            processor.wait_for_remarks()
            assert processor.status()["person"], index
            messages.append(processor.status()["message"])
        notes = recorder.results[-1].notes
    finally:
        processor.close()
    assert crowd.passes == 2  # on the first frame and the (CROWD_EVERY_FRAMES + 1)th
    assert ANOTHER_PERSON not in messages[0]  # the first look is still under way
    assert all(message.endswith(ANOTHER_PERSON) for message in messages[1:-1]), messages
    assert ANOTHER_PERSON not in messages[-1] and not notes
