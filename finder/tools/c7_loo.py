"""C7 rules judged out of sample: leave one photo out on the shared photos.

Every C7 rule has something fitted on the photos (the current one: how far C7 stands above the
shoulder keypoints, `calibration/keypoints.json` synthetic.c7_above_shoulders_measured). Judged
on the photos it was fitted to, a rule looks better than it is; here each photo is held out in
turn (with its mirror image and crops, which are the same body), the rule is fitted on the other
photos' cases, and placed on the held-out ones. Errors are `evaluate_photos.Error`s in the
finder's own cun and body axes, so the table reads like `finder evaluate-photos`'s.

Points are image px; `shoulder widths` are the distance between the shoulder keypoints (in
BlazePose's convention, `finder.body.convention`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from finder.body.anatomy import BodyFrame
from finder.body.from_pose import pose_prior
from finder.body.landmarks import SHOULDERS, Keypoint
from finder.body.model import (
    BodyModel,
    Regression,
    SyntheticKeypoints,
    load_body_model,
    load_synthetic_keypoints,
)
from finder.body.synthetic import body_from_ansur
from finder.body.view import OrientedPose, midpoint
from finder.tools.evaluate_body import fit_models, fit_rows, split
from finder.tools.evaluate_photos import CaseResult, Error, Mark, summarise

EARS = (Keypoint.LEFT_EAR, Keypoint.RIGHT_EAR)


@dataclass(frozen=True)
class C7Case:
    """One picture where the finder placed C7: the pose it used (oriented, image px), its body
    frame (errors are measured in it), the marked C7, and the photo it was made from (a mirror
    image or crop shares its photo's name)."""

    name: str
    photo: str
    pose: OrientedPose
    frame: BodyFrame
    truth: Mark

    @property
    def shoulder_mid(self) -> np.ndarray:
        return midpoint(self.pose.landmarks, SHOULDERS)

    @property
    def shoulder_width(self) -> float:
        return float(np.hypot(*np.subtract(*self.pose.landmarks[list(SHOULDERS), :2])))

    @property
    def ears(self) -> np.ndarray:
        """The ear keypoints' midpoint (px; where the pose put them, seen or not: on the
        cases with C7 both are seen)."""
        return midpoint(self.pose.landmarks, EARS)

    @property
    def head(self) -> np.ndarray:
        """The centroid of the nose and ear keypoints (px)."""
        return self.pose.landmarks[[Keypoint.NOSE, *EARS], :2].mean(axis=0)

    @property
    def height_widths(self) -> float:
        """The marked C7's height above the shoulder midpoint along the frame's up axis, in
        shoulder widths."""
        return float((self.truth.xy - self.shoulder_mid) @ self.frame.up) / self.shoulder_width

    @property
    def truth_sd_cun(self) -> float:
        return self.truth.sd_px / self.frame.cun_px


def c7_cases(outcomes: Sequence[CaseResult]) -> list[C7Case]:
    """The cases where the finder placed C7 from a pose and the photo marks it."""
    return [
        C7Case(o.case.name, o.case.photo, o.pose, o.result.anatomy.frame, o.case.marks["C7"])
        for o in outcomes
        if o.pose is not None and any(e.landmark == "C7" for e in o.errors)
    ]


@dataclass(frozen=True)
class Candidate:
    """A C7 rule: `fit` turns the training cases into its one parameter, `place` puts C7 on a
    case (image px) with it."""

    name: str
    fit: Callable[[Sequence[C7Case]], float]
    place: Callable[[C7Case, float], np.ndarray]


@dataclass(frozen=True)
class Fold:
    """One candidate's parameter fitted without `photo`."""

    photo: str
    parameter: float


def leave_one_photo_out(
    cases: Sequence[C7Case], candidate: Candidate
) -> tuple[list[Error], list[Fold]]:
    """Each photo's cases placed by `candidate` fitted on the other photos' cases: the errors
    (finder - truth in the case's frame, cun) and each fold's parameter."""
    errors, folds = [], []
    for photo in sorted({c.photo for c in cases}):
        parameter = candidate.fit([c for c in cases if c.photo != photo])
        folds.append(Fold(photo, parameter))
        errors += [c7_error(c, candidate.place(c, parameter)) for c in cases if c.photo == photo]
    return errors, folds


def photo_of(error: Error) -> str:
    """The photo an error's case was made from (`Case.photo`)."""
    return error.case.split()[0]


def c7_error(case: C7Case, xy: np.ndarray) -> Error:
    """C7 at `xy` (px) against the mark, in the case's frame (cun)."""
    up, left = case.frame.to_body(xy)
    true_up, true_left = case.frame.to_body(case.truth.xy)
    return Error("C7", case.name, up - true_up, left - true_left, case.truth_sd_cun)


def weighted_median(values: Sequence[float], weights: Sequence[float]) -> float:
    """The value below which half the weight lies."""
    order = np.argsort(values)
    cumulative = np.cumsum(np.asarray(weights, dtype=float)[order])
    return float(np.asarray(values)[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def median_of(measure: Callable[[C7Case], float], weighted: bool = False):
    """A `fit`: the median of `measure` over the training cases (weighted by the inverse
    variance of the marks with `weighted`)."""

    def fit(cases: Sequence[C7Case]) -> float:
        values = [measure(c) for c in cases]
        if not weighted:
            return float(np.median(values))
        return weighted_median(values, [c.truth_sd_cun**-2 for c in cases])

    return fit


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / float(np.hypot(*vector))


def _fraction_toward(point: Callable[[C7Case], np.ndarray]) -> Callable[[C7Case], float]:
    """The marked C7's projection on the segment from the shoulder midpoint to `point`, as a
    fraction of it."""

    def fraction(c: C7Case) -> float:
        neck = point(c) - c.shoulder_mid
        return float((c.truth.xy - c.shoulder_mid) @ neck / (neck @ neck))

    return fraction


def _along_neck_widths(c: C7Case) -> float:
    return float((c.truth.xy - c.shoulder_mid) @ _unit(c.ears - c.shoulder_mid)) / c.shoulder_width


class AnsurRefit:
    """The current rule's fit: the synthetic ANSUR II bodies get shoulder keypoints placed so
    that C7 stands `height` shoulder widths above them (median over ANSUR II), as
    `calibration/keypoints.json` does with the height measured on the photos, and C7's
    regressions are refitted on them (`finder evaluate-body`'s fitting half). Models are kept
    per height: folds that fit the same height share one refit."""

    def __init__(self, rows: Sequence[Mapping[str, str]]):
        self.rows = rows
        self.models: dict[float, BodyModel] = {}

    def keypoints(self, height: float) -> SyntheticKeypoints:
        """The synthetic shoulder keypoints that put C7 `height` widths above them: ANSUR II's
        C7 stands a median of c breadths above the acromia, and the keypoints lie `inside` of a
        breadth inside the tips, so they go height x (1 - 2 inside) - c breadths below them."""
        shipped = load_synthetic_keypoints()
        above = np.median(
            [
                (float(r["cervicaleheight"]) - float(r["acromialheight"]))
                / float(r["biacromialbreadth"])
                for r in self.rows
            ]
        )
        inside = shipped.shoulder_inside_acromion
        return replace(shipped, shoulder_below_acromion=height * (1 - 2 * inside) - float(above))

    def model(self, height: float) -> BodyModel:
        """The shipped body model with C7's regressions refitted for `height`."""
        if height not in self.models:
            keypoints = self.keypoints(height)
            fitting = [r for r, fitted in zip(self.rows, split(self.rows), strict=True) if fitted]
            rows = fit_rows([body_from_ansur(dict(r), keypoints) for r in fitting])
            shipped = load_body_model()
            c7 = tuple(Regression.from_entry(entry) for entry in fit_models(rows, "C7"))
            self.models[height] = replace(shipped, regressions={**shipped.regressions, "C7": c7})
        return self.models[height]


def model_c7(case: C7Case, model: BodyModel) -> np.ndarray:
    """C7 (px) as the body model places it from `case`'s pose (`pose_prior`)."""
    prior = pose_prior(case.pose, model)
    frame = prior.frame
    return frame.origin + prior.spine.up.mean[0] * frame.up + prior.spine.left.mean[0] * frame.left


def onto_the_neck(case: C7Case, xy: np.ndarray) -> np.ndarray:
    """`xy` (px) moved across the body, at its height, onto the line from the shoulder
    midpoint to the ears."""
    neck = _unit(case.ears - case.shoulder_mid)
    height = float((xy - case.shoulder_mid) @ case.frame.up)
    return case.shoulder_mid + height * neck / float(neck @ case.frame.up)


def candidates(refit: AnsurRefit) -> list[Candidate]:
    """The current rule first, then the rules tried against it."""

    def current(weighted: bool = False) -> Callable[[Sequence[C7Case]], float]:
        return median_of(lambda c: c.height_widths, weighted)

    def by_model(c: C7Case, height: float) -> np.ndarray:
        return model_c7(c, refit.model(height))

    def up(c: C7Case, k: float) -> np.ndarray:
        return c.shoulder_mid + k * c.shoulder_width * c.frame.up

    def along_neck(c: C7Case, k: float) -> np.ndarray:
        return c.shoulder_mid + k * c.shoulder_width * _unit(c.ears - c.shoulder_mid)

    def toward(point: Callable[[C7Case], np.ndarray]):
        return lambda c, a: c.shoulder_mid + a * (point(c) - c.shoulder_mid)

    ears, head = (lambda c: c.ears), (lambda c: c.head)

    return [
        Candidate(
            "current: ANSUR II regressions, C7 h widths above the shoulders", current(), by_model
        ),
        Candidate("current, h weighted by the marks' 1/sd^2", current(True), by_model),
        Candidate(
            "current, C7 moved across onto the shoulders-to-ears line",
            current(),
            lambda c, h: onto_the_neck(c, by_model(c, h)),
        ),
        Candidate("k widths up from the shoulder midpoint", current(), up),
        Candidate(
            "k widths along the shoulders-to-ears line", median_of(_along_neck_widths), along_neck
        ),
        Candidate(
            "fraction a of the way to the ears", median_of(_fraction_toward(ears)), toward(ears)
        ),
        Candidate(
            "fraction a of the way to the nose and ears",
            median_of(_fraction_toward(head)),
            toward(head),
        ),
    ]


def format_loo(
    shipped: Sequence[Error], results: Sequence[tuple[Candidate, list[Error], list[Fold]]]
) -> str:
    """The table: the shipped rule on the photos it was fitted to, then each candidate left
    one photo out (its parameter per held-out photo)."""
    photos = [f.photo for f in results[0][2]] if results else []
    shown = " / ".join(photos)
    lines = [
        f"| C7 rule | fitted without {shown} | n | median | p90 | bias along | bias across "
        f"| median on {shown} |",
        "|---|---|---|---|---|---|---|---|",
    ]

    def row(name: str, fitted: str, errors: Sequence[Error]) -> str:
        (c7,) = [r for r in summarise(errors) if r.landmark == "C7"]
        per_photo = " / ".join(
            f"{np.median([e.distance_cun for e in errors if photo_of(e) == p]):.2f}" for p in photos
        )
        return (
            f"| {name} | {fitted} | {c7.count} | {c7.median:.2f} | {c7.p90:.2f} "
            f"| {c7.bias_up:+.2f} | {c7.bias_left:+.2f} | {per_photo} |"
        )

    lines.append(row("shipped, in sample (fitted on these photos)", "-", shipped))
    for candidate, errors, folds in results:
        fitted = " / ".join(f"{f.parameter:.3f}" for f in folds)
        lines.append(row(candidate.name + ", left one photo out", fitted, errors))
    return "\n".join(lines)


def loo_table(
    cases: Sequence[C7Case], shipped: Sequence[Error], ansur_rows: Sequence[Mapping[str, str]]
) -> str:
    """Every candidate left one photo out on `cases`, as `format_loo`'s table."""
    refit = AnsurRefit(ansur_rows)
    results = [(c, *leave_one_photo_out(cases, c)) for c in candidates(refit)]
    return format_loo(shipped, results)
