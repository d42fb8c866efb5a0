"""Read articles from files: seed-format .txt, folders of them, JSON Lines. Bad input becomes a reject, never a crash."""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from transforms.articles import Article, ArticleError, article_from_record, make_article

MAX_FILE_BYTES = 20 * 1024 * 1024  # larger inputs are refused with a reason; a .txt article is never this big
_RAW_PREVIEW = 2000


@dataclass(frozen=True)
class SourceReject:
    """An input that could not become an article."""

    key: str
    reason: str
    raw: str


def _cp1252_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    """Decode only the bytes UTF-8 refused as cp1252, so a file mixing both keeps its UTF-8 text intact."""
    return error.object[error.start:error.end].decode("cp1252", errors="replace"), error.end


codecs.register_error("eventpipe-cp1252", _cp1252_fallback)


def _decode(data: bytes, origin: str) -> str:
    if b"\x00" in data[:8192]:
        raise ArticleError(f"{origin}: binary content (NUL bytes)")
    # legacy-encoded (cp1252) news text, whole or in part; replacement chars mark bytes cp1252 lacks too
    return data.decode("utf-8", errors="eventpipe-cp1252").removeprefix("\ufeff")  # BOM would break json.loads


def _name(text: str) -> str:
    """A file name as valid text: bytes the OS could not decode (lone surrogates) become U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def read_text_file(path: Path) -> Article:
    """One seed-format article file; the file stem is its id."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ArticleError(f"{path.name}: larger than {MAX_FILE_BYTES} bytes")
    return make_article(_decode(path.read_bytes(), _name(path.name)), source_id=_name(path.stem))


def read_jsonl(path: Path) -> Iterator[Article | SourceReject]:
    """Articles from a JSON Lines file; a broken line becomes a reject and reading goes on."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            key = f"{_name(path.name)}:{number}"
            if not line.strip():
                continue
            try:
                yield article_from_record(json.loads(_decode(line, key)))
            except (ValueError, ArticleError) as error:  # JSONDecodeError is a ValueError
                yield SourceReject(key, f"malformed record: {error}", line[:_RAW_PREVIEW].decode("utf-8", "replace"))


def iter_inputs(path: Path) -> Iterator[Article | SourceReject]:
    """Articles (or rejects) from a .txt file, a .jsonl file, or a folder of them (sorted, so runs repeat)."""
    if not path.exists():
        raise FileNotFoundError(f"input not found: {path}")
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        suffix = file.suffix.lower()  # ARTICLE.TXT is an article too
        try:
            if suffix in (".jsonl", ".ndjson"):
                yield from read_jsonl(file)
            elif suffix == ".txt":
                yield read_text_file(file)
            elif not path.is_dir():  # in a folder, other files (READMEs) are not inputs
                yield SourceReject(_name(file.name), f"unsupported file type '{file.suffix}' (use .txt or .jsonl)", "")
        except ArticleError as error:
            yield SourceReject(_name(file.name), str(error), "")
        except OSError as error:  # unreadable file: refuse it, read the rest
            yield SourceReject(_name(file.name), f"unreadable file: {error.strerror or error}", "")


def read_gold(path: Path) -> list[dict]:
    """A gold file: one JSON object per line."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
