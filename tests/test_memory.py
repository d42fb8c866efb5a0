"""The flow process's allocator settings (flows/memory.py) take effect in a fresh process, as the CLI starts one."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import ctypes, sys
from flows.memory import limit_allocator_retention, release_freed_memory
limit_allocator_retention()
import pyarrow as pa
release_freed_memory()
print(pa.default_memory_pool().backend_name)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc allocator settings")
def test_arrow_uses_the_system_allocator_after_the_cli_setting() -> None:
    """Arrow's own pool keeps freed pages; the flow process must use the system allocator, which trims."""
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", "PYTHONPATH": "."})
    assert out.stdout.strip() == "system"


def test_the_cli_applies_the_setting_before_anything_imports_pyarrow() -> None:
    """flows.cli must not import pyarrow (through polars or Prefect) before main() has run the setting."""
    out = subprocess.run([sys.executable, "-c", "import sys, flows.cli; print('pyarrow' in sys.modules)"],
                         capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": "."})
    assert out.stdout.strip() == "False"


def test_the_flow_process_does_not_import_spacy() -> None:
    """With worker processes coding, spaCy (~55 MB) belongs in the workers only: the flow's modules, and the results
    the workers send back, must not pull it in."""
    probe = ("import sys, pickle, flows.cli, flows.pipeline, flows.tasks, flows.workers, flows.report;"
             "from transforms.articles import ArticleEvents, make_article;"
             "pickle.loads(pickle.dumps(ArticleEvents(make_article('x', source_id='a'))));"
             "print('spacy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", "PYTHONPATH": "."})
    assert out.stdout.strip() == "False"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc allocator and /proc")
def test_a_coding_worker_gives_back_a_batch_s_memory() -> None:
    """The tok2vec layers hold ~50 MB for a batch of 32 articles until they return; a worker that kept those pages
    sat ~55 MB higher for the rest of the run (twice over, with two workers)."""
    probe = ("from flows.workers import _load_worker, code_batch\n"
             "from benchmarks.corpus import iter_corpus\n"
             "rss = lambda: int(open('/proc/self/status').read().split('VmRSS:')[1].split()[0]) / 1024\n"
             "_load_worker()\n"
             "articles = list(iter_corpus(32, event_share=0.25))\n"
             "before = rss()\n"
             "events, failed = code_batch(articles, 32)\n"
             "print(sum(len(a.events) for a in events), round(rss() - before))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", "PYTHONPATH": "."})
    events, growth_mb = map(int, out.stdout.split()[-2:])
    assert events > 0  # the batch was really coded
    assert growth_mb < 25, f"worker RSS grew {growth_mb} MB over one batch"
