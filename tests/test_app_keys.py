"""The keys a user configures, and what the app says when a key cannot do its job
(`o` with no browser)."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from textual.widgets import Static

from tests.conftest import FakeClock
from tests.test_app import article_text, library_with_stories, press, settle
from tui_reader.config import Config, load_config
from tui_reader.sources.scraped_text import parse_text
from tui_reader.sources.seeds import open_library
from tui_reader.ui.app import ReaderApp, make_app
from tui_reader.ui.widgets.help_screen import HelpScreen


def app_with_keys(data_dir: Path, tmp_path: Path, clock: FakeClock, keys: str) -> ReaderApp:
    """An app on three stories, its config read from a real file with this [keys] table."""
    library_with_stories(data_dir)
    path = tmp_path / "config.toml"
    path.write_text(f"[keys]\n{keys}\n", encoding="utf-8")
    return make_app(load_config(path), data_dir, clock=clock)


def help_lines(app: ReaderApp) -> list[str]:
    """The help screen's table as text, one line a key."""
    assert isinstance(app.screen, HelpScreen)
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(app.screen.query_one(".help-screen--table", Static).content)
    return [" ".join(line.split()) for line in console.export_text().splitlines()]


async def test_a_key_given_to_two_actions_leaves_both_their_defaults(
    data_dir: Path, tmp_path: Path, clock: FakeClock
):
    app = app_with_keys(data_dir, tmp_path, clock, 'quit = "n"')  # n is next unread's
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        [warning] = [n.message for n in app._notifications]
        assert "keys.quit = 'n' is ignored" in warning
        await press(app, pilot, "j", "n")  # n still opens the next unread story
        assert app.is_running
        assert article_text(app).startswith("Story 2")
        await press(app, pilot, "question_mark")  # help shows the keys that work
        lines = help_lines(app)
        assert "q Quit" in lines
        assert "n Open the next unread story (then the next feed's)" in lines
        assert not any(line.startswith("n Quit") for line in lines)
        await press(app, pilot, "escape", "q")  # q quits
        assert not app.is_running


async def test_two_actions_may_trade_keys(data_dir: Path, tmp_path: Path, clock: FakeClock):
    app = app_with_keys(data_dir, tmp_path, clock, 'quit = "n"\nnext_unread = "q"')
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert [n.message for n in app._notifications] == []  # nothing shared: no warning
        await press(app, pilot, "q")  # q now opens the next unread story
        assert app.is_running and article_text(app).startswith("Story 1")
        await press(app, pilot, "n")
        assert not app.is_running


def no_browsers_but(monkeypatch, tmp_path: Path, browser: str) -> None:
    """Make `webbrowser` look for browsers afresh where there are none: $BROWSER
    names only `browser`, PATH holds nothing, and there is no display. The
    module keeps what it found on first use; forgetting that (restored after
    the test) makes it look again, for real."""
    import webbrowser

    empty = tmp_path / "empty-bin"
    empty.mkdir(exist_ok=True)
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setenv("BROWSER", browser)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    monkeypatch.setattr(webbrowser, "_browsers", {})


def app_on_a_web_story(data_dir: Path, clock: FakeClock) -> ReaderApp:
    with open_library(data_dir) as library:
        article = parse_text("Web Story\n\nBody.")
        article.url = "https://example.com/a?b=[1]"
        library.add_articles([article])
    return make_app(Config(), data_dir, seeds_dir=data_dir / "none", clock=clock)


async def test_o_with_no_browser_says_so_in_one_line(
    data_dir: Path, tmp_path: Path, clock: FakeClock, monkeypatch
):
    no_browsers_but(monkeypatch, tmp_path, str(tmp_path / "no-such-browser"))
    app = app_on_a_web_story(data_dir, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "o")
        [notice] = [n.message for n in app._notifications]
        assert notice == (
            "Cannot open https://example.com/a?b=[1]: no web browser found (set $BROWSER to one)."
        )
        assert app.is_running


async def test_o_hands_the_link_to_the_browser_named_by_BROWSER(
    data_dir: Path, tmp_path: Path, clock: FakeClock, monkeypatch
):
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser"
    browser.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" > {opened}\n')
    browser.chmod(0o755)
    no_browsers_but(monkeypatch, tmp_path, str(browser))
    app = app_on_a_web_story(data_dir, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "o")
        assert opened.read_text() == "https://example.com/a?b=[1]\n"
        assert [n.message for n in app._notifications] == []
