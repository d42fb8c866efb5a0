"""`eventpipe serve`: the deployment it would serve has the cron schedule, the parameters and a limit of one run."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.cli import build_parser
from flows.serve import build_deployment, flow_parameters, lake_tag
from flows.settings import load_settings, settings_from_args

REPO = Path(__file__).resolve().parents[1]


def test_deployment_has_cron_parameters_and_no_overlap(tmp_path: Path) -> None:
    args = build_parser().parse_args([
        "serve", "--cron", "*/15 * * * *", "--input", "https://example.org/feed.xml", "--input", str(REPO / "data/samples"),
        "--lake", str(tmp_path / "lake"), "--since", "2024-05-01", "--fetch-pages", "--name", "news-every-15"])
    deployment = build_deployment(settings_from_args(args))
    assert deployment.name == "news-every-15"
    (schedule,) = deployment.schedules
    assert schedule.schedule.cron == "*/15 * * * *" and schedule.schedule.timezone == "UTC"
    params = deployment.parameters
    assert params["inputs"] == ["https://example.org/feed.xml", str(REPO / "data/samples")]
    assert params["lake"] == str(tmp_path / "lake") and params["since"] == "2024-05-01" and params["until"] is None
    assert params["fetch"]["fetch_pages"] is True and params["batch_size"] == 32
    assert deployment.concurrency_limit == 1
    assert deployment.concurrency_options.collision_strategy.value == "CANCEL_NEW"
    assert lake_tag(tmp_path / "lake") in deployment.tags
    # the parameters must validate against the flow's signature (what the served process will call)
    from flows.pipeline import code_articles_flow

    validated = code_articles_flow.validate_parameters(params)
    assert validated["since"].isoformat() == "2024-05-01" and validated["fetch"].fetch_pages is True


def test_serve_needs_a_valid_cron(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no schedule"):
        build_deployment(load_settings(overrides={"lake": str(tmp_path)}))
    with pytest.raises(ValueError, match="5 fields"):
        build_deployment(load_settings(overrides={"lake": str(tmp_path), "schedule": {"cron": "every hour"}}))


def test_relative_paths_are_resolved_for_the_served_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    params = flow_parameters(load_settings(overrides={"sources": ["in"], "lake": "lake"}))
    assert params["inputs"] == [str(tmp_path / "in")] and params["lake"] == str(tmp_path / "lake")
    assert lake_tag(Path("lake")) == lake_tag(tmp_path / "lake") != lake_tag(tmp_path / "other")
