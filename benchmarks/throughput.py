"""Throughput of the coder against spaCy's full pipeline, measured in one process as ratios.

Usage: python benchmarks/throughput.py [N_ARTICLES]   (default 200; articles are recombined from data/samples)
"""

from __future__ import annotations

import random
import resource
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from transforms.articles import Article, make_article  # noqa: E402
from transforms.extract import extract_events  # noqa: E402
from transforms.nlp import load_nlp  # noqa: E402


def make_corpus(n: int, seed: int = 7) -> list[Article]:
    """N articles of realistic length, recombined from the bundled samples' paragraphs."""
    rng = random.Random(seed)
    paragraphs = [p for f in sorted((ROOT / "data" / "samples").glob("*.txt")) for p in f.read_text().split("\n\n")[1:] if p.strip()]
    corpus = []
    for i in range(n):
        body = "\n\n".join(rng.sample(paragraphs, k=min(6, len(paragraphs))))
        corpus.append(make_article(f"LONDON – [BENCH] – {body}", published=date(2024, 5, 1 + i % 28), source_id=f"bench-{i}"))
    return corpus


def timed(label: str, func, corpus: list[Article]) -> float:
    """Run func over the corpus and print articles/s and words/s."""
    words = sum(len(a.text.split()) for a in corpus)
    start = time.perf_counter()
    func(corpus)
    seconds = time.perf_counter() - start
    print(f"{label:<28} {len(corpus) / seconds:8.1f} articles/s {words / seconds:10.0f} words/s  ({seconds:.1f} s)")
    return len(corpus) / seconds


def main() -> None:
    """Print baseline, coder and ratio figures."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    corpus = make_corpus(n)
    nlp = load_nlp()
    nlp("warm up")
    baseline = timed("(a) spaCy full pipeline", lambda c: list(nlp.pipe((a.text for a in c), batch_size=16)), corpus)
    coder = timed("(b) coder (parse + code)", lambda c: list(extract_events(c)), corpus)
    print(f"ratio (b)/(a): {coder / baseline:.2f}")
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
