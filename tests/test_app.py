"""Keyboard and mouse flows in the app, driven by Pilot."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Static

from tests.conftest import FakeClock
from tui_reader.config import KEY_ACTIONS, Config
from tui_reader.locations import seeds_directory
from tui_reader.sources.scraped_text import parse_text
from tui_reader.sources.seeds import open_library
from tui_reader.ui.app import ReaderApp, make_app
from tui_reader.ui.list_view import ListView
from tui_reader.ui.messages import HeadlinesLoaded
from tui_reader.ui.widgets.article_view import ArticleView
from tui_reader.ui.widgets.headline_list import HeadlineList
from tui_reader.ui.widgets.help_screen import HelpScreen

SEED_TITLE = "Japan and Canada Forge EV Battery Alliance"


def library_with_stories(data_dir: Path, n: int = 3) -> None:
    """The seed (undated, so sorted by when it was added: first) and `n` dated
    stories, newest first: Story 1, Story 2, ..."""
    with open_library(data_dir, seeds_directory()) as library:
        stories = []
        for i in range(1, n + 1):
            article = parse_text(
                f"Story {i}\n\nLead of story {i}.\n\nSecond paragraph {i}.\n\n"
                f"Section {i}\n\nThird paragraph {i}."
            )
            article.published = f"2026-11-{20 - i:02d}T08:00:00+00:00"
            article.source = "Test Wire"
            stories.append(article)
        library.add_articles(stories)


async def settle(app: ReaderApp, pilot) -> None:
    """Let thread workers finish and their messages land."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def press(app: ReaderApp, pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(app, pilot)


def header(app: ReaderApp) -> str:
    return str(app.reader_screen.query_one("#meter").render())


def article_text(app: ReaderApp) -> str:
    return app.reader_screen.query_one(ArticleView).text


def headline_list(app: ReaderApp) -> HeadlineList:
    return app.reader_screen.query_one(HeadlineList)


@pytest.fixture
def app(data_dir: Path, clock: FakeClock) -> ReaderApp:
    library_with_stories(data_dir)
    return make_app(Config(), data_dir, clock=clock)


async def test_opens_on_the_library_with_the_meter_full(app: ReaderApp):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert header(app) == "You have 5 free articles remaining"
        titles = [h.title for h in headline_list(app).headlines]
        assert titles == [SEED_TITLE, "Story 1", "Story 2", "Story 3"]
        assert headline_list(app).current.title == SEED_TITLE
        assert "No article open" in article_text(app)


async def test_moving_the_cursor_opens_and_counts_nothing(app: ReaderApp):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        # j, down, k, G, g: move about the list.
        await press(app, pilot, "j", "down", "k", "G", "g")
        assert headline_list(app).cursor == 0
        assert header(app) == "You have 5 free articles remaining"
        assert "No article open" in article_text(app)


async def test_enter_opens_and_counts_once(app: ReaderApp):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "j", "enter")  # down to Story 1, open it
        assert article_text(app).startswith("Story 1\nTest Wire · 2026-11-19 · 1 min read")
        assert header(app) == "You have 4 free articles remaining"
        assert headline_list(app).headlines[1].read
        await press(app, pilot, "j", "k", "l")  # away and back, open again with l
        assert header(app) == "You have 4 free articles remaining"


async def test_next_and_previous_open_neighbours(app: ReaderApp):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "j", "enter", "n", "n")  # Story 1, then 2, then 3
        assert article_text(app).startswith("Story 3")
        assert header(app) == "You have 2 free articles remaining"
        await press(app, pilot, "K")  # back to Story 2 (read: p would skip it): a re-read, free
        assert article_text(app).startswith("Story 2")
        assert header(app) == "You have 2 free articles remaining"


async def test_teaser_at_zero_and_subscribing(data_dir: Path, clock: FakeClock):
    library_with_stories(data_dir)
    app = make_app(Config(meter_limit=2), data_dir, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "enter", "n")  # the seed and Story 1 use both
        assert header(app) == "You have 0 free articles remaining"
        await press(app, pilot, "n")  # Story 2 is withheld
        text = article_text(app)
        # At most a third of its 12 words: the lead sentence, nothing after it.
        assert "Lead of story 2." in text and "Second paragraph 2." not in text
        assert "Third paragraph 2." not in text and "Section 2" not in text
        words = " ".join(text.split())  # the pane wraps the notice
        assert "You have 0 free articles remaining. Subscribe for unlimited access." in words
        assert "Press S to subscribe" in words
        assert not headline_list(app).headlines[2].read  # a teaser does not mark it read
        await press(app, pilot, "S")  # subscribe: the story reads in full
        assert header(app) == "You have 0 free articles remaining · Subscribed: unlimited access"
        assert "Third paragraph 2." in article_text(app)
        await press(app, pilot, "S")  # unsubscribe: the meter is back
        assert header(app) == "You have 0 free articles remaining"
        assert "Third paragraph 2." in article_text(app)  # what was read stays shown


async def test_unsubscribing_does_not_count_the_article_on_screen(data_dir: Path, clock: FakeClock):
    library_with_stories(data_dir)
    app = make_app(Config(), data_dir, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "S", "j", "enter")  # subscribe, open Story 1 (free)
        assert header(app).startswith("You have 5 free articles remaining")
        await press(app, pilot, "S")  # unsubscribe with Story 1 on screen
        assert header(app) == "You have 5 free articles remaining"


async def test_headlines_for_a_stale_filter_are_dropped(app: ReaderApp):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "j", "m", "u")  # mark Story 1 read, show unread only
        assert len(headline_list(app).headlines) == 3
        # The full list of a load started before `u` arrives late: it is ignored.
        everything = app.store.headlines()
        app.post_message(HeadlinesLoaded(everything, ListView(), keep_cursor=False))
        await settle(app, pilot)
        assert len(headline_list(app).headlines) == 3


async def test_help_lists_every_binding_and_escape_closes(app: ReaderApp):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "question_mark")  # open help
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=100, record=True, file=io.StringIO())
        console.print(app.screen.query_one(".help-screen--table", Static).content)
        shown = console.export_text()
        for action in KEY_ACTIONS:
            assert action.description in shown
        assert "j  ↓" in shown and "Space  PgDn" in shown and "?" in shown
        await press(app, pilot, "escape")  # close it
        assert not isinstance(app.screen, HelpScreen)


async def test_marking_read_starring_and_unread_only(app: ReaderApp):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "j", "m", "s")  # to Story 1, mark it read, star it
        story = headline_list(app).headlines[1]
        assert story.read and story.starred and not headline_list(app).headlines[0].read
        await press(app, pilot, "u")  # unread only: Story 1 drops out
        assert [h.title for h in headline_list(app).headlines] == [SEED_TITLE, "Story 2", "Story 3"]
        await press(app, pilot, "j", "u")  # to Story 2, then show all again
        assert len(headline_list(app).headlines) == 4
        assert headline_list(app).current.title == "Story 2"  # the cursor kept its story
        await press(app, pilot, "m")  # toggle Story 2 read
        assert headline_list(app).headlines[2].read


async def test_narrow_terminal_shows_one_pane_at_a_time(app: ReaderApp):
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(app, pilot)
        screen = app.reader_screen
        assert screen.panes.has_class("-narrow")
        assert headline_list(app).display and not screen.query_one(ArticleView).display
        await press(app, pilot, "enter")  # open: the article takes the screen
        assert screen.query_one(ArticleView).display and not headline_list(app).display
        await press(app, pilot, "tab")  # back to the list
        assert headline_list(app).display and not screen.query_one(ArticleView).display
        await pilot.resize_terminal(120, 30)
        await settle(app, pilot)
        assert not screen.panes.has_class("-narrow")
        assert headline_list(app).display and screen.query_one(ArticleView).display


def long_read_app(data_dir: Path, clock: FakeClock, paragraphs: int) -> ReaderApp:
    """An app whose library holds one story of `paragraphs` one-line paragraphs."""
    with open_library(data_dir) as library:
        body = "\n\n".join(f"Paragraph {i}." for i in range(paragraphs))
        library.add_articles([parse_text(f"Long Read\n\n{body}")])
    return make_app(Config(), data_dir, seeds_dir=data_dir / "none", clock=clock)


async def test_space_and_b_scroll_the_article(data_dir: Path, clock: FakeClock):
    app = long_read_app(data_dir, clock, 200)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        view = app.reader_screen.query_one(ArticleView)
        await press(app, pilot, "enter", "space")  # open, page down
        assert view.scroll_y > 10
        await press(app, pilot, "b")  # page up
        assert view.scroll_y == 0


async def test_a_long_article_can_be_scrolled_to_its_last_line(data_dir: Path, clock: FakeClock):
    app = long_read_app(data_dir, clock, 300)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        view = app.reader_screen.query_one(ArticleView)
        await press(app, pilot, "enter")  # open: only the first screenful is wrapped at once
        view.scroll_end(animate=False, immediate=True)  # the rest is wrapped after the paint
        await settle(app, pilot)
        bottom = [view.render_line(y).text for y in range(view.size.height)]
        assert any("Paragraph 299." in line for line in bottom)


async def test_keys_from_the_config_replace_the_defaults(data_dir: Path, clock: FakeClock):
    library_with_stories(data_dir)
    app = make_app(Config(keys={"next_article": "x"}), data_dir, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "x")  # the remapped "next story"
        assert article_text(app).startswith("Story 1")
        await press(app, pilot, "J")  # J no longer does it
        assert article_text(app).startswith("Story 1")


async def test_clicking_a_headline_opens_it(app: ReaderApp):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.click(HeadlineList, offset=(10, 2))  # the third row
        await settle(app, pilot)
        assert article_text(app).startswith("Story 2")
        assert header(app) == "You have 4 free articles remaining"


async def test_config_warnings_are_shown(data_dir: Path, clock: FakeClock):
    config = Config(warnings=["config.toml: meter.limit = -1 must be ...; using the default"])
    app = make_app(config, data_dir, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert any("meter.limit = -1" in n.message for n in app._notifications)


async def test_quit(app: ReaderApp):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_o_opens_only_safe_links(data_dir: Path, clock: FakeClock, monkeypatch):
    with open_library(data_dir) as library:
        for title, url in [("Web Story", "https://example.com/a"), ("Sly", "file:///etc/passwd")]:
            article = parse_text(f"{title}\n\nBody.")
            article.url = url
            article.published = "2026-01-01T00:00:00+00:00"
            library.add_articles([article])
    app = make_app(Config(), data_dir, seeds_dir=data_dir / "none", clock=clock)
    opened: list[str] = []
    # A test cannot start a browser; record what would have been opened.
    monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        titles = [h.title for h in headline_list(app).headlines]
        headline_list(app).cursor = titles.index("Web Story")
        await press(app, pilot, "o")  # a web link opens
        assert opened == ["https://example.com/a"]
        headline_list(app).cursor = titles.index("Sly")
        await press(app, pilot, "o")  # a file: link does not
        assert opened == ["https://example.com/a"]
        assert any("no web link" in n.message for n in app._notifications)


async def test_a_damaged_library_is_set_aside_and_the_app_goes_on(data_dir: Path, clock: FakeClock):
    data_dir.mkdir(parents=True)
    (data_dir / "library.sqlite3").write_bytes(b"not a database" * 500)
    app = make_app(Config(), data_dir, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert app.is_running
        assert any("was damaged" in n.message for n in app._notifications)
        assert headline_list(app).current.title == SEED_TITLE


async def test_a_newer_library_ends_the_app_with_one_line(data_dir: Path, clock: FakeClock):
    import sqlite3

    data_dir.mkdir(parents=True)
    db = sqlite3.connect(data_dir / "library.sqlite3")
    db.execute("PRAGMA user_version = 99")
    db.close()
    app = make_app(Config(), data_dir, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
    assert app.return_code == 1
    assert app.error_message is not None
    assert "newer than this tui-reader knows" in app.error_message
    assert "\n" not in app.error_message


async def test_a_large_library_fills_in_after_the_first_screenful(
    data_dir: Path, clock: FakeClock, monkeypatch
):
    # Shrink the first screenful so a small library takes the two-step path.
    monkeypatch.setattr("tui_reader.ui.app.FIRST_SCREENFUL", 3)
    library_with_stories(data_dir, n=8)
    app = make_app(Config(), data_dir, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert len(headline_list(app).headlines) == 9
        assert headline_list(app).current.title == SEED_TITLE
        await press(app, pilot, "G")  # the last headline is reachable
        assert headline_list(app).current.title == "Story 8"


async def test_keys_typed_right_after_tab_go_to_the_article(app: ReaderApp):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "enter", "h")  # open the seed, back to the list
        view = app.reader_screen.query_one(ArticleView)
        # Tab then G in the same tick, as when tmux or a paste sends them
        # together: G must already go to the article pane.
        screen = app.reader_screen
        screen.action_switch_pane()
        screen.action_last()
        await settle(app, pilot)
        assert view.scroll_y == view.max_scroll_y > 0
        assert headline_list(app).cursor == 0  # G did not move the list


async def test_ctrl_c_names_the_quit_key_in_plain_words(app: ReaderApp):
    """Textual's own Ctrl+C notice is markup; ours shows as plain text."""
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "ctrl+c")  # the reflex to quit
        messages = [n.message for n in app._notifications]
        assert "Press q to quit." in messages
        assert not any("[b]" in m or "[/b]" in m for m in messages)


@pytest.mark.parametrize(
    ("columns", "shown"), [(100, "You have 5 free articles remaining"), (45, "5 free left")]
)
async def test_the_meter_shortens_instead_of_overflowing(
    data_dir: Path, clock: FakeClock, columns: int, shown: str
):
    library_with_stories(data_dir)
    app = make_app(Config(), data_dir, clock=clock)
    async with app.run_test(size=(columns, 20)) as pilot:
        await settle(app, pilot)
        assert header(app) == shown
        await press(app, pilot, "S")  # the local paywall switch on
        subscribed = header(app)
        assert subscribed.startswith(shown.replace("remaining", ""))
        assert "ubscribed" in subscribed
        meter = app.reader_screen.query_one("#meter")
        assert len(subscribed) <= meter.size.width  # never cut off


async def test_help_scrolls_with_the_readers_keys_and_says_more_is_below(app: ReaderApp):
    from textual.containers import VerticalScroll

    async with app.run_test(size=(100, 20)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "question_mark")  # open help: too tall for 20 rows
        scroller = app.screen.query_one(VerticalScroll)
        assert scroller.max_scroll_y > 0 and scroller.scroll_y == 0
        assert scroller.border_subtitle == "more below: j or Space"
        await press(app, pilot, "j")  # a line down
        assert scroller.scroll_y == 1
        await press(app, pilot, "space")  # a page down
        assert scroller.scroll_y > 1
        await press(app, pilot, "G")  # to the end
        assert scroller.scroll_y == scroller.max_scroll_y
        assert scroller.border_subtitle == ""  # nothing more below
        await press(app, pilot, "g", "escape")  # back to the top, then close
        assert not isinstance(app.screen, HelpScreen)


@pytest.mark.parametrize("columns", [60, 80, 100])
async def test_the_footer_keeps_quit_in_view(app: ReaderApp, columns: int):
    from textual.widgets._footer import FooterKey

    async with app.run_test(size=(columns, 24)) as pilot:
        await settle(app, pilot)
        keys = {key.description: key for key in app.screen.query(FooterKey)}
        assert {"Open", "Next", "Help", "Quit"} <= set(keys)
        quit_key = keys["Quit"]
        assert quit_key.region.width > 0 and quit_key.region.right <= columns
        # A gap after each pair, so a label never runs into the next key.
        assert all(key.styles.margin.right >= 1 for key in keys.values())


@pytest.mark.parametrize(("text_width", "widest", "centred"), [(80, 80, True), (0, 200, False)])
async def test_article_text_wraps_at_a_readable_width_centred(
    data_dir: Path, clock: FakeClock, text_width: int, widest: int, centred: bool
):
    library_with_stories(data_dir)
    app = make_app(Config(text_width=text_width), data_dir, clock=clock)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "enter")  # open the seed: the article pane has the keys
        view = app.reader_screen.article
        lines = [view.render_line(y).text.rstrip() for y in range(view.size.height)]
        text = [line for line in lines if line.strip()]
        margins = {len(line) - len(line.lstrip()) for line in text}
        assert max(len(line) - min(margins) for line in text) <= widest
        assert max(len(line) for line in text) > 60  # the text uses its room
        if centred:
            pane = view.scrollable_content_region.width
            assert min(margins) >= (pane - 80) // 2 - 1  # as much room left as right
        else:
            assert min(margins) <= 2
