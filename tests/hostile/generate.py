"""Write a hostile-input corpus (and a recombined sample corpus) into a folder, with each input's expected outcome.

Usage: python -m tests.hostile.generate OUT_DIR   (writes the hostile corpus and prints the expected outcomes)
"""

from __future__ import annotations

import json
import os
import random
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from flows.sources import MAX_FILE_BYTES

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
CODED = "coded"


@dataclass(frozen=True)
class Case:
    """One hostile input: the key it shows up under and what must become of it ('coded' or a reject reason)."""

    key: str
    outcome: str  # CODED, or the start of the rejects reason
    what: str  # the bad input, for the report


def news(tag: str, published: date = date(2024, 5, 7)) -> str:
    """A short seed-format article with a meeting in it; tag makes its content (and hash) unique."""
    return (f"date {published.isoformat()} NAIROBI – [HST] – The foreign ministers of Kenya and Uganda held "
            f"talks in Nairobi on Monday to discuss border trade and a new customs post, the Kenyan foreign ministry "
            f"said in a statement. “The talks were friendly and frank,” an official said.\n\n"
            f"Trade between the two neighbours rose last year, officials said. Reference {tag}.")


def _body(tag: str) -> str:
    """A dateline and body without the seed header, for JSON Lines records."""
    return news(tag).split(" ", 2)[2]


def _records(today: date) -> list[bytes]:
    """Lines of a JSON Lines file: good records around broken and odd ones."""
    future = (today + timedelta(days=30)).isoformat()
    html = ("<!DOCTYPE html><html><head><title>x</title><script>var ads = 'held talks with Russia';</script>"
            "<style>p {color: red}</style></head><body><nav><a href='/'>Home</a> | World | Politics</nav>"
            "<header>Breaking: shelling killed 40</header><div class='story'><p>" + _body("html-1") +
            "</p><p>More &amp; more trade&nbsp;flows.</p></div><footer>© 2024 Example News</footer></body></html>")
    rows: list[object] = [  # bytes are written as they are, anything else as JSON
        {"id": "j-good-1", "published": "2024-05-08", "text": _body("jsonl-1"), "source": "HST"},
        b'{"id": "j-broken", "text": "the line ends in the middle',
        {"id": "j-good-3", "published": "2024-05-09T10:00:00Z", "text": _body("jsonl-3")},
        [1, 2, 3], "just a string", None, 42,
        {"id": "j-no-text", "published": "2024-05-08"},
        {"id": "j-text-number", "published": "2024-05-08", "text": 12345},
        {"id": "j-html", "published": "2024-05-08", "text": html},
        {"id": "j-good-1", "published": "2024-05-08", "text": _body("other content under a taken id")},
        {"id": "j-bad-date", "published": "yesterday", "text": _body("jsonl-bad-date")},
        {"id": "j-future", "published": future, "text": _body("jsonl-future")},
        {"id": "j-dup", "published": "2024-05-07", "text": "  " + news("dup").replace(" ", "   ")},
        {"id": "j-only-scripts", "published": "2024-05-08",
         "text": "<html><script>alert(1)</script><nav>Home</nav></html>"},
    ]
    lines = [r if isinstance(r, bytes) else json.dumps(r, ensure_ascii=False).encode("utf-8") for r in rows]
    lines.insert(5, b'{"id": "j-nul", "published": "2024-05-08", "text": "a\x00b"}')
    lines.insert(6, json.dumps({"id": "j-latin1", "published": "2024-05-08", "text": _body("jsonl-latin1 caf\u00e9")},
                               ensure_ascii=False).encode("utf-8").replace("caf\u00e9".encode(), b"caf\xe9"))
    return lines


def _record_cases() -> list[Case]:
    """Expected outcomes of the lines of records.jsonl, in line order."""
    key = "records.jsonl:{}".format
    return [
        Case("j-good-1", CODED, "JSON line: good record"),
        Case(key(2), "malformed record: ", "JSON line broken in the middle of the file"),
        Case("j-good-3", CODED, "JSON line: published with a time and zone"),
        Case(key(4), "malformed record: record is not a JSON object", "JSON line that is an array"),
        Case(key(5), "malformed record: record is not a JSON object", "JSON line that is a string"),
        Case(key(6), "malformed record: ", "JSON line with a raw NUL byte"),
        Case("j-latin1", CODED, "JSON line with a Latin-1 byte in the text"),
        Case(key(8), "malformed record: record is not a JSON object", "JSON line that is null"),
        Case(key(9), "malformed record: record is not a JSON object", "JSON line that is a number"),
        Case(key(10), "malformed record: record has no text", "JSON object without text"),
        Case(key(11), "malformed record: record text is int, not a string", "JSON object with text as a number"),
        Case("j-html", CODED, "HTML page with scripts, nav, header, footer as text"),
        Case("j-good-1", "article_id already used for other content", "other content under an id already used"),
        Case("j-bad-date", "no publication date", "unparseable published value"),
        Case("j-future", "publication date in the future", "publication date 30 days ahead"),
        Case("j-dup", "duplicate of dup_a", "same article, other id, other whitespace"),
        Case(key(17), "malformed record: empty text", "HTML with nothing but scripts and navigation"),
    ]


def _files(today: date) -> dict[str, bytes]:
    """The hostile .txt (and other) files by name."""
    rng = random.Random(1)
    return {
        "empty.txt": b"", "whitespace.txt": b"  \n\t\r\n   \n", "header_only.txt": b"date 2024-05-01\n\n",
        "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,
        "invalid_utf8.txt": news("invalid utf8 \udcff").encode("utf-8", "surrogateescape"),
        "cp1252.txt": news("cp1252 café").encode("cp1252"),
        "mixed_encoding.txt": news("mixed").encode("utf-8") + " Caf\u00e9 “quoted”.".encode("cp1252"),
        "undated.txt": news("undated").split(" ", 2)[2].encode(),
        "bad_date.txt": news("bad date").replace("2024-05-07", "2024-13-45").encode(),
        "future.txt": news("future", today + timedelta(days=365)).encode(),
        "old.txt": news("old", date(1850, 3, 1)).encode(),
        "french.txt": ("date 2024-05-02 PARIS – Le ministre des Affaires étrangères de la France a rencontré son "
                       "homologue allemand à Paris mardi pour discuter de la sécurité en Europe, a indiqué le "
                       "ministère dans un communiqué publié mercredi. Les deux ministres ont évoqué la situation."
                       ).encode(),
        "chinese.txt": ("date 2024-05-02 北京 – 中国外交部长周二在北京与肯尼亚外交部长举行会谈，双方讨论了贸易和"
                        "基础设施合作问题。外交部发言人在例行记者会上表示，会谈气氛友好。" * 6).encode(),
        "russian.txt": ("date 2024-05-02 МОСКВА – Министры иностранных дел России и Турции провели переговоры "
                        "в Москве во вторник, сообщили в министерстве. " * 4).encode(),
        "base64_blob.txt": b"date 2024-05-02 " + bytes(rng.choice(b"ABCDEF0123456789abcdef+/") for _ in range(50_000)),
        "one_giant_word.txt": b"date 2024-05-02 " + b"Ab" * 40_000,
        "dup_a.txt": news("dup").encode(), "dup_b.txt": news("dup").encode(),
        "..%2f..%2fetc%2fpasswd.txt": news("traversal").encode(),
        "name with spaces.txt": news("spaces").encode(), "ünïcødé 新闻.txt": news("unicode").encode(),
        "UPPER.TXT": news("upper case suffix").encode(),
        "notes.md": b"# not an article: folders may hold READMEs\n",
        "huge.txt": news("huge").encode() + b" filler" * ((MAX_FILE_BYTES + 8) // 7),
        "long.txt": news("long").encode() + (b"\n\nThe weather in the capital stayed mild and dry." * 410_000),
    }


def write_hostile(folder: Path, today: date | None = None) -> list[Case]:
    """Write the hostile corpus into folder; returns the expected outcome of every input."""
    today = today or date.today()
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in _files(today).items():
        (folder / name).write_bytes(data)
    (folder / "sub dir").mkdir(exist_ok=True)
    (folder / "sub dir" / "nested.txt").write_bytes(news("nested").encode())
    # a file name that is not valid UTF-8 (a Latin-1 é): the OS hands Python a lone surrogate
    with open(os.path.join(os.fsencode(folder), b"latin1_name_\xe9.txt"), "wb") as handle:
        handle.write(news("latin1 name").encode())
    (folder / "records.jsonl").write_bytes(b"\n".join(_records(today)) + b"\n")
    (folder / "bom.jsonl").write_bytes("\ufeff".encode() + json.dumps(
        {"id": "j-bom", "published": "2024-05-08", "text": _body("bom")}).encode() + b"\n")
    return _file_cases() + _record_cases()


def _file_cases() -> list[Case]:
    """Expected outcomes of the files other than records.jsonl, in sorted-name order."""
    return [
        Case("empty.txt", "empty text", "empty file"), Case("whitespace.txt", "empty text", "whitespace-only file"),
        Case("header_only.txt", "empty text", "date header and nothing else"),
        Case("binary.txt", "binary content (NUL bytes)", "binary bytes with NULs"),
        Case("invalid_utf8", CODED, "invalid UTF-8 byte in a UTF-8 text"),
        Case("cp1252", CODED, "whole file in cp1252"), Case("mixed_encoding", CODED, "UTF-8 and cp1252 mixed"),
        Case("undated", "no publication date", "no date header"),
        Case("bad_date", "no publication date", "malformed date 2024-13-45"),
        Case("future", "publication date in the future", "publication date a year ahead"),
        Case("old", CODED, "publication date in 1850"),
        Case("french", "not English", "French text"), Case("chinese", "not English", "Chinese text (no spaces)"),
        Case("russian", "not English", "Russian text"), Case("base64_blob", "not English", "50 kB base64-like blob"),
        Case("one_giant_word", "not English", "80 kB text without a space"),
        Case("dup_a", CODED, "article"), Case("dup_b", "duplicate of dup_a", "same article under another file name"),
        Case("..%2f..%2fetc%2fpasswd", CODED, "path-traversal-like file name"),
        Case("name with spaces", CODED, "file name with spaces"), Case("ünïcødé 新闻", CODED, "unicode file name"),
        Case("UPPER", CODED, "upper-case .TXT suffix"), Case("nested", CODED, "article in a sub folder with a space"),
        Case("latin1_name_\ufffd", CODED, "file name that is not valid UTF-8"),
        Case("huge.txt", f"larger than {MAX_FILE_BYTES} bytes", "21 MB file, over the file size cap"),
        Case("long", CODED, "20 MB article under the file cap (text cut, see text_chars)"),
        Case("j-bom", CODED, "JSON Lines file starting with a UTF-8 BOM"),
    ]


def sample_paragraphs() -> list[str]:
    """Body paragraphs of the bundled samples (first paragraphs keep their dateline, so they are left out)."""
    return [p for f in sorted(SAMPLES.glob("*.txt")) for p in f.read_text("utf-8").split("\n\n")[1:] if p.strip()]


def write_recombined(folder: Path, n: int, seed: int = 11) -> list[str]:
    """Write n distinct articles recombined from sample paragraphs, each with its own id and date; returns ids."""
    rng = random.Random(seed)
    paragraphs = sample_paragraphs()
    firsts = [f.read_text("utf-8").split("\n\n")[0] for f in sorted(SAMPLES.glob("*.txt"))]
    folder.mkdir(parents=True, exist_ok=True)
    ids = []
    for i in range(n):
        lead = rng.choice(firsts).split(" ", 2)[2]  # keep the dateline, drop the sample's own date
        day = date(2019, 1, 1) + timedelta(days=rng.randrange(2000))
        body = "\n\n".join([lead, *rng.sample(paragraphs, k=4)])
        ids.append(f"crash-{i:04d}")
        (folder / f"{ids[-1]}.txt").write_text(f"date {day.isoformat()} {body}", encoding="utf-8")
    return ids


if __name__ == "__main__":
    for case in write_hostile(Path(sys.argv[1])):
        print(f"{case.key:32} {case.outcome:50} {case.what}")
