"""The pipeline steps as plain functions; flows/pipeline.py runs them as Prefect tasks.

No Prefect import here: the steps stay testable without a server, and rebuild_report needs none.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl

from flows.clustering import recluster
from flows.exports import export_views, write_exports
from flows.lake import read_table, write_table
from flows.report import render_report
from flows.sources import SourceReject, iter_inputs
from flows.validate import ValidationOutcome, validate_table
from flows.warehouse import DB_FILE, build_duckdb
from flows.workers import code_batch  # imports the coder (and spaCy) only when it runs
from schemas.dictionaries import load_actor_entries
from schemas.tables import table
from transforms.articles import MAX_DOC_CHARS, Article, ArticleEvents

ARTICLE_BATCH = 32  # spaCy batch: big enough to amortise the pipeline, small enough to bound memory
RAW_LIMIT = 2000
# articles last: an articles row marks its article done, so a run killed mid-write recodes what has no row yet
WRITE_ORDER = ("events", "mentions", "rejects", "actors", "articles")
FUTURE_SLACK = timedelta(days=1)  # outlets east of UTC date their articles up to a day ahead of UTC
DOCS_DIR = Path("reports") / "data_docs"
REPORT_FILE = Path("reports") / "run_report.html"
VALIDATION_FILE = Path("reports") / "validation.json"  # this run's check results, so `eventpipe report` can show them
MIN_WORDS_FOR_LANGUAGE = 20  # shorter texts are too short to judge: trust the source and call them English
MIN_STOPWORD_RATIO = 0.08  # English news runs at 0.3-0.4; a text far below that is not in any listed language
_STOPWORDS = {
    "en": set("the of and to in is that for on with was as by at from are said has have it this be were".split()),
    "fr": set("le la les de des et en un une du est que pour dans sur au par avec qui ont".split()),
    "es": set("el la los las del y en un una que por con para es se al su fue".split()),
    "de": set("der die das und den von zu mit ist im des sich nicht auf für ein eine dem".split()),
    "pt": set("o a os as do da dos em um uma que para com não por foi ao".split()),
    "it": set("il la di che e è un una per con non del della sono gli le".split()),
}
_WORD = re.compile(r"[^\W\d_]+")
MAX_WORD_CHARS = 12  # average letters per word above this is no prose (a blob, a script without spaces)
log = logging.getLogger(__name__)


class QualityGateError(ValueError):
    """A batch-level critical expectation failed: the run publishes nothing."""


@dataclass
class Ingested:
    """Inputs sorted into what to code, what to refuse and what the lake already has."""

    accepted: list[Article] = field(default_factory=list)
    refused: list[tuple[Article, str]] = field(default_factory=list)  # get a 'rejected' articles row
    clashes: list[tuple[Article, str]] = field(default_factory=list)  # id taken by other content: reject only
    source_rejects: list[SourceReject] = field(default_factory=list)
    seen: int = 0  # already in the lake, skipped
    outside: int = 0  # published outside the --since/--until window: counted, not rejected
    repeated: int = 0  # the same article twice in this run's inputs (e.g. a .txt and its JSONL twin)
    items: int = 0


@dataclass
class Checked:
    """Tables that passed the gate, ready to write, and what the gate said."""

    tables: dict[str, pl.DataFrame]
    validation: list[dict]


def utc_now() -> datetime:
    """Naive UTC now, the convention of every Datetime column."""
    return datetime.now(UTC).replace(tzinfo=None)


def guess_language(text: str) -> str | None:
    """Crude ISO 639-1 guess from stopword ratios; None when no listed language fits."""
    words = [w.lower() for w in _WORD.findall(text[:20_000])]
    letters = sum(map(len, words))
    if letters and sum(ch.isascii() for w in words for ch in w) / letters < 0.5:
        return None  # mostly non-Latin script (Chinese has few word breaks, so it is never "too short")
    if len(words) < MIN_WORDS_FOR_LANGUAGE:
        return "en" if letters <= MIN_WORDS_FOR_LANGUAGE * MAX_WORD_CHARS else None
    ratios = {lang: sum(w in stop for w in words) / len(words) for lang, stop in _STOPWORDS.items()}
    best = max(ratios, key=ratios.__getitem__)
    return best if ratios[best] >= MIN_STOPWORD_RATIO else None


def read_inputs(inputs: list[str]) -> list[Article | SourceReject]:
    """Every article or source reject in the inputs, in order."""
    return list(stream_inputs(inputs))


def stream_inputs(inputs: list[str]) -> Iterator[Article | SourceReject]:
    """The inputs' articles and source rejects one at a time, so a run over a big folder holds only a round."""
    for path in inputs:
        yield from iter_inputs(Path(path))


@dataclass
class SeenArticles:
    """Article ids and content hashes the lake and this run already have; carried from round to round of a run."""

    by_id: dict[str, str] = field(default_factory=dict)  # article_id -> content_hash
    by_hash: dict[str, str] = field(default_factory=dict)  # content_hash -> the article_id it was first seen under
    run_ids: set[str] = field(default_factory=set)  # ids met in this run's inputs

    @classmethod
    def from_lake(cls, lake: str | Path) -> SeenArticles:
        """What the lake's articles table holds (ids and hashes only: a few dozen bytes per article)."""
        return cls.from_frame(read_table("articles", Path(lake)).select("article_id", "content_hash", "status"))

    @classmethod
    def from_frame(cls, known: pl.DataFrame) -> SeenArticles:
        """From article_id, content_hash and status columns."""
        seen = cls(by_id=dict(zip(known["article_id"], known["content_hash"], strict=True)))
        # a duplicate points at the coded original rather than at an earlier rejected duplicate
        for aid, digest in known.sort("status").select("article_id", "content_hash").iter_rows():
            seen.by_hash.setdefault(digest, aid)
        return seen


def dedup(items: list[Article], seen: SeenArticles, result: Ingested) -> list[Article]:
    """Drop articles the lake or this run already has; returns the new ones, fills refusals and counts."""
    fresh = []
    for article in items:
        aid, digest = article.article_id, article.content_hash
        if aid in seen.by_id and seen.by_id[aid] != digest:
            result.clashes.append((article, f"article_id already used for other content ({seen.by_id[aid]})"))
            continue
        if aid in seen.run_ids or aid in seen.by_id:
            # counted once per run: the .txt and its JSONL twin are one article
            result.repeated += aid in seen.run_ids
            result.seen += aid not in seen.run_ids
            seen.run_ids.add(aid)
            continue
        seen.by_id[aid] = digest
        seen.run_ids.add(aid)
        if digest in seen.by_hash:
            result.refused.append((article, f"duplicate of {seen.by_hash[digest]}"))
        else:
            seen.by_hash[digest] = aid
            fresh.append(article)
    return fresh


def in_window(published: date | None, since: date | None, until: date | None) -> bool:
    """True when published lies in [since, until]; undated articles are kept so ingest can say why it refuses them."""
    return published is None or ((since is None or published >= since) and (until is None or published <= until))


def ingest(inputs: list[str], lake: str, fetched: list[Article | SourceReject] | None = None,
           since: date | None = None, until: date | None = None) -> Ingested:
    """Read the inputs (plus fetched items), keep the window, dedup, refuse undated and non-English articles."""
    items = read_inputs(inputs) + list(fetched or [])
    return sort_items(items, SeenArticles.from_lake(lake), since, until)


def sort_items(items: list[Article | SourceReject], seen: SeenArticles, since: date | None = None,
               until: date | None = None) -> Ingested:
    """One round of a run's items: keep the window, dedup against seen (which it updates), refuse undated,
    future-dated and non-English articles."""
    result = Ingested(items=len(items), source_rejects=[i for i in items if isinstance(i, SourceReject)])
    articles = [i for i in items if isinstance(i, Article)]
    inside = [a for a in articles if in_window(a.published, since, until)]
    result.outside = len(articles) - len(inside)
    for article in dedup(inside, seen, result):
        if article.published is None:
            result.refused.append((article, "no publication date"))
        elif article.published > utc_now().date() + FUTURE_SLACK:
            result.refused.append((article, "publication date in the future"))
        elif guess_language(article.text) != "en":
            result.refused.append((article, "not English"))
        else:
            warn_if_cut(article)
            result.accepted.append(article)
    return result


def warn_if_cut(article: Article) -> None:
    """Log that only the start of a long article is coded; its articles row keeps the full length in text_chars."""
    chars = article.extra.get("original_chars", len(article.text))
    if chars > MAX_DOC_CHARS:
        log.warning("article %s has %d characters; only the first %d are coded", article.article_id, chars,
                    MAX_DOC_CHARS)


def code(articles: list[Article]) -> tuple[list[ArticleEvents], list[tuple[Article, str]]]:
    """Code one batch; an article the coder crashes on becomes a failure, the others are coded."""
    return code_batch(articles, batch_size=ARTICLE_BATCH)


def frame(rows: list[dict], table_name: str) -> pl.DataFrame:
    """Rows typed as table_name; nulls in non-nullable columns are left for the gate to reject."""
    schema = table(table_name).schema
    return pl.from_dicts(rows, schema=schema) if rows else pl.DataFrame(schema=schema)


def article_raw(article: Article) -> str:
    """An article as JSON for the rejects table, text cut."""
    fields = ("article_id", "content_hash", "source_id", "url", "source", "title", "published", "dateline")
    record = {name: getattr(article, name) for name in fields} | {"text": article.text[:RAW_LIMIT]}
    return json.dumps(record, default=str, ensure_ascii=False)


def reject_row(kind: str, key: str, reason: str, raw: str, run_id: str, now: datetime) -> dict:
    """One rejects row for an input problem (no expectation involved)."""
    return {"record_kind": kind, "key": key, "reason": reason, "expectation": None, "raw": raw,
            "run_id": run_id, "rejected_at": now}


def article_row(article: Article, status: str, n_events: int, now: datetime) -> dict:
    """One articles row; undated articles are filed under the ingest month."""
    when = article.published or now.date()
    return {"article_id": article.article_id, "content_hash": article.content_hash, "source_id": article.source_id,
            "url": article.url, "source": article.source, "title": article.title, "published": article.published,
            "dateline": article.dateline, "text_chars": article.extra.get("original_chars", len(article.text)),
            "language": guess_language(article.text),
            "status": status, "n_events": n_events, "ingested_at": now, "year": when.year, "month": when.month}


def assemble(batch: Ingested, coded: list[ArticleEvents], failed: list[tuple[Article, str]], run_id: str,
             now: datetime) -> dict[str, pl.DataFrame]:
    """This run's rows of articles, events, mentions and input rejects."""
    rejects = [reject_row("article", r.key, r.reason, json.dumps({"key": r.key, "raw": r.raw[:RAW_LIMIT]},
                                                                  ensure_ascii=False), run_id, now)
               for r in batch.source_rejects]
    # a coding crash leaves no articles row, so the next run (with a fixed coder) tries again
    for article, reason in batch.refused + batch.clashes + failed:
        rejects.append(reject_row("article", article.article_id, reason, article_raw(article), run_id, now))
    articles = [article_row(r.article, "coded", len(r.events), now) for r in coded]
    articles += [article_row(a, "rejected", 0, now) for a, _ in batch.refused]
    return {"articles": frame(articles, "articles"), "events": frame([e for r in coded for e in r.events], "events"),
            "mentions": frame([m for r in coded for m in r.mentions], "mentions"), "rejects": frame(rejects, "rejects")}


def _gate_failures(outcomes: list[ValidationOutcome], docs: Path) -> None:
    """Raise QualityGateError naming every batch-level failure."""
    failures = [f"{o.table}: {reason}" for o in outcomes if o.critical_failed for reason in o.failures]
    if failures:
        raise QualityGateError(f"quality gate failed, nothing was written ({'; '.join(failures)}); "
                               f"see the Data Docs under {docs}")


def check(tables: dict[str, pl.DataFrame], run_id: str, docs: Path) -> Checked:
    """Gate events then articles; failing rows go to rejects, a batch-level failure raises."""
    if tables["articles"].is_empty() and tables["events"].is_empty():
        return Checked(tables, [])  # nothing new: no batch to judge
    events = validate_table(tables["events"], "events", run_id, docs)
    good = events.good
    n_events = good.group_by("article_id").agg(pl.len().cast(pl.Int64).alias("n"))
    articles_in = (tables["articles"].join(n_events, on="article_id", how="left")
                   .with_columns(pl.coalesce("n", pl.lit(0, pl.Int64)).alias("n_events")).drop("n"))
    articles = validate_table(articles_in, "articles", run_id, docs)
    _gate_failures([events, articles], docs)
    # events of an article the gate refused go with it; the article's reject row explains both
    good = good.join(articles.good.select("article_id"), on="article_id", how="semi")
    mentions = tables["mentions"].join(good.select("event_id"), on="event_id", how="semi")
    rejects = pl.concat([tables["rejects"], events.rejects, articles.rejects])
    checked = {"articles": articles.good, "events": good, "mentions": mentions, "rejects": rejects}
    return Checked(checked, events.results + articles.results)


def actors_frame() -> pl.DataFrame:
    """The actor dictionary as rows of the actors table."""
    rows = [{"actor_code": e.code, "name": e.name, "country": e.country, "sector": e.sector, "role": e.role,
             "valid_from": e.valid_from, "valid_to": e.valid_to, "source": e.source} for e in load_actor_entries()]
    return frame(rows, "actors")


def write(tables: dict[str, pl.DataFrame], lake: str, derived: bool = True) -> dict[str, Path]:
    """Upsert every table and (with derived) rebuild the exports and DuckDB views; call under lake_lock. Returns
    table paths (the DuckDB file only when rebuilt)."""
    lake_path = Path(lake)
    # a reject already on file keeps its first run_id and time, so reruns leave the table as it is
    old = read_table("rejects", lake_path).select(table("rejects").key)
    rejects = tables["rejects"].join(old, on=list(table("rejects").key), how="anti")
    pending = tables | {"rejects": rejects, "actors": actors_frame()}
    # article-level events and their mentions first; merging reports across articles then yields `events`
    # and re-points the mentions; `articles` stays last, the marker that a batch is done
    paths = {"article_events": write_table(tables["events"], "article_events", lake_path).path}
    write_table(tables["mentions"], "mentions", lake_path)
    pending |= recluster(tables["events"], tables["articles"], lake_path)
    paths |= {name: write_table(pending[name], name, lake_path).path for name in WRITE_ORDER}
    if derived:  # a long run rebuilds these once, after its last round: they read the whole events table
        write_exports(lake_path)  # <lake>/exports: GDELT/ACLED formats of the full events table, once it is written
        clear_stale_temp(lake_path)
        paths["duckdb"] = build_duckdb(lake_path, export_views(lake_path))
    return paths


def clear_stale_temp(lake: Path) -> None:
    """Remove DuckDB temp files (and WALs) a killed run left in the lake; under the lake lock none is live."""
    for stale in lake.glob(f".{DB_FILE}.*.tmp*"):
        stale.unlink(missing_ok=True)


def report(lake: str, validation: list[dict], run_info: dict) -> Path:
    """Render the HTML report from the lake's full tables and this run's check results."""
    lake_path = Path(lake)
    saved = lake_path / VALIDATION_FILE
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_text(json.dumps({"run_info": run_info, "validation": validation}, default=str, indent=1),
                     encoding="utf-8")
    events, articles, rejects = (read_table(name, lake_path) for name in ("events", "articles", "rejects"))
    return render_report(events, articles, rejects, validation, lake_path / REPORT_FILE, run_info)


def event_counts(events: pl.DataFrame) -> dict[str, int]:
    """Events per event_type."""
    return dict(sorted(Counter(events["event_type"].to_list()).items()))
