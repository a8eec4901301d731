"""After the full story is fetched, the feed's own version is still there to read."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import FakeClock
from tests.test_app import article_text, header, press, settle
from tui_reader.article import Article, Block, BlockKind
from tui_reader.config import Config
from tui_reader.parsed_feed import FeedEntry, ParsedFeed
from tui_reader.sources.seeds import open_library
from tui_reader.ui.app import make_app

FEED_TEXT = "The feed's short summary of the story."
PAGE_TEXT = "The full story, as the web page tells it, with every detail."


def library_with_full_text(data_dir: Path) -> str:
    """One feed story whose full story was fetched (as `f` or feeds.full_text do)."""
    with open_library(data_dir) as store:
        feed, _ = store.add_feed("http://127.0.0.1:9/feed.xml", title="Wire")
        entry = FeedEntry(
            "g1", "http://127.0.0.1:9/story", "A Story", "", None, f"<p>{FEED_TEXT}</p>"
        )
        store.store_feed(
            feed, ParsedFeed("Wire", "", "RSS", [entry]), etag=None, last_modified=None
        )
        [headline] = store.headlines()
        page = Article(title="A Story", blocks=[Block(BlockKind.PARAGRAPH, PAGE_TEXT)])
        store.set_full_text(headline.id, page)
        return headline.id


def test_read_shows_the_full_story_or_the_feeds_version(data_dir: Path, run):
    article_id = library_with_full_text(data_dir)
    full = run("read", article_id, "--plain")
    assert full.returncode == 0, full.stderr
    assert PAGE_TEXT in full.stdout and FEED_TEXT not in full.stdout
    feed = run("read", article_id, "--plain", "--feed-version")
    assert feed.returncode == 0, feed.stderr
    assert FEED_TEXT in feed.stdout and PAGE_TEXT not in feed.stdout
    assert "4 free articles remaining" in feed.stderr  # a re-read costs nothing


async def test_v_switches_between_the_versions(data_dir: Path, clock: FakeClock):
    library_with_full_text(data_dir)
    app = make_app(Config(), data_dir, seeds_dir=Path(os.devnull), clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "enter")  # open the story: its full story
        assert PAGE_TEXT in " ".join(article_text(app).split())
        await press(app, pilot, "v")  # the feed's own version
        shown = " ".join(article_text(app).split())
        assert FEED_TEXT in shown and PAGE_TEXT not in shown
        await press(app, pilot, "v")  # back to the full story
        assert PAGE_TEXT in " ".join(article_text(app).split())
        assert header(app) == "You have 4 free articles remaining"  # counted once


async def test_v_with_one_version_says_so(data_dir: Path, clock: FakeClock):
    with open_library(data_dir) as store:
        feed, _ = store.add_feed("http://127.0.0.1:9/feed.xml", title="Wire")
        entry = FeedEntry("g1", "", "Only Feed", "", None, f"<p>{FEED_TEXT}</p>")
        store.store_feed(
            feed, ParsedFeed("Wire", "", "RSS", [entry]), etag=None, last_modified=None
        )
    app = make_app(Config(), data_dir, seeds_dir=Path(os.devnull), clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "enter", "v")  # open, then ask for the other version
        assert FEED_TEXT in " ".join(article_text(app).split())
        assert any("Only one version" in n.message for n in app._notifications)


async def test_the_link_list_opens_a_link_by_number(data_dir: Path, clock: FakeClock):
    from textual.widgets import OptionList

    from tui_reader.ui.widgets.dialogs import LinkList

    with open_library(data_dir) as store:
        feed, _ = store.add_feed("http://127.0.0.1:9/feed.xml", title="Wire")
        html = (
            '<p>See <a href="https://a.example/one">one</a>,'
            ' <a href="https://a.example/two">two</a> and'
            ' <a href="https://a.example/three">three</a>.</p>'
        )
        entry = FeedEntry("g1", "", "Linked", "", None, html)
        store.store_feed(
            feed, ParsedFeed("Wire", "", "RSS", [entry]), etag=None, last_modified=None
        )
    app = make_app(Config(), data_dir, seeds_dir=Path(os.devnull), clock=clock)
    opened: list[str] = []
    app.open_url = lambda url, **_: opened.append(url)  # no browser in a test
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "enter")  # open the story
        assert "one [1]" in " ".join(article_text(app).split())
        await press(app, pilot, "L")  # the link list
        assert isinstance(app.screen, LinkList)
        assert app.screen.query_one(OptionList).option_count == 3
        await press(app, pilot, "3", "enter")  # link 3 by its number
        assert opened == ["https://a.example/three"]
        assert not isinstance(app.screen, LinkList)
        await press(app, pilot, "L", "escape")  # open and close again: nothing opened
        assert opened == ["https://a.example/three"]
