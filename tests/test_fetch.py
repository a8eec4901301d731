"""Feeds over real HTTP: a server on 127.0.0.1 serves the corpus and misbehaves."""

from __future__ import annotations

import gzip
import json
import socket
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from tests.feed_server import FEEDS, drip, endless, reset_mid_body, rss
from tui_reader.library.store import Store
from tui_reader.network_settings import NetworkSettings
from tui_reader.sources import refresh as refresh_module
from tui_reader.sources.http import FetchError
from tui_reader.sources.refresh import refresh_feeds
from tui_reader.sources.seeds import open_library
from tui_reader.sources.subscribe import subscribe

QUICK = NetworkSettings(connect_timeout=2, read_timeout=0.5, total_timeout=5)


@pytest.fixture
def library(data_dir: Path) -> Store:
    with open_library(data_dir) as store:
        yield store


def subscribe_paths(library: Store, server, *paths: str):
    return [library.add_feed(server.url(path))[0] for path in paths]


async def refresh_one(library: Store, server, path: str, settings=QUICK):
    [feed] = subscribe_paths(library, server, path)
    summary = await refresh_feeds(library, [feed], settings)
    [outcome] = summary.outcomes
    return outcome


@pytest.mark.needs_corpus
async def test_every_corpus_feed_refreshes_without_an_exception(library: Store, feed_server):
    files = sorted(
        p
        for p in FEEDS.rglob("*")
        if p.is_file() and p.suffix in (".xml", ".rss", ".atom", ".json")
    )
    feeds = subscribe_paths(
        library, feed_server, *(f"/corpora/{p.relative_to(FEEDS)}" for p in files)
    )
    summary = await refresh_feeds(library, feeds, NetworkSettings())
    assert len(summary.outcomes) == len(files)
    failed = {Path(o.feed.url).name: o.error for o in summary.outcomes if o.status == "failed"}
    # Two are no feed at all (an empty file, an HTML "moved" page) and one is
    # malformed XML that breaks off before its first item.
    assert set(failed) == {"empty.xml", "unrecognized.rss", "rss_2.0_invalid_1.xml"}
    assert "malformed feed with no items" in failed["rss_2.0_invalid_1.xml"]
    assert all(error and "\n" not in error for error in failed.values())
    with_articles = sum(1 for o in summary.outcomes if o.new)
    print(f"\n{with_articles} of {len(files)} corpus feeds produced articles, {summary.new} in all")
    assert with_articles >= len(files) - 4
    by_name = {Path(f.url).name: f for f in library.feeds()}

    # A sample of counts and titles, read off the files themselves.
    def titles_of(feed) -> set[str]:
        return {
            row[0]
            for row in library.query("SELECT title FROM articles WHERE feed_id = ?", (feed.id,))
        }

    guardian = by_name["guardian.rss"]
    assert guardian.total == 55
    assert "Trump State of the Union address promised unity but emphasized discord" in (
        titles_of(guardian)
    )
    heise = by_name["heise.atom"]
    assert heise.total == 15
    assert "Java-Anwendungsserver: Red Hat gibt WildFly 10 frei" in titles_of(heise)
    assert by_name["rss20_1.xml"].total == 1
    assert titles_of(by_name["rss20_1.xml"]) == {"this is an item"}
    # Entries that share an id (or have none and share a link) are all kept.
    assert by_name["atom10_feed_authors.xml"].total == 9
    assert by_name["items_without_titles.xml"].total == 5
    # JSON Feed items without titles are named by the start of their text.
    assert by_name["jsonfeed_1_1_example0.json"].total == 2


async def test_304_costs_no_parse_and_no_duplicates(library: Store, feed_server):
    body = rss("Daily", [("a", "Alpha"), ("b", "Beta")])
    feed_server.routes["/daily"] = lambda h: h.send_feed(body)
    [feed] = subscribe_paths(library, feed_server, "/daily")
    first = (await refresh_feeds(library, [feed], QUICK)).outcomes[0]
    assert (first.status, first.new) == ("updated", 2)
    [feed] = library.feeds()
    second = (await refresh_feeds(library, [feed], QUICK)).outcomes[0]
    assert (second.status, second.new) == ("unchanged", 0)
    assert feed_server.requests[-1][1].get("If-None-Match") == feed.etag
    assert library.count() == 2


async def test_an_edited_entry_is_updated_in_place_and_keeps_its_state(library: Store, feed_server):
    bodies = [rss("Daily", [("a", "Alpha")]), rss("Daily", [("a", "Alpha, corrected")])]
    feed_server.routes["/daily"] = lambda h: h.send_feed(bodies[0])
    [feed] = subscribe_paths(library, feed_server, "/daily")
    await refresh_feeds(library, [feed], QUICK)
    [headline] = library.headlines()
    library.set_read(headline.id, True)
    library.set_starred(headline.id, True)
    bodies.pop(0)
    outcome = (await refresh_feeds(library, library.feeds(), QUICK)).outcomes[0]
    assert (outcome.new, outcome.updated) == (0, 1)
    [after] = library.headlines()
    assert (after.id, after.title, after.read, after.starred) == (
        headline.id,
        "Alpha, corrected",
        True,
        True,
    )


async def test_a_permanent_redirect_chain_updates_the_stored_url(library: Store, feed_server):
    feed_server.routes["/old"] = lambda h: h.redirect(301, "/middle")
    feed_server.routes["/middle"] = lambda h: h.redirect(308, "/new")
    feed_server.routes["/new"] = lambda h: h.send_feed(rss("Moved", [("a", "Alpha")]))
    outcome = await refresh_one(library, feed_server, "/old")
    assert outcome.status == "updated"
    assert [f.url for f in library.feeds()] == [feed_server.url("/new")]


async def test_a_temporary_redirect_keeps_the_url(library: Store, feed_server):
    feed_server.routes["/here"] = lambda h: h.redirect(302, "/there")
    feed_server.routes["/there"] = lambda h: h.send_feed(rss("Elsewhere", [("a", "Alpha")]))
    await refresh_one(library, feed_server, "/here")
    assert [f.url for f in library.feeds()] == [feed_server.url("/here")]


@pytest.mark.parametrize(
    ("path", "setup", "error"),
    [
        (
            "/loop",
            lambda s: s.routes.update({"/loop": lambda h: h.redirect(302, "/loop")}),
            "too many redirects",
        ),
        ("/missing", lambda s: None, "HTTP 404 Not Found"),
        (
            "/broken",
            lambda s: s.routes.update({"/broken": lambda h: h.send_plain(500, b"oops")}),
            "HTTP 500",
        ),
        (
            "/drip",
            lambda s: s.routes.update({"/drip": lambda h: drip(h, pause=1.0)}),
            "read timeout",
        ),
        (
            "/reset",
            lambda s: s.routes.update({"/reset": reset_mid_body}),
            "connection broken mid-response",
        ),
        (
            "/endless",
            lambda s: s.routes.update({"/endless": endless}),
            "larger than 1 MB; stopped reading",
        ),
        (
            "/garbage",
            lambda s: s.routes.update(
                {
                    "/garbage": lambda h: h.send_feed(
                        b"<rss version='2.0'><channel><title>Broken</title><item"
                    )
                }
            ),
            "malformed feed",
        ),
        (
            "/page",
            lambda s: s.routes.update(
                {"/page": lambda h: h.send_plain(200, b"<html><body>hi</body></html>", "text/html")}
            ),
            "not a feed (an HTML page)",
        ),
    ],
)
async def test_misbehaving_servers_get_one_line_errors(
    library: Store, feed_server, path, setup, error
):
    setup(feed_server)
    settings = NetworkSettings(
        connect_timeout=2, read_timeout=0.5, total_timeout=5, max_bytes=1024 * 1024
    )
    outcome = await refresh_one(library, feed_server, path, settings)
    assert outcome.status == "failed"
    assert error in outcome.error
    [feed] = library.feeds()
    assert feed.error == outcome.error and "\n" not in feed.error


async def test_a_wrong_content_type_still_parses(library: Store, feed_server):
    body = rss("Plain", [("a", "Alpha")])
    feed_server.routes["/plain"] = lambda h: h.send_plain(200, body, "text/plain")
    outcome = await refresh_one(library, feed_server, "/plain")
    assert (outcome.status, outcome.new) == ("updated", 1)


async def test_one_broken_feed_does_not_spoil_the_others(library: Store, feed_server):
    feed_server.routes["/good"] = lambda h: h.send_feed(rss("Good", [("a", "Alpha")]))
    feed_server.routes["/bad"] = lambda h: h.send_plain(500, b"down")
    feeds = subscribe_paths(library, feed_server, "/good", "/bad")
    summary = await refresh_feeds(library, feeds, QUICK)
    assert summary.line() == "1 feed updated, 1 new article, 0 unchanged, 1 failed"
    by_url = {f.url: f for f in library.feeds()}
    assert by_url[feed_server.url("/good")].error is None
    assert by_url[feed_server.url("/bad")].error == "HTTP 500 Internal Server Error"


async def test_subscribing_to_a_page_finds_its_feed(library: Store, feed_server):
    feed_server.routes["/feed.xml"] = lambda h: h.send_feed(rss("Site News", [("a", "Alpha")]))
    page = (
        b'<html><head><link rel="alternate" type="application/rss+xml" title="News"'
        b' href="/feed.xml"><link rel="alternate" type="application/atom+xml" href="/atom">'
        b"</head><body>Welcome</body></html>"
    )
    feed_server.routes["/"] = lambda h: h.send_plain(200, page, "text/html")
    result = await subscribe(library, feed_server.url("/"), QUICK)
    assert result.found_on_page is not None and result.found_on_page.title == "News"
    assert [link.url for link in result.offered] == [
        feed_server.url(p) for p in ("/feed.xml", "/atom")
    ]
    assert result.picked == 1
    assert result.feed.url == feed_server.url("/feed.xml")
    assert result.feed.title == "Site News"
    assert result.outcome.new == 1


async def test_subscribing_to_nothing_subscribes_nothing(library: Store, feed_server):
    feed_server.routes["/"] = lambda h: h.send_plain(200, b"<html>no feeds</html>", "text/html")
    with pytest.raises(FetchError, match="no feed at"):
        await subscribe(library, feed_server.url("/"), QUICK)
    with pytest.raises(FetchError, match="not an http"):
        await subscribe(library, "ftp://example.com/feed", QUICK)
    assert library.feeds() == []


async def test_compressed_responses_and_the_user_agent(library: Store, feed_server):
    body = gzip.compress(rss("Zipped", [("a", "Alpha"), ("b", "Beta")]))

    def zipped(handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    feed_server.routes["/zipped"] = zipped
    outcome = await refresh_one(library, feed_server, "/zipped")
    assert (outcome.status, outcome.new) == ("updated", 2)
    headers = {k.lower(): v for k, v in feed_server.requests[-1][1].items()}
    assert headers["user-agent"].startswith("tui-reader/")
    assert "gzip" in headers["accept-encoding"]


async def test_refused_and_tls_failures_are_named(library: Store, feed_server):
    with socket.socket() as probe:  # a port with nobody listening
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    refused, _ = library.add_feed(f"http://127.0.0.1:{closed_port}/feed")
    # TLS spoken to a plain-HTTP server fails the handshake.
    tls, _ = library.add_feed(feed_server.url("/feed").replace("http://", "https://"))
    summary = await refresh_feeds(library, [refused, tls], QUICK)
    errors = {o.feed.id: o.error for o in summary.outcomes}
    assert errors[refused.id] == "connection refused"
    assert errors[tls.id].startswith("TLS error")


async def test_a_moved_feed_that_answers_304_still_moves(library: Store, feed_server):
    body = rss("Moved", [("a", "Alpha")])
    feed_server.routes["/old"] = lambda h: h.send_feed(body)
    [feed] = subscribe_paths(library, feed_server, "/old")
    await refresh_feeds(library, [feed], QUICK)  # fetched at /old, ETag stored
    feed_server.routes["/old"] = lambda h: h.redirect(301, "/new")
    feed_server.routes["/new"] = lambda h: h.send_feed(body)  # same ETag: 304
    [outcome] = (await refresh_feeds(library, library.feeds(), QUICK)).outcomes
    assert outcome.status == "unchanged"
    assert [f.url for f in library.feeds()] == [feed_server.url("/new")]


async def test_entries_sharing_a_guid_are_all_kept_and_stay_put(library: Store, feed_server):
    body = rss("Dupes", [("same", "First"), ("same", "Second"), ("same", "First")])
    feed_server.routes["/dupes"] = lambda h: h.send_plain(200, body, "application/rss+xml")
    outcome = await refresh_one(library, feed_server, "/dupes")
    assert outcome.new == 2  # the exact repeat of "First" is one article
    again = (await refresh_feeds(library, library.feeds(), QUICK)).outcomes[0]
    assert (again.new, again.updated) == (0, 0)
    assert sorted(h.title for h in library.headlines()) == ["First", "Second"]


async def test_json_items_with_null_ids_stay_apart(library: Store, feed_server):
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Nulls",
        "items": [
            {"id": None, "url": f"https://example.com/{n}", "content_text": f"Item {n}"}
            for n in range(3)
        ],
    }
    feed_server.routes["/nulls"] = lambda h: h.send_feed(
        json.dumps(document).encode(), "application/feed+json"
    )
    outcome = await refresh_one(library, feed_server, "/nulls")
    assert outcome.new == 3


async def test_rss_labelled_as_json_still_parses(library: Store, feed_server):
    body = rss("Mislabelled", [("a", "Alpha")])
    feed_server.routes["/x"] = lambda h: h.send_plain(200, body, "application/json")
    assert (await refresh_one(library, feed_server, "/x")).new == 1


async def test_hostile_documents_fail_alone(library: Store, feed_server):
    deep = b'{"version": "https://jsonfeed.org/version/1", "items": ' + b"[" * 100_000
    feed_server.routes["/deep"] = lambda h: h.send_feed(deep, "application/feed+json")
    old_date = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Old",
        "items": [{"id": "1", "date_published": "0001-01-01T00:00:00+01:00", "content_text": "x"}],
    }
    feed_server.routes["/old"] = lambda h: h.send_feed(json.dumps(old_date).encode())
    surrogate = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "S\\udc00",'
        b' "items": [{"id": "1", "title": "Bad \\udc00 char", "content_text": "x"}]}'
    )
    feed_server.routes["/surrogate"] = lambda h: h.send_feed(surrogate)
    feed_server.routes["/good"] = lambda h: h.send_feed(rss("Good", [("a", "Alpha")]))
    feeds = subscribe_paths(library, feed_server, "/deep", "/old", "/surrogate", "/good")
    bad_url, _ = library.add_feed("http://xn--zz.com/feed")  # not valid IDNA
    summary = await refresh_feeds(library, [*feeds, bad_url], QUICK)
    status = {o.feed.url.rsplit("/", 1)[-1]: (o.status, o.error) for o in summary.outcomes}
    assert status["deep"][0] == "failed" and "invalid JSON" in status["deep"][1]
    assert status["old"] == ("updated", None)  # the impossible date is just unknown
    assert status["surrogate"] == ("updated", None)
    assert status["good"] == ("updated", None)
    assert summary.count("failed") == 2  # deep, and the bad host name
    assert "Bad char" in {h.title for h in library.headlines()}


async def test_many_feeds_parse_in_worker_processes(library: Store, feed_server, monkeypatch):
    pools = []
    real = refresh_module.make_parse_pool

    def counting_pool():
        pools.append(real())
        return pools[-1]

    monkeypatch.setattr(refresh_module, "make_parse_pool", counting_pool)
    for n in range(10):
        body = rss(f"Feed {n}", [(f"{n}-{i}", f"Item {i}") for i in range(20)])
        feed_server.routes[f"/p{n}"] = lambda h, body=body: h.send_feed(body)
    few = subscribe_paths(library, feed_server, "/p0", "/p1")
    await refresh_feeds(library, few, QUICK)
    assert pools == []  # two feeds: not worth starting processes
    many = subscribe_paths(library, feed_server, *(f"/p{n}" for n in range(2, 10)))
    summary = await refresh_feeds(library, many, QUICK)
    assert len(pools) == 1 and isinstance(pools[0], ProcessPoolExecutor)
    assert (summary.count("updated"), summary.new) == (8, 160)


async def test_a_refresh_of_mixed_misbehaving_servers_ends_in_time(library: Store, feed_server):
    """Slow, huge, looping, refusing and good servers in one refresh."""
    for n in range(3):
        body = rss(f"Good {n}", [(f"g{n}", f"Good story {n}")])
        feed_server.routes[f"/good{n}"] = lambda h, body=body: h.send_feed(body)
    feed_server.routes["/slow"] = lambda h: drip(h, pause=2.0, chunks=10)
    feed_server.routes["/huge"] = endless
    feed_server.routes["/loop"] = lambda h: h.redirect(307, "/loop")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    feeds = subscribe_paths(
        library, feed_server, "/good0", "/slow", "/huge", "/loop", "/good1", "/good2"
    )
    feeds.append(library.add_feed(f"http://127.0.0.1:{closed_port}/")[0])
    settings = NetworkSettings(
        connect_timeout=2, read_timeout=1, total_timeout=4, max_bytes=1024 * 1024
    )
    tracemalloc.start()
    started = time.monotonic()
    summary = await refresh_feeds(library, feeds, settings)
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < settings.total_timeout + 2
    errors = {o.feed.url.rsplit("/", 1)[-1] or "refused": o.error for o in summary.outcomes}
    assert "read timeout" in errors["slow"]
    assert "stopped reading" in errors["huge"]
    assert "too many redirects" in errors["loop"]
    assert errors["refused"] == "connection refused"
    assert [errors[f"good{n}"] for n in range(3)] == [None, None, None]
    assert summary.new == 3
    # The endless response was cut at the 1 MB cap: memory stayed near it.
    assert peak < 20 * 1024 * 1024, peak


@pytest.mark.needs_corpus
def test_the_fast_parser_reads_ordinary_feeds_and_feedparser_the_odd_ones():
    from tui_reader.sources.feed_parser import parse_feed

    ordinary = parse_feed((FEEDS / "rss-parser" / "guardian.rss").read_bytes(), "http://x/")
    assert ordinary.kind == "xml"  # fastfeedparser's result
    assert len(ordinary.entries) == 55
    # A bare Atom <entry> document: fastfeedparser finds nothing, feedparser does.
    odd = parse_feed((FEEDS / "feed-rs" / "atom" / "atom_entry_1.xml").read_bytes(), "http://x/")
    assert odd.kind == "atom10" and len(odd.entries) == 1


def test_an_error_that_says_nothing_is_named_once():
    from tui_reader.errors import unexpected

    assert unexpected(TimeoutError()) == "unexpected TimeoutError"
    assert unexpected(ValueError("bad\nvalue")) == "unexpected ValueError: bad value"
