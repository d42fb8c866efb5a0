"""Event triggers: spaCy Matcher patterns from the codebook, with the trigger's syntactic anchor."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token

from schemas.codebook import TriggerRule, load_trigger_rules, spec_values
from transforms.nlp import load_nlp, vocab_resource


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


_WORD_ATTRS = ("LOWER", "LEMMA", "ORTH")


@dataclass(frozen=True)
class _RuleMatcher:
    """One rule's Matcher and the words it cannot match without: for each token it requires (not optional), the
    strings one of which that token must be (as written, lower-cased or lemmatised)."""

    rule: TriggerRule
    matcher: Matcher
    required: tuple[frozenset[int], ...]


def _required_words(rule: TriggerRule, strings) -> tuple[frozenset[int], ...]:
    return tuple(frozenset(strings.add(w) for w in words) for spec in rule.required_tokens()
                 for attr in _WORD_ATTRS if (words := spec_values(spec.get(attr))))


@vocab_resource
def _rule_matchers() -> tuple[_RuleMatcher, ...]:
    """One Matcher per rule: the Matcher tests every rule's first token (a Python set lookup) at every token, so a
    sentence is only run through the rules whose required words it contains (~1/10 of the rules, ~4x faster)."""
    nlp = load_nlp()
    found = []
    for rule in load_trigger_rules():
        matcher = Matcher(nlp.vocab, validate=True)
        matcher.add(rule.id, [rule.pattern], greedy="LONGEST")
        found.append(_RuleMatcher(rule, matcher, _required_words(rule, nlp.vocab.strings)))
    return tuple(found)


def _anchor(span: Span) -> Token:
    """The span token whose head lies outside the span (its syntactic root); for a prepositional phrase ('in a call')
    the noun it governs, which names the event."""
    root = span.root
    if root.pos_ == "ADP":
        return next((c for c in root.children if c.dep_ == "pobj" and c.i < span.end), root)
    return root


def find_triggers(doc: Doc | Span) -> list[Trigger]:
    """All trigger matches in doc, one per anchor token (the most confident rule wins; on a tie the longer match,
    then the rule listed first)."""
    present = {t.lower for t in doc} | {t.lemma for t in doc} | {t.orth for t in doc}
    whole, offset = (doc, 0) if isinstance(doc, Doc) else (doc.doc, doc.start)
    best: dict[int, Trigger] = {}
    for candidate in _rule_matchers():
        if not all(words & present for words in candidate.required):
            continue
        rule = candidate.rule
        for _, start, end in candidate.matcher(doc):
            span = whole[offset + start: offset + end]
            trigger = Trigger(rule, span, _anchor(span))
            current = best.get(trigger.anchor.i)
            if current is None or (rule.confidence, len(span)) > (current.rule.confidence, len(current.span)):
                best[trigger.anchor.i] = trigger
    return sorted(best.values(), key=lambda t: t.anchor.i)
