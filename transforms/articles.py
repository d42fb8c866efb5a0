"""Articles: parse the seed text format and JSON Lines records, normalise text, content hash."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from transforms.pages import extract_page

MAX_DOC_CHARS = 100_000  # spaCy's parser cost grows with length; longer texts are cut before parsing

MAX_TEXT_CHARS = 200_000  # longer texts are cut: one monster article must not stall a run
_HTML_TAG = re.compile(r"</?(?:html|head|body|div|p|span|script|style|nav|a|br|meta|!doctype)\b[^>]{0,500}>", re.I)

_SEED_HEADER = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\s*")
# "MOSCOW – [EAD] –", "BAKU, December 9. / TASS /.", "PARIS (Reuters) -", "DOHA, Qatar (AP) —"
_DATELINE = re.compile(
    r"^\s*(?P<place>[A-Z][A-Z .'\-]{2,40}?)(?:,\s*[A-Z][\w .]{1,30}?)?\s*"
    r"(?:[–—-]\s*\[(?P<src1>[^\]]{1,40})\]\s*[–—-]|\((?P<src2>[^)]{1,40})\)\s*[–—-]|:|\s[–—-])\s*"
)


_DATELINE_WINDOW = 800
_INNER_DATELINE = re.compile(
    r"(?<![A-Za-z])(?P<place>[A-Z][A-Z'\-]{2,20}(?: [A-Z][A-Z'\-]{2,20}){0,2})(?:,\s*[A-Z][a-z]+(?: [A-Z][a-z]+)?)?\s*"
    r"(?:\[(?P<src1>[^\]]{1,40})\]\s*[–—-]|\((?P<src2>[^)]{1,40})\)\s*[–—-]|[–—])\s+(?=[A-Z\"“])"
)
_NOT_PLACES = {"UPDATE", "UPDATED", "BREAKING", "WATCH", "VIDEO", "PHOTO", "PHOTOS", "AP", "AFP", "REUTERS", "LIVE", "NEWS",
               "OPINION", "ANALYSIS", "EXCLUSIVE", "FILE", "MORE", "READ", "COPYRIGHT", "EDITORIAL", "NOTE", "ADVERTISEMENT"}


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
    extra: dict = field(default_factory=dict, compare=False)  # e.g. original_chars when the text was cut


def looks_like_html(text: str) -> bool:
    """True when the start of text carries at least three HTML tags."""
    return len(_HTML_TAG.findall(text[:20_000])) >= 3


def strip_html(html: str) -> str:
    """Visible text of an HTML page (the page extractor's: furniture dropped, <article>/<main> preferred), one blank
    line between blocks."""
    return extract_page(html).text


def normalise_text(text: str) -> str:
    """Unify line ends, drop control characters, NFC-normalise; keep offsets meaningful."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # controls go before NFC: one between a letter and its accent would otherwise block the composition
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return unicodedata.normalize("NFC", text)


def content_hash(text: str) -> str:
    """Stable article id: sha1 of the whitespace-folded text, 16 hex digits."""
    folded = " ".join(text.split()).lower()
    return hashlib.sha1(folded.encode("utf-8")).hexdigest()[:16]


def parse_dateline(text: str) -> tuple[str | None, str | None]:
    """Place and source of a dateline, e.g. ('MOSCOW', 'EAD'): at the start, or after scraped page furniture."""
    match = _DATELINE.match(text[:160])
    if match is None:  # "… 10:37 AM CAIRO — Egypt says …": scraped pages put menus and bylines first
        match = next((m for m in _INNER_DATELINE.finditer(text[:_DATELINE_WINDOW]) if m.group("place").strip() not in _NOT_PLACES), None)
    if not match:
        return None, None
    place = match.group("place").strip(" .-")
    if len(place) < 3 or not place.replace(" ", "").replace("-", "").isalpha() or place in _NOT_PLACES:
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
        raise ArticleError(f"text is {type(text).__name__}, not a string")
    if looks_like_html(text):
        text = strip_html(text)
    original_chars = len(text)
    # cut before normalising too: walking all of a 20 MB text to keep 200 kB of it would stall the run
    text = normalise_text(text[:2 * MAX_TEXT_CHARS])[:MAX_TEXT_CHARS]
    header = _SEED_HEADER.match(text)
    body = text[header.end():] if header else text.lstrip()
    if not body.strip():  # a date header alone is no article either
        raise ArticleError("empty text")
    published = published or _published_from_header(text)
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
        extra={"original_chars": original_chars} if original_chars > len(text) else {},
    )


def article_from_record(record: dict) -> Article:
    """Build an Article from a JSON Lines record (`id`, `published`, `text`, optional `source`, `url`, `title`)."""
    if not isinstance(record, dict):
        raise ArticleError("record is not a JSON object")
    text = record.get("text")
    if text is None:
        raise ArticleError("record has no text")
    if not isinstance(text, str):
        raise ArticleError(f"record text is {type(text).__name__}, not a string")
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


@dataclass
class ArticleEvents:
    """Everything coded from one article (here, not in transforms/extract.py, so that the flow process can receive
    workers' results without importing spaCy)."""

    article: Article
    events: list[dict] = field(default_factory=list)
    mentions: list[dict] = field(default_factory=list)
