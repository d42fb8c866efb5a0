"""Where: the place an event mention happened, not every place the sentence names."""

from __future__ import annotations

from dataclasses import dataclass, replace

from spacy.tokens import Span, Token

from schemas.dictionaries import load_countries
from transforms.actors import country_of_word
from transforms.places import Place, resolve_place
from transforms.roles import LOCATION_PREPS, ancestors_path, is_topic_phrase, np_head, purpose_of, tree_distance

PLACE_LABELS = {"GPE", "LOC", "FAC"}  # NER labels of places


@dataclass(frozen=True)
class PlaceMention:
    """A resolved place named in a sentence and the token its phrase hangs on."""

    text: str
    place: Place
    token: Token
    in_location_phrase: bool


def _capital_phrase(token: Token) -> str | None:
    """'the Turkish capital' / 'the capital of Turkey' -> the capital's name."""
    if token.lemma_.lower() != "capital":
        return None
    countries = {c.iso3: c for c in load_countries()}
    for child in token.children:
        word = child.text.lower()
        for country in countries.values():
            if word in (d.lower() for d in country.demonyms) or word == country.name.lower():
                return country.capital or None
    return None




def _np_text(token: Token) -> str:
    """Proper-noun phrase around a token: 'the western Herat province' -> 'Herat province'."""
    words = [t for t in token.subtree if t.i <= token.i and (t.pos_ == "PROPN" or t.i == token.i)]
    return " ".join(t.text for t in words)


_WATER_WORDS = {"gulf", "sea", "strait", "straits", "bay", "ocean", "channel", "lake", "sound"}


def _locative_phrase(token: Token, context: list[str]) -> tuple[str | None, Place | None]:
    """'in the North Waziristan district', 'near the city of Zaporizhzhia', 'in a rural area of Meta'."""
    candidates = [token]
    for _ in range(0 if token.lower_ in _WATER_WORDS else 2):  # 'the Gulf of Aden' is a sea, not the town of Aden
        of = next((c for c in candidates[-1].children if c.dep_ == "prep" and c.lower_ == "of"), None)
        obj = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
        if obj is None:
            break
        candidates.append(obj)
    for candidate in reversed(candidates):  # the most specific named place first
        name = _np_text(candidate)
        place = resolve_place(name, context)
        if place is not None:
            return name, place
    # "in Cameroon's Anglophone region": at least the country that owns the unnamed or unknown region
    owner = next((c for c in token.children if c.dep_ == "poss"), None)
    place = resolve_place(owner.text, context) if owner is not None and owner.pos_ == "PROPN" else None
    if place is not None and place.precision == 3:
        return owner.text, place
    return None, None


_ADMINISTERING = {"control", "administer", "hold", "govern", "run"}  # not 'occupy': occupied land keeps its country


def _administered_by(token: Token) -> str | None:
    """The country in 'Pakistan-controlled Kashmir', 'Indian-administered Kashmir', 'Kurdish-held' (no country)."""
    for modifier in token.children:
        if modifier.dep_ == "amod" and modifier.lemma_.lower() in _ADMINISTERING:
            owner = next((c for c in modifier.children if c.dep_ in ("npadvmod", "compound", "amod", "nmod")), None)
            if owner is not None:
                return country_of_word(owner.text)
    return None


def _as_administered(place: Place, token: Token) -> Place:
    controller = _administered_by(token)
    return place if controller is None or controller == place.country else replace(place, country=controller)


def sentence_places(sent: Span, context: list[str]) -> list[PlaceMention]:
    """Places named in a sentence (entities, locative phrases, 'the X capital'), resolved with the article's countries."""
    found: dict[int, PlaceMention] = {}
    for ent in sent.ents:
        loose = ent.label_ not in PLACE_LABELS
        if ent.label_ in PLACE_LABELS or (loose and ent.root.dep_ == "pobj" and (
                ent.root.head.lower_ in LOCATION_PREPS or _attacked(ent.root) or _destination(ent.root))) or (
                loose and _name_object_of(ent.root, _STRIKE_VERBS | _VISIT_VERBS)):
            place = resolve_place(ent.text, context)  # 'Hassan' or 'Kim' is a town only after 'in'/'near'
            if place is not None and loose and context and place.country not in context[:5]:
                continue  # a mislabelled name that happens to be a town elsewhere ('IBO' -> Ibo, Mozambique)
            if place is not None:
                place = _as_administered(place, ent.root)
                found[ent.root.i] = PlaceMention(ent.text, place, ent.root, is_location_head(ent.root))
    for token in sent:
        if token.i in found:
            continue
        name = _capital_phrase(token)
        place = resolve_place(name, context) if name else None
        of_place = token.head.lower_ == "of" and token.head.head.lemma_.lower() in PLACE_NOUNS  # 'the city of Kharkiv'
        if name is None and (token.dep_ == "pobj" and (
                token.head.lower_ in LOCATION_PREPS or of_place or _attacked(token) or _destination(token)
                or token.head.lower_ == "over") or (_name_object_of(token, _STRIKE_VERBS) and not token.ent_type_)) \
                and token.pos_ in ("PROPN", "NOUN"):
            name, place = _locative_phrase(token, context)
        if place is not None:
            found[token.i] = PlaceMention(name, _as_administered(place, token), token, is_location_head(token))
    return sorted(found.values(), key=lambda m: m.token.i)


def _attacked(token: Token) -> bool:
    """The object of 'an attack on ...', 'strikes against ...': what was hit, which is often a place."""
    return token.dep_ == "pobj" and token.head.lower_ in ("on", "against") and token.head.head.lemma_.lower() in _ATTACK_NOUNS


_STRIKE_VERBS = {"hit", "strike", "shell", "bomb", "bombard", "pound", "attack", "target", "raid", "storm", "rocket"}


_VISIT_VERBS = {"visit", "tour"}


def _name_object_of(token: Token, verbs: set[str]) -> bool:
    """A name as the object of one of verbs: 'a missile hit Odesa', 'troops stormed Bakhmut', 'visited Kyiv' (NER
    often misses the city, or calls it a person: such a name counts only where it resolves to a country of the
    story)."""
    return token.dep_ == "dobj" and token.pos_ == "PROPN" and token.head.lemma_.lower() in verbs


def _destination(token: Token) -> bool:
    """Where a trip went: 'a surprise visit to Kyiv', 'travelled to Moscow'."""
    return token.dep_ == "pobj" and token.head.lower_ == "to" and token.head.head.lemma_.lower() in _TRIP_WORDS


def is_location_head(token: Token) -> bool:
    """'in Idlib', 'near the border', 'Idlib province' as the object of a locative preposition; not a name that
    only qualifies another noun there ('in a US air strike', 'in a Russian attack')."""
    head = np_head(token)
    if head.i != token.i and head.pos_ == "NOUN" and head.lemma_.lower() not in PLACE_NOUNS:
        return False
    return head.dep_ == "pobj" and head.head.lower_ in LOCATION_PREPS


def _clause_verb(token: Token) -> int | None:
    """Index of the first verb above a token (the clause it belongs to)."""
    for t in ancestors_path(token)[1:]:
        if t.pos_ in ("VERB", "AUX"):
            return t.i
    return None


_ATTACK_NOUNS = {"attack", "strike", "airstrike", "raid", "assault", "offensive", "bombardment", "shelling", "bombing",
                 "barrage", "incursion", "missile", "rocket", "drone", "shell", "bomb", "mortar", "projectile"}
_TRIP_WORDS = {"visit", "trip", "tour", "journey", "travel", "fly", "arrive", "go", "come", "head", "return", "mission",
               "jet"}
PLACE_NOUNS = {"city", "town", "village", "region", "province", "district", "area", "capital", "outskirts", "suburb",
                "port", "camp", "base", "state", "county", "governorate", "oblast", "border", "country", "island"}
_TEMPORAL_MARKS = {"after", "before", "since", "until", "when", "as", "while"}


def _clause_rank(anchor: Token, clause: int | None, place_clause: int | None) -> int | None:
    """0: the trigger's own clause; 1: a clause linked to it without a temporal marker ('killed ... and injured 70
    in Ethiopia'); None: a clause about another event ('arrived in Ankara after X died')."""
    if place_clause == clause:
        return 0
    doc = anchor.doc
    for low, high in ((clause, place_clause), (place_clause, clause)):
        if low is None or high is None:
            continue
        for token in ancestors_path(doc[low])[1:]:
            if _temporal_link(token) or _temporal_link(doc[low]):
                break
            if token.i == high:
                return 1
    return None


def _temporal_link(token: Token) -> bool:
    return token.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in _TEMPORAL_MARKS for c in token.children)


def _where_antecedent(clause: Token, places: list[PlaceMention]) -> PlaceMention | None:
    """The place a 'where' clause describes: 'traveled to Berlin on Wednesday, where he met Scholz' (the parser may
    hang the clause on 'Wednesday', so the last place named before 'where' is taken)."""
    where = next((c for c in clause.children if c.dep_ == "advmod" and c.lower_ == "where"), None)
    if clause.dep_ != "relcl" or where is None:
        return None
    before = [m for m in places if m.token.i < where.i and m.token.sent.start == where.sent.start]
    return max(before, key=lambda m: m.token.i) if before else None


def _trip_destination(anchor: Token, places: list[PlaceMention]) -> PlaceMention | None:
    """Where a journey made for the event went: 'flew to Cairo for talks with X', 'travelled to Cairo to meet X',
    'arrived in Washington for talks' (not the place of an earlier clause, 'met X in Riyadh, then flew to ...')."""
    trip = purpose_of(anchor)
    if trip is None or trip.pos_ != "VERB" or trip.lemma_.lower() not in _TRIP_WORDS:
        return None
    for mention in places:
        head = np_head(mention.token)
        went = head.dep_ == "pobj" and head.head.lower_ in ("to", "in", "into") and head.head.head.i == trip.i
        if went or (head.dep_ == "dobj" and head.head.i == trip.i):
            return mention
    return None


def event_place(anchor: Token, places: list[PlaceMention], *, visit: bool = False, struck: bool = False,
                context: list[str] = ()) -> PlaceMention | None:
    """A locative place in the trigger's own clause first ('arrived in Ankara after X died': not Ankara for X); for a
    visit also where it went ('visited Kyiv', 'a trip to Kabul'), for an attack also what it hit ('shelled Kharkiv')."""
    clause = anchor.i if anchor.pos_ in ("VERB", "AUX") else _clause_verb(anchor)
    antecedent = _where_antecedent(anchor.doc[clause], places) if clause is not None else None
    if antecedent is not None:
        return antecedent
    if not struck and (went_to := _trip_destination(anchor, places)) is not None:
        return went_to
    scored = []
    for mention in places:
        head = np_head(mention.token)
        taken = struck and head.lower_ == "control" and head.dep_ == "dobj"  # 'took control of the city of Kunduz'
        hit = struck and _attacked(head) or taken  # 'a drone attack on Kyiv': a target, not a topic
        if not hit and is_topic_phrase(mention.token, anchor):
            continue
        # 'shot down a jet over the Donetsk region', 'drones downed over Belgorod': where it happened
        overhead = struck and head.dep_ == "pobj" and head.head.lower_ == "over"
        rank = _clause_rank(anchor, clause, _clause_verb(mention.token))
        named_place = taken or head.i == mention.token.i or head.lemma_.lower() in PLACE_NOUNS  # not 'hosted the ministers of Egypt'
        destination = named_place and (
            (visit and head.dep_ == "pobj" and head.head.lower_ == "to") or (
                (visit or struck) and head.dep_ == "dobj" and head.head.i == clause) or hit)
        if rank is not None and (mention.in_location_phrase or destination or overhead):
            foreign = bool(context) and mention.place.country not in context  # 'across the Nile' -> a town in India
            scored.append((foreign, rank, 0 if destination else 1, mention.place.precision, tree_distance(mention.token, anchor), mention))
    return min(scored, key=lambda x: x[:5])[5] if scored else None
