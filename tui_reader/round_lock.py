"""One sync round at a time per library, across processes.

The app's `r`, `tui-reader sync` in a cron job and a second app can all
start a round. Two at once would push the same changes twice (harmless)
and, worse, let the older of two pulls write its state last. So a round
takes an exclusive `flock` on a file beside the library first; a second
one waits for it, then finds little left to do. The lock goes with the
process, so a round killed with -9 leaves nothing to clean up.
POSIX only, like the terminals this reader runs in. Imports `errors`.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from tui_reader.errors import ShownError

POLL_SECONDS = 0.05
WAIT_SECONDS = 600.0  # a round stuck longer than this (a dead server's timeouts) is news


class RoundBusy(ShownError):
    """Another round held the library for too long, or this one was stopped waiting."""


@contextlib.asynccontextmanager
async def one_round_at_a_time(
    path: Path,
    *,
    waiting: Callable[[], None] = lambda: None,
    stopped: Callable[[], bool] = lambda: False,
    wait_seconds: float = WAIT_SECONDS,
) -> AsyncIterator[None]:
    """Hold the round's lock at `path` for the body; wait while another holds it.

    Args:
        path: The lock file (created 0600; it keeps the holder's pid).
        waiting: Called once if the lock is taken, before waiting.
        stopped: Polled while waiting: True gives up.
        wait_seconds: How long to wait at most.

    Raises:
        RoundBusy: The other round did not end in time, or `stopped` said so.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_seconds
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told:
                    waiting()
                    told = True
                if stopped() or loop.time() > deadline:
                    raise RoundBusy(
                        f"sync: another round ({_holder(fd)}) is still running;"
                        " this one did not start"
                    ) from None
                await asyncio.sleep(POLL_SECONDS)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # and with it the lock


def _holder(fd: int) -> str:
    """ "pid 123" of the round holding the lock, as it wrote it, or "pid unknown"."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        text = ""
    return f"pid {text}" if text.isdecimal() else "pid unknown"
