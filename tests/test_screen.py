"""The screen: no sentence with a real trigger is screened out, irrelevant ones are, and screening changes no event."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

import transforms.extract as extract
from flows.sources import iter_inputs
from transforms.articles import Article, make_article
from transforms.extract import extract_events, text_for_parsing
from transforms.nlp import load_nlp
from transforms.screen import article_sentence_indexes, reduced_doc, reduced_text, screen, word_forms

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


@pytest.fixture(scope="module")
def samples() -> list[Article]:
    return [a for a in iter_inputs(SAMPLES) if isinstance(a, Article)]


def test_trigger_sentences_need_a_participant_or_a_toll() -> None:
    """A trigger word alone is not enough: someone who could take part must be named (or a toll, for incidents)."""
    text = ("Shares in the carmaker were hit hard on Monday. The two presidents met in Dushanbe on Monday. "
            "They spoke again by phone on Friday. A car bomb exploded near the market, killing 12. "
            "The striker hit the post twice before half-time.")
    screened = screen(text)
    assert len(screened.sentences) == 5
    assert screened.candidates == (1, 2, 3)


def test_irrelevant_sentences_are_dropped() -> None:
    """Sport, trade and weather sentences hold no trigger word and are not candidates."""
    text = ("Rwanda beat Senegal 78-71 to win the basketball final. Tea prices fell at the Mombasa auction. "
            "The two presidents met in Dushanbe on Monday. Heavy rain is expected in the north.")
    screened = screen(text)
    assert len(screened.sentences) == 4
    assert screened.candidates == (2,)


def test_word_forms_follow_the_lemmatizer() -> None:
    """Regular and irregular forms of a lemma are derived, not listed by hand."""
    assert {"met", "meets", "meeting"} <= word_forms("meet")
    assert {"held", "holds", "holding"} <= word_forms("hold")
    assert {"died", "dying"} <= word_forms("die")


def test_article_without_candidates_is_not_parsed(monkeypatch) -> None:
    """Fast path: no candidate sentence, no parse, no events."""
    def no_parse(*_args, **_kwargs):
        raise AssertionError("parsed an article the screen had ruled out")

    monkeypatch.setattr(extract, "parse_many", no_parse)
    article = make_article("KIGALI – [EPW] – Rwanda beat Senegal 78-71. The crowd sang.", published=None)
    results = list(extract_events([article]))
    assert [r.events for r in results] == [[]]


def test_reduced_text_keeps_offsets(samples) -> None:
    """Blanking keeps the length and every kept character where it was."""
    text = text_for_parsing(samples[0])
    screened = screen(text)
    reduced = reduced_text(screened, set(screened.candidates))
    assert len(reduced) == len(text)
    for i in screened.candidates:
        start, end = screened.sentences[i]
        assert reduced[start:end] == text[start:end]


def test_nothing_blanked_gives_the_parser_sentence_indexes(samples) -> None:
    """With every sentence kept, the mapped indexes are the parser's own."""
    text = text_for_parsing(samples[3])
    screened = screen(text)
    doc = load_nlp()(reduced_doc(screened, set(range(len(screened.sentences)))))
    assert article_sentence_indexes(doc, screened, set(range(len(screened.sentences)))) == list(range(len(list(doc.sents))))


def test_screen_changes_no_event_on_the_samples(samples) -> None:
    """Screened and full-parse coding give the same events (a sentence's start may move where the parser would have
    run a dateless headline line into it)."""
    def key(event: dict) -> tuple:
        return tuple(str(event[k]) for k in ("article_id", "event_type", "cameo_code", "actor1_code", "actor2_code",
                                             "event_date", "fatalities", "injuries", "location", "trigger"))

    full = sorted(key(e) for r in extract_events(samples, screened=False) for e in r.events)
    fast = sorted(key(e) for r in extract_events(samples) for e in r.events)
    assert full and fast == full
    general = [a for a in iter_inputs(SAMPLES.parent / "general") if isinstance(a, Article)]
    # on event-free news the screen may only remove (false) events, never add one
    def counts(screened: bool) -> Counter:
        return Counter((e["article_id"], e["event_type"]) for r in extract_events(general, screened=screened) for e in r.events)

    assert not counts(True) - counts(False)
