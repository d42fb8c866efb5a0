"""Merge reports of one event across articles in the lake: article_events -> events, mentions re-pointed.

Only clusters that gain a new report can change, so only those are rebuilt: the lake is read in narrow columns for
the new events' (type, country) blocks and date window, and full rows only for what is rewritten. Memory follows the
size of the touched clusters, not of the lake.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import polars as pl

from flows.lake import delete_keys, read_table
from schemas.tables import table
from transforms.clusters import cluster_ids, merge_events

# Reports merge within one day of each other; re-cluster a margin around the new ones so chains stay whole.
WINDOW_MARGIN = timedelta(days=3)
# what transforms.clusters reads to decide and summarise a merge
CLUSTER_FIELDS = ["event_id", "article_id", "event_type", "event_date", "published", "actor1_country",
                  "actor2_country", "location_country", "location", "geo_precision", "fatalities", "confidence",
                  "num_mentions"]
SUMMARY_FIELDS = ("event_id", "num_mentions", "num_articles", "num_sources", "first_article_id")
MENTION_KEY = ["article_event_id", "char_start"]


def _window(events: pl.DataFrame) -> tuple:
    return events["event_date"].min() - WINDOW_MARGIN, events["event_date"].max() + WINDOW_MARGIN


def _neighbours(new_events: pl.DataFrame) -> pl.Expr:
    """Article events that could share a cluster with a new one: its dates, types and actor countries (and the new
    events themselves, which may have no country)."""
    low, high = _window(new_events)
    countries = pl.concat([new_events["actor1_country"], new_events["actor2_country"]]).drop_nulls().unique()
    return (pl.col("event_id").is_in(new_events["event_id"].implode())
            | (pl.col("event_date").is_between(low, high)
               & pl.col("event_type").is_in(new_events["event_type"].unique().implode())
               & (pl.col("actor1_country").is_in(countries.implode())
                  | pl.col("actor2_country").is_in(countries.implode()))))


def recluster(new_events: pl.DataFrame, new_articles: pl.DataFrame, lake: Path) -> dict[str, pl.DataFrame]:
    """Merged `events` rows and re-pointed `mentions` for the clusters the new article-level events join.

    Call after the new rows are in `article_events`, under the lake lock. Also deletes merged events whose
    id no longer heads a cluster (a later report joined them to an earlier one).
    """
    if new_events.is_empty():
        return {"events": new_events.clear(), "mentions": pl.DataFrame(schema=table("mentions").schema)}
    near = read_table("article_events", lake, where=_neighbours(new_events), columns=CLUSTER_FIELDS).to_dicts()
    head_of = cluster_ids(near)
    touched_heads = {head_of[e] for e in new_events["event_id"]}
    # clusters are closed under membership, so merging only the touched ones gives the same clusters
    group = [e for e in near if head_of[e["event_id"]] in touched_heads]
    members_frame = pl.DataFrame({"event_id": [e["event_id"] for e in group]}, schema={"event_id": pl.String})
    article_ids = list({e["article_id"] for e in group})
    sources = dict(pl.concat([
        read_table("articles", lake, where=pl.col("article_id").is_in(article_ids), columns=["article_id", "source"]),
        new_articles.select("article_id", "source")]).iter_rows())
    merged = merge_events(group, sources, head_of)
    cluster_of = {member: row["event_id"] for row in merged for member in row["member_event_ids"]}
    events = _full_rows(merged, lake)
    # a former head now inside a larger cluster: its merged row goes
    delete_keys(members_frame.filter(~pl.col("event_id").is_in(list(set(cluster_of.values())))), "events", lake)
    return {"events": events, "mentions": _repointed_mentions(cluster_of, lake)}


def _full_rows(merged: list[dict], lake: Path) -> pl.DataFrame:
    """Each merged cluster as an `events` row: its most confident report's full row with the cluster's counts."""
    schema = table("events").schema
    if not merged:
        return pl.DataFrame(schema=schema)
    best = {row["best_event_id"]: row for row in merged}
    full = read_table("article_events", lake, where=pl.col("event_id").is_in(list(best)))
    rows = [record | {field: best[record["event_id"]][field] for field in SUMMARY_FIELDS} for record in full.to_dicts()]
    return pl.DataFrame(rows, schema=schema).sort("event_id")


def _repointed_mentions(cluster_of: dict[str, str], lake: Path) -> pl.DataFrame:
    """Full mentions rows of the touched clusters whose event_id is not yet their cluster's id."""
    heads = pl.DataFrame({"article_event_id": list(cluster_of), "head": list(cluster_of.values())},
                         schema={"article_event_id": pl.String, "head": pl.String})
    narrow = read_table("mentions", lake, where=pl.col("article_event_id").is_in(heads["article_event_id"].implode()),
                        columns=[*MENTION_KEY, "event_id"])
    stale = narrow.join(heads, on="article_event_id").filter(pl.col("event_id").ne_missing(pl.col("head")))
    if stale.is_empty():
        return pl.DataFrame(schema=table("mentions").schema)
    mentions = read_table("mentions", lake, where=pl.col("article_event_id").is_in(stale["article_event_id"].implode()))
    mentions = mentions.join(stale.select(MENTION_KEY), on=MENTION_KEY, how="semi")
    return mentions.with_columns(pl.col("article_event_id").replace_strict(cluster_of, default=None).alias("event_id"))
