"""Network sources: fetch a URL safely, read an RSS/Atom feed or an HTML page into Articles."""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from collections.abc import Collection
from typing import Any
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.message import Message
from urllib.parse import urlsplit
from xml.etree.ElementTree import ParseError

import defusedxml
import defusedxml.ElementTree
import feedparser

from flows.settings import FetchSettings
from flows.sources import SourceReject
from flows.tasks import in_window
from transforms.articles import Article, ArticleError, make_article
from transforms.pages import extract_page, html_to_text

USER_AGENT = "eventpipe/0.1 (news event coder)"
_CHUNK = 64 * 1024
_FEED_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:rss|feed|rdf:RDF|!DOCTYPE\s+rss)\b", re.S | re.I)
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)


class SourceRefused(ValueError):
    """A source that is unsafe or unusable whatever the retry: entity bomb, redirect loop, too big, bad scheme."""


class SourceGarbage(OSError):
    """A reply that is neither a feed nor a page; an OSError so it is retried like an I/O error."""


@dataclass(frozen=True)
class Fetched:
    """One HTTP reply body, capped in size."""

    url: str
    content_type: str
    charset: str | None
    body: bytes


@dataclass
class SourceItems:
    """What one source gave: articles and rejects, plus items skipped as already known or outside the window."""

    items: list[Article | SourceReject] = field(default_factory=list)
    seen: int = 0
    outside: int = 0


def is_url(value: str) -> bool:
    """True for http(s) URLs, which are fetched; anything else is a local path."""
    return str(value).lower().startswith(("http://", "https://"))


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follow at most max_redirections redirects, only to http(s); urllib refuses loops itself."""

    max_redirections = 5
    max_repeats = 1  # the same URL twice in a chain is a loop

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN201 - urllib's signature
        """Refuse redirects to other schemes (file:, ftp:) before following."""
        if not is_url(newurl):
            raise SourceRefused(f"redirect to a non-http URL refused: {newurl[:200]}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, options: FetchSettings) -> Fetched:
    """GET url with a total deadline, a size cap and at most options.max_redirects redirects."""
    if not is_url(url):
        raise SourceRefused(f"not an http(s) URL: {url[:200]}")
    handler = _Redirects()
    handler.max_redirections = options.max_redirects
    opener = urllib.request.build_opener(handler)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"})
    deadline = time.monotonic() + options.timeout_seconds
    try:
        with opener.open(request, timeout=options.timeout_seconds) as reply:
            headers: Message = reply.headers
            body = _read_capped(reply, options.max_bytes, deadline)
            return Fetched(reply.geturl(), headers.get_content_type(), headers.get_content_charset(), body)
    except urllib.error.HTTPError as error:
        if error.code in (301, 302, 303, 307, 308):  # urllib raises this for loops and too many hops
            raise SourceRefused(f"redirects refused: {error.reason}") from None
        if 400 <= error.code < 500 and error.code not in (408, 429):
            raise SourceRefused(f"HTTP {error.code} {error.reason}") from None
        raise  # 5xx, 408, 429: an OSError, retried


def _read_capped(reply: object, max_bytes: int, deadline: float) -> bytes:
    """The body, refusing more than max_bytes and a trickle past the deadline."""
    chunks, size = [], 0
    while chunk := reply.read(_CHUNK):  # type: ignore[attr-defined]
        size += len(chunk)
        if size > max_bytes:
            raise SourceRefused(f"larger than {max_bytes} bytes")
        if time.monotonic() > deadline:
            raise TimeoutError("read timed out (deadline passed)")
        chunks.append(chunk)
    return b"".join(chunks)


def looks_like_feed(fetched: Fetched) -> bool:
    """RSS/Atom by content type or by its first element."""
    kind = fetched.content_type
    return any(k in kind for k in ("rss", "atom", "/xml", "+xml")) or bool(_FEED_START.match(fetched.body[:4096]))


def refuse_unsafe_xml(body: bytes) -> None:
    """Refuse entity declarations and external references before feedparser's expat/sgml parsers see them."""
    try:
        defusedxml.ElementTree.fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as error:
        raise SourceRefused(f"unsafe XML refused ({type(error).__name__})") from None
    except ParseError:
        # malformed XML goes to feedparser's lenient parser, but never with an entity declaration in it
        if _ENTITY_DECL.search(body) or _ENTITY_DECL.search(body.replace(b"\x00", b"")):
            raise SourceRefused("unsafe XML refused (entity declaration)") from None


def _entry_date(entry: dict) -> date | None:
    """Publication (else update) date of a feed entry, UTC."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return datetime(*value[:6], tzinfo=UTC).date()
            except (TypeError, ValueError):
                continue
    return None


def _entry_text(entry: dict) -> str:
    """Longest of the entry's content and summary, as plain text."""
    bodies = [c.get("value", "") for c in entry.get("content", []) or []] + [entry.get("summary", "")]
    return max((html_to_text(b) for b in bodies if b), key=len, default="")


def read_feed(fetched: Fetched, options: FetchSettings, known: Collection[str] = (),
              since: date | None = None, until: date | None = None) -> SourceItems:
    """Articles from a feed's entries; entries whose id the lake knows are skipped before any page fetch."""
    refuse_unsafe_xml(fetched.body)
    parsed = feedparser.parse(fetched.body, response_headers={"content-location": fetched.url})
    if not parsed.entries and (parsed.bozo or not parsed.feed):
        raise SourceGarbage(f"not a feed: {getattr(parsed, 'bozo_exception', 'no entries')}")
    result = SourceItems()
    outlet = parsed.feed.get("title") or urlsplit(fetched.url).hostname
    for entry in parsed.entries[:options.max_entries]:
        link = entry.get("link") or None
        entry_id = entry.get("id") or link
        if not entry_id:
            result.items.append(SourceReject(fetched.url, "feed entry without id or link", str(entry)[:2000]))
        elif entry_id in known:
            result.seen += 1  # same guid/URL as an ingested article: skipped even when its text was edited
        elif not in_window(_entry_date(entry), since, until):
            result.outside += 1
        else:
            result.items.append(_entry_article(entry, entry_id, link, outlet, options))
    return result


def _entry_article(entry: dict, entry_id: str, link: str | None, outlet: str | None,
                   options: FetchSettings) -> Article | SourceReject:
    """One entry as an Article: its own text, or the linked page's when options.fetch_pages is set."""
    published, title, text = _entry_date(entry), entry.get("title") or None, _entry_text(entry)
    try:
        if options.fetch_pages and link:
            page = extract_page(_decode(fetch(link, options)))
            text, title, published = page.text or text, title or page.title, published or page.published
        return make_article(text or (title or ""), published=published, source=outlet, source_id=entry_id,
                            url=link, title=title)
    except (OSError, SourceRefused, ArticleError) as error:
        return SourceReject(entry_id, f"feed entry refused: {type(error).__name__}: {error}", "")


def _decode(fetched: Fetched) -> str:
    """Body text in the declared charset, else UTF-8, with replacement characters marking losses."""
    try:
        return fetched.body.decode(fetched.charset or "utf-8", errors="replace")
    except LookupError:  # an unknown charset name in the header
        return fetched.body.decode("utf-8", errors="replace")


def read_page(fetched: Fetched) -> SourceItems:
    """One HTML page as one Article, id = its URL."""
    if b"\x00" in fetched.body[:8192]:
        raise SourceGarbage("binary content (NUL bytes)")
    page = extract_page(_decode(fetched))
    if not page.text.strip():
        raise SourceGarbage("no text found in the page")
    article = make_article(page.text, published=page.published, source=urlsplit(fetched.url).hostname,
                           source_id=fetched.url, url=fetched.url, title=page.title)
    return SourceItems(items=[article])


def read_source(url: str, options: FetchSettings, known: Collection[str] = (),
                since: date | None = None, until: date | None = None) -> SourceItems:
    """Fetch url and read it as a feed or a page; raises on failure (the flow's task retries and records it)."""
    fetched = fetch(url, options)
    if looks_like_feed(fetched):
        return read_feed(fetched, options, known, since, until)
    result = read_page(fetched)
    article = result.items[0]
    if isinstance(article, Article) and article.article_id in known:
        return SourceItems(seen=1)
    return result


def retryable(_task: object, _run: object, state: object) -> bool:
    """Retry a source on I/O errors and garbage replies, not on a refusal (bomb, redirect loop, too big)."""
    error = getattr(state, "data", None)
    if not isinstance(error, BaseException):
        error = state.result(raise_on_failure=False)  # type: ignore[attr-defined]
    return not isinstance(error, SourceRefused)


def fetch_all(fetch_task: Any, urls: list[str], known: Collection[str], options: FetchSettings,
              since: date | None = None, until: date | None = None) -> SourceItems:
    """Run fetch_task (read_source as a Prefect task) per URL at once; a source that still fails becomes a reject."""
    from prefect.utilities.annotations import quote

    task = fetch_task.with_options(retries=options.retries, retry_delay_seconds=options.retry_delay_seconds)
    # quote: Prefect would otherwise walk the whole set of known ids looking for futures
    known = quote(frozenset(known))
    futures = [task.submit(url, options, known, since, until) for url in urls]
    total = SourceItems()
    for url, future in zip(urls, futures, strict=True):
        future.wait()
        if future.state.is_completed():
            part: SourceItems = future.result()
            total.items += part.items
            total.seen, total.outside = total.seen + part.seen, total.outside + part.outside
            continue
        error = future.state.result(raise_on_failure=False)
        reason = f"{type(error).__name__}: {error}" if isinstance(error, BaseException) else str(future.state.message)
        total.items.append(SourceReject(url, f"source failed: {reason}"[:500], ""))
    return total
