"""A parser-free screen: which sentences of an article could hold a trigger, so only those get the full pipeline."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

import numpy as np
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, ORTH, SPACY
from spacy.matcher import PhraseMatcher
from spacy.strings import get_string_id
from spacy.tokens import Doc

from schemas.codebook import TriggerRule, load_trigger_rules, spec_values
from transforms.actors import SECTOR_NOUNS
from transforms.actors import matchers as actor_matchers
from transforms.nlp import load_nlp, vocab_resource

_BLANK = " "
_SENTENCE_ENDS = {".", "!", "?", "...", "…"}
_LEMMA_POS = ("noun", "verb", "adj", "adv")
PARTY_WORDS = {"he", "she", "they", "we", "both", "sides", "parties", "both sides", "the two"}
TOLL_WORDS = {"dead", "killed", "killing", "wounded", "wounding", "injured", "injuring", "casualties", "toll",
              "bodies", "died", "dozens", "scores", "hundreds"}


@dataclass(frozen=True)
class Screened:
    """An article after the screen: its sentences (char spans) and which of them may hold a trigger."""

    text: str
    sentences: tuple[tuple[int, int], ...]
    candidates: tuple[int, ...]
    doc: Doc  # tokenizer-only doc of the whole text (no parse), for cheap whole-article lookups

    def sentence_index(self, char: int) -> int:
        """Index of the screen sentence holding a character offset."""
        return bisect_right([start for start, _ in self.sentences], char) - 1


@cache
def _lemmatizer_tables() -> tuple[dict[str, list[list[str]]], dict[str, dict[str, list[str]]]]:
    """The model's own lemma rules and exceptions, keyed by part of speech (so forms follow the lemmatizer)."""
    lookups = load_nlp().get_pipe("lemmatizer").lookups
    names = {get_string_id(pos): pos for pos in _LEMMA_POS}  # tables are keyed by the hash of the POS name
    rules = {names[k]: v for k, v in lookups.get_table("lemma_rules").items() if k in names}
    exceptions = {names[k]: v for k, v in lookups.get_table("lemma_exc").items() if k in names}
    return rules, exceptions


@cache
def _inverted_exceptions() -> dict[str, frozenset[str]]:
    """Lemma -> irregular forms ('meet' -> {'met'}), from the lemmatizer's exception table."""
    forms: dict[str, set[str]] = {}
    for table in _lemmatizer_tables()[1].values():
        for form, lemmas in table.items():
            for lemma in lemmas:
                forms.setdefault(lemma, set()).add(form)
    return {lemma: frozenset(f) for lemma, f in forms.items()}


def word_forms(lemma: str) -> frozenset[str]:
    """Every lowercased surface form the lemmatizer could map to lemma: the regular suffix rules run backwards,
    plus the irregular forms of its exception table."""
    lemma = lemma.lower()
    forms = {lemma}
    rules, _ = _lemmatizer_tables()
    for pos in ("noun", "verb"):  # trigger lemmas are nouns and verbs; adjective rules would only add noise
        pos_rules = rules.get(pos, [])
        for old, new in pos_rules:
            if lemma.endswith(new):
                forms.add(lemma[: len(lemma) - len(new)] + old)
    if lemma.endswith("ie"):
        forms.add(lemma[:-2] + "ying")  # 'die' -> 'dying': no rule runs backwards to it
    if len(lemma) > 2 and lemma[-1] not in "aeiouwxy" and lemma[-2] in "aeiou" and lemma[-3] not in "aeiou":
        forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}  # 'chat' -> 'chatted'
    return frozenset(forms | _inverted_exceptions().get(lemma, frozenset()))


def required_slots(rule: TriggerRule) -> list[frozenset[str]]:
    """Per required pattern token, the lowercased words that can fill it (from its LOWER and LEMMA values)."""
    slots = []
    for token in rule.required_tokens():
        words = {w.lower() for w in spec_values(token.get("LOWER"))}
        words |= {f for lemma in spec_values(token.get("LEMMA")) for f in word_forms(lemma)}
        if words:
            slots.append(frozenset(words))
    return slots


@vocab_resource
def _screen_matcher() -> tuple[PhraseMatcher, dict[int, tuple[int, int]], tuple[int, ...]]:
    """A LOWER PhraseMatcher with one key per (rule, required slot), and how many slots each rule needs."""
    nlp = load_nlp()
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    keys: dict[int, tuple[int, int]] = {}
    needed = []
    for r, rule in enumerate(load_trigger_rules()):
        slots = required_slots(rule)
        needed.append(len(slots))
        for s, words in enumerate(slots):
            name = f"screen:{rule.id}:{s}"
            matcher.add(name, [nlp.make_doc(w) for w in sorted(words)])
            keys[nlp.vocab.strings[name]] = (r, s)
    return matcher, keys, tuple(needed)


def split_sentences(doc: Doc) -> list[tuple[int, int]]:
    """Cheap sentence char spans ending after . ! ? (with glued closing quotes and whitespace); line breaks alone
    do not split, as spaCy's parser runs a headline into the next sentence too. Array arithmetic over the tokens,
    not a Python loop: this runs on every sentence of every article."""
    if len(doc) == 0:
        return [(0, len(doc.text))]
    orth, is_space, is_punct, trailing_space, idx = doc.to_array([ORTH, IS_SPACE, IS_PUNCT, SPACY, IDX]).T
    is_space, is_punct = is_space.astype(bool), is_punct.astype(bool)
    end = np.isin(orth, _end_orths())
    # after an end mark, only whitespace and punctuation glued to it ('."', '.)') stay in the sentence
    glued = is_space.copy()
    glued[1:] |= is_punct[1:] & (trailing_space[:-1] == 0)
    # a token opens a sentence when it is not glued and the last token before it that set or cleared 'ended'
    # (an end mark, or any token not glued) was an end mark
    setter = np.where(end | ~glued, np.arange(len(orth)), -1)
    last_setter = np.concatenate(([-1], np.maximum.accumulate(setter)[:-1]))
    opens = ~glued & (last_setter >= 0) & end[np.maximum(last_setter, 0)] & (idx > 0)
    starts = [0, *idx[opens].tolist()]
    return list(zip(starts, [*starts[1:], len(doc.text)]))


@vocab_resource
def _end_orths() -> np.ndarray:
    strings = load_nlp().vocab.strings
    return np.array([strings.add(mark) for mark in _SENTENCE_ENDS], dtype=np.uint64)


def screen(text: str) -> Screened:
    """Tokenize (no tagger, parser or NER), split sentences, and flag those where some rule finds all its words and
    the sentence names someone who could take part: an actor of the dictionaries, a word for one ('troops',
    'officials', 'leaders'), or a pronoun standing for one; an armed-incident rule also passes on a casualty word
    ('killing 12', 'dead'), since incident reports often name no side."""
    matcher, keys, needed = _screen_matcher()
    doc = load_nlp().make_doc(text)
    sentences = split_sentences(doc)
    starts = [s for s, _ in sentences]
    found: dict[int, set[tuple[int, int]]] = {}
    for key, start, _ in matcher(doc):
        rule_slot = keys[key]
        found.setdefault(_index(starts, doc[start].idx), set()).add(rule_slot)
    complete = {i: {rule for rule, n in enumerate(needed) if n and sum(1 for r, _ in hits if r == rule) == n}
                for i, hits in found.items()}
    party, toll = _cues(doc, starts)
    incident_rules = _incident_rules()
    candidates = tuple(i for i, rules in sorted(complete.items())
                       if rules and (i in party or (i in toll and rules & incident_rules)))
    return Screened(text, tuple(sentences), candidates, doc)


@cache
def _incident_rules() -> frozenset[int]:
    return frozenset(r for r, rule in enumerate(load_trigger_rules()) if rule.event_type == "military_incident")


@vocab_resource
def _cue_matcher() -> PhraseMatcher:
    """'party': words that stand for a participant (the actor dictionary's sector nouns, pronouns); 'toll':
    casualty words."""
    nlp = load_nlp()
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    party = {w for nouns in SECTOR_NOUNS.values() for w in nouns} | PARTY_WORDS
    matcher.add("party", [nlp.make_doc(w) for w in sorted(party)])
    matcher.add("toll", [nlp.make_doc(w) for w in sorted(TOLL_WORDS)])
    return matcher


def _cues(doc: Doc, starts: list[int]) -> tuple[set[int], set[int]]:
    """Sentences naming a possible participant, and sentences with a casualty word."""
    exact, lower = actor_matchers()
    party = {_index(starts, doc[start].idx) for m in (exact, lower) for _, start, _ in m(doc)}
    toll = set()
    toll_key = load_nlp().vocab.strings["toll"]
    for key, start, _ in _cue_matcher()(doc):
        (toll if key == toll_key else party).add(_index(starts, doc[start].idx))
    return party, toll


def _index(starts: list[int], char: int) -> int:
    return bisect_right(starts, char) - 1


def reduced_text(screened: Screened, keep: set[int]) -> str:
    """The text with every sentence not in keep blanked to spaces: same length, so char offsets still hold."""
    parts, cursor = [], 0
    for i, (start, end) in enumerate(screened.sentences):
        if i in keep:
            continue
        parts.append(screened.text[cursor:start])
        parts.append(_BLANK * (end - start))
        cursor = end
    parts.append(screened.text[cursor:])
    return "".join(parts)


def reduced_doc(screened: Screened, keep: set[int]) -> Doc:
    """A tokenized, unparsed doc of the reduced text in which each run of kept sentences must start a sentence, so
    the parser cannot join sentences that a blanked gap separated in the article."""
    doc = load_nlp().make_doc(reduced_text(screened, keep))
    token_starts = doc.to_array(IDX)
    for char in sorted(screened.sentences[i][0] for i in keep if i - 1 not in keep):
        i = int(np.searchsorted(token_starts, char))
        if 0 < i < len(doc) and token_starts[i] == char and not doc[i].is_space:
            doc[i].is_sent_start = True
    return doc


def article_sentence_indexes(doc: Doc, screened: Screened, keep: set[int]) -> list[int]:
    """For each sentence of the parsed reduced doc, its index in the whole article: blank-only sentences are not
    counted and every blanked screen sentence before it is, so with nothing blanked the parser's own index results."""
    blanked = [start for i, (start, _) in enumerate(screened.sentences) if i not in keep]
    indexes, real = [], 0
    for sent in doc.sents:
        if not sent.text.strip():
            indexes.append(max(real - 1, 0) + bisect_right(blanked, sent.start_char))
            continue
        indexes.append(real + bisect_right(blanked, sent.start_char))
        real += 1
    return indexes
