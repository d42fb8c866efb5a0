"""Quality gate: run a table's Great Expectations suite on a batch, split good rows from rejects.

Row-level critical failures send the offending rows to the rejects table (one reject per row and
failed expectation); batch-level critical failures (missing column, duplicate key, or a check
that could not be evaluated) mark the whole batch as unpublishable. Warnings are only reported.
Great Expectations is imported inside functions: its import takes seconds.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import os
import sys
import types
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from flows.expectation_suites import suite_path
from schemas.tables import table

ROW = "__row_nr__"  # positional row id handed to GE so unexpected rows map back even with bad keys
RECORD_KIND = {"events": "event", "articles": "article"}
RAW_TEXT_LIMIT = 500  # rejects keep the record for triage, not whole article texts


@dataclass
class ValidationOutcome:
    """What the gate decided for one batch of one table."""

    table: str
    good: pl.DataFrame  # rows that passed every row-level critical expectation (computed even when blocked)
    rejects: pl.DataFrame  # rejects-table rows: one per (row, failed row-level critical expectation)
    results: list[dict]  # one per expectation, in suite order: table, name, column, severity, success, ...
    critical_failed: bool  # a batch-level critical check failed: the caller must not publish the batch
    docs_index: Path | None = None  # Data Docs index.html when docs_dir was given
    failures: list[str] = field(default_factory=list)  # why critical_failed, human readable


def load_suite(table_name: str) -> dict:
    """The committed suite JSON for table_name."""
    return json.loads(suite_path(table_name).read_text(encoding="utf-8"))


# Imported by Great Expectations at load time for expectations our suites do not use (KL divergence, KS tests):
# ~57 MB (scipy.stats) and ~25 MB (altair) resident in the flow process for the whole run. Loaded lazily, they
# arrive only if such an expectation ever runs.
DEFERRED_MODULES = ("scipy.stats", "altair")


def _gx():
    """Import great_expectations with analytics off (the env var must be set before import)."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    for name in DEFERRED_MODULES:
        _defer_import(name)
    import great_expectations as gx

    return gx


def _defer_import(name: str) -> None:
    """Put a stand-in for a module in sys.modules that imports the real one on first use of any attribute. (On
    Python 3.11 importlib's LazyLoader does not help: every later `import` of the name reads the module's __spec__,
    which loads it.) No-op if the module is loaded already or not installed."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None:
        return
    sys.modules[name] = _DeferredModule(name, spec)


class _DeferredModule(types.ModuleType):
    """A module that is not imported until one of its attributes is read."""

    def __init__(self, name: str, spec: importlib.machinery.ModuleSpec) -> None:
        super().__init__(name)
        self.__spec__ = spec
        if spec.submodule_search_locations is not None:
            self.__path__ = list(spec.submodule_search_locations)

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        real = importlib.import_module(self.__name__)
        self.__dict__.update(real.__dict__)  # later reads find the attributes without coming back here
        return getattr(real, attr)


def _context(gx, docs_dir: Path | None):
    """An ephemeral context without progress bars, with a filesystem Data Docs site if asked."""
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    if docs_dir is not None:
        backend = {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)}
        site = {"class_name": "SiteBuilder", "store_backend": backend,
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder", "show_how_to_buttons": False}}
        context.add_data_docs_site("eventpipe", site)
    return context


def run_suite(pdf: Any, suite_dict: dict, run_id: str, index_columns: list[str], docs_dir: Path | None) -> list:
    """Run suite_dict on a pandas frame through a GE checkpoint; returns the expectation results."""
    gx = _gx()
    context = _context(gx, docs_dir)
    suite = gx.ExpectationSuite(name=suite_dict["name"], expectations=suite_dict["expectations"],
                                meta=dict(suite_dict.get("meta", {})))
    # GE logs and drops an expectation it cannot parse; a gate with a silent hole is worse than none
    if len(suite.expectations) != len(suite_dict["expectations"]):
        raise ValueError(f"suite {suite_dict['name']}: some expectations are invalid, see the GE log")
    suite = context.suites.add(suite)
    asset = context.data_sources.add_pandas("batch").add_dataframe_asset(suite_dict["name"])
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=suite_dict["name"], data=asset.add_batch_definition_whole_dataframe("all"),
                                suite=suite))
    actions = [gx.checkpoint.UpdateDataDocsAction(name="docs", site_names=["eventpipe"])] if docs_dir else []
    result_format = {"result_format": "COMPLETE", "unexpected_index_column_names": index_columns}
    checkpoint = context.checkpoints.add(gx.Checkpoint(
        name=f"{suite_dict['name']}_gate", validation_definitions=[definition], actions=actions,
        result_format=result_format))
    run = checkpoint.run(batch_parameters={"dataframe": pdf}, run_id=gx.RunIdentifier(run_name=run_id))
    return [r for validation in run.run_results.values() for r in validation.results]


def _error(result: Any) -> str | None:
    """The exception message when GE could not evaluate the expectation, else None."""
    info = result.exception_info or {}
    nested = [info] + [v for v in info.values() if isinstance(v, dict)]
    for item in nested:
        if item.get("raised_exception"):
            return str(item.get("exception_message") or "expectation raised")
    return None


def _column(kwargs: dict) -> str | None:
    """The column(s) an expectation is about, for display."""
    if "column" in kwargs:
        return kwargs["column"]
    if "column_A" in kwargs:
        return f"{kwargs['column_B']},{kwargs['column_A']}"
    return ",".join(kwargs.get("column_list", [])) or None


def summarise(result: Any) -> dict:
    """One GE expectation result as a plain dict; `rows` holds the unexpected row numbers."""
    config = result.expectation_config
    meta = config.meta or {}
    detail = result.result or {}
    return {
        "name": meta.get("name", config.type), "expectation_type": config.type,
        "column": _column(config.kwargs), "severity": meta.get("severity", "critical"),
        "scope": meta.get("scope", "row"), "reason": meta.get("reason", config.type),
        "success": bool(result.success), "unexpected_count": detail.get("unexpected_count"),
        "error": _error(result),
        "rows": [int(item[ROW]) for item in detail.get("unexpected_index_list") or [] if ROW in item],
    }


def _blocking(res: dict) -> str | None:
    """Why a failed critical result blocks the whole batch, or None when rejecting rows suffices."""
    if res["success"] or res["severity"] != "critical":
        return None
    if res["error"]:
        return f"{res['name']}: could not be evaluated ({res['error']})"
    if res["scope"] != "row":
        return f"{res['name']}: {res['reason']}"
    if not res["rows"] or len(set(res["rows"])) < (res["unexpected_count"] or 0):
        return f"{res['name']}: failing rows could not be identified"
    return None


def _raw(row: dict) -> str:
    """A record as JSON for the rejects table, long strings cut."""
    cut = {k: v[:RAW_TEXT_LIMIT] if isinstance(v, str) else v for k, v in row.items()}
    return json.dumps(cut, default=str, ensure_ascii=False)


def build_rejects(df: pl.DataFrame, results: list[dict], table_name: str, run_id: str) -> pl.DataFrame:
    """One reject per (row, failed row-level critical expectation), typed as the rejects table."""
    key = list(table(table_name).key)
    now = datetime.now(UTC).replace(tzinfo=None)
    records = []
    for res in results:
        if res["success"] or res["severity"] != "critical" or res["scope"] != "row":
            continue
        for nr in sorted(set(res["rows"])):
            row = df.row(nr, named=True)
            values = [row.get(k) for k in key]
            record_key = "|".join("" if v is None else str(v) for v in values)
            if all(v is None for v in values):
                record_key = f"{table_name}[{nr}] (no {'/'.join(key)})"  # key must not be null in rejects
            records.append({"record_kind": RECORD_KIND.get(table_name, table_name), "key": record_key,
                            "reason": res["reason"], "expectation": res["name"], "raw": _raw(row),
                            "run_id": run_id, "rejected_at": now})
    return pl.DataFrame(records, schema=table("rejects").schema)


def validate_table(df: pl.DataFrame, table_name: str, run_id: str, docs_dir: Path | None = None) -> ValidationOutcome:
    """Gate one batch of table_name; Data Docs go to docs_dir/<table_name>/ when docs_dir is given."""
    suite = load_suite(table_name)
    indexed = df.with_row_index(ROW)
    index_columns = [c for c in table(table_name).key if c in df.columns] + [ROW]
    site = Path(docs_dir) / table_name if docs_dir is not None else None
    pdf = indexed.to_pandas(use_pyarrow_extension_array=True)
    order = {e["meta"]["name"]: i for i, e in enumerate(suite["expectations"])}
    results = [summarise(r) for r in run_suite(pdf, suite, run_id, index_columns, site)]
    results.sort(key=lambda res: order.get(res["name"], len(order)))  # GE reorders; report in suite order
    rejects = build_rejects(df, results, table_name, run_id)
    bad = {nr for res in results if res["severity"] == "critical" and res["scope"] == "row" for nr in res["rows"]}
    good = indexed.filter(~pl.col(ROW).is_in(sorted(bad))).drop(ROW)
    failures = [reason for reason in map(_blocking, results) if reason]
    public = [{"table": table_name} | {k: v for k, v in res.items() if k != "rows"} for res in results]
    docs_index = site / "index.html" if site is not None and (site / "index.html").exists() else None
    return ValidationOutcome(table_name, good, rejects, public, bool(failures), docs_index, failures)
