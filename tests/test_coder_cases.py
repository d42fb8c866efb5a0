"""One sentence per construction, from tests/cases/coder.jsonl: what must be coded and what must not."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from transforms.articles import make_article
from transforms.extract import extract_events

CASES = [json.loads(line) for line in (Path(__file__).parent / "cases" / "coder.jsonl").read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def coded() -> dict[str, list[dict]]:
    """Code every case once (parsing is the slow part)."""
    articles = [make_article(c["text"], published=date.fromisoformat(c["published"]), source_id=c["id"]) for c in CASES]
    return {r.article.article_id: [e for e in r.events if not e["background"]] for r in extract_events(articles)}


def _matches(event: dict, expect: dict) -> bool:
    countries = {event["actor1_country"], event["actor2_country"]} - {None}
    if event["event_type"] != expect["type"] or not set(expect["countries"]) <= countries | set():
        return False
    if "date" in expect and abs((event["event_date"] - date.fromisoformat(expect["date"])).days) > 0:
        return False
    if "date_between" in expect:
        low, high = (date.fromisoformat(d) for d in expect["date_between"])
        if not low <= event["event_date"] <= high:
            return False
    return all(event[key] == expect[key] for key, column in (("fatalities", "fatalities"),) if key in expect) and (
        "cameo" not in expect or event["cameo_code"] == expect["cameo"]
    ) and all(event[key] == expect[key] for key in ("location", "location_country", "actor1_country", "actor2_country") if key in expect)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case: dict, coded: dict[str, list[dict]]) -> None:
    """Each expected event is coded with its attributes, and nothing else is."""
    events = coded[case["id"]]
    for expect in case["expect"]:
        assert any(_matches(e, expect) for e in events), f"missing {expect}; got {events}"
    assert len(events) == len(case["expect"]), f"unexpected events: {[(e['event_type'], e['trigger']) for e in events]}"
