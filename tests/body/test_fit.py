"""Partner-assisted fit on hand-written bodies: what a tap moves, taps alone, following the body."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from finder import locate_landmarks
from finder.body.fit import FitError, Profile, Taps, fit_anatomy, profile_from
from finder.body.from_pose import build_anatomy
from finder.body.landmarks import Keypoint
from finder.body.model import load_body_model
from finder.body.view import orient
from tests.bodies import IMAGE_SIZE, similarity, standing_back_view, transform_xy

MODEL = load_body_model()
THORACIC_AND_LUMBAR = [level for level in MODEL.spine_fractions if level != "C7"]
TAPS_FOR_BACK = ("C7", "acromion_left", "acromion_right")
CRESTS = ("iliac_crest_top_left", "iliac_crest_top_right")


def pose(landmarks=None):
    return orient(standing_back_view() if landmarks is None else landmarks, IMAGE_SIZE, "back")


def model_taps(anatomy, names, shift=(0.0, 0.0)) -> Taps:
    """Taps exactly where the model puts `names`, moved by `shift` (px)."""
    return Taps({name: tuple(anatomy.landmarks[name].xy + shift) for name in names})


def placed(result) -> dict[tuple[str, str], np.ndarray]:
    return {(p.code, p.side): np.array(p.xy) for p in result.points}


def test_a_c7_tap_moves_c7_and_the_levels_above_the_crest_less_and_less():
    prior = build_anatomy(pose())
    fitted = fit_anatomy(pose(), model_taps(prior, ["C7"], shift=(0.0, -40.0)))
    moves = {
        level: prior.landmarks[level].xy[1] - fitted.landmarks[level].xy[1]
        for level in MODEL.spine_fractions
    }
    assert 0 < moves["C7"] < 40  # pulled toward the tap, weighed against the pose's estimate
    levels = list(MODEL.spine_fractions)
    above_crest = levels[: levels.index("L4")]
    assert all(moves[a] > moves[b] > 0 for a, b in itertools.pairwise(above_crest))
    assert moves["L4"] == pytest.approx(0.0, abs=1e-6)  # the crest prior is independent of C7
    assert fitted.landmarks["C7"].sd_px < prior.landmarks["C7"].sd_px
    assert fitted.landmarks["iliac_crest_top_left"].xy == pytest.approx(
        prior.landmarks["iliac_crest_top_left"].xy
    )
    assert fitted.tapped == {"C7"}


def test_crest_taps_move_l4_and_shrink_its_uncertainty_but_leave_c7():
    prior = build_anatomy(pose())
    fitted = fit_anatomy(pose(), model_taps(prior, CRESTS, shift=(0.0, 30.0)))
    assert fitted.landmarks["L4"].xy[1] > prior.landmarks["L4"].xy[1] + 15
    assert fitted.landmarks["L4"].sd_px < prior.landmarks["L4"].sd_px / 2
    assert fitted.landmarks["C7"].xy == pytest.approx(prior.landmarks["C7"].xy, abs=1e-6)
    for name in CRESTS:  # a tapped landmark is where the finger was
        assert fitted.landmarks[name].xy == pytest.approx(
            prior.landmarks[name].xy + np.array([0.0, 30.0])
        )


def test_sideways_taps_on_the_midline_bend_the_midline():
    prior = build_anatomy(pose())
    taps = model_taps(prior, ["C7", *CRESTS], shift=(25.0, 0.0))
    fitted = fit_anatomy(pose(), taps)
    for level in ("C7", "T8", "L4"):
        assert 10 < fitted.landmarks[level].xy[0] - prior.landmarks[level].xy[0] <= 25


def test_a_shoulder_tap_moves_gb21_and_nothing_on_the_spine():
    prior_result = locate_landmarks(standing_back_view(), IMAGE_SIZE, "back")
    acromion = prior_result.anatomy.landmarks["acromion_left"].xy
    taps = Taps({"acromion_left": tuple(acromion + np.array([-30.0, 20.0]))})
    result = locate_landmarks(standing_back_view(), IMAGE_SIZE, "back", taps=taps)
    before, after = placed(prior_result), placed(result)
    assert np.hypot(*(after[("GB-21", "left")] - before[("GB-21", "left")])) > 10
    for key in (("GB-21", "right"), ("BL-23", "left"), ("GV-14", "midline"), ("BL-43", "left")):
        assert after[key] == pytest.approx(before[key], abs=0.5)
    assert result.basis == "pose and taps" and "fitted to your taps" in result.summary()


def test_taps_alone_place_every_back_point_from_c7_to_the_sacrum():
    truth = build_anatomy(pose())
    taps = model_taps(truth, [*TAPS_FOR_BACK, *CRESTS])
    result = locate_landmarks(np.full((33, 4), np.nan), IMAGE_SIZE, "back", taps=taps)
    assert result.accepted and result.basis == "taps"
    spots = placed(result)
    for code in ("GB-21", "GV-14", "BL-43", "GV-9", "BL-18", "BL-21", "BL-23", "GV-4", "BL-52"):
        sides = ("midline",) if code.startswith("GV") else ("left", "right")
        for side in sides:
            assert (code, side) in spots, code
    with_pose = placed(locate_landmarks(standing_back_view(), IMAGE_SIZE, "back"))
    cun = truth.frame.cun_px
    for key in (("BL-23", "left"), ("GV-9", "midline"), ("GB-21", "right")):
        assert np.hypot(*(spots[key] - with_pose[key])) < 0.5 * cun
    omitted = {(o.code, o.side): o.reason for o in result.omitted}
    assert "camera model found no body" in omitted[("BL-40", "left")]
    assert "camera model found no body" in omitted[("GB-30", "left")]
    # The reason says what to mark when the landmark can be marked by hand (not "tap it").
    assert "mark the left knee crease, or" in omitted[("BL-40", "left")]
    assert "mark" not in omitted[("GB-30", "left")]  # the hip joint cannot be marked


def test_psis_taps_stand_in_for_the_crests():
    truth = build_anatomy(pose())
    taps = model_taps(truth, ["C7", "psis_left", "psis_right"])
    anatomy = fit_anatomy(None, taps)
    for level in ("T4", "L2", "L4"):
        assert anatomy.landmarks[level].xy == pytest.approx(truth.landmarks[level].xy, abs=3.0)


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (("C7",), "tap C7 and both hip-bone tops"),
        (("C7", "popliteal_crease_left"), "at least two landmarks"),
        (("scapula_inferior_angle_left", "scapula_inferior_angle_right"), "one of them C7"),
    ],
)
def test_too_few_taps_without_a_pose_say_what_to_tap(names, message):
    truth = build_anatomy(pose())
    with pytest.raises(FitError, match=message):
        fit_anatomy(None, model_taps(truth, names))
    result = locate_landmarks(
        np.full((33, 4), np.nan), IMAGE_SIZE, "back", taps=model_taps(truth, names)
    )
    assert not result.accepted and message in result.problems[0]


@pytest.mark.parametrize(
    "names",
    [
        ("C7", "acromion_left"),
        ("acromion_right", "iliac_crest_top_right"),
        ("acromion_left", "acromion_right"),
        ("C7", "scapula_inferior_angle_left", "iliac_crest_top_right"),
    ],
)
def test_any_two_landmarks_with_one_on_the_spine_place_the_levels_near_them(names):
    """A side view shows one shoulder, one crest: the frame comes from what is there."""
    truth = build_anatomy(pose())
    anatomy = fit_anatomy(None, model_taps(truth, names))
    off = levels_off_truth(anatomy, truth)
    assert len(off) >= 4 and max(off.values()) < 1.2


def levels_off_truth(anatomy, truth) -> dict[str, float]:
    """How far each placed spinous level lies from the truth along the body (cun)."""
    return {
        level: abs(anatomy.landmarks[level].xy[1] - truth.landmarks[level].xy[1])
        / truth.frame.cun_px
        for level in MODEL.spine_fractions
        if level in anatomy.landmarks
    }


def test_shoulder_taps_alone_place_the_upper_back_and_say_what_the_lower_back_needs():
    truth = build_anatomy(pose())
    result = locate_landmarks(
        np.full((33, 4), np.nan), IMAGE_SIZE, "back", taps=model_taps(truth, TAPS_FOR_BACK)
    )
    assert result.accepted and result.basis == "taps"
    off = levels_off_truth(result.anatomy, truth)
    assert {"C7", "T1", "T4", "T7"} <= off.keys() and "L4" not in off
    assert max(off.values()) < 1.0
    spots = placed(result)
    for key in (("GB-21", "left"), ("GV-14", "midline"), ("BL-43", "right"), ("SI-11", "left")):
        assert key in spots, key
    omitted = {(o.code, o.side): o.reason for o in result.omitted}
    assert "tap both hip-bone tops too" in omitted[("BL-23", "left")]


def test_crest_taps_alone_place_the_lower_back_and_say_what_the_upper_back_needs():
    truth = build_anatomy(pose())
    result = locate_landmarks(
        np.full((33, 4), np.nan), IMAGE_SIZE, "back", taps=model_taps(truth, CRESTS)
    )
    assert result.accepted
    off = levels_off_truth(result.anatomy, truth)
    assert {"L2", "L4", "S2"} <= off.keys() and "C7" not in off and "T4" not in off
    assert off["L4"] < 0.1 and max(off.values()) < 1.0
    spots = placed(result)
    assert {("BL-23", "left"), ("GV-4", "midline"), ("BL-52", "right")} <= spots.keys()
    omitted = {(o.code, o.side): o.reason for o in result.omitted}
    assert "tap C7 too" in omitted[("BL-43", "left")]


@pytest.mark.parametrize("names", [TAPS_FOR_BACK, CRESTS, ("acromion_left", "acromion_right")])
def test_a_partial_taps_frame_turns_and_scales_with_the_photo(names):
    """A receiver lying with the head at the picture's left (the photo turned 90 degrees)."""
    truth = build_anatomy(pose())
    taps = model_taps(truth, names)
    upright = fit_anatomy(None, taps)
    angle, scale, shift = -90, 0.7, (40.0, -60.0)
    turned = fit_anatomy(
        None,
        Taps(
            {
                name: tuple(transform_xy(xy, angle, scale, shift))
                for name, xy in taps.image_xy.items()
            }
        ),
    )
    assert turned.landmarks.keys() == upright.landmarks.keys()
    for name, landmark in upright.landmarks.items():
        expected = transform_xy(landmark.xy, angle, scale, shift)
        assert turned.landmarks[name].xy == pytest.approx(expected, abs=1e-6 * IMAGE_SIZE[0])


def test_shoulder_taps_with_left_and_right_swapped_are_refused():
    truth = build_anatomy(pose())
    xy = {name: tuple(truth.landmarks[name].xy) for name in TAPS_FOR_BACK}
    xy["acromion_left"], xy["acromion_right"] = xy["acromion_right"], xy["acromion_left"]
    with pytest.raises(FitError, match="C7 tap lies below the shoulder tops"):
        fit_anatomy(None, Taps(xy))


def test_swapped_left_and_right_taps_are_refused():
    truth = build_anatomy(pose())
    names = ["C7", *CRESTS]
    xy = {name: tuple(truth.landmarks[name].xy) for name in names}
    xy["iliac_crest_top_left"], xy["iliac_crest_top_right"] = (
        xy["iliac_crest_top_right"],
        xy["iliac_crest_top_left"],
    )
    with pytest.raises(FitError, match="swapped"):
        fit_anatomy(None, Taps(xy))


@pytest.mark.parametrize(
    ("taps", "message"),
    [
        ({"T4": (1.0, 2.0)}, "cannot tap T4"),
        ({"C7": (float("nan"), 2.0)}, "finite"),
    ],
)
def test_bad_taps_are_refused_with_a_reason(taps, message):
    with pytest.raises(FitError, match=message):
        Taps(taps)


def test_an_implausible_height_is_refused():
    with pytest.raises(FitError, match="between 100 and 230 cm"):
        Taps({}, stature_cm=20)


def test_entering_the_height_tightens_the_taps():
    truth = build_anatomy(pose())
    names = ["C7", *CRESTS]
    plain = fit_anatomy(None, model_taps(truth, names))
    tall = fit_anatomy(None, Taps(model_taps(truth, names).image_xy, stature_cm=200))
    assert tall.landmarks["C7"].sd_px < plain.landmarks["C7"].sd_px  # 1 cm is less cun


@pytest.mark.parametrize(
    ("angle", "scale", "shift"), [(0, 1, (300, -150)), (20, 0.6, (0, 0)), (-90, 1.2, (50, 80))]
)
def test_a_profile_follows_the_body_when_it_or_the_camera_moves(angle, scale, shift):
    """The moved bodies keep more than 2.13 shoulder widths of picture below the hips, beyond
    which the hips follow BlazePose's habit near the edge (`hips_as_on_a_whole_body`)."""
    prior = build_anatomy(pose())
    taps = model_taps(prior, ["C7", *CRESTS, "acromion_left"], shift=(12.0, -30.0))
    profile = profile_from("Alex", taps, fit_anatomy(pose(), taps))
    here = locate_landmarks(standing_back_view(), IMAGE_SIZE, "back", profile=profile)
    moved_body = similarity(standing_back_view(), angle, scale, shift)
    there = locate_landmarks(moved_body, IMAGE_SIZE, "back", profile=profile)
    assert there.profile == "Alex" and "Alex's profile" in there.summary()
    expected = {key: transform_xy(xy, angle, scale, shift) for key, xy in placed(here).items()}
    for key, xy in placed(there).items():
        assert xy == pytest.approx(expected[key], abs=1e-6 + 1e-6 * IMAGE_SIZE[0])


def test_live_taps_win_over_the_profile_where_both_place_a_landmark():
    prior = build_anatomy(pose())
    profile = Profile("Sam", {"C7": (20.0, 0.0)})
    c7_now = prior.landmarks["C7"].xy + np.array([0.0, -10.0])
    result = locate_landmarks(
        standing_back_view(), IMAGE_SIZE, "back", taps=Taps({"C7": tuple(c7_now)}), profile=profile
    )
    assert np.hypot(*(result.anatomy.landmarks["C7"].xy - c7_now)) < 10


def test_profile_taps_are_ignored_without_a_trustworthy_pose():
    hidden = standing_back_view()
    hidden[[Keypoint.LEFT_SHOULDER, Keypoint.RIGHT_SHOULDER], 3] = 0.0
    result = locate_landmarks(hidden, IMAGE_SIZE, "back", profile=Profile("Sam", {"C7": (20, 0)}))
    assert not result.accepted and result.profile is None


@pytest.mark.shared
def test_on_real_body_proportions_taps_shrink_the_level_errors():
    """A seeded sample of ANSUR II bodies with 1 cm finger error (finder evaluate-taps)."""
    from finder.tools.ansur import ansur_bodies
    from finder.tools.evaluate_taps import tap_errors
    from tests.photos import ANSUR_DIR

    bodies = ansur_bodies(ANSUR_DIR)[::40]
    errors = tap_errors(bodies)
    for level in ("T7", "L2", "L4"):
        pose_only = np.median(errors["pose only"][level])
        assert np.median(errors["pose + taps"][level]) < 0.7 * pose_only
        assert np.median(errors["taps only"][level]) < pose_only
    # Partial taps keep the levels near them within half a cun typically, and leave far ones out.
    assert np.median(errors["shoulder taps"]["T4"]) < 0.5
    assert np.isnan(errors["shoulder taps"]["L4"]).all()
    assert np.median(errors["crest taps"]["L2"]) < 0.5
    assert np.isnan(errors["crest taps"]["C7"]).all()
