"""The per-rule trigger matchers behind a word check find exactly what one Matcher over all rules finds."""

from pathlib import Path

from spacy.matcher import Matcher

from schemas.codebook import load_trigger_rules
from transforms.nlp import load_nlp
from transforms.triggers import _rule_matchers, find_triggers

ROOT = Path(__file__).resolve().parents[1]


def _all_rules_at_once(sent) -> set[tuple[str, int, int]]:
    nlp = load_nlp()
    matcher = Matcher(nlp.vocab)
    for rule in load_trigger_rules():
        matcher.add(rule.id, [rule.pattern], greedy="LONGEST")
    return {(nlp.vocab.strings[key], sent.start + start, sent.start + end) for key, start, end in matcher(sent)}


def test_word_check_never_skips_a_rule_that_matches():
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "data").glob("*/*.txt"))]
    checked = 0
    for doc in load_nlp().pipe(texts):
        for sent in doc.sents:
            found = {(t.rule.id, t.span.start, t.span.end) for t in find_triggers(sent)}
            every_match = _all_rules_at_once(sent)
            assert found <= every_match, sent.text
            # each anchor keeps one match, so compare anchors: every anchor with a match keeps a trigger
            assert {doc[s:e].root.i for _, s, e in every_match} == {doc[s:e].root.i for _, s, e in found}, sent.text
            checked += len(every_match)
    assert checked > 200


def test_required_words_come_from_the_non_optional_tokens():
    by_id = {m.rule.id: m for m in _rule_matchers()}
    # 'phone.by_phone': verb, up to 4 free tokens, preposition, optional 'the', device
    assert len(by_id["phone.by_phone"].required) == 3
    assert len(by_id["mil.air"].required) == 2  # the optional hyphen adds no words
    assert all(m.required for m in by_id.values())
