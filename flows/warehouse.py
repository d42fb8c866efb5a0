"""A DuckDB file of views over the Parquet lake, for BI tools and ad-hoc SQL."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import duckdb

from flows.lake import data_files
from schemas.tables import Table, table

DB_FILE = "eventpipe.duckdb"
LAKE_TABLES = ("articles", "events", "article_events", "mentions", "actors", "rejects")
# polars dtype name -> DuckDB type; only the names tables.toml uses.
DUCKDB_TYPES = {
    "String": "VARCHAR",
    "Int8": "TINYINT",
    "Int32": "INTEGER",
    "Int64": "BIGINT",
    "Float64": "DOUBLE",
    "Boolean": "BOOLEAN",
    "Date": "DATE",
    "Datetime": "TIMESTAMP",
}
# sum() of BIGINT is HUGEINT in DuckDB, which many BI drivers cannot read: cast it back.
DAILY_COUNTS_SQL = """
SELECT event_date, event_type, location_country,
       count(*) AS n_events,
       CAST(sum(fatalities) AS BIGINT) AS fatalities
FROM events
GROUP BY event_date, event_type, location_country
"""


def build_duckdb(lake: Path, extra_views: dict[str, str] | None = None) -> Path:
    """(Re)create <lake>/eventpipe.duckdb with one view per lake table, daily_counts and extra_views."""
    lake = Path(lake).resolve()
    extra_views = extra_views or {}
    clash = set(extra_views) & {*LAKE_TABLES, "daily_counts"}
    if clash:
        raise ValueError(f"extra_views would replace built-in view(s): {sorted(clash)}")
    target = lake / DB_FILE
    # Same directory as the target, so os.replace is an atomic rename on one filesystem.
    tmp = lake / f".{DB_FILE}.{uuid.uuid4().hex}.tmp"
    lake.mkdir(parents=True, exist_ok=True)
    try:
        with duckdb.connect(str(tmp)) as con:
            for name in LAKE_TABLES:
                con.execute(f"CREATE VIEW {_ident(name)} AS {_table_sql(table(name), lake)}")
            con.execute(f"CREATE VIEW daily_counts AS {DAILY_COUNTS_SQL}")
            for name, sql in extra_views.items():  # hooks, e.g. gdelt_events, acled_events
                con.execute(f"CREATE VIEW {_ident(name)} AS {sql}")
            con.execute("CHECKPOINT")
        _fsync(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
    return target


def query(lake: Path, sql: str) -> list[tuple]:
    """Run sql against the lake's DuckDB file (built first if missing) and return all rows."""
    db = Path(lake) / DB_FILE
    if not db.exists():
        build_duckdb(lake)
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _table_sql(spec: Table, lake: Path) -> str:
    """SELECT over the table's Parquet files, or a typed empty SELECT when it has none yet."""
    casts = ", ".join(f"CAST({_ident(c.name)} AS {DUCKDB_TYPES[c.dtype]}) AS {_ident(c.name)}" for c in spec.columns)
    if not data_files(lake / spec.name):
        nulls = ", ".join(f"CAST(NULL AS {DUCKDB_TYPES[c.dtype]}) AS {_ident(c.name)}" for c in spec.columns)
        return f"SELECT {nulls} WHERE false"
    pattern = _literal(f"{lake / spec.name}/**/*.parquet")
    options = "hive_partitioning = true"
    if spec.partition_by:
        types = ", ".join(f"{_literal(p)}: {DUCKDB_TYPES[spec.column(p).dtype]}" for p in spec.partition_by)
        options += f", hive_types = {{{types}}}"
    return f"SELECT {casts} FROM read_parquet({pattern}, {options})"


def _ident(name: str) -> str:
    """A double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    """A single-quoted SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _fsync(path: Path) -> None:
    """Flush a file to disk before it is renamed into place."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
