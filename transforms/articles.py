"""Articles: parse the seed text format and JSON Lines records, normalise text, content hash."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

MAX_TEXT_CHARS = 200_000  # longer texts are cut: one monster article must not stall a run

_SEED_HEADER = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\s*")
# "MOSCOW – [EAD] –", "BAKU, December 9. / TASS /.", "PARIS (Reuters) -", "DOHA, Qatar (AP) —"
_DATELINE = re.compile(
    r"^\s*(?P<place>[A-Z][A-Z .'\-]{2,40}?)(?:,\s*[A-Z][\w .]{1,30}?)?\s*"
    r"(?:[–—-]\s*\[(?P<src1>[^\]]{1,40})\]\s*[–—-]|\((?P<src2>[^)]{1,40})\)\s*[–—-]|:|\s[–—-])\s*"
)


class ArticleError(ValueError):
    """An input that cannot be an article; the message says why."""


@dataclass(frozen=True)
class Article:
    """One news article, normalised."""

    article_id: str  # the source's own id when it has one (scorers match on it), else the content hash
    content_hash: str
    text: str
    published: date | None
    source: str | None = None
    source_id: str | None = None
    url: str | None = None
    title: str | None = None
    dateline: str | None = None
    extra: dict = field(default_factory=dict, compare=False)


def normalise_text(text: str) -> str:
    """NFC-normalise, drop control characters, unify line ends; keep offsets meaningful."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")


def content_hash(text: str) -> str:
    """Stable article id: sha1 of the whitespace-folded text, 16 hex digits."""
    folded = " ".join(text.split()).lower()
    return hashlib.sha1(folded.encode("utf-8")).hexdigest()[:16]


def parse_dateline(text: str) -> tuple[str | None, str | None]:
    """Place and source of a dateline at the start of text, e.g. ('MOSCOW', 'EAD')."""
    match = _DATELINE.match(text[:160])
    if not match:
        return None, None
    place = match.group("place").strip(" .-")
    if len(place) < 3 or not place.replace(" ", "").replace("-", "").isalpha():
        return None, None
    return place, match.group("src1") or match.group("src2")


def _published_from_header(text: str) -> date | None:
    match = _SEED_HEADER.match(text)
    if not match:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        return None


def make_article(
    text: str,
    *,
    published: date | None = None,
    source: str | None = None,
    source_id: str | None = None,
    url: str | None = None,
    title: str | None = None,
) -> Article:
    """Build an Article from raw text; the seed header `date YYYY-MM-DD` fills a missing date."""
    if not isinstance(text, str):
        raise ArticleError("text is not a string")
    text = normalise_text(text)[:MAX_TEXT_CHARS]
    if not text.strip():
        raise ArticleError("empty text")
    published = published or _published_from_header(text)
    body = text[_SEED_HEADER.match(text).end():] if _SEED_HEADER.match(text) else text.lstrip()
    dateline, dateline_source = parse_dateline(body)
    digest = content_hash(text)
    return Article(
        article_id=source_id or digest,
        content_hash=digest,
        text=text,
        published=published,
        source=source or dateline_source,
        source_id=source_id,
        url=url,
        title=title,
        dateline=dateline,
    )


def article_from_record(record: dict) -> Article:
    """Build an Article from a JSON Lines record (`id`, `published`, `text`, optional `source`, `url`, `title`)."""
    if not isinstance(record, dict):
        raise ArticleError("record is not a JSON object")
    text = record.get("text")
    if not isinstance(text, str):
        raise ArticleError("record has no text")
    published = _parse_published(record.get("published"))
    return make_article(
        text,
        published=published,
        source=_opt_str(record.get("source")),
        source_id=_opt_str(record.get("id")),
        url=_opt_str(record.get("url")),
        title=_opt_str(record.get("title")),
    )


def _opt_str(value: object) -> str | None:
    return str(value) if value not in (None, "") else None


def _parse_published(value: object) -> date | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None
