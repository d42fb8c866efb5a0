"""A synthetic corpus of N articles of realistic length, recombined from the bundled samples' paragraphs."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date
from itertools import islice
from pathlib import Path

from transforms.articles import Article, make_article

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
PARAGRAPHS_PER_ARTICLE = 6  # ~250 words, a typical wire story


def sample_paragraphs(folder: Path = SAMPLES) -> list[str]:
    """Body paragraphs of every sample article (the header and dateline paragraph left out)."""
    return [p for f in sorted(folder.glob("*.txt")) for p in f.read_text(encoding="utf-8").split("\n\n")[1:] if p.strip()]


def iter_corpus(n: int, seed: int = 7) -> Iterator[Article]:
    """N articles, generated one at a time so a long run holds only the batch in use."""
    rng = random.Random(seed)
    paragraphs = sample_paragraphs()
    for i in range(n):
        body = "\n\n".join(rng.sample(paragraphs, k=min(PARAGRAPHS_PER_ARTICLE, len(paragraphs))))
        yield make_article(f"LONDON – [BENCH] – {body}", published=date(2024, 5, 1 + i % 28), source_id=f"bench-{i}")


def make_corpus(n: int, seed: int = 7) -> list[Article]:
    """The same N articles as a list."""
    return list(iter_corpus(n, seed))


def batches(articles: Iterator[Article], size: int) -> Iterator[list[Article]]:
    """Consecutive lists of up to size articles."""
    while batch := list(islice(articles, size)):
        yield batch
