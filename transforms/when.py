"""When: the date an event mention refers to, found by syntax around the trigger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from spacy.tokens import Span, Token

from transforms.dates import DateMention, OffsetMention, apply_offset, find_date_mentions, find_offset_mentions
from transforms.roles import ancestors_path

_CLAUSE_POS = {"VERB", "AUX"}


@dataclass(frozen=True)
class EventDate:
    """Resolved date of one mention, with where it came from."""

    first: date
    last: date
    precision: str
    future: bool
    source: str  # the expression used, or "publication date"

    @property
    def best(self) -> date:
        """A single day for the event_date column: the last day the text allows."""
        return self.last if self.precision in ("day", "publication") else self.first + (self.last - self.first) / 2


@dataclass(frozen=True)
class SentenceDates:
    """Date and offset expressions of one sentence, mapped to tokens."""

    dates: list[tuple[Token, DateMention]]
    offsets: list[tuple[Token, OffsetMention]]


def sentence_dates(sent: Span, published: date) -> SentenceDates:
    """Find date and offset expressions in a sentence and the token each one hangs on."""
    text = sent.text
    dates = [(_attachment(sent, m.start, m.end), m) for m in find_date_mentions(text, published)]
    offsets = [(_attachment(sent, m.start, m.end), m) for m in find_offset_mentions(text)]
    return SentenceDates([d for d in dates if d[0] is not None], [o for o in offsets if o[0] is not None])


def _attachment(sent: Span, start: int, end: int) -> Token | None:
    span = sent.doc.char_span(sent.start_char + start, sent.start_char + end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    since = False
    for token in ancestors_path(span.root)[1:]:
        since = since or token.lower_ == "since"
        if since and token.pos_ == "ADJ":
            return None  # 'his first visit since 2017', 'the deadliest attack since 2015': a baseline, not the date
        if token.pos_ in _CLAUSE_POS or token.pos_ == "NOUN":
            return token
    return span.root


def _relative_clause_dates(anchor: Token) -> list[Token]:
    """'a telephone conversation that Rahmon held on March 3': the clause describing a noun trigger."""
    return [c for c in anchor.children if c.dep_ in ("relcl", "acl")] if anchor.pos_ in ("NOUN", "PROPN") else []


def _date_chain(anchor: Token) -> tuple[list[Token], list[Token]]:
    """Where a trigger's date may hang, nearest first, as (own clause, clauses above): the trigger, a clause
    describing it, its clause verb and that verb's coordinated verbs, which share its time ('were killed and 30
    wounded in shelling on Sunday night'); then the clauses above, such as a reporting verb ('..., the governor said
    on Monday')."""
    chain = [anchor, *_relative_clause_dates(anchor)]
    for node in ancestors_path(anchor)[1:] if anchor.pos_ not in _CLAUSE_POS else []:
        chain.append(node)
        if node.pos_ in _CLAUSE_POS:
            break
    verb = chain[-1] if chain[-1].pos_ in _CLAUSE_POS else None
    chain += [c for c in verb.children if c.dep_ == "conj" and c.pos_ in _CLAUSE_POS] if verb is not None else []
    return chain, [t for t in ancestors_path(anchor)[1:] if t not in chain]


def resolve_date(anchor: Token, found: SentenceDates, published: date) -> EventDate:
    """The date on the trigger's own clause chain, or a day named inside its clause ('the strike on Monday night
    killed five, officials said on Wednesday'), before one on a clause above; shifted for 'a few days after X';
    else publication."""
    sign, amount = 0, None
    own, above = _date_chain(anchor)
    nested = _nested_day(anchor, found)
    # when the trigger's clause names its own day, a date on a reporting verb above is the report's, not the event's
    for node in own if nested is not None else [*own, *above]:
        hits = [(abs(tok.i - anchor.i), m) for tok, m in found.dates if tok.i == node.i]
        hit = min(hits, key=lambda h: h[0])[1] if hits else None
        if hit is not None:
            first, last = hit.first, hit.last
            if sign and amount:
                first, last = apply_offset(first, last, amount, sign)
            precision = hit.precision if not (sign and amount) else "approximate"
            future = hit.future and first > published
            if not future:  # a past event cannot end after the report
                last = min(last, published)
                first = min(first, last)
            return EventDate(first, last, precision, future, hit.text)
        mark = next((c.lower_ for c in node.children if c.dep_ == "mark"), None)
        if node.dep_ == "advcl" and mark in ("after", "before"):
            sign = -1 if mark == "after" else 1
            amount = _offset_amount(node, found) or (0, 1)
    if nested is not None:
        last = min(nested.last, published)
        return EventDate(min(nested.first, last), last, nested.precision, False, nested.text)
    if sign < 0 and amount:  # 'a few days after X' with nothing dated above it: count back from publication
        first, last = apply_offset(published, published, amount, sign)
        return EventDate(first, last, "approximate", False, "offset from publication date")
    return EventDate(published, published, "publication", False, "publication date")


# clauses below the trigger's that report something else, with a time of their own
_OTHER_CLAUSES = {"advcl", "ccomp", "relcl", "parataxis", "conj", "xcomp", "csubj"}


def _nested_day(anchor: Token, found: SentenceDates) -> DateMention | None:
    """A day named deeper inside the trigger's own clause, when nothing on its chain is dated: the parser hangs
    'on Sunday' on the last noun of a long phrase ('killed in an attack on a village in northern Burkina Faso on
    Sunday') or on a participle ('shelled positions held by the RSF in Omdurman on Monday'). Only day dates:
    'a base built in 2010' describes the base, not the attack."""
    head = next((t for t in ancestors_path(anchor) if t.pos_ in _CLAUSE_POS), anchor)
    inside = {t.i for t in head.subtree}
    for token in head.subtree:
        if token.i != head.i and token.dep_ in _OTHER_CLAUSES and token.pos_ in _CLAUSE_POS:
            inside -= {t.i for t in token.subtree}
    hits = [(abs(tok.i - anchor.i), m) for tok, m in found.dates
            if tok.i in inside and m.precision == "day" and not m.future]
    return min(hits, key=lambda h: h[0])[1] if hits else None


def _offset_amount(clause: Token, found: SentenceDates) -> tuple[int, int] | None:
    subtree = {t.i for t in clause.subtree}
    for token, offset in found.offsets:
        if token.i in subtree or token.head.i in subtree:
            return offset.amount_days
    return None
