"""Saved receiver profiles: round trip, listing, replacing, deleting, damaged and old files."""

from __future__ import annotations

import json
import re

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
