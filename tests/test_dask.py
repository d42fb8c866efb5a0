"""Scale-out: the flow on a local Dask cluster of 2 workers codes the bundled samples to the same events.

The reference is the local runner's coding path (steps.code in order, what the default runner calls), so the
suite pays for one flow run here, not two.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flows import tasks as steps
from flows.lake import read_table

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


@pytest.mark.flow
def test_dask_runner_gives_the_local_runners_event_ids(tmp_path: Path) -> None:
    from flows.pipeline import run_pipeline
    from flows.settings import load_settings

    batch = steps.ingest([str(SAMPLES)], str(tmp_path / "empty"))
    coded, failed = steps.code(batch.accepted)
    assert not failed
    expected = {e["event_id"] for r in coded for e in r.events}
    # batch size 4: the 12 samples become 3 tasks spread over both workers
    settings = load_settings(overrides={"runner": {"kind": "dask", "workers": 2, "batch_size": 4}})
    summary = run_pipeline([SAMPLES], tmp_path / "lake", settings)
    events = read_table("events", tmp_path / "lake")
    assert summary.articles_new == len(batch.accepted) > 8
    assert set(events["event_id"]) == expected and len(expected) > 10
