"""Property and fuzz tests: article parsing invariants, and an extractor that never raises on mangled text."""

from __future__ import annotations

import random
from datetime import date

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.hostile.generate import sample_paragraphs
from transforms.articles import ArticleError, content_hash, make_article, normalise_text, parse_dateline, strip_html
from transforms.extract import extract_events

FAST = settings(max_examples=200, deadline=None)
SLOW = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])  # spaCy parses
WORD = st.text(st.characters(blacklist_categories=("Z", "C")), min_size=1, max_size=12)
SPACE = st.sampled_from([" ", "  ", "\n", "\t", "\r\n", " \n\n ", "\u00a0", "\u2003"])
PLACE = st.from_regex(r"[A-Z]{3,12}( [A-Z]{3,10})?", fullmatch=True)
DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
PARAGRAPHS = sample_paragraphs()
NOISE = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, blacklist_categories=("Cs",)), max_size=6)


@FAST
@given(st.lists(WORD, min_size=1, max_size=30), st.data())
def test_content_hash_ignores_whitespace_and_case(words: list[str], data: st.DataObject) -> None:
    spaced = data.draw(SPACE) + words[0] + "".join(data.draw(SPACE) + w for w in words[1:]) + data.draw(SPACE)
    assert content_hash(spaced) == content_hash(" ".join(words)) == content_hash(" ".join(words).lower())


@FAST
@given(st.text(max_size=300))
@example("cafe\x00\u0301 \r\n")  # a control char between a letter and its accent
def test_normalise_text_is_idempotent_and_drops_controls(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once
    assert "\r" not in once and "\x00" not in once


@FAST
@given(PLACE, st.from_regex(r"[A-Za-z]{2,10}", fullmatch=True), st.sampled_from(["–", "—", "-"]),
       st.text(min_size=1, max_size=80))
def test_dateline_place_and_source(place: str, source: str, dash: str, rest: str) -> None:
    assert parse_dateline(f"{place} {dash} [{source}] {dash} Officials met. {rest}") == (place, source)
    assert parse_dateline(f"{place} ({source}) {dash} Officials met. {rest}") == (place, source)


@FAST
@given(st.text(max_size=200))
def test_dateline_never_raises_and_finds_text_from_the_start(text: str) -> None:
    place, _ = parse_dateline(text)
    assert place is None or place in text[:160]


@FAST
@given(DATES, st.text(st.characters(blacklist_categories=("C",)), max_size=100).filter(str.strip), DATES)
def test_header_date_fills_only_a_missing_date(day: date, body: str, other: date) -> None:
    text = f"date {day.isoformat()} {body}"
    assert make_article(text).published == day
    assert make_article(text, published=other).published == other
    assert make_article(text).content_hash == make_article(text.replace(" ", "  ")).content_hash


@FAST
@given(st.text(max_size=300), st.text(st.characters(whitelist_categories=("L",)), min_size=1, max_size=40))
def test_strip_html_never_raises_and_drops_scripts(text: str, secret: str) -> None:
    stripped = strip_html(f"<html><body><p>{text}</p><script>SECRET{secret}</script></body></html>")
    assert f"SECRET{secret}" not in stripped
    strip_html(text)  # random text is no HTML: no exception either


def _mutate(text: str, ops: list[tuple[str, int, str]]) -> str:
    """Apply cut / shuffle / insert / duplicate operations at positions derived from the drawn numbers."""
    for op, pos, noise in ops:
        at = pos % (len(text) + 1)
        if op == "cut":
            text = text[:at] if pos % 2 else text[at:]
        elif op == "shuffle":
            parts = text.split(" ")
            random.Random(pos).shuffle(parts)
            text = " ".join(parts)
        elif op == "insert":
            text = text[:at] + noise + text[at:]
        else:
            text = text[:at] + text[at:at + 200] * 3 + text[at:]
    return text


def _extract_or_refuse(text: str, published: date) -> None:
    """Code text; only an ArticleError (nothing left to code) may come out."""
    try:
        article = make_article(text, published=published, source_id="fuzz")
    except ArticleError:
        return
    (result,) = list(extract_events([article]))
    for event in result.events:
        assert 0 <= event["char_start"] < event["char_end"] <= len(article.text)


@SLOW
@given(st.lists(st.sampled_from(PARAGRAPHS), min_size=1, max_size=3),
       st.lists(st.tuples(st.sampled_from(["cut", "shuffle", "insert", "dup"]), st.integers(0, 10**6), NOISE),
                max_size=8), DATES)
def test_extractor_survives_mutated_news(paragraphs: list[str], ops: list[tuple[str, int, str]],
                                         published: date) -> None:
    _extract_or_refuse(_mutate("BAKU – [FZZ] – " + "\n\n".join(paragraphs), ops), published)


@SLOW
@given(st.text(max_size=400), DATES)
def test_extractor_survives_random_text(text: str, published: date) -> None:
    _extract_or_refuse(text, published)
