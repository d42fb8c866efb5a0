"""The scorer follows shared/eval/FORMAT.md: type, shared actor, date within the gold range ± 1 day, greedy pairs."""

from __future__ import annotations

from transforms.scoring import format_score, match_quality, score_corpus

GOLD = [{"id": "a1", "events": [
    {"type": "meeting", "date": "2020-02-17", "actors": ["TUR", "RUS"]},
    {"type": "military_incident", "date": ["2020-02-01", "2020-02-07"], "actors": ["SYR", "TUR"], "fatalities": 8,
     "location_country": "SYR"},
]}]


def pred(**fields) -> dict:
    """A coded event of article a1."""
    return {"article_id": "a1", "actor1_country": None, "actor2_country": None, "fatalities": None, **fields}


def test_match_rules() -> None:
    """Type, actors and date each decide; one day of slack either side of the gold range."""
    gold = GOLD[0]["events"][1]
    assert match_quality(pred(event_type="military_incident", actor1_country="TUR", event_date="2020-02-08"), gold)
    assert match_quality(pred(event_type="military_incident", actor1_country="TUR", event_date="2020-02-09"), gold) is None
    assert match_quality(pred(event_type="meeting", actor1_country="TUR", event_date="2020-02-05"), gold) is None
    assert match_quality(pred(event_type="military_incident", actor1_country="IRN", event_date="2020-02-05"), gold) is None


def test_counts_duplicates_and_background() -> None:
    """A second copy of a matched event is a false positive; background events are ignored; misses are counted."""
    preds = [
        pred(event_type="meeting", actor1_country="RUS", actor2_country="TUR", event_date="2020-02-17"),
        pred(event_type="meeting", actor1_country="TUR", event_date="2020-02-16"),
        pred(event_type="meeting", actor1_country="TUR", event_date="2019-01-01", background=True),
    ]
    score = score_corpus(preds, GOLD)
    meeting, incident = score.by_type["meeting"], score.by_type["military_incident"]
    assert (meeting.tp, meeting.fp, meeting.fn) == (1, 1, 0)
    assert (incident.tp, incident.fp, incident.fn) == (0, 0, 1)
    last = format_score(score).splitlines()[-1]
    assert last == "event F1 0.500 P 0.500 R 0.500"


def test_attributes_on_matched_pairs() -> None:
    """Fatalities and location country are reported on matched pairs only."""
    preds = [pred(event_type="military_incident", actor1_country="SYR", actor2_country="TUR", event_date="2020-02-04",
                  fatalities=8, location_country="TUR")]
    score = score_corpus(preds, GOLD)
    assert score.attributes["fatalities"] == [True] and score.attributes["location_country"] == [False]
    assert score.attributes["actors"] == [True]
