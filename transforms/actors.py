"""Actor mentions: countries, demonyms, capitals and metonyms, named people and groups -> country + sector."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cache

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from schemas.dictionaries import load_actor_entries, load_countries
from transforms.nlp import load_nlp, vocab_resource

# Head nouns that tell the sector of a country mention ("Turkish troops" -> MIL).
SECTOR_NOUNS = {
    "MIL": {"troop", "troops", "soldier", "soldiers", "army", "military", "force", "forces", "serviceman", "servicemen",
            "navy", "jet", "jets", "warplane", "warplanes", "artillery", "battalion", "brigade", "marine", "marines",
            "commander", "defense", "defence", "drone", "drones", "missile", "aircraft", "airforce", "guard", "guards"},
    "COP": {"police", "policeman", "policemen", "officer", "officers", "gendarme", "gendarmerie"},
    "REB": {"rebel", "rebels", "militant", "militants", "insurgent", "insurgents", "gunman", "gunmen", "terrorist",
            "terrorists", "jihadist", "jihadists", "militia", "militiamen", "separatist", "separatists", "fighter", "fighters"},
    "CVL": {"civilian", "civilians", "people", "villager", "villagers", "resident", "residents", "child", "children",
            "woman", "women", "man", "men", "protester", "protesters", "student", "students", "worker", "workers"},
    "GOV": {"president", "minister", "government", "delegation", "delegations", "official", "officials", "leader",
            "leaders", "ministry", "diplomat", "diplomats", "envoy", "ambassador", "chancellor", "king", "emir",
            "prince", "premier", "counterpart", "side", "authorities", "administration", "representative",
            "representatives", "spokesman", "spokeswoman", "state", "secretary", "foreign", "cabinet", "parliament",
            "negotiator", "negotiators", "delegate", "delegates", "mediator", "mediators", "envoys", "ministers",
            "counterparts", "presidents", "premiers", "chiefs", "heads"},
}
_SECTOR_OF_NOUN = {noun: sector for sector, nouns in SECTOR_NOUNS.items() for noun in nouns}
_CASE_SENSITIVE_MAX = 4  # short aliases (US, UK, UN, ADF) must match case exactly: "us" is a pronoun
_SKIP_ALIASES = {"IS", "AU", "Is", "Chad"}  # too ambiguous in running text


@dataclass(frozen=True)
class ActorRef:
    """What a dictionary hit denotes."""

    country: str
    sector: str | None
    name: str
    kind: str  # country | demonym | capital | metonym | entity


@dataclass(frozen=True)
class ActorMention:
    """One actor mention in a doc: token span plus what it denotes."""

    start: int
    end: int
    text: str
    ref: ActorRef
    sector: str | None

    @property
    def code(self) -> str:
        """CAMEO-style actor code, country + sector (sector omitted when unknown)."""
        return self.ref.country + (self.sector or "")

    @property
    def canonical_name(self) -> str:
        """Dictionary name for people and groups ('Vladimir Putin' for 'Putin'), the country's name otherwise."""
        return self.ref.name if self.ref.kind in ("entity", "metonym") else country_name(self.ref.country)


def country_name(iso3: str) -> str:
    """Name of a country or organisation code."""
    return _country_names().get(iso3, iso3)


def country_of_word(text: str) -> str | None:
    """The country a country name or demonym denotes ('Pakistan', 'Indian'); None for anything else."""
    refs = {ref.country for ref, _ in _lexicon().get(_key(text), []) if ref.kind in ("country", "demonym")}
    return refs.pop() if len(refs) == 1 else None


@cache
def _country_names() -> dict[str, str]:
    return {c.iso3: c.name for c in load_countries()}


def _key(text: str) -> str:
    return text if _is_case_sensitive(text) else text.lower()


def _is_case_sensitive(text: str) -> bool:
    return len(text.replace(".", "")) <= _CASE_SENSITIVE_MAX or text.isupper()


@cache
def _lexicon() -> dict[str, list[tuple[ActorRef, object]]]:
    """Surface form -> candidate refs (with the entry, for validity dates)."""
    lexicon: dict[str, list[tuple[ActorRef, object]]] = {}

    def add(surface: str, ref: ActorRef, entry: object = None) -> None:
        surface = surface.strip()
        if surface and surface not in _SKIP_ALIASES:
            lexicon.setdefault(_key(surface), []).append((ref, entry))

    for country in load_countries():
        sector = "IGO" if country.is_igo else None
        for name in country.names:
            add(name, ActorRef(country.iso3, sector, country.name, "country"))
        for demonym in country.demonyms:
            add(demonym, ActorRef(country.iso3, sector, country.name, "demonym"))
        if country.capital:
            add(country.capital, ActorRef(country.iso3, None, country.capital, "capital"))
        for metonym in country.capital_aliases:
            add(metonym, ActorRef(country.iso3, "GOV", metonym.removeprefix("the "), "metonym"))
    for entry in load_actor_entries():
        for name in entry.names:
            add(name, ActorRef(entry.country, entry.sector, entry.name, "entity"), entry)
    return lexicon


@vocab_resource
def matchers() -> tuple[PhraseMatcher, PhraseMatcher]:
    nlp = load_nlp()
    exact, lower = PhraseMatcher(nlp.vocab, attr="ORTH"), PhraseMatcher(nlp.vocab, attr="LOWER")
    for surface in _lexicon():
        target = exact if _is_case_sensitive(surface) else lower
        target.add(surface, [nlp.make_doc(surface)])
    return exact, lower


def _pick(candidates: list[tuple[ActorRef, object]], day: date | None) -> ActorRef | None:
    """The ref valid on day; None when the surface form is ambiguous between countries."""
    valid = [ref for ref, entry in candidates if entry is None or day is None or entry.valid_on(day)]
    pool = valid or [ref for ref, _ in candidates]
    if len({ref.country for ref in pool}) != 1:
        return None
    return next((ref for ref in pool if ref.kind == "entity"), pool[0]) if valid else pool[0]


def sector_of(span: Span, ref: ActorRef) -> str | None:
    """Sector from the entry, else from the noun a country/demonym mention modifies."""
    if ref.sector:
        return ref.sector
    doc = span.doc
    neighbours = [doc[i] for i in range(span.end, min(span.end + 3, len(doc)))]
    for token in [span.root.head, *neighbours]:
        sector = _SECTOR_OF_NOUN.get(token.lower_)
        if sector:
            return sector
    if ref.kind == "demonym" and span.root.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj", "conj"):
        return "GOV"  # 'the Russians said', 'talks with the Turks': the demonym stands for the state
    return "GOV" if ref.kind in ("country", "capital") else None


def find_actor_mentions(doc: Doc, day: date | None) -> list[ActorMention]:
    """Every dictionary actor in doc, longest match first, resolved for the publication day."""
    exact, lower = matchers()
    spans = [doc[s:e] for _, s, e in [*exact(doc), *lower(doc)]]
    mentions = []
    lexicon = _lexicon()
    for span in filter_spans(spans):
        candidates = lexicon.get(_key(span.text)) or lexicon.get(span.text.lower()) or []
        ref = _pick(candidates, day)
        if ref is not None and not _inside_longer_name(span):
            mentions.append(ActorMention(span.start, span.end, span.text, ref, sector_of(span, ref)))
    return mentions


def _inside_longer_name(span: Span) -> bool:
    """'Praia' in 'Mocimboa da Praia', 'Santiago' in 'Santiago de Compostela': a name joined to another capitalised
    word by a lowercase particle is part of a longer place name, not the capital or country it spells."""
    doc = span.doc
    joined_before = span.start >= 2 and doc[span.start - 1].lower_ in _NAME_PARTICLES \
        and doc[span.start - 1].is_lower and doc[span.start - 2].is_title
    joined_after = span.end + 2 <= len(doc) and doc[span.end].lower_ in _NAME_PARTICLES \
        and doc[span.end].is_lower and doc[span.end + 1].is_title
    return joined_before or joined_after


_NAME_PARTICLES = {"da", "de", "do", "dos", "das", "del", "di", "du", "la", "le", "el"}


def country_salience(mentions: list[ActorMention]) -> list[str]:
    """Countries of an article, most mentioned first (first mention breaks ties)."""
    counts = Counter(m.ref.country for m in mentions)
    first = {}
    for m in mentions:
        first.setdefault(m.ref.country, m.start)
    return sorted(counts, key=lambda c: (-counts[c], first[c]))


def mention_root(doc: Doc, mention: ActorMention) -> Token:
    """Syntactic root token of a mention."""
    return doc[mention.start:mention.end].root
