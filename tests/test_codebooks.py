"""The codebooks in schemas/ are complete and consistent with each other and with the coder's rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemas import codebook
from schemas.codebook import load_acled_types, load_cameo, load_crosswalk

# Goldstein values of the target codes, from GDELT's CAMEO.goldsteinscale table.
TARGET_GOLDSTEIN = {
    "04": 1.0, "040": 1.0, "041": 1.0, "042": 1.9, "043": 2.8, "044": 2.5, "045": 5.0, "046": 7.0,
    "18": -9.0, "180": -9.0, "181": -9.0, "182": -9.5, "1823": -10.0, "183": -10.0, "1831": -10.0,
    "1832": -10.0, "1833": -10.0, "184": -8.0, "185": -8.0, "186": -10.0,
    "19": -10.0, "190": -10.0, "191": -9.5, "192": -9.5, "193": -10.0, "194": -10.0, "195": -10.0, "196": -9.5,
    "20": -10.0, "200": -10.0, "201": -9.5, "202": -10.0, "203": -10.0, "204": -10.0,
}
QUAD = {**dict.fromkeys(range(1, 6), 1), **dict.fromkeys(range(6, 9), 2),
        **dict.fromkeys((9, 10, 11, 12, 13, 16), 3), **dict.fromkeys((14, 15, 17, 18, 19, 20), 4)}


def test_all_twenty_roots_with_sub_codes() -> None:
    cameo = load_cameo()
    roots = {f"{n:02d}" for n in range(1, 21)}
    assert roots <= cameo.keys()
    for root in roots:
        assert any(len(c) == 3 and c.startswith(root) for c in cameo), f"root {root} has no 3-digit code"
    assert len(cameo) > 300  # CAMEO 1.1b3 has about 310 event codes
    for code, entry in cameo.items():
        assert code[:2] in roots and len(code) in (2, 3, 4) and code.isdigit(), code
        assert len(code) == 2 or code[:-1] in cameo, f"{code}: parent {code[:-1]} missing"
        assert entry.name.strip() and entry.quad_class == QUAD[int(code[:2])], code


def test_goldstein_in_range_and_matches_target_codes() -> None:
    cameo = load_cameo()
    assert all(-10.0 <= c.goldstein <= 10.0 for c in cameo.values())
    assert {code: cameo[code].goldstein for code in TARGET_GOLDSTEIN} == TARGET_GOLDSTEIN


def test_crosswalk_pairs_exist_in_acled_types() -> None:
    types, crosswalk, cameo = load_acled_types(), load_crosswalk(), load_cameo()
    assert len(types) == 25 and sorted(t.hierarchy for t in types.values()) == list(range(1, 26))
    assert {t.disorder_type for t in types.values()} <= {
        "Political violence", "Demonstrations", "Political violence; Demonstrations", "Strategic developments"}
    for (event_type, code), pair in crosswalk.items():
        assert code in cameo, code
        if event_type == "military_incident":
            assert pair in types, f"{code}: {pair} is not an ACLED type"
        else:
            assert pair == (None, None), f"{event_type} {code} must not carry an ACLED type"
        # cameo.csv's own ACLED columns must agree with the crosswalk
        assert (cameo[code].event_type, cameo[code].acled_event_type, cameo[code].acled_sub_event_type) == (
            event_type, *pair), code


def test_codes_used_by_the_coder_exist() -> None:
    cameo, crosswalk = load_cameo(), load_crosswalk()
    lines = codebook.TRIGGERS_FILE.read_text(encoding="utf-8").splitlines()
    used = {(r["type"], r["cameo"]) for r in map(json.loads, filter(str.strip, lines))}
    cues = json.loads(codebook.CUES_FILE.read_text(encoding="utf-8"))
    used |= {("military_incident", w["cameo"]) for w in cues["weapon_cameo"]}
    assert used, "no codes found in the coder's rules"
    for pair in used:
        assert pair[1] in cameo and pair in crosswalk, pair


def test_missing_column_fails_fast(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "crosswalk.csv"
    broken.write_text("event_type,cameo_code,acled_event_type\nmeeting,040,\n", encoding="utf-8")
    monkeypatch.setattr(codebook, "CROSSWALK_FILE", broken)
    load_crosswalk.cache_clear()
    try:
        with pytest.raises(ValueError, match="acled_sub_event_type"):
            load_crosswalk()
    finally:
        load_crosswalk.cache_clear()


def test_rules_version_changes_with_any_trigger_or_cue_edit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """coder_version carries a hash of the rule data, so events coded under edited rules are told apart."""
    before = codebook.rules_version()
    edited = tmp_path / "triggers.jsonl"
    edited.write_bytes(codebook.TRIGGERS_FILE.read_bytes() + b"\n")
    monkeypatch.setattr(codebook, "TRIGGERS_FILE", edited)
    codebook.rules_version.cache_clear()
    try:
        assert codebook.rules_version() != before
    finally:
        monkeypatch.undo()
        codebook.rules_version.cache_clear()
    assert codebook.rules_version() == before
