"""The offline HTML run report: numbers, escaping, no remote resources, charts from the data."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from flows.report import confidence_bins, render_report, timeline
from schemas.tables import table
from tests.test_validate import article_row, event_row, frame

XSS = '<script>alert("pwned")</script>'
VALIDATION = [
    {"table": "events", "name": "fatalities.non_negative", "column": "fatalities", "severity": "critical",
     "scope": "row", "success": False, "unexpected_count": 1, "reason": "fatalities must be >= 0"},
    {"table": "events", "name": "latitude.range", "column": "latitude", "severity": "warning",
     "scope": "row", "success": False, "unexpected_count": 2, "reason": "latitude must be between -90 and 90"},
    {"table": "events", "name": "event_id.exists", "column": "event_id", "severity": "critical",
     "scope": "batch", "success": True, "unexpected_count": None, "reason": "column event_id must be present"},
]


def _rejects(n: int) -> pl.DataFrame:
    """n rejects with one reason."""
    rows = [{"record_kind": "event", "key": f"k{i}", "reason": "fatalities must be >= 0", "expectation": "x",
             "raw": "{}", "run_id": "r", "rejected_at": None} for i in range(n)]
    return pl.DataFrame(rows, schema=table("rejects").schema)


@pytest.fixture()
def html(tmp_path: Path) -> str:
    """A report over 7 events (one with a script in its sentence), 4 articles and 3 rejects."""
    events = [event_row(i, fatalities=i) for i in range(6)]
    events.append(event_row(6, event_type="meeting", cameo_code="042", fatalities=None, sentence=XSS,
                            actor1_name="Tom & <Jerry>"))
    articles = [article_row(i) for i in range(3)] + [article_row(9, status="rejected")]
    out = render_report(frame("events", events), frame("articles", articles), _rejects(3), VALIDATION,
                        tmp_path / "sub" / "report.html", {"run_id": "run-<1>", "started": "2024-03-30"})
    assert out == tmp_path / "sub" / "report.html"
    return out.read_text(encoding="utf-8")


def _card(html: str, label: str) -> str:
    """The value shown on the headline card called label."""
    match = re.search(rf"<b>([^<]*)</b><small>{re.escape(label)}</small>", html)
    assert match, label
    return match.group(1)


def test_headline_numbers(html: str) -> None:
    """Counts of articles, coded articles, events, fatalities and rejects are shown."""
    assert _card(html, "articles") == "4"
    assert _card(html, "articles coded") == "3"
    assert _card(html, "events") == "7"
    assert _card(html, "fatalities") == str(sum(range(6)))
    assert _card(html, "rejects") == "3"
    assert _card(html, "checks failed / warned") == "1 / 1"
    assert _card(html, "quality gate") == "passed"


def test_text_from_the_web_is_escaped(html: str) -> None:
    """A sentence or actor carrying markup is shown as text, never interpreted."""
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in html
    assert "Tom &amp; &lt;Jerry&gt;" in html
    assert "run-&lt;1&gt;" in html


def test_no_remote_resources(html: str) -> None:
    """Nothing is loaded from the network: no remote src/href, no external stylesheets or scripts."""
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert "<link" not in html.lower() and "@import" not in html and "url(" not in html
    assert "default-src 'none'" in html  # CSP: the browser itself refuses anything remote


def test_charts_and_tables(html: str) -> None:
    """Inline SVG charts, validation rows coloured by outcome, the recent events table."""
    assert html.count("<svg") >= 6
    assert re.search(r'<tr class="fail">.*?fatalities\.non_negative', html)
    assert re.search(r'<tr class="warn">.*?latitude\.range', html)
    assert re.search(r'<tr class="pass">.*?event_id\.exists', html)
    assert "military_incident: 6</title>" in html and "meeting: 1</title>" in html
    assert html.count('<td class="sent">') == 7


def test_blocked_gate_and_empty_inputs(tmp_path: Path) -> None:
    """A failed batch-level check turns the gate red; empty tables still render."""
    failed = [dict(VALIDATION[2], success=False)]
    empty = frame("events", [])
    out = render_report(empty, frame("articles", []), _rejects(0), failed, tmp_path / "r.html", {})
    text = out.read_text(encoding="utf-8")
    assert _card(text, "quality gate") == "blocked" and _card(text, "events") == "0"
    assert "No events." in text


def test_timeline_fills_gaps_and_confidence_bins() -> None:
    """Days without events are zero bars, long spans go monthly; confidence 1.0 falls in the top bin."""
    days = [date(2024, 3, 1), date(2024, 3, 4), date(2024, 3, 4)]
    events = frame("events", [event_row(i, event_date=d) for i, d in enumerate(days)])
    assert timeline(events, pl.len()) == ("day", [("03-01", 1.0), ("03-02", 0.0), ("03-03", 0.0), ("03-04", 2.0)])
    old = frame("events", [event_row(0, event_date=date(2023, 11, 20)), event_row(1, event_date=date(2024, 3, 4))])
    unit, months = timeline(old, pl.len())
    assert unit == "month" and [m for m, _ in months] == ["2023-11", "2023-12", "2024-01", "2024-02", "2024-03"]
    bins = confidence_bins(frame("events", [event_row(0, confidence=1.0), event_row(1, confidence=0.05)]))
    assert bins[0] == ("0.0", 1.0) and bins[-1] == ("0.9", 1.0) and len(bins) == 10
