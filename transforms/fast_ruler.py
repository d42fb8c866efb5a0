"""A drop-in for spaCy's attribute_ruler that gives identical annotations in a fraction of the time.

The stock component runs ~180 Matcher patterns and then sets attributes match by match in Python; the first 56 of
those patterns are the tag map (one TAG -> POS + MORPH each) and match every token, which makes it ~12% of the
whole pipeline's time. Here the tag map is applied with one array lookup per doc and only the remaining patterns
(word exceptions such as 'gonna', 'ai n't') go through a Matcher, in the stock order, so later rules still win.
tests/test_fast_ruler.py compares every token attribute against the stock pipeline.
"""

from __future__ import annotations

import numpy
from spacy.attrs import LOWER, MORPH, POS, TAG
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc, Span

from spacy.tokens._retokenize import set_token_attrs  # what the stock component applies a rule with

_TAG_MAP_ATTRS = {"POS", "MORPH"}


def _is_tag_map_rule(rule: dict) -> bool:
    patterns = rule["patterns"]
    return (len(patterns) == 1 and len(patterns[0]) == 1 and set(patterns[0][0]) == {"TAG"}
            and isinstance(patterns[0][0]["TAG"], str) and set(rule["attrs"]) <= _TAG_MAP_ATTRS)


class FastAttributeRuler:
    """The stock ruler's rules: a leading run of tag-map rules as lookup tables, the rest through a Matcher."""

    def __init__(self, stock: AttributeRuler) -> None:
        rules = stock.patterns
        split = next((i for i, rule in enumerate(rules) if not _is_tag_map_rule(rule)), len(rules))
        vocab = stock.vocab
        self.vocab = vocab
        self.pos_by_tag: dict[int, int] = {}
        self.morph_by_tag: dict[int, int] = {}
        for rule in rules[:split]:  # a later rule for the same tag overrides an earlier one, as in the stock order
            tag = vocab.strings.add(rule["patterns"][0][0]["TAG"])
            if "POS" in rule["attrs"]:
                self.pos_by_tag[tag] = vocab.strings.add(rule["attrs"]["POS"])
            if "MORPH" in rule["attrs"]:
                self.morph_by_tag[tag] = vocab.morphology.add(rule["attrs"]["MORPH"])
        self.matcher = Matcher(vocab, validate=False)
        self.rules: dict[int, int] = {}  # matcher key -> rule order
        self.by_word: dict[tuple[int, int | None], list[int]] = {}  # (LOWER, TAG or None) -> rule orders
        self.attrs = {order: (stock.attrs[order], stock.indices[order]) for order in range(split, len(rules))}
        for order in range(split, len(rules)):
            keys = _word_keys(rules[order]["patterns"], vocab)
            if keys is not None:  # one-token word rules ('the' as DT, 'was' as VBD) are dict lookups
                for key in keys:
                    self.by_word.setdefault(key, []).append(order)
                continue
            key = vocab.strings.add(f"fast_attribute_ruler:{order:04d}")
            self.matcher.add(key, rules[order]["patterns"])
            self.rules[key] = order
        self.words = numpy.array(sorted({lower for lower, _ in self.by_word}), dtype=numpy.uint64)

    def __call__(self, doc: Doc) -> Doc:
        if len(doc):
            self._apply_tag_map(doc)
            self._apply_exceptions(doc)
        return doc

    def pipe(self, docs, batch_size: int = 128):
        for doc in docs:
            yield self(doc)

    def _apply_tag_map(self, doc: Doc) -> None:
        tags = doc.to_array([TAG])
        values = doc.to_array([POS, MORPH]).astype(numpy.uint64)
        for tag in map(int, numpy.unique(tags)):
            for column, table in ((0, self.pos_by_tag), (1, self.morph_by_tag)):
                if tag in table:
                    values[tags == tag, column] = table[tag]
        doc.from_array([POS, MORPH], values)

    def _apply_exceptions(self, doc: Doc) -> None:
        """Every rule match, applied in rule order (then position), exactly as the stock component does."""
        matches = [(self.rules[key], start, end) for key, start, end in self.matcher(doc, allow_missing=True)]
        lowers, tags = doc.to_array([LOWER, TAG]).T
        for i in numpy.flatnonzero(numpy.isin(lowers, self.words)):
            lower, tag = int(lowers[i]), int(tags[i])
            for order in self.by_word.get((lower, tag), []) + self.by_word.get((lower, None), []):
                matches.append((order, int(i), int(i) + 1))
        for order, start, end in sorted(matches):
            attrs, index = self.attrs[order]
            set_token_attrs(Span(doc, start, end)[index], attrs)


def _word_keys(patterns: list, vocab) -> list[tuple[int, int | None]] | None:
    """(LOWER, TAG) keys of a rule whose every pattern is one token constrained only by LOWER and maybe TAG (plain
    values or IN lists); None for any other rule (DEP, REGEX, NOT_IN, IS_SPACE, several tokens)."""
    keys = []
    for pattern in patterns:
        if len(pattern) != 1 or "LOWER" not in pattern[0] or not set(pattern[0]) <= {"LOWER", "TAG"}:
            return None
        values = {name: _plain_values(spec) for name, spec in pattern[0].items()}
        if any(v is None for v in values.values()):
            return None
        tags = values.get("TAG", [None])
        keys += [(vocab.strings.add(w), None if t is None else vocab.strings.add(t)) for w in values["LOWER"] for t in tags]
    return keys


def _plain_values(spec: object) -> list[str] | None:
    if isinstance(spec, str):
        return [spec]
    if isinstance(spec, dict) and set(spec) == {"IN"}:
        return list(spec["IN"])
    return None


@Language.factory("fast_attribute_ruler")
def make_fast_attribute_ruler(nlp: Language, name: str) -> FastAttributeRuler:
    """Built from the pipeline's own attribute_ruler, which must still be present when this is added."""
    return FastAttributeRuler(nlp.get_pipe("attribute_ruler"))


def use_fast_attribute_ruler(nlp: Language) -> None:
    """Swap the stock attribute_ruler for the fast one, in place."""
    if "attribute_ruler" not in nlp.pipe_names:
        return
    nlp.add_pipe("fast_attribute_ruler", before="attribute_ruler")
    nlp.remove_pipe("attribute_ruler")
