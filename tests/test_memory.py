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


def test_great_expectations_runs_without_loading_modules_our_suites_do_not_use(tmp_path) -> None:
    """scipy.stats (~57 MB) and altair (~25 MB) are imported by GE for expectations we do not use; the flow process
    keeps them unloaded through a whole validation with Data Docs, and they still load when something uses them."""
    probe = ("import sys\n"
             "from tests.test_validate import event_row, frame\n"
             "from flows.validate import validate_table\n"
             "rows = [event_row(i) for i in range(3)] + [event_row(9, event_id='bad', confidence=1.5)]\n"
             f"out = validate_table(frame('events', rows), 'events', 'r1', docs_dir={str(tmp_path)!r})\n"
             "loaded = [name for name in ('scipy.stats', 'altair') if type(sys.modules.get(name)).__name__ == 'module']\n"
             "from great_expectations.expectations.core import expect_column_kl_divergence_to_be_less_than as kl\n"
             "entropy = kl.stats.entropy([0.5, 0.5], [0.5, 0.5])\n"
             "print(out.rejects.height, out.good.height, out.docs_index is not None, len(loaded), entropy)\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", "PYTHONPATH": ".", "GX_ANALYTICS_ENABLED": "false"})
    rejects, good, docs, loaded, entropy = out.stdout.split()[-5:]
    assert (rejects, good, docs) == ("1", "3", "True")  # the suite really ran and rendered its docs
    assert loaded == "0", out.stdout
    assert float(entropy) == 0.0  # a deferred module works once used
