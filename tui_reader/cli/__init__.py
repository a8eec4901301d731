"""The `tui-reader` command line: parse the arguments, call the use case, print the result.

Each command calls the same function as the app does (`reading`,
`searching`, `sources.*`, the library); this package only formats. Only the
app itself imports Textual, and only when it starts: `list`, `read`,
`import` and `quota` stay quick and work without a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from tui_reader import APP_NAME
from tui_reader.cli.articles import cmd_import, cmd_list, cmd_mark, cmd_read, cmd_save, cmd_search
from tui_reader.cli.common import EXIT_ERROR, EXIT_OK, EXIT_USAGE, Command, UsageError, warn
from tui_reader.cli.feeds import cmd_add, cmd_export_opml, cmd_feeds, cmd_refresh, cmd_remove
from tui_reader.cli.parser import build_parser
from tui_reader.cli.podcasts import cmd_download, cmd_play
from tui_reader.cli.quota import cmd_quota
from tui_reader.cli.sync import cmd_sync
from tui_reader.config import Config, load_config
from tui_reader.errors import ShownError
from tui_reader.filter_settings import hide_pairs
from tui_reader.locations import (
    config_file,
    config_file_is_explicit,
    data_directory,
    seeds_directory,
)
from tui_reader.sources.seeds import open_library

COMMANDS: dict[str, Command] = {
    "list": cmd_list,
    "read": cmd_read,
    "mark": cmd_mark,
    "import": cmd_import,
    "quota": cmd_quota,
    "add": cmd_add,
    "feeds": cmd_feeds,
    "remove": cmd_remove,
    "refresh": cmd_refresh,
    "export-opml": cmd_export_opml,
    "search": cmd_search,
    "save": cmd_save,
    "sync": cmd_sync,
    "download": cmd_download,
    "play": cmd_play,
}


def run_app(data_dir: Path, config: Config) -> int:
    """Start the Textual app (imported only now: it is the slow part)."""
    from tui_reader.ui.app import make_app

    drawn_with = "off"
    if config.images != "off":
        from tui_reader.pictures import detect

        drawn_with = detect(config.images)  # asked now: the app will own the terminal
    app = make_app(config=config, data_dir=data_dir, drawn_with=drawn_with)
    app.run()
    return app.return_code or EXIT_OK


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line.

    Args:
        argv: Arguments without the program name; None reads `sys.argv`.
        out: Where results go; None means stdout.

    Returns:
        The exit status: 0 success, 1 error, 2 usage, 3 article withheld.
    """
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    config = load_config(config_file(args.config), explicit=config_file_is_explicit(args.config))
    for warning in config.warnings:
        warn(warning)
    if args.offline:
        config.offline = True
    data_dir = data_directory(args.data_dir)
    try:
        if args.command is None:
            return run_app(data_dir, config)
        with open_library(data_dir, seeds_directory()) as store:
            if store.notice:
                warn(store.notice)
            store.set_hidden(hide_pairs(config.ignores))
            return COMMANDS[args.command](store, config, args, out)
    except UsageError as exc:
        print(f"{APP_NAME}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ShownError as exc:
        print(f"{APP_NAME}: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        # `tui-reader list | head`: the reader went away; that is not an error.
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
