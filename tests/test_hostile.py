"""Hostile inputs: every bad file, line or text ends coded or as a rejects row with a clear reason; the run goes on.

The corpus is generated into a temporary folder by tests/hostile/generate.py; one real flow run covers it end to end.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from flows import tasks as steps
from flows.lake import read_table, write_table
from flows.sources import _decode, iter_inputs
from tests.hostile.generate import CODED, Case, news, write_hostile
from transforms.articles import MAX_TEXT_CHARS, looks_like_html, make_article, strip_html
from transforms.nlp import MAX_DOC_CHARS

NOW = datetime(2025, 6, 1, 12, 0)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Case]]:
    """The generated hostile folder and its expected outcomes."""
    folder = tmp_path_factory.mktemp("hostile")
    return folder, write_hostile(folder, today=steps.utc_now().date())


def outcomes(batch: steps.Ingested) -> dict[str, list[str]]:
    """Everything ingest decided, by key: 'coded' or the reject reason."""
    got: dict[str, list[str]] = {}
    for article in batch.accepted:
        got.setdefault(article.article_id, []).append(CODED)
    for article, reason in batch.refused + batch.clashes:
        got.setdefault(article.article_id, []).append(reason)
    for reject in batch.source_rejects:
        got.setdefault(reject.key, []).append(reject.reason)
    return got


def mismatches(cases: list[Case], got: dict[str, list[str]]) -> list[str]:
    """Cases whose outcome is not the expected one, plus outcomes no case expects."""
    wrong = [f"{c.what} ({c.key}): want {c.outcome!r}, got {got.get(c.key)}" for c in cases
             if not any(o == CODED if c.outcome == CODED else c.outcome in o for o in got.get(c.key, []))]
    expected = {c.key for c in cases}
    return wrong + [f"unexpected {key}: {why}" for key, why in got.items() if key not in expected]


def test_every_hostile_input_has_its_outcome(hostile: tuple[Path, list[Case]], tmp_path: Path) -> None:
    folder, cases = hostile
    batch = steps.ingest([str(folder)], str(tmp_path / "lake"))
    assert mismatches(cases, outcomes(batch)) == []
    assert batch.items == len(cases)  # nothing vanished between reading and sorting


def test_hostile_rows_survive_the_parquet_round_trip(hostile: tuple[Path, list[Case]], tmp_path: Path) -> None:
    batch = steps.ingest([str(hostile[0])], str(tmp_path))
    tables = steps.assemble(batch, [], [], "run-1", NOW)
    for name in ("articles", "rejects"):  # odd names (lone surrogates, unicode, %2f) must still encode
        write_table(tables[name], name, tmp_path)
        assert read_table(name, tmp_path).height == tables[name].height > 0
    keys = set(read_table("rejects", tmp_path)["key"])
    assert {"records.jsonl:2", "binary.txt", "huge.txt", "future", "dup_b"} <= keys


def test_long_article_is_cut_and_its_full_length_recorded(hostile: tuple[Path, list[Case]],
                                                          caplog: pytest.LogCaptureFixture) -> None:
    (article,) = [a for a in iter_inputs(hostile[0] / "long.txt")]
    assert len(article.text) == MAX_TEXT_CHARS and article.published == date(2024, 5, 7)
    row = steps.article_row(article, "coded", 1, NOW)
    assert row["text_chars"] == article.extra["original_chars"] > 20_000_000
    with caplog.at_level(logging.WARNING, logger="flows.tasks"):
        steps.warn_if_cut(article)
    assert f"only the first {MAX_DOC_CHARS} are coded" in caplog.text
    short = make_article(news("short"))
    assert steps.article_row(short, "coded", 1, NOW)["text_chars"] == len(short.text) and not short.extra


@pytest.mark.parametrize(("days_ahead", "refused"), [(0, False), (1, False), (2, True), (400, True)])
def test_future_publication_date(days_ahead: int, refused: bool, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(steps, "utc_now", lambda: NOW)
    (tmp_path / "a.txt").write_text(news("future", NOW.date() + timedelta(days=days_ahead)), encoding="utf-8")
    batch = steps.ingest([str(tmp_path / "a.txt")], str(tmp_path / "lake"))
    assert [why for _, why in batch.refused] == (["publication date in the future"] if refused else [])


def test_unreadable_file_is_a_reject_and_the_rest_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a_locked.txt").write_text(news("locked"), encoding="utf-8")
    (tmp_path / "b_open.txt").write_text(news("open"), encoding="utf-8")
    real = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        if path.name == "a_locked.txt":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    items = list(iter_inputs(tmp_path))
    assert [(i.key, i.reason) for i in items[:1]] == [("a_locked.txt", "unreadable file: Permission denied")]
    assert items[1].article_id == "b_open"


def test_mixed_encodings_keep_both_parts() -> None:
    data = "KYIV – talks ".encode() + "café “x”".encode("cp1252") + " – done ä".encode()
    assert _decode(data, "t") == "KYIV – talks café “x” – done ä"
    assert _decode(b"\xef\xbb\xbf{}", "t") == "{}"  # a BOM is dropped
    with pytest.raises(ValueError, match="binary"):
        _decode(b"ab\x00cd", "t")


def test_strip_html_keeps_the_story_and_drops_furniture() -> None:
    page = ("<html><head><title>T</title><style>p{}</style></head><body><header>Menu <b>Top</b></header>"
            "<nav><ul><li>Home</li></ul></nav><div><p>First &amp; foremost.</p><p>Second<br>line.</p></div>"
            "<script>var s = '<p>not text</p>';</script><footer>(c) Site</footer></body></html>")
    assert looks_like_html(page)
    assert strip_html(page) == "First & foremost.\n\nSecond\n\nline."
    assert not looks_like_html("Prices rose 3% as a < b and c > d, officials said <sic>.")
    article = make_article("date 2024-05-07\n<html><body><p>BAKU – Talks were held.</p><nav>x</nav></body></html>")
    assert article.published == date(2024, 5, 7) and article.dateline == "BAKU" and "<" not in article.text


def test_run_fails_only_when_nothing_could_be_processed() -> None:
    from flows.pipeline import RunSummary

    def summary(**counts: int) -> RunSummary:
        return RunSummary(lake=Path("l"), tables={}, report=Path("r"), data_docs=Path("d"), **counts)

    assert summary(items=0).ok and summary(items=5, articles_new=1).ok and summary(items=5, articles_seen=5).ok
    failed = summary(items=5, articles_rejected=5)
    assert not failed.ok and "FAILED: no article could be coded" in failed.describe().splitlines()[0]


@pytest.mark.flow
def test_flow_over_the_hostile_folder(hostile: tuple[Path, list[Case]], tmp_path: Path) -> None:
    from flows.pipeline import run_pipeline

    folder, cases = hostile
    summary = run_pipeline([folder], tmp_path / "lake")
    assert summary.ok
    rejects = read_table("rejects", summary.lake)
    got = {}
    for row in rejects.filter(record_kind="article").iter_rows(named=True):
        got.setdefault(row["key"], []).append(row["reason"])
    articles = read_table("articles", summary.lake)
    for row in articles.filter(status="coded").iter_rows(named=True):
        got.setdefault(row["article_id"], []).append(CODED)
    assert mismatches(cases, got) == []
    coded = articles.filter(status="coded")
    by_id = dict(zip(coded["article_id"], coded["n_events"], strict=True))
    # text that survived decoding, HTML stripping and odd names is really coded, not just accepted
    for key in ("cp1252", "mixed_encoding", "invalid_utf8", "j-html", "j-latin1", "latin1_name_\ufffd", "long"):
        assert by_id[key] >= 1, key
    old = rejects.filter(record_kind="event", expectation="event_date.min")
    assert old.height == 1 and by_id["old"] == 0  # an 1850 event is refused by the gate, the run goes on
    assert summary.articles_new == len(by_id)
    assert summary.articles_rejected == rejects.filter(record_kind="article").height
