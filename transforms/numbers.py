"""Cardinal numbers in news prose: regex fragments, a parser, and a guard against non-count numbers."""

from __future__ import annotations

import re

_SMALL = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
_MULTIPLIERS = {"hundred": 100, "thousand": 1_000, "million": 1_000_000}

# Vague quantities, coded ACLED-style: the smallest literal reading of the word, never a guess at
# the midpoint ("dozens" is at least one dozen, "hundreds" at least one hundred).
VAGUE: dict[str, int] = {
    "a couple": 2, "a couple of": 2,
    "a few": 3, "several": 3, "some": 3, "a handful": 3, "a handful of": 3,
    "half a dozen": 6,
    "a dozen": 12, "dozen": 12, "dozens": 12, "dozens of": 12,
    "a score": 20, "a score of": 20, "scores": 20, "scores of": 20,
    "hundreds": 100, "hundreds of": 100,
    "thousands": 1_000, "thousands of": 1_000,
    "tens of thousands": 10_000, "hundreds of thousands": 100_000,
}
_VAGUE_MULTIPLE = {"several": 3, "a few": 3, "some": 3, "a couple of": 2}
_SCALE = {"dozen": 12, "hundred": 100, "thousand": 1_000}
# "many", "few" and "numerous" are deliberately absent: they carry no countable lower bound.

_UNIT = "one|two|three|four|five|six|seven|eight|nine"
_TEEN = "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_SMALL_RE = rf"(?:(?:{_TENS})(?:[-\s](?:{_UNIT})\b)?|{_TEEN}|{_UNIT})"
_MULT_RE = "hundred|thousand|million"
WORD_NUMBER = (
    rf"(?:a\s+(?:{_MULT_RE})|{_SMALL_RE})(?:\s+(?:{_MULT_RE})(?:\s+(?:and\s+)?{_SMALL_RE})?)*"
)
DIGIT_NUMBER = rf"(?:[0-9]{{1,3}}(?:,[0-9]{{3}})+|[0-9]+(?:\.[0-9]+)?)(?:\s+(?:{_MULT_RE}))?"
VAGUE_NUMBER = (
    r"(?:(?:tens|hundreds)\s+of\s+thousands|(?:several|a\s+few|some|a\s+couple\s+of)\s+(?:hundred|thousand)"
    r"|(?:(?:two|three|2|3)\s+dozen|half\s+a\s+dozen|a\s+dozen|dozens|hundreds|thousands|scores)(?:\s+of)?"
    r"|a\s+score(?:\s+of)?|a\s+couple(?:\s+of)?|a\s+handful(?:\s+of)?|a\s+few|several|some)"
)
_EXACT = rf"(?:{DIGIT_NUMBER}|{WORD_NUMBER})"
_ONE = rf"(?:{VAGUE_NUMBER}|{_EXACT})"
# A count, a range ("20-30", "two or three", "between 5 and 7"); use with re.IGNORECASE.
NUMBER = (
    rf"(?:between\s+{_EXACT}\s+and\s+{_EXACT}|{_EXACT}(?:\s*[-–]\s*{_EXACT}|\s+(?:to|or)\s+{_EXACT})?"
    rf"|{VAGUE_NUMBER})(?![\w-])"
)

# Hedges in front of a count, mapped to the five qualifiers downstream code distinguishes.
_QUALIFIERS = {
    "at least": ("at least", "no fewer than", "no less than", "a minimum of", "not less than"),
    "more than": ("more than", "over", "upwards of", "in excess of", "well over"),
    "about": ("about", "around", "roughly", "approximately", "nearly", "almost", "some", "an estimated",
              "estimated", "close to", "an approximate"),
    "up to": ("up to", "as many as", "at most", "fewer than", "less than", "under"),
    "another": ("another", "a further", "an additional", "additional", "further"),
}
_QUALIFIER_OF = {" ".join(p.split()): norm for norm, phrases in _QUALIFIERS.items() for p in phrases}
QUALIFIER = "(?:" + "|".join(
    re.escape(p).replace(r"\ ", r"\s+") for p in sorted(_QUALIFIER_OF, key=len, reverse=True)
) + r")\b"

_RANGE = re.compile(r"^(?:between\s+(.+?)\s+and\s+(.+)|(.+?)\s*(?:[-–]|\bto\b|\bor\b)\s*(.+))$")
_WORD_FULL = re.compile(rf"{WORD_NUMBER}", re.IGNORECASE)
_DIGITS_FULL = re.compile(rf"([0-9]{{1,3}}(?:,[0-9]{{3}})+|[0-9]+(?:\.[0-9]+)?)(?:\s+({_MULT_RE}))?")

# Numbers that name things (UN resolutions, aircraft, highways) rather than count people.
_DESIGNATORS = (
    "resolution|article|chapter|section|paragraph|clause|flight|route|highway|road|no|number|brigade|"
    "division|battalion|regiment|corps|unit|protocol|minsk|page|room|block|sector|hill|camp|level|phase|"
    "platform|gate|terminal|district|zone|km|kilometre|kilometer|mile|channel|model|version|covid|"
    "aged|age|ages|code|apartment|tranche|su|mig|mi|tu|grade|mark|mk"
)
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_BEFORE_BAD = re.compile(rf"(?:\b(?:{_DESIGNATORS}|{_MONTHS})\.?\s*|[\w$€£#/:.,-]|\bno\s+|\bnot\s+)$", re.I)
_AFTER_BAD = re.compile(
    r"^(?:[\w%°]|[-–/:.,][0-9]|[-–]\s*(?:year|month|week|day|hour|minute|km|mile|metre|meter|kg)"
    r"|\s*(?:%|percent\b|per\s+cent\b|years?\b|months?\b|weeks?\b|days?\b|hours?\b|hrs?\b|minutes?\b|"
    r"seconds?\b|decades?\b|centuries\b|a\.?m\b|p\.?m\b|o'clock|gmt\b|utc\b|km\b|kilomet\w*|miles?\b|"
    r"met(?:er|re)s?\b|feet\b|kg\b|tonnes?\b|tons?\b|dollars?\b|euros?\b|times\b|th\b|st\b|nd\b|rd\b|"
    rf"(?:{_MONTHS})\b))",
    re.I,
)
_YEAR_CONTEXT = re.compile(r"\b(?:in|since|until|till|by|from|of|to|before|after|during|early|late|mid|spring|"
                           r"summer|autumn|fall|winter)\s+$", re.I)


def parse_number(words: str) -> tuple[int, int] | None:
    """Value of a number phrase as (low, high); vague words use the VAGUE table; None if not a number."""
    text = " ".join(words.lower().replace("–", "-").split())
    if not text:
        return None
    if text in VAGUE:
        return VAGUE[text], VAGUE[text]
    single = _parse_single(text)
    if single is not None:
        return single, single
    match = _RANGE.match(text)
    if match is None:
        return None
    low_text, high_text = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
    low, high = _parse_single(low_text), _parse_single(high_text)
    if low is None or high is None:
        return None
    return min(low, high), max(low, high)


def _parse_single(text: str) -> int | None:
    """One number, no range: vague word, digits (with multiplier), "N dozen" or spelled-out words."""
    text = text.strip().removesuffix(" of")
    if text in VAGUE:
        return VAGUE[text]
    head, _, tail = text.rpartition(" ")
    if tail in _SCALE and head in _VAGUE_MULTIPLE:
        return _VAGUE_MULTIPLE[head] * _SCALE[tail]
    if tail == "dozen" and head:
        base = _parse_single(head)
        return None if base is None else base * 12
    digits = _DIGITS_FULL.fullmatch(text)
    if digits:
        whole, _, fraction = digits.group(1).replace(",", "").partition(".")
        # A bare decimal ("1.5") is a measurement, never a head count; absurd lengths are not counts either.
        if len(whole) > 12 or (fraction and not digits.group(2)):
            return None
        scale = _MULTIPLIERS.get(digits.group(2) or "", 1)
        return int(whole) * scale + int(fraction or "0") * scale // 10 ** len(fraction)
    return _parse_words(text) if _WORD_FULL.fullmatch(text) else None


def _parse_words(text: str) -> int | None:
    """Spelled-out cardinal ("two hundred and twenty-three") to int, or None on an unknown word."""
    total, current = 0, 0
    for token in re.split(r"[\s-]+", text):
        if token in _SMALL:
            current += _SMALL[token]
        elif token in ("a", "and"):
            current += 1 if token == "a" else 0
        elif token == "hundred":
            current = max(current, 1) * 100
        elif token in _MULTIPLIERS:
            total += max(current, 1) * _MULTIPLIERS[token]
            current = 0
        else:
            return None  # case-folded look-alikes ("ſeven") pass the regex but are not numbers
    return total + current


def looks_like_count(text: str, start: int, end: int) -> bool:
    """False when the number at text[start:end] is a year, age, time, ordinal, measure or designator."""
    before, after = text[max(0, start - 24):start], text[end:end + 24]
    if _BEFORE_BAD.search(before) or _AFTER_BAD.match(after):
        return False
    number = text[start:end]
    if re.fullmatch(r"(?:19|20)[0-9]{2}", number):
        # A bare four-digit 19xx/20xx is a year unless it counts a following noun ("2000 people").
        return not _YEAR_CONTEXT.search(before) and bool(re.match(r"\s+[A-Za-z]", after))
    return True


def normalize_qualifier(phrase: str | None) -> str | None:
    """Map a hedge ("upwards of", "nearly") to its canonical qualifier, or None."""
    if not phrase:
        return None
    return _QUALIFIER_OF.get(" ".join(phrase.lower().split()))
