"""Date expressions in news text, resolved against the publication date (ACLED-style precision)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

# A yearless date at most this far after publication is an upcoming (planned) date, not last year's.
FUTURE_WINDOW_DAYS = 60
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_NUMBERS = dict(zip("a an one two three four five six seven eight nine ten eleven twelve twenty".split(),
                    (1, 1, *range(1, 13), 20)))
_FUZZY = {"a few": (2, 6), "few": (2, 6), "several": (3, 7), "a couple of": (2, 3), "a couple": (2, 3)}
_AMOUNTS = _FUZZY | {w: (n, n) for w, n in _NUMBERS.items()} | {str(i): (i, i) for i in range(1000)}
# unit -> (days per unit, offset slack, "ago" slack, days when uncounted ("days after"), "recent <unit>s" reach)
_UNITS = {"minute": (0, 0, 0, (0, 0), 0), "hour": (0, 0, 0, (0, 1), 1), "day": (1, 0, 0, (1, 7), 7),
          "week": (7, 1, 3, (7, 28), 28), "month": (30, 3, 15, (30, 180), 180),
          "year": (365, 15, 182, (365, 1825), 730)}
_FIXED_OFFSETS = {"ahead of": (0, 3, "before"), "on the eve of": (1, 1, "before"), "shortly before": (0, 1, "before"),
                  "shortly after": (0, 1, "after"), "soon after": (0, 3, "after"),
                  "in the run-up to": (0, 14, "before"), "in the wake of": (0, 7, "after"),
                  "the next day": (1, 1, "after"), "the following day": (1, 1, "after"),
                  "the previous day": (1, 1, "before")}
_DAY_WORDS = {"day before yesterday": -2, "day after tomorrow": 2, "yesterday": -1, "last night": -1, "tomorrow": 1}
_THIRDS = (("early", "the start", "the beginning"), ("mid", "the middle"), ("late", "the end"))


@dataclass(frozen=True)
class DateMention:
    """An anchored date expression: the span it covers and the days it allows."""
    start: int
    end: int
    text: str
    first: date
    last: date
    precision: str  # "day" | "range" | "week" | "month" | "approximate"
    future: bool = False  # runs past publication: planned or announced rather than reported
    year_only: bool = False  # only a year is known ("in 2014", "last year", "the 2019 election")


@dataclass(frozen=True)
class OffsetMention:
    """A distance from some other date ("a few days after", "ahead of"); the caller picks anchor and sign."""
    start: int
    end: int
    text: str
    amount_days: tuple[int, int]
    direction: str  # "after" | "before", as written


_NUM = "|".join(sorted([*_FUZZY, *_NUMBERS], key=len, reverse=True)) + r"|\d{1,3}"
_HEDGE = r"about|around|some|nearly|almost|roughly|approximately|more\s+than|less\s+than|over|under|just"
_WD = "|".join(WEEKDAYS)
_MONTH_FULL = "January|February|March|April|May|June|July|August|September|October|November|December"
_MONTH = rf"(?:(?:{_MONTH_FULL})\b|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?)"
_SEP = r"(?:\s*[-–—]\s*|\s+(?:to|through|until|till)\s+)"
_YEAR = r"(?P<y>(?:19|20)\d\d)(?!\d)"
_PART = r"(?P<part>(?i:early|mid|late|the\s+(?:start|beginning|middle|end)\s+of))"
_PREP = r"(?i:in|since|during|by|until|till|from|of|before|after|throughout)"
_MONTH_PREP = r"(?i:in|since|during|until|till|throughout)"  # not "by May", "of May": Theresa May
# Weekday names inside titles (newspapers, programmes, holidays) are not dates.
_NOT_A_DAY = r"(?!\s+(?:Times|Telegraph|Express|Mirror|Herald|Post|Independent|Tribune|Mail|Star|Sport|Morning)\b)"
_NOT_A_HOLIDAY = "".join(rf"(?<!{h} )" for h in "Good Black Bloody Ash Holy Palm Super Maundy Cyber".split())
# A day number: not part of a larger number, decimal, time, price or fraction.
_D1, _D2 = (rf"(?<![\w.,:/$£€])(?P<{g}>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\b" for g in ("d", "d2"))
_ISO = re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d\d)-(?P<d>\d\d)(?!\d)")
_MD = re.compile(rf"\b(?:(?:{_WD}),?\s+)?(?P<m1>{_MONTH})\s+{_D1}(?:{_SEP}(?:(?P<m2>{_MONTH})\s+)?{_D2})?"
                 rf"(?:,?\s+{_YEAR})?")
_DM = re.compile(rf"(?:\b(?:{_WD}),?\s+)?(?:\b(?i:the)\s+)?{_D1}(?:(?:\s+(?P<m1>{_MONTH}))?{_SEP}{_D2})?"
                 rf"(?:\s+of)?\s+(?P<m2>{_MONTH})(?:,?\s+{_YEAR})?")
_MONTH_ONLY = re.compile(rf"(?:\b(?P<prep>{_MONTH_PREP})\s+)?(?P<core>(?:\b(?P<rel>(?i:last|next|this))\s+)?"
                         rf"(?:\b{_PART}[\s-]*)?\b(?P<m1>{_MONTH_FULL})\b(?!(?<=May)['’]s)(?:,?\s+{_YEAR}|\s+(?P<yrel>(?i:last|this))\s+year)?)")
_YEAR_ONLY = re.compile(rf"(?:\b{_PREP}\s+|\b(?i:the)\s+(?=(?:19|20)\d\d\s+[a-z]))"
                        rf"(?P<core>(?:\b{_PART}[\s-]*)?\b{_YEAR})(?![,.]\d|s\b|\s*[-–/]\s*\d|\s*%)")
_WEEKDAY = re.compile(rf"(?P<core>(?:\b(?P<rel>(?i:last|next|this|early|late|overnight)(?:\s+on)?)\s+)?"
                      rf"{_NOT_A_HOLIDAY}\b(?P<wd>{_WD})\b{_NOT_A_DAY}(?:,?\s+(?i:morning|afternoon|evening|night))?"
                      rf"(?:\s+(?i:into|to|through|until)\s+(?P<wd2>{_WD})\b)?)")
_RELDAY = re.compile(r"\b(?P<w>the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow|"
                     r"(?:(?:early|late|earlier|later)\s+)?(?:today|tonight|yesterday|tomorrow)"
                     r"(?:\s+(?:morning|afternoon|evening|night))?|this\s+(?:morning|afternoon|evening)|last\s+night)\b"
                     rf"(?:\s*\(\s*(?P<wd>{_WD})\s*\))?", re.I)
_PERIOD = re.compile(r"\b(?P<core>(?:(?P<q>earlier|later)\s+|(?P<third>early|mid|late)\s+)?(?P<rel>this\s+past|this|last|next|past|the\s+past|"
                     r"the\s+last|the\s+coming|(?:over|at|during)\s+the(?=\s+weekend))\s+"
                     r"(?P<unit>weekend|week|month|year))\b(?!\s+of\b|-)", re.I)
_SPAN = re.compile(rf"\b(?:(?:the\s+)?(?:past|last)\s+(?P<n>{_NUM})\s+(?P<unit>day|week|month|year)s|"
                   r"recent\s+(?P<unit2>day|week|month|year)s|recently|lately)\b", re.I)
_AGO = re.compile(rf"\b(?:(?P<hedge>{_HEDGE})\s+)?(?:(?P<n>{_NUM})\s+)?(?P<unit>minute|hour|day|week|month|year)s?"
                  r"\s+ago\b", re.I)
_OFFSET = re.compile(rf"\b(?:(?P<hedge>{_HEDGE})\s+)?(?:(?:the\s+)?(?P<n>{_NUM})\s+|the\s+)?"
                     r"(?P<unit>minute|hour|day|week|month|year)(?P<pl>s)?\s+"
                     r"(?P<dir>after|before|later|earlier|prior\s+to|following)\b", re.I)
_FIXED = re.compile(r"\b(?:" + "|".join(k.replace(" ", r"\s+") for k in _FIXED_OFFSETS) + r")\b", re.I)


def _month_num(name: str) -> int:
    """Month number from a full or abbreviated English month name."""
    return [full[:3] for full in _MONTH_FULL.lower().split("|")].index(name.rstrip(".").lower()[:3]) + 1


def _norm(s: str | None) -> str:
    """Lower-case with single spaces, so phrase tables match whatever whitespace the text used."""
    return " ".join((s or "").lower().split())


def _mk(m: re.Match, first: date, last: date, precision: str, pub: date, *,
        clip: bool = True, year_only: bool = False) -> DateMention | None:
    """A mention over the match's core span; relative periods that run past publication are cut there."""
    if clip and first <= pub < last:
        last = pub
    if first > last:
        return None
    start, end = m.span("core") if "core" in m.re.groupindex else m.span()
    return DateMention(start, end, m.string[start:end], first, last, precision, last > pub, year_only)


def _pick_year(month: int, day: int, pub: date) -> int | None:
    """Year of a yearless date: the latest one not after publication, unless a near-future one exists."""
    years = range(pub.year + 1, pub.year - 5, -1)  # reaches back far enough for 29 February
    options = [date(y, month, day) for y in years if day <= calendar.monthrange(y, month)[1]]
    ahead = [d for d in options if pub < d <= pub + timedelta(days=FUTURE_WINDOW_DAYS)]
    return min(ahead).year if ahead else next((d.year for d in options if d <= pub), None)


def _explicit(m: re.Match, pub: date) -> DateMention | None:
    """ "February 12", "12 Feb 2020", "January 29-30 2025", "Monday, February 10th", "2020-02-12"."""
    g = m.groupdict()
    mf, ml = (int(g["m"]),) * 2 if "m" in g else (_month_num(g["m1"] or g["m2"]), _month_num(g["m2"] or g["m1"]))
    d1, d2 = int(g["d"]), int(g.get("d2") or g["d"])
    year = int(g["y"]) if g["y"] else _pick_year(mf, d1, pub)
    if year is None:
        return None
    first, last = date(year, mf, d1), date(year, ml, d2)
    if last < first:  # range across New Year: a written year belongs to its end
        first, last = (date(year - 1, mf, d1), last) if g["y"] else (first, date(year + 1, ml, d2))
    if (last - first).days > 62:  # a reversed range ("March 12-9") wrapped round a year: not a range
        return None
    return _mk(m, first, last, "day" if first == last else "range", pub, clip=False)


def _named(m: re.Match, pub: date) -> DateMention | None:
    """ "in December", "last May", "mid-March", "December 2020", "in 2014", "since early 2019", "the 2019 election"."""
    third = next((i for i, keys in enumerate(_THIRDS, 1) if _norm(m["part"]).startswith(keys)), 0)
    if "m1" not in m.re.groupindex:  # a year alone: the whole year, or a third of it
        year, (lo, hi) = int(m["y"]), ((1, 12), (1, 4), (5, 8), (9, 12))[third]
        last = date(year, hi, calendar.monthrange(year, hi)[1])
        return _mk(m, date(year, lo, 1), last, "approximate", pub, year_only=True)
    if not (m["prep"] or m["rel"] or m["part"] or m["y"]):  # a bare month name may be a verb or a name
        return None
    month, rel = _month_num(m["m1"]), _norm(m["rel"])
    if m["y"]:
        year = int(m["y"])
    elif "yrel" in m.re.groupindex and m["yrel"]:  # "in March last year"
        year = pub.year - (_norm(m["yrel"]) == "last")
    elif rel in ("last", "next"):
        year = pub.year - (month >= pub.month) if rel == "last" else pub.year + (month <= pub.month)
    else:
        year = _pick_year(month, 1, pub)
    end = calendar.monthrange(year, month)[1]
    lo, hi = ((1, end), (1, 10), (11, 20), (21, end))[third]
    return _mk(m, date(year, month, lo), date(year, month, hi), "approximate" if third else "month", pub)


def resolve_weekday(weekday: int, published: date, *, allow_same_day: bool = True) -> date:
    """Most recent weekday (0 = Monday) on or before publication; strictly before unless allow_same_day."""
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be 0..6, got {weekday}")
    return published - timedelta(days=(published.weekday() - weekday) % 7 or (0 if allow_same_day else 7))


def _weekday(m: re.Match, pub: date) -> DateMention | None:
    """ "on Friday", "late Friday", "last Friday", "next Monday", "overnight Friday into Saturday"."""
    wd, rel = WEEKDAYS.index(m["wd"]), _norm(m["rel"])
    if rel == "next":
        first = pub + timedelta(days=(wd - pub.weekday() - 1) % 7 + 1)
    elif rel == "this":
        first = pub + timedelta(days=wd - pub.weekday())
    else:
        first = resolve_weekday(wd, pub, allow_same_day=rel != "last")
    span = (WEEKDAYS.index(m["wd2"]) - wd) % 7 if m["wd2"] else int(rel.startswith("overnight"))
    return _mk(m, first, first + timedelta(days=span), "day" if span == 0 else "range", pub)


def _relday(m: re.Match, pub: date) -> DateMention | None:
    """ "today", "yesterday (Monday)", "last night", "the day before yesterday", "tomorrow"."""
    # "USA Today", "Russia Today": a capitalised Today after a capitalised word is a title.
    if m["w"].startswith("Today") and re.search(r"[A-Z]\w*\s+$", m.string[max(0, m.start() - 30):m.start()]):
        return None
    delta = next((d for w, d in _DAY_WORDS.items() if w in _norm(m["w"])), 0)
    day = pub + timedelta(days=delta)
    if m["wd"]:  # the writer's own weekday beats a publication stamp that may be a day off
        day += timedelta(days=(WEEKDAYS.index(m["wd"].capitalize()) - day.weekday() + 3) % 7 - 3)
        day = min(day, pub) if delta <= 0 else day
    return _mk(m, day, day, "day", pub)


def _period_bounds(unit: str, d: date) -> tuple[date, date]:
    """The calendar week (Monday-Sunday), month or year containing d."""
    if unit == "week":
        return d - timedelta(days=d.weekday()), d + timedelta(days=6 - d.weekday())
    if unit == "month":
        return d.replace(day=1), d.replace(day=calendar.monthrange(d.year, d.month)[1])
    return date(d.year, 1, 1), date(d.year, 12, 31)


def _period(m: re.Match, pub: date) -> DateMention | None:
    """ "this week", "earlier this month", "last year", "the past week", "over the weekend"."""
    unit, rel = m["unit"].lower(), _norm(m["rel"])
    if unit == "weekend":  # "this weekend" is the coming one when published on a weekday
        sat = pub - timedelta(days=(pub.weekday() - 5) % 7)
        if rel in ("last", "this past", "the past", "the last") and sat + timedelta(days=1) >= pub:
            sat -= timedelta(days=7)
        elif rel == "next" or (rel in ("this", "the coming") and pub.weekday() < 5):
            sat += timedelta(days=7)
        return _mk(m, sat, sat + timedelta(days=1), "range", pub)
    if rel in ("past", "the past", "the last", "this past"):
        return _mk(m, pub - timedelta(days=_UNITS[unit][0]), pub, "approximate", pub)
    start, end = _period_bounds(unit, pub)
    if rel == "last":
        start, end = _period_bounds(unit, start - timedelta(days=1))
    elif rel in ("next", "the coming"):
        start, end = _period_bounds(unit, end + timedelta(days=1))
    elif _norm(m["q"]) == "later":
        start = pub + timedelta(days=1)
    if m["third"] and unit in ("month", "year"):  # 'late last month': its last third
        start, end = _third_of(start, end, m["third"].lower())
        return _mk(m, start, end, "range", pub)
    precision = {"week": "week", "month": "month"}.get(unit, "approximate")
    return _mk(m, start, end, precision, pub, year_only=unit == "year")


def _third_of(start: date, end: date, third: str) -> tuple[date, date]:
    """The early, mid or late third of a period."""
    days = (end - start).days + 1
    index = ("early", "mid", "late").index(third)
    first = start + timedelta(days=days * index // 3)
    last = start + timedelta(days=days * (index + 1) // 3 - 1) if index < 2 else end
    return first, last


def _back(m: re.Match, pub: date) -> DateMention | None:
    """ "two days ago" (a day), "about three weeks ago", "the past two weeks", "recently": back from publication."""
    unit, counted = _norm(m["unit"]), _AMOUNTS.get(_norm(m["n"]))
    if m.re is _SPAN:  # a stretch ending at publication; "recently" alone reads as within about a month
        back = counted[1] * _UNITS[unit][0] if counted else (_UNITS[_norm(m["unit2"])][4] if m["unit2"] else 30)
        return _mk(m, pub - timedelta(days=back), pub, "approximate", pub)
    size, _offset_slack, slack, bare, _recent = _UNITS[unit]
    if unit in ("minute", "hour"):  # any hour count can cross midnight
        lo, hi = (0, 0) if unit == "minute" else (counted[0] // 24, counted[1] // 24 + 1) if counted else (0, 1)
    else:
        lo, hi = (counted[0] * size, counted[1] * size) if counted else bare
    slack += 2 if unit == "day" and m["hedge"] else 0
    first, last = pub - timedelta(days=hi + slack), pub - timedelta(days=max(0, lo - slack))
    return _mk(m, first, last, "day" if first == last else "approximate", pub)


_RULES = ((_ISO, _explicit), (_MD, _explicit), (_DM, _explicit), (_MONTH_ONLY, _named), (_YEAR_ONLY, _named),
          (_WEEKDAY, _weekday), (_RELDAY, _relday), (_PERIOD, _period), (_SPAN, _back), (_AGO, _back))


_TIMESTAMP_TAIL = re.compile(r"\s*(?:/|\||,|-|–|at)?\s*\d{1,2}:\d{2}\s*(?:[AaPp]\.?[Mm]\.?|GMT|UTC|ET|EST|BST|CET)?\s*(?:/|\|)")


_DATELINE_HEAD = re.compile(r"\s*[A-Z][A-Z .'\-]{2,40},\s*")
_DATELINE_TAIL = re.compile(r"\s*(?:\([^)]{1,40}\)\s*)?[–—-]\s")


def _in_dateline(text: str, mention: DateMention) -> bool:
    """'ANKARA, March 14 (Reuters) - On Sunday, ...': the dateline's date is when the story was filed."""
    return bool(_DATELINE_HEAD.fullmatch(text, 0, mention.start) and _DATELINE_TAIL.match(text, mention.end))


def find_date_mentions(text: str, published: date) -> list[DateMention]:
    """All anchored date expressions in text, the longest winning where they overlap, in text order."""
    found = []
    for pattern, handler in _RULES:
        for m in pattern.finditer(text):
            try:
                found.append(handler(m, published))
            except (ValueError, OverflowError):  # impossible dates such as "February 30"
                continue
    chosen: list[DateMention] = []
    # 'May 8, 2015 / 10:50 AM': a date stamped with a clock time is the page's timestamp, not an event's date
    found = [c for c in found if c is not None and not _TIMESTAMP_TAIL.match(text, c.end) and not _in_dateline(text, c)]
    for cand in sorted(found, key=lambda x: (x.start - x.end, x.start)):
        if all(cand.end <= c.start or cand.start >= c.end for c in chosen):
            chosen.append(cand)
    return sorted(chosen, key=lambda x: x.start)


def find_offset_mentions(text: str) -> list[OffsetMention]:
    """Distances from another date ("a few days after", "two weeks earlier", "ahead of"), in text order."""
    found = []
    for m in _OFFSET.finditer(text):
        size, slack, _ago_slack, days, _recent = _UNITS[m["unit"].lower()]
        counted = _AMOUNTS.get(_norm(m["n"])) or (None if m["pl"] else (1, 1))  # "the day after" is one day
        if counted and m["unit"].lower() == "hour":  # any hour count can cross midnight
            days = counted[0] // 24, counted[1] // 24 + 1
        elif counted and size:
            slack += (1 + size // 10) if m["hedge"] else 0
            days = max(0, counted[0] * size - slack), counted[1] * size + slack
        direction = "before" if _norm(m["dir"]) in ("before", "earlier", "prior to") else "after"
        found.append(OffsetMention(m.start(), m.end(), m.group(0), days, direction))
    for m in _FIXED.finditer(text):
        lo, hi, direction = _FIXED_OFFSETS[_norm(m.group(0))]
        found.append(OffsetMention(m.start(), m.end(), m.group(0), (lo, hi), direction))
    return sorted(found, key=lambda x: x.start)


def apply_offset(anchor_first: date, anchor_last: date, amount_days: tuple[int, int], sign: int) -> tuple[date, date]:
    """Shift an anchor range by a day range: sign +1 for after the anchor, -1 for before it."""
    if sign not in (1, -1):
        raise ValueError(f"sign must be +1 or -1, got {sign}")
    lo, hi = amount_days if sign == 1 else (-amount_days[1], -amount_days[0])
    return anchor_first + timedelta(days=lo), anchor_last + timedelta(days=hi)


def parse_iso_date(s: str) -> date | None:
    """Lenient feed date: ISO (with time), 2020/02/17, RFC 2822, "17 Feb 2020", "February 17, 2020"."""
    try:
        m = _ISO.search(s) or re.search(r"(?<!\d)(?P<y>\d{4})/(?P<m>\d\d?)/(?P<d>\d\d?)(?!\d)", s)
        if m:
            return date(int(m["y"]), int(m["m"]), int(m["d"]))
        m = next((x for x in (_DM.search(s), _MD.search(s)) if x and x["y"]), None)
        return date(int(m["y"]), _month_num(m["m1"] or m["m2"]), int(m["d"])) if m else None
    except (ValueError, TypeError):  # impossible dates, or no string at all
        return None
