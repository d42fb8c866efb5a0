"""Kill `eventpipe run` at several points, rerun each to completion, and compare with a clean run's lake.

Usage: python benchmarks/kill_rerun.py [N_ARTICLES] [N_KILLS] [SEED]   (default 300 articles, 5 kills, seed 7)

Kill points are seeded: half at random times across a clean run, half a random fraction of a second into the
write phase (where a crash can leave a partial lake). Prints one line per kill and exits non-zero on any loss.
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flows.lake import read_table  # noqa: E402
from tests.hostile.crash import differences, kill_run, lake_problems, prefect_env, run_cli  # noqa: E402
from tests.hostile.generate import write_recombined  # noqa: E402


def kill_points(n: int, seed: int, clean_seconds: float) -> list[tuple[str, float]]:
    """('after', seconds) and ('in_write', delay) kill points, alternating, seeded."""
    rng = random.Random(seed)
    return [("after", rng.uniform(2.0, clean_seconds)) if i % 2 else ("in_write", rng.uniform(0.0, 1.0))
            for i in range(n)]


def main() -> int:
    """Clean run, then kill + rerun per kill point; print what each left behind."""
    n_articles, n_kills, seed = (int(a) for a in (sys.argv[1:] + ["300", "5", "7"][len(sys.argv) - 1:])[:3])
    work = Path(tempfile.mkdtemp(prefix="kill_rerun-"))
    try:
        inputs = work / "inputs"
        ids = write_recombined(inputs, n_articles, seed=seed)
        env = prefect_env(work / "prefect")
        started = time.monotonic()
        clean = run_cli([inputs], work / "clean", env)
        clean_seconds = time.monotonic() - started
        if clean.returncode:
            print(clean.stderr[-2000:])
            return 1
        print(f"clean run: {n_articles} articles in {clean_seconds:.1f} s")
        failures = 0
        for i, (kind, value) in enumerate(kill_points(n_kills, seed, clean_seconds)):
            lake = work / f"lake-{i}"
            killed = kill_run([inputs], lake, env, **{kind: value})
            partial = lake_problems(lake, strays=False)
            started = time.monotonic()
            rerun = run_cli([inputs], lake, env)
            coded = set(read_table("articles", lake).filter(status="coded")["article_id"])
            problems = partial + lake_problems(lake) + differences(lake, work / "clean")
            problems += [f"rerun exit {rerun.returncode}"] * bool(rerun.returncode)
            problems += [f"{len(set(ids) - coded)} articles lost"] * bool(set(ids) - coded)
            failures += bool(problems)
            print(f"kill {i}: {kind}={value:.2f} s -> died at {killed.seconds:.1f} s (exit {killed.returncode}), "
                  f"on disk {killed.tables_present or 'nothing'} ({killed.articles_rows} articles rows); "
                  f"rerun {time.monotonic() - started:.1f} s: {'; '.join(problems) or 'same lake as the clean run'}")
            shutil.rmtree(lake, ignore_errors=True)
        return 1 if failures else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
