"""What the finder knows, as reviewable data files (catalog, body model, routines), with sources."""

from importlib.resources import files

DATA_DIR = files(__name__)
