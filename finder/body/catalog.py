"""The point catalog and guided routines, read from `calibration/` and validated at load.

`calibration/catalog.json` holds one entry per acupressure point (names, aliases, WHO location in
our own words, the rule that places it on the body model, technique, cautions);
`calibration/routines.json` holds the routines by concern and the general cautions.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from calibration import DATA_DIR
from finder.body.landmarks import ANTERIOR_LANDMARKS, LANDMARK_NAMES, POSTERIOR_LANDMARKS, SIDES

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

VIEWS = ("back", "front", "hand")
PLACED_VIEWS = ("back", "front")  # the views the body model places points in
HIDDEN_IN_VIEW = {"back": ANTERIOR_LANDMARKS, "front": POSTERIOR_LANDMARKS}
PREGNANCY_FLAGS = ("avoid", "caution")
_CODE = re.compile(r"([A-Z]{2})-[0-9]{1,3}")
_SIDE_SUFFIXES = tuple(f"_{side}" for side in SIDES)


class CatalogError(ValueError):
    """A calibration file is malformed; the message names the file and the entry."""


def normalise(text: str) -> str:
    """Lookup key for codes and aliases: upper case, letters and digits only ("Bl-23" -> "BL23")."""
    return "".join(char for char in text.upper() if char.isalnum())


@dataclass(frozen=True)
class LocationRule:
    """Where a point sits relative to body-model landmarks.

    The anchor is the landmark `at`, or `A + fraction * (B - A)` for `between = (A, B)`. Sided
    landmarks are named without `_left`/`_right`: the locator adds the point's side. From the
    anchor, `lateral_cun` runs perpendicular to the body axis (positive = away from the midline,
    toward the point's side) and `up_cun` along the body's up axis (positive = toward the head).
    """

    at: str | None
    between: tuple[str, str] | None
    fraction: float
    lateral_cun: float
    up_cun: float

    def landmarks(self) -> tuple[str, ...]:
        """The landmark names this rule needs, sided ones without their side suffix."""
        if self.between is not None:
            return self.between
        return (self.at,) if self.at is not None else ()


@dataclass(frozen=True)
class Technique:
    """How to press: a pressing time range per point in seconds and a plain instruction."""

    duration_s: tuple[int, int]
    how: str

    @property
    def seconds(self) -> str:
        """The pressing time for a person: "30 s" or "40–60 s"."""
        low, high = self.duration_s
        return f"{low} s" if low == high else f"{low}–{high} s"


@dataclass(frozen=True)
class Point:
    """One acupressure point. `rule` is None for points the body model cannot place yet."""

    code: str
    meridian: str
    aliases: tuple[str, ...]
    pinyin: str
    hanzi: str
    english: str
    region: str
    bilateral: bool
    views: tuple[str, ...]
    who_location: str
    hint: str
    rule: LocationRule | None
    indications: tuple[str, ...]
    technique: Technique
    cautions: tuple[str, ...]
    pregnancy: str | None
    source: str

    @property
    def name(self) -> str:
        """Display name, e.g. "BL-23 Shenshu (Kidney Transporter)"."""
        return f"{self.code} {self.pinyin} ({self.english})"


@dataclass(frozen=True)
class Routine:
    """A guided sequence of points for one concern."""

    id: str
    concern: str
    points: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    """All points and routines, with lookup by code or any alias (pinyin, English, old codes)."""

    points: tuple[Point, ...]
    routines: tuple[Routine, ...]
    general_cautions: tuple[str, ...]
    spine_guide: str  # how to find a vertebra by touch from WHO's surface landmarks
    cun_guide: str  # what a cun is, in the receiver's finger widths
    _by_key: dict[str, Point] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_key: dict[str, Point] = {}
        for point in self.points:
            for name in (point.code, *point.aliases):
                by_key.setdefault(normalise(name), point)
        object.__setattr__(self, "_by_key", by_key)

    def get(self, code_or_alias: str) -> Point:
        """The point named `code_or_alias` ("BL-23", "ub 23", "B47", "Shenshu", ...).

        Raises KeyError naming the closest known codes.
        """
        key = normalise(code_or_alias)
        if key in self._by_key:
            return self._by_key[key]
        codes = self.close_codes(code_or_alias)
        if codes:
            hint = f"did you mean {', '.join(codes)}?"
        else:
            hint = f"known codes: {', '.join(point.code for point in self.points)}"
        raise KeyError(f"unknown acupressure point {code_or_alias!r}; {hint}")

    def search(self, text: str) -> list[Point]:
        """Points whose code, name or an alias contains `text`, compared like `normalise`."""
        needle = normalise(text)
        return [
            point
            for point in self.points
            if any(needle in normalise(name) for name in (point.name, *point.aliases))
        ]

    def close_codes(self, text: str, count: int = 5) -> tuple[str, ...]:
        """Codes of the points whose code or alias is spelled most like `text` ("BL-32" ->
        BL-23, ...), best first; () when none is close."""
        close = difflib.get_close_matches(normalise(text), self._by_key, n=count, cutoff=0.6)
        return tuple(dict.fromkeys(self._by_key[match].code for match in close))

    def find(self, text: str) -> list[Point]:
        """What a person looking for `text` means (the command line's `info` and the app's
        library): the one point a code or alias names exactly ("B23"); else the points whose
        name or alias contains it, then those whose uses mention it ("sciatica"); all points
        for empty text."""
        if not normalise(text):
            return list(self.points)
        exact = self._by_key.get(normalise(text))
        if exact is not None:
            return [exact]
        found = self.search(text)
        needle = text.strip().lower()
        return found + [
            point
            for point in self.points
            if point not in found and any(needle in use.lower() for use in point.indications)
        ]

    def routine(self, id_or_concern: str) -> Routine:
        """The routine with this id ("lower-back") or concern ("Lower back")."""
        key = normalise(id_or_concern)
        for routine in self.routines:
            if key in (normalise(routine.id), normalise(routine.concern)):
                return routine
        known = ", ".join(routine.id for routine in self.routines)
        raise KeyError(f"unknown routine {id_or_concern!r}; known routines: {known}")


def load_catalog(directory: Traversable | None = None) -> Catalog:
    """Read and validate catalog.json and routines.json from `directory`.

    The default is the packaged `calibration/` data, loaded once and cached. Raises CatalogError.
    """
    if directory is None:
        return _load_default()
    return _load(directory)


@functools.lru_cache(maxsize=1)
def _load_default() -> Catalog:
    return _load(DATA_DIR)


def _load(directory: Traversable) -> Catalog:
    catalog = _fields(
        _read_json(directory, "catalog.json"),
        "catalog.json",
        {"source": _TEXT, "points": _LIST},
    )
    points = tuple(_point(raw, index) for index, raw in enumerate(catalog["points"]))
    _check_names(points)
    routines = _fields(
        _read_json(directory, "routines.json"),
        "routines.json",
        {
            "source": _TEXT,
            "spine_guide": _TEXT,
            "cun_guide": _TEXT,
            "general_cautions": _TEXTS,
            "routines": _LIST,
        },
    )
    codes = {point.code for point in points}
    parsed = tuple(_routine(raw, index, codes) for index, raw in enumerate(routines["routines"]))
    ids = [routine.id for routine in parsed]
    for routine in parsed:
        if ids.count(routine.id) > 1:
            raise CatalogError(f"routines.json: routine {routine.id!r}: duplicate id")
    return Catalog(
        points,
        parsed,
        tuple(routines["general_cautions"]),
        routines["spine_guide"],
        routines["cun_guide"],
    )


def _read_json(directory: Traversable, filename: str) -> Any:
    try:
        return json.loads((directory / filename).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise CatalogError(f"{filename}: invalid JSON: {error}") from error


# A field check: what the value must be (for the message) and a test.
_Check = tuple[str, Callable[[Any], bool]]


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_list_of(test: Callable[[Any], bool], value: Any) -> bool:
    return isinstance(value, list) and all(test(item) for item in value)


_TEXT: _Check = ("a non-empty string", _is_text)
_TEXTS: _Check = ("a list of non-empty strings", lambda value: _is_list_of(_is_text, value))
_NUMBER: _Check = ("a number", _is_number)
_LIST: _Check = ("a list", lambda value: isinstance(value, list))
_OBJECT: _Check = ("an object", lambda value: isinstance(value, dict))
_RULE: _Check = ("an object or null", lambda value: value is None or isinstance(value, dict))
_PAIR: _Check = (
    "a list of two landmark names",
    lambda value: _is_list_of(_is_text, value) and len(value) == 2,
)
_VIEWS: _Check = (
    f"a non-empty list of distinct views from {VIEWS}",
    lambda value: _is_list_of(VIEWS.__contains__, value) and 0 < len(value) == len(set(value)),
)
_LATERALITY: _Check = ("'bilateral' or 'midline'", ("bilateral", "midline").__contains__)
_PREGNANCY: _Check = (
    "null, 'avoid' or 'caution'",
    lambda value: value is None or value in PREGNANCY_FLAGS,
)
_DURATION: _Check = (
    "[min, max] whole seconds with 0 < min <= max",
    lambda value: (
        _is_list_of(lambda item: isinstance(item, int) and not isinstance(item, bool), value)
        and len(value) == 2
        and 0 < value[0] <= value[1]
    ),
)
_CODES: _Check = (
    "a non-empty list of point codes",
    lambda value: _is_list_of(_is_text, value) and len(value) > 0,
)

_POINT_FIELDS: dict[str, _Check] = {
    "code": _TEXT,
    "meridian": _TEXT,
    "aliases": _TEXTS,
    "pinyin": _TEXT,
    "hanzi": _TEXT,
    "english": _TEXT,
    "region": _TEXT,
    "laterality": _LATERALITY,
    "views": _VIEWS,
    "location": _OBJECT,
    "indications": _TEXTS,
    "technique": _OBJECT,
    "cautions": _TEXTS,
    "pregnancy": _PREGNANCY,
    "source": _TEXT,
}
_RULE_FIELDS: dict[str, _Check] = {
    "at": _TEXT,
    "between": _PAIR,
    "fraction": _NUMBER,
    "lateral_cun": _NUMBER,
    "up_cun": _NUMBER,
}


def _fields(
    value: Any, where: str, required: dict[str, _Check], optional: dict[str, _Check] | None = None
) -> dict[str, Any]:
    """Check that `value` is an object with the `required` fields, at most the `optional` ones
    besides, each passing its check; return it."""
    optional = optional or {}
    if not isinstance(value, dict):
        raise CatalogError(f"{where}: expected an object, got {json.dumps(value)[:60]}")
    for key in required:
        if key not in value:
            raise CatalogError(f"{where}: missing field {key!r}")
    for key, item in value.items():
        check = required.get(key) or optional.get(key)
        if check is None:
            raise CatalogError(f"{where}: unexpected field {key!r}")
        expected, test = check
        if not test(item):
            shown = json.dumps(item, ensure_ascii=False)[:60]
            raise CatalogError(f"{where}: field {key!r} must be {expected}, got {shown}")
    return value


def _entry(kind: str, raw: Any, key: str, index: int) -> str:
    """How an error names a list entry: by its code or id if it has one, else by position."""
    if isinstance(raw, dict) and _is_text(raw.get(key)):
        return f"{kind} {raw[key]!r}"
    return f"{kind} #{index + 1}"


def _point(raw: Any, index: int) -> Point:
    where = f"catalog.json: {_entry('point', raw, 'code', index)}"
    _fields(raw, where, _POINT_FIELDS)
    code = _CODE.fullmatch(raw["code"])
    if code is None:
        raise CatalogError(f"{where}: code must look like 'BL-23'")
    if raw["meridian"] != code[1]:
        raise CatalogError(f"{where}: meridian {raw['meridian']!r} does not match the code")
    location = _fields(
        raw["location"], f"{where}: location", {"who": _TEXT, "hint": _TEXT, "rule": _RULE}
    )
    rule = None if location["rule"] is None else _rule(location["rule"], where, raw["views"])
    for view in PLACED_VIEWS:
        if rule is None and view in raw["views"]:
            raise CatalogError(f"{where}: a point shown in the {view} view needs a location rule")
    technique = _fields(
        raw["technique"], f"{where}: technique", {"duration_s": _DURATION, "how": _TEXT}
    )
    return Point(
        code=raw["code"],
        meridian=raw["meridian"],
        aliases=tuple(raw["aliases"]),
        pinyin=raw["pinyin"],
        hanzi=raw["hanzi"],
        english=raw["english"],
        region=raw["region"],
        bilateral=raw["laterality"] == "bilateral",
        views=tuple(raw["views"]),
        who_location=location["who"],
        hint=location["hint"],
        rule=rule,
        indications=tuple(raw["indications"]),
        technique=Technique(tuple(technique["duration_s"]), technique["how"]),
        cautions=tuple(raw["cautions"]),
        pregnancy=raw["pregnancy"],
        source=raw["source"],
    )


def _rule(raw: Any, where: str, views: list[str]) -> LocationRule:
    _fields(raw, f"{where}: rule", {}, _RULE_FIELDS)
    if ("at" in raw) == ("between" in raw):
        raise CatalogError(f"{where}: rule needs exactly one of 'at' and 'between'")
    if ("fraction" in raw) != ("between" in raw):
        raise CatalogError(f"{where}: rule needs 'fraction' with 'between', and only then")
    fraction = raw.get("fraction", 0.0)
    if not 0 <= fraction <= 1:
        raise CatalogError(f"{where}: rule fraction {fraction} is outside [0, 1]")
    for name in [raw["at"]] if "at" in raw else raw["between"]:
        if name.endswith(_SIDE_SUFFIXES):
            raise CatalogError(
                f"{where}: landmark {name!r} in rule must not name a side (the locator adds it)"
            )
        if name not in LANDMARK_NAMES and f"{name}_left" not in LANDMARK_NAMES:
            raise CatalogError(f"{where}: unknown landmark {name!r} in rule")
        for view in views:
            if {name, f"{name}_left"} & HIDDEN_IN_VIEW.get(view, frozenset()):
                raise CatalogError(
                    f"{where}: landmark {name!r} in rule cannot be seen in the {view} view"
                )
    return LocationRule(
        at=raw.get("at"),
        between=tuple(raw["between"]) if "between" in raw else None,
        fraction=float(fraction),
        lateral_cun=float(raw.get("lateral_cun", 0.0)),
        up_cun=float(raw.get("up_cun", 0.0)),
    )


def _check_names(points: tuple[Point, ...]) -> None:
    """Codes and aliases must name one point each after `normalise`; an alias may repeat its own
    point's code ("BL23" for BL-23)."""
    owners: dict[str, tuple[str, str]] = {}  # key -> (code of the point, spelling that claimed it)
    for point in points:
        key = normalise(point.code)
        if key in owners:
            raise CatalogError(f"catalog.json: point {point.code!r}: duplicate code")
        owners[key] = (point.code, point.code)
    for point in points:
        for alias in point.aliases:
            key = normalise(alias)
            if not key:
                raise CatalogError(f"catalog.json: point {point.code!r}: empty alias {alias!r}")
            owner = owners.get(key)
            if owner is None:
                owners[key] = (point.code, alias)
            elif owner != (point.code, point.code):
                raise CatalogError(
                    f"catalog.json: point {point.code!r}: alias {alias!r} clashes with "
                    f"{owner[1]!r} of {owner[0]}"
                )


def _routine(raw: Any, index: int, codes: set[str]) -> Routine:
    where = f"routines.json: {_entry('routine', raw, 'id', index)}"
    _fields(raw, where, {"id": _TEXT, "concern": _TEXT, "points": _CODES})
    for code in raw["points"]:
        if code not in codes:
            raise CatalogError(f"{where}: unknown point code {code!r}")
    return Routine(raw["id"], raw["concern"], tuple(raw["points"]))
