"""Reports of one event by several articles merge into one row; distinct events on the same day stay apart."""

from __future__ import annotations

from datetime import date

import pytest

from transforms.articles import make_article
from transforms.clusters import cluster_ids, merge_events
from transforms.extract import extract_events

REPORTS = [  # one incident, three outlets, three wordings (written for this test)
    ("wire-a", "Agency A", "Militants attacked an army checkpoint in Niger's Tillaberi region on Tuesday, killing 11 soldiers, the defence ministry said."),
    ("wire-b", "Agency B", "Eleven Nigerien soldiers were killed on Tuesday when gunmen stormed a military post near Tillaberi, officials said."),
    ("wire-c", "Paper C", "An attack by suspected jihadists on a checkpoint in the Tillaberi region killed at least 11 soldiers on Tuesday, Niger's army said."),
]
OTHER_SAME_DAY = ("wire-d", "Agency A", "In a separate incident on Tuesday, a roadside bomb killed three policemen in Niger's Diffa region.")
PUBLISHED = date(2019, 7, 10)  # a Wednesday: "on Tuesday" is 9 July


@pytest.fixture(scope="module")
def article_events() -> tuple[list[dict], dict[str, str]]:
    """Article-level events of the four reports, and each article's outlet."""
    items = [*REPORTS, OTHER_SAME_DAY]
    articles = [make_article(text, published=PUBLISHED, source=source, source_id=key) for key, source, text in items]
    events = [e for result in extract_events(articles, screened=False) for e in result.events]
    return events, {key: source for key, source, _ in items}


def test_each_report_is_coded(article_events) -> None:
    """Every article yields its incident before merging."""
    events, _ = article_events
    assert sorted(e["article_id"] for e in events) == ["wire-a", "wire-b", "wire-c", "wire-d"]


def test_three_reports_become_one_event(article_events) -> None:
    """The three reports merge: one row with three articles, three mentions, three outlets."""
    events, sources = article_events
    merged = merge_events(events, sources)
    assert len(merged) == 2
    big = next(m for m in merged if m["num_articles"] == 3)
    assert big["num_mentions"] == 3 and big["num_sources"] == 3 and big["fatalities"] == 11
    assert big["event_date"] == date(2019, 7, 9) and big["location_country"] == "NER"
    assert sorted(big["member_event_ids"]) == sorted(e["event_id"] for e in events if e["article_id"] != "wire-d")
    small = next(m for m in merged if m["num_articles"] == 1)
    assert small["fatalities"] == 3 and small["first_article_id"] == "wire-d"


def test_cluster_id_ignores_arrival_order(article_events) -> None:
    """The same events in another order get the same cluster ids."""
    events, _ = article_events
    assert cluster_ids(events) == cluster_ids(list(reversed(events)))


def _all_pairs_clusters(events: list[dict]) -> dict[str, str]:
    """The reference: compare every pair (what the blocked sweep must reproduce)."""
    from transforms.clusters import _find, same_event

    parent = {e["event_id"]: e["event_id"] for e in events}
    for i, a in enumerate(events):
        for b in events[i + 1:]:
            if same_event(a, b):
                ra, rb = _find(parent, a["event_id"]), _find(parent, b["event_id"])
                parent[max(ra, rb)] = min(ra, rb)
    return {key: _find(parent, key) for key in parent}


@pytest.mark.parametrize("seed", range(5))
def test_blocked_clustering_equals_comparing_every_pair(seed: int) -> None:
    import random

    rng = random.Random(seed)
    countries = ["NER", "NGA", "MLI", "TUR", "SYR", None]
    events = [{"event_id": f"e{i:04d}", "article_id": f"a{rng.randrange(150)}",
               "event_type": rng.choice(["meeting", "military_incident"]),
               "event_date": date(2024, 5, 1 + rng.randrange(6)), "actor1_country": rng.choice(countries),
               "actor2_country": rng.choice(countries), "location_country": rng.choice(countries),
               "location": rng.choice(["Niamey", "Diffa", None]), "geo_precision": rng.choice([1, 3]),
               "fatalities": rng.choice([None, 3, 5, 40])} for i in range(300)]
    expected = _all_pairs_clusters(events)
    assert cluster_ids(events) == expected
    assert len(set(expected.values())) < len(events)  # some merged, so the comparison checks something


def test_a_story_retold_many_times_costs_one_comparison_per_report(monkeypatch) -> None:
    """2,000 outlets report one meeting over three days: each new report is compared with its cluster once, not
    with every earlier report in its window (that made a 100,000-article run re-cluster quadratically)."""
    from transforms import clusters

    calls = []
    compare = clusters.same_event
    monkeypatch.setattr(clusters, "same_event", lambda a, b: calls.append(1) or compare(a, b))
    events = [{"event_id": f"e{i:05d}", "article_id": f"a{i}", "event_type": "meeting",
               "event_date": date(2024, 5, 1 + i % 3), "actor1_country": "TUR", "actor2_country": "RUS",
               "location_country": "RUS", "location": "Moscow", "geo_precision": 1, "fatalities": None}
              for i in range(2000)]
    ids = cluster_ids(events)
    assert set(ids.values()) == {"e00000"}
    assert len(calls) < 3 * len(events)  # two blocks (TUR, RUS): about one comparison per report in each
