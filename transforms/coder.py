"""The event coder: one parsed article in, event mentions (one per sentence and event type) out."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from spacy.tokens import Doc, Span, Token

from schemas.codebook import load_cues, rules_version
from transforms.actors import (
    SECTOR_NOUNS,
    ActorMention,
    country_name,
    country_salience,
    find_actor_mentions,
)
from transforms.articles import Article
from transforms.fatalities import find_casualties
from transforms.modality import realis
from transforms.not_events import (
    counted_trend,
    cyber_attack,
    idle_generic_incident,
    private_contact,
    undated_progressive,
    verbal_clash,
)
from transforms.places import Place, resolve_place
from transforms.roles import (
    Participant,
    argument_of_rival,
    ancestors_path,
    is_location_phrase,
    is_topic_phrase,
    participants,
)
from transforms.triggers import Trigger, find_triggers
from transforms.violence import code_violence, weapon_cameo
from transforms.visits import split_by_destination, visit_sides
from transforms.when import EventDate, resolve_date, sentence_dates
from transforms.where import event_place, sentence_places

CODER_VERSION = f"eventpipe-coder/0.4 ({rules_version()})"  # 0.4: session 4's rules; the data hash tracks every edit
HUMAN_NOUNS = set().union(*SECTOR_NOUNS.values()) | {"counterpart", "counterparts", "two", "both", "sides", "team", "teams", "head", "heads", "chief", "chiefs", "member", "members", "negotiator", "negotiators", "party", "parties", "group"}
_PHONE_NEAR = 4  # tokens: "held talks by phone" is a call, not also a meeting


@dataclass
class EventMention:
    """One sentence's report of one event, with every field's provenance."""

    article_id: str
    sentence_index: int
    sentence: str
    char_start: int
    char_end: int
    event_type: str
    cameo: str
    trigger: str
    confidence: float
    when: EventDate
    actor1: Participant | None = None
    actor2: Participant | None = None
    place: Place | None = None
    place_text: str | None = None
    fatalities: int | None = None
    injuries: int | None = None
    provenance: dict = field(default_factory=dict)
    victim_groups: list = field(default_factory=list)  # (killed, who) per casualty phrase, to add up both sides
    also_with: Participant | None = None  # second counterpart of a call with two coordinated counterparts


@dataclass(frozen=True)
class ArticleContext:
    """What the whole article says, for sentences that say only 'the two leaders'."""

    article: Article
    published: date
    mentions: list[ActorMention]
    countries: list[str]
    dateline_place: Place | None
    places: list = field(default_factory=list)  # locative places of every sentence, for events whose sentence names none
    attackers: list = field(default_factory=list)  # attackers of the incidents coded so far, for 'another strike'


def code_article(article: Article, doc: Doc) -> tuple[list[EventMention], ArticleContext | None]:
    """All realised event mentions in an article (before merging mentions into events), and its context."""
    published = article.published
    if published is None:
        return [], None
    mentions = find_actor_mentions(doc, published)
    countries = country_salience([m for m in mentions if _state_like(doc, m)])
    dateline = resolve_place(article.dateline, countries) if article.dateline else None
    context = ArticleContext(article, published, mentions, countries, dateline)
    coded = []
    for index, sent in enumerate(doc.sents):
        coded.extend(code_sentence(index, sent, context, {m.event_type for m in coded}))
    return coded, context


def code_sentence(index: int, sent: Span, context: ArticleContext, earlier: set[str] = frozenset()) -> list[EventMention]:
    """Event mentions in one sentence: triggers -> realis -> one mention per event type. earlier: the event types
    already coded from the article's earlier sentences."""
    groups: dict[str, list[Trigger]] = {}
    live = [t for t in find_triggers(sent) if realis(t.anchor, tuple(t.span))[0] and _requirement_met(t, sent, context)
            and not private_contact(t, context) and not counted_trend(t) and not verbal_clash(t) and not cyber_attack(t)]
    found = sentence_dates(sent, context.published) if live else None  # the date regexes cost more than the rest
    live = [t for t in live if not undated_progressive(t, found, context.published)]
    for trigger in live:
        if not (trigger.event_type in earlier and _back_reference(trigger, found, context)):
            groups.setdefault(trigger.event_type, []).append(trigger)
    phone_anchors = [t.anchor.i for t in groups.get("phone_call", [])]
    if phone_anchors and "meeting" in groups:
        groups["meeting"] = [t for t in groups["meeting"] if min(abs(t.anchor.i - p) for p in phone_anchors) > _PHONE_NEAR]
    places = sentence_places(sent, context.countries)
    context.places.extend((index, p) for p in places if p.in_location_phrase)
    coded = []
    for event_type, triggers in groups.items():
        by_date = _split_by_date(triggers, found, context.published)
        for when, dated in by_date:
            parts = split_by_destination(dated, places) if event_type == "meeting" else [(dated, None)]
            # 'held talks in Athens on Monday, then travelled to Nicosia to meet X on Tuesday': X met on Tuesday only
            rivals = [t.anchor for other, group in by_date if other is not when for t in group]
            for part, destination in parts:
                mention = _code_group(index, sent, event_type, part, when, places, context, destination, rivals)
                if mention is not None and destination is not None:
                    visit_sides(mention, destination.place.country, {d.place.country for _, d in parts} - {destination.place.country})
                if mention is None or idle_generic_incident(mention, part):
                    continue
                coded.append(mention)
                if mention.also_with is not None:
                    coded.append(replace(mention, actor2=mention.also_with, also_with=None, provenance=dict(mention.provenance)))
    return coded


_DEFINITE = {"the", "this", "that", "his", "her", "their", "its"}


def _back_reference(trigger: Trigger, found, context: ArticleContext) -> bool:
    """'The visit drew criticism from EU leaders', 'The talks were the first since 2019': a definite event noun with
    no date and no participant of its own, after an event of its type, refers back to that event."""
    anchor = trigger.anchor
    if anchor.pos_ != "NOUN" or not any(c.dep_ in ("det", "poss") and c.lower_ in _DEFINITE for c in anchor.children):
        return False
    if resolve_date(anchor, found, context.published).precision != "publication":
        return False
    own = {t.i for t in anchor.subtree}
    return not any(m.start in own for m in context.mentions)


def _split_by_date(triggers: list[Trigger], found, published) -> list[tuple[EventDate, list[Trigger]]]:
    """'met Thursday and held talks in January' is two events; undated triggers join the first dated group."""
    groups: dict[tuple, tuple[EventDate, list[Trigger]]] = {}
    undated = []
    for trigger in triggers:
        when = resolve_date(trigger.anchor, found, published)
        if when.precision == "publication":
            undated.append(trigger)
            continue
        groups.setdefault((when.first, when.last, when.future), (when, []))[1].append(trigger)
    if not groups:
        return [(resolve_date(undated[0].anchor, found, published), undated)] if undated else []
    first_key = next(iter(groups))
    groups[first_key][1].extend(undated)
    return list(groups.values())


def _requirement_met(trigger: Trigger, sent: Span, context: ArticleContext) -> bool:
    need = trigger.rule.requires
    if need is None:
        return True
    if need == "violence_context":
        return _violent(sent, trigger, context.mentions)
    if need == "casualties":
        return any(not c.disaster and not c.cumulative for c in find_casualties(sent.text))
    if need == "aimed":  # 'fired rockets at the town'; not a test launch 'into the sea'
        aimed = any(c.dep_ == "prep" and c.lower_ in ("at", "on", "against", "toward", "towards")
                    and not any(o.ent_type_ in ("DATE", "TIME") for o in c.children) for c in trigger.anchor.children)
        return aimed or any(not c.disaster and not c.cumulative for c in find_casualties(sent.text))
    if need == "destroyed_target":  # 'destroyed a rebel convoy'; not interceptions ('destroyed 30 drones') or crops
        spared = set(load_cues()["not_destroyed_targets"])
        return (not any(o.lower_ in spared or o.lemma_.lower() in spared for o in _objects(trigger.anchor))
                and _violent(sent, trigger, context.mentions))
    if need == "territory":  # 'captured the town of Bakhmut', 'took control of Kunduz': ground taken by force
        return _takes_ground(trigger.anchor) and _violent(sent, trigger, context.mentions)
    in_sentence = [m for m in context.mentions if sent.start <= m.start < sent.end]
    actor_tokens = {i for m in in_sentence for i in range(m.start, m.end)}
    if not _subject_is_human(trigger.anchor, actor_tokens):
        return False
    if need == "actor":
        return bool(in_sentence)
    if need in ("object_actor", "foreign_counterpart"):
        # the counterpart hangs on the rule's own preposition: 'spoke with X', not 'speaking to reporters after
        # meeting X' (the meeting's object)
        matched = {t.i for t in trigger.span}
        objects = {t.i for c in trigger.anchor.children
                   if c.dep_ == "dobj" or (need == "foreign_counterpart" and c.dep_ == "prep" and c.i in matched)
                   for t in c.subtree}
        countries = {m.ref.country for m in in_sentence}
        has_object = any(m.start in objects and not is_location_phrase(sent.doc[m.start]) for m in in_sentence)
        return has_object and (need == "object_actor" or len(countries) >= 2)
    return True


def _subject_is_human(anchor, actor_tokens: set[int]) -> bool:
    """'The date for a call is being negotiated', 'messages were received': verb triggers need people as subjects."""
    if anchor.pos_ != "VERB":
        return True
    if anchor.lemma_ in ("negotiate", "discuss") and any(c.dep_ == "auxpass" for c in anchor.children):
        return False  # 'the date is being negotiated': a thing is negotiated, nobody is named meeting
    for child in anchor.children:
        if child.dep_ in ("nsubj", "nsubjpass"):
            core = [child, *(c for c in child.children if c.dep_ in ("compound", "amod", "poss", "nmod", "conj"))]
            return (
                any(t.i in actor_tokens for t in core)
                or child.ent_type_ in ("PERSON", "NORP", "GPE", "ORG")
                or child.pos_ == "PRON" or child.lower_ in HUMAN_NOUNS or child.lemma_.lower() in HUMAN_NOUNS
            )
    return True


def _objects(verb: Token) -> list[Token]:
    """What a verb acts on: its direct object, or its subject when passive ('the airport was retaken')."""
    return [c for c in verb.children if c.dep_ in ("dobj", "nsubjpass")]


def _takes_ground(anchor: Token) -> bool:
    """The verb's object (or passive subject) is a place: a named one or a word for one ('the village of X',
    'the airport'); 'took control of' looks at what control is of. Not people or goods ('captured 20 soldiers',
    'seized a tanker')."""
    ground = set(load_cues()["territory_nouns"])
    objects = _objects(anchor)
    objects += [pobj for o in objects if o.lower_ == "control" for prep in o.children if prep.dep_ == "prep"
                and prep.lower_ == "of" for pobj in prep.children if pobj.dep_ == "pobj"]
    objects += [c for o in objects for c in o.conjuncts]
    return any(o.ent_type_ in ("GPE", "LOC", "FAC") or o.lower_ in ground or o.lemma_.lower() in ground for o in objects)


def _violent(sent: Span, trigger: Trigger, mentions: list[ActorMention]) -> bool:
    """Armed context: a violence word, or an armed actor by name ('the Houthis', 'Hezbollah')."""
    words = set(load_cues()["violence_words"])
    if any(sent.start <= m.start < sent.end and m.sector in ("MIL", "REB") for m in mentions):
        return True
    anchor = trigger.anchor
    if anchor.lemma_ in _STATE_ATTACKS and not any(c.lower_ in _NOT_ARMED for c in anchor.children) and any(
            sent.start <= m.start < sent.end and sent.doc[m.start:m.end].root.head.i == anchor.i
            and sent.doc[m.start:m.end].root.dep_ in ("amod", "compound") for m in mentions):
        return True  # 'a Russian attack', 'a Turkish incursion': a state's attack is an armed one
    # 'carried out strikes': the trigger's own words, its anchor among them, are no armed context
    own = range(trigger.span.start, trigger.span.end)
    return any(t.i not in own and (t.lemma_.lower() in words or t.lower_ in words) for t in sent)


_STATE_ATTACKS = {"attack", "assault", "ambush", "incursion", "invasion"}
_NOT_ARMED = {"cyber", "verbal", "rhetorical", "political", "legal", "media", "personal", "heart", "panic"}


def _code_group(index, sent, event_type, triggers, when, places, context, destination=None,
                rivals=()) -> EventMention | None:
    primary = max(triggers, key=lambda t: (t.rule.confidence, -t.anchor.i))
    if when.future:
        return None
    cameo = _cameo(event_type, triggers, sent)
    start = sent.start_char + len(sent.text) - len(sent.text.lstrip())  # the blanked seed header is not provenance
    mention = EventMention(
        context.article.article_id, index, context.article.text[start:sent.end_char], start, sent.end_char, event_type, cameo,
        " / ".join(t.span.text for t in triggers), primary.rule.confidence, when,
    )
    mention.provenance = {"trigger_rules": [t.rule.id for t in triggers], "date": when.source}
    visit = cameo in ("042", "043")
    struck = event_type == "military_incident"
    # 'visited Beijing on Wednesday and met Xi', '... and held talks with X': the visit says where
    visit_anchor = next((t.anchor for t in triggers if t.rule.cameo == "042"), None)
    spot = destination or (
        event_place(visit_anchor or primary.anchor, places, visit=visit or visit_anchor is not None, struck=struck,
                    context=context.countries) if event_type != "phone_call" else None)
    if spot is not None:
        mention.place, mention.place_text = spot.place, spot.text
        mention.provenance["location"] = "sentence"
    if event_type == "military_incident":
        if not code_violence(mention, triggers, sent, context, rivals):
            return None
    elif not _code_participants(mention, primary, sent, context, visit, rivals):
        return None
    elif mention.actor2 is None and mention.place and mention.place.country not in (None, mention.actor1.country) \
            and mention.actor1.code_sector != "IGO":  # 'NATO ministers met in Brussels': a seat, not a host
        # 'Blinken arrived in Beijing for a visit', 'the Turkish minister held talks in Athens': the host is where
        # it took place
        host = mention.place.country
        mention.actor2 = Participant(country_name(host), host, "GOV", -1)
    return mention


def _cameo(event_type: str, triggers: list[Trigger], sent: Span) -> str:
    if event_type != "military_incident":
        return max(triggers, key=lambda t: (t.rule.cameo != "040", t.rule.confidence)).rule.cameo
    weapon = weapon_cameo(sent)
    if weapon is not None:
        return weapon
    specific = [t.rule.cameo for t in triggers if t.rule.cameo != "190"]
    return specific[0] if specific else "190"


def _code_participants(mention, primary, sent, context, visit, rivals=()) -> bool:
    found = participants(primary.anchor, sent, context.mentions, visit=visit, rivals=rivals)
    countries = []
    for actor in found:
        if not _state_like(sent.doc, actor) and actor.ref.kind != "capital":
            continue  # 'German pharmaceuticals giant Bayer', 'US firm Ford' are not state actors
        if actor.ref.country not in [c.country for c in countries]:
            countries.append(Participant(actor.canonical_name, actor.ref.country, actor.sector, actor.start))
    source = "sentence"
    if len(countries) < 2:
        # a country this sentence names only as what was discussed is no unnamed participant either
        # nor is one named as another event's participant ('... then travelled to Nicosia to meet X')
        topics = {m.ref.country for m in context.mentions if sent.start <= m.start < sent.end
                  and (is_topic_phrase(sent.doc[m.start:m.end].root, primary.anchor)
                       or (rivals and argument_of_rival(sent.doc[m.start:m.end].root, primary.anchor, rivals)))}
        passed_over = topics - {a.ref.country for a in found}
        extra = [c for c in context.countries if c not in [p.country for p in countries] and c not in passed_over]
        if extra and (countries or mention.event_type == "phone_call" or _plural_subject(primary)):
            # 'the two presidents sat down for talks': both sides come from the article when the sentence names none
            # (in code order then, as the article's ranking of its countries says nothing about who hosted whom)
            picked = extra[:2 - len(countries)]
            for country in sorted(picked) if not countries else picked:
                countries.append(Participant(country_name(country), country, "GOV", -1))
            source = "article context"
    if not countries:
        return False
    mention.actor1 = countries[0]
    mention.actor2 = countries[1] if len(countries) > 1 else None
    mention.provenance["actors"] = source
    spots = {c.country: [a.start for a in found if a.ref.country == c.country] for c in countries[1:3]}
    if mention.event_type == "phone_call" and len(countries) > 2 and any(
        _coordinated(sent, i, j) for i in spots[countries[1].country] for j in spots[countries[2].country]
    ):
        mention.also_with = countries[2]  # 'with his counterparts in Armenia and Azerbaijan': two calls
    if len(countries) < 2:
        mention.confidence *= 0.8
    return True


_COMMERCIAL = {"firm", "company", "companies", "group", "giant", "carmaker", "maker", "bank", "corporation", "conglomerate",
               "manufacturer", "producer", "team", "club", "startup", "retailer", "airline", "brand", "fund", "investor",
               "investors", "executives", "chipmaker", "insurer", "lender", "operator", "automaker", "shareholders", "rival"}


def _commercial(root) -> bool:
    """Whether a country mention only qualifies a business ('US agricultural group Monsanto')."""
    head = root.head if root.dep_ in ("compound", "amod", "poss", "nmod") else root
    words = {head.lower_, *(c.lower_ for c in head.children if c.dep_ in ("compound", "amod"))}
    return bool(words & _COMMERCIAL)


def _state_like(doc: Doc, mention: ActorMention) -> bool:
    """Mentions that stand for a state or armed actor: not 'US firm Ford', not a dateline or 'in Cairo'."""
    root = doc[mention.start:mention.end].root
    if mention.ref.kind == "demonym" and mention.sector is None:
        return False
    if mention.ref.kind == "capital" and (is_location_phrase(root) or mention.start < 8):
        return False
    return not _commercial(root)


def _coordinated(sent: Span, first: int, second: int) -> bool:
    """Whether two mention tokens sit in conjuncts of one phrase ('Armenia and Azerbaijan')."""
    a, b = sent.doc[first], sent.doc[second]
    up_a = {t.i for t in ancestors_path(a)[:6]}
    up_b = {t.i for t in ancestors_path(b)[:6]}
    # 'with A and B', 'with A and with B', 'counterparts in A and B'
    return any(t.dep_ == "conj" and t.head.i in up_a for t in ancestors_path(b)[:6]) or any(
        t.dep_ == "conj" and t.head.i in up_b for t in ancestors_path(a)[:6])


def _plural_subject(trigger: Trigger) -> bool:
    """'The two leaders met', 'both sides held talks': participants are named elsewhere in the article."""
    return any(t.lower_ in ("two", "both", "sides", "leaders", "delegations", "countries") for t in trigger.anchor.sent)
