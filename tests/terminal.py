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
