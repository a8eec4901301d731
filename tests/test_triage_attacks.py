"""Attacks on the triage features: empty lists, hostile names, renames and
removals at awkward moments, each as a user would meet them."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from pathlib import Path

from tests.conftest import FakeClock
from tests.feed_server import rss
from tests.test_app import press, settle
from tests.test_feed_list import NO_SEED, library, titles
from tui_reader.config import Config, load_config
from tui_reader.library.store import Store
from tui_reader.locations import database_path
from tui_reader.network_settings import NetworkSettings
from tui_reader.sources.refresh import refresh_feeds
from tui_reader.ui.app import make_app
from tui_reader.ui.feeds_screen import FeedsScreen
from tui_reader.ui.widgets.prompts import AskLine, Confirm

NO_SEEDS = Path(os.devnull)
QUICK = NetworkSettings(connect_timeout=2, read_timeout=5, total_timeout=10)


def messages(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_n_on_an_empty_list_says_so_instead_of_crashing(data_dir: Path, clock: FakeClock):
    """No story at all (a new library, an empty starred view): n and p say none is left."""
    app = make_app(Config(), data_dir, clock=clock, seeds_dir=NO_SEEDS)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert titles(app) == []
        await press(app, pilot, "n", "p")
        assert app.is_running
        assert "No unread stories left." in messages(app)


def test_renaming_to_empty_gives_back_the_feeds_own_title(data_dir: Path, feed_server):
    """e with an empty title promises "the feed's own title, from the next refresh":
    the next refresh must bring it back even when the server answers 304, and the
    stories must not be left with no source name."""
    feed_server.routes["/site"] = lambda h: h.send_feed(rss("Site", [("1", "A"), ("2", "B")]))
    with Store.open(data_dir) as store:
        feed, _ = store.add_feed(feed_server.url("/site"))
        asyncio.run(refresh_feeds(store, [feed], QUICK))
        store.rename_feed(feed.id, "Mine")
        assert {h.source for h in store.headlines()} == {"Mine"}
        store.rename_feed(feed.id, "")  # back to the feed's own title
        asyncio.run(refresh_feeds(store, store.feeds(), QUICK))
        [after] = store.feeds()
        assert after.title == "Site"
        assert {h.source for h in store.headlines()} == {"Site"}


def test_a_feed_removed_during_its_refresh_leaves_no_stories_behind(data_dir: Path, feed_server):
    """d during a refresh: the fetch in flight must not bring the feed's stories back
    as orphans no feed row lists and nothing can remove."""
    feed_server.routes["/slow"] = lambda h: h.send_feed(rss("Slow", [("1", "A"), ("2", "B")]))
    with Store.open(data_dir) as store:
        feed, _ = store.add_feed(feed_server.url("/slow"))
        fetched = store.feed(feed.id)
        assert fetched is not None
        store.remove_feed(feed.id)  # while the fetch was under way
        asyncio.run(refresh_feeds(store, [fetched], QUICK))
        assert store.headlines() == []
        assert store.feeds() == []


def test_add_folder_is_put_on_one_clean_line(run, feed_server):
    """`add --folder` takes the same clean one-line name the app's M does: no escape
    sequence or newline reaches the feed list's folder row."""
    feed_server.routes["/rss.xml"] = lambda h: h.send_feed(rss("News", [("a", "Alpha")]))
    result = run("add", feed_server.url("/rss.xml"), "--folder", "Tech\x1b[2J\nWorld\t ")
    assert result.returncode == 0, result.stderr
    [feed] = json.loads(run("feeds", "--json").stdout)
    assert feed["folder"] == "Tech World"


async def test_a_key_setting_cannot_take_the_feed_lists_own_keys(
    data_dir: Path, tmp_path: Path, clock: FakeClock
):
    """`cursor_down = "d,down"` clashes with nothing on the main screen, but in the feed
    list d is Remove: the setting is ignored with a warning, and d still asks to remove."""
    library(data_dir)
    path = tmp_path / "config.toml"
    path.write_text('[keys]\ncursor_down = "d,down"\nopen = "e"\n', encoding="utf-8")
    app = make_app(load_config(path), data_dir, clock=clock, seeds_dir=NO_SEED)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        warnings = " ".join(messages(app))
        assert "keys.cursor_down = 'd,down' is ignored" in warnings
        assert "keys.open = 'e' is ignored" in warnings
        await press(app, pilot, "F", "G", "d")  # the last feed: remove it?
        assert isinstance(app.screen, Confirm)
        await press(app, pilot, "n", "e")  # rename it
        assert isinstance(app.screen, AskLine)


async def test_f_says_so_while_the_library_is_still_opening(data_dir: Path, clock: FakeClock):
    """F while the library opens (here: waiting for another writer's lock, as during a
    long migration) says so instead of doing nothing; once open, F opens the list."""
    with Store.open(data_dir):
        pass
    blocker = sqlite3.connect(database_path(data_dir), isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # another tui-reader writing
    app = make_app(Config(), data_dir, clock=clock, seeds_dir=NO_SEED)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("F")
        await pilot.pause()
        assert "The library is not open yet." in messages(app)
        blocker.execute("COMMIT")
        blocker.close()
        await settle(app, pilot)
        await press(app, pilot, "F")
        assert isinstance(app.screen, FeedsScreen)
