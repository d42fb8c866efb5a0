"""Kill `eventpipe run` mid-flight, and compare lakes: shared by tests/test_crash.py and benchmarks/kill_rerun.py."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from flows.lake import STAGING_DIR, lake_lock, read_table
from schemas.tables import table

ROOT = Path(__file__).resolve().parents[2]
EVENTPIPE = Path(sys.executable).with_name("eventpipe")
COMPARED = ("articles", "events", "mentions", "rejects")
VOLATILE = ("run_id", "rejected_at", "ingested_at")  # differ between any two runs by design


@dataclass
class Killed:
    """What a killed run had done when it died."""

    seconds: float  # after start
    returncode: int
    tables_present: list[str]  # tables with at least one Parquet file at the kill
    articles_rows: int


def run_cli(inputs: list[Path], lake: Path, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess:
    """`eventpipe run` as a subprocess, to completion."""
    args = [str(EVENTPIPE), "run", *(f"--input={p}" for p in inputs), f"--lake={lake}"]
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def _write_started(lake: Path) -> bool:
    """True once the run has begun writing Parquet (staging dir or any table file exists)."""
    return (lake / STAGING_DIR).exists() or any(lake.glob("*/**/*.parquet"))


def kill_run(inputs: list[Path], lake: Path, env: dict[str, str], *, after: float | None = None,
             in_write: float | None = None, timeout: float = 600) -> Killed:
    """Start `eventpipe run` and SIGKILL its process group after `after` s, or `in_write` s into the write phase."""
    args = [str(EVENTPIPE), "run", *(f"--input={p}" for p in inputs), f"--lake={lake}"]
    started = time.monotonic()
    # own session: the kill takes Prefect's ephemeral server (a child process) down with the run
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        while proc.poll() is None and time.monotonic() - started < timeout:
            if after is not None and time.monotonic() - started >= after:
                break
            if in_write is not None and _write_started(lake):
                time.sleep(in_write)
                break
            time.sleep(0.01)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        returncode = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    present = [name for name in (*COMPARED, "actors") if any((lake / name).glob("**/*.parquet"))]
    rows = read_table("articles", lake).height if "articles" in present else 0
    return Killed(time.monotonic() - started, returncode, present, rows)


def lake_problems(lake: Path, strays: bool = True) -> list[str]:
    """Unreadable Parquet outside the staging dir, and (with strays) temp files left there; empty when clean.

    Right after a kill, temp files of the step that died are expected; after a finished run none may be left.
    """
    problems = []
    for path in sorted(p for p in lake.rglob("*") if p.is_file()):
        rel = path.relative_to(lake)
        if rel.parts[0] == STAGING_DIR:
            continue
        if strays and (".tmp" in path.name or path.name.startswith(".") and path.name != ".lock"):
            problems.append(f"stray file {rel}")
        elif path.suffix == ".parquet":
            try:
                pq.read_metadata(path)
            except Exception as error:  # noqa: BLE001 - any failure to read is the finding
                problems.append(f"unreadable {rel}: {error}")
    return problems


def comparable(lake: Path) -> dict[str, pl.DataFrame]:
    """The compared tables without the per-run columns, in key order."""
    frames = {}
    for name in COMPARED:
        df = read_table(name, lake)
        frames[name] = df.drop([c for c in VOLATILE if c in df.columns]).sort(list(table(name).key), nulls_last=True)
    return frames


def differences(got: Path, want: Path) -> list[str]:
    """How the tables of two lakes differ (row counts, keys); empty when equal."""
    out = []
    left, right = comparable(got), comparable(want)
    for name in COMPARED:
        if left[name].equals(right[name]):
            continue
        key = list(table(name).key)
        lost = right[name].join(left[name], on=key, how="anti", nulls_equal=True).height
        extra = left[name].join(right[name], on=key, how="anti", nulls_equal=True).height
        out.append(f"{name}: {left[name].height} rows vs {right[name].height} ({lost} missing, {extra} extra by key)")
    return out


def reference_lake(inputs: list[Path], lake: Path) -> None:
    """A clean run of the same steps in this process, without Prefect (what the flow must end up with)."""
    from flows import tasks as steps

    now = datetime.now(UTC).replace(tzinfo=None)
    with lake_lock(lake):
        batch = steps.ingest([str(p) for p in inputs], str(lake))
        coded, failed = steps.code(batch.accepted)
        tables = steps.assemble(batch, coded, failed, "reference", now)
        steps.write(steps.check(tables, "reference", lake / steps.DOCS_DIR).tables, str(lake))


def prefect_env(home: Path) -> dict[str, str]:
    """Environment for a subprocess run with its own Prefect home (a killed run must not share a database)."""
    return os.environ | {"PREFECT_HOME": str(home), "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
                         "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
                         "GX_ANALYTICS_ENABLED": "false"}


def seeded_delay(seed: int, low: float = 0.0, high: float = 0.15) -> float:
    """The seeded random delay of a kill point."""
    return random.Random(seed).uniform(low, high)
