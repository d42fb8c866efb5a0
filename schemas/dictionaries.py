"""Load the actor dictionaries: countries (with IGOs) and named actors with validity periods."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

DICTIONARY_DIR = Path(__file__).resolve().parents[1] / "data" / "dictionaries"
COUNTRIES_FILE = DICTIONARY_DIR / "countries.csv"
ACTORS_FILE = DICTIONARY_DIR / "actors.csv"
COUNTRY_COLUMNS = ("iso3", "name", "aliases", "demonyms", "capital", "capital_aliases")
ACTOR_COLUMNS = ("name", "aliases", "country", "sector", "role", "valid_from", "valid_to", "source")
# The only non-ISO codes the events table allows in actor*_country.
IGO_CODES = frozenset({"UNO", "EUR", "NAT", "AFU", "ARL"})
SECTORS = frozenset({"GOV", "MIL", "REB", "COP", "IGO", "SPY", "OPP", "MED", "CRM"})
_CODE = re.compile(r"^[A-Z]{3}$")


class DictionaryError(ValueError):
    """A dictionary file is malformed: missing column, bad code, bad date."""


@dataclass(frozen=True)
class CountryEntry:
    """One country, territory or international organisation."""

    iso3: str
    name: str
    aliases: tuple[str, ...]
    demonyms: tuple[str, ...]
    capital: str
    capital_aliases: tuple[str, ...]

    @property
    def is_igo(self) -> bool:
        """True for the international organisations (UNO, EUR, NAT, AFU, ARL)."""
        return self.iso3 in IGO_CODES

    @property
    def names(self) -> tuple[str, ...]:
        """Canonical name followed by its aliases."""
        return (self.name, *self.aliases)

    @property
    def capitals(self) -> tuple[str, ...]:
        """Capital followed by its metonyms; empty when there is no capital."""
        return (self.capital, *self.capital_aliases) if self.capital else self.capital_aliases


@dataclass(frozen=True)
class ActorEntry:
    """One person, institution or armed group for one validity period."""

    name: str
    aliases: tuple[str, ...]
    country: str
    sector: str
    role: str
    valid_from: date | None
    valid_to: date | None
    source: str

    @property
    def code(self) -> str:
        """CAMEO-style actor code, country + sector, e.g. TURGOV."""
        return self.country + self.sector

    @property
    def names(self) -> tuple[str, ...]:
        """Canonical name followed by its aliases."""
        return (self.name, *self.aliases)

    def valid_on(self, day: date) -> bool:
        """True when day falls in [valid_from, valid_to]; open ends always match."""
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_to is None or day <= self.valid_to


def needs_exact_case(alias: str) -> bool:
    """True for acronyms (no lower-case letter) such as US, IS or AU, which must match case-sensitively."""
    # Case-folded, these collide with ordinary words ("us", "is", "au").
    return not any(char.islower() for char in alias)


def split_list(value: str) -> tuple[str, ...]:
    """Split a |-separated cell into its stripped, non-empty parts."""
    return tuple(part.strip() for part in value.split("|") if part.strip())


def _read_rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV with exactly the given header, as (line number, cells)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = tuple(reader.fieldnames or ())
        if header != columns:
            missing = sorted(set(columns) - set(header))
            raise DictionaryError(f"{path.name}: header {header} != {columns} (missing {missing})")
        rows = []
        for row in reader:
            # DictReader puts surplus cells under None and fills short rows with None.
            if None in row or None in row.values():
                raise DictionaryError(f"{path.name}:{reader.line_num}: expected {len(columns)} cells")
            rows.append((reader.line_num, {key: value.strip() for key, value in row.items()}))
        return rows


def _parse_date(value: str, where: str) -> date | None:
    """ISO date or None for an empty cell."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise DictionaryError(f"{where}: bad date {value!r}") from exc


def read_countries(path: Path) -> list[CountryEntry]:
    """Parse and validate a countries CSV (unique three-letter upper-case codes)."""
    entries, seen = [], set()
    for line, row in _read_rows(path, COUNTRY_COLUMNS):
        where = f"{path.name}:{line}"
        if not _CODE.match(row["iso3"]) or not row["name"]:
            raise DictionaryError(f"{where}: bad code {row['iso3']!r} or empty name")
        if row["iso3"] in seen:
            raise DictionaryError(f"{where}: duplicate code {row['iso3']}")
        seen.add(row["iso3"])
        entries.append(CountryEntry(
            row["iso3"], row["name"], split_list(row["aliases"]), split_list(row["demonyms"]),
            row["capital"], split_list(row["capital_aliases"]),
        ))
    return entries


def read_actors(path: Path, country_codes: frozenset[str]) -> list[ActorEntry]:
    """Parse and validate an actors CSV against the known country codes."""
    entries = []
    for line, row in _read_rows(path, ACTOR_COLUMNS):
        where = f"{path.name}:{line}"
        if not row["name"] or not row["role"]:
            raise DictionaryError(f"{where}: empty name or role")
        if row["country"] not in country_codes:
            raise DictionaryError(f"{where}: unknown country code {row['country']!r}")
        if row["sector"] not in SECTORS:
            raise DictionaryError(f"{where}: unknown sector {row['sector']!r}")
        start, end = _parse_date(row["valid_from"], where), _parse_date(row["valid_to"], where)
        if start and end and start > end:
            raise DictionaryError(f"{where}: valid_from {start} after valid_to {end}")
        entries.append(ActorEntry(
            row["name"], split_list(row["aliases"]), row["country"], row["sector"], row["role"],
            start, end, row["source"],
        ))
    return entries


@cache
def load_countries() -> list[CountryEntry]:
    """The bundled countries, territories and IGOs (cached; do not mutate)."""
    return read_countries(COUNTRIES_FILE)


@cache
def country_codes() -> frozenset[str]:
    """Every code in countries.csv."""
    return frozenset(entry.iso3 for entry in load_countries())


@cache
def load_actor_entries() -> list[ActorEntry]:
    """The bundled actor entries (cached; do not mutate)."""
    return read_actors(ACTORS_FILE, country_codes())


def actors_on(day: date, country: str | None = None, role: str | None = None,
              sector: str | None = None) -> list[ActorEntry]:
    """Actor entries valid on day, optionally filtered by country, role and sector."""
    return [
        entry for entry in load_actor_entries()
        if entry.valid_on(day)
        and (country is None or entry.country == country)
        and (role is None or entry.role == role)
        and (sector is None or entry.sector == sector)
    ]
