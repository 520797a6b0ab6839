"""The Streamlit pages' shared pieces: the current photo and its result, kept per browser session
in `st.session_state`; the bundled samples; and the guard that turns failures into messages.

Nothing here is written to disk: uploads live in memory for the session only.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
import streamlit as st

from finder.adapters.imageio import ImageError, decode_image
from finder.adapters.pose import HandEstimator, PoseEstimator, PoseMode
from finder.body.fit import Profile, Taps
from finder.body.result import FinderResult
from finder.pipelines.photo import PhotoSearch, locate_found, search_photo
from finder.pipelines.search import Box
from finder.samples import SAMPLES_DIR

log = logging.getLogger(__name__)
T = TypeVar("T")

PAGES = ("Photo", "Hand", "Guided session", "Live camera", "Point library")
DISCLAIMER = (
    "A relaxation-massage aid for partners: it shows where points usually lie. It does not "
    "diagnose or treat anything; for pain that persists, see a health professional."
)
DEFAULT_SAMPLE = "full-back-standing.jpg"
SAMPLE_SUFFIXES = (".jpg", ".jpeg", ".png")
MAX_CACHED_DETECTIONS = 4  # per session: a few photos, so switching back is instant

# Session-state keys shared between pages (widget keys are named where the widget is).
UPLOAD = "upload"  # the uploaded Photo, while it is the current one
SAMPLE = "photo_sample"  # the chosen sample's file name (a selectbox)
VIEW = "photo_view"  # "auto" | "back" | "front" (a radio)
PREGNANT = (
    "guided_pregnant"  # "the receiver may be pregnant" (a toggle on the guided and hand pages)
)
ROUTINE = "guided_routine"  # the guided session's concern (a selectbox), followed by the Photo page
_DETECTIONS = "_detections"


@dataclass(frozen=True)
class Photo:
    """A decoded photo: `bgr` is H x W x 3 uint8 (read-only); `key` identifies its content."""

    name: str
    key: str
    bgr: np.ndarray
    licence: str | None = None  # credit line, for bundled samples
    # For a frame frozen in the live view: the smoothed pose its points stood on (33, 4, px).
    pose: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def stem(self) -> str:
        return Path(self.name).stem or "photo"


_MARKDOWN = re.compile(r"([\\`*_\[\]()<>#|~$:!])")


def plain(text: str) -> str:
    """`text` (a file name the user chose, ...) escaped so that Streamlit's Markdown shows it
    as it is: no link, emphasis, HTML, LaTeX or :icon:."""
    return _MARKDOWN.sub(r"\\\1", text)


def sentence(text: str) -> str:
    """The engine's messages start in lower case; a page shows them as sentences."""
    return text[:1].upper() + text[1:] if text else text


def fmt_seconds(seconds: float) -> str:
    """90 -> "1:30"."""
    whole = max(round(seconds), 0)
    return f"{whole // 60}:{whole % 60:02d}"


def guarded(render: Callable[[], None]) -> None:
    """Run a page body; an unexpected failure becomes a short message instead of a traceback.
    (st.rerun and st.stop raise BaseException subclasses and pass through.)"""
    try:
        render()
    except Exception as error:
        log.exception("page failed")
        detail = str(error) or type(error).__name__
        st.error(f"Something went wrong: {detail}. Try again, or reload the page.")


def table(rows: list[dict[str, str]], nowrap: tuple[str, ...] = ("Code",)) -> None:
    """A static table without index; the `nowrap` columns never break ("GB-21" stays whole)."""
    frame = pd.DataFrame(rows)
    styles = [
        {"selector": f"td.col{frame.columns.get_loc(column)} p", "props": "white-space: nowrap"}
        for column in nowrap
        if column in frame.columns
    ]
    st.table(frame.style.set_table_styles(styles), hide_index=True)


def keep_widget_state(keys: Iterable[str]) -> None:
    """Keep the values of widgets on pages not shown in this run (Streamlit forgets a widget's
    value when it is not drawn). Call once at the top of the app, before any widget."""
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def sample_names() -> list[str]:
    """The bundled sample photos, the default first (empty when the folder is missing)."""
    if not SAMPLES_DIR.is_dir():
        return []
    names = sorted(p.name for p in SAMPLES_DIR.iterdir() if p.suffix.lower() in SAMPLE_SUFFIXES)
    return sorted(names, key=lambda name: name != DEFAULT_SAMPLE)


@lru_cache(maxsize=1)
def sample_licences() -> dict[str, str]:
    """File name -> "original, licence" from the table in samples/LICENSES.md."""
    path = SAMPLES_DIR / "LICENSES.md"
    if not path.is_file():
        return {}
    row = re.compile(r"^\|\s*`([^`]+)`\s*\|([^|]+)\|([^|]+)\|\s*$")
    credits = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = row.match(line)
        if match:
            credits[match[1]] = f"{match[2].strip()}, {match[3].strip()}"
    return credits


@lru_cache(maxsize=8)
def load_sample(name: str) -> Photo:
    """A bundled sample, decoded once per process (shared read-only by all sessions)."""
    path = SAMPLES_DIR / name
    photo = photo_from_bytes(name, path.read_bytes())
    return Photo(photo.name, f"sample:{name}", photo.bgr, sample_licences().get(name))


def photo_from_bytes(name: str, data: bytes) -> Photo:
    """Decode an uploaded file (EXIF orientation honoured). Raises ImageError with a message
    for the user."""
    bgr = decode_image(data)
    bgr.flags.writeable = False
    return Photo(name, hashlib.sha1(data).hexdigest(), bgr)


def photo_from_upload(uploaded) -> tuple[Photo | None, str | None]:
    """A file_uploader's or camera_input's value decoded: (photo, None), or (None, a message for
    the user) when it cannot be used; (None, None) when there is no file."""
    if uploaded is None:
        return None, None
    try:
        return photo_from_bytes(uploaded.name, uploaded.getvalue()), None
    except ImageError as error:
        return None, f"This file can't be used: {error}."
    except Exception as error:  # a widget callback's failure would otherwise show a traceback
        return None, f"Something went wrong reading {plain(uploaded.name)}: {error}."


def photo_or_sample(upload: Photo | None, names: list[str], chosen: str | None) -> Photo | None:
    """`upload` when there is one, else the sample `chosen` among `names` (the first one when
    `chosen` is not among them); None when there is neither."""
    if upload is not None:
        return upload
    if not names:
        return None
    return load_sample(chosen if chosen in names else names[0])


@dataclass(frozen=True)
class PhotoInput:
    """One kind of photo a page works on: an upload (or a camera shot) that stands in for a
    bundled sample while it is there. `photo_key` and `sample_key` name its session-state
    entries; widgets drawn for it on several pages share them."""

    photo_key: str  # the uploaded or captured Photo
    sample_key: str  # the chosen sample (a selectbox), a path under samples/
    samples: Callable[[], list[str]]
    upload_label: str
    upload_help: str
    camera_label: str | None = None  # offers the device's camera when set

    def current(self) -> Photo | None:
        """The upload if there is one, else the chosen sample (the first at first); None only
        when there is neither."""
        state = st.session_state
        return photo_or_sample(
            state.get(self.photo_key), self.samples(), state.get(self.sample_key)
        )

    def render(self, prefix: str) -> None:
        """The upload, camera and sample widgets; `prefix` keeps one page's widgets apart from
        another's."""
        state = st.session_state
        generation = state.setdefault(self._generation, 0)
        upload_key = f"{prefix}_upload_{generation}"
        st.file_uploader(
            self.upload_label,
            key=upload_key,
            on_change=self._take,
            args=(upload_key,),
            help=self.upload_help,
        )  # any file: the content decides, and a file that cannot be read gets a message
        if self.camera_label and st.toggle("Use this device's camera", key=f"{prefix}_camera_on"):
            camera_key = f"{prefix}_camera_{generation}"
            st.camera_input(
                self.camera_label, key=camera_key, on_change=self._take, args=(camera_key,)
            )
        if state.get(self._error):
            st.error(state[self._error])
        names = self.samples()
        if names:
            state.setdefault(self.sample_key, names[0])
            st.selectbox(
                "Or try a sample photo",
                names,
                key=self.sample_key,
                on_change=self.use_sample,
                format_func=lambda name: name.split("/")[-1],
            )
            if state.get(self.photo_key) is not None:
                st.button(
                    "Back to the sample photo", on_click=self.use_sample, key=f"{prefix}_back"
                )

    def use_sample(self) -> None:
        """Drop the upload (and empty the upload and camera widgets): the sample is current."""
        state = st.session_state
        state[self.photo_key] = None
        state[self._error] = None
        state[self._generation] = state.get(self._generation, 0) + 1

    def _take(self, widget_key: str) -> None:
        state = st.session_state
        state[self.photo_key], state[self._error] = photo_from_upload(state.get(widget_key))

    @property
    def _error(self) -> str:
        return f"_{self.photo_key}_error"

    @property
    def _generation(self) -> str:  # bumped to empty the upload and camera widgets
        return f"_{self.photo_key}_generation"


BACK_PHOTO = PhotoInput(
    photo_key=UPLOAD,
    sample_key=SAMPLE,
    samples=sample_names,
    upload_label="Upload a photo of the receiver's back",
    upload_help=(
        "Taken from behind, standing upright, shoulders to knees in view, in good light. JPEG, "
        "PNG, WebP and most other image files; convert iPhone HEIC photos to JPEG first. The "
        "photo stays in this browser session only; nothing is saved."
    ),
)
"""The receiver's back: the photo the Photo page and the guided session work on."""


def current_photo() -> Photo | None:
    """The back photo the pages work on (BACK_PHOTO's upload or chosen sample)."""
    return BACK_PHOTO.current()


def remember(cache: dict[Hashable, T], key: Hashable, compute: Callable[[], T]) -> T:
    """`cache[key]`, computed on first use; beyond MAX_CACHED_DETECTIONS entries the oldest
    go (a session keeps a few photos, so switching back is instant)."""
    if key not in cache:
        cache[key] = compute()
        while len(cache) > MAX_CACHED_DETECTIONS:
            cache.pop(next(iter(cache)))
    return cache[key]


MALLOC_ARENAS = 2
MMAP_THRESHOLD_BYTES = 256 * 1024
"""How the server's C library hands memory back. glibc gives threads that allocate their own
malloc arenas (up to 8 per core) and seldom returns an arena's freed memory, and after the first
large block is freed it raises its threshold for mapping large blocks (pictures, arrays) on their
own to 32 MB, so later ones come from the arenas too. Streamlit runs every script run on a new
thread, so the server grew by about 25 MB a session opened and closed, freed or not (measured
with tests/ui/test_browser_memory.py: 345 -> 581 MB after 10 sessions). Two arenas and a fixed
256 KB threshold keep it to what open sessions hold."""
_M_ARENA_MAX = -8  # mallopt's parameter numbers (glibc malloc.h)
_M_MMAP_THRESHOLD = -3


@lru_cache(maxsize=1)
def limit_malloc_arenas(
    arenas: int = MALLOC_ARENAS, mmap_threshold: int = MMAP_THRESHOLD_BYTES
) -> bool:
    """Bound glibc's malloc arenas for the threads the server starts from now on, and map large
    blocks on their own so that freeing them returns them (once per process); False where the
    C library is not glibc (nothing to do there)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(_M_ARENA_MAX, arenas)) and bool(
            libc.mallopt(_M_MMAP_THRESHOLD, mmap_threshold)
        )
    except (OSError, AttributeError):
        return False


limit_malloc_arenas()  # the app imports this module in its first script run


@st.cache_resource(show_spinner=False)
def estimator() -> PoseEstimator:
    """The app's one still-image pose model, made on first use and shared by every browser
    session (the model serialises calls: one picture at a time), so memory does not grow with
    the sessions ever opened."""
    return PoseEstimator(PoseMode.STILL)


@st.cache_resource(show_spinner=False)
def hand_estimator() -> HandEstimator:
    """The app's one still-image hand model, shared by every browser session like
    `estimator()`."""
    return HandEstimator(PoseMode.STILL)


def detect(photo: Photo, view: str, box: Box | None = None) -> PhotoSearch:
    """The receiver's pose on `photo` (landmarks in image px, or None), inside `box` when
    given, with turned and padded copies tried when the upright picture fails: found once per
    session, photo, view and box (the slow step; placing points takes milliseconds)."""

    def search() -> PhotoSearch:
        with st.spinner("Looking for the body…"):
            return search_photo(photo.bgr, estimator(), view, box)

    return remember(st.session_state.setdefault(_DETECTIONS, {}), (photo.key, view, box), search)


def analyse(
    photo: Photo,
    view: str | None = None,
    taps: Taps | None = None,
    profile: Profile | None = None,
    box: Box | None = None,
) -> FinderResult:
    """All catalog points on `photo` for `view` (default: the Photo page's choice), fitted to
    the partner's `taps` and saved `profile`, the pose searched inside `box`, when given."""
    view = view or st.session_state.get(VIEW, "auto")
    height, width = photo.bgr.shape[:2]
    search = detect(photo, view, box)
    return locate_found(search.found, (width, height), None, taps, profile, search.remarks)
