"""The main job as a Prefect flow (ingest, code, validate, write, report), run_pipeline and rebuild_report."""

from __future__ import annotations

import os


def prefect_defaults() -> None:
    """Environment defaults for an ephemeral Prefect run on a machine with no server."""
    # the first start on a fresh PREFECT_HOME migrates a database and overruns the default timeout
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


prefect_defaults()  # Prefect reads its settings when imported, so this must come first

import json  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Callable, Iterable, Iterator  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import date  # noqa: E402
from itertools import chain, islice  # noqa: E402
from pathlib import Path  # noqa: E402

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.context import FlowRunContext  # noqa: E402
from prefect.runtime import flow_run  # noqa: E402

from flows import tasks as steps  # noqa: E402
from flows.feeds import fetch_all, is_url, read_source, retryable  # noqa: E402
from flows.lake import LakeBusyError, lake_lock, read_table  # noqa: E402
from flows.memory import release_freed_memory  # noqa: E402
from flows.report import render_report  # noqa: E402
from flows.runners import Progress, make_task_runner, start_coding  # noqa: E402
from flows.settings import FetchSettings, Settings  # noqa: E402
from flows.warehouse import DB_FILE  # noqa: E402
from flows.workers import CoderPool  # noqa: E402

ROUND_ARTICLES = 2000  # articles sorted, coded, validated and written together: bounds memory on any input size


# NO_CACHE: inputs are articles and frames; hashing them for a cache key costs time and buys nothing
# reading happens while streaming: an unreadable file becomes a reject there, and the next run reads it again
# (nothing of it is in the lake); this task sorts one round's items
ingest = task(name="ingest", cache_policy=NO_CACHE)(steps.sort_items)
code = task(name="code", cache_policy=NO_CACHE)(steps.code)
validate = task(name="validate", cache_policy=NO_CACHE)(steps.check)
write = task(name="write", cache_policy=NO_CACHE)(steps.write)
report = task(name="report", cache_policy=NO_CACHE)(steps.report)
# retries and delay come from FetchSettings at run time (with_options); these are the defaults
fetch_source = task(name="fetch-source", retries=2, retry_delay_seconds=5, retry_condition_fn=retryable,
                    cache_policy=NO_CACHE)(read_source)


def _rounds(items: Iterable, size: int) -> Iterator[list]:
    """Consecutive lists of up to size items; one empty list when there are none, so a run still writes its tables."""
    iterator = iter(items)
    first = list(islice(iterator, size))
    yield first
    while chunk := list(islice(iterator, size)):
        yield chunk


@flow(name="eventpipe-run")
def code_articles_flow(inputs: list[str], lake: str, since: date | None = None, until: date | None = None,
                       fetch: FetchSettings | None = None, batch_size: int = steps.ARTICLE_BATCH,
                       workers: int = 1, round_size: int = ROUND_ARTICLES) -> dict:
    """Code the articles in inputs (paths, feed or page URLs) into the lake; returns this run's counts and paths.

    Inputs stream through in rounds of round_size articles: each round is sorted, coded, validated and written, with
    at most the next round read and being coded meanwhile, so a run holds two rounds whatever the input size and a
    crash loses at most those (the rerun codes every article without an `articles` row)."""
    run_id = str(flow_run.id or uuid.uuid4())
    now = steps.utc_now()
    log = get_run_logger()
    # One lock for the whole run, not just the write: dedup reads the lake and must see what it writes over.
    with lake_lock(Path(lake)):
        seen = steps.SeenArticles.from_lake(lake)
        urls = [i for i in inputs if is_url(i)]
        fetched = fetch_all(fetch_source, urls, set(seen.by_id), fetch or FetchSettings(), since, until)
        items = chain(steps.stream_inputs([i for i in inputs if not is_url(i)]), fetched.items)
        distributed = type(FlowRunContext.get().task_runner).__name__ == "DaskTaskRunner"  # type: ignore[union-attr]
        # feed entries the lake already has, or outside the window, were skipped before any page fetch
        totals = RunTotals(items=fetched.seen + fetched.outside, seen=fetched.seen, outside=fetched.outside)
        progress = Progress(None, log)
        validation: list[dict] = []

        def finish(batch: steps.Ingested, coded: Callable[[], tuple[list, list]], last: bool) -> dict | None:
            """Wait for a round's coding, then validate and write it. A round with nothing new (a rerun) writes
            nothing; the last round also rebuilds the exports and DuckDB views (a crash before it leaves them one
            run behind until the next run, which rebuilds them)."""
            events, failed = coded()
            checked = validate(steps.assemble(batch, events, failed, run_id, now), run_id, Path(lake) / steps.DOCS_DIR)
            totals.add(batch, checked.tables)
            validation.extend(checked.validation)
            if not last and all(df.is_empty() for df in checked.tables.values()):
                return None
            return write(checked.tables, lake, derived=last)

        # At most two rounds in flight: workers code round k+1 while this process validates and writes round k.
        with CoderPool(1 if distributed else workers, batch_size) as pool:
            previous = None
            for round_items in _rounds(items, round_size):
                batch = ingest(round_items, seen, since, until)
                coding = start_coding(code, batch.accepted, batch_size, distributed, progress, pool)
                if previous is not None:
                    finish(*previous, last=False)
                    forget_task_results()
                    release_freed_memory()
                previous = (batch, coding)
            last_batch, coding = previous
            last_coded = coding()
        # the workers (~230-300 MB each) are gone before the last round's checks, writes and the exports rebuild,
        # the run's largest step in this process
        paths = finish(last_batch, lambda: last_coded, last=True)
        progress.finish()
        run_info = {"run_id": run_id, "started": f"{now:%Y-%m-%d %H:%M:%S} UTC", "inputs": ", ".join(inputs),
                    "new articles": totals.new, "already ingested": totals.seen}
        report_path = report(lake, validation, run_info)
    return totals.counts() | {"run_id": run_id, "tables": {k: str(v) for k, v in paths.items()},
                              "report": str(report_path), "data_docs": str(Path(lake) / steps.DOCS_DIR)}


def forget_task_results() -> None:
    """Let go of the task results of the rounds already written.

    Prefect keeps every task result of a flow run in FlowRunContext.run_results (to draw data dependencies), which
    holds each round's articles and tables until the run ends: memory grew with the input. Rounds share no
    task results, so the only loss is the arrow from a round's ingest to its validation in the UI.
    """
    context = FlowRunContext.get()
    if context is not None:
        context.run_results.clear()


@dataclass
class RunTotals:
    """A run's counts, added up over its rounds."""

    items: int = 0
    new: int = 0
    seen: int = 0
    repeated: int = 0
    outside: int = 0
    articles_rejected: int = 0
    rejects: int = 0
    events_by_type: Counter = field(default_factory=Counter)

    def add(self, batch: steps.Ingested, tables: dict) -> None:
        """Count one round."""
        self.items += batch.items
        self.new += tables["articles"].filter(status="coded").height
        self.seen += batch.seen
        self.repeated += batch.repeated
        self.outside += batch.outside
        self.articles_rejected += tables["rejects"].filter(record_kind="article").height
        self.rejects += tables["rejects"].height
        self.events_by_type.update(steps.event_counts(tables["events"]))

    def counts(self) -> dict:
        """The flow's result fields (RunSummary's names)."""
        return {"items": self.items, "articles_new": self.new, "articles_seen": self.seen,
                "articles_repeated": self.repeated, "articles_outside": self.outside,
                "articles_rejected": self.articles_rejected, "rejects": self.rejects,
                "events_by_type": dict(self.events_by_type)}


@dataclass
class RunSummary:
    """What one run did and where its output is."""

    lake: Path
    tables: dict[str, Path]
    report: Path
    data_docs: Path
    articles_new: int = 0
    articles_seen: int = 0
    articles_rejected: int = 0
    events_by_type: dict[str, int] = field(default_factory=dict)
    rejects: int = 0
    seconds: float = 0.0
    items: int = 0
    articles_repeated: int = 0
    run_id: str = ""
    articles_outside: int = 0

    @property
    def ok(self) -> bool:
        """False only when there were inputs and not one article could be coded or was already coded."""
        return self.items == 0 or self.articles_new + self.articles_seen > 0

    def describe(self) -> str:
        """A short human summary with where everything is and how to query it."""
        events = sum(self.events_by_type.values())
        by_type = ", ".join(f"{n} {t}" for t, n in self.events_by_type.items()) or "none"
        db, pattern = self.lake / DB_FILE, self.lake / "events" / "**" / "*.parquet"
        lines = [
            f"run {self.run_id} {'done' if self.ok else 'FAILED: no article could be coded'} in {self.seconds:.1f} s",
            f"articles: {self.articles_new} new, {self.articles_seen} already ingested, "
            f"{self.articles_repeated} repeated in the inputs, {self.articles_rejected} rejected"
            + (f", {self.articles_outside} outside the date window" if self.articles_outside else "")
            + (f" ({self.articles_new / self.seconds:.1f} new articles/s)" if self.articles_new and self.seconds else ""),
            f"events: {events} new ({by_type}); rejects: {self.rejects} (see the rejects table)",
            f"tables: {self.lake}/{{{','.join(n for n in self.tables if n != 'duckdb')}}}/ (Parquet, hive-partitioned)",
            f"report: {self.report}", f"data docs: {self.data_docs}/{{events,articles}}/index.html",
            f"query: .venv/bin/python -c \"import duckdb; print(duckdb.connect('{db}', read_only=True)"
            f".execute('select event_type, count(*) from events group by 1').fetchall())\"",
            f"   or: .venv/bin/python -c \"import polars as pl; print(pl.read_parquet('{pattern}', hive_partitioning=True))\"",
        ]
        return "\n".join(lines)


def busy_message(lake: Path) -> str:
    """What a run refused by a busy lake says."""
    return f"lake is busy: another eventpipe run holds {lake}; try again when it has finished"


def ensure_idle(lake: Path) -> None:
    """Raise LakeBusyError when another run holds the lake lock (runs never wait for each other)."""
    try:
        with lake_lock(lake):
            pass
    except LakeBusyError:
        raise LakeBusyError(busy_message(lake)) from None


def run_pipeline(inputs: list[Path | str], lake: Path, settings: Settings | None = None) -> RunSummary:
    """Run the flow on inputs (paths or URLs) into lake (ephemeral Prefect unless PREFECT_API_URL) and summarise it."""
    prefect_defaults()
    settings = settings or Settings()  # the CLI passes the one it built; callers in Python may rely on defaults
    missing = [str(p) for p in inputs if not is_url(str(p)) and not Path(p).exists()]
    if missing:  # fail before paying for the Prefect start-up
        raise FileNotFoundError(f"input not found: {', '.join(missing)}")
    lake = Path(lake).resolve()
    ensure_idle(lake)  # a busy lake is refused before the Prefect start-up, with a one-line reason
    started = time.perf_counter()
    runner = make_task_runner(settings.runner)
    job = code_articles_flow.with_options(task_runner=runner) if runner else code_articles_flow
    try:
        result = job([str(p) if is_url(str(p)) else str(Path(p).resolve()) for p in inputs], str(lake),
                     since=settings.window.since, until=settings.window.until, fetch=settings.fetch,
                     batch_size=settings.runner.batch_size, workers=settings.runner.workers,
                     round_size=settings.runner.round_size)
    except LakeBusyError:  # another run took the lock between ensure_idle and the flow
        raise LakeBusyError(busy_message(lake)) from None
    fields = {k: v for k, v in result.items() if k not in ("tables", "report", "data_docs")}
    return RunSummary(lake=lake, tables={k: Path(v) for k, v in result["tables"].items()},
                      report=Path(result["report"]), data_docs=Path(result["data_docs"]),
                      seconds=time.perf_counter() - started, **fields)


def rebuild_report(lake: Path) -> Path:
    """Re-render <lake>/reports/run_report.html from the lake, with the last run's check results."""
    lake = Path(lake)
    if not lake.is_dir():
        raise FileNotFoundError(f"lake not found: {lake}")
    saved = lake / steps.VALIDATION_FILE
    last = json.loads(saved.read_text(encoding="utf-8")) if saved.exists() else {}
    run_info = {"rebuilt": f"{steps.utc_now():%Y-%m-%d %H:%M:%S} UTC", "lake": str(lake)}
    run_info |= {f"last run {k}": v for k, v in last.get("run_info", {}).items() if k in ("run_id", "started")}
    events, articles, rejects = (read_table(name, lake) for name in ("events", "articles", "rejects"))
    return render_report(events, articles, rejects, last.get("validation", []), lake / steps.REPORT_FILE, run_info)
