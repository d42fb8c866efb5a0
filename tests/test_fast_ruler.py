"""Our pipeline (fast attribute ruler, numpy matrix products) must annotate exactly like spaCy's stock one."""

from pathlib import Path

import numpy
import pytest
from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, LEMMA, MORPH, POS, TAG

from transforms.nlp import load_nlp, load_stock_nlp

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seeds" / "000_2541c74b2e74fdb7.txt"
ATTRS = [TAG, POS, MORPH, LEMMA, DEP, HEAD, ENT_IOB, ENT_TYPE]
# the stock ruler's word exceptions ('gonna', "ain't", 'wanna'), spaces, and an empty text
ODD_TEXTS = ["I'm gonna go, ain't it?  They wanna leave\n\nnow.", "", "   \n", "U.S.-led talks 'll go on."]


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "data").glob("*/*.txt"))]
    if SEED.exists():
        texts.append(SEED.read_text(encoding="utf-8"))
    return texts + ODD_TEXTS


def test_fast_ruler_replaces_the_stock_one():
    names = load_nlp().pipe_names
    assert "fast_attribute_ruler" in names and "attribute_ruler" not in names
    assert names.index("fast_attribute_ruler") < names.index("lemmatizer")  # the lemmatizer reads its POS


@pytest.mark.parametrize("batch", [1, 16])
def test_fast_ruler_annotates_every_token_like_the_stock_ruler(batch):
    texts = _texts()
    stock = list(load_stock_nlp().pipe(texts, batch_size=batch))
    fast = list(load_nlp().pipe(texts, batch_size=batch))
    assert sum(len(d) for d in stock) > 5000
    for ours, theirs in zip(fast, stock, strict=True):
        assert numpy.array_equal(ours.to_array(ATTRS), theirs.to_array(ATTRS)), ours.text[:80]
        assert [(t.pos_, str(t.morph), t.lemma_) for t in ours] == [(t.pos_, str(t.morph), t.lemma_) for t in theirs]
