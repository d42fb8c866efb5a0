"""Throughput of the coder against spaCy's full pipeline, measured in one process and one run, as ratios.

Usage: python benchmarks/throughput.py [N] [--share S] [--workers W] [--stages a,b,c,m,r,dev] [--per-day D]
  N articles (default 500) recombined by benchmarks/corpus.py; S = share of event articles (default 0.25; 1.0 is the
  dense worst case); W = processes for the parallel figures (default 2, the cores of the reference machine).

(a)  spaCy's full stock pipeline over every article's whole text, one process: the baseline.
(aW) the same with nlp.pipe(n_process=W): the baseline given the same cores as (bW).
(b)  our coder alone: screen + parse of the candidate sentences + code (transforms.extract), one process.
(bW) the coder in W worker processes (flows.workers.CoderPool, what the flow uses for big rounds).
(c)  the whole flow: a real `eventpipe run` (Prefect flow: read, dedup, code with W workers, Great Expectations,
     Parquet + DuckDB writes, report) over the corpus as a JSON Lines file, timed after a warm-up run has started
     the Prefect server; then the same run again with no new articles (the rerun time).
(r)  stock spaCy vs the coder on the dev set's real (event-dense) articles, by CPU time.
(m)  `eventpipe run` in a fresh process (no model loaded by this script), sampling the memory of its process tree.
Peak memory: this process (ru_maxrss, cumulative), the largest child (a worker, the Prefect server), and the whole
process tree sampled twice a second during each stage (the figure to hold under the 1.5 GB target). Run one stage
per process (--stages c) to see the flow's peak at a given N alone.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import DEFAULT_EVENT_SHARE, batches, iter_corpus, write_corpus  # noqa: E402
from transforms.articles import Article  # noqa: E402
from transforms.extract import extract_events  # noqa: E402
from transforms.nlp import load_stock_nlp  # noqa: E402

DEV_GOLD = ROOT.parent / "shared" / "eval" / "dev.jsonl"
SPACY_BATCH = 32
POOL_BATCH = 32
MEMORY_LINE_SECONDS = 60  # (m) prints the process tree's memory this often


def tree_rss_by_process(root: int) -> dict[int, tuple[str, float]]:
    """Resident memory (MB) and a short role of a process and each of its descendants now, from /proc (Linux)."""
    parents, rss = {}, {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue  # the process ended while we looked
        pid = int(status.parent.name)
        parents[pid] = int(fields["PPid"])
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) / 1024
    tree, frontier = {root}, [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier and pid not in tree]
        tree.update(frontier)
    return {pid: (_role(pid, root), rss[pid]) for pid in sorted(tree) if pid in rss}


def _role(pid: int, root: int) -> str:
    """'flow', 'server' (Prefect's temporary API), 'worker' (a coding process), 'tracker' (multiprocessing's resource
    tracker) or 'other', from the command line."""
    if pid == root:
        return "flow"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "other"
    if "uvicorn" in command:
        return "server"
    return "tracker" if "resource_tracker" in command else "worker" if "multiprocessing" in command else "other"


def tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants now."""
    return sum(mb for _, mb in tree_rss_by_process(root).values())


class TreePeak:
    """Samples the resident memory of this process tree (workers, Prefect server) twice a second; keeps the peak."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.peak = max(self.peak, tree_rss_mb(os.getpid()))


def peak_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest child so far (Linux reports KiB)."""
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def timed(label: str, run: Callable[[], None], n: int, words: int) -> float:
    """Run once; print articles/s, words/s, wall and CPU seconds and peak memory; return articles per second."""
    start, cpu = time.perf_counter(), time.process_time()
    with TreePeak() as tree:
        run()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    own, child = peak_mb()
    print(f"{label:<40} {n / seconds:7.1f} articles/s {words / seconds:7.0f} words/s  ({seconds:6.1f} s wall,"
          f" {cpu:6.1f} s CPU here)  peak {own:4.0f} MB here, {child:4.0f} MB largest child,"
          f" {tree.peak:5.0f} MB whole process tree", flush=True)
    return n / seconds


def ratio(label: str, ours: float, base: float) -> None:
    print(f"ratio {label}: {ours / base:.2f}", flush=True)


def full_spacy(n: int, share: float, processes: int = 1) -> Callable[[], None]:
    """(a) every token of every article through the stock pipeline."""
    def run() -> None:
        texts = (a.text for a in iter_corpus(n, event_share=share))
        for _ in load_stock_nlp_cached().pipe(texts, batch_size=SPACY_BATCH, n_process=processes):
            pass
    return run


@cache
def load_stock_nlp_cached():
    """The stock pipeline, loaded once for the baseline stages."""
    return load_stock_nlp()


def coder(n: int, share: float, workers: int = 1) -> Callable[[], None]:
    """(b) the coder in this process, or (bW) in a pool of worker processes (started before the clock)."""
    from flows.workers import CoderPool

    if workers == 1:
        def run() -> None:
            for _ in extract_events(iter_corpus(n, event_share=share)):
                pass
        return run
    pool = CoderPool(workers, POOL_BATCH).__enter__()
    for _ in pool.code([list(iter_corpus(workers * 2, seed=99, event_share=share))] * workers):
        pass  # every worker has loaded its model before timing starts

    def run_pool() -> None:
        for _ in pool.code(batches(iter_corpus(n, event_share=share), POOL_BATCH)):
            pass
        pool.__exit__(None, None, None)
    return run_pool


def flow_runs(n: int, share: float, workers: int, words: int) -> None:
    """(c) a real flow run over the corpus written as JSON Lines, after a warm-up run; then the no-news rerun."""
    from flows.pipeline import run_pipeline
    from flows.settings import RunnerSettings, Settings

    settings = Settings(runner=RunnerSettings(workers=workers))
    with tempfile.TemporaryDirectory() as tmp:
        corpus = write_corpus(Path(tmp) / "in", n, event_share=share)
        warm = Path(tmp) / "warm.jsonl"
        warm.write_text(corpus.open(encoding="utf-8").readline(), encoding="utf-8")
        started = time.perf_counter()
        run_pipeline([warm], Path(tmp) / "warm_lake", settings)
        print(f"(c) warm-up run (Prefect start-up, model load): {time.perf_counter() - started:.1f} s", flush=True)
        summaries = []
        rate = timed(f"(c) whole flow, {workers} workers", lambda: summaries.append(
            run_pipeline([corpus], Path(tmp) / "lake", settings)), n, words)
        events = sum(summaries[0].events_by_type.values())
        print(f"    {summaries[0].articles_new} articles coded, {events} events", flush=True)
        rerun = run_pipeline([corpus], Path(tmp) / "lake", settings)
        print(f"(c) rerun with no new articles: {rerun.seconds:.1f} s ({rerun.articles_seen} already ingested)",
              flush=True)
        return rate


def flow_memory(n: int, share: float, workers: int, per_day: int | None = None) -> None:
    """(m) `eventpipe run` in a fresh process over the corpus: the whole process tree's peak memory (flow process,
    coding workers, the temporary Prefect server) and wall time including start-up, as a user runs it."""
    import subprocess

    with tempfile.TemporaryDirectory() as tmp:
        corpus = write_corpus(Path(tmp) / "in", n, event_share=share, per_day=per_day)
        command = [sys.executable, "-m", "flows.cli", "run", "--input", str(corpus), "--lake", str(Path(tmp) / "lake"),
                   "--workers", str(workers)]
        started, peak, peaks = time.perf_counter(), 0.0, {}
        with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as run:
            next_line = started + MEMORY_LINE_SECONDS
            while run.poll() is None:
                processes = tree_rss_by_process(run.pid)
                peak = max(peak, sum(mb for _, mb in processes.values()))
                for pid, (role, mb) in processes.items():
                    peaks[pid] = (role, max(mb, peaks.get(pid, (role, 0.0))[1]))
                if time.perf_counter() >= next_line:  # the trend shows whether memory is flat in corpus size
                    next_line += MEMORY_LINE_SECONDS
                    now = sum(mb for _, mb in processes.values())
                    print(f"    {time.perf_counter() - started:.0f} s: tree {now:.0f} MB = {_by_role(processes)}"
                          f" (tree peak so far {peak:.0f})", flush=True)
                time.sleep(0.5)
        seconds = time.perf_counter() - started
        print(f"(m) eventpipe run in a fresh process: {n / seconds:.1f} articles/s incl. start-up ({seconds:.0f} s),"
              f" exit {run.returncode}, peak {peak:.0f} MB whole process tree; each process's own peak: "
              f"{_by_role(peaks)}", flush=True)


def _by_role(processes: dict[int, tuple[str, float]]) -> str:
    """'flow 612 + worker 310 + worker 305 + server 226' (MB), in the order the processes started."""
    return " + ".join(f"{role} {mb:.0f}" for role, mb in processes.values())


def real_news_ratio(repeats: int = 5) -> str:
    """(r) stock spaCy vs the coder on the dev set's real articles (chosen for their events, so nearly every
    sentence is kept), by CPU time in this process."""
    if not DEV_GOLD.exists():
        return "(r) dev set not present"
    from flows.sources import iter_inputs

    articles = [a for a in iter_inputs(DEV_GOLD) if isinstance(a, Article)] * repeats
    start = time.process_time()
    for _ in load_stock_nlp_cached().pipe((a.text for a in articles), batch_size=SPACY_BATCH):
        pass
    spacy_cpu = time.process_time() - start
    start = time.process_time()
    for _ in extract_events(articles):
        pass
    coder_cpu = time.process_time() - start
    return (f"(r) dev articles x{repeats} ({len(articles)}): spaCy {spacy_cpu:.1f} s CPU, coder {coder_cpu:.1f} s CPU,"
            f" ratio {spacy_cpu / coder_cpu:.2f}")


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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=500)
    parser.add_argument("--share", type=float, default=DEFAULT_EVENT_SHARE)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--stages", default="a,b,c,r,dev")
    parser.add_argument("--per-day", type=int, default=None,
                        help="(m) only: date the articles in arrival order, this many a day (default: all in one month)")
    args = parser.parse_args()
    stages = set(args.stages.split(","))
    n, share, w = args.n, args.share, args.workers
    words = sum(len(a.text.split()) for a in iter_corpus(n, event_share=share))
    load_stock_nlp_cached()("warm up")
    for _ in extract_events(iter_corpus(5)):  # loads the model, matchers and gazetteer outside the timings
        pass
    print(f"{n} articles ({share:.0%} event articles), {words / n:.0f} words each on average; "
          f"{w} processes for the parallel figures", flush=True)
    rates = {}
    if "a" in stages:
        rates["a"] = timed("(a) spaCy full pipeline, 1 process", full_spacy(n, share), n, words)
        if w > 1:
            rates["aW"] = timed(f"(aW) spaCy full pipeline, n_process={w}", full_spacy(n, share, w), n, words)
    if "b" in stages:
        rates["b"] = timed("(b) coder, 1 process", coder(n, share), n, words)
        if w > 1:
            rates["bW"] = timed(f"(bW) coder, {w} worker processes", coder(n, share, w), n, words)
    if "c" in stages:
        rates["c"] = flow_runs(n, share, w, words)
    if "m" in stages:
        flow_memory(n, share, w, args.per_day)
    for label, ours, base in (("(b)/(a)", "b", "a"), (f"(bW)/(aW), both on {w} processes", "bW", "aW"),
                              ("(bW)/(a)", "bW", "a"), ("(c)/(a)", "c", "a"), ("(c)/(bW)", "c", "bW")):
        if ours in rates and base in rates:
            ratio(label, rates[ours], rates[base])
    if "r" in stages:
        print(real_news_ratio(), flush=True)
    if "dev" in stages:
        print(dev_scores())


if __name__ == "__main__":
    main()
