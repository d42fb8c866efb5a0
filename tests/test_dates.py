"""Date expressions resolved against publication dates: worked cases plus property tests."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.dates import (
    DateMention,
    apply_offset,
    find_date_mentions,
    find_offset_mentions,
    parse_iso_date,
    resolve_weekday,
)

CASE_FILE = Path(__file__).parent / "cases" / "dates.jsonl"
CASES = [json.loads(line) for line in CASE_FILE.read_text().splitlines() if line.strip()]
PRECISIONS = {"day", "range", "week", "month", "approximate"}
# Vocabulary the patterns react to, so generated text actually exercises matching, not just the no-match path.
FRAGMENTS = ["on", "in", "last", "next", "this", "early", "late", "mid-", "overnight", "since", "the", "of", "ago",
             "Friday", "Monday", "Saturday", "into", "morning", "night", "yesterday", "today", "tomorrow", "(Sunday)",
             "week", "weekend", "month", "year", "days", "weeks", "two", "a few", "about", "recent", "recently",
             "February", "Feb.", "May", "December", "Sept.", "12", "29", "30", "31", "1st", "-", "to", ",", "2019",
             "2020", "1999", "2020-02-29", "2021-02-29", "past", "earlier", "later", "after", "before", "hours"]
dates = st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31))
vocab_text = st.lists(st.sampled_from(FRAGMENTS), max_size=12).map(" ".join)


def _as_dict(m: DateMention) -> dict:
    """The fields a case file pins down."""
    return {"text": m.text, "first": m.first.isoformat(), "last": m.last.isoformat(),
            "precision": m.precision, "future": m.future}


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:40] for c in CASES])
def test_case_file(case: dict) -> None:
    """Every case yields exactly the expected mentions, nothing more."""
    got = find_date_mentions(case["text"], date.fromisoformat(case["published"]))
    assert [_as_dict(m) for m in got] == case["expect"]


def test_case_file_is_substantial() -> None:
    """The case file is loaded, not silently empty."""
    assert len(CASES) >= 60


def test_year_flags() -> None:
    """Year-only mentions are flagged; day mentions are not."""
    got = find_date_mentions("In 2014, and again on May 3, 2015.", date(2016, 1, 1))
    assert [(m.text, m.year_only) for m in got] == [("2014", True), ("May 3, 2015", False)]


def test_future_window_boundary() -> None:
    """A yearless date just inside the window is upcoming; one beyond it is last year's."""
    pub = date(2021, 3, 10)
    near, far = find_date_mentions("on April 20 and on June 20", pub)
    assert (near.first, near.future) == (date(2021, 4, 20), True)
    assert (far.first, far.future) == (date(2020, 6, 20), False)


@pytest.mark.parametrize("text, days, direction", [
    ("a few days after the vote", (2, 6), "after"),
    ("two days before the summit", (2, 2), "before"),
    ("hours after the blast", (0, 1), "after"),
    ("a week before the election", (6, 8), "before"),
    ("weeks after the deal", (7, 28), "after"),
    ("ahead of the talks", (0, 3), "before"),
    ("the day after the raid", (1, 1), "after"),
    ("three days later", (3, 3), "after"),
    ("a month earlier", (27, 33), "before"),
    ("48 hours after the strike", (2, 3), "after"),
    ("on the eve of the summit", (1, 1), "before"),
])
def test_offsets(text: str, days: tuple[int, int], direction: str) -> None:
    """Written distances become day ranges with the direction as written."""
    (got,) = find_offset_mentions(text)
    assert (got.amount_days, got.direction) == (days, direction)
    assert text[got.start:got.end] == got.text


def test_no_offset_in_plain_text() -> None:
    """Counts that are not distances in time are not offsets."""
    assert find_offset_mentions("Two soldiers died after the attack on the base.") == []


def test_apply_offset() -> None:
    """After widens forward, before widens backward, and a zero sign is refused."""
    d = date(2020, 2, 10)
    assert apply_offset(d, d, (2, 6), 1) == (date(2020, 2, 12), date(2020, 2, 16))
    assert apply_offset(d, d + timedelta(days=1), (1, 3), -1) == (date(2020, 2, 7), date(2020, 2, 10))
    with pytest.raises(ValueError):
        apply_offset(d, d, (1, 1), 0)


@pytest.mark.parametrize("raw, expected", [
    ("2020-02-17", date(2020, 2, 17)),
    ("2020-02-17T10:00:00Z", date(2020, 2, 17)),
    ("17 Feb 2020", date(2020, 2, 17)),
    ("February 17, 2020", date(2020, 2, 17)),
    ("Mon, 17 Feb 2020 10:00:00 +0000", date(2020, 2, 17)),
    ("2020/2/7", date(2020, 2, 7)),
    ("2020-02-30", None),
    ("no date here", None),
    ("", None),
])
def test_parse_iso_date(raw: str, expected: date | None) -> None:
    """Feed dates in the usual shapes parse; impossible or absent ones give None."""
    assert parse_iso_date(raw) == expected


@given(st.one_of(st.text(max_size=200), vocab_text), dates)
@settings(max_examples=300, deadline=None)
def test_mentions_are_well_formed(text: str, published: date) -> None:
    """Never raises; spans slice to the text; past mentions end no later than publication."""
    for m in find_date_mentions(text, published):
        assert text[m.start:m.end] == m.text
        assert m.first <= m.last
        assert m.precision in PRECISIONS
        assert m.future == (m.last > published)


@given(vocab_text, dates)
@settings(max_examples=200, deadline=None)
def test_mentions_do_not_overlap(text: str, published: date) -> None:
    """Overlapping candidates are resolved to one mention, in text order."""
    got = find_date_mentions(text, published)
    assert all(a.end <= b.start for a, b in zip(got, got[1:]))


@given(st.integers(0, 6), dates, st.booleans())
def test_resolve_weekday(weekday: int, published: date, same_day: bool) -> None:
    """The resolved day has the weekday asked for and lies 0-6 (or 1-7 when strict) days before publication."""
    got = resolve_weekday(weekday, published, allow_same_day=same_day)
    assert got.weekday() == weekday
    assert (published - got).days in (range(0, 7) if same_day else range(1, 8))


@given(dates)
def test_parse_iso_date_round_trips(d: date) -> None:
    """ISO and written-out forms of any date parse back to it."""
    for raw in (d.isoformat(), f"{d.isoformat()}T23:59:00+02:00", f"{d.day} {d:%b %Y}", f"{d:%B} {d.day}, {d.year}"):
        assert parse_iso_date(raw) == d


@given(vocab_text)
def test_offsets_well_formed(text: str) -> None:
    """Offset spans slice to their text and their day ranges are ordered."""
    for o in find_offset_mentions(text):
        assert text[o.start:o.end] == o.text
        assert 0 <= o.amount_days[0] <= o.amount_days[1]
        assert o.direction in ("before", "after")
