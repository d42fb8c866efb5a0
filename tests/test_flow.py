"""The main flow end to end: one real ephemeral Prefect run (samples + seed + bad inputs), then a rerun.

Prefect start-up costs 10-30 s, so a module-scoped fixture runs the flow twice and the tests only read its output.
"""

from __future__ import annotations

import json
import multiprocessing
import time
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from flows import tasks as steps
from flows.lake import read_table
from flows.sources import iter_inputs
from schemas.tables import table
from transforms.articles import Article

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "data" / "samples"
SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED = SHARED / "seeds" / "000_2541c74b2e74fdb7.txt"
TABLES = ("articles", "events", "mentions", "rejects", "actors")
FRENCH = ("date 2024-05-02 PARIS – Le ministre des Affaires étrangères de la France a rencontré son homologue "
          "allemand à Paris mardi pour discuter de la guerre en Ukraine et de la sécurité en Europe, "
          "a indiqué le ministère dans un communiqué publié mercredi. "
          "Les deux ministres ont également évoqué la situation.")
UNDATED = ("Officials from Kenya and Uganda met in Nairobi on Tuesday to discuss border trade and the new "
           "customs post, the ministry said in a statement that was published on its website.")


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Inputs the flow must refuse: a renamed copy, an undated text, a French text, a broken JSON line."""
    folder = tmp_path_factory.mktemp("bad_inputs")
    (folder / "copy_of_001.txt").write_bytes((SAMPLES / "001_tajik_uzbek_consultations.txt").read_bytes())
    (folder / "undated.txt").write_text(UNDATED, encoding="utf-8")
    (folder / "french.txt").write_text(FRENCH, encoding="utf-8")
    (folder / "broken.jsonl").write_text('{"id": "broken-1", "text": \n', encoding="utf-8")
    return folder


WIRE = [  # one incident reported by three outlets, and another incident the same day (written for this test)
    {"id": "wire-a", "source": "Agency A", "published": "2019-07-10",
     "text": "Militants attacked an army checkpoint in Niger's Tillaberi region on Tuesday, killing 11 soldiers, the defence ministry said."},
    {"id": "wire-b", "source": "Agency B", "published": "2019-07-10",
     "text": "Eleven Nigerien soldiers were killed on Tuesday when gunmen stormed a military post near Tillaberi, officials said."},
    {"id": "wire-c", "source": "Paper C", "published": "2019-07-10",
     "text": "An attack by suspected jihadists on a checkpoint in the Tillaberi region killed at least 11 soldiers on Tuesday, Niger's army said."},
    {"id": "wire-d", "source": "Agency A", "published": "2019-07-10",
     "text": "In a separate incident on Tuesday, a roadside bomb killed three policemen in Niger's Diffa region."},
]


@pytest.fixture(scope="module")
def wire_reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A JSON Lines file of wire reports: three of one incident, one of another."""
    path = tmp_path_factory.mktemp("wire") / "wire.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in WIRE), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, bad_inputs: Path, wire_reports: Path) -> dict:
    """Two flow runs over the same inputs into one lake, with a snapshot of the tables in between."""
    from flows.pipeline import run_pipeline

    lake = tmp_path_factory.mktemp("lake")
    inputs = [SAMPLES, bad_inputs, wire_reports] + ([SEED] if SEED.exists() else [])
    started = time.perf_counter()
    first = run_pipeline(inputs, lake)
    first_seconds = time.perf_counter() - started
    snapshot = {name: read_table(name, lake) for name in TABLES}
    second = run_pipeline(inputs, lake)
    print(f"\nflow runs: first {first_seconds:.1f} s (incl. Prefect start-up), second {second.seconds:.1f} s")
    return {"lake": first.lake, "first": first, "second": second, "snapshot": snapshot, "inputs": inputs}


def sorted_by_key(df: pl.DataFrame, name: str) -> pl.DataFrame:
    """df in key order, so frames from different runs compare row by row."""
    return df.sort(list(table(name).key), nulls_last=True)


@pytest.mark.flow
def test_tables_read_back_the_same_in_polars_and_duckdb(runs: dict) -> None:
    lake = runs["lake"]
    with duckdb.connect(str(lake / "eventpipe.duckdb"), read_only=True) as con:
        for name in ("articles", "events", "mentions", "rejects", "actors"):
            files = list((lake / name).rglob("*.parquet"))
            assert files, f"{name}: no Parquet files"
            hive = bool(table(name).partition_by)
            polars_rows = pl.read_parquet(str(lake / name / "**" / "*.parquet"), hive_partitioning=hive).height
            (duck_rows,) = con.execute(f"select count(*) from {name}").fetchone()
            assert polars_rows == duck_rows == read_table(name, lake).height > 0, name
        gdelt = con.execute("select count(*), count(distinct GLOBALEVENTID), count(SQLDATE) from gdelt_events")
        gdelt = gdelt.fetchone()
        acled = con.execute("select count(*), count(fatalities), count(disorder_type) from acled_events").fetchone()
    events = read_table("events", lake)
    # the run counts events per article; the table merges reports of one event across articles
    assert read_table("article_events", lake).height == sum(runs["first"].events_by_type.values()) > events.height
    assert gdelt == (events.height,) * 3
    assert acled == (events.filter(event_type="military_incident").height,) * 3 and acled[0] > 0


@pytest.mark.flow
def test_every_event_has_provenance(runs: dict) -> None:
    events = read_table("events", runs["lake"])
    texts = {a.article_id: a.text for path in runs["inputs"] for a in iter_inputs(path) if isinstance(a, Article)}
    assert events.height >= 20
    for row in events.iter_rows(named=True):
        assert row["sentence"].strip() and row["coder_version"] and row["trigger"]
        assert 0 <= row["char_start"] < row["char_end"]
        assert texts[row["article_id"]][row["char_start"]:row["char_end"]] == row["sentence"]
        assert isinstance(json.loads(row["provenance"]), dict)
    mentions = read_table("mentions", runs["lake"])
    assert set(mentions["event_id"]) == set(events["event_id"])


@pytest.mark.flow
def test_articles_dedup_and_refusals(runs: dict) -> None:
    lake, first = runs["lake"], runs["first"]
    articles = read_table("articles", lake)
    rejects = {(r["key"], r["reason"]) for r in read_table("rejects", lake).iter_rows(named=True)}
    assert ("copy_of_001", "duplicate of 001_tajik_uzbek_consultations") in rejects
    assert ("undated", "no publication date") in rejects
    assert ("french", "not English") in rejects
    assert any(key == "broken.jsonl:1" and reason.startswith("malformed record") for key, reason in rejects)
    # the sample gold file lives in data/gold, so the samples are read once
    assert not any(key.startswith("0") for key, _ in rejects)
    coded = articles.filter(status="coded")
    assert coded.height == first.articles_new == 12 + len(WIRE) + SEED.exists()
    assert first.articles_repeated == 0 and first.articles_seen == 0 and first.ok
    refused = articles.filter(status="rejected")
    assert sorted(refused["article_id"]) == ["copy_of_001", "french", "undated"]
    undated = refused.filter(article_id="undated").row(0, named=True)
    assert undated["published"] is None and undated["year"] == undated["ingested_at"].year
    assert articles["article_id"].n_unique() == articles.height
    n_events = read_table("article_events", lake).group_by("article_id").len()
    joined = coded.join(n_events, on="article_id", how="left").with_columns(pl.col("len").fill_null(0))
    assert (joined["n_events"] == joined["len"]).all()
    assert set(articles["language"].drop_nulls()) <= {"en", "fr"}


@pytest.mark.flow
def test_rerun_changes_no_table(runs: dict) -> None:
    second, snapshot = runs["second"], runs["snapshot"]
    assert second.articles_new == 0 and sum(second.events_by_type.values()) == 0
    assert second.articles_seen == runs["first"].articles_new + 3 and second.ok
    for name in TABLES:
        after = read_table(name, runs["lake"])
        assert sorted_by_key(after, name).equals(sorted_by_key(snapshot[name], name)), name
    assert sorted(read_table("events", runs["lake"])["event_id"]) == sorted(snapshot["events"]["event_id"])


@pytest.mark.flow
def test_report_data_docs_and_summary(runs: dict) -> None:
    from flows.pipeline import rebuild_report

    first, lake = runs["first"], runs["lake"]
    html = first.report.read_text(encoding="utf-8")
    assert first.report == lake / "reports" / "run_report.html" and "eventpipe run report" in html
    for name in ("events", "articles"):
        assert (lake / "reports" / "data_docs" / name / "index.html").is_file()
    text = first.describe()
    assert str(first.report) in text and "eventpipe.duckdb" in text and "hive_partitioning" in text
    assert rebuild_report(lake) == first.report and first.report.stat().st_size > 1000


@pytest.mark.flow
@pytest.mark.shared
def test_seed_article_events(runs: dict) -> None:
    if not SEED.exists():
        pytest.skip(f"seed article not found at {SEED} (needs the ../shared checkout)")
    events = read_table("events", runs["lake"]).filter(article_id=SEED.stem)
    calls = events.filter(cameo_code="041", event_date=date(2020, 2, 12))
    assert calls.height == 1
    assert {calls["actor1_country"][0], calls["actor2_country"][0]} == {"RUS", "TUR"}
    incidents = events.filter(event_type="military_incident")
    assert sorted(incidents["fatalities"].drop_nulls()) == [5, 8]


@pytest.mark.flow
def test_gate_blocks_a_batch_with_duplicate_event_ids(runs: dict, tmp_path: Path) -> None:
    event = read_table("events", runs["lake"]).head(1)
    tables = {"events": pl.concat([event, event]), "mentions": pl.DataFrame(schema=table("mentions").schema),
              "articles": pl.DataFrame(schema=table("articles").schema),
              "rejects": pl.DataFrame(schema=table("rejects").schema)}
    with pytest.raises(steps.QualityGateError, match="nothing was written"):
        steps.check(tables, "test-run", tmp_path)


def article(article_id: str, digest: str) -> Article:
    """A minimal article with a chosen id and content hash."""
    return Article(article_id=article_id, content_hash=digest, text="x", published=date(2024, 1, 1))


def test_dedup_against_lake_and_batch() -> None:
    known = pl.DataFrame({"article_id": ["dup", "a"], "content_hash": ["h1", "h1"], "status": ["rejected", "coded"]})
    result = steps.Ingested()
    items = [article("a", "h1"), article("b", "h1"), article("a", "h2"), article("c", "h3"), article("c", "h3"),
             article("d", "h3")]
    fresh = steps.dedup(items, steps.SeenArticles.from_frame(known), result)
    assert [a.article_id for a in fresh] == ["c"]
    assert [(a.article_id, why) for a, why in result.refused] == [("b", "duplicate of a"), ("d", "duplicate of c")]
    assert [a.article_id for a, _ in result.clashes] == ["a"]
    assert (result.seen, result.repeated) == (1, 1)


def test_dedup_carries_across_rounds_of_a_run() -> None:
    """A run over a big folder is sorted round by round: a later round must still see the earlier rounds' articles."""
    seen = steps.SeenArticles.from_frame(pl.DataFrame(schema={"article_id": pl.String, "content_hash": pl.String,
                                                               "status": pl.String}))
    first, second = steps.Ingested(), steps.Ingested()
    assert [a.article_id for a in steps.dedup([article("a", "h1"), article("b", "h2")], seen, first)] == ["a", "b"]
    fresh = steps.dedup([article("a", "h1"), article("c", "h2"), article("d", "h4")], seen, second)
    assert [a.article_id for a in fresh] == ["d"]
    assert [(a.article_id, why) for a, why in second.refused] == [("c", "duplicate of b")]
    assert (second.seen, second.repeated) == (0, 1)


@pytest.mark.parametrize(("text", "expected"), [
    (UNDATED, "en"), (FRENCH, "fr"), ("Короче говоря, " * 30, None), ("Too short to tell.", "en")])
def test_guess_language(text: str, expected: str | None) -> None:
    assert steps.guess_language(text) == expected


@pytest.mark.flow
def test_reports_of_one_event_merge_across_articles(runs: dict) -> None:
    """Three outlets' reports of one incident are one `events` row; every report stays in article_events and mentions."""
    lake = runs["lake"]
    members = read_table("article_events", lake).filter(pl.col("article_id").str.starts_with("wire-"))
    assert members.height == 4
    merged = read_table("events", lake).filter(pl.col("event_date") == date(2019, 7, 9), pl.col("location_country") == "NER")
    assert sorted(merged["num_articles"].to_list()) == [1, 3]
    big = merged.filter(pl.col("num_articles") == 3).row(0, named=True)
    assert big["num_sources"] == 3 and big["num_mentions"] == 3 and big["fatalities"] == 11
    assert big["event_id"] == min(members.filter(pl.col("fatalities") == 11)["event_id"].to_list())
    mentions = read_table("mentions", lake).filter(pl.col("event_id") == big["event_id"])
    assert sorted(mentions["article_id"].to_list()) == ["wire-a", "wire-b", "wire-c"]
    assert mentions["article_event_id"].n_unique() == 3


def _stable(df: pl.DataFrame, name: str) -> pl.DataFrame:
    """A table without the columns that name a run or its clock, in key order."""
    volatile = [c for c, dtype in df.schema.items() if dtype == pl.Datetime or c == "run_id"]
    return sorted_by_key(df, name).drop(volatile)


@pytest.mark.flow
def test_rounds_and_worker_processes_code_like_one_batch(runs: dict, tmp_path: Path, monkeypatch) -> None:
    """Inputs streamed in rounds of 5 articles and coded in 2 worker processes give the one-round tables."""
    from prefect import task
    from prefect.cache_policies import NO_CACHE
    from prefect.context import FlowRunContext

    from flows import pipeline, runners
    from flows.pipeline import run_pipeline
    from flows.settings import RunnerSettings, Settings
    from flows.workers import CoderPool

    monkeypatch.setattr(runners, "POOL_MIN_ARTICLES", 1)  # use the pool even for a 5-article round
    pooled: list[int] = []
    submit = CoderPool.submit
    monkeypatch.setattr(CoderPool, "submit", lambda pool, parts: (pooled.append(pool.workers), submit(pool, parts))[1])
    held: list[int] = []  # task results Prefect still holds at each round's write: must not grow with the rounds
    workers_alive: list[tuple[bool, int]] = []  # (rebuilds the exports?, coding processes alive) at each write

    def write_and_count(*args, **kwargs):
        held.append(len(FlowRunContext.get().run_results))
        workers_alive.append((kwargs.get("derived", False), len(multiprocessing.active_children())))
        return steps.write(*args, **kwargs)

    monkeypatch.setattr(pipeline, "write", task(name="write", cache_policy=NO_CACHE)(write_and_count))
    summary = run_pipeline(runs["inputs"], tmp_path / "lake", Settings(runner=RunnerSettings(round_size=5, workers=2)))
    assert len(pooled) >= 4 and set(pooled) == {2}  # several rounds, each coded by the 2-process pool
    assert len(held) >= 4 and max(held) == max(held[:2]), held
    # the workers code while earlier rounds are written, and are gone before the last one and the exports
    assert workers_alive[0][1] == 2 and workers_alive[-1] == (True, 0), workers_alive
    first = runs["first"]
    assert (summary.articles_new, summary.events_by_type) == (first.articles_new, first.events_by_type)
    for name in ("articles", "article_events", "events", "mentions"):
        ours, theirs = read_table(name, summary.lake), runs["snapshot"].get(name, read_table(name, runs["lake"]))
        assert _stable(ours, name).equals(_stable(theirs, name)), name


@pytest.mark.flow
def test_reports_arriving_in_separate_rounds_merge_like_one_batch(runs: dict, tmp_path: Path) -> None:
    """One article per round, the report with the largest event id first: each later report takes over the merged
    event's id (the smallest member id), so the row it replaces must be deleted from the lake."""
    from flows.pipeline import run_pipeline
    from flows.settings import RunnerSettings, Settings

    wire_ids = {r["id"] for r in WIRE}
    members = read_table("article_events", runs["lake"]).filter(pl.col("article_id").is_in(wire_ids))
    order = members.sort("event_id", descending=True)["article_id"].to_list()
    path = tmp_path / "wire_reversed.jsonl"
    path.write_text("\n".join(json.dumps(next(r for r in WIRE if r["id"] == a)) for a in order), encoding="utf-8")
    summary = run_pipeline([path], tmp_path / "lake", Settings(runner=RunnerSettings(round_size=1)))
    assert summary.articles_new == len(WIRE)
    ours = read_table("events", summary.lake)
    theirs = read_table("events", runs["lake"]).filter(pl.col("first_article_id").is_in(wire_ids))
    assert ours.height == theirs.height == 2  # the Tillaberi attack (three reports) and the Diffa bombing
    assert _stable(ours, "events").drop("first_article_id").equals(_stable(theirs, "events").drop("first_article_id"))
    # every mention points at its merged event (none at a report that has since been merged into another)
    mentions = read_table("mentions", summary.lake)
    assert mentions.height >= 4 and set(mentions["event_id"]) == set(ours["event_id"])
