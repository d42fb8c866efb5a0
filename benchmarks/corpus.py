"""A synthetic corpus of N articles of realistic length, recombined from the bundled articles' paragraphs.

Each article is either an event article (paragraphs of data/samples: meetings, calls, incidents) or a general-news
article (paragraphs of data/general: business, sport, weather, courts... with no event of our types but plenty of
'strike', 'talks', 'met', 'killed'). event_share sets the mix: 1.0 is the dense worst case; real wire feeds carry far
fewer articles with a meeting, a call or an armed incident, so the benchmark also reports 0.25.
Each article ends with a byline of made-up names and a reference number never seen before, as news brings new
names and numbers every day: a closed vocabulary would hide any per-word memory growth.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from functools import cache
from itertools import islice
from pathlib import Path

from transforms.articles import Article, make_article

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
GENERAL = ROOT / "data" / "general"
PARAGRAPHS_PER_ARTICLE = 6  # ~250-300 words, a typical wire story
DEFAULT_EVENT_SHARE = 0.25
START = date(2024, 5, 1)


@cache
def sample_paragraphs(folder: Path = SAMPLES) -> tuple[str, ...]:
    """Body paragraphs of every article in folder (the header and dateline paragraph left out)."""
    return tuple(p for f in sorted(folder.glob("*.txt"))
                 for p in f.read_text(encoding="utf-8").split("\n\n")[1:] if p.strip())


def iter_corpus(n: int, seed: int = 7, event_share: float = 1.0, per_day: int | None = None) -> Iterator[Article]:
    """N articles, generated one at a time so a long run holds only the batch in use. Dates cycle through the 28 days
    of one month (every batch then touches every day), or with per_day advance one day per per_day articles, as a
    feed arrives."""
    rng = random.Random(seed)
    pools = sample_paragraphs(SAMPLES), sample_paragraphs(GENERAL)
    for i in range(n):
        pool = pools[0] if rng.random() < event_share else pools[1]
        body = "\n\n".join(rng.sample(pool, k=min(PARAGRAPHS_PER_ARTICLE, len(pool))))
        published = START + timedelta(days=i // per_day) if per_day else date(2024, 5, 1 + i % 28)
        yield make_article(f"LONDON – [BENCH] – {body}\n\n{_byline(rng, i)}", published=published, source_id=f"bench-{i}")


_SYLLABLES = ("ka", "lo", "mi", "ren", "tos", "va", "zu", "bel", "dor", "fi", "gan", "hu", "jo", "nes", "pra", "qui")


def _byline(rng: random.Random, i: int) -> str:
    def name() -> str:
        return "".join(rng.choice(_SYLLABLES) for _ in range(3)).title()
    return f"Reporting by {name()} {name()}; editing by {name()} {name()}. Ref {rng.randrange(10**6)}-{i}."


def make_corpus(n: int, seed: int = 7, event_share: float = 1.0) -> list[Article]:
    """The same N articles as a list."""
    return list(iter_corpus(n, seed, event_share))


def write_corpus(folder: Path, n: int, seed: int = 7, event_share: float = DEFAULT_EVENT_SHARE,
                 per_day: int | None = None) -> Path:
    """The corpus as one JSON Lines file in folder (input for a real `eventpipe run`); returns its path."""
    import json

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"bench_{n}_{event_share:g}.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for article in iter_corpus(n, seed, event_share, per_day):
            out.write(json.dumps({"id": article.article_id, "published": article.published.isoformat(),
                                  "text": article.text}) + "\n")
    return path


def batches(articles: Iterator[Article], size: int) -> Iterator[list[Article]]:
    """Consecutive lists of up to size articles."""
    while batch := list(islice(articles, size)):
        yield batch
