"""The command line's arguments."""

from __future__ import annotations

import argparse

from tui_reader import APP_NAME, __version__

_FILTER_HELP = (
    "only the articles a filter expression picks, e.g. 'unread = \"yes\" and age < 7'"
    " (see the README)"
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=APP_NAME,
        description="A keyboard-first terminal news reader. With no command, opens the reader.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="where the library lives (default: $TUI_READER_DATA_DIR or the user data dir)",
    )
    parser.add_argument(
        "--offline", action="store_true", help="refuse all network use (read the cache only)"
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="the TOML config file (default: $TUI_READER_CONFIG or the user config dir)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    listing = commands.add_parser("list", help="list headlines, newest first")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    listing.add_argument("--unread", action="store_true", help="only unread articles")
    listing.add_argument("--starred", action="store_true", help="only starred articles")
    listing.add_argument(
        "--feed", metavar="FEED", help="only this feed's (id, URL, title or its start)"
    )
    listing.add_argument("--filter", metavar="EXPR", help=_FILTER_HELP)
    listing.add_argument("--query", metavar="NAME", help="only a [[query]] feed's stories")

    read = commands.add_parser("read", help="print an article (counts against the meter)")
    read.add_argument("id", help="the article id, or an unambiguous prefix of it")
    read.add_argument(
        "--plain",
        action="store_true",
        help="plain text, no escape sequences (also when piped or NO_COLOR is set)",
    )
    read.add_argument(
        "--feed-version",
        action="store_true",
        help="the feed's own content, when the full story was fetched (f, feeds.full_text)",
    )

    downloading = commands.add_parser(
        "download", help="save a story's podcast episode or other enclosure (resumes)"
    )
    downloading.add_argument("id", help="the article id, or an unambiguous prefix of it")
    downloading.add_argument(
        "--number", type=int, metavar="N", help="which enclosure (default: the first audio/video)"
    )
    downloading.add_argument(
        "--dir", metavar="DIR", help="where to save it (default: your Downloads/tui-reader)"
    )
    playing = commands.add_parser(
        "play", help="play a story's podcast episode (app.player_command)"
    )
    playing.add_argument("id", help="the article id, or an unambiguous prefix of it")
    playing.add_argument(
        "--number", type=int, metavar="N", help="which enclosure (default: the first audio/video)"
    )

    marking = commands.add_parser("mark", help="mark articles read, unread, starred or unstarred")
    marking.add_argument("ids", nargs="*", metavar="ID", help="article ids (or their starts)")
    how = marking.add_mutually_exclusive_group(required=True)
    for flag, value, name in (
        ("read", True, "read"),
        ("read", False, "unread"),
        ("starred", True, "star"),
        ("starred", False, "unstar"),
    ):
        how.add_argument(f"--{name}", dest="flag", action="store_const", const=(flag, value))
    how.add_argument("--all-read", action="store_true", help="every unread article (of --feed)")
    marking.add_argument("--feed", metavar="FEED", help="with --all-read: only this feed's")
    marking.add_argument("--query", metavar="NAME", help="with --all-read: a [[query]] feed's")
    imports = commands.add_parser(
        "import",
        help="add article text files or saved web pages, or the feeds of an OPML file",
    )
    imports.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help=".txt files, saved pages (.html, .html.gz), folders of them, or .opml files",
    )

    save = commands.add_parser("save", help="save a web page's story for offline reading")
    save.add_argument("url", metavar="URL")

    add = commands.add_parser("add", help="subscribe to a feed (or a page that links to one)")
    add.add_argument("url", metavar="URL")
    add.add_argument("--folder", default="", help="file the feed under this folder")
    add.add_argument(
        "--pick",
        type=int,
        metavar="N",
        help="the Nth of the feeds a web page links to (listed by `add URL`; default: the first)",
    )

    feeds = commands.add_parser("feeds", help="list subscriptions")
    feeds.add_argument("--json", action="store_true", help="print a JSON array")

    remove = commands.add_parser("remove", help="unsubscribe (starred articles are kept)")
    remove.add_argument("feed", metavar="FEED", help="the feed's id, URL, title or its start")

    refresh = commands.add_parser("refresh", help="fetch all feeds (or the ones named)")
    refresh.add_argument(
        "feeds", nargs="*", metavar="FEED", help="ids, URLs, titles or their starts"
    )
    refresh.add_argument(
        "--due",
        action="store_true",
        help="only the feeds whose refresh_minutes have passed and that are not left alone"
        " (for cron); new stories run app.notify_command",
    )

    syncing = commands.add_parser(
        "sync", help="one round with the [sync] account's server: send changes, fetch news"
    )
    syncing.add_argument("--json", action="store_true", help="print what moved as JSON")

    search = commands.add_parser("search", help="full-text search, best matches first")
    search.add_argument("query", nargs="+", metavar="WORD", help="words (a trailing * is a prefix)")
    search.add_argument("--json", action="store_true", help="print a JSON array")
    search.add_argument("--filter", metavar="EXPR", help=_FILTER_HELP)

    export = commands.add_parser("export-opml", help="write subscriptions as OPML 2.0")
    export.add_argument("file", nargs="?", metavar="FILE", help="default: standard output")

    quota = commands.add_parser("quota", help="show or change the free-article meter")
    quota.add_argument("--json", action="store_true", help="print the state as JSON")
    quota_commands = quota.add_subparsers(dest="quota_command", metavar="ACTION")
    quota_commands.add_parser("subscribe", help="turn on the local subscription")
    quota_commands.add_parser("unsubscribe", help="turn off the local subscription")
    quota_commands.add_parser("reset", help="forget every counted view")
    limit = quota_commands.add_parser("limit", help="set the free articles per period")
    limit.add_argument("n", type=int, metavar="N")
    period = quota_commands.add_parser("period", help="set the period in days")
    period.add_argument("days", type=int, metavar="DAYS")
    return parser
