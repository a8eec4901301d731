"""The keys a user configures, and what the app says when a key cannot do its job."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from textual.widgets import Static

from tests.conftest import FakeClock
from tests.test_app import article_text, library_with_stories, press, settle
from tui_reader.config import load_config
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
