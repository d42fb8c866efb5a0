"""The Parquet lake: conformed, hive-partitioned, idempotent and atomic table writes."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from schemas.tables import Table, table

PART_FILE = "part-0.parquet"
STAGING_DIR = ".staging"
LOCK_FILE = ".lock"
ZSTD_LEVEL = 3  # fixed so output bytes do not depend on library defaults changing


class LakeBusyError(RuntimeError):
    """Another run holds the lake lock."""


@dataclass(frozen=True)
class WriteResult:
    """What one write_table call did."""

    table: str
    rows_written: int
    partitions: list[str]
    path: Path


def conform(df: pl.DataFrame, table_name: str) -> pl.DataFrame:
    """Select, order and strictly cast df's columns to the declared schema of table_name."""
    spec = table(table_name)
    columns = []
    for col in spec.columns:
        if col.name not in df.columns:
            if not col.nullable:
                raise ValueError(f"{table_name}: non-nullable column {col.name!r} is missing")
            columns.append(pl.Series(col.name, [None] * df.height, dtype=col.polars_type))
            continue
        try:
            series = _cast(df.get_column(col.name), col.polars_type)
        except (pl.exceptions.PolarsError, TypeError) as exc:
            raise ValueError(f"{table_name}: column {col.name!r} cannot be cast to {col.dtype}: {exc}") from exc
        if not col.nullable and series.null_count():
            raise ValueError(f"{table_name}: non-nullable column {col.name!r} has {series.null_count()} null(s)")
        columns.append(series)
    return pl.DataFrame(columns, schema=spec.schema)


def _cast(series: pl.Series, dtype: pl.DataType) -> pl.Series:
    """Strict cast; ISO strings are parsed for Date/Datetime (polars 2 no longer casts them).

    Time-zone-aware datetimes become naive UTC, the convention of every Datetime column.
    """
    if series.dtype == pl.String and dtype == pl.Date:
        return series.str.to_date("%Y-%m-%d", strict=True)
    if series.dtype == pl.String and isinstance(dtype, pl.Datetime):
        return series.str.to_datetime(time_unit=dtype.time_unit, strict=True)
    return series.cast(dtype, strict=True)


def read_table(table_name: str, lake: Path, where: pl.Expr | None = None) -> pl.DataFrame:
    """All partitions of table_name in lake (only the rows matching where, filtered while scanning), conformed; an
    empty typed frame when there are none."""
    spec = table(table_name)
    root = Path(lake) / table_name
    if not data_files(root):
        return pl.DataFrame(schema=spec.schema)
    hive_schema = {name: spec.schema[name] for name in spec.partition_by} or None
    scan = pl.scan_parquet(
        str(root / "**" / "*.parquet"), hive_partitioning=bool(spec.partition_by), hive_schema=hive_schema
    )
    df = (scan.filter(where) if where is not None else scan).collect()
    if df.is_empty():
        return pl.DataFrame(schema=spec.schema)
    return conform(df, table_name)


def write_table(df: pl.DataFrame, table_name: str, lake: Path) -> WriteResult:
    """Upsert df into table_name on its key; each touched partition is rewritten atomically.

    Rows whose key already exists anywhere in the table are removed from their old partition, so
    an event whose date moved is not left behind. That costs one scan of the key columns of every
    partition file per call: fine for a lake of thousands of partitions, revisit beyond that.
    Call under lake_lock(): stale staging dirs are cleared on entry.
    """
    spec = table(table_name)
    lake, root = Path(lake), Path(lake) / table_name
    _clean_staging(lake)
    new = conform(df, table_name).unique(subset=list(spec.key), keep="last", maintain_order=True)
    if new.is_empty():
        return WriteResult(table_name, 0, [], root)
    incoming = _split_partitions(new, spec)
    holders = _partitions_holding(new.select(spec.key), root, spec)
    staging = lake / STAGING_DIR / uuid.uuid4().hex
    staging.mkdir(parents=True)
    try:
        # Target partitions first, then pure removals: a crash in between leaves a duplicate
        # (fixed by the rerun) rather than a lost row.
        order = sorted(incoming) + sorted(holders - incoming.keys())
        for rel in order:
            _rewrite_partition(root / rel, rel, incoming.get(rel), new, spec, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return WriteResult(table_name, new.height, [str(p) for p in order], root)


def delete_keys(keys: pl.DataFrame, table_name: str, lake: Path) -> int:
    """Remove the rows with these keys from every partition of table_name (atomic per partition); returns how many partitions changed."""
    spec = table(table_name)
    lake, root = Path(lake), Path(lake) / table_name
    if keys.is_empty():
        return 0
    keys = conform_keys(keys, spec)
    holders = _partitions_holding(keys, root, spec)
    staging = lake / STAGING_DIR / uuid.uuid4().hex
    staging.mkdir(parents=True)
    try:
        for rel in sorted(holders):
            _rewrite_partition(root / rel, rel, None, keys, spec, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return len(holders)


def conform_keys(keys: pl.DataFrame, spec: Table) -> pl.DataFrame:
    """Key columns cast to their declared types."""
    return keys.select([pl.col(k).cast(spec.column(k).polars_type) for k in spec.key])


@contextlib.contextmanager
def lake_lock(lake: Path, timeout: float = 0.0) -> Iterator[Path]:
    """Hold an exclusive flock on <lake>/.lock, waiting at most timeout seconds for it."""
    lake = Path(lake)
    lake.mkdir(parents=True, exist_ok=True)
    path = lake / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LakeBusyError(f"another run holds the lake lock: {path}") from None
                time.sleep(0.05)
        try:
            yield path
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        # The lock file stays: unlinking it would let a third run lock a different inode.
        os.close(fd)


def _clean_staging(lake: Path) -> None:
    """Remove staging dirs left by crashed runs (the lake lock guarantees none is live)."""
    staging = lake / STAGING_DIR
    if staging.is_dir():
        for child in staging.iterdir():
            shutil.rmtree(child, ignore_errors=True)


def data_files(root: Path) -> list[Path]:
    """Every Parquet file under a table directory, skipping hidden paths."""
    if not root.is_dir():
        return []
    return sorted(
        p for p in root.rglob("*.parquet") if not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def _partition_path(values: tuple, spec: Table) -> PurePosixPath:
    """The hive path of one partition, e.g. year=2020/month=2 ('.' when unpartitioned)."""
    return PurePosixPath(*(f"{name}={value}" for name, value in zip(spec.partition_by, values)))


def _partition_values(rel: PurePosixPath, spec: Table) -> dict[str, pl.Expr]:
    """Literal expressions for the partition columns encoded in a hive path."""
    raw = dict(part.split("=", 1) for part in rel.parts if "=" in part)
    return {name: pl.lit(raw[name]).cast(spec.schema[name], strict=True) for name in spec.partition_by}


def _split_partitions(new: pl.DataFrame, spec: Table) -> dict[PurePosixPath, pl.DataFrame]:
    """The incoming rows grouped by the partition they belong in."""
    if not spec.partition_by:
        return {PurePosixPath(): new}
    groups = new.partition_by(list(spec.partition_by), as_dict=True, maintain_order=True)
    return {_partition_path(values, spec): frame for values, frame in groups.items()}


def _read_partition(path: Path, rel: PurePosixPath, spec: Table, columns: list[str] | None = None) -> pl.DataFrame:
    """Rows (or only some columns) of one partition file, partition columns restored from its path."""
    wanted = columns or spec.column_names
    in_file = [c for c in wanted if c not in spec.partition_by]
    df = pl.read_parquet(path, columns=in_file, hive_partitioning=False)
    df = df.with_columns(**{k: v for k, v in _partition_values(rel, spec).items() if k in wanted})
    return df.select(pl.col(c).cast(spec.schema[c]) for c in wanted)


def _partitions_holding(keys: pl.DataFrame, root: Path, spec: Table) -> set[PurePosixPath]:
    """Partitions that already hold any of the given keys (reads only the key columns)."""
    holders = set()
    for path in data_files(root):
        if path.name != PART_FILE:
            continue
        rel = PurePosixPath(path.parent.relative_to(root).as_posix())
        existing = _read_partition(path, rel, spec, list(spec.key))
        if not existing.join(keys, on=list(spec.key), how="semi", nulls_equal=True).is_empty():
            holders.add(rel)
    return holders


def _rewrite_partition(
    directory: Path, rel: PurePosixPath, rows: pl.DataFrame | None, new: pl.DataFrame, spec: Table, staging: Path
) -> None:
    """Replace one partition with (old rows minus incoming keys) + its incoming rows."""
    target = directory / PART_FILE
    key = list(spec.key)
    merged = rows  # None: a pure removal (new then holds only the keys to remove)
    if target.exists():
        old = _read_partition(target, rel, spec).join(new.select(key), on=key, how="anti", nulls_equal=True)
        merged = old if merged is None else pl.concat([old, merged])
    if merged is None or merged.is_empty():
        target.unlink(missing_ok=True)
        _prune_empty_dirs(directory, directory.parents[len(rel.parts) - 1] if rel.parts else directory)
        return
    data = _parquet_bytes(merged.sort(key, nulls_last=True), spec)
    if target.exists() and target.read_bytes() == data:
        return  # unchanged: keep the file (and its mtime) as it is
    directory.mkdir(parents=True, exist_ok=True)
    _atomic_write(data, target, staging)


def _parquet_bytes(df: pl.DataFrame, spec: Table) -> bytes:
    """Deterministic Parquet bytes for df, partition columns left to the hive path."""
    data = df.drop(list(spec.partition_by)).to_arrow(compat_level=pl.CompatLevel.oldest())
    # Declare non-nullable columns REQUIRED so BI tools see NOT NULL; conform() already checked.
    fields = [f.with_nullable(spec.column(f.name).nullable) for f in data.schema]
    data = data.cast(pa.schema(fields))
    sink = pa.BufferOutputStream()
    pq.write_table(
        data, sink, compression="zstd", compression_level=ZSTD_LEVEL, write_statistics=True, store_schema=True
    )
    return sink.getvalue().to_pybytes()


def _atomic_write(data: bytes, target: Path, staging: Path) -> None:
    """Write data to a staging file, fsync it, rename it over target and fsync the directory."""
    tmp = staging / f"{uuid.uuid4().hex}.parquet"
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # makes the rename itself durable
    finally:
        os.close(dir_fd)


def _prune_empty_dirs(directory: Path, root: Path) -> None:
    """Remove directory and its parents below the table root once they are empty."""
    current = directory
    while current != root:
        try:
            current.rmdir()
        except OSError:
            return
        current = current.parent
