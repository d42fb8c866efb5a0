"""Violent events: toll, attacker and target of a military-incident mention, and what is no incident after all."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from spacy.tokens import Span, Token

from schemas.codebook import load_cues
from transforms.actors import ActorMention, country_name
from transforms.fatalities import find_casualties, total_injured, total_killed
from transforms.roles import Participant, ancestors_path, attack_roles, generic_sector, np_head

if TYPE_CHECKING:  # the coder imports this module; its types are only annotations here
    from transforms.coder import ArticleContext, EventMention
    from transforms.triggers import Trigger


def weapon_cameo(sent: Span) -> str | None:
    """CAMEO code of the weapon the sentence names (air strike 195, shelling 194, bomb 183, guns 193), if any."""
    lowered = sent.text.lower()
    for pattern, cameo in _weapon_patterns():
        if pattern.search(lowered):
            return cameo
    return None


@cache
def _weapon_patterns() -> list[tuple[re.Pattern, str]]:
    """Whole words only: 'ied' is a roadside bomb, not the end of 'carried' or 'denied'."""
    return [(re.compile(r"\b(?:" + "|".join(re.escape(w) for w in group["words"]) + r")\b"), group["cameo"])
            for group in load_cues()["weapon_cameo"]]


def _accident_or_crime(anchor: Token) -> bool:
    """'A jet crashed ..., killing both pilots' (the killing follows an accident); 'arrested two men for killing a
    shopkeeper', 'accused of killing' (a crime before a court, not an armed incident)."""
    cues = load_cues()
    head = anchor.head
    if anchor.dep_ in ("advcl", "conj", "xcomp") and head.lemma_.lower() in cues["disaster_words"]:
        return True
    return (anchor.dep_ in ("pcomp", "pobj") and head.lower_ in ("for", "of", "over")
            and head.head.lemma_.lower() in cues["legal_verbs"])


def code_violence(mention: EventMention, triggers: list[Trigger], sent: Span, context: ArticleContext,
                  rivals: list = ()) -> bool:
    """Fill toll, attacker and target of a military-incident mention; False when it is no incident after all.
    rivals: the triggers of other incidents in the sentence (another date); a toll nearer to one of them is its."""
    crowd = set(load_cues()["crowd_words"])
    scuffle = all(t.rule.id in ("mil.clash", "mil.attack", "mil.fight", "mil.kill") for t in triggers) \
        and any(t.rule.id != "mil.kill" for t in triggers)  # 'clashed with protesters, killing two' too
    if scuffle and any(t.lower_ in crowd for t in sent) and weapon_cameo(sent) is None:
        return False  # police clashing with protesters is a protest or riot; a drone strike on protesters is not
    casualties = _own_casualties(find_casualties(sent.text), triggers, rivals, sent)
    only_kill_words = all(t.rule.id == "mil.kill" for t in triggers)
    if only_kill_words and casualties and all(c.disaster or c.cumulative for c in casualties):
        return False
    if only_kill_words and any(_running_toll(t.anchor) or _accident_or_crime(t.anchor) for t in triggers):
        return False
    mention.fatalities = total_killed(casualties)
    mention.victim_groups = [(c.count, c.who) for c in casualties if c.kind == "killed" and not (c.cumulative or c.disaster)]
    mention.injuries = total_injured(casualties)
    attackers, targets = attack_roles([t.anchor for t in triggers], sent, context.mentions)
    fallback = mention.place.country if mention.place else (context.countries[0] if context.countries else None)
    if not attackers or attackers[0].country is None:
        # 'X said it struck ...', 'X said its drones struck ...': the speaker is the side that struck
        attackers = _speaker_as_attacker(triggers, sent, context.mentions) or attackers
    if not attackers and context.attackers and any(_further(t.anchor) for t in triggers):
        attackers = [context.attackers[-1]]  # 'Another air strike killed two': the side that struck before
    place = mention.place.country if mention.place else None
    if targets and targets[0].country is None:
        # 'Pakistan's military said two of its soldiers were killed': the speaker's own side was hit
        owner = _speaker_of_possessive(sent.doc[targets[0].token_i], sent, context.mentions)
        if owner is not None:
            hit = targets[0]
            targets[0] = Participant(f"{hit.text} ({country_name(owner)})", owner, hit.code_sector, hit.token_i)
    mention.actor1 = _with_country(attackers[0], fallback, attacker=True, place=place) if attackers else None
    mention.actor2 = _with_country(targets[0], fallback, place=place) if targets else None
    others = [a for a in attackers[1:] if a.country and mention.actor1 and a.country != mention.actor1.country]
    if mention.actor2 is None and others:
        mention.actor2 = others[0]  # 'Indian and Chinese troops clashed': both sides fought
    if mention.actor1 is None and mention.actor2 is None:
        if fallback is None:
            return False
        mention.actor2 = Participant(country_name(fallback), fallback, None, -1)
        mention.confidence *= 0.8
    mention.provenance["actors"] = "sentence roles"
    if mention.actor1 is not None and mention.actor1.country:
        context.attackers.append(mention.actor1)
    return True


_FURTHER = {"another", "further", "second", "third", "fresh", "renewed", "new", "more"}


def _further(anchor: Token) -> bool:
    """'another air strike', 'a second attack', 'fresh shelling': one more of what the article reported."""
    return any(c.dep_ in ("det", "amod") and c.lower_ in _FURTHER for c in anchor.children)


def _own_casualties(casualties: list, triggers: list[Trigger], rivals: list, sent: Span) -> list:
    """'killed five soldiers in an attack in Mali on Monday and 12 in a separate attack in Niger on Tuesday': each
    incident keeps the figures nearest to its own words."""
    if not rivals:
        return casualties
    ours = [t.anchor.idx - sent.start_char for t in triggers]
    theirs = [r.idx - sent.start_char for r in rivals]
    return [c for c in casualties
            if min(abs(c.start - p) for p in ours) <= min(abs(c.start - p) for p in theirs)]


_TOLL_SUBJECTS = {"it", "war", "conflict", "fighting", "violence", "crisis", "insurgency", "clashes", "hostilities"}


def _running_toll(anchor) -> bool:
    """'It has killed more than 13,000 people': a war's running toll in the present perfect, not one event."""
    perfect = any(c.dep_ == "aux" and c.lower_ in ("has", "have") for c in anchor.children)
    active = not any(c.dep_ == "auxpass" for c in anchor.children)
    subject = next((c for c in anchor.children if c.dep_ == "nsubj"), None)
    return perfect and active and subject is not None and subject.lower_ in _TOLL_SUBJECTS


_SPEAKER_PRONOUNS = {"it", "they", "we"}
_SPEAKER_POSSESSIVES = {"its", "their", "our"}


def _speaker_as_attacker(triggers, sent: Span, mentions: list[ActorMention]) -> list[Participant]:
    """'The Israeli army said it struck ...', '... said its jets struck ...', 'the Houthis claimed responsibility for an
    attack': the speaker did it."""
    for trigger in triggers:
        anchor = trigger.anchor
        pronoun = any(c.dep_ == "nsubj" and (c.lower_ in _SPEAKER_PRONOUNS or any(
            g.dep_ == "poss" and g.lower_ in _SPEAKER_POSSESSIVES for g in c.children)) for c in anchor.children)
        claim = next((t for t in ancestors_path(anchor)[1:] if t.lemma_ == "claim"), None)
        speaker_verb = claim if claim is not None else (anchor.head if pronoun else None)
        subject = next((c for c in speaker_verb.children if c.dep_ == "nsubj"), None) if speaker_verb is not None else None
        if subject is None:
            continue
        phrase = {t.i for t in subject.subtree}
        found = [m for m in mentions if sent.start <= m.start < sent.end and m.start in phrase]
        if found:
            m = found[-1]  # 'Yemen's Houthis': the group, not the possessor
            return [Participant(m.canonical_name, m.ref.country, m.sector, m.start)]
        if claim is not None and subject.lemma_.lower() in _GROUP_NOUNS:
            group = _article_armed_group(mentions)  # 'the terror organization claimed responsibility for the attack'
            if group is not None:
                return [group]
        if generic_sector(subject) in ("MIL", "COP", "REB"):  # 'The army said it had killed 40 fighters'
            return [Participant(subject.text, None, generic_sector(subject), subject.i)]
    return []


_GROUP_NOUNS = {"group", "organization", "organisation", "movement", "outfit", "militia", "network", "faction"}


def _article_armed_group(mentions: list[ActorMention]) -> Participant | None:
    """The armed group the article names most (first named on a tie): who 'the group' is when it claims an attack."""
    groups = [m for m in mentions if m.sector == "REB" and m.ref.kind == "entity"]
    if not groups:
        return None
    counts: dict[str, int] = {}
    for m in groups:
        counts[m.canonical_name] = counts.get(m.canonical_name, 0) + 1
    top = max(groups, key=lambda m: (counts[m.canonical_name], -m.start))
    return Participant(top.canonical_name, top.ref.country, top.sector, top.start)


def _speaker_of_possessive(victim, sent: Span, mentions: list[ActorMention]) -> str | None:
    """The country of the speaker whose 'its'/'their'/'our' owns a victim phrase ('two of its soldiers', 'our
    troops'), from the subject of the reporting verb above it."""
    phrase = np_head(victim)
    owned = any(c.dep_ == "poss" and c.lower_ in _SPEAKER_POSSESSIVES for t in (victim, phrase) for c in t.children)
    if not owned:
        return None
    reporting = next((t for t in ancestors_path(phrase)[1:] if t.lemma_ in load_cues()["report_verbs"]), None)
    subject = next((c for c in reporting.children if c.dep_ == "nsubj"), None) if reporting is not None else None
    if subject is None:
        return None
    said_by = {t.i for t in subject.subtree}
    countries = [m.ref.country for m in mentions if m.start in said_by]
    return countries[0] if countries else None


# a missile or a warplane is often fired from another country: where it struck says nothing of who fired it
_REMOTE_WEAPONS = {"jet", "jets", "warplane", "warplanes", "artillery", "drone", "drones", "missile", "missiles",
                   "aircraft", "rocket", "rockets", "shell", "shells"}


def _with_country(participant: Participant, fallback: str | None, attacker: bool = False,
                  place: str | None = None) -> Participant:
    """A generic participant ('gunmen', 'civilians') takes the country of the place, except a remote weapon as the
    attacker; a group that fights in many countries (cues transnational_groups: the Islamic State, al-Qaeda) counts
    for the country where it fought (FORMAT.md: armed groups count for the country they operate in)."""
    if place and participant.country and participant.text in load_cues()["transnational_groups"]:
        return Participant(participant.text, place, participant.code_sector, participant.token_i)
    if participant.country or fallback is None or (attacker and participant.text.lower() in _REMOTE_WEAPONS):
        return participant
    return Participant(f"{participant.text} ({country_name(fallback)})", fallback, participant.code_sector, participant.token_i)
