"""Coding runs in spaCy memory zones: words a chunk adds to the vocab are dropped after it, so an open
vocabulary (names, numbers) does not grow a long-running worker; results never point into a zone."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from transforms.articles import make_article
from transforms import extract
from transforms.extract import extract_events
from transforms.nlp import load_nlp

ROOT = Path(__file__).resolve().parents[1]
STORY = ("KABUL - Two soldiers were killed when militants attacked an army checkpoint in Kunduz province on Monday, "
         "a defence ministry spokesman said.\n\nReporting by {a} {b}; editing by {c} {d}. Ref {n}-{m}.")
PLAIN = (str, int, float, bool, type(None), date)


def _articles(first: int, count: int) -> list:
    def word(i: int, k: int) -> str:
        return "Q" + "".join("bcdfghkmnprstvz"[(i * 7 + k * 3 + j) % 15] for j in range(6)) + str(i)
    return [make_article(STORY.format(a=word(i, 0), b=word(i, 1), c=word(i, 2), d=word(i, 3), n=i * 7919, m=i),
                         published=date(2024, 5, 6), source_id=f"zone-{i}") for i in range(first, first + count)]


def _plain(value) -> bool:
    if isinstance(value, dict):
        return all(_plain(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(_plain(v) for v in value)
    return isinstance(value, PLAIN)


def test_new_words_do_not_stay_in_the_vocab(monkeypatch):
    monkeypatch.setattr(extract, "VOCAB_GROWTH_LIMIT", 0)  # a long-running process, past its budget
    strings = load_nlp().vocab.strings
    first = [r for r in extract_events(_articles(0, 70))]  # past one chunk, so a zone has ended in between
    before = len(strings)
    second = [r for r in extract_events(_articles(1000, 70))]
    assert len(strings) == before  # 280 new names and 140 new numbers came and went
    assert sum(len(r.events) for r in first) == sum(len(r.events) for r in second) == 70
    assert all(_plain(r.events) and _plain(r.mentions) for r in first + second)
    assert {e["actor1_country"] for r in second for e in r.events} == {"AFG"}


def test_a_fresh_process_builds_its_matchers_outside_the_zone():
    """A matcher first built inside a zone would lose its keys when the zone ends: the second chunk would fail."""
    probe = ("import json; from tests.test_vocab_zone import _articles; from transforms import extract;"
             "extract.VOCAB_GROWTH_LIMIT = 0; from transforms.extract import extract_events;"
             "print(json.dumps([len(r.events) for r in extract_events(_articles(0, 130))]))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [1] * 130


def test_words_stay_until_the_budget_is_spent(monkeypatch):
    """Below the budget no zone is used (the tokenizer caches and keeps lexemes, which is faster)."""
    monkeypatch.setattr(extract, "VOCAB_GROWTH_LIMIT", 10**9)
    strings = load_nlp().vocab.strings
    before = len(strings)
    list(extract_events(_articles(5000, 10)))
    assert len(strings) > before
