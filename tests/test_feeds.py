"""Feeds and pages over a local HTTP server: parsing, safety refusals, incremental runs and failed sources."""

from __future__ import annotations

import json
from datetime import date
from html import escape
from pathlib import Path

import pytest

from flows import tasks as steps
from flows.feeds import SourceGarbage, SourceItems, SourceRefused, read_source, retryable
from flows.lake import read_table
from flows.settings import FetchSettings
from tests.feed_server import Route, serve_fixtures
from transforms.articles import Article
from transforms.pages import extract_page

ITEMS = json.loads((Path(__file__).parent / "fixtures" / "feeds" / "items.json").read_text(encoding="utf-8"))
FAST = FetchSettings(timeout_seconds=0.5, retries=2, retry_delay_seconds=0)
RSS = "application/rss+xml; charset=utf-8"
PAGE = """<!doctype html><html><head><title>Site | Story</title>
<meta property="og:title" content="Peru and Chile presidents meet">
<meta property="article:published_time" content="2024-05-11T16:20:00Z">
<script>var tracking = "held talks in Paris";</script><style>p {color: red}</style></head>
<body><header>Top stories menu</header><nav><a href="/">Home</a> World</nav>
<article><h1>Peru and Chile presidents meet</h1><p>{text}</p><aside>Read also: unrelated story</aside>
<p>Officials said further meetings of the working groups would follow in the summer.</p></article>
<footer>Copyright fixture site</footer></body></html>"""


def rss(items: list[dict], link_base: str = "") -> bytes:
    """An RSS 2.0 feed of fixture items (summary as escaped HTML, like real feeds)."""
    entries = "".join(
        f"<item><guid>{i['guid']}</guid><title>{escape(i['title'])}</title><pubDate>{i['date']}</pubDate>"
        f"<link>{link_base}/story/{i['guid'][-1]}</link>"
        f"<description>{escape('<p>' + escape(i['text']) + '</p>')}</description></item>" for i in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Fixture Wire</title>'
            f"<link>http://127.0.0.1/</link>{entries}</channel></rss>").encode()


BOMB = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rss version="2.0"><channel><title>&lol3;</title><item><title>&lol3;</title><guid>x</guid></item></channel></rss>"""


def test_feed_entries_become_articles_with_guid_ids_dates_and_plain_text() -> None:
    with serve_fixtures({"/feed": Route(rss(ITEMS[:2]), RSS)}) as server:
        result = read_source(server.url("/feed"), FAST)
    articles = [i for i in result.items if isinstance(i, Article)]
    assert [a.article_id for a in articles] == ["urn:fixture:1", "urn:fixture:2"]
    first = articles[0]
    assert first.published == date(2024, 5, 6) and first.source == "Fixture Wire"
    assert first.title == ITEMS[0]["title"] and first.dateline == "ASTANA"
    assert "<p>" not in first.text and first.text.startswith("ASTANA – The foreign ministers")


def test_known_guid_is_skipped_even_when_its_text_changed_and_window_counts_outside() -> None:
    edited = [dict(ITEMS[0], text=ITEMS[0]["text"] + " Updated.")] + ITEMS[1:4]
    with serve_fixtures({"/feed": Route(rss(edited), RSS)}) as server:
        result = read_source(server.url("/feed"), FAST, known={"urn:fixture:1"},
                             since=date(2024, 5, 7), until=date(2024, 5, 8))
    assert result.seen == 1 and result.outside == 1  # item 1 known; item 4 (May 9) past the window
    assert [i.article_id for i in result.items] == ["urn:fixture:2", "urn:fixture:3"]


def test_fetch_pages_reads_the_linked_page_main_text() -> None:
    page = PAGE.replace("{text}", escape(ITEMS[5]["text"])).encode()
    with serve_fixtures({"/story/6": Route(page)}) as server:
        server.routes["/feed"] = Route(rss([ITEMS[5]], server.base), RSS)
        result = read_source(server.url("/feed"), FAST.model_copy(update={"fetch_pages": True}))
    (article,) = result.items
    assert server.hits["/story/6"] == 1
    assert "working groups" in article.text  # only on the page, not in the feed summary
    assert article.article_id == "urn:fixture:6" and article.url == server.url("/story/6")


def test_page_extraction_drops_furniture_and_reads_title_and_date() -> None:
    page = extract_page(PAGE.replace("{text}", escape(ITEMS[5]["text"])))
    assert page.title == "Peru and Chile presidents meet" and page.published == date(2024, 5, 11)
    assert page.text.startswith("Peru and Chile presidents meet\n\nLIMA – The President of Peru")
    for furniture in ("tracking", "Home", "Top stories", "Read also", "Copyright", "color"):
        assert furniture not in page.text
    plain = extract_page('<html><title>T</title><body><p>Text</p><time datetime="2023-02-01">x</time></body></html>')
    assert (plain.title, plain.published) == ("T", date(2023, 2, 1))


def test_a_page_url_becomes_one_article_keyed_by_its_url() -> None:
    page = PAGE.replace("{text}", escape(ITEMS[5]["text"])).encode()
    with serve_fixtures({"/story": Route(page)}) as server:
        (article,) = read_source(server.url("/story"), FAST).items
        assert read_source(server.url("/story"), FAST, known={server.url("/story")}).seen == 1
    assert article.article_id == article.url == server.url("/story") and article.source == "127.0.0.1"


def test_entity_bomb_and_external_entities_are_refused() -> None:
    external = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss><channel>&x;</channel></rss>'
    broken = BOMB.replace(b"</rss>", b"")  # malformed too: must not slip through to the lenient parser
    with serve_fixtures({"/bomb": Route(BOMB, RSS), "/xxe": Route(external, RSS), "/broken": Route(broken, RSS)}) as srv:
        for path in ("/bomb", "/xxe", "/broken"):
            with pytest.raises(SourceRefused, match="unsafe XML"):
                read_source(srv.url(path), FAST)


def test_redirect_loop_too_many_hops_and_oversized_bodies_are_refused() -> None:
    routes = {"/a": Route(status=302, location="/b"), "/b": Route(status=302, location="/a"),
              "/big": Route(b"x" * 2048), "/file": Route(status=302, location="file:///etc/passwd")}
    routes |= {f"/hop{i}": Route(status=301, location=f"/hop{i + 1}") for i in range(8)}
    with serve_fixtures(routes) as server:
        with pytest.raises(SourceRefused, match="redirect"):
            read_source(server.url("/a"), FAST)
        with pytest.raises(SourceRefused, match="redirect"):
            read_source(server.url("/hop0"), FAST)
        with pytest.raises(SourceRefused, match="redirect"):
            read_source(server.url("/file"), FAST)
        with pytest.raises(SourceRefused, match="larger than"):
            read_source(server.url("/big"), FAST.model_copy(update={"max_bytes": 1024}))
        assert sum(server.hits.values()) < 20
        assert server.hits["/hop6"] == 0  # at most 5 redirects followed


def test_garbage_and_timeouts_are_retried_refusals_are_not() -> None:
    class State:
        def __init__(self, error: BaseException) -> None:
            self.data = error

    with serve_fixtures({"/garbage": Route(b"\x89PNG\r\n\x1a\n\x00\x00 not a feed", RSS),
                         "/hang": Route(rss(ITEMS[:1]), RSS, sleep=1.5)}) as server:
        with pytest.raises(SourceGarbage):
            read_source(server.url("/garbage"), FAST)
        with pytest.raises(TimeoutError):
            read_source(server.url("/hang"), FAST)
    assert retryable(None, None, State(SourceGarbage("x"))) and retryable(None, None, State(TimeoutError()))
    assert not retryable(None, None, State(SourceRefused("bomb")))


def _run_without_prefect(urls: list[str], lake: Path) -> steps.Ingested:
    """One scheduled-style run through the plain step functions (what the flow's tasks call)."""
    known = set(read_table("articles", lake)["article_id"])
    fetched = SourceItems()
    for url in urls:
        part = read_source(url, FAST, known)
        fetched.items += part.items
        fetched.seen += part.seen
    batch = steps.ingest([], str(lake), fetched.items)
    batch.seen += fetched.seen
    coded, failed = steps.code(batch.accepted)
    checked = steps.check(steps.assemble(batch, coded, failed, "pure-run", steps.utc_now()), "pure-run",
                          lake / steps.DOCS_DIR)
    steps.write(checked.tables, str(lake))
    return batch


@pytest.fixture(scope="module")
def scheduled(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Run 1 without Prefect on 4 items; run 2 as a real flow on 7 items plus a hanging and a garbage feed; a rerun."""
    from flows.pipeline import run_pipeline
    from flows.settings import Settings

    lake = tmp_path_factory.mktemp("feed_lake")
    edited = [dict(ITEMS[0], text=ITEMS[0]["text"] + " The statement was updated.")] + ITEMS[1:]
    routes = {"/v1": Route(rss(ITEMS[:4]), RSS), "/v2": Route(rss(edited), RSS),
              "/hang": Route(rss(ITEMS), RSS, sleep=1.5), "/garbage": Route(b"<<<\x00garbage", RSS)}
    settings = Settings(fetch=FAST)
    with serve_fixtures(routes) as server:
        first = _run_without_prefect([server.url("/v1")], lake)
        before = {name: read_table(name, lake) for name in ("articles", "events")}
        second = run_pipeline([server.url(p) for p in ("/v2", "/hang", "/garbage")], lake, settings)
        after = {name: read_table(name, lake) for name in ("articles", "events", "rejects")}
        rerun = run_pipeline([server.url("/v2")], lake, settings)
        hits = dict(server.hits)
    return {"lake": lake, "first": first, "second": second, "rerun": rerun, "before": before, "after": after,
            "hits": hits, "base": server.base}


@pytest.mark.flow
def test_second_run_codes_only_the_three_new_items(scheduled: dict) -> None:
    first, second, before, after = scheduled["first"], scheduled["second"], scheduled["before"], scheduled["after"]
    assert len(first.accepted) == 4 and not before["events"].is_empty()
    assert (second.articles_new, second.articles_seen) == (3, 4)
    new_ids = set(after["articles"]["article_id"]) - set(before["articles"]["article_id"])
    assert new_ids == {"urn:fixture:5", "urn:fixture:6", "urn:fixture:7"}
    assert set(after["events"]["article_id"]) - set(before["events"]["article_id"]) <= new_ids
    assert after["events"].join(before["events"], on="event_id", how="semi").height == before["events"].height
    assert after["events"]["event_id"].n_unique() == after["events"].height  # added articles, no duplicate event_id
    # the edited item 1 kept its first text: same guid means skip, not a clash reject
    first_hash = before["articles"].filter(article_id="urn:fixture:1")["content_hash"].to_list()
    assert after["articles"].filter(article_id="urn:fixture:1")["content_hash"].to_list() == first_hash
    assert not any("already used" in r for r in after["rejects"]["reason"].to_list())


@pytest.mark.flow
def test_hanging_and_garbage_feeds_are_retried_then_recorded_as_failed_sources(scheduled: dict) -> None:
    rejects = scheduled["after"]["rejects"]
    failed = {k: r for k, r in zip(rejects["key"], rejects["reason"], strict=True) if r.startswith("source failed")}
    base = scheduled["base"]
    assert set(failed) == {base + "/hang", base + "/garbage"}, failed
    assert "TimeoutError" in failed[base + "/hang"] or "timed out" in failed[base + "/hang"]
    assert scheduled["hits"]["/hang"] == 3 and scheduled["hits"]["/garbage"] == 3  # 1 try + 2 retries each
    assert all(kind == "article" for kind in rejects["record_kind"])


@pytest.mark.flow
def test_rerun_of_the_same_window_is_a_no_op(scheduled: dict) -> None:
    rerun, after = scheduled["rerun"], scheduled["after"]
    assert (rerun.articles_new, rerun.articles_seen, rerun.articles_rejected) == (0, 7, 0)
    lake = scheduled["lake"]
    for name in ("articles", "events", "rejects"):
        assert read_table(name, lake).height == after[name].height, name
    assert sum(rerun.events_by_type.values()) == 0
