"""Main text, title and publication date of an HTML news page, with the stdlib html.parser."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser

# page furniture whose text is never article text
SKIP_TAGS = frozenset({"script", "style", "nav", "header", "footer", "aside", "noscript", "template", "form",
                       "svg", "iframe", "button", "select", "figcaption"})
BLOCK_TAGS = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr",
                        "section", "article", "main", "td", "dd", "dt", "table", "ul", "ol"})
MAIN_TAGS = frozenset({"article", "main"})
VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                       "track", "wbr"})
DATE_META = ("article:published_time", "og:article:published_time", "datePublished", "pubdate",
             "publishdate", "date", "dc.date", "dc.date.issued", "sailthru.date")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
MAX_HTML_CHARS = 5_000_000  # the fetch cap already bounds this; a guard for direct callers


@dataclass(frozen=True)
class Page:
    """What a page gives an Article."""

    text: str
    title: str | None
    published: date | None


class _Extractor(HTMLParser):
    """Collects visible text outside furniture, and separately inside <article>/<main>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip: list[str] = []  # open furniture tags; text inside any of them is dropped
        self.main_depth = 0
        self.all_parts: list[str] = []
        self.main_parts: list[str] = []
        self.meta: dict[str, str] = {}
        self.title_parts: list[str] = []
        self.in_title = False
        self.time_datetime: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Track furniture, main content, <title>, <meta> and <time datetime>."""
        values = {k.lower(): v or "" for k, v in attrs}
        if tag == "meta":
            key = (values.get("property") or values.get("name") or values.get("itemprop") or "").strip()
            if key and key.lower() not in self.meta:
                self.meta[key.lower()] = values.get("content", "").strip()
        elif tag == "time" and self.time_datetime is None and values.get("datetime") and not self.skip:
            self.time_datetime = values["datetime"]
        if tag in VOID_TAGS:
            self._break(tag)
            return
        if tag in SKIP_TAGS:
            self.skip.append(tag)
        elif tag in MAIN_TAGS:
            self.main_depth += 1
        self.in_title = self.in_title or tag == "title"
        self._break(tag)

    def handle_endtag(self, tag: str) -> None:
        """Close what handle_starttag opened; a stray end tag closes nothing."""
        if tag in SKIP_TAGS and tag in self.skip:
            while self.skip and self.skip.pop() != tag:  # also closes furniture left unclosed inside it
                pass
        elif tag in MAIN_TAGS and self.main_depth:
            self.main_depth -= 1
        if tag == "title":
            self.in_title = False
        self._break(tag)

    def handle_data(self, data: str) -> None:
        """Visible text goes to the page (and main) text; <title> text to the title."""
        if self.in_title:
            self.title_parts.append(data)
            return
        if self.skip:
            return
        self.all_parts.append(data)
        if self.main_depth:
            self.main_parts.append(data)

    def _break(self, tag: str) -> None:
        if tag in BLOCK_TAGS and not self.skip:
            self.all_parts.append("\n")
            if self.main_depth:
                self.main_parts.append("\n")


def _paragraphs(parts: list[str]) -> str:
    """Joined text with whitespace folded inside lines and one blank line between paragraphs."""
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n\n".join(line for line in lines if line)


def parse_date(value: str | None) -> date | None:
    """The first YYYY-MM-DD in an ISO-like date string, else None."""
    match = _DATE.search(value or "")
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def extract_page(html: str) -> Page:
    """Main text (inside <article>/<main> when there is one), title and publication date of a page."""
    parser = _Extractor()
    parser.feed(html[:MAX_HTML_CHARS])
    parser.close()
    main = _paragraphs(parser.main_parts)
    text = main if len(main) >= 200 else _paragraphs(parser.all_parts)  # a tiny <main> is a teaser, not the story
    title = parser.meta.get("og:title") or " ".join("".join(parser.title_parts).split()) or None
    published = next((d for key in DATE_META if (d := parse_date(parser.meta.get(key.lower())))), None)
    return Page(text=text, title=title, published=published or parse_date(parser.time_datetime))


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment (feed summaries); plain text passes through unchanged."""
    if "<" not in html and "&" not in html:
        return html.strip()
    return extract_page(html).text
