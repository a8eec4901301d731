"""End to end in a real terminal: tmux runs tui-reader, we type and read the screen."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")


class Terminal:
    """A detached tmux session running one command."""

    def __init__(self, command: str, width: int = 100, height: int = 30) -> None:
        self.name = f"tui-reader-test-{uuid.uuid4().hex[:8]}"
        size = ["-x", str(width), "-y", str(height)]
        subprocess.run(["tmux", "new-session", "-d", "-s", self.name, *size, command], check=True)

    def screen(self) -> str:
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name],
            capture_output=True,
            text=True,
        ).stdout

    def send(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)

    def wait_for(self, text: str, timeout: float = 20) -> str:
        """Wait until `text` shows and the screen has stopped changing.

        The first frames can be painted mid-resize (tmux sizes a new window
        just after starting its command), so a match alone is not enough.
        """
        deadline = time.monotonic() + timeout
        previous, stable_since = None, time.monotonic()
        while time.monotonic() < deadline:
            screen = self.screen()
            if screen != previous:
                previous, stable_since = screen, time.monotonic()
            elif text in screen and time.monotonic() - stable_since >= 0.3:
                return screen
            time.sleep(0.05)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{self.screen()}")

    def alive(self) -> bool:
        return subprocess.run(["tmux", "has-session", "-t", self.name]).returncode == 0

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


def test_read_the_seed_in_a_real_terminal(tmp_path: Path):
    data_dir = tmp_path / "data"
    (tmp_path / "none.toml").write_text("")
    env = f"TUI_READER_DATA_DIR={shlex.quote(str(data_dir))} "
    env += f"TUI_READER_CONFIG={shlex.quote(str(tmp_path / 'none.toml'))} TERM=xterm-256color"
    # COLUMNS and LINES can reach the pane from the test's environment, and
    # they override the real terminal size; the app must see the pane's size.
    command = f"env -u COLUMNS -u LINES {env} {shlex.quote(sys.executable)} -m tui_reader"
    terminal = Terminal(command)
    try:
        screen = terminal.wait_for("No article open")
        assert "You have 5 free articles remaining" in screen
        assert "Japan and Canada Forg" in screen
        terminal.send("Enter")  # open the seed
        screen = terminal.wait_for("You have 4 free articles remaining")
        assert "Bundled seed · 2 min read" in screen
        assert "Yasutoshi Nishimura" in screen
        assert "No menu items" not in screen
        terminal.send("?")  # help
        terminal.wait_for("Open the next story")
        terminal.send("Escape")  # close it
        deadline = time.monotonic() + 10
        while "Open the next story" in terminal.screen() and time.monotonic() < deadline:
            time.sleep(0.05)
        terminal.send("q")  # quit
        deadline = time.monotonic() + 10
        while terminal.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not terminal.alive()
    finally:
        terminal.close()
    # The view was recorded in the library the CLI reads.
    result = subprocess.run(
        [sys.executable, "-m", "tui_reader", "--data-dir", str(data_dir), "quota", "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, "TUI_READER_CONFIG": str(tmp_path / "none.toml")},
    )
    assert '"used": 1' in result.stdout


def test_two_app_instances_and_the_cli_share_one_library(tmp_path: Path):
    """Two readers open stories while the CLI reads too: every view counted once."""
    from tui_reader.sources.scraped_text import parse_text
    from tui_reader.sources.seeds import open_library

    data_dir = tmp_path / "data"
    (tmp_path / "none.toml").write_text("[meter]\nlimit = 100\n")
    with open_library(data_dir) as library:
        stories = [parse_text(f"Shared Story {i}\n\nBody {i}.") for i in range(8)]
        for n, story in enumerate(stories):
            story.published = f"2026-01-{n + 1:02d}T00:00:00+00:00"
        ids = [article_id for article_id, _ in library.add_articles(stories)]
    env = f"TUI_READER_DATA_DIR={shlex.quote(str(data_dir))} "
    env += f"TUI_READER_CONFIG={shlex.quote(str(tmp_path / 'none.toml'))} TERM=xterm-256color"
    command = f"env -u COLUMNS -u LINES {env} {shlex.quote(sys.executable)} -m tui_reader"
    first, second = Terminal(command), Terminal(command)
    try:
        for terminal in (first, second):
            terminal.wait_for("No article open")
        # Both open the first three stories: the seed (first: added last), 7 and 6...
        for terminal in (first, second):
            terminal.send("Enter")
            terminal.wait_for("Bundled seed · 2 min read")
            terminal.send("n")
            terminal.wait_for("Body 7.")
            terminal.send("n")
        # ...while the CLI reads two older ones and one of the same.
        cli = [
            subprocess.Popen(
                [sys.executable, "-m", "tui_reader", "read", article_id, "--plain"],
                env={
                    **os.environ,
                    "TUI_READER_DATA_DIR": str(data_dir),
                    "TUI_READER_CONFIG": str(tmp_path / "none.toml"),
                },
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for article_id in (ids[0], ids[1], ids[7])
        ]
        for process in cli:
            assert process.wait(60) == 0
            assert "locked" not in process.stderr.read()
        for terminal in (first, second):
            terminal.wait_for("Body 6.")
    finally:
        first.close()
        second.close()
    with open_library(data_dir) as library:
        counted = [row[0] for row in library.query("SELECT article_id FROM views")]
        seed = next(h.id for h in library.headlines() if h.source == "Bundled seed")
    # The seed, 7 and 6 by both apps; 0, 1 and 7 by the CLI: 5 distinct, each once.
    assert sorted(counted) == sorted({seed, ids[7], ids[6], ids[0], ids[1]})


async def test_a_story_s_picture_in_tmux(run, feed_server, tmp_path, data_dir, clock):
    """In tmux (which answers for no kitty and, in 3.3, no Sixel) `auto` draws the
    picture in half-blocks, in place between its paragraphs, its caption under it."""
    from tests.test_app_pictures import open_skies, serve_story_with_pictures

    run("add", serve_story_with_pictures(feed_server))
    config = tmp_path / "config.toml"  # reader.images: auto
    await open_skies(data_dir, config, clock)  # fetched into the cache
    env = f"TUI_READER_DATA_DIR={shlex.quote(str(data_dir))} "
    env += f"TUI_READER_CONFIG={shlex.quote(str(config))} TERM=xterm-256color"
    command = f"env -u COLUMNS -u LINES {env} {shlex.quote(sys.executable)} -m tui_reader"
    terminal = Terminal(command, height=40)
    try:
        terminal.wait_for("Skies")
        terminal.send("Enter")  # open the story
        lines = terminal.wait_for("▀").splitlines()
        drawn = [n for n, line in enumerate(lines) if "▀" in line]
        assert drawn == list(range(drawn[0], drawn[-1] + 1)), lines  # one picture, whole
        assert "Before the picture." in lines[drawn[0] - 2]
        assert "[image 1: A yellow sky]" in lines[drawn[-1] + 1]
        assert "Between them." in lines[drawn[-1] + 3]
    finally:
        terminal.close()
