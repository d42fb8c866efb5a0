"""`eventpipe serve`: the flow as a Prefect deployment on a cron schedule, one run at a time per lake."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flows.feeds import is_url
from flows.settings import Settings

# a scheduled run still going when the next is due: the new one is cancelled, not queued behind it
OVERLAP_STRATEGY = "CANCEL_NEW"


def lake_tag(lake: Path) -> str:
    """A tag naming the lake, so the UI (and tag concurrency limits) can group its runs."""
    digest = hashlib.sha1(str(Path(lake).resolve()).encode()).hexdigest()[:10]
    return f"lake-{digest}"


def flow_parameters(settings: Settings) -> dict[str, Any]:
    """The flow's parameters as JSON values: sources resolved, so the served process may run from anywhere."""
    inputs = [s if is_url(s) else str(Path(s).resolve()) for s in settings.sources]
    window = settings.window
    return {"inputs": inputs, "lake": str(Path(settings.lake).resolve()),
            "since": window.since.isoformat() if window.since else None,
            "until": window.until.isoformat() if window.until else None,
            "fetch": settings.fetch.model_dump(mode="json"), "batch_size": settings.runner.batch_size,
            "workers": settings.runner.workers, "round_size": settings.runner.round_size}


def build_deployment(settings: Settings) -> Any:
    """The RunnerDeployment `serve` hands to Prefect: cron schedule, parameters, concurrency limit 1."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.schedules import Cron

    from flows.pipeline import code_articles_flow
    from flows.runners import make_task_runner

    cron = settings.schedule.cron
    if not cron:
        raise ValueError("no schedule: pass --cron '*/15 * * * *' or set schedule.cron in the config")
    if len(cron.split()) != 5:
        raise ValueError(f"cron needs 5 fields (minute hour day month weekday): {cron!r}")
    runner = make_task_runner(settings.runner)
    job = code_articles_flow.with_options(task_runner=runner) if runner else code_articles_flow
    # the deployment limit stops overlapping runs of this schedule; lake_lock in the flow stops any other writer
    limit = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy(OVERLAP_STRATEGY))
    return job.to_deployment(
        name=settings.schedule.name, schedules=[Cron(cron, timezone=settings.schedule.timezone)],
        parameters=flow_parameters(settings), concurrency_limit=limit, tags=["eventpipe", lake_tag(settings.lake)],
        description=f"eventpipe: code {len(settings.sources)} source(s) into {settings.lake} on '{cron}'",
    )


def serve(settings: Settings) -> None:
    """Serve the deployment until interrupted (Ctrl-C); runs are visible in the Prefect UI at PREFECT_API_URL."""
    from prefect import serve as prefect_serve

    missing = [s for s in settings.sources if not is_url(s) and not Path(s).exists()]
    if missing:
        raise FileNotFoundError(f"input not found: {', '.join(missing)}")
    prefect_serve(build_deployment(settings))
