"""Keep a long flow run's resident memory flat: allocator settings for the process and a trim after each round."""

from __future__ import annotations

import ctypes
import os
import sys
from functools import cache

_M_ARENA_MAX = -8  # mallopt parameter number in glibc's malloc.h
ARENAS = 2


@cache
def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim  # noqa: B018 - glibc only (musl has no malloc_trim)
        return libc
    except (OSError, AttributeError):
        return None


def limit_allocator_retention() -> None:
    """Call first thing in a process that runs flows. Arrow's default pool (mimalloc) keeps the pages of every
    round's Parquet reads and writes: over 30,000 articles the flow process peaked at 727 MB with it and 623 MB with
    the system allocator, flat from the third minute on (benchmarks/throughput.py --stages m --per-day 2000), at
    about 9% of the run's speed. A user who prefers the speed sets ARROW_DEFAULT_MEMORY_POOL=mimalloc. Prefect runs
    tasks in threads and glibc gives each thread an arena (up to 8 per core); two arenas bound that. The Arrow
    setting only acts before pyarrow is first imported."""
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    libc = _libc()
    if libc is not None:
        libc.mallopt(_M_ARENA_MAX, ARENAS)


def release_freed_memory() -> None:
    """Give pages freed by the round just written back to the system (glibc keeps them for reuse otherwise)."""
    arrow = sys.modules.get("pyarrow")
    if arrow is not None:
        arrow.default_memory_pool().release_unused()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
