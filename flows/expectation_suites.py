"""Generate the Great Expectations suites in expectations/ from schemas/tables.toml.

Run `python -m flows.expectation_suites` after changing tables.toml or the rules below; the
JSON files are committed so every change to the quality gate shows up in review.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from schemas.tables import Table, table

SUITE_DIR = Path(__file__).resolve().parent.parent / "expectations"
SUITE_TABLES = ("articles", "events")
MIN_EVENT_DATE = "1979-01-01"  # start of the CAMEO-era datasets; anything earlier is a parse error

# CAMEO codes each of our event types may carry; the prefixes are disjoint across types, so
# checking type -> code also rules out a code that belongs to another type.
CAMEO_BY_TYPE = {
    "meeting": (r"^04\d{1,2}$", "04x"),
    "phone_call": (r"^041$", "041"),
    "military_incident": (r"^(?:18|19|20)\d{1,2}$", "18x, 19x or 20x"),
}


def expectation(
    kind: str, kwargs: dict, *, name: str, reason: str, severity: str = "critical", scope: str = "row"
) -> dict:
    """One expectation as GE 1.x configuration JSON; scope "row" rejects rows, "batch" blocks the batch."""
    meta = {"name": name, "severity": severity, "scope": scope, "reason": reason}
    return {"type": f"expect_{kind}", "kwargs": kwargs, "severity": severity, "meta": meta}


def when(column: str, op: str, value: object) -> dict:
    """A GE 1.x row condition (`column op value`) in its serialised form."""
    return {"type": "comparison", "column": {"name": column}, "operator": op, "parameter": value}


def schema_expectations(spec: Table) -> list[dict]:
    """Expectations every declared table gets: columns exist, not-null, allowed values, unique key."""
    out = []
    for col in spec.columns:
        out.append(expectation("column_to_exist", {"column": col.name}, name=f"{col.name}.exists",
                               reason=f"column {col.name} must be present", scope="batch"))
    for col in spec.columns:
        if not col.nullable:
            out.append(expectation("column_values_to_not_be_null", {"column": col.name},
                                   name=f"{col.name}.not_null", reason=f"{col.name} must not be null"))
        if col.allowed is not None:
            shown = ", ".join(str(v) for v in col.allowed)
            out.append(expectation("column_values_to_be_in_set",
                                   {"column": col.name, "value_set": list(col.allowed)},
                                   name=f"{col.name}.allowed", reason=f"{col.name} must be one of {shown}"))
    key = list(spec.key)
    if len(key) == 1:
        kind, kwargs = "column_values_to_be_unique", {"column": key[0]}
    else:
        kind, kwargs = "compound_columns_to_be_unique", {"column_list": key}
    out.append(expectation(kind, kwargs, name="key.unique", scope="batch",
                           reason=f"{' + '.join(key)} must be unique in the batch"))
    return out


def _between(column: str, name: str, reason: str, severity: str = "critical", **bounds: object) -> dict:
    """expect_column_values_to_be_between with the given bounds (nulls are not checked)."""
    return expectation("column_values_to_be_between", {"column": column, **bounds},
                       name=name, reason=reason, severity=severity)


def _not_after(column_a: str, column_b: str, name: str, reason: str) -> dict:
    """column_a <= column_b on rows where both are present."""
    kwargs = {"column_A": column_b, "column_B": column_a, "or_equal": True,
              "ignore_row_if": "either_value_is_missing"}
    return expectation("column_pair_values_a_to_be_greater_than_b", kwargs, name=name, reason=reason)


def event_rules() -> list[dict]:
    """Semantic rules for coded events: CAMEO codes, dates, casualties, coordinates, confidence."""
    rules = [
        expectation("column_values_to_match_regex", {"column": "cameo_code", "regex": r"^\d{3,4}$"},
                    name="cameo_code.format", reason="cameo_code must be 3 or 4 digits"),
        expectation("column_values_to_match_regex", {"column": "cameo_root", "regex": r"^\d{2}$"},
                    name="cameo_root.format", reason="cameo_root must be 2 digits"),
    ]
    for event_type, (regex, shown) in CAMEO_BY_TYPE.items():
        kwargs = {"column": "cameo_code", "regex": regex, "row_condition": when("event_type", "==", event_type)}
        rules.append(expectation("column_values_to_match_regex", kwargs, name=f"cameo_code.{event_type}",
                                 reason=f"cameo_code of a {event_type} must be {shown}"))
    rules += [
        _between("confidence", "confidence.range", "confidence must be between 0 and 1", min_value=0, max_value=1),
        _between("goldstein", "goldstein.range", "goldstein must be between -10 and 10", min_value=-10, max_value=10),
        _between("event_date", "event_date.min", f"event_date must be on or after {MIN_EVENT_DATE}",
                 min_value=MIN_EVENT_DATE),
        _not_after("event_date", "published", "event_date.not_after_published",
                   "event_date must not be after the publication date"),
        _not_after("date_first", "event_date", "date_first.not_after_event_date",
                   "date_first must not be after event_date"),
        _not_after("event_date", "date_last", "date_last.not_before_event_date",
                   "date_last must not be before event_date"),
        _not_after("char_start", "char_end", "char_start.not_after_char_end", "char_start must not be after char_end"),
        _between("fatalities", "fatalities.non_negative", "fatalities must be >= 0", min_value=0),
        expectation("column_values_to_be_in_set",
                    {"column": "fatalities", "value_set": [0],
                     "row_condition": when("event_type", "!=", "military_incident")},
                    name="fatalities.only_military",
                    reason="fatalities must be null or 0 unless the event is a military_incident"),
        _between("injuries", "injuries.non_negative", "injuries must be >= 0", min_value=0),
        _between("num_mentions", "num_mentions.positive", "num_mentions must be >= 1", min_value=1),
        _between("latitude", "latitude.range", "latitude must be between -90 and 90", "warning",
                 min_value=-90, max_value=90),
        _between("longitude", "longitude.range", "longitude must be between -180 and 180", "warning",
                 min_value=-180, max_value=180),
    ]
    return rules


def article_rules() -> list[dict]:
    """Semantic rules for ingested articles."""
    return [
        _between("text_chars", "text_chars.positive", "text_chars must be > 0", min_value=0, strict_min=True),
        _between("n_events", "n_events.non_negative", "n_events must be >= 0", min_value=0),
        expectation("column_values_to_not_be_null", {"column": "published"}, name="published.not_null",
                    reason="published should be known", severity="warning"),
    ]


_RULES = {"events": event_rules, "articles": article_rules}


def build_suite(table_name: str) -> dict:
    """The suite for table_name as a JSON-ready dict (deterministic: no ids, no timestamps)."""
    spec = table(table_name)
    expectations = schema_expectations(spec) + _RULES.get(table_name, list)()
    names = [e["meta"]["name"] for e in expectations]
    if len(names) != len(set(names)):
        raise ValueError(f"duplicate expectation names in suite {table_name}")
    meta = {"generated_by": "flows.expectation_suites", "generated_from": "schemas/tables.toml",
            "key": list(spec.key)}
    return {"name": table_name, "meta": meta, "expectations": expectations}


def suite_text(table_name: str) -> str:
    """The suite as it is written to disk."""
    return json.dumps(build_suite(table_name), indent=2, ensure_ascii=False) + "\n"


def suite_path(table_name: str) -> Path:
    """Where the committed suite for table_name lives."""
    return SUITE_DIR / f"{table_name}.json"


def write_suites(directory: Path = SUITE_DIR) -> list[Path]:
    """Rewrite every suite file; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in SUITE_TABLES:
        path = directory / f"{name}.json"
        path.write_text(suite_text(name), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> int:
    """CLI entry point: regenerate the suites."""
    for path in write_suites():
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
