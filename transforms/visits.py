"""Several visits in one sentence ('his visit to New Delhi during his trips to Pakistan and Afghanistan'): one event
per destination country, each with the visitor and its host as sides."""

from __future__ import annotations

from typing import TYPE_CHECKING

from transforms.actors import country_name
from transforms.roles import Participant
from transforms.triggers import Trigger

if TYPE_CHECKING:
    from transforms.coder import EventMention
    from transforms.where import PlaceMention


def split_by_destination(triggers: list[Trigger], places: list[PlaceMention]
                         ) -> list[tuple[list[Trigger], PlaceMention | None]]:
    """'his visit to New Delhi during his trips to Pakistan and Afghanistan': visits to different countries are
    different events. Returns (triggers, destination) groups; other triggers join the first group, whose destination
    is left to the usual place rules."""
    own: list[tuple[Trigger, PlaceMention]] = []
    rest = []
    for trigger in triggers:
        spots = _own_destinations(trigger, places) if trigger.rule.cameo == "042" else []
        own += [(trigger, spot) for spot in spots]
        if not spots:
            rest.append(trigger)
    if len({spot.place.country for _, spot in own}) < 2:
        return [(triggers, None)]
    groups: dict[str, tuple[list[Trigger], PlaceMention]] = {}
    for trigger, spot in own:
        groups.setdefault(spot.place.country, ([], spot))[0].append(trigger)
    first = next(iter(groups.values()))
    first[0].extend(rest)
    return list(groups.values())


def visit_sides(mention: EventMention, host: str, other_hosts: set[str]) -> None:
    """One of several visits in a sentence: the visitor (a side that is no host of these visits) meets the host."""
    sides = [p for p in (mention.actor1, mention.actor2) if p is not None and p.country not in other_hosts]
    visitor = next((p for p in sides if p.country != host), None)
    if visitor is None:
        return
    met = next((p for p in sides if p.country == host), None)
    mention.actor1, mention.actor2 = visitor, met or Participant(country_name(host), host, "GOV", -1)


def _own_destinations(trigger: Trigger, places: list[PlaceMention]) -> list[PlaceMention]:
    """Places a visit trigger itself goes to: 'trip to X (and Y)', 'visited X (and Y)'."""
    anchor = trigger.anchor
    heads = [o for c in anchor.children if c.dep_ == "prep" and c.lower_ == "to" for o in c.children if o.dep_ == "pobj"]
    if anchor.pos_ == "VERB":
        heads += [c for c in anchor.children if c.dep_ == "dobj"]
    heads += [c for h in heads for c in h.conjuncts]
    by_token = {p.token.i: p for p in places}
    return [by_token[h.i] for h in heads if h.i in by_token]
