"""The tokenizer shortcut for whitespace runs changes no token."""

import sys
from pathlib import Path

from transforms.articles import make_article
from transforms.extract import _keep, text_for_parsing
from transforms.nlp import load_nlp, load_stock_nlp
from transforms.screen import reduced_text, screen

ROOT = Path(__file__).resolve().parents[1]
SPACES = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]


def test_no_affix_pattern_matches_any_whitespace():
    stock = load_stock_nlp().tokenizer
    runs = SPACES + [a + b for a in SPACES for b in SPACES] + [" " * 500, " \n" * 40]
    assert len(SPACES) > 20
    for run in runs:
        assert stock.prefix_search(run) is None and stock.suffix_search(run) is None, repr(run)
        assert not list(stock.infix_finditer(run)), repr(run)


def test_blanked_texts_tokenize_as_with_the_stock_tokenizer():
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "data").glob("*/*.txt"))]
    checked = 0
    for text in texts:
        screened = screen(text_for_parsing(make_article(text)))
        reduced = reduced_text(screened, _keep(screened) or {0})
        ours, stock = load_nlp().make_doc(reduced), load_stock_nlp().make_doc(reduced)
        assert [(t.text, t.whitespace_) for t in ours] == [(t.text, t.whitespace_) for t in stock]
        checked += sum(1 for t in ours if t.is_space and len(t) > 20)
    assert checked > 50  # long blanked runs were there to tokenize

