"""The filter key (\\): an expression in, the stories it picks out; the header names it."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import FakeClock
from tests.test_app import headline_list, library_with_stories, press, settle
from tui_reader.config import Config
from tui_reader.ui.app import ReaderApp, make_app
from tui_reader.ui.widgets.prompts import AskLine


def status(app: ReaderApp) -> str:
    return str(app.reader_screen.query_one("#status").render())


def titles(app: ReaderApp) -> list[str]:
    return [h.title for h in headline_list(app).headlines]


async def type_filter(app: ReaderApp, pilot, text: str) -> None:
    await press(app, pilot, "backslash")  # ask for a filter
    assert isinstance(app.screen, AskLine)
    await pilot.press("ctrl+a", "ctrl+k")  # clear what is there (the filter shown)
    await pilot.press(*text, "enter")  # type it, and filter
    await settle(app, pilot)


async def test_backslash_filters_the_list_and_the_header_says_so(data_dir: Path):
    library_with_stories(data_dir)  # Stories 1-3 dated 57, 58 and 59 days before the clock
    app = make_app(Config(), data_dir, clock=FakeClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await type_filter(app, pilot, 'title =~ "story [23]" or age < 57')
        assert titles(app)[-2:] == ["Story 2", "Story 3"] and "Story 1" not in titles(app)
        await type_filter(app, pilot, "age >= 58")  # the app's clock, not the machine's
        assert titles(app) == ["Story 2", "Story 3"]
        assert status(app) == "Filter: age >= 58 · 2 stories"
        await press(app, pilot, "u")  # unread only keeps the filter
        assert status(app) == "Filter: age >= 58 (unread) · 2 stories"


async def test_a_bad_filter_is_a_notice_and_the_list_stays(data_dir: Path):
    library_with_stories(data_dir)
    app = make_app(Config(), data_dir, clock=FakeClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await type_filter(app, pilot, 'title = "Story 1"')
        assert titles(app) == ["Story 1"]
        await type_filter(app, pilot, 'unread = "yes" and title =~')
        notices = [n.message for n in app._notifications]
        assert 'filter: expected a value after "=~" at column 28' in notices
        assert titles(app) == ["Story 1"]
        assert status(app) == 'Filter: title = "Story 1" · 1 story'


async def test_the_prompt_starts_from_the_filter_and_empty_shows_all(data_dir: Path):
    library_with_stories(data_dir)
    app = make_app(Config(), data_dir, clock=FakeClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await type_filter(app, pilot, "starred = no and age > 57")
        assert titles(app) == ["Story 2", "Story 3"]
        await press(app, pilot, "backslash")  # ask again: the filter is there to edit
        assert app.screen.query_one("Input").value == "starred = no and age > 57"
        await press(app, pilot, "escape")  # Esc keeps it
        assert titles(app) == ["Story 2", "Story 3"]
        await type_filter(app, pilot, "")  # empty: every story again
        assert len(titles(app)) == 4
        assert status(app) == "All articles · 4 stories"


async def test_the_filter_joins_a_search_and_markup_in_it_stays_text(data_dir: Path):
    library_with_stories(data_dir)
    app = make_app(Config(), data_dir, clock=FakeClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await type_filter(app, pilot, 'title # "[/]" or title # "[b]2"')  # markup in the text
        assert titles(app) == []
        assert status(app) == 'Filter: title # "[/]" or title # "[b]2" · 0 stories'
        await type_filter(app, pilot, 'not title = "Story 2"')
        await press(app, pilot, "slash")  # a search within the filter
        await pilot.press(*"story", "enter")
        await settle(app, pilot)
        assert sorted(titles(app)) == ["Story 1", "Story 3"]
        assert status(app) == 'Search: story (filter: not title = "Story 2") · 2 matches'
