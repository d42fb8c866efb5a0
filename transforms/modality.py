"""Realis: did the triggered event happen, or is it planned, proposed, denied, negated or hypothetical?"""

from __future__ import annotations

from spacy.tokens import Token

from schemas.codebook import load_cues

_CLAUSE_POS = {"VERB", "AUX"}
_SEMI_MODALS = {"have", "need", "be", "go", "expect", "set", "schedule", "plan", "hope", "want", "seem", "appear", "likely", "due"}
_MOTION_VERBS = {"arrive", "travel", "fly", "come", "go", "head", "land", "gather", "convene", "sit"}


def governor(anchor: Token) -> tuple[Token | None, str]:
    """The verb an anchor hangs on, through transparent nouns; or (None, reason) when it hangs on a noun."""
    cues = load_cues()
    token = anchor
    if token.pos_ in _CLAUSE_POS:
        return token, ""
    for _ in range(8):
        if token.dep_ == "conj":
            token = token.head
            continue
        if token.dep_ == "pobj" and token.head.dep_ == "prep":
            owner = token.head.head
            if owner.pos_ in _CLAUSE_POS:
                return owner, ""
            # 'killed five in an attack in Mali and 12 in a separate attack in Niger': the parser hangs the second
            # attack on the first; it is a sibling, as real as the first
            if owner.lemma_.lower() in cues["transparent_nouns"] or owner.lemma_ == anchor.lemma_:
                token = owner
                continue
            return None, f"argument of the noun '{owner.text}'"
        if token.dep_ in ("compound", "amod") and token.head.pos_ in ("NOUN", "PROPN"):
            token = token.head
            continue
        break
    head = token.head
    if token.dep_ == "ROOT" or head.i == token.i:
        return None, ""
    return (head, "") if head.pos_ in _CLAUSE_POS else (None, f"argument of the noun '{head.text}'")


_COMMEMORATION = {"anniversary", "commemoration", "memorial", "remembrance", "tribute"}


def _commemorated(anchor: Token) -> bool:
    """'the sixth anniversary of the attack that killed 150': a remembered event, not a new one."""
    token = anchor
    for _ in range(10):
        if token.lemma_.lower() in _COMMEMORATION:
            return True
        if token.head.i == token.i:
            return False
        token = token.head
    return False


def _ancestors(token: Token) -> list[Token]:
    found = []
    while token.head.i != token.i and len(found) < 32:
        token = token.head
        found.append(token)
    return found


def _noun_blocker(anchor: Token) -> str:
    cues = load_cues()
    for child in anchor.children:
        word = child.lower_
        if child.dep_ == "det" and word in cues["negative_determiners"]:
            return f"negated by '{child.text}'"
        if child.dep_ in ("amod", "compound", "nmod") and word in cues["unrealised_modifiers"]:
            return f"not realised: '{child.text}'"
        if child.dep_ == "poss" and child.lower_ in ("next", "tomorrow"):
            return "future"
    return ""


def word_forms(lemmas: list[str]) -> frozenset[str]:
    """Lemmas plus their regular inflections; the small model's lemmatizer misses some ('hopes' -> 'hop')."""
    forms = set()
    for lemma in lemmas:
        stem = lemma[:-1] if lemma.endswith("e") else lemma
        forms |= {lemma, lemma + "s", lemma + "es", lemma + "d", lemma + "ed", stem + "ed", stem + "ing", lemma + "ing"}
    return frozenset(forms)


def is_one_of(token: Token, key: str) -> bool:
    """Whether token is one of the cue verbs listed under key, by lemma or inflected form."""
    forms = word_forms(load_cues()[key])
    return token.lemma_.lower() in forms or token.lower_ in forms


_PLAN_PREPS = {"for", "on", "about", "of", "to", "toward", "towards", "over", None}


def _verb_blocker(verb: Token, anchor_role: str, prep: str | None = None) -> str:
    cues = load_cues()
    for child in verb.children:
        word = child.lower_
        if child.dep_ in ("aux", "auxpass") and word in cues["modal_auxes"]:
            return f"modal '{child.text}'"
        if child.dep_ == "aux" and child.tag_ == "TO" and verb.head.lemma_ not in _MOTION_VERBS:
            return "infinitive (planned or intended)"
        if child.dep_ == "neg" and anchor_role in ("verb", "dobj", "pobj"):
            return f"negated by '{child.text}'"
        if child.dep_ == "mark" and word in ("if", "unless", "whether"):
            return f"conditional '{child.text}'"
    if (anchor_role in ("dobj", "xcomp") or (anchor_role == "pobj" and prep in _PLAN_PREPS)) and is_one_of(verb, "intention_verbs"):
        return f"object of '{verb.text}'"  # 'called for talks'; not 'discussed X during a meeting'
    passive = any(c.dep_ == "auxpass" for c in verb.children)
    if anchor_role == "subject" and passive and is_one_of(verb, "intention_verbs"):
        return f"subject of passive '{verb.text}'"  # 'the visit had to be postponed'
    if verb.dep_ == "conj" and verb.head.pos_ in _CLAUSE_POS:
        for child in verb.head.children:  # 'will meet business leaders and visit a school'
            if child.dep_ in ("aux", "auxpass") and child.lower_ in cues["modal_auxes"]:
                return f"modal '{child.text}' of '{verb.head.text}'"
    return ""


def _governing_blocker(verb: Token) -> str:
    """Look up the chain of clauses: 'agreed to meet', 'denied that they had talked'."""
    cues = load_cues()
    token = verb
    for _ in range(4):
        if token.dep_ not in ("xcomp", "ccomp", "advcl", "conj") or token.head.i == token.i:
            return ""
        head = token.head
        if token.dep_ in ("xcomp", "ccomp") and is_one_of(head, "intention_verbs") and not is_one_of(head, "report_verbs"):
            return f"under '{head.text}'"
        if token.dep_ == "conj":
            token = head
            continue
        if any(c.dep_ in ("aux", "auxpass") and c.lower_ in cues["modal_auxes"] for c in head.children):
            purpose = token.dep_ == "advcl" and any(c.tag_ == "TO" for c in token.children)
            if token.dep_ == "xcomp" or purpose:  # 'will travel to Moscow to meet Putin': the trip is still ahead
                return f"under modal '{head.text}'"
        token = head
    return ""


def realis(anchor: Token, span_tokens: tuple[Token, ...] = ()) -> tuple[bool, str]:
    """(True, '') when the trigger reports an event that happened; else (False, reason)."""
    if _commemorated(anchor):
        return False, "commemorated"
    denial = next((t for t in _ancestors(anchor) if t.pos_ in _CLAUSE_POS and is_one_of(t, "denial_verbs")), None)
    if denial is not None:
        return False, f"under denial '{denial.text}'"
    for token in span_tokens:
        if token.lower_ in load_cues()["negative_determiners"] and token.dep_ == "det":
            return False, f"negated by '{token.text}'"
    if anchor.pos_ not in _CLAUSE_POS:
        reason = _noun_blocker(anchor)
        if reason:
            return False, reason
    verb, reason = governor(anchor)
    if verb is None:
        return (False, reason) if reason else (True, "")
    role = "verb" if verb.i == anchor.i else _role_of(anchor, verb)
    prep = _prep_to(anchor, verb)
    reason = _verb_blocker(verb, role, prep) or _governing_blocker(verb)
    committed = _committed_during(verb) if reason and prep == "during" else None
    if committed is not None:
        # 'agreed to deepen cooperation during talks on Thursday': the talks framed a commitment that was made, so
        # they happened unless the committing verb itself is modal, negated or planned
        reason = _verb_blocker(committed, "verb") or _governing_blocker(committed)
    if not reason and verb.lemma_ in _SEMI_MODALS and role == "subject":
        # 'the visit had to be postponed', 'the talks are expected to resume': the real verb is the complement
        complement = next((c for c in verb.children if c.dep_ == "xcomp" and c.pos_ in _CLAUSE_POS), None)
        if complement is not None and any(c.tag_ == "TO" for c in complement.children):
            reason = f"'{verb.text} to {complement.text}'"
    return (not reason), reason


def _committed_during(verb: Token) -> Token | None:
    """The past-tense commitment verb an infinitive hangs on ('agreed' in 'agreed to deepen ... during talks')."""
    token = verb
    for _ in range(3):
        if token.dep_ != "xcomp" or not any(c.tag_ == "TO" for c in token.children):
            return None
        token = token.head
        if is_one_of(token, "commitment_verbs") and token.tag_ in ("VBD", "VBN"):
            return token
    return None


def _prep_to(anchor: Token, verb: Token) -> str | None:
    """The preposition joining a noun trigger to its verb ('during' in 'discussed X during a meeting')."""
    token = anchor
    while token.head.i not in (verb.i, token.i):
        token = token.head
    return token.lower_ if token.dep_ == "prep" else None


def _role_of(anchor: Token, verb: Token) -> str:
    token = anchor
    while token.head.i not in (verb.i, token.i):
        token = token.head
    if token.dep_ in ("nsubj", "nsubjpass", "expl"):
        return "subject"
    if token.dep_ in ("dobj", "attr", "oprd"):
        return "dobj"
    if token.dep_ == "prep":
        return "pobj"
    return token.dep_
