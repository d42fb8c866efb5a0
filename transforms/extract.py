"""Articles in, event and mention rows out: parse, code, merge, fill what sentences leave open."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from functools import cache

from spacy.tokens import Doc

from schemas.dictionaries import load_countries
from transforms.actors import country_name
from transforms.articles import MAX_DOC_CHARS, Article, ArticleEvents
from transforms.coder import EventMention, code_article
from transforms.dedup import merge_mentions
from transforms.nlp import build_vocab_resources, forget_article_words, load_nlp, parse_many
from transforms.places import Place, resolve_place
from transforms.records import event_record, mention_records
from transforms.screen import Screened, article_sentence_indexes, reduced_doc, screen

SCREEN_NEIGHBOURS = 0  # sentences either side of a candidate also parsed: 1 costs ~30% more and changed no score
_CHUNK = 64  # articles screened, parsed and coded together: bounds memory on long streams
VOCAB_GROWTH_LIMIT = 100_000  # strings a process may add to the vocab for good (~20 MB) before chunks use zones

_HEADER_BLANK = " "


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
    for cluster in clusters:
        if cluster.placed is not None or cluster.event_type == "phone_call":
            continue
        # a place in a country of neither side ('ANKARA - ... Azerbaijani and Armenian troops exchanged fire') is
        # where the news was filed, not where the fighting was
        salient = next((place for place, _ in counts.most_common()
                        if not cluster.countries or place.country in cluster.countries), None)
        first = cluster.mentions[0]
        host = _host_capital(cluster)
        if host is not None:  # 'the White House hosted the ministers': a hosted meeting is at the host's capital
            first.place, first.place_text = host, host.name
            first.provenance["location"] = "host's capital"
        elif cluster.event_type == "meeting" and context.dateline_place and context.dateline_place.country in cluster.countries:
            first.place, first.place_text = context.dateline_place, context.article.dateline
            first.provenance["location"] = "dateline"
        elif cluster.event_type == "military_incident" and salient is not None:
            first.place, first.place_text = salient, salient.name
            first.provenance["location"] = "most named place in the article"
        elif cluster.event_type == "military_incident" and first.actor2 is not None and first.actor2.country:
            first.place = resolve_place(country_name(first.actor2.country), [first.actor2.country])
            first.place_text = first.actor2.country
            first.provenance["location"] = "country of the side attacked (no place named)"


def _host_capital(cluster) -> Place | None:
    """Capital of the host of a hosted visit or meeting (CAMEO 043), when the text names no place."""
    hosted = next((m for m in cluster.mentions if m.cameo == "043" and m.actor1 is not None), None)
    if hosted is None:
        return None
    country = next((c for c in load_countries() if c.iso3 == hosted.actor1.country), None)
    return resolve_place(country.capital, [country.iso3]) if country and country.capital else None


def fill_incident_places(mentions: list[EventMention]) -> None:
    """An incident sentence without a place takes the place of the article's nearest placed incident."""
    placed = [m for m in mentions if m.event_type == "military_incident" and m.place is not None]
    for mention in mentions:
        if mention.event_type != "military_incident" or mention.place is not None or not placed:
            continue
        mine = {a.country for a in (mention.actor1, mention.actor2) if a is not None}
        # an incident between the same sides first ('a similar strike two weeks ago'), then the nearest one
        nearest = min(placed, key=lambda p: (p.place.country not in mine, abs(p.sentence_index - mention.sentence_index)))
        mention.place, mention.place_text = nearest.place, nearest.place_text
        mention.provenance["location"] = f"article context (sentence {nearest.sentence_index})"


def code_parsed(article: Article, doc: Doc, sentence_map: list[int] | None = None) -> ArticleEvents:
    """Code one parsed article into event and mention rows; sentence_map turns a reduced doc's sentence indexes
    into the article's."""
    mentions, context = code_article(article, doc)
    if sentence_map is not None:
        for mention in mentions:  # dedup and place filling compare indexes: they must count the blanked sentences
            mention.sentence_index = sentence_map[mention.sentence_index]
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


def extract_events(articles: Iterable[Article], batch_size: int = 64, *, screened: bool = True) -> Iterator[ArticleEvents]:
    """Parse and code articles in batches; yields one result per article, in order. With screened, only the
    sentences the screen flags (and their neighbours) are parsed, and articles without any are not parsed at all."""
    if not screened:
        pending = list(articles) if not isinstance(articles, list) else articles
        docs = parse_many((text_for_parsing(a) for a in pending), batch_size=batch_size)
        for article, doc in zip(pending, docs, strict=True):
            yield code_parsed(article, doc)
        return
    chunk: list[Article] = []
    for article in articles:
        chunk.append(article)
        if len(chunk) == _CHUNK:
            yield from _extract_screened(chunk, batch_size)
            chunk = []
    yield from _extract_screened(chunk, batch_size)


def code_batch(articles: list[Article], batch_size: int = 32) -> tuple[list[ArticleEvents], list[tuple[Article, str]]]:
    """Code a batch; when it fails, code its articles one by one so only the bad one is lost (with the reason)."""
    try:
        return list(extract_events(articles, batch_size=batch_size)), []
    except Exception:  # noqa: BLE001 - any coder crash on one text must not sink the batch
        results, failed = [], []
        for article in articles:
            try:
                results.extend(extract_events([article]))
            except Exception as error:  # noqa: BLE001
                failed.append((article, f"coding failed: {type(error).__name__}: {error}"))
        return results, failed


def _extract_screened(articles: list[Article], batch_size: int) -> list[ArticleEvents]:
    """One chunk. Once the vocab has grown by VOCAB_GROWTH_LIMIT strings since the matchers were built, chunks run
    inside a spaCy memory zone: every word a chunk adds (names, numbers: news has an open vocabulary) is dropped at
    its end, so a long stream does not grow the process. Before that, words stay, as in any cache: inside a zone
    the tokenizer neither caches nor keeps lexemes, which costs ~15% of the coder's time if every chunk pays it.
    The results are plain dicts and strings, so nothing outlives a zone that points into it."""
    nlp = load_nlp()
    build_vocab_resources()
    grown = len(nlp.vocab.strings) - _vocab_baseline(nlp)
    with nlp.memory_zone() if grown >= VOCAB_GROWTH_LIMIT else nullcontext():
        results = list(_code_chunk(articles, batch_size))
    forget_article_words(nlp)
    return results


@cache
def _vocab_baseline(nlp) -> int:
    return len(nlp.vocab.strings)


def _code_chunk(articles: list[Article], batch_size: int) -> Iterator[ArticleEvents]:
    screens = [screen(text_for_parsing(a)[:MAX_DOC_CHARS]) for a in articles]
    keeps = [_keep(s) for s in screens]
    to_parse = [reduced_doc(s, k) for s, k in zip(screens, keeps) if k]
    docs = parse_many(to_parse, batch_size=batch_size) if to_parse else iter(())
    for article, screened_text, keep in zip(articles, screens, keeps, strict=True):
        if not keep:  # fast path: nothing to parse, nothing to code
            yield ArticleEvents(article)
            continue
        doc = next(docs)
        yield code_parsed(article, doc, article_sentence_indexes(doc, screened_text, keep))


def _keep(screened: Screened) -> set[int]:
    """Candidate sentences and their neighbours."""
    last = len(screened.sentences) - 1
    return {j for i in screened.candidates for j in range(max(0, i - SCREEN_NEIGHBOURS), min(last, i + SCREEN_NEIGHBOURS) + 1)}
