"""Coding in worker processes on one machine: each worker loads the spaCy model once, batches come back in input
order, and only a few batches are in flight at a time, so memory does not grow with the run."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import date
from typing import Any

from flows.memory import release_freed_memory
from transforms.articles import Article, ArticleEvents, make_article

Coded = tuple[list[ArticleEvents], list[tuple[Article, str]]]
IN_FLIGHT_PER_WORKER = 2  # one batch being coded and one queued per worker keeps both cores busy


WARM_UP = "The presidents of Kenya and Uganda met in Nairobi on Monday."  # touches screen, parser, coder, gazetteer


def code_batch(articles: list[Article], batch_size: int) -> Coded:
    """transforms.extract.code_batch, imported where it runs: with workers, the flow process never imports spaCy
    (~55 MB), since results come back as plain ArticleEvents. Freed memory goes back to the system after each batch:
    the tok2vec layers hold ~16 KB per token until they return (~50 MB for a batch of 32 reduced articles), and glibc
    would otherwise keep those pages, so every worker sat at its highest batch for good (~290 MB against ~225)."""
    from transforms.extract import code_batch as code

    try:
        return code(articles, batch_size)
    finally:
        release_freed_memory()


def _load_worker() -> None:
    """Runs once in each worker: model, matchers and gazetteer are loaded before the first batch arrives."""
    from transforms.extract import extract_events

    for _ in extract_events([make_article(WARM_UP, published=date(2024, 5, 8))]):
        pass


class CoderPool:
    """A pool of coding processes; use as a context manager. workers=1 codes in this process (no pool)."""

    def __init__(self, workers: int, batch_size: int = 32) -> None:
        self.workers = workers
        self.batch_size = batch_size
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> CoderPool:
        if self.workers > 1:
            # spawn, not fork: the flow process runs threads (Prefect's event loop), and forking those can deadlock
            self._executor = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_load_worker)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)
            self._executor = None

    @property
    def parallel(self) -> bool:
        """True when batches go to worker processes."""
        return self._executor is not None

    def submit(self, batches: Iterable[list[Article]]) -> list[Future]:
        """Queue every batch now (the caller bounds how many are in flight); futures in the order given."""
        assert self._executor is not None, "submit needs workers > 1"
        return [self._executor.submit(code_batch, batch, self.batch_size) for batch in batches]

    def code(self, batches: Iterable[list[Article]]) -> Iterator[Coded]:
        """(events, failures) per batch, in the order given."""
        if self._executor is None:
            for batch in batches:
                yield code_batch(batch, self.batch_size)
            return
        window: deque[Future] = deque()
        for batch in batches:
            window.append(self._executor.submit(code_batch, batch, self.batch_size))
            if len(window) >= self.workers * IN_FLIGHT_PER_WORKER:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()
