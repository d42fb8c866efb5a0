"""Where: the place an event mention happened, not every place the sentence names."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

from schemas.dictionaries import load_countries
from transforms.places import Place, resolve_place
from transforms.roles import LOCATION_PREPS, ancestors_path, is_topic_phrase, np_head, tree_distance

_PLACE_LABELS = {"GPE", "LOC", "FAC"}


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


def sentence_places(sent: Span, context: list[str]) -> list[PlaceMention]:
    """Places named in a sentence (entities and 'the X capital'), resolved with the article's countries."""
    found = []
    for ent in sent.ents:
        if ent.label_ in _PLACE_LABELS:
            place = resolve_place(ent.text, context)
            if place is not None:
                found.append(PlaceMention(ent.text, place, ent.root, is_location_head(ent.root)))
    for token in sent:
        name = _capital_phrase(token)
        place = resolve_place(name, context) if name else None
        if place is not None:
            found.append(PlaceMention(f"{name} ({token.text})", place, token, is_location_head(token)))
    return found


def is_location_head(token: Token) -> bool:
    """'in Idlib', 'near the border', 'Idlib province' as the object of a locative preposition."""
    head = np_head(token)
    return head.dep_ == "pobj" and head.head.lower_ in LOCATION_PREPS


def event_place(anchor: Token, places: list[PlaceMention], *, visit: bool = False) -> PlaceMention | None:
    """The place on the trigger's clause chain, else the nearest locative place in the sentence."""
    chain = set()
    for token in ancestors_path(anchor):  # the trigger's own clause only: 'arrived in Ankara, after X died'
        chain.add(token.i)
        if token.pos_ in ("VERB", "AUX"):
            break
    scored = []
    for mention in places:
        if is_topic_phrase(mention.token, anchor):
            continue
        head = np_head(mention.token)
        attached = head.head.head.i in chain if head.dep_ == "pobj" else head.head.i in chain
        destination = visit and head.dep_ in ("pobj", "dobj") and head.head.lower_ in ("to", "visit", "visited", "visiting")
        if not (mention.in_location_phrase or destination):
            continue
        scored.append((0 if (attached or destination) else 1, tree_distance(mention.token, anchor), mention))
    return min(scored, key=lambda x: x[:2])[2] if scored else None
