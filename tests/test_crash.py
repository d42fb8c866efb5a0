"""Crash safety: a run SIGKILLed mid-write and rerun ends with the clean run's lake; a busy lake is refused.

One kill point here (seeded, inside the write phase, where a crash can hurt); benchmarks/kill_rerun.py tries many.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from flows.lake import LakeBusyError, lake_lock, read_table
from tests.hostile.crash import (differences, kill_run, lake_problems, prefect_env, reference_lake, run_cli,
                                 seeded_delay)
from tests.hostile.generate import news, write_recombined

N_ARTICLES = 60
SEED = 20240507


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """60 recombined articles plus a duplicate and an empty file, so rejects are written too."""
    folder = tmp_path_factory.mktemp("crash_inputs")
    ids = write_recombined(folder, N_ARTICLES, seed=SEED)
    shutil.copy(folder / f"{ids[0]}.txt", folder / "zz_duplicate.txt")
    (folder / "zz_empty.txt").write_text("   \n", encoding="utf-8")
    return folder, ids


@pytest.mark.flow
def test_kill_mid_write_then_rerun_loses_nothing(corpus: tuple[Path, list[str]], tmp_path: Path) -> None:
    folder, ids = corpus
    reference, lake = tmp_path / "reference", tmp_path / "lake"
    reference_lake([folder], reference)
    env = prefect_env(tmp_path / "prefect")
    delay = seeded_delay(SEED)
    killed = kill_run([folder], lake, env, in_write=delay)
    print(f"\nkilled {delay:.2f} s into the write phase ({killed.seconds:.1f} s after start): "
          f"tables on disk {killed.tables_present}, {killed.articles_rows} articles rows")
    assert killed.returncode == -9, "the run ended before the kill: the test hit no write phase"
    assert lake_problems(lake, strays=False) == []  # a partial table file is never visible, even right after the kill
    stray = lake / ".eventpipe.duckdb.0123abcd.tmp"  # as a run killed while building the DuckDB file leaves it
    stray.touch()
    rerun = run_cli([folder], lake, env)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert lake_problems(lake) == []
    assert differences(lake, reference) == []
    articles = read_table("articles", lake)
    assert set(ids) <= set(articles.filter(status="coded")["article_id"])  # no article lost
    assert articles["article_id"].n_unique() == articles.height
    assert read_table("events", lake)["event_id"].n_unique() == read_table("events", lake).height > 0


def test_lock_refuses_a_second_run(tmp_path: Path) -> None:
    from flows.pipeline import ensure_idle

    with lake_lock(tmp_path):
        with pytest.raises(LakeBusyError):
            with lake_lock(tmp_path):
                pass
        with pytest.raises(LakeBusyError, match="^lake is busy: "):
            ensure_idle(tmp_path)
    ensure_idle(tmp_path)  # free again once the holder has gone


def test_waiting_lock_gets_the_lake_when_the_holder_leaves(tmp_path: Path) -> None:
    holding, done = threading.Event(), threading.Event()

    def hold() -> None:
        with lake_lock(tmp_path):
            holding.set()
            time.sleep(0.5)
        done.set()

    thread = threading.Thread(target=hold)
    thread.start()
    holding.wait(5)
    with lake_lock(tmp_path, timeout=10):
        assert done.is_set()  # only after the holder has let go
    thread.join()


def test_cli_refuses_a_busy_lake_with_one_line(tmp_path: Path) -> None:
    article = tmp_path / "in" / "one.txt"
    article.parent.mkdir()
    article.write_text(news("busy"), encoding="utf-8")
    lake = tmp_path / "lake"
    with lake_lock(lake):
        result = run_cli([article.parent], lake, prefect_env(tmp_path / "prefect"), timeout=120)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [f"eventpipe: lake is busy: another eventpipe run holds {lake}; "
                                                  "try again when it has finished"]
    assert sorted(os.listdir(lake)) == [".lock"]  # nothing was written
