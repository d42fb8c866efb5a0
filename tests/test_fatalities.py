"""Casualty counts: number parsing, sentence-level totals from tests/cases/casualties.jsonl, and robustness."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.fatalities import find_casualties, total_injured, total_killed
from transforms.numbers import looks_like_count, normalize_qualifier, parse_number

CASES = [json.loads(line) for line in (Path(__file__).parent / "cases" / "casualties.jsonl").read_text().splitlines()
         if line.strip()]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("eight", (8, 8)), ("23", (23, 23)), ("1,200", (1200, 1200)), ("twenty-three", (23, 23)),
        ("Twenty three", (23, 23)), ("a dozen", (12, 12)), ("dozens", (12, 12)), ("dozens of", (12, 12)),
        ("two dozen", (24, 24)), ("half a dozen", (6, 6)), ("hundreds", (100, 100)), ("scores", (20, 20)),
        ("several", (3, 3)), ("a few", (3, 3)), ("some", (3, 3)), ("several hundred", (300, 300)),
        ("tens of thousands", (10_000, 10_000)), ("two hundred and five", (205, 205)),
        ("one thousand two hundred", (1200, 1200)), ("a hundred", (100, 100)), ("1.5 million", (1_500_000, 1_500_000)),
        ("20-30", (20, 30)), ("two or three", (2, 3)), ("between 5 and 7", (5, 7)), ("ninety-nine", (99, 99)),
    ],
)
def test_parse_number(words: str, expected: tuple[int, int]) -> None:
    """Digits, spelled-out numbers, ranges and the conservative vague-word table."""
    assert parse_number(words) == expected


@pytest.mark.parametrize("words", ["", "many", "numerous", "few", "1.5", "F-16", "soldiers", "ſeven", "9" * 40])
def test_parse_number_rejects(words: str) -> None:
    """Words without a countable lower bound, measurements and junk are not numbers."""
    assert parse_number(words) is None


@pytest.mark.parametrize(
    ("text", "number"),
    [("Resolution 2254 passed", "2254"), ("an F-16 crashed", "16"),
     ("a Su-24 jet", "24"), ("the Minsk-2 deal", "2"), ("aged 23, he", "23"), ("at 10:30 local", "10"),
     ("in 2019 soldiers", "2019"), ("on March 3 gunmen", "3"), ("12 percent of", "12"), ("three years ago", "three"),
     ("no one was", "one")],
)
def test_non_counts(text: str, number: str) -> None:
    """Designators, ages, times, years, dates, percentages and durations are never head counts."""
    start = text.index(number)
    assert not looks_like_count(text, start, start + len(number))


def test_counts_next_to_guards_still_count() -> None:
    """The guards do not swallow real counts: "2000 people", "killed 12."."""
    assert looks_like_count("killed 2000 people", 7, 11)
    assert looks_like_count("killed 12.", 7, 9)


@pytest.mark.parametrize("case", CASES, ids=[case["text"][:48] for case in CASES])
def test_sentence_totals(case: dict) -> None:
    """Each gold sentence's killed and injured totals and whether it carries a cumulative toll."""
    mentions = find_casualties(case["text"])
    assert total_killed(mentions) == case["killed"]
    assert total_injured(mentions) == case["injured"]
    assert any(m.cumulative for m in mentions) == case["cumulative"]


def test_mention_fields() -> None:
    """Count, qualifier, victims and span of single mentions."""
    (first,) = find_casualties("On Monday another five Turkish soldiers were killed in the attack.")
    assert (first.kind, first.count, first.qualifier, first.who) == ("killed", 5, "another", "Turkish soldiers")
    assert first.text == "another five Turkish soldiers were killed"
    (more,) = find_casualties("24 more Al-Shabab fighters have been killed.")
    assert (more.count, more.qualifier, more.who) == (24, "another", "Al-Shabab fighters")
    (least,) = find_casualties("The blast killed at least 12 people.")
    assert (least.count, least.qualifier, least.text) == (12, "at least", "killed at least 12 people")


def test_two_groups_in_one_sentence() -> None:
    """Two verbs, two groups, summed: "two martyred and six killed" is 8."""
    mentions = find_casualties("Two soldiers were martyred and six terrorists were killed in the clash.")
    assert [(m.count, m.who) for m in mentions] == [(2, "soldiers"), (6, "terrorists")]
    assert total_killed(mentions) == 8


def test_flags() -> None:
    """A running toll and a disaster are flagged but kept, so callers can still see them."""
    (war,) = find_casualties("More than 13,000 people have died in the conflict since 2011.")
    assert war.cumulative and not war.disaster and war.count == 13_000 and war.qualifier == "more than"
    (quake,) = find_casualties("Nine people were killed when the earthquake struck.")
    assert quake.disaster and not quake.cumulative


def test_euphemism_needs_a_number() -> None:
    """ "neutralized" counts as killed after a number, never on its own."""
    assert total_killed(find_casualties("Six militants were neutralized.")) == 6
    assert find_casualties("A militant was neutralized.") == []


def test_restated_figure_counts_once() -> None:
    """The same figure for the same victims restated later in the sentence is not added twice."""
    mentions = find_casualties("The attack killed 12 people; 12 people were killed, officials said.")
    assert len(mentions) == 2
    assert total_killed(mentions) == 12


def test_toll_is_a_floor() -> None:
    """An event death toll overrides a smaller sum of new groups."""
    mentions = find_casualties("Three more soldiers died, bringing the death toll to 20.")
    assert total_killed(mentions) == 20


def test_totals_of_nothing() -> None:
    """No mentions gives None, not 0."""
    assert total_killed([]) is None
    assert total_injured([]) is None


def test_normalize_qualifier() -> None:
    """Hedges map onto the five canonical qualifiers."""
    assert normalize_qualifier("Upwards  of") == "more than"
    assert normalize_qualifier("nearly") == "about"
    assert normalize_qualifier("as many as") == "up to"
    assert normalize_qualifier("a further") == "another"
    assert normalize_qualifier(None) is None


_VOCAB = ["killed", "were", "wounded", "died", "a", "soldier", "12", "twenty-three", "dozens", "at least", "and",
          "another", "more", "death toll", "rose to", "killing", "the", "of", ",", ".", "since 2011", "in a crash",
          "people", "sent to hell", "her two children", "left", "dead", "injured", "F-16", "aged", "1,200", "one"]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), st.lists(st.sampled_from(_VOCAB) | st.text(max_size=6), max_size=30).map(" ".join)))
def test_never_raises_and_spans_slice(text: str) -> None:
    """Arbitrary text never raises, and every mention's span slices the text exactly."""
    mentions = find_casualties(text)
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.text
        assert m.kind in ("killed", "injured") and m.count >= 0
    total_killed(mentions)
    total_injured(mentions)
