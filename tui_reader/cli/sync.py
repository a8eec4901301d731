"""The `sync` command: one round with the account's Google Reader API server.

`refresh` runs it too when an account is set (the server fetches the
feeds), and `add` subscribes on the server (`add_on_server`). Prints what
moved each way, as a line or as JSON. Exit 0; 1 with one line when the
round could not run; 4 when some changes could not be pushed (they stay
queued for the next round).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

from tui_reader import APP_NAME
from tui_reader.cli.common import EXIT_OK, EXIT_SOME_FAILED, UsageError, UserError, check_online
from tui_reader.config import Config
from tui_reader.errors import ShownError
from tui_reader.library.store import Store

if TYPE_CHECKING:  # the use case imports httpx: only when a command syncs
    from tui_reader.syncing import Progress

STAGES = {
    "pushing": "Sending changes",
    "stories": "Fetching stories",
    "waiting": "Waiting for another sync to end",
}


@contextmanager
def sync_progress(stream: TextIO) -> Iterator[Progress]:
    """A transient Rich bar on a terminal (the stage, done of all, elapsed);
    nothing when piped, where only the summary line is printed."""
    if not stream.isatty() or os.environ.get("TERM") == "dumb":
        yield lambda stage, done, total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Bar(*columns, TimeElapsedColumn(), console=Console(file=stream), transient=True) as bar:
        task = bar.add_task("Syncing", total=None)

        def advance(stage: str, done: int, total: int) -> None:
            bar.update(
                task,
                description=STAGES.get(stage, "Syncing"),
                completed=done,
                total=total or None,  # unknown (a first sync's pages): a pulsing bar
            )

        yield advance


def add_on_server(store: Store, config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """`add URL` with a sync account: the server subscribes (it finds a page's
    feed itself), then a round brings the feed and its stories. Unreachable,
    the subscription waits in the outbox for the next round (exit 4)."""
    from tui_reader.sanitize import clean_line
    from tui_reader.sources.http import FetchError, check_url

    if args.pick is not None:
        raise UsageError("--pick chooses among a page's feeds; with a sync account the server does")
    try:
        url = check_url(args.url)
    except FetchError as exc:
        raise UserError(f"cannot subscribe to {clean_line(args.url)}: {exc}") from None
    store.queue_subscribe(url, clean_line(args.folder))
    if config.offline:
        out.write(f"Offline: {url} is subscribed to on the next sync\n")
        return EXIT_SOME_FAILED
    try:
        code = cmd_sync(store, config, argparse.Namespace(json=False), out)
    except ShownError as exc:
        print(f"{APP_NAME}: {exc}", file=sys.stderr)
        out.write(f"Not reached: {url} is subscribed to on the next sync\n")
        return EXIT_SOME_FAILED
    feed = next((f for f in store.feeds() if f.url == url), None)
    if feed is not None:
        out.write(f"Subscribed to {feed.title or feed.url} <{feed.url}> on the server\n")
    return code


def cmd_sync(store: Store, config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """Push the local changes, pull the server's; say what moved."""
    if config.sync is None:
        raise UserError(
            f"no sync account: add a [sync] table to {config.path}"
            ' (the README\'s "Sync with a server" shows one)'
        )
    check_online(config)
    import asyncio

    from tui_reader.filter_settings import drop_rules
    from tui_reader.syncing import sync

    token_file = store.path.with_name("sync-token")
    with sync_progress(sys.stderr) as progress:
        summary = asyncio.run(
            sync(
                store,
                config.sync,
                config.network,
                token_file=token_file,
                progress=progress,
                drop=drop_rules(config.ignores),
            )
        )
    if getattr(args, "json", False):
        json.dump(summary.to_json(), out)
        out.write("\n")
    else:
        out.write(summary.line() + "\n")
    for error in summary.errors:
        print(f"{APP_NAME}: {error}", file=sys.stderr)
    for note in summary.dropped:
        print(f"{APP_NAME}: warning: dropped {note}", file=sys.stderr)
    return EXIT_SOME_FAILED if summary.pending and summary.errors else EXIT_OK
