"""Settings: defaults < TOML file < EVENTPIPE_ environment < command line; invalid values are refused."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pydantic
import pytest

from flows.cli import build_parser
from flows.runners import Progress, batches, make_task_runner
from flows.settings import DEFAULT_LAKE, RunnerSettings, Settings, load_settings, settings_from_args

TOML = """sources = ["https://example.org/feed.xml", "data/samples"]
lake = "/tmp/from-toml"
[runner]
kind = "dask"
workers = 3
[window]
since = 2024-01-01
[fetch]
timeout_seconds = 4
"""


def test_defaults_need_no_file_and_no_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no eventpipe.toml here
    settings = load_settings()
    assert settings.lake == DEFAULT_LAKE and settings.runner.kind == "local" and settings.runner.batch_size == 32
    assert settings.fetch.max_redirects == 5 and settings.fetch.retries == 2 and settings.schedule.cron is None


def test_environment_beats_file_and_command_line_beats_both(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "custom.toml"
    config.write_text(TOML, encoding="utf-8")
    monkeypatch.setenv("EVENTPIPE_RUNNER__WORKERS", "5")
    monkeypatch.setenv("EVENTPIPE_LAKE", "/tmp/from-env")
    args = build_parser().parse_args(["run", "--config", str(config), "--lake", "/tmp/from-cli", "--batch-size", "8",
                                      "--round-size", "500"])
    settings = settings_from_args(args)
    assert settings.sources == ["https://example.org/feed.xml", "data/samples"]  # file
    assert settings.runner.kind == "dask" and settings.window.since == date(2024, 1, 1)  # file
    assert settings.fetch.timeout_seconds == 4 and settings.fetch.max_bytes == 5 * 1024 * 1024  # file, default
    assert settings.runner.workers == 5  # environment over file
    assert settings.lake == Path("/tmp/from-cli") and settings.runner.batch_size == 8  # command line over all
    assert settings.runner.round_size == 500


def test_eventpipe_toml_in_the_working_directory_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "eventpipe.toml").write_text('[schedule]\ncron = "*/5 * * * *"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert load_settings().schedule.cron == "*/5 * * * *"


def test_bad_values_are_refused(tmp_path: Path) -> None:
    with pytest.raises(pydantic.ValidationError):
        load_settings(overrides={"runner": {"kind": "spark"}})
    with pytest.raises(pydantic.ValidationError):
        load_settings(overrides={"window": {"since": "2024-05-02", "until": "2024-05-01"}})
    with pytest.raises(pydantic.ValidationError):
        load_settings(overrides={"lakes": "/tmp/typo"})
    with pytest.raises(FileNotFoundError):
        load_settings(tmp_path / "missing.toml")


def test_runner_choice() -> None:
    assert make_task_runner(RunnerSettings()) is None
    remote = make_task_runner(RunnerSettings(kind="dask", dask_address="tcp://127.0.0.1:8786"))
    local = make_task_runner(RunnerSettings(kind="dask", workers=3))
    assert type(remote).__name__ == "DaskTaskRunner" and remote.address == "tcp://127.0.0.1:8786"
    assert local.cluster_kwargs["n_workers"] == 3 and local.cluster_kwargs["threads_per_worker"] == 1
    assert [len(b) for b in batches(list(range(70)), 32)] == [32, 32, 6]


def test_progress_logs_rate_and_eta_periodically(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    progress = Progress(100, logging.getLogger("progress-test"), every=10, clock=lambda: now[0])
    with caplog.at_level(logging.INFO, logger="progress-test"):
        for _ in range(4):
            now[0] += 4
            progress.update(10)
    assert [r.getMessage() for r in caplog.records] == ["coded 30/100 articles, 2.5 articles/s, ETA 28 s"]
    assert isinstance(Settings(), Settings)
