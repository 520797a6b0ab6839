"""Saved receiver profiles: round trip, listing, replacing, deleting, damaged and old files."""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import re
from pathlib import Path

import pytest

from finder.adapters.profiles import ProfileError, ProfileStore, default_directory
from finder.body.fit import Profile

ALEX = Profile("Alex", {"C7": (21.5, 0.3), "acromion_left": (20.1, 8.7)}, 172.0)


@pytest.fixture
def store(tmp_path):
    return ProfileStore(tmp_path / "profiles")


def test_a_saved_profile_reads_back_the_same(store):
    path = store.save(ALEX)
    assert path.parent == store.directory and path.name == "alex.json"
    assert store.load("Alex") == ALEX
    assert [entry.name for entry in store.list()] == ["Alex"]
    saved = json.loads(path.read_text())
    assert saved["version"] == 1 and "cun" in saved["frame"]  # self-describing, no photo


def test_a_name_is_never_silently_reused(store):
    store.save(ALEX)
    with pytest.raises(ProfileError, match="already exists"):
        store.save(Profile("Alex", {"C7": (1.0, 0.0)}))
    with pytest.raises(ProfileError, match="already exists"):
        store.save(Profile("alex", {"C7": (1.0, 0.0)}))  # same file, other spelling
    edited = Profile("Alex", {"C7": (22.0, 0.0)}, None)
    store.save(edited, replace=True)
    assert store.load("Alex") == edited


def test_delete_removes_the_profile(store):
    store.save(ALEX)
    store.delete("Alex")
    assert store.list() == []
    with pytest.raises(ProfileError, match="no profile called 'Alex'"):
        store.load("Alex")
    with pytest.raises(ProfileError, match="no profile called"):
        store.delete("Alex")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "damaged (not JSON)"),
        (json.dumps({"hello": 1}), "not a point-finder profile"),
        (
            json.dumps({"format": "acupressure-finder profile", "version": 0, "name": "Kim"}),
            "format version 0",
        ),
        (
            json.dumps({"format": "acupressure-finder profile", "version": 1, "name": "Kim"}),
            "incomplete or damaged",
        ),
        (
            json.dumps(
                {
                    "format": "acupressure-finder profile",
                    "version": 1,
                    "name": "Kim",
                    "taps_cun": {"T4": {"up": 1, "left": 0}},
                }
            ),
            "cannot tap T4",
        ),
    ],
)
def test_a_damaged_or_old_profile_is_reported_and_never_overwritten(store, content, message):
    store.directory.mkdir(parents=True)
    path = store.directory / "kim.json"
    path.write_text(content)
    (entry,) = store.list()
    assert entry.profile is None and message in entry.problem
    with pytest.raises(ProfileError, match=re.escape(message)):
        store.load("Kim")
    with pytest.raises(ProfileError, match="not overwritten"):
        store.save(Profile("Kim", {"C7": (20.0, 0.0)}), replace=True)
    assert path.read_text() == content
    store.delete("Kim")  # the partner may still remove it
    assert not path.exists()


@pytest.mark.parametrize("name", ["", "   ", "-dash", "x" * 41, "a/b", "../up"])
def test_bad_names_are_refused(store, name):
    with pytest.raises(ProfileError, match="profile name"):
        store.save(Profile(name, {"C7": (20.0, 0.0)}))


def test_an_empty_profile_is_not_saved(store):
    with pytest.raises(ProfileError, match="nothing to save"):
        store.save(Profile("Empty", {}))


def test_the_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("FINDER_DATA_DIR", str(tmp_path))
    assert default_directory() == tmp_path / "profiles"
    monkeypatch.delenv("FINDER_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_directory() == tmp_path / "xdg" / "acupressure-finder" / "profiles"


# -- hostile files, values that could not be read back, unusable folders --------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[" * 20_000 + "]" * 20_000, "damaged (nested too deeply)"),
        (
            "[" * 100_000 + "]" * 100_000,
            "cannot be read (file too large (195 kB; the limit is 64 kB))",
        ),
        ('{"format": ' + "9" * 5_000 + "}", "damaged (Exceeds the limit"),
        (
            '{"format": "acupressure-finder profile", "version": 1, "name": "Kim", '
            '"taps_cun": {"C7": {"up": 1e999, "left": 0}}}',
            "incomplete or damaged (no finite taps)",
        ),
        ("\udcff".encode("utf-8", "surrogateescape").decode("latin-1"), "damaged"),
    ],
)
def test_a_hostile_file_is_listed_as_damaged_beside_the_good_ones(store, content, message):
    store.save(ALEX)
    (store.directory / "hostile.json").write_text(content, encoding="latin-1")
    listed = {entry.name: entry for entry in store.list()}
    assert listed["Alex"].profile == ALEX
    assert listed["hostile"].profile is None and message in listed["hostile"].problem


def test_a_fifo_named_like_a_profile_does_not_block_the_list(store):
    store.save(ALEX)
    os.mkfifo(store.directory / "pipe.json")
    listed = {entry.name: entry for entry in store.list()}
    assert "not a regular file (a FIFO)" in listed["pipe"].problem


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        (Profile("Nan", {"C7": (math.nan, 0.0)}), "finite numbers"),
        (Profile("Inf", {"C7": (1.0, math.inf)}), "finite numbers"),
        (Profile("Huge", {"C7": (1e300, 0.0)}, 172.0), None),
        (Profile("Tall", {"C7": (1.0, 0.0)}, math.nan), "finite numbers"),
        (Profile("Short", {"C7": (1.0, 0.0)}, -170.0), "height must lie between"),
    ],
)
def test_a_profile_that_could_not_be_read_back_is_not_written(store, profile, message):
    if message is None:  # a finite value, however odd, reads back
        store.save(profile)
        assert store.load(profile.name) == profile
        return
    with pytest.raises(ProfileError, match=message):
        store.save(profile)
    assert store.list() == []
    store.save(Profile(profile.name, {"C7": (1.0, 0.0)}))  # the name is not blocked


def test_an_unusable_folder_gives_a_profile_error(tmp_path):
    a_file = tmp_path / "profiles"
    a_file.write_text("")
    with pytest.raises(ProfileError, match=r"cannot save profiles in .*profiles"):
        ProfileStore(a_file).save(ALEX)
    assert ProfileStore(a_file).list() == []
    read_only = Path("/proc/finder-profiles") if os.geteuid() == 0 else tmp_path / "locked"
    if os.geteuid() != 0:
        read_only.mkdir(mode=0o555)
    with pytest.raises(ProfileError, match="cannot save profiles in"):
        ProfileStore(read_only).save(ALEX)


# -- saves from several processes at once ---------------------------------------------------


def _save_many(directory: str, worker: int, names: int, saves: int, replace: bool) -> dict:
    """`saves` saves of profiles named P0 .. P<names-1>; what this process was told."""
    store = ProfileStore(Path(directory))
    told = {"saved": [], "refused": [], "raised": []}
    for i in range(saves):
        name = f"P{i % names}"
        profile = Profile(name, {"C7": (float(worker), float(i))})
        try:
            store.save(profile, replace=replace)
            told["saved"].append((name, worker, i))
        except ProfileError as error:
            told["refused"].append(str(error))
        except Exception as error:  # what must never happen
            told["raised"].append(repr(error))
    return told


def _read_until(directory: str, stop, seen) -> None:
    """List the store until `stop` is set; put (lists made, problems seen) on `seen`."""
    store, lists, problems = ProfileStore(Path(directory)), 0, []
    while not stop.is_set():
        problems += [entry.problem for entry in store.list() if entry.problem]
        lists += 1
    seen.put((lists, problems))


@pytest.mark.slow
@pytest.mark.parametrize("processes", [2, 3])
def test_processes_saving_at_once_lose_nothing(tmp_path, processes):
    """New names without replace: each name is reported saved once, by the process whose
    profile is in the file. The same names with replace: every save succeeds, and a process
    listing the store all the while never finds a file damaged. 1,000 saves per process."""
    context = multiprocessing.get_context("fork")
    new, same = tmp_path / "new", tmp_path / "same"
    with context.Pool(processes) as pool:
        told = pool.starmap(
            _save_many, [(str(new), w, 1000, 1000, False) for w in range(processes)]
        )
    assert [t["raised"] for t in told] == [[]] * processes
    saved = [entry for t in told for entry in t["saved"]]
    assert len({name for name, _, _ in saved}) == len(saved) == 1000  # once each, none lost
    store = ProfileStore(new)
    for name, worker, i in saved:
        assert store.load(name).body_cun == {"C7": (float(worker), float(i))}
    assert all("already exists" in r for t in told for r in t["refused"])
    stop, seen = context.Event(), context.Queue()
    reader = context.Process(target=_read_until, args=(str(same), stop, seen))
    reader.start()
    with context.Pool(processes) as pool:
        told = pool.starmap(_save_many, [(str(same), w, 5, 1000, True) for w in range(processes)])
    stop.set()
    lists, problems = seen.get(timeout=60)
    reader.join()
    assert lists > 0 and problems == []  # a reader never saw half a file
    assert [(t["raised"], t["refused"]) for t in told] == [([], [])] * processes
    assert [entry.problem for entry in ProfileStore(same).list()] == [None] * 5
    assert sorted(p.name for p in same.iterdir()) == [f"p{i}.json" for i in range(5)]
