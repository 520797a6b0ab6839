"""ANSUR II public data (6,068 adults, CSV files `ansur_ii_male.csv` and `ansur_ii_female.csv`)
as rows and as synthetic back-view bodies. The folder is always passed in (the CLI's `--ansur`,
by default `../shared/data/anthropometry` relative to the working directory)."""

from __future__ import annotations

import csv
from pathlib import Path

from finder.body.synthetic import SyntheticBody, body_from_ansur

DEFAULT_ANSUR_DIR = Path("../shared/data/anthropometry")


def read_ansur(directory: Path) -> list[dict[str, str]]:
    """All ANSUR II rows (men then women), each with a `sex` key: "male" or "female"."""
    rows = []
    for sex in ("male", "female"):
        with open(directory / f"ansur_ii_{sex}.csv", encoding="latin-1", newline="") as handle:
            rows.extend({**row, "sex": sex} for row in csv.DictReader(handle))
    return rows


def ansur_bodies(directory: Path) -> list[SyntheticBody]:
    """Every ANSUR II subject as a synthetic back-view body."""
    return [body_from_ansur(row) for row in read_ansur(directory)]
