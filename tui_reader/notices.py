"""Telling the user that new stories came while nobody was looking.

After an automatic refresh that brought new stories, the app runs the
config's `app.notify_command` (its words, then the count, then up to five
titles, as separate arguments: never through a shell) and, with
`app.notify_terminal`, writes a desktop-notification escape the terminal
shows: OSC 777 where the terminal is VTE- or rxvt-based (GNOME Terminal,
Tilix, urxvt, foot), OSC 9 elsewhere (iTerm2, WezTerm, kitty, Windows
Terminal), wrapped for tmux so it reaches the terminal around it.
Titles are strangers' text: cleaned and cut like everywhere else, and
stripped of what would end an escape early. Imports `sanitize` and `words`.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence

from tui_reader.sanitize import clean_line
from tui_reader.words import counted

TITLES = 5  # at most this many titles are passed on
TITLE_CHARS = 200
COMMAND_TIMEOUT = 10.0  # seconds a notify command may take


def notice_text(count: int, titles: Sequence[str]) -> str:
    """One line: "3 new stories: First title; Second title; …"."""
    shown = [_title(t) for t in titles[:TITLES] if _title(t)]
    text = counted(count, "new story", "new stories")
    if shown:
        text += ": " + "; ".join(shown)
        if count > len(shown):
            text += "; …"
    return text


def command_argv(command: Sequence[str], count: int, titles: Sequence[str]) -> list[str]:
    """The notify command's arguments: its own words, the count, up to 5 titles."""
    return [*command, str(count), *(_title(t) for t in titles[:TITLES])]


def run_command(argv: Sequence[str]) -> str | None:
    """Run the notify command without a shell; None, or why it failed (one line)."""
    name = argv[0] if argv else ""
    try:
        done = subprocess.run(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        return f"the notify command {name!r} was not found"
    except subprocess.TimeoutExpired:
        return f"the notify command {name!r} took longer than {COMMAND_TIMEOUT:g} s"
    except OSError as exc:
        return f"the notify command {name!r} could not run ({exc.strerror})"
    if done.returncode != 0:
        return f"the notify command {name!r} exited {done.returncode}"
    return None


def terminal_escape(title: str, body: str, env: Mapping[str, str]) -> str:
    """The desktop-notification escape for the terminal `env` describes."""
    title, body = _field(title), _field(body)
    term = env.get("TERM", "")
    if env.get("VTE_VERSION") or term.startswith(("rxvt", "foot")):
        sequence = f"\x1b]777;notify;{title};{body}\x1b\\"
    else:
        # Text first: a leading number ("9;4;…") would read as a progress report.
        sequence = f"\x1b]9;{title}: {body}\x07"
    if env.get("TMUX"):  # passed through to the outer terminal, ESC doubled
        sequence = "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return sequence


def _title(text: str) -> str:
    line = clean_line(text)
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1] + "…"


def _field(text: str) -> str:
    """Text safe inside an OSC string: clean, no field separator, no BEL or ESC."""
    return _title(text).replace(";", ",")
