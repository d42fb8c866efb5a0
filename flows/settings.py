"""Typed settings: defaults < eventpipe.toml (or --config FILE) < EVENTPIPE_* environment < command line.

Built once by the command line entry point (`load_settings`) and passed down; nothing here runs at import.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_INPUT = REPO_ROOT / "data" / "samples"
DEFAULT_LAKE = REPO_ROOT / "data" / "lake"
DEFAULT_CONFIG = Path("eventpipe.toml")  # looked up in the working directory


class FetchSettings(BaseModel):
    """How feeds and pages are fetched; a flow parameter, so it must stay JSON-serialisable."""

    fetch_pages: bool = False  # feed items: fetch the linked page instead of using the entry's summary
    timeout_seconds: float = Field(10.0, gt=0, le=300)
    max_bytes: int = Field(5 * 1024 * 1024, gt=0)
    max_redirects: int = Field(5, ge=0, le=20)
    max_entries: int = Field(1000, gt=0)  # per feed
    retries: int = Field(2, ge=0, le=10)
    retry_delay_seconds: float = Field(5.0, ge=0)


class WindowSettings(BaseModel):
    """Backfill window on publication date; articles outside it are counted, not rejected."""

    since: date | None = None
    until: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> WindowSettings:
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"since {self.since} is after until {self.until}")
        return self


class RunnerSettings(BaseModel):
    """Where the coding task runs."""

    kind: Literal["local", "dask"] = "local"
    dask_address: str | None = None  # tcp://host:8786 of an existing scheduler; else a local cluster
    workers: int = Field(2, ge=1, le=256)  # coding processes (local runner) or local Dask cluster size
    batch_size: int = Field(32, ge=1, le=10_000)  # articles per coding task: big enough to be real work
    round_size: int = Field(2000, ge=1, le=1_000_000)  # articles per read-code-validate-write round


class ScheduleSettings(BaseModel):
    """`eventpipe serve`: deployment name, cron and overlap policy."""

    name: str = "eventpipe-scheduled"
    cron: str | None = None
    timezone: str = "UTC"


class Settings(BaseSettings):
    """Everything a run or a served schedule needs."""

    model_config = SettingsConfigDict(env_prefix="EVENTPIPE_", env_nested_delimiter="__", extra="forbid")

    sources: list[str] = Field(default_factory=lambda: [str(DEFAULT_INPUT)])
    lake: Path = DEFAULT_LAKE
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    window: WindowSettings = Field(default_factory=WindowSettings)
    runner: RunnerSettings = Field(default_factory=RunnerSettings)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)


def _with_toml(path: Path | None) -> type[Settings]:
    """Settings whose lowest-priority source (above defaults) is the TOML file at path."""

    class FileSettings(Settings):
        @classmethod
        def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                       env_settings: PydanticBaseSettingsSource, **_: Any) -> tuple:
            """Command line (init) over environment over file."""
            if path is None:
                return init_settings, env_settings
            return init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=path)

    return FileSettings


def _deep_update(base: dict, overrides: dict) -> dict:
    """base with overrides merged in, nested dicts merged key by key; None values are ignored."""
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict):
            if nested := _deep_update(merged.get(key, {}), value):
                merged[key] = nested
        elif value is not None:
            merged[key] = value
    return merged


def load_settings(config: Path | None = None, overrides: dict | None = None) -> Settings:
    """Settings from defaults, the TOML file (config, else ./eventpipe.toml if present), environment, overrides."""
    if config is not None and not Path(config).is_file():
        raise FileNotFoundError(f"config file not found: {config}")
    path = Path(config) if config else (DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None)
    loaded = _with_toml(path)(**_deep_update({}, overrides or {}))
    return Settings.model_validate(loaded.model_dump())  # plain Settings: picklable, no closure class


def add_arguments(parser: Any, serve: bool = False) -> None:
    """The command line options that override settings (shared by `run` and `serve`)."""
    parser.add_argument("--input", action="append", help="file, folder, .jsonl, feed URL or page URL (repeatable); "
                        "default: sources from the config, else the bundled samples")
    parser.add_argument("--lake", help=f"output folder for the Parquet tables (default {DEFAULT_LAKE})")
    parser.add_argument("--config", type=Path, help=f"TOML settings file (default ./{DEFAULT_CONFIG} if present)")
    parser.add_argument("--since", type=date.fromisoformat, help="only articles published on or after YYYY-MM-DD")
    parser.add_argument("--until", type=date.fromisoformat, help="only articles published on or before YYYY-MM-DD")
    parser.add_argument("--fetch-pages", action="store_true", default=None, help="feed items: fetch the linked page")
    parser.add_argument("--runner", choices=["local", "dask"], help="where coding tasks run (default local)")
    parser.add_argument("--dask-address", help="scheduler of an existing Dask cluster, e.g. tcp://10.0.0.5:8786")
    parser.add_argument("--workers", type=int, help="coding processes: a local pool once a round has 200+ articles, "
                        "or the size of a local Dask cluster (default 2)")
    parser.add_argument("--batch-size", type=int, help="articles per coding task (default 32)")
    parser.add_argument("--round-size", type=int, help="articles read, coded, validated and written together "
                        "(default 2000; bounds memory)")
    if serve:
        parser.add_argument("--cron", help='schedule, e.g. "*/15 * * * *" (default: schedule.cron in the config)')
        parser.add_argument("--name", help="deployment name (default eventpipe-scheduled)")


def settings_from_args(args: Any) -> Settings:
    """Settings with the command line's explicit options on top."""
    overrides = {
        "sources": args.input, "lake": args.lake,
        "fetch": {"fetch_pages": args.fetch_pages},
        "window": {"since": args.since, "until": args.until},
        "runner": {"kind": args.runner, "dask_address": args.dask_address, "workers": args.workers,
                   "batch_size": args.batch_size, "round_size": args.round_size},
        "schedule": {"cron": getattr(args, "cron", None), "name": getattr(args, "name", None)},
    }
    return load_settings(args.config, overrides)
