"""One row per real event: merge the mentions of one article that report the same event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from transforms.coder import EventMention

_PRECISION_RANK = {"day": 0, "range": 1, "approximate": 2, "week": 3, "month": 4, "publication": 5}
_SLACK = timedelta(days=1)
_VISIT_SPAN = timedelta(days=7)  # a delegation's visit and its talks span several days


@dataclass
class EventCluster:
    """Mentions judged to report one event; the first is the event's provenance."""

    mentions: list[EventMention] = field(default_factory=list)

    @property
    def event_type(self) -> str:
        """Type shared by every mention."""
        return self.mentions[0].event_type

    @property
    def countries(self) -> set[str]:
        """Every actor country any mention names."""
        return {p.country for m in self.mentions for p in (m.actor1, m.actor2) if p and p.country}

    @property
    def dated(self) -> EventMention:
        """The mention with the most precise date."""
        return min(self.mentions, key=lambda m: (_PRECISION_RANK[m.when.precision], m.sentence_index))

    @property
    def placed(self) -> EventMention | None:
        """The mention with the most precise place."""
        placed = [m for m in self.mentions if m.place is not None]
        return min(placed, key=lambda m: (m.place.precision, m.sentence_index)) if placed else None

    @property
    def fatalities(self) -> int | None:
        """Killed on each side, added up across mentions ('nine soldiers' + 'ten insurgents'); the same side
        restated keeps its largest figure, and a side-less figure ('19 people') is a floor for the total."""
        values = [m.fatalities for m in self.mentions if m.fatalities is not None]
        if not values:
            return None
        sides: dict[str, int] = {}
        for mention in self.mentions:
            for count, who in mention.victim_groups:
                side = victim_side(who)
                sides[side] = max(sides.get(side, 0), count)
        generic = sides.pop("any", 0)
        return max(max(values), generic, sum(sides.values()))


_SIDES = {
    "forces": {"soldier", "troop", "serviceman", "servicemen", "personnel", "force", "officer", "guard", "police",
               "policeman", "policemen", "cop", "paramilitary", "army", "commando", "marine", "sailor", "pilot"},
    "armed_groups": {"militant", "insurgent", "rebel", "fighter", "terrorist", "gunman", "gunmen", "attacker",
                     "assailant", "jihadist", "extremist", "khwarij", "dissident", "separatist", "militiamen", "bandit"},
    "civilians": {"civilian", "villager", "resident", "child", "children", "woman", "women", "student", "protester",
                  "worker", "farmer", "passenger", "boy", "girl", "mother", "family"},
}


def victim_side(who: str | None) -> str:
    """Which side a victim phrase names: forces, armed_groups, civilians, or any (unknown)."""
    words = {w.rstrip("s") for w in (who or "").lower().split()} | set((who or "").lower().split())
    return next((side for side, nouns in _SIDES.items() if words & nouns), "any")


def _dates_compatible(a: EventMention, b: EventMention, window: timedelta) -> bool:
    if "publication" in (a.when.precision, b.when.precision):
        return True
    return a.when.first - window <= b.when.last and b.when.first - window <= a.when.last


def _places_compatible(a: EventMention, b: EventMention) -> tuple[bool, bool]:
    """(compatible, same named place)."""
    if a.place is None or b.place is None:
        return True, False
    if a.place.name == b.place.name:
        return True, True
    if a.place.country != b.place.country:
        return False, False
    return min(a.place.precision, b.place.precision) > 1 or a.place.precision != b.place.precision, False


def _fit(cluster: EventCluster, mention: EventMention) -> int | None:
    """How well a mention fits a cluster (higher is better), or None when it cannot be the same event."""
    if cluster.event_type != mention.event_type or any(_is_visit(m) for m in cluster.mentions) != _is_visit(mention):
        return None  # a visit and the talks held during it are separate events
    mine = {p.country for p in (mention.actor1, mention.actor2) if p and p.country}
    if not (mine & cluster.countries):
        return None
    score = 0
    if any(other.sentence_index == mention.sentence_index for other in cluster.mentions):
        return None  # one sentence's mentions of one type were split on purpose (dates, counterparts)
    for other in cluster.mentions:
        same_place_ok, same_place = _places_compatible(other, mention)
        window = _VISIT_SPAN if same_place and mention.event_type == "meeting" else _SLACK
        if not same_place_ok or not _dates_compatible(other, mention, window):
            return None
        if None not in (other.fatalities, mention.fatalities) and other.fatalities != mention.fatalities:
            if not _refers_back(mention.sentence):
                return None  # two different tolls in one article are usually two incidents
        score += 2 * same_place + (other.when.precision != "publication" and mention.when.first == other.when.first)
    return score


_DISTINCT_CUES = ("another", "separate", "elsewhere", "meanwhile", "second", "earlier", "similar", "previous", "latest")
_BACK_REFERENCES = ("the attack", "the strike", "the clash", "the incident", "the fighting", "those killed", "the dead",
                    "the assault", "the ambush", "the raid", "the blast", "the bombing", "the shelling", "'s attack", "’s attack")


def _refers_back(sentence: str) -> bool:
    """'four of those killed in the attack': the sentence returns to an event already reported."""
    lowered = sentence.lower()
    return any(cue in lowered for cue in _BACK_REFERENCES) and not any(f" {cue} " in f" {lowered} " for cue in _DISTINCT_CUES)


_VISIT_RULES = {"meet.verb_visit", "meet.noun_visit", "meet.noun_visit_trip"}


def _is_visit(mention: EventMention) -> bool:
    return bool(_VISIT_RULES & set(mention.provenance.get("trigger_rules", ())))


def merge_mentions(mentions: list[EventMention]) -> list[EventCluster]:
    """Group an article's mentions into events, in order of first mention."""
    clusters: list[EventCluster] = []
    for mention in mentions:
        fits = [(score, -i) for i, c in enumerate(clusters) if (score := _fit(c, mention)) is not None]
        if fits:
            best = max(fits)
            clusters[-best[1]].mentions.append(mention)
        else:
            clusters.append(EventCluster([mention]))
    return clusters
