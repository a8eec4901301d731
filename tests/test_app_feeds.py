"""Feeds in the app: background refresh, the add dialog, choosing a feed in the feed list."""

from __future__ import annotations

import threading
from pathlib import Path

from textual.widgets import Input, Label

from tests.conftest import FakeClock
from tests.feed_server import rss
from tests.test_app import headline_list, press, settle
from tui_reader.config import Config
from tui_reader.locations import seeds_directory
from tui_reader.network_settings import NetworkSettings
from tui_reader.sources.seeds import open_library
from tui_reader.ui.app import make_app
from tui_reader.ui.feeds_screen import FeedsScreen
from tui_reader.ui.widgets.dialogs import AddFeedDialog

QUICK = NetworkSettings(connect_timeout=2, read_timeout=5, total_timeout=10)


def held_feed(body: bytes, release: threading.Event):
    """A feed the server sends only when the test says so."""

    def route(handler) -> None:
        release.wait(timeout=30)
        handler.send_feed(body)

    return route


async def test_refresh_keeps_keys_working_and_the_cursor_in_place(
    data_dir: Path, clock: FakeClock, feed_server
):
    feed_server.routes["/fast"] = lambda h: h.send_feed(rss("Fast", [("f1", "Fast one")]))
    release = threading.Event()
    feed_server.routes["/slow"] = held_feed(
        rss("Slow", [("s1", "Slow one"), ("s2", "Slow two")]), release
    )
    with open_library(data_dir, seeds_directory()) as library:
        for path in ("/fast", "/slow"):
            library.add_feed(feed_server.url(path))
    # Patient timeouts: Pilot waits for the app to go idle after every key.
    patient = NetworkSettings(connect_timeout=5, read_timeout=30, total_timeout=40)
    app = make_app(Config(network=patient), data_dir, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        before = headline_list(app).current
        await pilot.press("r")  # start a refresh; the server holds the slow feed back
        await pilot.pause(0.2)
        refreshing = [w for w in app.workers if w.group == "refresh" and w.is_running]
        assert refreshing, "the refresh should still be running"
        status = str(app.reader_screen.query_one("#status").render())
        assert "refreshing" in status
        # Keys work meanwhile: open the seed, then help and back. (Key latency
        # is measured in tmux by bench scripts; Pilot waits for idle per key.)
        await pilot.press("enter")
        await pilot.press("question_mark", "escape")
        # Wait for the article to open, but not for the refresh. (An empty list
        # would mean "all workers" to wait_for_complete.)
        opening = [w for w in app.workers if w.group == "open"]
        if opening:
            await app.workers.wait_for_complete(opening)
        await pilot.pause()
        assert "Japan and Canada" in app.reader_screen.article.text
        assert any(w.group == "refresh" and w.is_running for w in app.workers)
        release.set()  # now let the slow feed through
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        titles = [h.title for h in headline_list(app).headlines]
        assert {"Fast one", "Slow one", "Slow two"} <= set(titles)
        assert headline_list(app).current.id == before.id  # the cursor kept its story
        assert any(
            "Refreshed: 2 feeds updated, 3 new articles" in n.message for n in app._notifications
        )


async def test_add_dialog_shows_errors_and_subscribes(
    data_dir: Path, clock: FakeClock, feed_server
):
    feed_server.routes["/feed"] = lambda h: h.send_feed(rss("Added Feed", [("x", "Added story")]))
    app = make_app(Config(network=QUICK), data_dir, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "a")  # open the add dialog
        assert isinstance(app.screen, AddFeedDialog)
        app.screen.query_one(Input).value = feed_server.url("/missing")
        await pilot.press("enter")  # submit a URL that 404s
        await app.screen.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, AddFeedDialog)  # still open, with the error
        assert "HTTP 404 Not Found" in str(app.screen.query_one("#error", Label).render())
        app.screen.query_one(Input).value = feed_server.url("/feed")
        await pilot.press("enter")  # submit a good one
        await app.screen.workers.wait_for_complete()
        await settle(app, pilot)
        assert not isinstance(app.screen, AddFeedDialog)
        assert "Added story" in [h.title for h in headline_list(app).headlines]


async def test_feed_picker_shows_one_feed_or_all(data_dir: Path, clock: FakeClock, feed_server):
    feed_server.routes["/one"] = lambda h: h.send_feed(rss("One", [("1", "From one")]))
    app = make_app(Config(network=QUICK), data_dir, clock=clock)
    with open_library(data_dir, seeds_directory()) as library:
        library.add_feed(feed_server.url("/one"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "r")  # fetch the feed
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert len(headline_list(app).headlines) == 2
        await press(app, pilot, "F")  # the feed list: All, Starred, then One
        assert isinstance(app.screen, FeedsScreen)
        assert [row.label for row in app.screen.feed_list.rows] == [
            "All articles",
            "Starred",
            "One",
        ]
        await press(app, pilot, "down", "down", "enter")  # choose "One"
        assert [h.title for h in headline_list(app).headlines] == ["From one"]
        assert "One" in str(app.reader_screen.query_one("#status").render())
        await press(app, pilot, "F", "enter")  # back to all
        assert len(headline_list(app).headlines) == 2


async def test_offline_refuses_refresh_and_add(data_dir: Path, clock: FakeClock, feed_server):
    with open_library(data_dir, seeds_directory()) as library:
        library.add_feed(feed_server.url("/one"))
    app = make_app(Config(offline=True), data_dir, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "r", "a")  # both need the network
        assert not isinstance(app.screen, AddFeedDialog)
        assert feed_server.requests == []
        assert sum("Offline" in n.message for n in app._notifications) == 2


async def test_markup_in_a_feed_title_is_shown_as_text(
    data_dir: Path, clock: FakeClock, feed_server
):
    title = "[/] [@click=app.quit]Evil[/] [b]News"
    feed_server.routes["/evil"] = lambda h: h.send_feed(rss(title, [("e", "[red]Story[/red]")]))
    app = make_app(Config(network=QUICK), data_dir, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert await app.subscribe_to(feed_server.url("/evil")) is None
        await settle(app, pilot)
        assert app.is_running
        assert any(title in n.message for n in app._notifications)
        titles = [h.title for h in headline_list(app).headlines]
        assert "[red]Story[/red]" in titles


async def test_a_refresh_of_many_feeds_parses_in_worker_processes(
    data_dir: Path, clock: FakeClock, feed_server
):
    from tui_reader.sources.refresh import PROCESS_POOL_MIN_FEEDS

    count = PROCESS_POOL_MIN_FEEDS + 1  # enough for the process pool
    with open_library(data_dir, seeds_directory()) as library:
        for n in range(count):
            body = rss(f"Wire {n}", [(f"g{n}", f"Story {n}")])
            feed_server.routes[f"/f{n}"] = lambda h, body=body: h.send_feed(body)
            library.add_feed(feed_server.url(f"/f{n}"))
    app = make_app(Config(network=QUICK), data_dir, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "r")  # refresh every feed
        await settle(app, pilot)
        titles = {h.title for h in headline_list(app).headlines}
        assert {f"Story {n}" for n in range(count)} <= titles
        assert any(f"{count} feeds updated" in n.message for n in app._notifications)
