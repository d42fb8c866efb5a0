"""Task runner choice (local threads or Dask) and the coding loop with progress lines."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from flows.settings import RunnerSettings
from flows.workers import CoderPool

POOL_MIN_ARTICLES = 200  # a worker pool costs ~4 s to start (model load); fewer articles code faster in-process
PROGRESS_EVERY_SECONDS = 30.0  # one progress line per this many seconds: visible on long runs, quiet on short ones


def make_task_runner(runner: RunnerSettings) -> Any | None:
    """A DaskTaskRunner for kind 'dask' (existing scheduler or a local cluster); None keeps Prefect's default."""
    if runner.kind == "local":
        return None
    from prefect_dask import DaskTaskRunner  # imported only when asked for: dask is slow to import

    if runner.dask_address:
        return DaskTaskRunner(address=runner.dask_address)
    # one thread per worker process: spaCy is CPU-bound and holds the GIL, so processes are what scale
    return DaskTaskRunner(cluster_class=local_cluster, cluster_kwargs={
        "n_workers": runner.workers, "threads_per_worker": 1, "processes": True, "dashboard_address": ":0"})


def local_cluster(**kwargs: Any) -> Any:
    """A LocalCluster whose workers report to the flow's Prefect API, even a temporary (ephemeral) one.

    Called by DaskTaskRunner inside the flow run. Without PREFECT_API_URL each worker process would start
    its own temporary server (slow, and its task runs would be invisible); with a real server this is a no-op.
    """
    from distributed import LocalCluster
    from prefect.client.orchestration import get_client

    api_url = str(get_client(sync_client=True).api_url)
    return LocalCluster(**kwargs, env={"PREFECT_API_URL": api_url})


class Progress:
    """Logs articles/s (and an ETA when the total is known) at most every `every` seconds, and at the end."""

    def __init__(self, total: int | None, log: logging.Logger | logging.LoggerAdapter,
                 every: float = PROGRESS_EVERY_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.total, self.done, self.log, self.every, self.clock = total, 0, log, every, clock
        self.started = self.last = clock()

    def line(self) -> str:
        """'n/total articles coded, r articles/s, ETA s' ('n articles coded, r articles/s' on a stream)."""
        elapsed = max(self.clock() - self.started, 1e-9)
        rate = self.done / elapsed
        if self.total is None:
            return f"coded {self.done} articles, {rate:.1f} articles/s"
        eta = (self.total - self.done) / rate if rate else float("inf")
        return f"coded {self.done}/{self.total} articles, {rate:.1f} articles/s, ETA {eta:.0f} s"

    def update(self, n: int) -> None:
        """Count n more coded articles; log when a period has passed or all are done."""
        self.done += n
        now = self.clock()
        if now - self.last >= self.every or (self.total is not None and self.done >= self.total):
            self.last = now
            self.log.info(self.line())

    def finish(self) -> None:
        """The closing line of a stream (a known total already logged it)."""
        if self.total is None and self.done:
            self.log.info(self.line())


def batches(items: Sequence, size: int) -> list[Sequence]:
    """items in consecutive slices of at most size."""
    return [items[start:start + size] for start in range(0, len(items), size)]


def start_coding(code_task: Any, articles: Sequence, batch_size: int, distributed: bool, progress: Progress,
                 pool: CoderPool | None = None) -> Callable[[], tuple[list, list]]:
    """Start coding articles in batches; returns the call that waits for (coded, failed) in batch order.

    Through the local pool (once there are enough articles to repay its start) every batch is submitted now, so the
    workers code this round while the flow validates and writes the previous one. Task-runner submissions (Dask)
    and in-process coding run when the returned call is made."""
    parts = batches(articles, batch_size)
    if pool is not None and pool.parallel and not distributed and len(articles) >= POOL_MIN_ARTICLES:
        futures = pool.submit(parts)

        def collect_pool() -> tuple[list, list]:
            outputs = []
            for part, future in zip(parts, futures, strict=True):
                outputs.append(future.result())
                progress.update(len(part))
            return _flatten(outputs)
        return collect_pool
    return lambda: _flatten(_code_now(code_task, parts, distributed, progress))


def _code_now(code_task: Any, parts: list[Sequence], distributed: bool, progress: Progress) -> list:
    from prefect.futures import as_completed

    outputs: list[tuple[list, list] | None] = [None] * len(parts)
    if distributed:
        futures = [code_task.submit(part) for part in parts]
        index = {id(future): i for i, future in enumerate(futures)}
        for future in as_completed(futures):
            i = index[id(future)]
            outputs[i] = future.result()
            progress.update(len(parts[i]))
    else:
        for i, part in enumerate(parts):  # spaCy gains nothing from threads: sequential in this process
            outputs[i] = code_task(part)
            progress.update(len(part))
    return outputs


def _flatten(outputs: list) -> tuple[list, list]:
    coded = [r for out in outputs if out for r in out[0]]
    failed = [f for out in outputs if out for f in out[1]]
    return coded, failed
