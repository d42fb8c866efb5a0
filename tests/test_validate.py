"""The Great Expectations gate: suites match tables.toml, bad rows go to rejects, bad batches are blocked.

GE is slow to import, so one module-scoped validation of a mixed batch serves most tests.
"""

from __future__ import annotations

import json
import socket
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from flows import expectation_suites
from schemas.tables import table

RUN_ID = "test-run"


def event_row(n: int, **override: object) -> dict:
    """A valid event row (military incident) with a distinct id; override fields to break it."""
    row = {
        "event_id": f"ev{n:04d}", "article_id": f"art{n % 3}", "event_type": "military_incident",
        "cameo_code": "190", "cameo_root": "19", "quad_class": 4, "goldstein": -10.0,
        "acled_event_type": "Battles", "acled_sub_event_type": "Armed clash",
        "event_date": date(2024, 3, 1 + n % 20), "date_first": date(2024, 3, 1 + n % 20),
        "date_last": date(2024, 3, 1 + n % 20), "date_precision": "day",
        "actor1_name": "Russian forces", "actor1_code": "RUSMIL", "actor1_country": "RUS",
        "actor2_name": "Ukrainian army", "actor2_code": "UKRMIL", "actor2_country": "UKR",
        "location": "Kharkiv", "admin1": "Kharkiv Oblast", "location_country": "UKR",
        "latitude": 49.99, "longitude": 36.23, "geo_precision": 1, "fatalities": 2, "injuries": None,
        "confidence": 0.8, "background": False, "num_mentions": 1, "num_sources": 1, "num_articles": 1,
        "sentence": f"Shelling killed two people in Kharkiv (report {n}).", "char_start": 0, "char_end": 48,
        "trigger": "shelling killed", "provenance": "{}", "published": date(2024, 3, 25),
        "coder_version": "test", "year": 2024, "month": 3,
    }
    row.update(override)
    return row


def article_row(n: int, **override: object) -> dict:
    """A valid article row; override fields to break it."""
    row = {
        "article_id": f"art{n:04d}", "content_hash": f"{n:016x}", "source_id": str(n), "url": None, "source": "Reuters", "title": "T",
        "published": date(2024, 3, 2), "dateline": "KYIV", "text_chars": 1200, "language": "en",
        "status": "coded", "n_events": 1, "ingested_at": datetime(2024, 3, 3, 12), "year": 2024, "month": 3,
    }
    row.update(override)
    return row


def frame(table_name: str, rows: list[dict]) -> pl.DataFrame:
    """Rows typed with the declared schema of table_name."""
    return pl.DataFrame(rows, schema=table(table_name).schema, orient="row")


# event_id of each broken row -> (field overrides, expectation that must catch it)
BROKEN = {
    "bad_null": ({"trigger": None}, "trigger.not_null"),
    "bad_type": ({"event_type": "protest"}, "event_type.allowed"),
    "bad_quad": ({"quad_class": 7}, "quad_class.allowed"),
    "bad_conf": ({"confidence": 1.5}, "confidence.range"),
    "bad_code": ({"cameo_code": "19x"}, "cameo_code.format"),
    "bad_meet": ({"event_type": "meeting", "fatalities": None}, "cameo_code.meeting"),
    "bad_call": ({"event_type": "phone_call", "cameo_code": "042", "cameo_root": "04", "fatalities": None},
                 "cameo_code.phone_call"),
    "bad_mil": ({"cameo_code": "042", "cameo_root": "04"}, "cameo_code.military_incident"),
    "bad_future": ({"event_date": date(2024, 4, 1), "date_last": date(2024, 4, 1)},
                   "event_date.not_after_published"),
    "bad_old": ({"event_date": date(1970, 1, 1), "date_first": date(1970, 1, 1)}, "event_date.min"),
    "bad_fatal": ({"fatalities": -3}, "fatalities.non_negative"),
    "bad_fatal_meet": ({"event_type": "meeting", "cameo_code": "043", "cameo_root": "04", "fatalities": 4},
                       "fatalities.only_military"),
}


def _no_network(*args: object, **kwargs: object) -> None:
    """Stand-in for socket connects while GE runs."""
    raise AssertionError(f"network access attempted: {args[1:]!r}")


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory):
    """One validation of 5 good events, one broken row per rule and one out-of-range latitude."""
    from flows.validate import validate_table

    rows = [event_row(i) for i in range(5)]
    rows += [event_row(100 + i, event_id=eid, **over) for i, (eid, (over, _)) in enumerate(BROKEN.items())]
    rows.append(event_row(200, event_id="warn_lat", latitude=123.0))
    rows.append(event_row(201, event_id="ok_meeting", event_type="meeting", cameo_code="042",
                          cameo_root="04", fatalities=0, published=None))
    docs = tmp_path_factory.mktemp("docs")
    with pytest.MonkeyPatch.context() as patch:  # GE must not phone home (analytics, version checks)
        patch.setattr(socket.socket, "connect", _no_network)
        patch.setattr(socket, "create_connection", _no_network)
        return validate_table(frame("events", rows), "events", RUN_ID, docs_dir=docs)


def test_committed_suites_match_generated() -> None:
    """A suite file edited by hand, or a tables.toml change without regenerating, fails here."""
    for name in expectation_suites.SUITE_TABLES:
        committed = expectation_suites.suite_path(name).read_text(encoding="utf-8")
        assert committed == expectation_suites.suite_text(name), f"run python -m flows.expectation_suites ({name})"


def test_suites_cover_schema_and_carry_severity() -> None:
    """Every declared column is checked to exist; non-nullable ones not-null; each has a severity."""
    for name in expectation_suites.SUITE_TABLES:
        suite = expectation_suites.build_suite(name)
        names = {e["meta"]["name"] for e in suite["expectations"]}
        for col in table(name).columns:
            assert f"{col.name}.exists" in names
            assert (f"{col.name}.not_null" in names) == (not col.nullable) or col.name == "published"
        assert all(e["meta"]["severity"] in {"critical", "warning"} for e in suite["expectations"])


def test_each_broken_row_is_rejected_by_its_expectation(mixed) -> None:
    """Each broken row lands in rejects with the expectation that catches it and a human reason."""
    rejects = mixed.rejects
    for eid, (_, expected) in BROKEN.items():
        hits = rejects.filter(pl.col("key") == eid)
        assert expected in hits["expectation"].to_list(), (eid, hits.select("expectation", "reason").rows())
    reasons = dict(rejects.select("expectation", "reason").unique().iter_rows())
    assert reasons["fatalities.non_negative"] == "fatalities must be >= 0"
    assert rejects["record_kind"].unique().to_list() == ["event"]
    assert rejects["run_id"].unique().to_list() == [RUN_ID]
    assert rejects.schema == table("rejects").schema
    assert json.loads(rejects.filter(pl.col("key") == "bad_fatal")["raw"][0])["fatalities"] == -3


def test_good_rows_published_and_warnings_kept(mixed) -> None:
    """Valid rows and rows with only warnings are published; no broken row is."""
    good_ids = set(mixed.good["event_id"].to_list())
    assert good_ids == {f"ev{i:04d}" for i in range(5)} | {"warn_lat", "ok_meeting"}
    assert mixed.good.schema == table("events").schema
    assert not mixed.critical_failed, mixed.failures
    by_name = {r["name"]: r for r in mixed.results}
    assert by_name["latitude.range"]["success"] is False
    assert by_name["latitude.range"]["severity"] == "warning"
    assert by_name["key.unique"]["success"] is True
    assert by_name["fatalities.non_negative"]["unexpected_count"] == 1
    assert set(mixed.results[0]) >= {"name", "column", "severity", "success", "unexpected_count"}


def test_data_docs_built(mixed) -> None:
    """Data Docs are written to a filesystem site and its index is returned."""
    assert mixed.docs_index is not None and mixed.docs_index.exists()
    assert any(Path(mixed.docs_index.parent, "validations").rglob("*.html"))


def test_duplicate_key_blocks_batch() -> None:
    """A duplicated event_id fails a table-level critical expectation."""
    from flows.validate import validate_table

    out = validate_table(frame("events", [event_row(1), event_row(1), event_row(2)]), "events", RUN_ID)
    assert out.critical_failed
    assert any(f.startswith("key.unique") for f in out.failures)


def test_missing_column_blocks_batch_and_articles_rules() -> None:
    """Articles: a missing column blocks the batch; empty text is rejected; undated is only a warning."""
    from flows.validate import validate_table

    rows = [article_row(1), article_row(2, text_chars=0), article_row(3, published=None), article_row(4, status="x")]
    out = validate_table(frame("articles", rows), "articles", RUN_ID)
    assert not out.critical_failed, out.failures
    assert set(out.good["article_id"]) == {"art0001", "art0003"}
    assert dict(out.rejects.select("key", "expectation").iter_rows()) == {
        "art0002": "text_chars.positive", "art0004": "status.allowed"}
    assert out.rejects["record_kind"].to_list() == ["article", "article"]
    blocked = validate_table(frame("articles", rows).drop("language"), "articles", RUN_ID)
    assert blocked.critical_failed and "language.exists: column language must be present" in blocked.failures
