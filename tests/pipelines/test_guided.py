"""The guided-session state machine (finder.pipelines.guided), driven by a clock the test
controls."""

from __future__ import annotations

import pytest

from finder.body.catalog import Routine, load_catalog
from finder.pipelines.guided import GuidedSession, focus_box, plan_steps

CATALOG = load_catalog()
UPPER_BACK = CATALOG.routine("upper-back")
LOWER_BACK = CATALOG.routine("lower-back")
AVOID_IN_PREGNANCY = {"GB-21", "BL-60", "LI-4"}


def codes(steps) -> list[str]:
    return [step.code for step in steps]


def test_steps_follow_the_routine_with_both_sides_in_turn():
    steps, left_out = plan_steps(LOWER_BACK, pregnant=False)
    assert left_out == ()
    assert [(s.code, s.side) for s in steps[:5]] == [
        ("BL-23", "left"),
        ("BL-23", "right"),
        ("BL-52", "left"),
        ("BL-52", "right"),
        ("GV-4", "midline"),
    ]
    assert list(dict.fromkeys(codes(steps))) == list(LOWER_BACK.points)


@pytest.mark.parametrize("routine", CATALOG.routines, ids=lambda r: r.id)
def test_a_routine_holds_only_points_reachable_from_behind_or_on_the_hands(routine):
    for code in routine.points:
        assert {"back", "hand"} & set(CATALOG.get(code).views), code


def test_duration_is_the_techniques_upper_time():
    steps, _ = plan_steps(LOWER_BACK, pregnant=False)
    for step in steps:
        assert step.duration_s == step.point.technique.duration_s[1]
    assert steps[0].duration_s == 90  # BL-23: 60-90 s


@pytest.mark.parametrize("routine", CATALOG.routines, ids=lambda r: r.id)
def test_pregnant_leaves_out_points_said_to_bring_on_labour(routine):
    steps, left_out = plan_steps(routine, pregnant=True)
    assert not AVOID_IN_PREGNANCY & set(codes(steps))
    assert {p.code for p in left_out} >= AVOID_IN_PREGNANCY & set(routine.points)


def test_pregnant_leaves_out_the_lumbosacral_points_too():
    """ROUTINES.md: lumbosacral points and CV-6 are avoided by many practitioners; a session
    leaves them out rather than only flagging them."""
    steps, left_out = plan_steps(LOWER_BACK, pregnant=True)
    assert {p.code for p in left_out} == {"BL-60", "BL-23", "BL-52", "GV-4"}
    assert list(dict.fromkeys(codes(steps))) == ["GB-30", "BL-40", "BL-62"]
    upper, _ = plan_steps(UPPER_BACK, pregnant=True)
    assert codes(upper)[0] == "GV-14"  # GB-21 gone from the front of the routine


def test_a_step_whose_hint_names_a_vertebra_gets_the_spine_guide():
    steps, _ = plan_steps(CATALOG.routine("stress"), pregnant=False)
    assert steps[0].code == "GV-12" and steps[0].counts_vertebrae  # "Midline, just below T3."
    upper, _ = plan_steps(UPPER_BACK, pregnant=False)
    counted = {step.code for step in upper if step.counts_vertebrae}
    assert counted == {
        "BL-43",
        "SI-11",
    }  # "out from T4", "level with T4"; C7 is explained where named
    for anchor in ("C7", "T3", "T7", "T12", "L4"):
        assert anchor in CATALOG.spine_guide


def test_timer_counts_down_with_the_clock():
    session = GuidedSession.start(LOWER_BACK, pregnant=False, now=100.0)
    assert session.current.code == "BL-23"
    assert session.current.side == "left"
    assert session.remaining(100.0) == 90
    assert session.remaining(130.5) == pytest.approx(59.5)
    assert session.remaining(500.0) == 0
    assert session.time_up(190.0)
    assert not session.time_up(189.0)


def test_pause_freezes_the_timer_and_resume_continues():
    session = GuidedSession.start(LOWER_BACK, pregnant=False, now=0.0)
    paused = session.pause(now=10.0)
    assert paused.paused
    assert paused.remaining(10.0) == 80
    assert paused.remaining(1000.0) == 80
    assert paused.pause(now=50.0) == paused  # pausing twice changes nothing
    resumed = paused.resume(now=1000.0)
    assert not resumed.paused
    assert resumed.remaining(1005.0) == 75
    assert session.resume(now=5.0) == session  # resuming a running session changes nothing


def test_next_and_previous_move_between_steps_with_a_full_countdown():
    session = GuidedSession.start(LOWER_BACK, pregnant=False, now=0.0)
    assert session.previous(now=1.0) == session  # nothing before the first step
    second = session.next(now=30.0)
    assert (second.current.code, second.current.side) == ("BL-23", "right")
    assert second.remaining(30.0) == 90
    third = second.next(now=40.0)
    assert (third.current.code, third.current.side) == ("BL-52", "left")
    back = third.previous(now=45.0)
    assert (back.current.code, back.current.side) == ("BL-23", "right")
    assert back.remaining(45.0) == 90


def test_restart_gives_the_same_side_its_full_time_again_and_keeps_what_was_pressed():
    session = GuidedSession.start(LOWER_BACK, pregnant=False, now=0.0)
    again = session.pause(now=70.0).restart(now=200.0)
    assert (again.index, again.paused) == (0, False)  # same step, running again
    assert again.remaining(200.0) == 90
    assert again.remaining(210.0) == 80
    assert again.finish(now=230.0).summary().pressed[0][1] == pytest.approx(100.0)  # 70 + 30
    assert session.finish(now=1.0).restart(now=2.0).finished


def test_next_while_paused_starts_the_next_step_paused():
    session = GuidedSession.start(LOWER_BACK, pregnant=False, now=0.0).pause(now=5.0)
    moved = session.next(now=20.0)
    assert moved.paused
    assert moved.remaining(100.0) == 90


def test_advance_if_due_moves_on_when_the_time_is_up():
    session = GuidedSession.start(LOWER_BACK, pregnant=False, now=0.0)
    assert session.advance_if_due(now=89.0) is session
    moved = session.advance_if_due(now=100.0)
    assert (moved.current.code, moved.current.side) == ("BL-23", "right")
    assert moved.remaining(100.0) == 80  # started when the first ended, at 90 s
    assert session.pause(now=1.0).advance_if_due(now=1000.0).index == 0


def test_summary_after_the_last_step():
    routine = Routine("test", "Test", ("GV-14", "GB-21"))
    session = GuidedSession.start(routine, pregnant=False, now=0.0)
    assert len(session.steps) == 3  # GV-14 midline, GB-21 left and right
    session = session.next(now=60.0)  # 60 s on GV-14
    session = session.next(now=61.0)  # 1 s on GB-21 left
    assert session.is_last
    session = session.next(now=100.0)  # GB-21 right: time is capped at its 5 s
    assert session.finished
    assert session.current is None
    assert session.remaining(200.0) == 0
    summary = session.summary()
    assert summary.points_pressed == ("GV-14", "GB-21")
    assert [(s.code, s.side, t) for s, t in summary.pressed] == [
        ("GV-14", "midline", 60.0),
        ("GB-21", "left", 1.0),
        ("GB-21", "right", 5.0),
    ]
    assert summary.total_s == 66.0
    assert summary.not_pressed == ()
    assert session.next(now=300.0) == session  # nothing after the end


def test_summary_when_ended_early_and_pregnant():
    session = GuidedSession.start(UPPER_BACK, pregnant=True, now=0.0)
    ended = session.finish(now=20.0)
    summary = ended.summary()
    assert ended.finished
    assert [(s.code, t) for s, t in summary.pressed] == [("GV-14", 20.0)]
    assert len(summary.not_pressed) == len(session.steps) - 1
    assert {p.code for p in summary.left_out} == {"GB-21", "LI-4"}


@pytest.mark.parametrize(
    ("xy", "expected"),
    [
        ((500.0, 500.0), (340, 300, 660, 700)),  # 16 x 20 cun of 20 px around the point
        ((10.0, 10.0), (0, 0, 320, 400)),  # moved inside the image at a corner
        ((990.0, 1190.0), (680, 800, 1000, 1200)),
    ],
)
def test_focus_box_stays_inside_the_image(xy, expected):
    assert focus_box(xy, cun_px=20.0, image_size=(1000, 1200), min_fraction=0.1) == expected


def test_focus_box_keeps_context_on_a_small_body_and_fits_a_small_image():
    assert focus_box((500.0, 500.0), cun_px=2.0, image_size=(1000, 1200)) == (275, 219, 725, 781)
    assert focus_box((50.0, 50.0), cun_px=50.0, image_size=(100, 80)) == (0, 0, 100, 80)
