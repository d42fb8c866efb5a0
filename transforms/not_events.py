"""What looks like a political event but is not: contacts between private parties, statistics, generic verbs.

Learned from hard negatives (data/general: strikes at factories, talks with unions, shares that were hit); each
check is general English usage, not a list of sentences.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from schemas.codebook import load_cues
from transforms.triggers import Trigger
from transforms.when import SentenceDates, resolve_date
from transforms.where import PLACE_LABELS, PLACE_NOUNS

if TYPE_CHECKING:
    from transforms.coder import ArticleContext, EventMention

GENERIC_VIOLENCE_LEMMAS = {"hit", "kill", "die"}  # also said of shares, storms, games and the sick


def idle_generic_incident(mention: EventMention, triggers: list[Trigger]) -> bool:
    """'Shares were hit', 'killed off the game', 'died': an incident resting only on a generic verb, with no attacker,
    nobody killed or hurt by number, is too weak to code (a real report names a side or a toll)."""
    return (mention.event_type == "military_incident" and mention.actor1 is None and mention.fatalities is None
            and mention.injuries is None
            and all(len(t.span) == 1 and t.anchor.lemma_.lower() in GENERIC_VIOLENCE_LEMMAS for t in triggers))


_QUARREL_PREPS = {"over", "about"}
_GROUND = PLACE_NOUNS | {"control", "territory"}  # 'clashed over control of the airport' is a fight for ground


def verbal_clash(trigger: Trigger) -> bool:
    """'Israel and Hamas clashed over the ceasefire terms', 'clashes about the budget': a quarrel, not a fight. After
    'over' a place is where they fought ('clashed over the border', 'over Donetsk'), or what they fought for ('over
    control of the airport')."""
    if trigger.rule.id != "mil.clash":
        return False
    for prep in trigger.anchor.children:
        if prep.dep_ == "prep" and prep.lower_ in _QUARREL_PREPS:
            topic = next((c for c in prep.children if c.dep_ == "pobj"), None)
            if topic is not None and topic.ent_type_ not in PLACE_LABELS and topic.lemma_.lower() not in _GROUND:
                return True
    return False


def undated_progressive(trigger: Trigger, found: SentenceDates, published: date) -> bool:
    """'Trump is also meeting with Xi in Buenos Aires': 'is meeting' with no date of its own announces a meeting
    (news says 'met' for one that happened); 'is meeting X on Thursday' has its date and stays, and 'are
    negotiating in Belgrade' is an activity under way."""
    anchor = trigger.anchor
    return (anchor.lemma_ == "meet" and anchor.tag_ == "VBG" and anchor.dep_ != "relcl"
            and any(c.dep_ == "aux" and c.lower_ in ("is", "are", "am", "'s", "'re") for c in anchor.children)
            and resolve_date(anchor, found, published).precision == "publication")


def cyber_attack(trigger: Trigger) -> bool:
    """'The bank was hit by a Russian cyber attack', 'hackers attacked the ministry': no armed incident."""
    if trigger.event_type != "military_incident":
        return False
    words = set(load_cues()["cyber_words"])
    return any(t.lower_ in words for t in trigger.anchor.subtree) or any(
        c.lower_ in words for c in trigger.anchor.head.children if c.dep_ in ("nsubj", "amod", "compound"))


def counted_trend(trigger: Trigger) -> bool:
    """'Visits from the US rose 20 percent', 'attacks fell': a count going up or down is a statistic, not an event."""
    anchor = trigger.anchor
    return (anchor.pos_ == "NOUN" and anchor.dep_ in ("nsubj", "nsubjpass")
            and anchor.head.lemma_.lower() in set(load_cues()["trend_verbs"]))


def private_contact(trigger: Trigger, context: ArticleContext) -> bool:
    """'The company was in talks with the union', 'meetings with parents': a contact whose named party is a firm,
    a union or members of the public is not a political meeting or call (unless that word is part of an actor's name)."""
    if trigger.event_type not in ("meeting", "phone_call"):
        return False
    private = set(load_cues()["private_parties"])
    anchor = trigger.anchor
    heads = [anchor]
    if anchor.dep_ in ("pobj", "dobj", "attr") and anchor.head.pos_ in ("ADP", "VERB", "AUX"):
        heads.append(anchor.head.head if anchor.dep_ == "pobj" else anchor.head)  # 'was in talks', 'held talks'
    if anchor.dep_ == "conj" and anchor.pos_ == "VERB" and not any(c.dep_ == "nsubj" for c in anchor.children):
        heads.append(anchor.head)  # 'Apple's chief executive visited China and met the minister': a shared subject
    parties = [c for h in heads for c in h.children if c.dep_ in ("nsubj", "nsubjpass", "poss", "dobj")]
    parties += [o for c in anchor.children if c.dep_ == "prep" and c.lower_ in ("with", "between") for o in c.children
                if o.dep_ == "pobj"]
    named = {i for m in context.mentions for i in range(m.start, m.end)}
    return any(p.lemma_.lower() in private or p.lower_ in private for p in parties if p.i not in named)
