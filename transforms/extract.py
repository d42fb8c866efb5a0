"""Articles in, event and mention rows out: parse, code, merge, fill what sentences leave open."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from spacy.tokens import Doc

from transforms.articles import Article
from transforms.coder import EventMention, code_article
from transforms.dedup import merge_mentions
from transforms.nlp import parse_many
from transforms.records import event_record, mention_records

_HEADER_BLANK = " "


@dataclass
class ArticleEvents:
    """Everything coded from one article."""

    article: Article
    events: list[dict] = field(default_factory=list)
    mentions: list[dict] = field(default_factory=list)


def text_for_parsing(article: Article) -> str:
    """The article text with the seed header blanked (same length, so offsets hold)."""
    text = article.text
    stripped = text.lstrip()
    if stripped.startswith("date "):
        head_len = len(text) - len(stripped) + len("date YYYY-MM-DD")
        return _HEADER_BLANK * head_len + text[head_len:]
    return text


def fill_cluster_places(clusters, context) -> None:
    """Events whose sentences name no place: a meeting at the dateline of one of its countries; an incident at
    the article's most named place."""
    counts = Counter(p.place for _, p in context.places if p.place.precision <= 2)
    salient = counts.most_common(1)[0][0] if counts else None
    for cluster in clusters:
        if cluster.placed is not None or cluster.event_type == "phone_call":
            continue
        first = cluster.mentions[0]
        if cluster.event_type == "meeting" and context.dateline_place and context.dateline_place.country in cluster.countries:
            first.place, first.place_text = context.dateline_place, context.article.dateline
            first.provenance["location"] = "dateline"
        elif cluster.event_type == "military_incident" and salient is not None:
            first.place, first.place_text = salient, salient.name
            first.provenance["location"] = "most named place in the article"


def fill_incident_places(mentions: list[EventMention]) -> None:
    """An incident sentence without a place takes the place of the article's nearest placed incident."""
    placed = [m for m in mentions if m.event_type == "military_incident" and m.place is not None]
    for mention in mentions:
        if mention.event_type != "military_incident" or mention.place is not None or not placed:
            continue
        nearest = min(placed, key=lambda p: abs(p.sentence_index - mention.sentence_index))
        mention.place, mention.place_text = nearest.place, nearest.place_text
        mention.provenance["location"] = f"article context (sentence {nearest.sentence_index})"


def code_parsed(article: Article, doc: Doc) -> ArticleEvents:
    """Code one parsed article into event and mention rows."""
    mentions, context = code_article(article, doc)
    fill_incident_places(mentions)
    result = ArticleEvents(article)
    clusters = merge_mentions(mentions)
    if context is not None:
        fill_cluster_places(clusters, context)
    for cluster in clusters:
        record = event_record(cluster, article)
        result.events.append(record)
        result.mentions.extend(mention_records(cluster, record["event_id"], record["year"], record["month"]))
    return result


def extract_events(articles: Iterable[Article], batch_size: int = 16) -> Iterator[ArticleEvents]:
    """Parse and code articles in batches; yields one result per article, in order."""
    pending = list(articles) if not isinstance(articles, list) else articles
    docs = parse_many((text_for_parsing(a) for a in pending), batch_size=batch_size)
    for article, doc in zip(pending, docs, strict=True):
        yield code_parsed(article, doc)
