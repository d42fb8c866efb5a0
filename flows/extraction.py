"""Extract events from input files without Prefect or writing anything (for `eventpipe extract` and `evaluate`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from flows.sources import SourceReject, iter_inputs
from transforms.articles import Article
from transforms.extract import extract_events


def _json_default(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def event_lines(path: Path) -> Iterator[str]:
    """One JSON line per coded event of the articles in path."""
    articles = [item for item in iter_inputs(path) if isinstance(item, Article)]
    for result in extract_events(articles):
        for event in result.events:
            yield json.dumps(event, default=_json_default, ensure_ascii=False)


def extract_records(path: Path) -> tuple[list[dict], list[SourceReject]]:
    """Event rows (dates as ISO strings) and input rejects for the articles in path."""
    items = list(iter_inputs(path))
    articles = [i for i in items if isinstance(i, Article)]
    rejects = [i for i in items if isinstance(i, SourceReject)]
    events = [json.loads(json.dumps(e, default=_json_default)) for r in extract_events(articles) for e in r.events]
    return events, rejects
