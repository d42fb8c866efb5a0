"""The DuckDB warehouse: views over the lake, daily counts, hooks, atomic rebuild."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from flows.lake import write_table
from flows.warehouse import DB_FILE, DUCKDB_TYPES, LAKE_TABLES, build_duckdb, query
from schemas.tables import table
from tests.test_lake import random_rows


def _declared(name: str) -> list[tuple[str, str]]:
    """(column, DuckDB type) pairs a view must expose, in declared order."""
    return [(c.name, DUCKDB_TYPES[c.dtype]) for c in table(name).columns]


def _described(lake: Path, view: str) -> list[tuple[str, str]]:
    """(column, type) pairs DuckDB reports for a view."""
    return [(row[0], row[1]) for row in query(lake, f"DESCRIBE {view}")]


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    """A lake with events (several partitions) and actors written, the other tables missing."""
    write_table(random_rows("events", 50, seed=11), "events", tmp_path)
    write_table(random_rows("actors", 7, seed=12), "actors", tmp_path)
    return tmp_path


def test_every_view_is_queryable_with_declared_columns(lake: Path) -> None:
    db = build_duckdb(lake)
    assert db == lake.resolve() / DB_FILE and db.is_file()
    counts = {name: query(lake, f"SELECT count(*) FROM {name}")[0][0] for name in LAKE_TABLES}
    assert counts == {"articles": 0, "events": 50, "article_events": 0, "mentions": 0, "actors": 7, "rejects": 0}
    for name in LAKE_TABLES:  # present and missing tables alike: BI tools see the full schema
        assert _described(lake, name) == _declared(name)
    assert query(lake, "SELECT count(*) FROM daily_counts")[0][0] > 0


def test_views_return_the_written_values(lake: Path) -> None:
    build_duckdb(lake)
    expected = random_rows("events", 50, seed=11).sort("event_id")
    columns = ["event_id", "year", "month", "event_date", "fatalities", "background"]
    rows = query(lake, f"SELECT {', '.join(columns)} FROM events ORDER BY event_id")
    assert rows == list(expected.select(columns).iter_rows())


def test_daily_counts_match_polars(lake: Path) -> None:
    build_duckdb(lake)
    keys = ["event_date", "event_type", "location_country"]
    fatalities = pl.col("fatalities")
    expected = (
        random_rows("events", 50, seed=11)
        .group_by(keys)
        # DuckDB's sum over only nulls is NULL (unknown), polars' is 0: mirror DuckDB.
        .agg(n_events=pl.len().cast(pl.Int64), fatalities=pl.when(fatalities.count() > 0).then(fatalities.sum()))
    )
    got = query(lake, "SELECT * FROM daily_counts")
    assert [c for c, _ in _described(lake, "daily_counts")] == [*keys, "n_events", "fatalities"]
    assert dict(_described(lake, "daily_counts"))["fatalities"] == "BIGINT"  # not HUGEINT
    assert sorted(got, key=repr) == sorted(expected.iter_rows(), key=repr)


def test_views_see_new_partitions_without_rebuild(lake: Path) -> None:
    build_duckdb(lake)
    write_table(random_rows("events", 5, seed=99), "events", lake)
    assert query(lake, "SELECT count(*) FROM events")[0][0] == 55


def test_extra_views_hook(lake: Path) -> None:
    build_duckdb(lake, {"gdelt_events": "SELECT event_id, cameo_code FROM events WHERE quad_class = 4"})
    n_conflict = random_rows("events", 50, seed=11).filter(pl.col("quad_class") == 4).height
    assert query(lake, "SELECT count(*) FROM gdelt_events")[0][0] == n_conflict
    with pytest.raises(ValueError, match="events"):
        build_duckdb(lake, {"events": "SELECT 1"})


def test_rebuild_replaces_db_and_leaves_no_temp_files(lake: Path) -> None:
    build_duckdb(lake, {"acled_events": "SELECT 1 AS x"})
    write_table(random_rows("articles", 3), "articles", lake)
    build_duckdb(lake)
    assert query(lake, "SELECT count(*) FROM articles")[0][0] == 3
    with pytest.raises(duckdb.CatalogException):  # the old db (with acled_events) was replaced
        query(lake, "SELECT * FROM acled_events")
    assert sorted(p.name for p in lake.iterdir() if "duckdb" in p.name) == [DB_FILE]


def test_failed_build_keeps_previous_db(lake: Path) -> None:
    build_duckdb(lake)
    before = (lake / DB_FILE).read_bytes()
    with pytest.raises(duckdb.Error):
        build_duckdb(lake, {"broken": "SELECT * FROM no_such_table"})
    assert (lake / DB_FILE).read_bytes() == before
    assert sorted(p.name for p in lake.iterdir() if "duckdb" in p.name) == [DB_FILE]


def test_query_builds_missing_db_and_handles_quotes_in_path(tmp_path: Path) -> None:
    lake = tmp_path / "o'lake"
    write_table(random_rows("rejects", 4), "rejects", lake)
    assert query(lake, "SELECT count(*) FROM rejects") == [(4,)]
    assert (lake / DB_FILE).is_file()
