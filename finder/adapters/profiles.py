"""Named receiver profiles saved on this computer as JSON, one file each.

Where: `$FINDER_DATA_DIR/profiles`, else the user's data directory (`$XDG_DATA_HOME` or
`~/.local/share` on Linux, `~/Library/Application Support` on macOS, `%APPDATA%` on Windows)
under `acupressure-finder/profiles`. A profile holds taps in body coordinates (cun, see
`finder.body.fit.Profile`), never a photo. A damaged or unknown-format file is reported and never
overwritten. Saves from several processes at once are safe: each writes its own temporary file
in the folder and moves it into place in one step (readers see the old file or the new one,
never half of one); a new name is claimed with a hard link, which fails when another save got
there first, so no save that was told it succeeded is silently overwritten.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from finder.adapters.imageio import read_regular_file
from finder.body.fit import TAPPABLE, FitError, Profile, Taps

FORMAT = "acupressure-finder profile"
VERSION = 1
APP_DIR = "acupressure-finder"
NAME_MAX_CHARS = 40
NAME_PATTERN = re.compile(rf"^[\w][\w '\-.]{{0,{NAME_MAX_CHARS - 1}}}$")
MAX_FILE_BYTES = 64 * 1024
"""Largest profile file read, in bytes (a profile of every tappable landmark is about 2 kB)."""
FRAME_NOTE = (
    "taps in B-cun from the L4 midline point estimated before any tap: up toward the head, "
    "left toward the receiver's left"
)


class ProfileError(ValueError):
    """A profile cannot be read, written or named as asked; the message says why."""


@dataclass(frozen=True)
class StoredProfile:
    """One file in the store: its profile, or the reason it cannot be read."""

    path: Path
    profile: Profile | None
    problem: str | None = None

    @property
    def name(self) -> str:
        return self.profile.name if self.profile else self.path.stem


def default_directory() -> Path:
    """The profile folder for this user and platform (see the module docstring)."""
    if os.environ.get("FINDER_DATA_DIR"):
        return Path(os.environ["FINDER_DATA_DIR"]) / "profiles"
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / APP_DIR / "profiles"


def check_name(name: str) -> str:
    """The name stripped, or ProfileError when it cannot name a profile."""
    name = name.strip()
    if not NAME_PATTERN.match(name):
        raise ProfileError(
            f"a profile name has 1 to {NAME_MAX_CHARS} letters, digits, spaces, dots, hyphens or "
            "apostrophes, "
            "and starts with a letter or digit"
        )
    return name


def file_stem(name: str) -> str:
    """The file name (without .json) for a profile name: lower case, runs of other characters
    as one hyphen."""
    return re.sub(r"[^\w]+", "-", check_name(name).lower()).strip("-") or "profile"


def to_json(profile: Profile, saved: datetime) -> dict:
    return {
        "format": FORMAT,
        "version": VERSION,
        "name": profile.name,
        "stature_cm": profile.stature_cm,
        "frame": FRAME_NOTE,
        "taps_cun": {
            name: {"up": round(up, 3), "left": round(left, 3)}
            for name, (up, left) in sorted(profile.body_cun.items())
        },
        "saved": saved.isoformat(timespec="seconds"),
    }


def from_json(raw: object, source: str) -> Profile:
    """A Profile from parsed JSON; ProfileError naming `source` when it is not one."""
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ProfileError(f"{source} is not a point-finder profile")
    if raw.get("version") != VERSION:
        raise ProfileError(
            f"{source} has format version {raw.get('version')!r}; this app reads version "
            f"{VERSION}. It was left untouched: delete it or save the profile again under "
            "another name"
        )
    try:
        taps = {
            name: (float(value["up"]), float(value["left"]))
            for name, value in raw["taps_cun"].items()
        }
        stature = raw.get("stature_cm")
        profile = Profile(
            check_name(str(raw["name"])), taps, None if stature is None else float(stature)
        )
        if not taps or not all(math.isfinite(v) for uv in taps.values() for v in uv):
            raise ValueError("no finite taps")
        Taps(dict(taps), profile.stature_cm)  # the same checks as fresh taps
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError, FitError) as error:
        raise ProfileError(f"{source} is incomplete or damaged ({error})") from error
    return profile


def profile_text(profile: Profile, saved: datetime) -> str:
    """The file content for `profile`, or ProfileError when it could not be read back (a tap
    or stature that is not a finite number, a stature out of range, ...)."""
    try:
        text = json.dumps(to_json(profile, saved), indent=2, allow_nan=False) + "\n"
    except (TypeError, ValueError, OverflowError) as error:
        raise ProfileError(
            f"cannot save {profile.name!r}: taps and stature must be finite numbers ({error})"
        ) from None
    try:
        from_json(json.loads(text), "the profile")
    except ProfileError as error:
        raise ProfileError(f"cannot save {profile.name!r}: {error}") from None
    return text


class ProfileStore:
    """The profiles in one folder (created on the first save)."""

    def __init__(self, directory: Path | None = None):
        self.directory = Path(directory) if directory else default_directory()

    def path_of(self, name: str) -> Path:
        return self.directory / f"{file_stem(name)}.json"

    def read(self, path: Path) -> StoredProfile:
        """The profile in `path`, or the reason it cannot be used (whatever the file holds:
        JSON nested 100,000 deep, a number of 5,000 digits, a FIFO, ...)."""
        try:
            text = read_regular_file(path, MAX_FILE_BYTES).decode("utf-8")
            raw = json.loads(text)
            return StoredProfile(path, from_json(raw, f"profile file {path.name}"))
        except ProfileError as error:
            return StoredProfile(path, None, str(error))
        except json.JSONDecodeError:
            return StoredProfile(path, None, f"profile file {path.name} is damaged (not JSON)")
        except (ValueError, RecursionError) as error:  # over-long numbers, over-deep nesting
            problem = "nested too deeply" if isinstance(error, RecursionError) else str(error)
            return StoredProfile(path, None, f"profile file {path.name} is damaged ({problem})")
        except OSError as error:
            reason = error.strerror or str(error)
            return StoredProfile(path, None, f"profile file {path.name} cannot be read ({reason})")

    def list(self) -> list[StoredProfile]:
        """Every profile file, readable or not, by name."""
        try:
            paths = sorted(self.directory.glob("*.json")) if self.directory.is_dir() else []
        except OSError as error:
            raise ProfileError(self._folder_problem("read", error)) from None
        stored = [self.read(path) for path in paths]
        return sorted(stored, key=lambda entry: entry.name.lower())

    def _folder_problem(self, doing: str, error: OSError) -> str:
        return f"cannot {doing} profiles in {self.directory} ({error.strerror or error})"

    def load(self, name: str) -> Profile:
        """The profile called `name`; ProfileError when missing or unreadable."""
        path = self.path_of(name)
        if not path.exists():
            raise ProfileError(f"there is no profile called {name!r}")
        stored = self.read(path)
        if stored.profile is None:
            raise ProfileError(stored.problem)
        return stored.profile

    def save(self, profile: Profile, replace: bool = False) -> Path:
        """Write `profile`; an existing profile of that name is replaced only when `replace`,
        and a damaged or foreign file never is."""
        if not profile.body_cun:
            raise ProfileError("nothing to save: place at least one landmark first")
        unknown = set(profile.body_cun) - set(TAPPABLE)
        if unknown:
            raise ProfileError(f"cannot save taps of {', '.join(sorted(unknown))}")
        path = self.path_of(profile.name)
        text = profile_text(profile, datetime.now(timezone.utc))
        if path.exists():
            self._check_replaceable(path, profile, replace)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w",
                encoding="utf-8",
                dir=self.directory,
                prefix=f".{path.stem}.",
                suffix=".tmp",
                delete=False,
            ) as temporary:
                temporary.write(text)
        except OSError as error:
            raise ProfileError(self._folder_problem("save", error)) from None
        try:
            if replace and path.exists():
                os.replace(temporary.name, path)
            else:
                os.link(temporary.name, path)  # fails when another save took the name first
        except FileExistsError:
            if not path.is_file():  # a folder or a dangling link in the way
                raise ProfileError(
                    f"cannot save {path.name}: something else has that name"
                ) from None
            self._check_replaceable(path, profile, replace)
            return self.save(profile, replace)  # replacing what another save just wrote
        except OSError as error:
            raise ProfileError(self._folder_problem("save", error)) from None
        finally:
            with contextlib.suppress(FileNotFoundError):  # moved into place by os.replace
                os.unlink(temporary.name)
        return path

    def _check_replaceable(self, path: Path, profile: Profile, replace: bool) -> None:
        """ProfileError unless the file at `path` is a readable profile of this name and
        `replace` was asked for."""
        stored = self.read(path)
        if stored.profile is None:
            raise ProfileError(f"{stored.problem}; it was not overwritten")
        if stored.profile.name != check_name(profile.name) or not replace:
            raise ProfileError(
                f"a profile called {stored.profile.name!r} already exists: choose "
                "another name or replace it"
            )

    def delete(self, name: str) -> None:
        """Remove the profile file called `name` (damaged ones too)."""
        path = self.path_of(name)
        try:
            path.unlink()
        except FileNotFoundError:
            raise ProfileError(f"there is no profile called {name!r}") from None
        except OSError as error:
            raise ProfileError(self._folder_problem("delete", error)) from None
