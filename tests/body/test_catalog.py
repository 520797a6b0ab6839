"""The point catalog and routines: the real data files, lookups, and validation at load."""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from calibration import DATA_DIR
from finder.body.catalog import CatalogError, load_catalog, normalise
from finder.body.landmarks import LANDMARK_NAMES

CODES = (
    "GB-21", "BL-10", "GV-14", "SI-15", "GV-12", "BL-15", "GV-11", "SI-11", "BL-43", "GV-9",
    "BL-18", "BL-21", "BL-23", "GV-4", "BL-52", "GB-30", "BL-40", "BL-60", "BL-62", "LI-4",
    "TE-3", "LR-3", "KI-27", "CV-6",
)  # fmt: skip


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_real_catalog_has_exactly_the_24_points(catalog):
    assert tuple(point.code for point in catalog.points) == CODES


def test_default_catalog_is_loaded_once():
    assert load_catalog() is load_catalog()


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("BL-23", "BL-23"),
        ("bl23", "BL-23"),
        ("Bl-23", "BL-23"),
        ("BI-23", "BL-23"),
        ("UB23", "BL-23"),
        ("UB-23", "BL-23"),
        ("b 23", "BL-23"),
        ("V23", "BL-23"),
        ("Bladder 23", "BL-23"),
        ("Shenshu", "BL-23"),
        ("Shen Shu", "BL-23"),
        ("Kidney Transporter", "BL-23"),
        ("Sea of Vitality", "BL-23"),
        ("B47", "BL-52"),
        ("B52", "BL-52"),
        ("Zhi Shi", "BL-52"),
        ("B54", "BL-40"),
        ("B40", "BL-40"),
        ("Urinary Bladder 40", "BL-40"),
        ("Center Crook", "BL-40"),
        ("B38", "BL-43"),
        ("Gao Huang Shu", "BL-43"),
        ("BI-21", "BL-21"),
        ("GB 10", "BL-10"),
        ("GB10", "BL-10"),
        ("gb21", "GB-21"),
        ("Jian Jing", "GB-21"),
        ("VB21", "GB-21"),
        ("Du14", "GV-14"),
        ("VG14", "GV-14"),
        ("IG15", "SI-15"),
        ("Life Gate", "GV-4"),
        ("Gallbladder 30", "GB-30"),
        ("Kunlun Mountains", "BL-60"),
        ("Urinary Bladder 62", "BL-62"),
        ("Co4", "LI-4"),
        ("GI4", "LI-4"),
        ("Hegu", "LI-4"),
        ("SJ3", "TE-3"),
        ("TW3", "TE-3"),
        ("LV-3", "LR-3"),
        ("LV 3", "LR-3"),
        ("Liv3", "LR-3"),
        ("F3", "LR-3"),
        ("Tai Chong", "LR-3"),
        ("K-27", "KI-27"),
        ("K27", "KI-27"),
        ("R27", "KI-27"),
        ("Ren6", "CV-6"),
        ("VC6", "CV-6"),
        ("Sea of Energy", "CV-6"),
    ],
)
def test_lookup_by_code_or_alias(catalog, query, code):
    assert catalog.get(query).code == code


def test_every_point_is_found_by_its_pinyin_and_english_name(catalog):
    for point in catalog.points:
        assert catalog.get(point.pinyin) is point
        assert catalog.get(point.english) is point


def test_aliases_are_unique_and_name_no_other_code(catalog):
    keys = [normalise(alias) for point in catalog.points for alias in point.aliases]
    assert [key for key, count in Counter(keys).items() if count > 1] == []
    for point in catalog.points:
        other_codes = {normalise(p.code) for p in catalog.points if p is not point}
        assert other_codes.isdisjoint(normalise(alias) for alias in point.aliases)


@pytest.mark.parametrize(("query", "suggested"), [("Shenshuu", "BL-23"), ("Kunlunn", "BL-60")])
def test_unknown_alias_raises_key_error_suggesting_a_close_code(catalog, query, suggested):
    with pytest.raises(KeyError, match=f"unknown acupressure point '{query}'.*{suggested}"):
        catalog.get(query)


def test_name_combines_code_pinyin_and_english(catalog):
    assert catalog.get("BL-23").name == "BL-23 Shenshu (Kidney Transporter)"


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("shenshu", ["BL-23"]),
        ("transporter", ["BL-15", "BL-18", "BL-21", "BL-23"]),
        ("ub-2", ["BL-21", "BL-23"]),
        ("Pillar", ["BL-10", "GV-12"]),
    ],
)
def test_search_matches_substrings_of_codes_names_and_aliases(catalog, text, codes):
    assert [point.code for point in catalog.search(text)] == codes


@pytest.mark.parametrize(
    ("codes", "flag"),
    [(("GB-21", "BL-60", "LI-4"), "avoid"), (("BL-23", "GV-4", "BL-52", "CV-6"), "caution")],
)
def test_pregnancy_flags(catalog, codes, flag):
    assert {point.code for point in catalog.points if point.pregnancy == flag} == set(codes)


def test_every_back_and_front_point_has_a_rule_on_known_landmarks(catalog):
    for point in catalog.points:
        assert (point.rule is not None) == ("hand" not in point.views), point.code
        if point.rule is None:
            continue
        for name in point.rule.landmarks():
            assert name in LANDMARK_NAMES or f"{name}_left" in LANDMARK_NAMES, point.code
        if not point.bilateral:
            assert point.rule.lateral_cun == 0, point.code


@pytest.mark.parametrize(
    ("code", "landmarks", "fraction", "lateral_cun", "up_cun"),
    [
        ("GB-30", ("greater_trochanter", "sacral_hiatus"), 1 / 3, 0, 0),
        ("SI-11", ("scapular_spine_midpoint", "scapula_inferior_angle"), 1 / 3, 0, 0),
        ("BL-23", ("L2", "L3"), 0.5, 1.5, 0),
        ("BL-52", ("L2", "L3"), 0.5, 3, 0),
        ("BL-10", ("C7",), 0, 1.3, 3.5),
        ("BL-60", ("lateral_malleolus",), 0, -0.5, 0),
        ("BL-62", ("lateral_malleolus",), 0, 0, -0.5),
        ("CV-6", ("navel",), 0, 0, -1.5),
        ("KI-27", ("clavicle_lower_border",), 0, 2, 0),
        ("LR-3", ("metatarsal_bases",), 0, 0, 0),
    ],
)
def test_rules_follow_the_reference(catalog, code, landmarks, fraction, lateral_cun, up_cun):
    rule = catalog.get(code).rule
    assert rule.landmarks() == landmarks
    assert (rule.fraction, rule.lateral_cun, rule.up_cun) == (fraction, lateral_cun, up_cun)


def test_routines_cover_the_six_concerns(catalog):
    assert [(routine.id, routine.concern) for routine in catalog.routines] == [
        ("stress", "Stress and fatigue"),
        ("upper-back", "Upper back, neck and shoulders"),
        ("lower-back", "Lower back"),
        ("digestion", "Stomach and digestion"),
        ("cold", "Cold sensitivity"),
        ("sciatica", "Sciatica and leg pain"),
    ]
    lower_back = catalog.routine("Lower back")
    assert lower_back is catalog.routine("lower-back")
    assert lower_back.points[0] == "BL-23"
    assert lower_back.points[-2:] == ("BL-60", "BL-62")  # from behind: no abdomen, no foot top
    assert not {"CV-6", "LR-3"} & set(lower_back.points)
    assert catalog.routine("upper-back").points[-2:] == ("TE-3", "LI-4")
    with pytest.raises(KeyError, match="known routines: stress"):
        catalog.routine("headache")


def test_general_cautions_say_it_is_not_diagnosis_or_treatment(catalog):
    assert len(catalog.general_cautions) == 4
    assert any("not a diagnosis or a treatment" in text for text in catalog.general_cautions)


# Validation: a modified copy of the real files must fail with the file and the entry named.

Data = dict[str, Any]


def _point(catalog: Data, code: str) -> Data:
    return next(point for point in catalog["points"] if point["code"] == code)


def _routine(routines: Data, routine_id: str) -> Data:
    return next(routine for routine in routines["routines"] if routine["id"] == routine_id)


def _set_rule(code: str, **changes: Any) -> Callable[[Data, Data], None]:
    def edit(catalog: Data, routines: Data) -> None:
        _point(catalog, code)["location"]["rule"].update(changes)

    return edit


INVALID_EDITS = [
    pytest.param(
        lambda c, r: _point(c, "BL-52")["aliases"].append("UB23"),
        "catalog.json: point 'BL-52': alias 'UB23' clashes with 'UB-23' of BL-23",
        id="alias-of-another-point",
    ),
    pytest.param(
        lambda c, r: _point(c, "BL-23")["aliases"].append("gv 4"),
        "catalog.json: point 'BL-23': alias 'gv 4' clashes with 'GV-4' of GV-4",
        id="alias-is-another-code",
    ),
    pytest.param(
        lambda c, r: _point(c, "BL-23")["aliases"].append("Shen-Shu"),
        "catalog.json: point 'BL-23': alias 'Shen-Shu' clashes with 'Shenshu' of BL-23",
        id="alias-repeated-after-normalising",
    ),
    pytest.param(
        lambda c, r: _point(c, "GV-4").update(code="BL-23", meridian="BL"),
        "catalog.json: point 'BL-23': duplicate code",
        id="duplicate-code",
    ),
    pytest.param(
        _set_rule("BL-23", between=["L9", "L3"]),
        "catalog.json: point 'BL-23': unknown landmark 'L9' in rule",
        id="unknown-landmark",
    ),
    pytest.param(
        _set_rule("BL-40", at="popliteal_crease_left"),
        "catalog.json: point 'BL-40': landmark 'popliteal_crease_left' in rule must not name",
        id="sided-landmark-with-side",
    ),
    pytest.param(
        _set_rule("GB-30", fraction=1.5),
        "catalog.json: point 'GB-30': rule fraction 1.5 is outside [0, 1]",
        id="fraction-too-large",
    ),
    pytest.param(
        _set_rule("BL-40", between=["C7", "T1"]),
        "catalog.json: point 'BL-40': rule needs exactly one of 'at' and 'between'",
        id="rule-with-two-anchors",
    ),
    pytest.param(
        _set_rule("BL-23", lateral_cun="1.5"),
        "catalog.json: point 'BL-23': rule: field 'lateral_cun' must be a number",
        id="offset-not-a-number",
    ),
    pytest.param(
        lambda c, r: _point(c, "BL-40")["location"].update(rule=None),
        "catalog.json: point 'BL-40': a point shown in the back view needs a location rule",
        id="back-point-without-rule",
    ),
    pytest.param(
        lambda c, r: _point(c, "KI-27")["location"].update(rule=None),
        "catalog.json: point 'KI-27': a point shown in the front view needs a location rule",
        id="front-point-without-rule",
    ),
    pytest.param(
        _set_rule("CV-6", at="L3"),
        "catalog.json: point 'CV-6': landmark 'L3' in rule cannot be seen in the front view",
        id="front-rule-on-a-back-landmark",
    ),
    pytest.param(
        _set_rule("BL-40", at="metatarsal_bases"),
        "catalog.json: point 'BL-40': landmark 'metatarsal_bases' in rule cannot be seen in the "
        "back view",
        id="back-rule-on-a-front-landmark",
    ),
    pytest.param(
        lambda c, r: _point(c, "GB-30").pop("region"),
        "catalog.json: point 'GB-30': missing field 'region'",
        id="missing-field",
    ),
    pytest.param(
        lambda c, r: _point(c, "BL-40")["location"].pop("hint"),
        "catalog.json: point 'BL-40': location: missing field 'hint'",
        id="missing-nested-field",
    ),
    pytest.param(
        lambda c, r: _point(c, "LI-4").update(colour="red"),
        "catalog.json: point 'LI-4': unexpected field 'colour'",
        id="extra-field",
    ),
    pytest.param(
        lambda c, r: _point(c, "LI-4")["technique"].update(duration_s=[60, 5]),
        "catalog.json: point 'LI-4': technique: field 'duration_s' must be [min, max]",
        id="duration-backwards",
    ),
    pytest.param(
        lambda c, r: _point(c, "CV-6").update(pregnancy="maybe"),
        "catalog.json: point 'CV-6': field 'pregnancy' must be null, 'avoid' or 'caution'",
        id="bad-pregnancy-flag",
    ),
    pytest.param(
        lambda c, r: _point(c, "KI-27").update(views=["side"]),
        "catalog.json: point 'KI-27': field 'views' must be a non-empty list",
        id="unknown-view",
    ),
    pytest.param(
        lambda c, r: _point(c, "TE-3").update(code="TE3"),
        "catalog.json: point 'TE3': code must look like 'BL-23'",
        id="code-without-hyphen",
    ),
    pytest.param(
        lambda c, r: c["points"][2].pop("code"),
        "catalog.json: point #3: missing field 'code'",
        id="entry-without-code",
    ),
    pytest.param(
        lambda c, r: _routine(r, "stress")["points"].append("BL-99"),
        "routines.json: routine 'stress': unknown point code 'BL-99'",
        id="routine-unknown-code",
    ),
    pytest.param(
        lambda c, r: _routine(r, "cold").update(id="stress"),
        "routines.json: routine 'stress': duplicate id",
        id="duplicate-routine-id",
    ),
    pytest.param(
        lambda c, r: _routine(r, "sciatica").pop("concern"),
        "routines.json: routine 'sciatica': missing field 'concern'",
        id="routine-missing-field",
    ),
]


@pytest.fixture(scope="module")
def real_data() -> tuple[Data, Data]:
    return tuple(
        json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
        for name in ("catalog.json", "routines.json")
    )


def _write(directory: Path, catalog: Data, routines: Data) -> Path:
    for name, data in (("catalog.json", catalog), ("routines.json", routines)):
        (directory / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return directory


def test_unmodified_copy_loads(tmp_path, real_data, catalog):
    assert load_catalog(_write(tmp_path, *real_data)) == catalog


@pytest.mark.parametrize(("edit", "message"), INVALID_EDITS)
def test_invalid_data_fails_at_load_naming_file_and_entry(tmp_path, real_data, edit, message):
    catalog, routines = copy.deepcopy(real_data)
    edit(catalog, routines)
    with pytest.raises(CatalogError) as raised:
        load_catalog(_write(tmp_path, catalog, routines))
    assert str(raised.value).startswith(message)


def test_invalid_json_names_the_file(tmp_path, real_data):
    _write(tmp_path, *real_data)
    (tmp_path / "routines.json").write_text("{", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"^routines\.json: invalid JSON"):
        load_catalog(tmp_path)


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("B23", ["BL-23"]),  # an exact alias names one point
        ("BL-2", ["BL-21", "BL-23"]),  # else every name containing it, in catalog order
        ("kidney", ["BL-23", "KI-27"]),
        ("sciatica", ["GB-30", "BL-40", "BL-62"]),  # then what points are for
    ],
)
def test_find_is_what_a_person_looking_for_text_means(catalog, text, codes):
    assert [point.code for point in catalog.find(text)] == codes
    assert len(catalog.find(" ")) == len(catalog.points)
