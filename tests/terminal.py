"""Run `tui-reader` with one of its streams on a real pseudo-terminal (100 x 50).

Colour, progress bars and their absence when piped are decided by
`isatty()`, so the tests give the program a terminal of its own rather than
pretend. Used by the tests of `read`'s styles, `refresh`'s bar and `sync`'s bar.
"""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from dataclasses import dataclass
from pathlib import Path

# Variables that would change what the program draws.
_DRAWING = {"NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES", "TERM", "TTY_INTERACTIVE"}


@dataclass
class TerminalRun:
    """What the terminal got (escapes and all), the other stream, the exit status."""

    screen: str
    other: str
    status: int


def run_on_a_terminal(
    args: list[str], data_dir: Path, config: Path, *, on: str = "stdout", **env: str
) -> TerminalRun:
    """Run `tui-reader ARGS` with `on` ("stdout" or "stderr") on a pseudo-terminal,
    the other stream piped, and read the terminal until the program closes it."""
    environment = {key: value for key, value in os.environ.items() if key not in _DRAWING}
    environment |= {
        "TUI_READER_DATA_DIR": str(data_dir),
        "TUI_READER_CONFIG": str(config),
        "TERM": "xterm-256color",
        **env,
    }
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 100, 0, 0))
    streams = {"stdout": follower, "stderr": subprocess.PIPE}
    if on == "stderr":
        streams = {"stdout": subprocess.PIPE, "stderr": follower}
    process = subprocess.Popen(
        [sys.executable, "-m", "tui_reader", *args], env=environment, **streams
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the program closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    piped = process.stdout if on == "stderr" else process.stderr
    other = piped.read().decode() if piped else ""
    return TerminalRun(b"".join(chunks).decode(), other, process.wait(timeout=60))


# What a terminal answers to the questions the app asks on start.
SIXEL_TERMINAL = {b"\x1b[c": b"\x1b[?62;4;22c"}  # device attributes: 4, Sixel
KITTY_TERMINAL = {b"\x1b[c": b"\x1b[?62;22c", b"a=q": b"\x1b_Gi=31;OK\x1b\\"}  # echoes the id
PLAIN_TERMINAL = {b"\x1b[c": b"\x1b[?62;22c"}  # neither: it ignores kitty's question


def run_app_on_a_terminal(
    data_dir: Path,
    config: Path,
    answers: dict[bytes, bytes],
    keys: list[tuple[bytes, bytes]],
    *,
    timeout: float = 20,
) -> str:
    """Run the app on a pseudo-terminal of 100 x 50 cells of 10 x 20 pixels that
    answers questions as `answers` says (what it is asked: its answer), press each
    key once the output so far holds its cue, and return all the terminal got.

    Everything the app writes reaches the terminal as it would a real one:
    Textual's frames and what textual-image sends past them.
    """
    import select
    import time

    environment = {key: value for key, value in os.environ.items() if key not in _DRAWING}
    environment |= {
        "TUI_READER_DATA_DIR": str(data_dir),
        "TUI_READER_CONFIG": str(config),
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
    }
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 100, 1000, 1000))
    process = subprocess.Popen(
        [sys.executable, "-m", "tui_reader"],
        env=environment,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        start_new_session=True,
    )
    os.close(follower)
    got = b""
    answered = 0  # how much of the output was looked at for questions
    pending = list(keys)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # EIO: the program closed the terminal
                    break
                if not chunk:
                    break
                got += chunk
            fresh = got[answered:]
            asked = sorted((fresh.index(q), a) for q, a in answers.items() if q in fresh)
            for _, answer in asked:  # in the order asked, as a terminal answers
                os.write(leader, answer)
            answered = len(got)
            if pending and pending[0][0] in got:
                os.write(leader, pending.pop(0)[1])
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        os.close(leader)
    return got.decode(errors="replace")
