"""The Parquet lake: conformed, hive-partitioned, idempotent and atomic table writes."""

from __future__ import annotations

import contextlib
import filecmp
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
ROW_GROUP_ROWS = 10_000  # rows read or written at a time when a partition is rewritten: bounds memory (50,000 still grew)


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


def read_table(table_name: str, lake: Path, where: pl.Expr | None = None,
               columns: list[str] | None = None) -> pl.DataFrame:
    """All partitions of table_name in lake (only the rows matching where, filtered while scanning), conformed; an
    empty typed frame when there are none. With columns, only those (cast to their declared types) are read."""
    spec = table(table_name)
    schema = spec.schema if columns is None else pl.Schema({c: spec.schema[c] for c in columns})
    root = Path(lake) / table_name
    if not data_files(root):
        return pl.DataFrame(schema=schema)
    hive_schema = {name: spec.schema[name] for name in spec.partition_by} or None
    scan = pl.scan_parquet(
        str(root / "**" / "*.parquet"), hive_partitioning=bool(spec.partition_by), hive_schema=hive_schema
    )
    scan = scan.filter(where) if where is not None else scan
    if columns is not None:
        return scan.select(pl.col(c).cast(schema[c]) for c in columns).collect()
    df = scan.collect()
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
    """Replace one partition with (old rows minus incoming keys) + its incoming rows.

    The old file is streamed a row group at a time, so memory stays bounded by ROW_GROUP_ROWS however large the
    partition grows (a month of wire news); rows keep their order, incoming rows follow, sorted by key.
    """
    target = directory / PART_FILE
    key = list(spec.key)
    incoming = None if rows is None or rows.is_empty() else rows.drop(list(spec.partition_by)).sort(key, nulls_last=True)
    tmp = staging / f"{uuid.uuid4().hex}.parquet"
    writer = _PartWriter(tmp, spec)
    if target.exists():
        old = pq.ParquetFile(target)
        for group in range(old.num_row_groups):
            kept = pl.from_arrow(old.read_row_group(group)).join(new.select(key), on=key, how="anti", nulls_equal=True)
            writer.add(kept)
    if incoming is not None:
        writer.add(incoming)
    if not writer.close():
        target.unlink(missing_ok=True)
        _prune_empty_dirs(directory, directory.parents[len(rel.parts) - 1] if rel.parts else directory)
        return
    if target.exists() and filecmp.cmp(tmp, target, shallow=False):
        tmp.unlink()
        return  # unchanged: keep the file (and its mtime) as it is
    directory.mkdir(parents=True, exist_ok=True)
    _atomic_replace(tmp, target)


class _PartWriter:
    """Writes frames to one deterministic Parquet file in row groups of ROW_GROUP_ROWS (created on the first row)."""

    def __init__(self, path: Path, spec: Table) -> None:
        self.path, self.spec = path, spec
        self.pending: list[pl.DataFrame] = []
        self.buffered = 0
        self.rows = 0
        self.writer: pq.ParquetWriter | None = None

    def add(self, df: pl.DataFrame) -> None:
        """Queue rows (partition columns already dropped); full row groups are written out."""
        if df.is_empty():
            return
        self.pending.append(df)
        self.buffered += df.height
        while self.buffered >= ROW_GROUP_ROWS:
            self._flush(ROW_GROUP_ROWS)

    def close(self) -> int:
        """Write what is left, finish the file; returns the rows written (0: no file was made)."""
        if self.buffered:
            self._flush(self.buffered)
        if self.writer is not None:
            self.writer.close()
            with open(self.path, "rb") as fh:
                os.fsync(fh.fileno())
        return self.rows

    def _flush(self, n: int) -> None:
        frame = pl.concat(self.pending, rechunk=False)
        head, rest = frame.head(n), frame.slice(n)
        data = _arrow_table(head, self.spec)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, data.schema, compression="zstd", compression_level=ZSTD_LEVEL,
                                           write_statistics=True, store_schema=True)
        self.writer.write_table(data, row_group_size=ROW_GROUP_ROWS)
        self.rows += head.height
        self.pending, self.buffered = ([rest] if rest.height else []), rest.height


def _arrow_table(df: pl.DataFrame, spec: Table) -> pa.Table:
    """df (partition columns dropped) as Arrow with the declared nullability, the form every part file is written in."""
    data = df.select([c for c in spec.column_names if c not in spec.partition_by]).to_arrow(
        compat_level=pl.CompatLevel.oldest())
    # Declare non-nullable columns REQUIRED so BI tools see NOT NULL; conform() already checked.
    fields = [f.with_nullable(spec.column(f.name).nullable) for f in data.schema]
    return data.cast(pa.schema(fields))


def _atomic_replace(tmp: Path, target: Path) -> None:
    """Rename a finished (fsynced) staging file over target and fsync the directory."""
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
