"""The main screen's room: titles that can be read, the article wide while it is read,
full-width reading, and the reader's place kept when a pane changes width."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FakeClock
from tests.test_app import SEED_TITLE, article_text, headline_list, press, settle
from tui_reader.config import Config
from tui_reader.locations import seeds_directory
from tui_reader.sources.scraped_text import parse_text
from tui_reader.sources.seeds import open_library
from tui_reader.ui.app import ReaderApp, make_app

LONG_TITLE = (
    "Satellite will space out its orbit to avoid debris as agencies argue "
    "over who pays for the clean-up of low Earth orbit"
)


def library_with_long_titles(data_dir: Path) -> None:
    """The seed plus stories from two feeds with long titles, dated a year before the
    clock (the widest date, "2026-11-19"): the list's most crowded rows."""
    with open_library(data_dir, seeds_directory()) as library:
        stories = []
        for i in range(1, 6):
            article = parse_text(f"{LONG_TITLE} {i}\n\nLead {i}.\n\n" + "Body words. " * 900)
            article.published = f"2026-11-{20 - i:02d}T08:00:00+00:00"
            article.source = "Test Wire" if i % 2 else "Orbital Daily News"
            stories.append(article)
        library.add_articles(stories)


@pytest.fixture
def app(data_dir: Path, clock: FakeClock) -> ReaderApp:
    """The app on the long-titled library."""
    library_with_long_titles(data_dir)
    return make_app(Config(), data_dir, clock=clock)


def shown_title_cells(row: str) -> int:
    """How many cells of the long title a row shows (up to the "…" that cuts it)."""
    start = row.index("Satellite")
    shown = row[start:].split("…")[0].split("  ")[0]
    assert LONG_TITLE.startswith(shown.rstrip())
    return len(shown.rstrip())


@pytest.mark.parametrize(("size", "least"), [((100, 30), 40), ((80, 24), 30), ((200, 50), 40)])
async def test_a_headline_shows_enough_of_its_title(
    app: ReaderApp, size: tuple[int, int], least: int
):
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        rows = [headline_list(app).render_line(y).text for y in range(6)]
        story_rows = [row for row in rows if "Satellite" in row]
        assert len(story_rows) == 5
        assert all(shown_title_cells(row) >= least for row in story_rows)
        # Every row still names its feed and its full date, two cells apart.
        assert all("2026-11-1" in row for row in story_rows)
        assert any("Test W" in row for row in story_rows)
        assert any("Orbital" in row for row in story_rows)


async def test_enter_gives_the_article_the_wide_pane_and_h_gives_it_back(app: ReaderApp):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        screen = app.reader_screen
        assert screen.headlines.size.width > screen.article.size.width  # the list has the room
        await press(app, pilot, "enter")  # open the seed: it is read in the wide pane
        assert screen.article.has_focus
        assert screen.article.size.width >= 65 > screen.headlines.size.width
        assert article_text(app).startswith(SEED_TITLE)
        await press(app, pilot, "h")  # back to the list: it takes the room again
        assert screen.headlines.has_focus
        assert screen.headlines.size.width > screen.article.size.width


async def test_z_reads_full_width_and_escape_or_z_comes_back(app: ReaderApp):
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(app, pilot)
        screen = app.reader_screen
        await press(app, pilot, "j", "z")  # read the story under the cursor alone
        assert not screen.headlines.display
        assert screen.article.size.width == 200
        view = screen.article
        lines = [view.render_line(y).text for y in range(view.size.height)]
        text = [line for line in lines if line.strip()]
        left = min(len(line) - len(line.lstrip()) for line in text)
        assert left >= (200 - 80) // 2 - 2  # centred at the readable width
        assert max(len(line.rstrip()) for line in text) - left <= 80
        await press(app, pilot, "n")  # the next story opens, still full width
        shown = " ".join(article_text(app).split())
        assert not screen.headlines.display and shown.startswith(LONG_TITLE)
        await press(app, pilot, "escape")  # both panes again, the article still read
        assert screen.headlines.display and screen.article.has_focus
        await press(app, pilot, "z", "z")  # z toggles too
        assert screen.headlines.display
        await press(app, pilot, "z", "h")  # h from full width: both panes, then h: the list
        await press(app, pilot, "h")
        assert screen.headlines.display and screen.headlines.has_focus


async def test_the_reader_keeps_their_place_when_the_pane_changes_width(app: ReaderApp):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        view = app.reader_screen.article
        await press(app, pilot, "j", "enter")  # open a long story
        await press(app, pilot, "space", "space", "space")  # read on, three pages
        assert view.scroll_y > 40
        share = view.scroll_y / view.virtual_size.height
        await press(app, pilot, "tab")  # to the list: the article pane narrows and rewraps
        assert view.size.width < 40
        assert abs(view.scroll_y / view.virtual_size.height - share) < 0.02
        await press(app, pilot, "tab")  # and back: the same place
        assert abs(view.scroll_y / view.virtual_size.height - share) < 0.02
        assert view.scroll_y > 40


async def test_below_80_columns_the_panes_take_turns(app: ReaderApp):
    async with app.run_test(size=(70, 24)) as pilot:
        await settle(app, pilot)
        screen = app.reader_screen
        assert screen.headlines.display and not screen.article.display
        await press(app, pilot, "enter")  # the article takes the screen
        assert screen.article.display and not screen.headlines.display
        await press(app, pilot, "z")  # full width is what narrow already is
        assert screen.article.display and not screen.headlines.display
        await press(app, pilot, "escape", "escape")  # out of full width, then to the list
        assert screen.headlines.display and not screen.article.display


async def test_keys_typed_right_after_enter_go_to_the_article(app: ReaderApp):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        screen = app.reader_screen
        screen.headlines.cursor = 1
        # Enter then Space and j in the same tick, before the story has arrived
        # (as when keys are pasted or typed fast): they go to the story's pane.
        screen.action_open()
        screen.action_page_down()
        screen.action_cursor_down()
        await settle(app, pilot)
        assert screen.headlines.cursor == 1  # j did not move the list
        assert screen.article.has_focus
        assert screen.article.size.width > screen.headlines.size.width
