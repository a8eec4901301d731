"""The commands on enclosures: `download` (with a progress bar) and `play`.

Both name a story by id (or its start) and an enclosure by number (the
first audio or video when none is given). The bar goes to stderr on a
terminal; piped, one line says where the file went. Imports `podcasts`
(and through it httpx) and Rich when a command runs, so the other commands
start without them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from tui_reader.cli.common import EXIT_OK, check_online, find_ids, shown
from tui_reader.config import Config
from tui_reader.library.store import Store
from tui_reader.locations import downloads_directory


def cmd_download(store: Store, config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """Save a story's enclosure; print the file's path on stdout."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )
    from rich.text import Text

    from tui_reader.podcasts import choose_enclosure, download

    check_online(config)
    (article_id,) = find_ids(store, [args.id])
    chosen = choose_enclosure(store, article_id, args.number)
    directory = Path(args.dir).expanduser() if args.dir else downloads_directory()
    console = Console(file=sys.stderr)
    label = Text(chosen.enclosure.label())  # strangers' words: never markup
    if console.is_terminal and not console.is_dumb_terminal:
        with Progress(
            "{task.description}",
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task(label.plain, total=chosen.enclosure.length or None)

            def moved(done: int, total: int | None) -> None:
                bar.update(task, completed=done, total=total)

            result = download(store, chosen, directory, config.network, progress=moved)
    else:
        result = download(store, chosen, directory, config.network)
    if result.already:
        print(f"already saved: {shown(result.path)}", file=sys.stderr)
    elif result.resumed_from:
        print(
            f"resumed at {result.resumed_from:,} bytes; saved {result.size:,} bytes",
            file=sys.stderr,
        )
    else:
        print(f"saved {result.size:,} bytes", file=sys.stderr)
    out.write(f"{shown(result.path)}\n")
    return EXIT_OK


def cmd_play(store: Store, config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """Start the player on a story's enclosure (the saved copy when there is one)."""
    from tui_reader.podcasts import choose_enclosure, play

    (article_id,) = find_ids(store, [args.id])
    chosen = choose_enclosure(store, article_id, args.number)
    if chosen.saved is None:
        check_online(config)
    argv = play(chosen, config.player_command)
    print(f"playing with {shown(Path(argv[0]))}: {shown(Path(argv[-1]))}", file=sys.stderr)
    return EXIT_OK
