"""The GReader client against a real FreshRSS (tests/freshrss.py) and local feeds.

FreshRSS fetches the feeds from tests/feed_server.py on 127.0.0.1. A tiny
mock server stands in only for what FreshRSS cannot be made to do: a 500 on
one batch, an answer that is not JSON, a 401 that never ends.
"""

from __future__ import annotations

import json
import stat
import threading
import time
from collections.abc import AsyncIterator, Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.feed_server import FeedServer, rss
from tests.freshrss import FreshRSS
from tui_reader.sources.greader import GReaderClient
from tui_reader.sources.greader_model import (
    READ,
    READING_LIST,
    STARRED,
    GReaderAuthError,
    GReaderError,
    Quirks,
    RawPage,
    decode_item_id,
    long_item_id,
)

Requests = list[tuple[str, str]]


@pytest.fixture
async def http() -> AsyncIterator[tuple[httpx.AsyncClient, Requests]]:
    """A client that records (method, path) of every request it sends."""
    requests: Requests = []

    async def record(request: httpx.Request) -> None:
        requests.append((request.method, request.url.path))

    async with httpx.AsyncClient(timeout=30, event_hooks={"request": [record]}) as client:
        yield client, requests


def serve(feed_server: FeedServer, path: str, body: Callable[[], bytes]) -> str:
    """Serve a feed whose body is read at each request; returns its URL."""
    feed_server.routes[path] = lambda handler: handler.send_feed(body())
    return feed_server.url(path)


def client_for(
    server: FreshRSS,
    http: httpx.AsyncClient,
    *,
    token_file: Path | None = None,
    password: str | None = None,
) -> GReaderClient:
    secret = server.api_password if password is None else password
    return GReaderClient(
        http, server.greader_url, server.user, lambda: secret, token_file=token_file
    )


def logins(requests: Requests) -> int:
    return sum(path.endswith("/accounts/ClientLogin") for _, path in requests)


# ---------------------------------------------------------------- ids


def test_ids_decode_in_all_three_forms() -> None:
    assert decode_item_id("tag:google.com,2005:reader/item/0006619e9a0f2c18") == 0x6619E9A0F2C18
    assert decode_item_id("1796183677676568") == 1796183677676568
    assert decode_item_id(1796183677676568) == 1796183677676568
    assert decode_item_id("-1") == (1 << 64) - 1  # Google's signed decimal form
    assert long_item_id(31) == "tag:google.com,2005:reader/item/000000000000001f"
    for bad in ("", "feed/1", "tag:google.com,2005:reader/item/", "12a", None, True, 1.5):
        with pytest.raises(ValueError):
            decode_item_id(bad)


def page_of(items: list[dict[str, object]], **top: object) -> bytes:
    return json.dumps({"id": READING_LIST, "items": items, **top}).encode()


def test_a_pages_continuation_is_read_off_its_end_and_only_from_the_outer_object() -> None:
    """The next page is asked for before this one is parsed: only a continuation
    that closes the answer counts, never one inside an item, and anything
    else (another order, a small page) is parsed whole and agrees."""
    big = [{"id": str(n), "title": "x" * 100} for n in range(60)]
    page = RawPage(page_of(big, continuation="1796"), "server")
    assert page.continuation() == ("1796", True) and page._data is None  # not parsed yet
    assert len(page.data()["items"]) == 60

    # An item's own "continuation" key at the very end is not the page's.
    trick = RawPage(page_of([*big, {"id": "61", "continuation": "666"}]), "server")
    assert trick.continuation() == (None, True)
    first = RawPage(
        json.dumps({"continuation": "42", "items": big}).encode(), "server"
    )  # another server's order
    assert first.continuation() == ("42", True)
    empty = RawPage(page_of([], continuation="7"), "server")  # small: parsed at once
    assert empty.continuation() == ("7", False) and empty.known_empty()
    with pytest.raises(GReaderError, match="not valid JSON"):
        RawPage(b"<html>" + b"x" * 5000 + b"</html>", "server").continuation()


# ---------------------------------------------------------------- login


async def test_login_keeps_the_token_in_a_private_file_and_a_second_client_reuses_it(
    freshrss: FreshRSS, http: tuple[httpx.AsyncClient, Requests], tmp_path: Path
) -> None:
    client, requests = http
    token_file = tmp_path / "state" / "greader-token.json"
    await client_for(freshrss, client, token_file=token_file).login()
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert freshrss.api_password not in token_file.read_text()
    assert logins(requests) == 1
    assert not list(token_file.parent.glob(".*tmp"))  # the atomic write left nothing behind

    asked: list[bool] = []

    def password() -> str:
        asked.append(True)
        return freshrss.api_password

    second = GReaderClient(
        client, freshrss.greader_url, freshrss.user, password, token_file=token_file
    )
    assert await second.subscriptions() == []
    assert logins(requests) == 1 and not asked  # no login, not even the password asked for


async def test_a_wrong_password_is_one_line_without_the_password(
    freshrss: FreshRSS, http: tuple[httpx.AsyncClient, Requests]
) -> None:
    client, _ = http
    with pytest.raises(GReaderAuthError) as caught:
        await client_for(freshrss, client, password="hunter2-wrong").subscriptions()
    message = str(caught.value)
    assert message == "sync: the server refused user alice's password"
    assert "hunter2" not in message and "\n" not in message


async def test_a_stale_token_file_means_a_new_login_without_fuss(
    freshrss: FreshRSS, http: tuple[httpx.AsyncClient, Requests], tmp_path: Path
) -> None:
    client, requests = http
    token_file = tmp_path / "token.json"
    await client_for(freshrss, client, token_file=token_file).login()
    kept = json.loads(token_file.read_text())
    token_file.write_text(json.dumps({**kept, "auth": "alice/0123456789abcdef"}))  # revoked

    assert await client_for(freshrss, client, token_file=token_file).subscriptions() == []
    assert logins(requests) == 2
    assert json.loads(token_file.read_text())["auth"] == kept["auth"]  # replaced by a good one
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600

    token_file.write_text("{not json")  # a broken file is not a stop either
    assert await client_for(freshrss, client, token_file=token_file).subscriptions() == []
    assert logins(requests) == 3


async def test_an_unreachable_server_is_one_line(
    http: tuple[httpx.AsyncClient, Requests],
) -> None:
    client, _ = http
    from tests.freshrss import _free_port

    url = f"http://127.0.0.1:{_free_port()}/api/greader.php"
    with pytest.raises(GReaderError) as caught:
        await GReaderClient(client, url, "alice", lambda: "pw").subscriptions()
    assert str(caught.value) == f"sync: cannot reach {url}: connection refused"


async def test_a_url_that_is_no_greader_endpoint_says_so(
    feed_server: FeedServer, http: tuple[httpx.AsyncClient, Requests]
) -> None:
    client, _ = http
    with pytest.raises(GReaderError) as caught:
        await GReaderClient(client, feed_server.url("/"), "alice", lambda: "pw").login()
    message = str(caught.value)
    assert message.startswith(f"sync: {feed_server.url('')} is not a Google Reader API endpoint (")
    assert "\n" not in message and "pw" not in message.split("(")[1]


async def test_a_password_in_the_url_is_not_shown(http: tuple[httpx.AsyncClient, Requests]) -> None:
    client, _ = http
    from tests.freshrss import _free_port

    port = _free_port()
    url = f"http://bob:s3cret@127.0.0.1:{port}/api/greader.php"
    with pytest.raises(GReaderError) as caught:
        await GReaderClient(client, url, "bob", lambda: "pw").login()
    assert "s3cret" not in str(caught.value) and f"127.0.0.1:{port}" in str(caught.value)


# ---------------------------------------------------------------- subscriptions


async def test_quickadd_then_the_feed_is_listed_with_its_title_mapped_back(
    freshrss: FreshRSS, feed_server: FeedServer, http: tuple[httpx.AsyncClient, Requests]
) -> None:
    client, _ = http
    title = "Tom &amp; Jerry &lt;News&gt;? a/b, c; d\\e"  # XML-escaped: Tom & Jerry <News>...
    url = serve(feed_server, "/tom.xml", lambda: rss(title, [("g1", "One")], "http://tom.test/"))
    greader = client_for(freshrss, client)

    stream_id = await greader.quickadd(url)
    assert stream_id.startswith("feed/")
    [feed] = await greader.subscriptions()
    assert feed.stream_id == stream_id
    assert feed.title == "Tom & Jerry <News>? a/b, c; d\\e"
    assert feed.url == url and feed.site_url == "http://tom.test/"
    assert feed.folders == ("Uncategorized",)  # FreshRSS puts every feed in a folder

    with pytest.raises(GReaderError, match=r"^sync: the server could not subscribe to .*Already"):
        await greader.quickadd(url)
    missing = feed_server.url("/missing.xml")
    with pytest.raises(GReaderError) as caught:
        await greader.quickadd(missing)
    assert str(caught.value).startswith(f"sync: the server could not subscribe to {missing}: ")
    assert "404" in str(caught.value)


async def test_edit_subscription_renames_refiles_and_unsubscribes(
    freshrss: FreshRSS, feed_server: FeedServer, http: tuple[httpx.AsyncClient, Requests]
) -> None:
    client, _ = http
    url = serve(feed_server, "/f.xml", lambda: rss("Plain", [("g1", "One")]))
    greader = client_for(freshrss, client)
    stream_id = await greader.quickadd(url)

    await greader.edit_subscription(
        stream_id, action="edit", title="Fish & chips", add_label="Food"
    )
    [feed] = await greader.subscriptions()
    assert (feed.title, feed.folders) == ("Fish & chips", ("Food",))

    await greader.edit_subscription(stream_id, action="unsubscribe")
    assert await greader.subscriptions() == []


# ---------------------------------------------------------------- items


async def test_item_ids_and_contents_of_the_reading_list(
    freshrss: FreshRSS, feed_server: FeedServer, http: tuple[httpx.AsyncClient, Requests]
) -> None:
    client, _ = http
    items = [("a", "Fish &amp;amp; chips &amp;lt;3"), ("b", "Second"), ("c", "Third")]
    url = serve(feed_server, "/f.xml", lambda: rss("Food", items))
    greader = client_for(freshrss, client)
    stream_id = await greader.quickadd(url)

    ids = await greader.item_ids(READING_LIST)
    assert len(ids) == 3 and ids == sorted(ids, reverse=True)  # newest first
    assert await greader.item_ids(READING_LIST, count=1) == ids  # continuations followed
    assert await greader.item_ids(stream_id, count=2) == ids
    assert await greader.item_ids(READING_LIST, exclude=READ) == ids  # all unread
    assert await greader.item_ids(STARRED) == []

    got = {item.link: item for item in await greader.contents(ids)}
    assert set(got) == {"http://example.com/a", "http://example.com/b", "http://example.com/c"}
    first = got["http://example.com/a"]
    assert first.stream_id == stream_id
    # The fullwidth ampersands mapped back; the entities are the feed's own (escaped twice).
    assert first.title == "Fish &amp; chips &lt;3"
    assert first.html.startswith("<p>Body of ")
    assert first.crawled_us == first.item_id  # FreshRSS ids are the crawl time in µs
    assert first.published is not None and first.published.endswith("+00:00")
    assert not first.read and not first.starred
    assert await greader.contents([]) == []
    assert await greader.contents([12345]) == []  # an unknown id is left out

    pages = [page async for page in greader.stream_contents(READING_LIST, count=2)]
    assert [len(page) for page in pages] == [2, 1]
    assert [item.item_id for page in pages for item in page] == ids


async def test_edit_tag_read_and_starred_round_trip(
    freshrss: FreshRSS, feed_server: FeedServer, http: tuple[httpx.AsyncClient, Requests]
) -> None:
    client, _ = http
    url = serve(feed_server, "/f.xml", lambda: rss("F", [("a", "A"), ("b", "B"), ("c", "C")]))
    greader = client_for(freshrss, client)
    await greader.quickadd(url)
    newest, middle, oldest = await greader.item_ids(READING_LIST)

    await greader.edit_tag([newest, oldest], add=READ)
    await greader.edit_tag([middle], add=STARRED)
    assert await greader.item_ids(READING_LIST, exclude=READ) == [middle]
    assert await greader.item_ids(READING_LIST, include=READ) == [newest, oldest]
    assert await greader.item_ids(STARRED) == [middle]
    states = {i.item_id: (i.read, i.starred) for i in await greader.contents([newest, middle])}
    assert states == {newest: (True, False), middle: (False, True)}

    await greader.edit_tag([newest], remove=READ)
    await greader.edit_tag([middle], remove=STARRED)
    assert await greader.item_ids(READING_LIST, exclude=READ) == [newest, middle]
    assert await greader.item_ids(STARRED) == []


async def test_mark_all_as_read_leaves_newer_items_unread(
    freshrss: FreshRSS, feed_server: FeedServer, http: tuple[httpx.AsyncClient, Requests]
) -> None:
    client, _ = http
    entries = [("a", "A"), ("b", "B")]
    url = serve(feed_server, "/f.xml", lambda: rss("F", entries))
    greader = client_for(freshrss, client)
    await greader.quickadd(url)
    old = await greader.item_ids(READING_LIST)
    ts_us = max(item.crawled_us for item in await greader.contents(old))

    time.sleep(1.1)  # FreshRSS caches a fetch within the same second
    entries.insert(0, ("c", "C"))
    assert freshrss.refresh()
    new = [i for i in await greader.item_ids(READING_LIST) if i not in old]
    assert len(new) == 1

    await greader.mark_all_as_read(READING_LIST, ts_us)
    assert await greader.item_ids(READING_LIST, exclude=READ) == new
    assert sorted(await greader.item_ids(READING_LIST, include=READ)) == sorted(old)


# ---------------------------------------------------------------- what FreshRSS cannot do


class Mock(ThreadingHTTPServer):
    """A GReader-shaped server that answers what a test tells it to."""

    daemon_threads = True

    def __init__(self, answer: Callable[[str, str, bytes], tuple[int, str, bytes]]) -> None:
        super().__init__(("127.0.0.1", 0), _MockHandler)
        self.answer = answer
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def greader_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api/greader.php"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class _MockHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Mock

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        auth = self.headers.get("Authorization", "")
        path = self.path.split("?")[0].removeprefix("/api/greader.php/")
        if path == "accounts/ClientLogin":
            status, content_type, answer = (
                200,
                "text/plain",
                b"SID=x\nLSID=null\nAuth=alice/tok3n\n",
            )
        elif auth != "GoogleLogin auth=alice/tok3n":
            status, content_type, answer = 401, "text/plain", b"Unauthorized!"
        else:
            status, content_type, answer = self.server.answer(self.command, path, body)
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
        except OSError:  # the client gave up (the timeout test)
            self.close_connection = True

    do_GET = do_POST = _handle


@pytest.fixture
def mock() -> AsyncIterator[Callable[..., Mock]]:
    servers: list[Mock] = []

    def start(answer: Callable[[str, str, bytes], tuple[int, str, bytes]]) -> Mock:
        servers.append(Mock(answer))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def _item(n: int) -> dict[str, object]:
    return {"id": long_item_id(n), "title": f"Item {n}", "origin": {"streamId": "feed/1"}}


async def test_a_500_on_one_contents_batch_names_the_status(
    mock: Callable[..., Mock], http: tuple[httpx.AsyncClient, Requests]
) -> None:
    batches: list[int] = []

    def answer(method: str, path: str, body: bytes) -> tuple[int, str, bytes]:
        ids = [decode_item_id(v.split("=", 1)[1]) for v in body.decode().split("&")]
        batches.append(len(ids))
        if len(batches) == 2:
            return 500, "text/plain", b"database is locked"
        return 200, "application/json", json.dumps({"items": [_item(n) for n in ids]}).encode()

    server = mock(answer)
    client, _ = http
    greader = GReaderClient(client, server.greader_url, "alice", lambda: "pw")
    assert len(await greader.contents(list(range(1, 251)))) == 250
    batches.clear()
    with pytest.raises(GReaderError) as caught:
        await greader.contents(list(range(1, 601)))
    assert batches == [250, 250]
    assert str(caught.value) == (
        f"sync: {server.greader_url} answered HTTP 500 Internal Server Error"
        " to stream/items/contents (250 items): database is locked"
    )


async def test_an_answer_that_is_not_json_is_one_line(
    mock: Callable[..., Mock], http: tuple[httpx.AsyncClient, Requests]
) -> None:
    server = mock(lambda method, path, body: (200, "application/json", b'{"subscriptions": ['))
    client, _ = http
    with pytest.raises(GReaderError) as caught:
        await GReaderClient(client, server.greader_url, "alice", lambda: "pw").subscriptions()
    assert str(caught.value) == (
        f"sync: {server.greader_url} sent an answer to subscription/list that is not valid JSON"
    )


async def test_a_401_after_a_new_login_stops_without_showing_the_token(
    mock: Callable[..., Mock], http: tuple[httpx.AsyncClient, Requests]
) -> None:
    server = mock(lambda method, path, body: (401, "text/plain", b"Unauthorized! alice/tok3n"))
    client, requests = http
    with pytest.raises(GReaderAuthError) as caught:
        await GReaderClient(client, server.greader_url, "alice", lambda: "pw").item_ids(STARRED)
    message = str(caught.value)
    assert "even after logging in again" in message
    assert "tok3n" not in message and "pw" not in message.split(":", 2)[-1]
    assert logins(requests) == 2  # the first login, and one renewal: no loop


async def test_a_login_answer_that_is_an_html_page_is_no_greader_endpoint(
    http: tuple[httpx.AsyncClient, Requests],
) -> None:
    class Html(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            page = b"<!doctype html><title>Welcome</title>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Html)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        client, _ = http
        with pytest.raises(GReaderError) as caught:
            await GReaderClient(client, url, "alice", lambda: "pw").login()
        assert str(caught.value) == (
            f"sync: {url.rstrip('/')} is not a Google Reader API endpoint"
            " (its login answer is an HTML page)"
        )
    finally:
        server.shutdown()
        server.server_close()


async def test_a_stale_edit_token_is_renewed(
    freshrss: FreshRSS, feed_server: FeedServer, http: tuple[httpx.AsyncClient, Requests]
) -> None:
    """FreshRSS answers a bad edit token (`T`) with 401, as it does a bad Auth."""
    client, requests = http
    url = serve(feed_server, "/f.xml", lambda: rss("F", [("a", "A")]))
    greader = client_for(freshrss, client)
    await greader.quickadd(url)
    [item_id] = await greader.item_ids(READING_LIST)
    greader._edit_token = "stale"
    await greader.edit_tag([item_id], add=STARRED)
    assert await greader.item_ids(STARRED) == [item_id]
    assert logins(requests) == 2


async def test_long_ids_quirk_sends_the_long_form(
    mock: Callable[..., Mock], http: tuple[httpx.AsyncClient, Requests]
) -> None:
    bodies: list[str] = []

    def answer(method: str, path: str, body: bytes) -> tuple[int, str, bytes]:
        bodies.append(body.decode())
        if path == "reader/api/0/token":
            return 200, "text/plain", b"edit-token\n"
        if path == "reader/api/0/edit-tag":
            return 200, "text/plain", b"OK"
        return 200, "application/json", json.dumps({"items": [_item(31)]}).encode()

    server = mock(answer)
    client, _ = http
    greader = GReaderClient(
        client, server.greader_url, "alice", lambda: "pw", quirks=Quirks(long_item_ids=True)
    )
    [item] = await greader.contents([31])
    assert item.item_id == 31 and item.stream_id == "feed/1"
    await greader.edit_tag([31], add=READ)
    long_form = "i=tag%3Agoogle.com%2C2005%3Areader%2Fitem%2F000000000000001f"
    assert bodies[0] == long_form
    assert bodies[-1] == f"{long_form}&a=user%2F-%2Fstate%2Fcom.google%2Fread&T=edit-token"


async def test_a_server_that_stops_answering_is_one_line(
    mock: Callable[..., Mock],
) -> None:
    def answer(method: str, path: str, body: bytes) -> tuple[int, str, bytes]:
        time.sleep(1.5)
        return 200, "application/json", b"{}"

    server = mock(answer)
    async with httpx.AsyncClient(timeout=0.5) as client:
        with pytest.raises(GReaderError) as caught:
            await GReaderClient(client, server.greader_url, "alice", lambda: "pw").subscriptions()
    assert str(caught.value) == (
        f"sync: cannot reach {server.greader_url} for subscription/list:"
        " the server stopped answering (read timeout)"
    )
