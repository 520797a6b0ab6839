"""Bundled sample photos (package data): backs for the Photo page and the live benchmark, hands
for the Hand page. Licences in LICENSES.md beside them."""

from pathlib import Path

SAMPLES_DIR = Path(__file__).resolve().parent
