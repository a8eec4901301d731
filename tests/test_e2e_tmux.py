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
