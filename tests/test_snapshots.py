"""Snapshots of the main screen, grouped by feature.

Update them with `pytest tests/test_snapshots.py --snapshot-update` after a
deliberate change, and look at the report before committing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FakeClock
from tests.rich_article import library_with_rich_story
from tests.test_app import library_with_stories
from tests.test_reading_layout import library_with_long_titles
from tui_reader.config import Config
from tui_reader.ui.app import ReaderApp, make_app


@pytest.fixture
def reader(data_dir: Path) -> ReaderApp:
    library_with_stories(data_dir)
    return make_app(Config(), data_dir, clock=FakeClock())


async def wait_for_library(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_seed(pilot) -> None:
    await wait_for_library(pilot)
    await pilot.press("enter")  # open the seed under the cursor
    await wait_for_library(pilot)


class TestMainScreen:
    def test_start_100x30(self, snap_compare, reader):
        """A fresh start: the list with the seed under the cursor, the meter full."""
        assert snap_compare(reader, terminal_size=(100, 30), run_before=wait_for_library)

    def test_seed_open_100x30(self, snap_compare, reader):
        """The seed opened: title, meta line, standfirst, caption; the meter at 4."""
        assert snap_compare(reader, terminal_size=(100, 30), run_before=open_seed)

    def test_start_80x24(self, snap_compare, data_dir):
        """At 80 columns the list has the room: long titles, feed and date columns."""
        library_with_long_titles(data_dir)
        app = make_app(Config(), data_dir, clock=FakeClock())
        assert snap_compare(app, terminal_size=(80, 24), run_before=wait_for_library)

    def test_story_open_80x24(self, snap_compare, data_dir):
        """At 80 columns an opened story is read in the wide pane, the list beside it."""
        library_with_long_titles(data_dir)
        app = make_app(Config(), data_dir, clock=FakeClock())
        assert snap_compare(app, terminal_size=(80, 24), run_before=open_seed)

    def test_start_200x50(self, snap_compare, data_dir):
        """At 200 columns the titles show whole."""
        library_with_long_titles(data_dir)
        app = make_app(Config(), data_dir, clock=FakeClock())
        assert snap_compare(app, terminal_size=(200, 50), run_before=wait_for_library)

    def test_story_open_200x50(self, snap_compare, data_dir):
        """At 200 columns the story's text is centred at 80 cells in its pane."""
        library_with_long_titles(data_dir)
        app = make_app(Config(), data_dir, clock=FakeClock())
        assert snap_compare(app, terminal_size=(200, 50), run_before=open_seed)

    def test_start_60x20(self, snap_compare, reader):
        """Below 80 columns only the headline list shows."""
        assert snap_compare(reader, terminal_size=(60, 20), run_before=wait_for_library)

    def test_seed_open_60x20(self, snap_compare, reader):
        """Below 80 columns an opened article takes the whole width."""
        assert snap_compare(reader, terminal_size=(60, 20), run_before=open_seed)


async def open_rich_story(pilot, *keys: str) -> None:
    await wait_for_library(pilot)
    await pilot.press("j", "enter")  # past the seed, open the rich story
    await wait_for_library(pilot)
    for key in keys:
        await pilot.press(key)
        await wait_for_library(pilot)


class TestRichArticle:
    @pytest.fixture
    def rich(self, data_dir: Path) -> ReaderApp:
        library_with_rich_story(data_dir)
        return make_app(Config(), data_dir, clock=FakeClock())

    def test_rich_story_full_width_200x50(self, snap_compare, rich):
        """Styles, numbered links, headings, a quote, code, a table and an image, full width."""

        async def run_before(pilot) -> None:
            await open_rich_story(pilot, "z")  # z: the story alone, centred

        assert snap_compare(rich, terminal_size=(200, 50), run_before=run_before)

    def test_rich_story_end_100x30(self, snap_compare, rich):
        """The story's end in the wide pane: code wrapped with ↪, the table, the Links list."""

        async def run_before(pilot) -> None:
            await open_rich_story(pilot, "G")  # G: to the end of the story

        assert snap_compare(rich, terminal_size=(100, 30), run_before=run_before)

    def test_link_list(self, snap_compare, rich):
        """L lists the story's numbered links to pick from."""

        async def run_before(pilot) -> None:
            await open_rich_story(pilot, "L")  # L: the link list

        assert snap_compare(rich, terminal_size=(100, 30), run_before=run_before)

    def test_full_width_80x24(self, snap_compare, rich):
        """z at 80 columns: the story takes the screen, the list comes back with Esc."""

        async def run_before(pilot) -> None:
            await open_rich_story(pilot, "z")  # z: full width

        assert snap_compare(rich, terminal_size=(80, 24), run_before=run_before)


class TestMeter:
    def test_teaser_at_zero(self, snap_compare, data_dir):
        """With no free article left, a new story shows only its teaser."""
        library_with_stories(data_dir)
        app = make_app(Config(meter_limit=0), data_dir, clock=FakeClock())
        assert snap_compare(app, terminal_size=(100, 30), run_before=open_seed)


class TestHelp:
    def test_help_screen(self, snap_compare, reader):
        """`?` lists every binding over the main screen."""

        async def open_help(pilot) -> None:
            await wait_for_library(pilot)
            await pilot.press("question_mark")  # open the help screen
            await pilot.pause()

        assert snap_compare(reader, terminal_size=(100, 30), run_before=open_help)


class TestFilter:
    def test_filtered_list_100x30(self, snap_compare, reader):
        """\\ with an expression: the stories it picks, and the header names the filter."""

        async def filter_list(pilot) -> None:
            await wait_for_library(pilot)
            await pilot.press("backslash")  # ask for a filter
            await pilot.pause()
            await pilot.press(*'title =~ "story [23]" and age >= 58', "enter")  # type it, filter
            await wait_for_library(pilot)

        assert snap_compare(reader, terminal_size=(100, 30), run_before=filter_list)


def library_with_folders(data_dir: Path) -> None:
    """Three feeds, two in a folder, one failing; updated at fixed times."""
    from tests.test_feed_list import library
    from tui_reader.sources.seeds import open_library

    library(data_dir)
    with open_library(data_dir) as store, store.transaction() as db:
        db.execute("UPDATE feeds SET updated = '2027-01-10T09:30:00+00:00'")


class TestFeedList:
    def test_feed_list_100x30(self, snap_compare, data_dir):
        """F: everything, starred, a feed with a failed refresh, a folder and its feeds."""
        library_with_folders(data_dir)
        app = make_app(Config(), data_dir, clock=FakeClock(), seeds_dir=Path("/nonexistent"))

        async def open_feed_list(pilot) -> None:
            await wait_for_library(pilot)
            await pilot.press("F")  # open the feed list
            await wait_for_library(pilot)
            await pilot.press("down", "down")  # onto the failing feed: its error below
            await pilot.pause()

        assert snap_compare(app, terminal_size=(100, 30), run_before=open_feed_list)

    def test_remove_asks_first_80x24(self, snap_compare, data_dir):
        """d on a feed asks before unsubscribing, and says what stays."""
        library_with_folders(data_dir)
        app = make_app(Config(), data_dir, clock=FakeClock(), seeds_dir=Path("/nonexistent"))

        async def ask_to_remove(pilot) -> None:
            await wait_for_library(pilot)
            await pilot.press("F")  # open the feed list
            await wait_for_library(pilot)
            await pilot.press("G", "d")  # the last feed, then remove it?
            await pilot.pause()

        assert snap_compare(app, terminal_size=(80, 24), run_before=ask_to_remove)


class TestPictures:
    @pytest.fixture
    def pictured(self, data_dir: Path) -> ReaderApp:
        """A story with a picture already in the cache (so no network is asked)."""
        from tests.test_app_pictures import png
        from tui_reader.article import Article, Block, BlockKind, Link
        from tui_reader.locations import images_directory
        from tui_reader.sources.image_cache import ImageCache
        from tui_reader.sources.seeds import open_library

        url = "https://pictures.example/sky.png"
        label = "[image: A yellow sky over a blue sea]"
        story = Article(
            title="Skies over the harbour",
            standfirst="A picture between two paragraphs.",
            blocks=[
                Block(BlockKind.PARAGRAPH, "The morning began clear."),
                Block(BlockKind.IMAGE, "A yellow sky over a blue sea", (Link(0, len(label), url),)),
                Block(BlockKind.PARAGRAPH, "By noon the clouds had come."),
            ],
        )
        with open_library(data_dir, Path("/nonexistent")) as library:
            library.add_articles([story])
        ImageCache(images_directory(data_dir))._store(url, png(320, 120))
        return make_app(
            Config(images="blocks"), data_dir, seeds_dir=Path("/nonexistent"), clock=FakeClock()
        )

    def test_picture_in_half_blocks_100x30(self, snap_compare, pictured):
        """An opened story shows its cached picture in half-blocks, the caption under it."""
        assert snap_compare(pictured, terminal_size=(100, 30), run_before=open_seed)
