"""Event triggers: spaCy Matcher patterns from the codebook, with the trigger's syntactic anchor."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token

from schemas.codebook import TriggerRule, load_trigger_rules
from transforms.nlp import load_nlp


@dataclass(frozen=True)
class Trigger:
    """A matched trigger: the words, the rule, and the token its syntax hangs on."""

    rule: TriggerRule
    span: Span
    anchor: Token

    @property
    def event_type(self) -> str:
        """Our event type."""
        return self.rule.event_type


@cache
def _matcher() -> tuple[Matcher, dict[int, TriggerRule]]:
    nlp = load_nlp()
    matcher = Matcher(nlp.vocab, validate=True)
    by_key = {}
    for rule in load_trigger_rules():
        matcher.add(rule.id, [rule.pattern], greedy="LONGEST")
        by_key[nlp.vocab.strings[rule.id]] = rule
    return matcher, by_key


def _anchor(span: Span) -> Token:
    """The span token whose head lies outside the span (its syntactic root)."""
    return span.root


def find_triggers(doc: Doc | Span) -> list[Trigger]:
    """All trigger matches in doc, one per anchor token (the most confident rule wins)."""
    matcher, by_key = _matcher()
    best: dict[int, Trigger] = {}
    for key, start, end in matcher(doc):
        span = doc[start:end] if isinstance(doc, Doc) else doc.doc[doc.start + start: doc.start + end]
        rule = by_key[key]
        trigger = Trigger(rule, span, _anchor(span))
        current = best.get(trigger.anchor.i)
        if current is None or (rule.confidence, len(span)) > (current.rule.confidence, len(current.span)):
            best[trigger.anchor.i] = trigger
    return sorted(best.values(), key=lambda t: t.anchor.i)
