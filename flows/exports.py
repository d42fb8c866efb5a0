"""GDELT- and ACLED-format exports of the lake's events: files under <lake>/exports and their DuckDB views."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import polars as pl

from flows.lake import read_table
from transforms.exports import acled_events, gdelt_events

EXPORTS_DIR = "exports"
EXPORT_NAMES = ("gdelt_events", "acled_events")
FORMATS = ("parquet", "csv")


def export_frames(lake: Path) -> dict[str, pl.DataFrame]:
    """Both exports, derived from the full events table (and articles for url, source, ingest time)."""
    events = read_table("events", Path(lake))
    articles = read_table("articles", Path(lake), columns=["article_id", "url", "source", "ingested_at"])
    return {"gdelt_events": gdelt_events(events, articles), "acled_events": acled_events(events, articles)}


def write_exports(lake: Path, fmt: str = "parquet", out: Path | None = None) -> dict[str, Path]:
    """Write both exports as <out>/<name>.<fmt> (default out: <lake>/exports), each replaced atomically."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    folder = Path(out) if out is not None else Path(lake) / EXPORTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, frame in export_frames(lake).items():
        target = folder / f"{name}.{fmt}"
        _atomic_write(frame, target, fmt)
        paths[name] = target
    return paths


def export_views(lake: Path) -> dict[str, str]:
    """DuckDB view SQL for each Parquet export present under <lake>/exports."""
    folder = Path(lake).resolve() / EXPORTS_DIR
    views = {}
    for name in EXPORT_NAMES:
        path = folder / f"{name}.parquet"
        if path.is_file():
            views[name] = "SELECT * FROM read_parquet('" + str(path).replace("'", "''") + "')"
    return views


def _atomic_write(frame: pl.DataFrame, target: Path, fmt: str) -> None:
    """Write to a hidden temp file beside target, fsync, then os.replace: readers never see half a file."""
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        if fmt == "csv":
            frame.write_csv(tmp)
        else:
            frame.write_parquet(tmp, compression="zstd")
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
