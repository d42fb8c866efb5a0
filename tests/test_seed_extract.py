"""The reference article end to end through `eventpipe extract`: every expected event is there, with its attributes."""

from __future__ import annotations

import json

import pytest

from flows.cli import main
from tests.shared_data import SEED_ARTICLE, require


@pytest.fixture(scope="module")
def seed_events() -> list[dict]:
    """Events printed by `eventpipe extract` on the seed article."""
    from flows.extraction import event_lines

    return [json.loads(line) for line in event_lines(require(SEED_ARTICLE))]


def _find(events: list[dict], **expected) -> list[dict]:
    return [e for e in events if all(e.get(k) == v for k, v in expected.items())]


def test_moscow_talks(seed_events) -> None:
    """The second round in Moscow on the publication day."""
    found = _find(seed_events, event_type="meeting", event_date="2020-02-17", location="Moscow", location_country="RUS")
    assert found and {found[0]["actor1_country"], found[0]["actor2_country"]} == {"RUS", "TUR"}


def test_ankara_talks(seed_events) -> None:
    """The first round in Ankara, 8-10 February."""
    found = _find(seed_events, event_type="meeting", location="Ankara")
    assert found and "2020-02-08" <= found[0]["event_date"] <= "2020-02-10"


def test_phone_call(seed_events) -> None:
    """Putin-Erdogan call on 12 February, coded once although mentioned twice."""
    found = _find(seed_events, event_type="phone_call", cameo_code="041", event_date="2020-02-12")
    assert len(found) == 1 and {found[0]["actor1_country"], found[0]["actor2_country"]} == {"RUS", "TUR"}
    assert len(_find(seed_events, event_type="phone_call")) == 1


def test_shelling_killed_eight(seed_events) -> None:
    """Syrian shelling killed eight Turkish troops a few days before 8 February."""
    found = _find(seed_events, event_type="military_incident", fatalities=8)
    assert found
    event = found[0]
    assert event["cameo_code"] == "194" and event["actor1_country"] == "SYR" and event["actor2_country"] == "TUR"
    assert "2020-02-01" <= event["event_date"] <= "2020-02-08"
    assert event["location_country"] == "SYR"


def test_second_incident_killed_five(seed_events) -> None:
    """The 10 February incident in Idlib that killed five more soldiers."""
    found = _find(seed_events, event_type="military_incident", fatalities=5, event_date="2020-02-10")
    assert found and found[0]["location"] == "Idlib" and found[0]["actor2_country"] == "TUR"


def test_planned_meetings_not_coded(seed_events) -> None:
    """Only the two real meetings: the planned military and ministry meetings are not events."""
    assert len(_find(seed_events, event_type="meeting")) == 2


def test_provenance(seed_events) -> None:
    """Every event says why it exists: sentence, span, trigger, coder version, confidence."""
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    for event in seed_events:
        assert event["sentence"] and event["sentence"] in text
        assert text[event["char_start"]:event["char_end"]] == event["sentence"]
        assert event["coder_version"].startswith("eventpipe-coder/")
        assert 0 < event["confidence"] <= 1
        assert json.loads(event["provenance"])["trigger_rules"]


def test_cli_extract_prints_json_lines(capsys) -> None:
    """The console command prints one JSON object per line."""
    assert main(["extract", str(require(SEED_ARTICLE))]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 5 and all(json.loads(line)["article_id"] for line in lines)
