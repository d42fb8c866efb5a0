"""One row per real event across articles: reports of the same event by several articles and outlets merge,
GDELT-style (num_mentions, num_articles, num_sources), and the merge is reversible (every member is kept)."""

from __future__ import annotations

from bisect import insort
from collections import defaultdict
from datetime import date, timedelta

_WINDOW = timedelta(days=1)


def _countries(event: dict) -> set[str]:
    return {c for c in (event.get("actor1_country"), event.get("actor2_country")) if c}


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def same_event(a: dict, b: dict) -> bool:
    """Whether two article-level events of different articles report one real event."""
    if a["article_id"] == b["article_id"] or a["event_type"] != b["event_type"]:
        return False
    if abs(_as_date(a["event_date"]) - _as_date(b["event_date"])) > _WINDOW or not (_countries(a) & _countries(b)):
        return False
    if a.get("location_country") and b.get("location_country") and a["location_country"] != b["location_country"]:
        return False
    if a["event_type"] == "military_incident":
        fa, fb = a.get("fatalities"), b.get("fatalities")
        if fa is not None and fb is not None and max(fa, fb) > 2 * max(1, min(fa, fb)):
            return False  # 3 and 40 killed are two incidents; 19 and 21 are one, reported twice
        if a.get("location") and b.get("location") and a["location"] != b["location"] and a.get("geo_precision") == b.get("geo_precision") == 1:
            return False
    return True


def _find(parent: dict[str, str], key: str) -> str:
    while parent[key] != key:
        parent[key] = parent[parent[key]]
        key = parent[key]
    return key


def _link_block(group: list[dict], parent: dict[str, str]) -> None:
    """Join the block's reports of one event, in date order.

    Each report is compared with the earlier reports in its date window cluster by cluster, newest first, and a
    cluster is left at its first match: a story retold by a thousand outlets costs one comparison per new report,
    not a thousand. Joins are the same as comparing every pair in the window (a match with any member joins the
    cluster)."""
    group.sort(key=lambda e: (_as_date(e["event_date"]), e["event_id"]))
    live: dict[str, list[tuple[date, str, dict]]] = {}  # cluster id -> its reports in the window, by date
    for b in group:
        day = _as_date(b["event_date"])
        for key in list(live):
            if key not in live:
                continue
            if day - live[key][-1][0] > _WINDOW:
                del live[key]  # the cluster's newest report is out of reach: so are the others
            elif (root := _find(parent, key)) != key:
                _absorb(live, key, root)  # joined meanwhile (here or in another block)
        for root in list(live):
            own = _find(parent, b["event_id"])
            if _find(parent, root) == own:
                continue
            for reported, _, a in reversed(live[root]):
                if day - reported > _WINDOW:
                    break
                if same_event(a, b):
                    parent[max(root, own)] = min(root, own)
                    break
        insort(live.setdefault(_find(parent, b["event_id"]), []), (day, b["event_id"], b))


def _absorb(live: dict[str, list], key: str, root: str) -> None:
    """Move the reports listed under key to root's list, keeping date order (the shorter list is inserted)."""
    moved, kept = live.pop(key), live.get(root)
    if kept is None:
        live[root] = moved
        return
    if len(moved) > len(kept):
        moved, kept = kept, moved
    for item in moved:
        insort(kept, item)
    live[root] = kept


def cluster_ids(events: list[dict]) -> dict[str, str]:
    """Article-level event_id -> cluster id (the smallest member id, so arrival order does not matter).

    Two reports can only merge when they share an event type and an actor country, so they are compared within
    (type, country) blocks, in date order, up to the date window: a day of world news has thousands of events,
    but few of them of one type involve one country."""
    parent = {e["event_id"]: e["event_id"] for e in events}
    blocks: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for event in events:
        for country in _countries(event):
            blocks[(event["event_type"], country)].append(event)
    for group in blocks.values():
        _link_block(group, parent)
    return {key: _find(parent, key) for key in parent}


def merge_events(events: list[dict], sources: dict[str, str | None], ids: dict[str, str] | None = None) -> list[dict]:
    """One row per cluster: the most confident member's fields (and its id as best_event_id), summed mentions,
    counted articles and outlets.

    Args:
        events: article-level event rows (the `events` table columns).
        sources: article_id -> outlet name, for num_sources.
        ids: cluster_ids(events), when the caller has it already.
    """
    ids = cluster_ids(events) if ids is None else ids
    members: dict[str, list[dict]] = defaultdict(list)
    for event in events:
        members[ids[event["event_id"]]].append(event)
    merged = []
    for cluster_id, group in sorted(members.items()):
        best = max(group, key=lambda e: (e["confidence"], -_as_date(e["published"] or e["event_date"]).toordinal(), e["event_id"]))
        first = min(group, key=lambda e: (_as_date(e["published"] or e["event_date"]), e["event_id"]))
        row = dict(best)
        row["best_event_id"] = best["event_id"]
        row["event_id"] = cluster_id
        row["num_mentions"] = sum(e["num_mentions"] for e in group)
        row["num_articles"] = len({e["article_id"] for e in group})
        row["num_sources"] = len({sources.get(e["article_id"]) or e["article_id"] for e in group})
        row["first_article_id"] = first["article_id"]
        row["member_event_ids"] = sorted(e["event_id"] for e in group)
        merged.append(row)
    return merged
