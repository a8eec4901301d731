"""What pictures the terminal can draw, asked of it in one round trip before an app starts.

kitty's graphics query goes first and the device-attributes request (DA1)
after it: every terminal answers DA1, and answers in order, so a reply to
the kitty query comes before the DA1 reply or not at all. No terminal
leaves the question to a timeout (kitty's own documented way). DA1's
attribute 4 says Sixel. As textual-image does, Sixel wins where a terminal
says it has both (WezTerm and Konsole say both, and draw Sixel right).

Inside tmux the kitty query never reaches the outer terminal and DA1 is
tmux's own, so tmux gets Sixel where it is built with it, else half-blocks.
Only the standard library: the app's start pays one round trip and nothing else.
"""

from __future__ import annotations

import os
import re
import select
import termios
import time
import tty

KITTY_QUERY = b"\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\"
DEVICE_ATTRIBUTES = b"\x1b[c"
_KITTY_OK = re.compile(rb"\x1b_Gi=31;OK\x1b\\")
_ATTRIBUTES = re.compile(rb"\x1b\[\?([0-9;]*)c")
ANSWER_SECONDS = 1.0  # a terminal that has not answered DA1 by then answers nothing


def what_it_draws(answer: bytes) -> str:
    """ "sixel", "kitty" or "blocks", from what the terminal answered the two questions."""
    attributes = _ATTRIBUTES.search(answer)
    if attributes and b"4" in attributes.group(1).split(b";"):
        return "sixel"
    if _KITTY_OK.search(answer):
        return "kitty"
    return "blocks"


def ask_terminal(stdin: int, stdout: int, timeout: float = ANSWER_SECONDS) -> str:
    """Ask the terminal on these descriptors what it draws: "sixel", "kitty" or
    "blocks" (also for a terminal that does not answer in `timeout` seconds).

    Keys typed in the instant it takes are read with the answer and lost.
    """
    saved = termios.tcgetattr(stdin)
    answer = b""
    try:
        tty.setcbreak(stdin, termios.TCSANOW)  # answers are read as they come, unechoed
        os.write(stdout, KITTY_QUERY + DEVICE_ATTRIBUTES)
        deadline = time.monotonic() + timeout
        while not _ATTRIBUTES.search(answer):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([stdin], [], [], left)[0]:
                break
            chunk = os.read(stdin, 1024)
            if not chunk:
                break
            answer += chunk
    finally:
        termios.tcsetattr(stdin, termios.TCSANOW, saved)
    return what_it_draws(answer)
