"""data/general: twenty invented general-news articles full of 'strike', 'talks', 'met', 'hit' and 'killed' in their
everyday senses. None holds a meeting, call or armed incident, so every event coded from them is a false positive."""

from pathlib import Path

from flows.sources import iter_inputs
from transforms.articles import Article
from transforms.extract import extract_events

GENERAL = Path(__file__).resolve().parents[1] / "data" / "general"


def test_no_event_is_coded_from_general_news() -> None:
    articles = [a for a in iter_inputs(GENERAL) if isinstance(a, Article)]
    assert len(articles) == 20
    false_events = [(r.article.article_id, e["event_type"], e["sentence"][:80])
                    for r in extract_events(articles) for e in r.events]
    assert false_events == []
