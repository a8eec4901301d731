"""Adding feeds (issue 12): one feed however its URL is spelled, URLs typed
without a scheme, and a page that links several feeds; the CLI as a real
process and the app through Pilot, against the real server on 127.0.0.1."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.widgets import Input, OptionList

from tests.conftest import FakeClock
from tests.feed_server import rss
from tests.test_app import headline_list, press, settle
from tui_reader.config import Config, load_config
from tui_reader.feed_urls import normalise_feed_url
from tui_reader.library.schema import MIGRATIONS
from tui_reader.network_settings import NetworkSettings
from tui_reader.ui.app import make_app
from tui_reader.ui.widgets.dialogs import AddFeedDialog
from tui_reader.ui.widgets.feed_chooser import FeedChooser

QUICK = NetworkSettings(connect_timeout=2, read_timeout=5, total_timeout=10)


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("HTTP://Example.COM/rss.xml", "http://example.com/rss.xml"),
        ("http://example.com:80/rss.xml", "http://example.com/rss.xml"),
        ("https://example.com:443/a/B?C=d#E", "https://example.com/a/B?C=d#E"),
        ("https://example.com:8443", "https://example.com:8443/"),
        ("http://example.com:443/x", "http://example.com:443/x"),  # not http's default
        ("feed://Example.com/rss", "http://example.com/rss"),
        ("feed:https://example.com:443/rss", "https://example.com/rss"),
        ("FEED:http://example.com/rss", "http://example.com/rss"),
        ("http://[::1]:80/x", "http://[::1]/x"),
        ("  http://example.com/x  ", "http://example.com/x"),
        # Not http(s), or unreadable: left for the caller to refuse.
        ("ftp://Example.com/x", "ftp://Example.com/x"),
        ("http://example.com:port/x", "http://example.com:port/x"),
        ("feed:", "feed:"),
    ],
)
def test_a_feed_url_has_one_spelling(typed: str, normal: str):
    assert normalise_feed_url(typed) == normal
    assert normalise_feed_url(normal) == normal  # and it stays put


URL_PARTS = st.sampled_from(
    ["http", "HTTPS", "feed", "feed:http", ":", "//", "/", "[", "]", "::1", "@", "?", "#", "80"]
)


@given(st.lists(st.one_of(URL_PARTS, st.text(max_size=4)), max_size=8).map("".join))
def test_normalising_never_raises_and_settles_at_once(text: str):
    once = normalise_feed_url(text)
    assert normalise_feed_url(once) == once


def serve(feed_server, path: str, title: str, items: list[tuple[str, str]]) -> str:
    body = rss(title, items)
    feed_server.routes[path] = lambda h: h.send_feed(body)
    return feed_server.url(path)


def test_another_spelling_of_a_subscribed_url_is_already_subscribed(run, feed_server):
    url = serve(feed_server, "/rss.xml", "Loopback News", [("a", "Alpha"), ("b", "Beta")])
    assert run("add", url).returncode == 0
    host_port = url.removeprefix("http://").removesuffix("/rss.xml")
    for spelling in (
        f"HTTP://{host_port.upper()}/rss.xml",
        f"feed://{host_port}/rss.xml",
        f"feed:http://{host_port}/rss.xml",
    ):
        again = run("add", spelling)
        assert again.returncode == 0, again.stderr
        assert again.stdout.startswith(f"Already subscribed to Loopback News <{url}>")
    [feed] = json.loads(run("feeds", "--json").stdout)
    assert feed["url"] == url
    stories = [a["title"] for a in json.loads(run("list", "--json").stdout)]
    assert sorted(t for t in stories if t in ("Alpha", "Beta")) == ["Alpha", "Beta"]  # no copies
    # Any spelling names the feed for the other commands too.
    assert run("remove", f"HTTP://{host_port}/rss.xml").returncode == 0
    assert json.loads(run("feeds", "--json").stdout) == []


def test_a_library_with_feeds_stored_as_typed_finds_them(run, feed_server, data_dir: Path):
    """An older library kept URLs as typed; opening it gives them their normal spelling."""
    url = serve(feed_server, "/rss.xml", "Old News", [("a", "Alpha")])
    host_port = url.removeprefix("http://").removesuffix("/rss.xml")
    data_dir.mkdir(parents=True)
    db = sqlite3.connect(data_dir / "library.sqlite3")
    for statement in MIGRATIONS[:7]:  # the schema as the release before wrote it
        db.executescript(statement)
    with db:
        db.execute(
            "INSERT INTO feeds (url, title, added) VALUES (?, 'Old News', '2026-01-01')",
            (f"HTTP://{host_port.upper()}/rss.xml",),
        )
        # Two spellings of one feed: only one can take the normal URL.
        db.execute(
            "INSERT INTO feeds (url, title, added) VALUES"
            " ('HTTP://Twice.Example/x', 'One', '2026-01-01'),"
            " ('http://twice.example:80/x', 'Two', '2026-01-01')"
        )
        db.execute("PRAGMA user_version = 7")  # as the release before wrote it
    db.close()
    added = run("add", url)
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith(f"Already subscribed to Old News <{url}>")
    urls = sorted(f["url"] for f in json.loads(run("feeds", "--json").stdout))
    assert urls[0] == url
    assert "http://twice.example/x" in urls and len(urls) == 3  # one moved, none lost
    assert "http://twice.example:80/x" in urls
    # Each is still named by the URL it has.
    assert run("remove", "http://twice.example:80/x").returncode == 0
    assert run("remove", "http://twice.example/x").returncode == 0


def test_opml_feed_urls_are_normalised(run, feed_server, tmp_path: Path):
    url = serve(feed_server, "/rss.xml", "Loopback News", [("a", "Alpha")])
    host_port = url.removeprefix("http://").removesuffix("/rss.xml")
    run("add", url)
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        f'<outline type="rss" title="A" xmlUrl="feed://{host_port}/rss.xml"/>'
        f'<outline type="rss" title="B" xmlUrl="HTTP://{host_port.upper()}/rss.xml"/>'
        "</body></opml>"
    )
    imported = run("import", str(opml))
    assert imported.returncode == 0, imported.stderr
    assert "subscribed to 0 feeds (2 already subscribed)" in imported.stdout
    assert [f["url"] for f in json.loads(run("feeds", "--json").stdout)] == [url]


def test_config_feed_urls_match_in_any_spelling(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text('[meter]\nexempt_feeds = ["HTTP://Example.com:80/rss"]\n')
    assert load_config(path).exempt_feeds == frozenset({"http://example.com/rss"})


def test_a_url_without_a_scheme_tries_https_then_http(run, feed_server):
    url = serve(feed_server, "/rss.xml", "Plain News", [("a", "Alpha")])
    typed = url.removeprefix("http://")  # 127.0.0.1:PORT/rss.xml; the server speaks no TLS
    added = run("add", typed)
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith(f"Subscribed to Plain News <{url}>")
    assert added.stderr == ""


def test_a_failed_url_without_a_scheme_says_to_add_one(run):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run("add", f"127.0.0.1:{port}/rss.xml")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.strip().endswith("add http:// or https:// to the URL")
    assert "https://" in result.stderr and "connection refused" in result.stderr
    assert json.loads(run("feeds", "--json").stdout) == []


def test_https_to_a_plain_http_server_is_a_readable_line(run, feed_server):
    url = serve(feed_server, "/rss.xml", "Plain News", [("a", "Alpha")])
    result = run("add", url.replace("http://", "https://"))
    assert result.returncode == 1
    line = result.stderr.strip()
    assert result.stderr.count("\n") == 1 and "TLS error" in line
    assert "_ssl.c" not in line and "[SSL:" not in line  # no OpenSSL internals
    assert line.endswith("(the server does not speak https; try http://)")


def serve_page_of_feeds(feed_server) -> str:
    """A page linking three feeds (the first titled with markup), the third broken."""
    serve(feed_server, "/main.xml", "Main News", [("m", "Main story")])
    serve(feed_server, "/comments.xml", "Comments", [("c", "A comment")])
    page = (
        b"<html><head>"
        b'<link rel="alternate" type="application/rss+xml" title="[bold]Main" href="/main.xml">'
        b'<link rel="alternate" type="application/rss+xml" title="Comments"'
        b' href="/comments.xml">'
        b'<link rel="alternate" type="application/atom+xml" href="/atom">'
        b"</head><body>Welcome</body></html>"
    )
    feed_server.routes["/"] = lambda h: h.send_plain(200, page, "text/html")
    return feed_server.url("/")


def test_a_page_with_several_feeds_lists_them_and_takes_pick(run, feed_server):
    page = serve_page_of_feeds(feed_server)
    first = run("add", page)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0] == "The page links to 3 feeds:"
    assert lines[1] == f"*  1  [bold]Main  <{feed_server.url('/main.xml')}>  [RSS]"
    assert lines[2] == f"   2  Comments  <{feed_server.url('/comments.xml')}>  [RSS]"
    assert lines[3] == f"   3  (untitled)  <{feed_server.url('/atom')}>  [Atom]"
    assert lines[4] == f"Chose the first; `tui-reader add {page} --pick N` subscribes to another."
    assert lines[5].startswith("Subscribed to Main News")
    second = run("add", page, "--pick", "2")
    assert second.returncode == 0, second.stderr
    assert f"*  2  Comments  <{feed_server.url('/comments.xml')}>  [RSS]" in second.stdout
    assert "--pick N" not in second.stdout  # it was picked: no hint
    assert second.stdout.splitlines()[-1].startswith("Subscribed to Comments")
    titles = {f["title"] for f in json.loads(run("feeds", "--json").stdout)}
    assert titles == {"Main News", "Comments"}


@pytest.mark.parametrize("pick", ["0", "4", "-1"])
def test_a_bad_pick_is_a_usage_error_and_subscribes_nothing(run, feed_server, pick):
    page = serve_page_of_feeds(feed_server)
    result = run("add", page, "--pick", pick)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert f"--pick {pick}:" in result.stderr and "nothing was subscribed" in result.stderr
    if pick == "4":
        assert "the page offers 3 feeds; give 1 to 3" in result.stderr
        assert "   3  (untitled)" in result.stdout  # the list to pick from
    assert json.loads(run("feeds", "--json").stdout) == []


def test_pick_on_a_feed_url_is_refused(run, feed_server):
    url = serve(feed_server, "/rss.xml", "Plain News", [("a", "Alpha")])
    assert run("add", url, "--pick", "1").returncode == 0  # the feed is its own first
    run("remove", url)
    result = run("add", url, "--pick", "2")
    assert result.returncode == 2
    assert "is a feed itself, not a page of feeds" in result.stderr
    assert result.stdout == ""
    assert json.loads(run("feeds", "--json").stdout) == []


async def open_chooser(app, pilot, page: str) -> FeedChooser:
    await press(app, pilot, "a")  # the add dialog
    assert isinstance(app.screen, AddFeedDialog)
    app.screen.query_one(Input).value = page
    await pilot.press("enter")
    dialog = app.screen
    for _ in range(50):  # the page is fetched in the dialog's worker
        await pilot.pause(0.05)
        if isinstance(app.screen, FeedChooser):
            break
    assert isinstance(app.screen, FeedChooser), dialog
    return app.screen


async def test_the_add_dialog_chooses_among_a_pages_feeds(
    data_dir: Path, clock: FakeClock, feed_server
):
    page = serve_page_of_feeds(feed_server)
    app = make_app(Config(network=QUICK), data_dir, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        chooser = await open_chooser(app, pilot, page)
        options = chooser.query_one(OptionList)
        assert options.option_count == 3
        shown = [str(options.get_option_at_index(n).prompt) for n in range(3)]
        assert shown[0].startswith("1  [bold]Main")  # a title's markup is text
        assert feed_server.url("/comments.xml") in shown[1] and "RSS" in shown[1]
        assert shown[2].startswith("3  (untitled)")
        await pilot.press("down", "enter")  # the second: Comments
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert not isinstance(app.screen, AddFeedDialog | FeedChooser)
        titles = [h.title for h in headline_list(app).headlines]
        assert "A comment" in titles and "Main story" not in titles
        assert [f.title for f in app.store.feeds()] == ["Comments"]


async def test_escape_in_the_chooser_subscribes_nothing(
    data_dir: Path, clock: FakeClock, feed_server
):
    page = serve_page_of_feeds(feed_server)
    app = make_app(Config(network=QUICK), data_dir, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await open_chooser(app, pilot, page)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, AddFeedDialog)  # back to the URL, to try another
        assert "Nothing subscribed" in str(app.screen.query_one("#status").render())
        assert app.store.feeds() == []
        await press(app, pilot, "escape")
        assert not isinstance(app.screen, AddFeedDialog)
        assert app.store.feeds() == []
