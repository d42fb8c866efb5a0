"""Casualty counts in a sentence: how many were killed or injured, who, and whether it is one event's toll.

ACLED-style and conservative: the stated figure, vague words per ``numbers.VAGUE`` ("dozens" = 12), ranges' low
end. No count for "killed and wounded 15" (split unknown), "the killing of a journalist" (often background),
"many", or euphemisms ("neutralised", "sent to hell") without a number; "killed a journalist" gives 1.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from transforms.numbers import NUMBER, QUALIFIER, looks_like_count, normalize_qualifier, parse_number


@dataclass(frozen=True)
class CasualtyMention:
    """One casualty figure in a text, with its span and the context flags that decide whether it counts."""

    kind: str  # "killed" | "injured"
    count: int  # conservative number (lower bound)
    start: int  # char span of the number+verb phrase in the text
    end: int
    text: str
    qualifier: str | None  # "at least", "more than", "about", "up to", "another", None
    cumulative: bool  # a running toll of a whole war/conflict/period, not one event
    disaster: bool  # deaths from accidents, disasters, disease (not violence)
    who: str | None  # victims' noun phrase when simple, e.g. "Turkish soldiers"
    toll: bool = False  # an event total ("the death toll rose to 16"), a floor rather than one more group


# A mention before its context flags, with the span of its number (or determiner) that no other may reuse.
_Found = tuple[CasualtyMention, tuple[int, int]]
_Item = tuple[int, str | None, str | None, tuple[int, int]]  # count, who, qualifier, number span

_STOP = (  # words that end a victim noun phrase
    r"(?:were|was|are|is|be|been|being|have|has|had|will|would|and|or|but|nor|in|on|at|by|with|from|to|into|for|"
    r"during|after|before|when|while|as|that|who|which|where|if|than|then|also|reportedly|later|all|said|says|say|"
    r"including|among|near|more|over|across|under|inside|outside|since|through|throughout|last|this|next|yesterday|"
    r"today|tonight|overnight|earlier|\w+day|killed|killing|died|dead|wounded|injured|hurt|kills?|a|an|another)"
)
# after 'of' a number or article belongs to the phrase: '14 members of one family', '3 members of a crew'
_WORD = rf"(?:(?<=\bof )(?=(?:one|a|an)\b)|(?!{_STOP}\b|{NUMBER}))(?:[0-9]+-)?[A-Za-z](?:[\w'’-]|\.(?=\w))*(?:(?<=\.[A-Za-z])\.)?"
_ITEM_G = (  # "at least 12 Turkish soldiers", "her two children", "another five", "a 23-year-old man"
    rf"(?:(?:(?:the|his|her|their|its|all|all\s+the|the\s+remaining)\s+)?(?:(?P<q>{QUALIFIER})\s+)?"
    rf"(?P<num>{NUMBER})(?P<more>\s+more)?(?P<who>(?: {_WORD}){{0,5}})"  # one space: a headline break ends the phrase
    rf"|(?P<det>a|an|another|the|his|her|their|its)(?P<swho>(?: {_WORD}){{1,5}}))"
)
_ITEM = re.sub(r"\?P<\w+>", "?:", _ITEM_G)
_LIST = rf"{_ITEM}(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+){_ITEM}){{0,3}}"
_PAREN = r"(?:\s*,\s*(?:including|among\s+them|most\s+of\s+them|mostly|many\s+of\s+them)\b[^,.;]{0,80},)?"
_AUX = (
    r"(?:(?:who|that)\s+)?(?:(?:have|has|had)\s+(?:since\s+)?(?:been\s+)?|(?:were|was|are|is|be|got|get)\s+(?:being\s+)?)"
)
_ADV = r"(?:(?:also|later|all|since|reported|confirmed|found|then|both|\w+ly)\s+){0,2}"  # "reportedly", "also"
_EUPHEMISM = r"neutrali[sz]ed|eliminated|liquidated|sent\s+to\s+(?:hell|their\s+deaths?|the\s+grave)"
_KILLED_P = (
    r"killed|slain|dead|died|die|drowned|perished|martyred|massacred|slaughtered|murdered|beheaded|assassinated|"
    r"among\s+(?:those\s+|the\s+)(?:killed|dead)|shot\s+dead|shot\s+and\s+killed|gunned\s+down|(?:shot|stabbed|"
    r"beaten|burned|burnt|hacked|stoned|crushed|tortured)\s+to\s+death|lost\s+(?:their|his|her)\s+lives?|"
    r"succumbed\s+to\s+(?:their|his|her)\s+(?:wounds|injuries)|deaths|fatalities|lives\s+(?:were|have\s+been)\s+lost"
)
_INJURED_P = r"wounded|injured|hurt|maimed|hospitali[sz]ed|sustained\s+(?:\w+\s+)?(?:injuries|wounds)"
_PASSIVE = re.compile(
    rf"\b(?P<subj>{_LIST}){_PAREN}\s+(?P<aux>{_AUX})?{_ADV}"
    rf"(?P<verb>(?P<euph>{_EUPHEMISM})|(?P<inj>{_INJURED_P})|{_KILLED_P})\b", re.I
)
_ACTIVE = re.compile(
    r"\b(?P<verb>(?P<inj>wound(?:s|ed|ing)?|injur(?:e|es|ed|ing))|kill(?:s|ed|ing)?|massacr(?:ed|ing)|"
    r"slaughter(?:ed|ing)|murder(?:ed|ing)|slew|(?:shot|shooting)\s+dead|gunn(?:ed|ing)\s+down|shot\s+and\s+"
    r"killed|beheaded|(?:claim|cost|take|took)\w*(?:\s+the\s+lives\s+of|(?=[^.;,]{1,40}?\blives\b))"
    r"|(?P<noun>deaths?\s+of|killings?\s+of))"
    rf"\s+(?P<obj>{_LIST})", re.I
)
_TOLL = re.compile(
    r"\b(?:death\s+toll|toll|number\s+of\s+(?:the\s+)?(?:dead|deaths|fatalities|victims|(?:people\s+|those\s+)?killed)"
    r"|number\s+of\s+(?P<inj>(?:the\s+)?(?:injured|wounded|injuries|people\s+(?:injured|wounded))))"
    r"[^.;!?]{0,80}?\b(?:to|at|of|reached|hit|was|is|stands|stood|now)\s+"
    rf"(?:(?P<q>{QUALIFIER})\s+)?(?P<num>{NUMBER})", re.I
)
_LOSS_OF_LIVES = re.compile(rf"\bloss\s+of\s+(?:(?P<q>{QUALIFIER})\s+)?(?P<num>{NUMBER})\s+(?:\w+\s+)?lives\b", re.I)
_ITEM_RE = re.compile(_ITEM_G, re.I)
_AMBIGUOUS_AFTER = re.compile(r"\s*(?:and|or|and/or|&)\s+(?:\w+ly\s+)?(?:wounded|injured|killed|dead|hurt)\b", re.I)
_AMBIGUOUS_BEFORE = re.compile(r"\b(?:kill\w*|wound\w*|injur\w*|dead)\s+(?:and|or|and/or|&)\s+$", re.I)
_OBJECT_AFTER = re.compile(rf"\s+(?:(?:{QUALIFIER})\s+)?(?:(?:{NUMBER})|a|an|the|his|her|their|its|him|them|another)\b", re.I)
_TRANSITIVE = re.compile(rf"killed|wounded|injured|massacred|slaughtered|murdered|beheaded|assassinated|shot|gunned|"
                         rf"{_EUPHEMISM}", re.I)
_PASSIVE_TAIL = re.compile(rf"{_PAREN}\s+(?:{_AUX})?{_ADV}(?:{_KILLED_P}|{_INJURED_P}|{_EUPHEMISM})\b", re.I)
_SPEAKER = re.compile(r"\s+(?:said|says|told|added|reported|stated|claimed|confirmed|announced)\b", re.I)

_HUMAN = frozenset(  # people nouns the suffix rule below misses; -ant/-ent is too mixed with things to be a rule
    "boy girl child baby infant teen youth person guard militant rebel insurgent assailant official nurse medic "
    "paramedic shepherd student pupil resident pilot marine conscript recruit priest imam cleric monk nun son husband "
    "wife uncle aunt cousin nephew niece relative sibling siblings brother brothers sister sisters passer-by passerby chief judge inmate hostage suspect migrant "
    "pilgrim colonel general captain lieutenant sergeant corporal private cop agent spy informant operative combatant "
    "citizen national kid people police personnel troops staff crew children family families them those whom taliban "
    "militia forces immigrant president servant occupant tenant assistant merchant patient parent adolescent "
    "correspondent opponent dissident participant claimant defendant".split()
)
_NOT_HUMAN = frozenset(  # things in -er/-or that the suffix rule would take for people
    "number water border order center centre corner quarter quarters headquarters helicopter computer river chamber "
    "shelter matter letter winter summer paper power tower container tanker bunker trailer weather cluster disaster "
    "sector factor error floor door motor tractor reactor corridor mirror meter metre theatre theater barrier "
    "carrier launcher register character cancer murder manner dinner finger fever".split()
)
# Head-noun endings that name people: soldier, gunman, activist, civilian, detainee, 23-year-old, Iraqi(s).
_HUMAN_SUFFIX = ("man", "men", "er", "or", "ist", "ian", "ee", "old", "i")
_GENERIC_WHO = frozenset({"people", "persons", "individuals", "person"})

_CUMULATIVE = re.compile(
    r"(?<!\bhave )(?<!\bhas )(?<!\bhad )\bsince\b|\bso\s+far\s+(?:this|in)\b|\b(?:this|last|past)\s+(?:year|month|"
    r"decade)\b|\bin\s+(?:19|20)[0-9]{2}\b|\b(?:over|in|during)\s+the\s+(?:past|last|previous)\b|\bto\s+date\b"
    r"|\bin\s+total\b|\bthroughout\b|\b(?:each|every|per)\s+(?:year|month|week|day)\b"
    r"|\b(?:the|this|a|its|civil)\s+(?:[\w-]+\s+)?(?:war|conflict|insurgency|uprising|revolution|intifada)\b"
    r"(?!-|\s+crimes?)|\b(?:years|months|decades|weeks)\s+of\s+(?:war|fighting|conflict|violence)\b", re.I
)
_SUPERLATIVE = re.compile(r"\b(?:deadliest|worst|bloodiest|biggest|largest|highest|first|most)\b[^,;]{0,40}$", re.I)
_DISASTER = re.compile(
    r"\b(?:earthquakes?|quakes?|tremors?|flood\w*|landslides?|mudslides?|avalanches?|storms?|cyclones?|hurricanes?|"
    r"typhoons?|tornado\w*|tsunamis?|wildfires?|bushfires?|forest\s+fires?|heat\s?waves?|droughts?|famine|"
    r"lightning|volcan\w*|eruptions?|covid\w*|coronavirus|pandemic|epidemic|outbreak|cholera|ebola|malaria|measles|"
    r"diseases?|virus|illness|drown\w*|accident\w*|stampede|bad\s+weather|heavy\s+rains?|snowstorms?|blizzards?|"
    r"carbon\s+monoxide|gas\s+(?:leak|explosion|cylinder)|food\s+poisoning|capsiz\w*|shipwreck|derail\w*|collision|"
    r"overdoses?|heart\s+attacks?|natural\s+causes)\b", re.I
)
_DISASTER_WEAK = re.compile(  # crashes, collapses, fires: accidents unless the clause shows violence too
    r"\b(?:crash\w*|collaps\w*|(?:a|the)\s+(?:[\w-]+\s+)?(?:fire|blaze)|sank|sinking|burn[et]d?)\b", re.I
)
_VIOLENCE = re.compile(
    r"\b(?:shot|shoot\w*|attack\w*|bomb\w*|missiles?|rockets?|shell\w*|strikes?|gun\w*|militants?|rebels?|terror\w*|"
    r"insurgents?|ambush\w*|suicide|arson\w*|set\s+fire|torched|clash\w*|fighting|artillery|drones?|ied|explosives?|"
    r"grenades?|opened\s+fire|downed)\b", re.I
)
_JOINED = re.compile(r"\s*,?\s*(?:(?:and|while|with|as\s+well\s+as)\s+)?", re.I)
_REGION_BEFORE = 80
_CLAUSE_CUT = re.compile(
    r"[.;!?](?:\s|$)|,\s+(?:and|but|while|whereas|where|which|whose)\b|\b(?:while|whereas|but)\b", re.I
)


def _is_human(who: str, singular: bool) -> bool:
    """Whether a noun phrase's head (before any "of") names people; singular heads must not look plural."""
    words = re.split(r"\s+of\b", who.strip().lower())[0].split() or who.lower().split()
    head = (words[-1] if words else "").removesuffix("'s").removesuffix("’s")
    if singular and head.endswith("s") and not head.endswith("ss"):
        return False
    stem = head.removesuffix("s")
    return not {head, stem} & _NOT_HUMAN and (bool({head, stem} & _HUMAN) or stem.endswith(_HUMAN_SUFFIX))


def _trim_who(who: str, singular: bool) -> str | None:
    """The longest prefix of the words after a number that ends on a person noun, else the words as they are."""
    words = re.sub(r"^of\s+|^lives$", "", who.strip(), flags=re.I).split()
    for size in range(len(words), 0, -1):
        if words[size - 1].lower() not in ("of", "the") and _is_human(" ".join(words[:size]), singular):
            return " ".join(words[:size])
    return None if singular else " ".join(words) or None


def _item(item: re.Match[str], base: int, text: str, *, anchor: bool, numbered: bool) -> _Item | None:
    """One subject/object item as a victim group, or None if it is not one (no count, not people)."""
    if item.group("num") is not None:
        span = (base + item.start("num"), base + item.end("num"))
        value = parse_number(item.group("num"))
        # "three of the dead": a who ending in "of the" means the verb slot holds a noun restating another group.
        if value is None or not looks_like_count(text, *span) or re.search(r"\b(?:of|the)$", item.group("who")):
            return None
        who = _trim_who(item.group("who"), singular=False)
        # Items away from the verb must name people, or "attacked two posts and three soldiers died" sums 5.
        if not anchor and not (who and _is_human(who, singular=False)):
            return None
        qualifier = normalize_qualifier(item.group("q")) or ("another" if item.group("more") else None)
        return value[0], who, qualifier, span
    who = _trim_who(item.group("swho"), singular=True)
    if numbered or who is None or _SPEAKER.match(text, base + item.end()):
        return None
    span = (base + item.start("det"), base + item.end("det"))
    return 1, who, "another" if item.group("det").lower() == "another" else None, span


def _groups(match: re.Match[str], text: str, *, passive: bool, numbered: bool) -> list[_Found]:
    """Victim groups in a conjoined list ("a mother and her two children"), each spanning item and verb."""
    name = "subj" if passive else "obj"
    base, kind = match.start(name), "injured" if match.group("inj") else "killed"
    items = list(_ITEM_RE.finditer(match.group(name)))
    seps = [match.group(name)[a.end():b.start()] for a, b in zip(items, items[1:])]
    # Commas alone rarely coordinate victims ("In the attack, two soldiers ..."): keep the item at the verb.
    if not any(re.search(r"\band\b", sep, re.I) for sep in seps):
        items = items[-1:] if passive else items[:1]
    found = []
    for index, item in enumerate(items[::-1] if passive else items):
        parsed = _item(item, base, text, anchor=index == 0, numbered=numbered)
        if parsed is None:
            break  # a non-victim item ends the list: what lies beyond it belongs to another clause
        count, who, qualifier, span = parsed
        start, end = (base + item.start(), match.end()) if passive else (match.start(), base + item.end())
        found.append((CasualtyMention(kind, count, start, end, text[start:end], qualifier, False, False, who), span))
    return found


def _passive(m: re.Match[str], text: str) -> list[_Found]:
    """ "eight soldiers were killed", "23 dead", "a mother and her two children died"."""
    # "Eight soldiers killed three militants": a bare participle with an object is active, not passive.
    active = m.group("aux") is None and _TRANSITIVE.match(m.group("verb")) and _OBJECT_AFTER.match(text, m.end())
    if active or _AMBIGUOUS_AFTER.match(text, m.end()):
        return []
    return _groups(m, text, passive=True, numbered=bool(m.group("euph")))


def _active(m: re.Match[str], text: str) -> list[_Found]:
    """ "killed eight soldiers", "killing at least 12", "claimed the lives of 40"."""
    if _AMBIGUOUS_BEFORE.search(text, max(0, m.start() - 30), m.start()):
        return []
    groups = _groups(m, text, passive=False, numbered=bool(m.group("noun")))
    # "killed two soldiers and three civilians were wounded": the last item is the next clause's subject.
    return groups[:-1] if len(groups) > 1 and _PASSIVE_TAIL.match(text, m.end()) else groups


def _scan(pattern: re.Pattern[str], text: str, handle: Callable[[re.Match[str], str], list[_Found]]) -> list[_Found]:
    """All handled matches; a match that yields nothing is retried one char on, so it cannot hide a better one."""
    found: list[_Found] = []
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        found.extend(got := handle(m, text))
        pos = m.end() if got else m.start() + 1
    return found


def _tolls(text: str) -> list[_Found]:
    """Event totals: "the death toll rose to 16", "the number of injured reached 30"."""
    found = []
    for m in [*_TOLL.finditer(text), *_LOSS_OF_LIVES.finditer(text)]:
        value = parse_number(m.group("num"))
        if value is not None and looks_like_count(text, m.start("num"), m.end("num")):
            injured = "inj" in m.re.groupindex and m.group("inj")
            mention = CasualtyMention("injured" if injured else "killed", value[0], m.start(), m.end(),
                                      m.group(), normalize_qualifier(m.group("q")), False, False, None, toll=True)
            found.append((mention, (m.start("num"), m.end("num"))))
    return found


def _region(text: str, start: int, end: int, prev_end: int, next_start: int) -> str:
    """The clause around a mention, stopping at neighbouring mentions and clause breaks."""
    before = _CLAUSE_CUT.split(text[min(prev_end, start):start])[-1][-_REGION_BEFORE:]  # a far "since" is another clause
    after = _CLAUSE_CUT.split(text[end:max(end, next_start)], maxsplit=1)[0]
    return before + text[start:end] + after


def _flagged(mention: CasualtyMention, region: str) -> CasualtyMention:
    """The mention with its cumulative and disaster flags set from the clause around it."""
    # "since" is a period cue except after a superlative ("the deadliest attack since 2019").
    cumulative = any(not _SUPERLATIVE.search(region, 0, cue.start()) for cue in _CUMULATIVE.finditer(region))
    weak = bool(_DISASTER_WEAK.search(region)) and not _VIOLENCE.search(region)
    return replace(mention, cumulative=cumulative, disaster=bool(_DISASTER.search(region)) or weak)


def find_casualties(text: str) -> list[CasualtyMention]:
    """All killed/injured figures in text, in reading order, each with its context flags."""
    accepted: list[_Found] = []
    for found in _tolls(text) + _scan(_ACTIVE, text, _active) + _scan(_PASSIVE, text, _passive):
        # One number, one mention: tolls and active readings outrank the looser passive one.
        if all(found[1][1] <= span[0] or found[1][0] >= span[1] for _, span in accepted):
            accepted.append(found)
    # Mentions joined by "and" or a comma share a clause ("2 killed and 15 hurt when a gas tank exploded").
    chains: list[list[CasualtyMention]] = []
    for mention, _ in sorted(accepted, key=lambda f: (f[0].start, f[1])):
        if chains and _JOINED.fullmatch(text[chains[-1][-1].end:mention.start]):
            chains[-1].append(mention)
        else:
            chains.append([mention])
    flagged = []
    for index, chain in enumerate(chains):
        prev_end = chains[index - 1][-1].end if index else 0
        next_start = chains[index + 1][0].start if index + 1 < len(chains) else len(text)
        region = _region(text, chain[0].start, max(m.end for m in chain), prev_end, next_start)
        flagged.extend(_flagged(m, region) for m in chain)
    return flagged


def _total(mentions: Sequence[CasualtyMention], kind: str) -> int | None:
    """Sum of distinct groups of one kind; an event toll is a floor for that sum."""
    seen: set[tuple[int, str | None]] = set()
    groups, tolls = [], []
    for m in mentions:
        if m.kind != kind or m.cumulative or m.disaster:
            continue
        key = (m.count, None if m.who is None or m.who.lower() in _GENERIC_WHO else _head_noun(m.who))
        # The same figure for the same victims restated in one sentence is one group; "another 3" never repeats.
        if key in seen and m.qualifier != "another":
            continue
        seen.add(key)
        (tolls if m.toll else groups).append(m.count)
    return max(max(tolls, default=0), sum(groups)) if groups or tolls else None


def _head_noun(who: str) -> str:
    """'Colombian regular soldiers' and 'Colombian soldiers' name the same group: compare head nouns."""
    return who.lower().split()[-1].rstrip("s")


def total_killed(mentions: Sequence[CasualtyMention]) -> int | None:
    """Killed in one event: distinct groups summed, cumulative and disaster figures excluded; None if none."""
    return _total(mentions, "killed")


def total_injured(mentions: Sequence[CasualtyMention]) -> int | None:
    """Injured in one event, by the same rules as total_killed."""
    return _total(mentions, "injured")
