"""The feed list (F), the starred and folder views and the kept sort, as a user drives them."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import FakeClock
from tests.feed_server import rss
from tests.test_app import headline_list, press, settle
from tui_reader.config import Config
from tui_reader.library.feeds import Feed
from tui_reader.library.store import Store
from tui_reader.network_settings import NetworkSettings
from tui_reader.parsed_feed import FeedEntry, ParsedFeed
from tui_reader.sources.seeds import open_library
from tui_reader.ui.app import ReaderApp, make_app
from tui_reader.ui.feeds_screen import FeedsScreen
from tui_reader.ui.widgets.prompts import AskLine, Confirm

QUICK = NetworkSettings(connect_timeout=2, read_timeout=5, total_timeout=10)
NO_SEED = Path("/nonexistent-seeds")


def stock(store: Store, url: str, title: str, stories: list[str], folder: str = "") -> Feed:
    """A feed with stories, stored as a refresh would store them (days apart, in order)."""
    feed, _ = store.add_feed(url, folder=folder)
    entries = [
        FeedEntry(f"{title}-{n}", "", story, "", f"2026-11-{n + 1:02d}T08:00:00+00:00", "<p>x</p>")
        for n, story in enumerate(stories)
    ]
    store.store_feed(feed, ParsedFeed(title, "", "RSS", entries), etag=None, last_modified=None)
    stored = store.feed(feed.id)
    assert stored is not None
    return stored


def library(data_dir: Path) -> None:
    with open_library(data_dir) as store:
        stock(store, "http://127.0.0.1:9/world", "World", ["W1", "W2"])
        stock(store, "http://127.0.0.1:9/tech", "Tech", ["T1", "T2", "T3"], folder="Work")
        stock(store, "http://127.0.0.1:9/money", "Money", ["M1"], folder="Work")
        store.record_feed_error(1, "HTTP 404 Not Found")


def titles(app: ReaderApp) -> list[str]:
    return [h.title for h in headline_list(app).headlines]


def status(app: ReaderApp) -> str:
    return str(app.reader_screen.query_one("#status").render())


def screen_text(app: ReaderApp) -> str:
    return "\n".join(
        "".join(segment.text for segment in app.screen.feed_list.render_line(y))
        for y in range(len(app.screen.feed_list.rows))
    )


async def test_the_feed_list_shows_folders_counts_and_the_last_error(
    data_dir: Path, clock: FakeClock
):
    """Each folder and feed has its unread and total counts; a failing feed is marked."""
    library(data_dir)
    app = make_app(Config(), data_dir, clock=clock, seeds_dir=NO_SEED)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "F")  # the feed list
        assert isinstance(app.screen, FeedsScreen)
        rows = app.screen.feed_list.rows
        assert [(r.label, r.unread, r.total) for r in rows] == [
            ("All articles", 6, 6),
            ("Starred", 0, 0),
            ("World", 2, 2),
            ("Work", 4, 4),
            ("Money", 1, 1),
            ("Tech", 3, 3),
        ]
        text = screen_text(app)
        assert "▾ Work" in text and "⚠" in text.splitlines()[2]
        await press(app, pilot, "down", "down")  # onto World
        detail = str(app.screen.query_one("#feed-detail").render())
        assert "http://127.0.0.1:9/world" in detail
        assert "Last refresh failed: HTTP 404 Not Found" in detail
        title = str(app.screen.query_one("#feeds-title").render())
        assert "3 feeds" in title and "1 failed" in title


async def test_enter_shows_a_folder_a_feed_or_the_starred_stories(data_dir: Path, clock: FakeClock):
    """Enter on a row shows its stories, and the header names the view."""
    library(data_dir)
    app = make_app(Config(), data_dir, clock=clock, seeds_dir=NO_SEED)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "F", "down", "down", "down", "enter")  # the Work folder
        assert not isinstance(app.screen, FeedsScreen)
        assert sorted(titles(app)) == ["M1", "T1", "T2", "T3"]
        assert "Folder: Work · 4 stories" in status(app)
        await press(app, pilot, "s")  # star the story under the cursor
        await press(app, pilot, "F", "down", "enter")  # Starred
        assert len(titles(app)) == 1
        assert status(app).startswith("Starred · 1 story")
        await press(app, pilot, "asterisk")  # starred only off: everything again
        assert len(titles(app)) == 6


async def test_rename_and_move_to_a_folder(data_dir: Path, clock: FakeClock):
    """e renames a feed (its stories show the new name); M files it in a folder."""
    library(data_dir)
    app = make_app(Config(), data_dir, clock=clock, seeds_dir=NO_SEED)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "F", "down", "down")  # onto World
        await press(app, pilot, "e")  # rename: the old title is selected
        assert isinstance(app.screen, AskLine)
        await pilot.press(*"Planet")  # typing replaces it
        await press(app, pilot, "enter")
        assert isinstance(app.screen, FeedsScreen)
        assert app.screen.feed_list.current is not None
        assert app.screen.feed_list.current.label == "Planet"
        await press(app, pilot, "M")  # move it
        await pilot.press(*"News")
        await press(app, pilot, "enter")
        labels = [r.label for r in app.screen.feed_list.rows]
        assert labels == ["All articles", "Starred", "News", "Planet", "Work", "Money", "Tech"]
        assert app.screen.feed_list.current.label == "Planet"  # the cursor followed it
        await press(app, pilot, "escape")  # back to the stories
        sources = {h.source for h in headline_list(app).headlines if h.title.startswith("W")}
        assert sources == {"Planet"}
    with open_library(data_dir) as store:
        [planet] = [f for f in store.feeds() if f.url.endswith("/world")]
        assert (planet.title, planet.folder) == ("Planet", "News")


async def test_remove_asks_first_and_keeps_starred_stories(data_dir: Path, clock: FakeClock):
    """d asks; n keeps the feed; y removes it and its stories, the starred one stays."""
    library(data_dir)
    with open_library(data_dir) as store:
        [starred] = [h for h in store.headlines() if h.title == "T1"]
        store.set_starred(starred.id, True)
    app = make_app(Config(), data_dir, clock=clock, seeds_dir=NO_SEED)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "F", "G")  # the last row: Tech
        await press(app, pilot, "d")  # remove? no
        assert isinstance(app.screen, Confirm)
        await press(app, pilot, "n")
        assert "Tech" in [r.label for r in app.screen.feed_list.rows]
        await press(app, pilot, "d", "y")  # remove? yes
        assert "Tech" not in [r.label for r in app.screen.feed_list.rows]
        await press(app, pilot, "escape")
        assert sorted(titles(app)) == ["M1", "T1", "W1", "W2"]  # T1 was starred


async def test_r_reloads_the_feed_under_the_cursor(data_dir: Path, clock: FakeClock, feed_server):
    """r fetches that one feed; its counts and error mark update in place."""
    feed_server.routes["/one"] = lambda h: h.send_feed(rss("One", [("1", "A"), ("2", "B")]))
    with open_library(data_dir) as store:
        feed, _ = store.add_feed(feed_server.url("/one"))
        store.record_feed_error(feed.id, "timed out")
    app = make_app(Config(network=QUICK), data_dir, clock=clock, seeds_dir=NO_SEED)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "F", "G")  # the feed
        await press(app, pilot, "r")  # reload it
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        row = app.screen.feed_list.current
        assert row is not None and row.feed is not None
        assert (row.label, row.unread, row.total, row.feed.error) == ("One", 2, 2, None)
        await press(app, pilot, "escape")
        assert sorted(titles(app)) == ["A", "B"]


async def test_the_order_is_kept_for_the_next_start(data_dir: Path, clock: FakeClock):
    """O goes newest first, oldest first, by feed; the library remembers it."""
    library(data_dir)
    app = make_app(Config(), data_dir, clock=clock, seeds_dir=NO_SEED)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert titles(app)[0] == "T3"  # newest first
        await press(app, pilot, "O")  # oldest first
        assert set(titles(app)[:3]) == {"M1", "T1", "W1"} and titles(app)[-1] == "T3"
        assert "oldest first" in status(app)
        await press(app, pilot, "O")  # by feed: Money, Tech, World
        assert titles(app) == ["M1", "T3", "T2", "T1", "W2", "W1"]
    app = make_app(Config(), data_dir, clock=clock, seeds_dir=NO_SEED)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert titles(app) == ["M1", "T3", "T2", "T1", "W2", "W1"]
        assert "by feed" in status(app)


async def test_a_thousand_feeds_list_and_scroll(data_dir: Path, clock: FakeClock):
    """1,000 feeds open in the feed list, and G reaches the last."""
    with open_library(data_dir) as store:
        for n in range(1000):
            store.add_feed(f"http://127.0.0.1:9/f{n}", title=f"Feed {n:04d}")
    app = make_app(Config(), data_dir, clock=clock, seeds_dir=NO_SEED)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "F", "G")
        assert len(app.screen.feed_list.rows) == 1002
        assert app.screen.feed_list.current is not None
        assert app.screen.feed_list.current.label == "Feed 0999"
