"""Coded events as rows of the `events` and `mentions` tables (schemas/tables.toml)."""

from __future__ import annotations

import hashlib
import json
from datetime import date

from schemas.codebook import load_cameo
from transforms.actors import country_name
from transforms.articles import Article
from transforms.coder import CODER_VERSION, EventMention
from transforms.dedup import EventCluster
from transforms.roles import Participant

BACKGROUND_DAYS = 30  # FORMAT.md: events placed > 30 days before publication are background


def is_background(last_day: date, published: date | None) -> bool:
    """Whether the text places the event more than 30 days before publication (FORMAT.md: not scored)."""
    if published is None:
        return False
    return (published - last_day).days > BACKGROUND_DAYS


def hash_record(record: dict) -> str:
    """sha1 over sorted-key JSON: a stable, content-derived id."""
    return hashlib.sha1(json.dumps(record, sort_keys=True, default=str).encode("utf-8")).hexdigest()[:20]


def _actors(cluster: EventCluster) -> tuple:
    """Actor 1 and 2: from the best mention with both, topped up from the others."""
    ranked = sorted(cluster.mentions, key=lambda m: (-(m.actor1 is not None and m.actor2 is not None), -m.confidence))
    first = ranked[0]
    slots = [first.actor1, first.actor2]
    for mention in ranked[1:]:
        for actor in (mention.actor1, mention.actor2):
            known = {s.country for s in slots if s}
            if actor and actor.country not in known and None in slots:
                slots[slots.index(None)] = actor
    placed = cluster.placed
    host = placed.place.country if placed is not None else None
    if cluster.event_type == "military_incident" and slots[1] is None and slots[0] is not None \
            and host and host != slots[0].country:
        # 'Pakistani shelling killed three in Indian-controlled Kashmir', 'a drone strike killed 15 in Mali': no
        # target named, so the side hit is the country where it struck (filled per event, after merging, so it
        # cannot join two incidents together)
        slots[1] = Participant(country_name(host), host, None, -1)
    return slots[0], slots[1]


def _actor_columns(prefix: str, actor) -> dict:
    if actor is None:
        return {f"{prefix}_name": None, f"{prefix}_code": None, f"{prefix}_country": None}
    return {
        f"{prefix}_name": actor.text,
        f"{prefix}_code": (actor.country or "") + (actor.code_sector or "") or None,
        f"{prefix}_country": actor.country,
    }


def event_record(cluster: EventCluster, article: Article) -> dict:
    """One `events` row for a cluster of mentions of one article."""
    first, dated, placed = cluster.mentions[0], cluster.dated, cluster.placed
    cameo = load_cameo()[max(cluster.mentions, key=lambda m: m.confidence).cameo]
    actor1, actor2 = _actors(cluster)
    when = dated.when
    place = placed.place if placed else None
    record = {
        "article_id": article.article_id, "event_type": first.event_type, "cameo_code": cameo.code,
        "cameo_root": cameo.code[:2], "quad_class": cameo.quad_class, "goldstein": cameo.goldstein,
        "acled_event_type": cameo.acled_event_type, "acled_sub_event_type": cameo.acled_sub_event_type,
        "event_date": when.best, "date_first": when.first, "date_last": when.last, "date_precision": when.precision,
        **_actor_columns("actor1", actor1), **_actor_columns("actor2", actor2),
        "location": place.name if place else None, "admin1": place.admin1 if place else None,
        "location_country": place.country if place else None,
        "latitude": place.latitude if place else None, "longitude": place.longitude if place else None,
        "geo_precision": place.precision if place else None,
        "fatalities": cluster.fatalities if first.event_type == "military_incident" else None,
        "injuries": max((m.injuries for m in cluster.mentions if m.injuries is not None), default=None),
        "confidence": round(min(1.0, max(m.confidence for m in cluster.mentions) + 0.03 * (len(cluster.mentions) - 1)), 3),
        "background": is_background(when.last, article.published),
        "num_mentions": len(cluster.mentions), "num_sources": 1, "num_articles": 1, "first_article_id": article.article_id,
        "sentence": first.sentence, "char_start": first.char_start, "char_end": first.char_end, "trigger": first.trigger,
        "published": article.published, "coder_version": CODER_VERSION,
        "year": when.best.year, "month": when.best.month,
    }
    record["provenance"] = json.dumps(_provenance(cluster, dated, placed), sort_keys=True)
    identity = {k: record[k] for k in ("article_id", "event_type", "actor1_country", "actor2_country", "event_date", "location")}
    record["event_id"] = hash_record(identity | {"first_sentence": first.char_start})
    return record


def _provenance(cluster: EventCluster, dated: EventMention, placed: EventMention | None) -> dict:
    return {
        "trigger_rules": sorted({r for m in cluster.mentions for r in m.provenance.get("trigger_rules", [])}),
        "date": {"from": dated.when.source, "sentence_char_start": dated.char_start},
        "location": {"from": placed.place_text, "sentence_char_start": placed.char_start} if placed else None,
        "actors": cluster.mentions[0].provenance.get("actors"),
        "fatalities": [m.char_start for m in cluster.mentions if m.fatalities is not None],
    }


def mention_records(cluster: EventCluster, event_id: str, year: int, month: int) -> list[dict]:
    """`mentions` rows: one per sentence that reports the event."""
    return [
        {"event_id": event_id, "article_event_id": event_id, "article_id": m.article_id, "sentence_index": m.sentence_index,
         "char_start": m.char_start, "char_end": m.char_end, "sentence": m.sentence, "trigger": m.trigger,
         "confidence": round(m.confidence, 3), "year": year, "month": month}
        for m in cluster.mentions
    ]
