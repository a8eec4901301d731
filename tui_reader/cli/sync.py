"""The `sync` command: one round with the account's Google Reader API server.

`refresh` runs it too when an account is set (the server fetches the
feeds). Prints what moved each way, as a line or as JSON. Exit 0; 1 with
one line when the round could not run; 4 when some changes could not be
pushed (they stay queued for the next round).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from tui_reader import APP_NAME
from tui_reader.cli.common import EXIT_OK, EXIT_SOME_FAILED, UserError, check_online
from tui_reader.config import Config
from tui_reader.library.store import Store


def cmd_sync(store: Store, config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """Push the local changes, pull the server's; say what moved."""
    if config.sync is None:
        raise UserError(
            f"no sync account: add a [sync] table to {config.path} (see `{APP_NAME} --help`"
            ' and the README\'s "Sync with a server")'
        )
    check_online(config)
    import asyncio

    from tui_reader.syncing import sync

    token_file = store.path.with_name("sync-token")
    summary = asyncio.run(sync(store, config.sync, config.network, token_file=token_file))
    if getattr(args, "json", False):
        json.dump(summary.to_json(), out)
        out.write("\n")
    else:
        out.write(summary.line() + "\n")
    for error in summary.errors:
        print(f"{APP_NAME}: {error}", file=sys.stderr)
    return EXIT_SOME_FAILED if summary.pending and summary.errors else EXIT_OK
