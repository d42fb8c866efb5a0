"""Load the table declarations in tables.toml: the one source of column names and types."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

TABLES_FILE = Path(__file__).with_name("tables.toml")
_REQUIRED_KEYS = {"name", "dtype", "nullable", "description"}


@dataclass(frozen=True)
class Column:
    """One declared column."""

    name: str
    dtype: str
    nullable: bool
    description: str
    allowed: tuple | None = None

    @property
    def polars_type(self) -> pl.DataType:
        """The polars type this column is cast to."""
        return getattr(pl, self.dtype)()


@dataclass(frozen=True)
class Table:
    """One declared table."""

    name: str
    description: str
    key: tuple[str, ...]
    partition_by: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        """Column names in declared order."""
        return [c.name for c in self.columns]

    @property
    def schema(self) -> pl.Schema:
        """The polars schema of the table."""
        return pl.Schema({c.name: c.polars_type for c in self.columns})

    def column(self, name: str) -> Column:
        """The declared column called name."""
        return next(c for c in self.columns if c.name == name)


@cache
def load_tables() -> dict[str, Table]:
    """Read tables.toml, failing fast on a column that lacks a required key."""
    raw = tomllib.loads(TABLES_FILE.read_text(encoding="utf-8"))
    for spec in raw.values():
        if "columns_from" in spec:  # a table with another table's columns (article_events has the events columns)
            spec["columns"] = raw[spec["columns_from"]]["columns"]
    tables = {}
    for name, spec in raw.items():
        columns = []
        for col in spec["columns"]:
            missing = _REQUIRED_KEYS - col.keys()
            if missing:
                raise ValueError(f"{TABLES_FILE.name}: {name}.{col.get('name')} lacks {sorted(missing)}")
            allowed = tuple(col["allowed"]) if "allowed" in col else None
            columns.append(Column(col["name"], col["dtype"], col["nullable"], col["description"], allowed))
        tables[name] = Table(name, spec["description"], tuple(spec["key"]), tuple(spec["partition_by"]), tuple(columns))
    return tables


def table(name: str) -> Table:
    """The declared table called name."""
    return load_tables()[name]
