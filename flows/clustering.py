"""Merge reports of one event across articles in the lake: article_events -> events, mentions re-pointed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import polars as pl

from flows.lake import delete_keys, read_table
from schemas.tables import table
from transforms.clusters import merge_events

# Reports merge within one day of each other; re-cluster a margin around the new ones so chains stay whole.
WINDOW_MARGIN = timedelta(days=3)


def _window(events: pl.DataFrame) -> tuple:
    return events["event_date"].min() - WINDOW_MARGIN, events["event_date"].max() + WINDOW_MARGIN


def recluster(new_events: pl.DataFrame, new_articles: pl.DataFrame, lake: Path) -> dict[str, pl.DataFrame]:
    """Merged `events` rows and re-pointed `mentions` for the dates the new article-level events touch.

    Call after the new rows are in `article_events`, under the lake lock. Also deletes merged events whose
    id no longer heads a cluster (a later report joined them to an earlier one).
    """
    if new_events.is_empty():
        return {"events": new_events.clear(), "mentions": pl.DataFrame(schema=table("mentions").schema)}
    low, high = _window(new_events)
    members = read_table("article_events", lake, where=pl.col("event_date").is_between(low, high))
    member_articles = members["article_id"].unique().to_list()
    sources = dict(pl.concat([read_table("articles", lake, where=pl.col("article_id").is_in(member_articles))
                              .select("article_id", "source"), new_articles.select("article_id", "source")]).iter_rows())
    merged = merge_events(members.to_dicts(), sources)
    cluster_of = {member: row["event_id"] for row in merged for member in row.pop("member_event_ids")}
    events = pl.DataFrame(merged, schema=table("events").schema) if merged else members.clear()
    stale = read_table("events", lake, where=pl.col("event_date").is_between(low, high))
    stale = stale.filter(~pl.col("event_id").is_in(list(cluster_of.values()))).select("event_id")
    delete_keys(stale, "events", lake)
    mentions = read_table("mentions", lake, where=pl.col("article_event_id").is_in(list(cluster_of)))
    mentions = mentions.with_columns(pl.col("article_event_id").replace_strict(cluster_of, default=None).alias("event_id"))
    return {"events": events, "mentions": mentions}
