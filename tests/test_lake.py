"""The Parquet lake: conform, idempotent atomic upserts, hive layout, lock."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import tempfile
import time
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from flows import lake as lake_mod
from flows.lake import LakeBusyError, WriteResult, conform, lake_lock, read_table, write_table
from schemas.tables import Column, table

_TOKEN = "abcdefghijklmnopqrstuvwxyz0123456789"


def _value(col: Column, rng: random.Random, i: int, unique: bool) -> object:
    """One valid random value for a declared column."""
    if unique:
        return f"{col.name}-{i:05d}-{rng.randrange(16**6):06x}"
    if col.allowed:
        return rng.choice(col.allowed)
    if col.nullable and rng.random() < 0.2:
        return None
    return {
        "String": lambda: "".join(rng.choices(_TOKEN, k=rng.randint(1, 12))),
        "Int8": lambda: rng.randint(-128, 127),
        "Int32": lambda: rng.randint(2018, 2022) if col.name == "year" else rng.randint(1, 12),
        "Int64": lambda: rng.randint(0, 10_000),
        "Float64": lambda: rng.uniform(-10, 10),
        "Boolean": lambda: rng.random() < 0.5,
        "Date": lambda: dt.date(2018, 1, 1) + dt.timedelta(days=rng.randrange(5 * 365)),
        "Datetime": lambda: dt.datetime(2024, 1, 1) + dt.timedelta(microseconds=rng.randrange(10**13)),
    }[col.dtype]()


def random_rows(table_name: str, n: int, seed: int = 0) -> pl.DataFrame:
    """N valid random rows of a declared table, unique on its key."""
    spec, rng = table(table_name), random.Random(seed)
    unique = next(c for c in spec.key if spec.column(c).dtype == "String" and not spec.column(c).allowed)
    data = {c.name: [_value(c, rng, i, c.name == unique) for i in range(n)] for c in spec.columns}
    df = pl.DataFrame(data, schema=spec.schema)
    if "event_date" in df.columns:  # events partition by their own date, as the coder writes them
        df = df.with_columns(year=pl.col("event_date").dt.year(), month=pl.col("event_date").dt.month())
    return conform(df, table_name)


def _sorted(df: pl.DataFrame, table_name: str) -> pl.DataFrame:
    """Rows ordered by the table key, for order-free comparison."""
    return df.sort(list(table(table_name).key), nulls_last=True)


def _hashes(lake: Path) -> dict[str, str]:
    """sha256 of every Parquet file in the lake, by relative path."""
    return {str(p.relative_to(lake)): hashlib.sha256(p.read_bytes()).hexdigest() for p in lake.rglob("*.parquet")}


# --- conform ---------------------------------------------------------------------------------


def test_conform_orders_casts_fills_and_drops_extras() -> None:
    df = random_rows("actors", 3).drop("role", "sector")
    as_text = pl.col("valid_from").cast(pl.String)
    shuffled = df.select(reversed(df.columns)).with_columns(extra=pl.lit(1), valid_from=as_text)
    out = conform(shuffled, "actors")
    assert out.schema == table("actors").schema
    assert out["role"].null_count() == 3
    assert out.columns == table("actors").column_names
    assert_frame_equal(out.drop("role", "sector"), df.select(out.drop("role", "sector").columns))


def test_conform_raises_on_nulls_in_non_nullable() -> None:
    df = random_rows("events", 3).with_columns(cameo_code=pl.lit(None, pl.String))
    with pytest.raises(ValueError, match="'cameo_code'.*null"):
        conform(df, "events")


def test_conform_raises_on_missing_non_nullable() -> None:
    with pytest.raises(ValueError, match="'event_type' is missing"):
        conform(random_rows("events", 2).drop("event_type"), "events")


def test_conform_parses_iso_strings_and_converts_aware_datetimes_to_utc() -> None:
    df = random_rows("rejects", 2).with_columns(
        rejected_at=pl.Series([dt.datetime(2024, 1, 1, 13, tzinfo=dt.timezone(dt.timedelta(hours=1)))] * 2)
    )
    assert conform(df, "rejects")["rejected_at"].to_list() == [dt.datetime(2024, 1, 1, 12)] * 2
    df = random_rows("articles", 1).with_columns(
        published=pl.lit("2020-02-29"), ingested_at=pl.lit("2024-01-01T00:00:01")
    )
    out = conform(df, "articles")
    assert out["published"].to_list() == [dt.date(2020, 2, 29)]
    assert out["ingested_at"].to_list() == [dt.datetime(2024, 1, 1, 0, 0, 1)]


def test_conform_cast_is_strict() -> None:
    df = random_rows("events", 2).with_columns(fatalities=pl.Series(["3", "many"]))
    with pytest.raises(ValueError, match="'fatalities'"):
        conform(df, "events")
    with pytest.raises(ValueError, match="'quad_class'"):  # 300 does not fit Int8: no silent wrap
        conform(random_rows("events", 1).with_columns(quad_class=pl.lit(300)), "events")


# --- layout and round trip -------------------------------------------------------------------


def test_hive_layout_zstd_statistics(tmp_path: Path) -> None:
    events = random_rows("events", 30, seed=1)
    result = write_table(events, "events", tmp_path)
    write_table(random_rows("actors", 5), "actors", tmp_path)
    assert isinstance(result, WriteResult) and result.rows_written == 30 and result.path == tmp_path / "events"
    expected = {f"year={y}/month={m}" for y, m in events.select("year", "month").unique().iter_rows()}
    assert set(result.partitions) == expected
    root = tmp_path / "events"
    assert {str(p.parent.relative_to(root)) for p in root.rglob("*.parquet")} == expected
    assert (tmp_path / "actors" / "part-0.parquet").is_file()
    meta = pq.ParquetFile(next((tmp_path / "events").rglob("part-0.parquet"))).metadata
    column = meta.row_group(0).column(0)
    assert column.compression == "ZSTD" and column.statistics is not None and column.statistics.has_min_max
    assert "year" not in meta.schema.names  # partition values live in the path only
    assert meta.created_by.startswith("parquet-cpp-arrow version")


_events = table("events")


@st.composite
def _event_frames(draw: st.DrawFn, min_size: int = 0) -> pl.DataFrame:
    """Random valid events, including awkward unicode, extreme ints and floats."""
    by_type = {
        "String": st.text(max_size=8),
        "Int8": st.integers(-128, 127),
        "Int64": st.integers(-(2**63), 2**63 - 1),
        "Float64": st.floats(allow_nan=True),
        "Boolean": st.booleans(),
        "Date": st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)),
    }
    fields = {}
    for col in _events.columns:
        base = st.sampled_from(col.allowed) if col.allowed else by_type.get(col.dtype, st.just(0))
        fields[col.name] = st.none() | base if col.nullable else base
    fields["year"], fields["month"] = st.integers(2019, 2020), st.integers(1, 2)  # few partitions: fast
    row = st.fixed_dictionaries(fields)
    rows = draw(st.lists(row, min_size=min_size, max_size=12, unique_by=lambda r: r["event_id"]))
    return pl.DataFrame(rows, schema=_events.schema)


_FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_FAST
@given(_event_frames())
def test_roundtrip_random_events(events: pl.DataFrame) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        write_table(events, "events", Path(tmp))
        assert_frame_equal(_sorted(read_table("events", Path(tmp)), "events"), _sorted(events, "events"))


@_FAST
@given(_event_frames(min_size=1), _event_frames(), st.randoms(use_true_random=False))
def test_two_batches_upsert_like_a_dict(first: pl.DataFrame, second: pl.DataFrame, rng: random.Random) -> None:
    # Re-send some first-batch keys in the second batch, possibly in another partition.
    reused = rng.sample(first["event_id"].to_list(), k=min(len(first), len(second)))
    ids = reused + second["event_id"].to_list()[len(reused) :]
    second = second.with_columns(event_id=pl.Series(ids, dtype=pl.String))
    second = second.unique("event_id", keep="first", maintain_order=True)
    with tempfile.TemporaryDirectory() as tmp:
        write_table(first, "events", Path(tmp))
        write_table(second, "events", Path(tmp))
        got = read_table("events", Path(tmp))
    expected = pl.concat([first.join(second.select("event_id"), on="event_id", how="anti"), second])
    assert got["event_id"].is_unique().all()
    assert_frame_equal(_sorted(got, "events"), _sorted(expected, "events"))


def test_read_missing_table_is_empty_with_schema(tmp_path: Path) -> None:
    df = read_table("mentions", tmp_path)
    assert df.is_empty() and df.schema == table("mentions").schema


def test_polars_scan_parquet_reads_events(tmp_path: Path) -> None:
    events = random_rows("events", 20, seed=2)
    write_table(events, "events", tmp_path)
    got = pl.scan_parquet(tmp_path / "events", hive_partitioning=True).collect()
    assert set(got.columns) == set(events.columns) and got.height == 20
    assert_frame_equal(_sorted(conform(got, "events"), "events"), _sorted(events, "events"))


# --- idempotence and upserts -----------------------------------------------------------------


def test_rerun_leaves_byte_identical_files(tmp_path: Path) -> None:
    events = random_rows("events", 40, seed=3)
    write_table(events, "events", tmp_path)
    first = _hashes(tmp_path)
    write_table(events.sample(fraction=1.0, shuffle=True, seed=7), "events", tmp_path)
    assert _hashes(tmp_path) == first


def test_same_rows_in_any_order_encode_to_same_bytes(tmp_path: Path) -> None:
    # Fresh lakes, so the "skip unchanged file" shortcut cannot hide a nondeterministic encoder.
    events = random_rows("events", 40, seed=4)
    write_table(events, "events", tmp_path / "a")
    write_table(events.reverse(), "events", tmp_path / "b")
    assert _hashes(tmp_path / "a") == _hashes(tmp_path / "b") != {}


def test_upsert_replaces_row_and_keeps_one_per_key(tmp_path: Path) -> None:
    events = random_rows("events", 10, seed=5)
    write_table(events, "events", tmp_path)
    changed = events.head(1).with_columns(fatalities=pl.lit(99, pl.Int64), confidence=pl.lit(0.5))
    write_table(changed, "events", tmp_path)
    got = read_table("events", tmp_path)
    assert got.height == 10 and got["event_id"].is_unique().all()
    row = got.filter(pl.col("event_id") == changed["event_id"][0])
    assert row["fatalities"].to_list() == [99] and row["confidence"].to_list() == [0.5]


def test_delete_keys_removes_only_those_rows(tmp_path: Path) -> None:
    """Reclustering deletes merged events that no longer head a cluster, from partitions that keep other rows."""
    events = random_rows("events", 30, seed=11)
    write_table(events, "events", tmp_path)
    doomed = events.head(7).select("event_id")
    changed = lake_mod.delete_keys(doomed, "events", tmp_path)
    got = read_table("events", tmp_path)
    assert changed >= 1 and got.height == 23
    assert not set(got["event_id"]) & set(doomed["event_id"])
    assert_frame_equal(_sorted(got, "events"), _sorted(events.tail(23), "events"))
    assert lake_mod.delete_keys(events.select("event_id"), "events", tmp_path) >= 1
    assert read_table("events", tmp_path).is_empty() and not list((tmp_path / "events").rglob("*.parquet"))


def test_duplicate_keys_in_one_batch_last_wins(tmp_path: Path) -> None:
    rows = random_rows("actors", 1)
    batch = pl.concat([rows, rows.with_columns(role=pl.lit("president"))])
    assert write_table(batch, "actors", tmp_path).rows_written == 1
    assert read_table("actors", tmp_path)["role"].to_list() == ["president"]


def test_nullable_key_column_still_upserts(tmp_path: Path) -> None:
    rows = random_rows("actors", 1).with_columns(valid_from=pl.lit(None, pl.Date))
    write_table(rows, "actors", tmp_path)
    write_table(rows.with_columns(source=pl.lit("v2")), "actors", tmp_path)
    assert read_table("actors", tmp_path)["source"].to_list() == ["v2"]


def test_moved_event_leaves_no_duplicate(tmp_path: Path) -> None:
    base = random_rows("events", 2, seed=6).with_columns(year=pl.lit(2020), month=pl.lit(2))
    write_table(base, "events", tmp_path)
    moved = base.head(1).with_columns(event_date=pl.lit(dt.date(2021, 5, 3)), year=pl.lit(2021), month=pl.lit(5))
    result = write_table(moved, "events", tmp_path)
    assert result.partitions == ["year=2021/month=5", "year=2020/month=2"]
    got = read_table("events", tmp_path)
    assert got.height == 2 and got["event_id"].is_unique().all()
    assert got.filter(pl.col("event_id") == moved["event_id"][0])["year"].to_list() == [2021]
    # Moving the last row out of a partition removes its file and empty directories.
    write_table(base.tail(1).with_columns(year=pl.lit(2022)), "events", tmp_path)
    assert not (tmp_path / "events" / "year=2020").exists()
    assert read_table("events", tmp_path).height == 2


# --- atomicity and locking -------------------------------------------------------------------


def test_failed_replace_keeps_old_partition(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = random_rows("actors", 3)
    write_table(rows, "actors", tmp_path)
    before = _hashes(tmp_path)

    def crash(*_: object) -> None:
        raise OSError("simulated crash")

    monkeypatch.setattr(lake_mod.os, "replace", crash)
    with pytest.raises(OSError, match="simulated"):
        write_table(rows.with_columns(role=pl.lit("x")), "actors", tmp_path)
    assert _hashes(tmp_path) == before
    assert list((tmp_path / ".staging").iterdir()) == []


def test_stale_staging_dirs_are_cleaned(tmp_path: Path) -> None:
    stale = tmp_path / ".staging" / "dead-run"
    stale.mkdir(parents=True)
    (stale / "half.parquet").write_bytes(b"PAR1 partial")
    write_table(random_rows("actors", 2), "actors", tmp_path)
    assert not stale.exists()
    assert read_table("actors", tmp_path).height == 2


def test_lock_refuses_second_holder(tmp_path: Path) -> None:
    with lake_lock(tmp_path) as path:
        assert path == tmp_path / ".lock"
        with pytest.raises(LakeBusyError, match="another run holds the lake lock: .*\\.lock"):
            with lake_lock(tmp_path):
                pass
    with lake_lock(tmp_path):  # released on exit
        pass


def test_lock_waits_for_timeout_before_giving_up(tmp_path: Path) -> None:
    with lake_lock(tmp_path):
        start = time.monotonic()
        with pytest.raises(LakeBusyError):
            with lake_lock(tmp_path, timeout=0.2):
                pass
        assert time.monotonic() - start >= 0.2


def test_rewrite_streams_a_partition_in_bounded_row_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A round's upsert reads and writes the old partition a row group at a time, so a month of wire news never
    sits in memory whole; every row survives several rounds of appends and replacements."""
    monkeypatch.setattr(lake_mod, "ROW_GROUP_ROWS", 7)
    events = random_rows("events", 60, seed=21).with_columns(year=pl.lit(2024, pl.Int32), month=pl.lit(5, pl.Int32))
    for start in range(0, 60, 20):  # three rounds into one partition
        write_table(events.slice(start, 20), "events", tmp_path)
    changed = events.slice(5, 10).with_columns(fatalities=pl.lit(7, pl.Int64))
    write_table(changed, "events", tmp_path)
    files = list((tmp_path / "events").rglob("*.parquet"))
    assert len(files) == 1
    meta = pq.ParquetFile(files[0]).metadata
    assert meta.num_row_groups >= 60 // 7 and all(meta.row_group(i).num_rows <= 7 for i in range(meta.num_row_groups))
    got = read_table("events", tmp_path)
    expected = pl.concat([events.filter(~pl.col("event_id").is_in(changed["event_id"].to_list())), changed])
    assert_frame_equal(_sorted(got, "events"), _sorted(conform(expected, "events"), "events"))
