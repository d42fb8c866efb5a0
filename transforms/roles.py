"""Who did it to whom: participants of meetings and calls, attacker and target of violent events."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

from schemas.codebook import load_cues
from transforms.actors import SECTOR_NOUNS, ActorMention

LOCATION_PREPS = {"in", "at", "near", "outside", "inside", "across", "around", "into", "throughout", "along", "off"}  # not "from": 'a call from X' 
_TOPIC_PREPS = {"on", "about", "over", "regarding", "concerning", "against"}
_VICTIM_VERBS = {"die", "martyr", "perish", "wound", "injure", "kill"}
_NP_LINKS = {"compound", "amod", "poss", "nmod", "appos", "nummod", "det", "case"}
GENERIC_SECTORS = ("MIL", "COP", "REB", "CVL")
_PEOPLE_NOUNS = SECTOR_NOUNS["GOV"] | {"counterparts", "ministers", "presidents", "heads", "leaders", "officials"}
_PROJECTILES = {"missile", "missiles", "rocket", "rockets", "drone", "drones", "shell", "shells", "mortar", "mortars",
                "projectile", "projectiles", "bomb", "bombs"}
_GENERIC_NOUNS = {noun: sector for sector in GENERIC_SECTORS for noun in SECTOR_NOUNS[sector]}


def generic_sector(token: Token) -> str | None:
    """Sector of a generic participant noun ('army' MIL, 'police' COP, 'gunmen' REB, 'villagers' CVL), if it is one."""
    return _GENERIC_NOUNS.get(token.lower_) if token.pos_ == "NOUN" else None


@dataclass(frozen=True)
class Participant:
    """An actor filling a role: a dictionary mention, or a generic noun ('soldiers') whose country comes later."""

    text: str
    country: str | None
    code_sector: str | None
    token_i: int


def ancestors_path(token: Token) -> list[Token]:
    """Token and its heads up to the sentence root."""
    path = [token]
    while path[-1].head.i != path[-1].i and len(path) < 64:
        path.append(path[-1].head)
    return path


def tree_distance(a: Token, b: Token) -> int:
    """Number of dependency arcs between two tokens of one sentence."""
    up_a = {t.i: n for n, t in enumerate(ancestors_path(a))}
    for n, t in enumerate(ancestors_path(b)):
        if t.i in up_a:
            return up_a[t.i] + n
    return 99


def np_head(token: Token) -> Token:
    """Head of the noun phrase a token sits in ('Syrian' in 'Syrian government forces' -> 'forces', 'soldiers' in
    'two of its soldiers' -> 'two')."""
    for _ in range(6):
        if token.dep_ in _NP_LINKS and token.head.i != token.i:
            token = token.head
        elif token.dep_ == "conj" and token.head.dep_ in ("amod", "compound", "poss", "nmod"):
            token = token.head  # 'Indian and Chinese troops': 'Chinese' modifies 'troops' too
        elif token.dep_ == "pobj" and token.head.lower_ == "of" and token.head.head.pos_ in ("NOUN", "PROPN", "NUM"):
            token = token.head.head
        else:
            break
    return token


def is_location_phrase(token: Token) -> bool:
    """Whether a mention sits in 'in Moscow' / 'near the border'."""
    head = np_head(token)
    if head.dep_ != "pobj" or head.head.lower_ not in LOCATION_PREPS:
        return False
    owner = head.head.head  # 'his counterparts in Armenia': people of a country, not a place
    return owner.lower_ not in _PEOPLE_NOUNS and owner.lemma_.lower() not in _PEOPLE_NOUNS


def is_topic_phrase(token: Token, anchor: Token) -> bool:
    """Whether a mention is what was discussed ('talks on Syria', 'the situation in Idlib'), not who."""
    cues = load_cues()
    topic_heads = set(cues["topic_heads"])
    head = np_head(token)
    if head.dep_ == "dobj" and head.head.lemma_.lower() in cues["topic_verbs"]:
        return True  # 'Putin and Erdogan discussed Ukraine in a call'
    party = False  # 'discussed security with Jordan's king': a 'with' phrase names a party, wherever it hangs
    for t in ancestors_path(token)[1:]:
        if t.i == anchor.i:
            return False
        party = party or (t.dep_ == "prep" and t.lower_ in ("with", "between"))
        if t.dep_ == "dobj" and t.head.lemma_.lower() in cues["topic_verbs"] and not party:
            return True  # 'met to discuss the war in Sudan'
        if t.dep_ in ("advcl", "xcomp") and t.lemma_.lower() in cues["topic_verbs"] and not party:
            return True  # 'met to discuss aid to Ukraine' (the parser hangs 'to Ukraine' on 'discuss')
        if t.pos_ == "NOUN" and t.lemma_.lower() in topic_heads and not party:
            return True
        if t.dep_ == "prep" and t.lower_ in _TOPIC_PREPS and t.head.i == anchor.i and t.i == np_head(token).head.i:
            return True  # 'talks on Syria'; not 'met on the sidelines of the summit in Hiroshima'
    return False


def is_reporting_source(token: Token, anchor: Token) -> bool:
    """Whether a mention only reports the event: 'Delegations from A and B met ..., the State Department said'.

    Not when the reported clause's subject is a pronoun ('China said it held talks with Vietnam': it is China)."""
    head = np_head(token)
    verb = head.head
    if head.dep_ != "nsubj" or verb.lemma_.lower() not in load_cues()["report_verbs"]:
        return False
    for t in ancestors_path(anchor):
        if t.head.i == verb.i and t.i != verb.i:
            subjects = [c for c in t.children if c.dep_ in ("nsubj", "nsubjpass")]
            return t.dep_ in ("ccomp", "parataxis") and bool(subjects) and all(c.pos_ != "PRON" for c in subjects)
    return False


def participants(anchor: Token, sent: Span, mentions: list[ActorMention], *, visit: bool = False,
                 rivals: list[Token] = ()) -> list[ActorMention]:
    """Actor mentions taking part in a meeting or call, nearest to the trigger first. rivals: the triggers of other
    events of the type in the sentence (another date), whose objects are their own participants."""
    chosen = []
    for mention in mentions:
        root = sent.doc[mention.start:mention.end].root
        if not (sent.start <= root.i < sent.end) or is_topic_phrase(root, anchor) or is_reporting_source(root, anchor):
            continue
        if rivals and argument_of_rival(root, anchor, rivals):
            continue
        if is_location_phrase(root) and not (visit and np_head(root).head.lower_ in ("to", "into")):
            continue
        chosen.append((tree_distance(root, anchor), mention.start, mention))
    return [m for _, _, m in sorted(chosen, key=lambda x: x[:2])]


def argument_of_rival(token: Token, anchor: Token, rivals: list[Token]) -> bool:
    """Whether a mention is an object of another event's trigger: the first verb or trigger above its noun phrase is
    that trigger ('travelled to Nicosia to meet the Cypriot president'). Subjects are shared by coordinated events
    ('X met Y on Monday, then flew to Cairo for talks')."""
    head = np_head(token)
    if head.dep_ in ("nsubj", "nsubjpass"):
        return False
    stops = {anchor.i} | {r.i for r in rivals}
    governor = next((t for t in ancestors_path(head)[1:] if t.i in stops or t.pos_ in ("VERB", "AUX")), None)
    if governor is None or governor.i == anchor.i:
        return False
    # 'travelled to Nicosia to meet X', 'flew to Cairo for talks': the journey made for the rival event is its own
    return governor.i in stops or any(purpose_of(rival) == governor for rival in rivals)


def purpose_of(event: Token) -> Token | None:
    """The verb an event is the purpose of: 'travelled ... to meet', 'flew ... for talks'."""
    if event.dep_ in ("xcomp", "advcl") and any(c.dep_ == "aux" and c.lower_ == "to" for c in event.children):
        return event.head
    if event.dep_ == "pobj" and event.head.lower_ == "for":
        return event.head.head
    return None


_LIGHT_VERBS = frozenset({"launch", "carry", "conduct", "mount", "stage", "unleash", "wage", "begin", "start", "resume",
                          "intensify", "escalate"})


def _violent_role(head: Token, violent: set[int]) -> str | None:
    """attacker / target from the role of a noun-phrase head towards a violent predicate."""
    gov = head.head
    if head.dep_ == "pobj" and gov.lower_ == "by":
        return "attacker"
    if head.dep_ == "pobj" and gov.lower_ in ("on", "against", "at", "targeting") and gov.head.i in violent:
        return "target"
    if gov.lower_ == "between" and gov.head.i in violent:
        return "attacker" if head.dep_ == "pobj" else None  # 'fighting between X and Y': the first named side
    if head.dep_ == "conj" and head.head.dep_ == "pobj" and head.head.head.lower_ == "between":
        return "target"
    if head.dep_ == "nsubj" and gov.i not in violent and any(
            c.i in violent and c.dep_ in ("advcl", "xcomp", "conj") and not any(g.dep_.startswith("nsubj") for g in c.children)
            for c in gov.children):
        return "attacker"  # 'Pakistan retaliated, shooting down a jet': the subject does the subjectless violence
    if head.dep_ == "dobj" and gov.lemma_ in ("accuse", "blame") and any(
            p.dep_ == "prep" and p.lower_ in ("of", "for") and any(o.i in violent for o in p.children)
            for p in gov.children):
        return "attacker"  # 'Russia accused Ukraine of shelling a village': the accused side is said to have struck
    if gov.i not in violent and not (head.dep_ in ("nsubj", "dobj", "nsubjpass") and gov.lemma_ in _VICTIM_VERBS):
        return None
    if head.dep_ == "nsubjpass" or (head.dep_ == "nsubj" and gov.lemma_ in ("die", "martyr", "perish")):
        return "target"
    if head.dep_ == "nsubj":
        return "attacker"
    if head.dep_ == "dobj" and gov.lemma_.lower() in ("fire", "launch", "lob") and head.lower_ in _PROJECTILES:
        return None  # 'launched a missile and drone attack on Kharkiv': the weapon, not the side attacked
    if head.dep_ in ("dobj", "attr"):
        return "target"
    return None


# 'fighting erupted between X and Y', 'clashes broke out between ...': the sides hang on the verb the fighting is
# the subject of
_ONSET_VERBS = frozenset({"erupt", "break", "rage", "flare", "continue", "resume", "escalate", "intensify", "persist"})


def _sides_phrases(sent: Span, violent: set[int]) -> tuple[list[Token], list[Token]]:
    """'between' phrases whose sides fought ('fighting between X and Y', 'clashes erupted between X and Y') and 'with'
    phrases naming the other side ('clashed with X', 'exchanged fire with X')."""
    def fighting(head: Token) -> bool:
        return head.i in violent or (head.lemma_ in _ONSET_VERBS and any(
            c.dep_ == "nsubj" and c.i in violent for c in head.children))

    def near_fighting(head: Token) -> bool:
        """'clashed with', 'exchanged fire with', 'an exchange of fire with'."""
        for _ in range(3):
            if fighting(head):
                return True
            if head.dep_ not in ("dobj", "pobj", "prep") or (head.dep_ == "prep" and head.lower_ != "of"):
                return False
            head = head.head
        return fighting(head)

    between, with_ = [], []
    for prep in sent:
        if prep.dep_ != "prep":
            continue
        if prep.lower_ == "between" and fighting(prep.head):
            between.append(prep)
        elif prep.lower_ == "with" and near_fighting(prep.head):
            with_.append(prep)
    return between, with_


def _side_role(token: Token, candidates: list[Token], between: list[Token], with_: list[Token]) -> str | None:
    """The first side named in a fighting 'between' phrase is coded as the attacker, the others as targets (the
    order says nothing more); a side named after 'with' is the other side ('with')."""
    for prep in between:
        inside = [c for c in candidates if prep.left_edge.i <= c.i <= prep.right_edge.i]
        if token in inside:
            return "attacker" if token == min(inside, key=lambda c: c.i) else "target"
    if any(prep.left_edge.i <= token.i <= prep.right_edge.i for prep in with_):
        return "with"
    return None


def attack_roles(anchors: list[Token], sent: Span, mentions: list[ActorMention]) -> tuple[list[Participant], list[Participant]]:
    """Attackers and targets in a sentence: dictionary actors and generic nouns ('gunmen', 'soldiers')."""
    violent = {a.i for a in anchors}
    # 'Russian troops mounted an assault on Avdiivka': the light verb's subject is the attacker of its noun
    violent |= {a.head.i for a in anchors if a.pos_ == "NOUN" and a.dep_ == "dobj" and a.head.lemma_ in _LIGHT_VERBS}
    attackers, targets, opponents = [], [], []
    candidates = _candidates(sent, mentions)
    between, with_ = _sides_phrases(sent, violent)
    for token, participant in candidates:
        role = _side_role(token, [t for t, _ in candidates], between, with_)
        if role is not None:
            {"attacker": attackers, "target": targets, "with": opponents}[role].append(participant)
            continue
        head = np_head(token)
        if head.dep_ == "conj" and head.head.dep_ != "conj":
            head = np_head(head.head)  # 'Israel and Hezbollah exchanged fire': the second conjunct has the first's role
        role = _violent_role(head, violent)
        if role is None and token.dep_ in ("amod", "compound", "poss") and token.head.i in violent:
            role = "attacker"  # 'Russian missile strike', "Israel's air strike"
        if role == "attacker":
            attackers.append(participant)
        elif role == "target":
            targets.append(participant)
    # 'X clashed with Y': Y is the side X fought; 'X's soldiers were killed in clashes with Y': Y did the killing
    if targets and not attackers:
        attackers = opponents
    else:
        targets += opponents
    return attackers, targets


def _candidates(sent: Span, mentions: list[ActorMention]) -> list[tuple[Token, Participant]]:
    found = []
    covered = set()
    for m in mentions:
        root = sent.doc[m.start:m.end].root
        if sent.start <= root.i < sent.end:
            found.append((root, Participant(m.canonical_name, m.ref.country, m.sector, root.i)))
            covered |= {np_head(root).i, *range(m.start, m.end)}
    for token in sent:
        sector = _GENERIC_NOUNS.get(token.lower_)
        # 'gale-force winds', 'task-force report': the tail of a hyphenated modifier names no participant
        hyphenated = token.i > sent.start and token.nbor(-1).text == "-" and not token.nbor(-1).whitespace_
        if sector and token.pos_ == "NOUN" and token.i not in covered and not hyphenated:
            found.append((token, Participant(token.text, None, sector, token.i)))
    return found
