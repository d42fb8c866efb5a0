"""Throughput of the coder against spaCy's full pipeline, measured in one process and one run, as ratios.

Usage: python benchmarks/throughput.py [N_ARTICLES] [--no-flow]   (default 200; articles recombined from data/samples)

(a) spaCy's full pipeline over every article's whole text; (b) our coder: screen + parse of the candidate
sentences + code (transforms.extract.extract_events); (c) the whole flow without Prefect: the steps of flows/tasks.py
called directly (ingest checks skipped: code, assemble, Great Expectations check, Parquet/DuckDB write to a temp lake).
Articles stream in batches, so peak memory should not grow with N. One-off loading (model, matchers, gazetteer) is
done in a warm-up before any timing.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import batches, iter_corpus  # noqa: E402
from transforms.articles import Article  # noqa: E402
from transforms.extract import extract_events  # noqa: E402
from transforms.nlp import load_nlp  # noqa: E402

DEV_GOLD = ROOT.parent / "shared" / "eval" / "dev.jsonl"
SPACY_BATCH = 16
FLOW_BATCH = 250  # articles per validate + write round in (c)


def peak_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, run: Callable[[Iterator[Article]], None], n: int, words: int) -> tuple[float, float]:
    """Run over a fresh stream of the corpus; print articles/s (wall), words/s, CPU seconds and peak memory;
    return articles per wall second and per CPU second (CPU time is steadier when other jobs share the cores)."""
    start, cpu = time.perf_counter(), time.process_time()
    run(iter_corpus(n))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"{label:<34} {n / seconds:7.1f} articles/s {words / seconds:7.0f} words/s  ({seconds:5.1f} s wall,"
          f" {cpu:5.1f} s CPU)  peak {peak_mb():4.0f} MB")
    return n / seconds, n / cpu


def ratio(label: str, ours: tuple[float, float], base: tuple[float, float]) -> None:
    """Print a speed ratio by wall clock and by CPU time."""
    print(f"ratio {label}: {ours[0] / base[0]:.2f} (wall)  {ours[1] / base[1]:.2f} (CPU)")


def full_spacy(articles: Iterator[Article]) -> None:
    """(a) every token of every article through the whole pipeline."""
    for _ in load_nlp().pipe((a.text for a in articles), batch_size=SPACY_BATCH):
        pass


def coder(screened: bool) -> Callable[[Iterator[Article]], None]:
    """(b) the coder, with or without the screen."""
    def run(articles: Iterator[Article]) -> None:
        for _ in extract_events(articles, screened=screened):
            pass
    return run


def whole_flow(articles: Iterator[Article]) -> None:
    """(c) code, assemble, validate and write each batch like the flow does, minus Prefect and input reading."""
    from flows import tasks as steps

    with tempfile.TemporaryDirectory() as lake:
        for number, batch in enumerate(batches(articles, FLOW_BATCH)):
            coded, failed = steps.code(batch)
            tables = steps.assemble(steps.Ingested(accepted=batch), coded, failed, f"bench-{number}", steps.utc_now())
            checked = steps.check(tables, f"bench-{number}", Path(lake) / steps.DOCS_DIR)
            steps.write(checked.tables, lake)


def dev_scores() -> str:
    """Last line of the dev-set evaluation with and without the screen, when ../shared is present."""
    if not DEV_GOLD.exists():
        return "dev set not present"
    from flows.extraction import _json_default
    from flows.sources import iter_inputs, read_gold
    from transforms.scoring import format_score, score_corpus

    articles = [a for a in iter_inputs(DEV_GOLD) if isinstance(a, Article)]
    gold = read_gold(DEV_GOLD)
    lines = []
    for screened in (True, False):
        events = [json.loads(json.dumps(e, default=_json_default))
                  for r in extract_events(articles, screened=screened) for e in r.events]
        last = format_score(score_corpus(events, gold)).splitlines()[-1]
        lines.append(f"dev {'with' if screened else 'without'} screen: {last}")
    return "\n".join(lines)


def main() -> None:
    """Print (a), (b), (c), the ratios, peak memory and the dev scores."""
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 200
    words = sum(len(a.text.split()) for a in iter_corpus(n))
    nlp = load_nlp()
    nlp("warm up")
    for _ in extract_events(iter_corpus(5)):  # loads matchers and the gazetteer outside the timings
        pass
    print(f"{n} articles, {words / n:.0f} words each on average; one process; peak memory is cumulative")
    base = timed("(a) spaCy full pipeline", full_spacy, n, words)
    ours = timed("(b) coder (screen + parse + code)", coder(True), n, words)
    plain = timed("(b0) coder without screen", coder(False), n, words)
    ratio("(b)/(a)", ours, base)
    ratio("(b0)/(a)", plain, base)
    if "--no-flow" not in sys.argv:
        flow = timed("(c) whole flow, no Prefect", whole_flow, n, words)
        ratio("(c)/(a)", flow, base)
    print(dev_scores())


if __name__ == "__main__":
    main()
