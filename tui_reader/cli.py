"""The `tui-reader` command line: parse the arguments, call the use case, print the result.

Each command calls the same function as the app does (`reading`,
`searching`, `sources.*`, the library); this module only formats. Only the
app itself imports Textual, and only when it starts: `list`, `read`,
`import` and `quota` stay quick and work without a terminal.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from tui_reader import APP_NAME, __version__
from tui_reader.config import Config, load_config
from tui_reader.errors import ShownError
from tui_reader.library.articles import Headline
from tui_reader.library.feeds import AmbiguousFeed, Feed
from tui_reader.library.store import Store
from tui_reader.locations import (
    config_file,
    config_file_is_explicit,
    data_directory,
    seeds_directory,
)
from tui_reader.meter import Meter
from tui_reader.sanitize import clean_line
from tui_reader.sources.seeds import open_library
from tui_reader.words import counted

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_WITHHELD = 3
EXIT_SOME_FAILED = 4


class UserError(ShownError):
    """A mistake the user can fix; shown as one line, no traceback."""


def _build_parser() -> argparse.ArgumentParser:
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

    feeds = commands.add_parser("feeds", help="list subscriptions")
    feeds.add_argument("--json", action="store_true", help="print a JSON array")

    remove = commands.add_parser("remove", help="unsubscribe (starred articles are kept)")
    remove.add_argument("feed", metavar="FEED", help="the feed's id, URL, title or its start")

    refresh = commands.add_parser("refresh", help="fetch all feeds (or the ones named)")
    refresh.add_argument(
        "feeds", nargs="*", metavar="FEED", help="ids, URLs, titles or their starts"
    )

    search = commands.add_parser("search", help="full-text search, best matches first")
    search.add_argument("query", nargs="+", metavar="WORD", help="words (a trailing * is a prefix)")
    search.add_argument("--json", action="store_true", help="print a JSON array")

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


def shown(path: Path) -> str:
    """A path as printed: file names are strangers' text too (a downloaded
    file can be named with escape sequences)."""
    return clean_line(str(path))


def _warn(message: str) -> None:
    print(f"{APP_NAME}: warning: {message}", file=sys.stderr)


def _meter(store: Store, config: Config) -> Meter:
    return Meter(store, limit=config.meter_limit, period_days=config.meter_period_days)


def _print_headlines(headlines: list[Headline], as_json: bool, out: TextIO) -> None:
    """Headlines as a JSON array (no bodies) or as aligned lines."""
    if as_json:
        items = [
            {
                "id": h.id,
                "title": h.title,
                "source": h.source,
                "published": h.published,
                "read": h.read,
                "starred": h.starred,
                "url": h.url or None,
            }
            for h in headlines
        ]
        json.dump(items, out, ensure_ascii=False)
        out.write("\n")
        return
    from tui_reader.dates import format_date

    for h in headlines:
        marks = ("N" if not h.read else " ") + ("*" if h.starred else " ")
        date = format_date(h.published) or "-" * 10
        out.write(f"{marks} {h.id}  {date}  {h.source[:20]:<20}  {h.title}\n")


class UsageError(UserError):
    """A mistake in what was asked (an ambiguous reference): exit status 2."""


def _find_feed(store: Store, ref: str) -> Feed:
    """The one feed `ref` names; an ambiguous one is a usage error, nothing is done."""
    try:
        return store.resolve_feed(ref)
    except AmbiguousFeed as exc:
        raise UsageError(str(exc)) from None


def cmd_list(store: Store, config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """Print the headlines as lines or as a JSON array."""
    feed_id = _find_feed(store, args.feed).id if args.feed else None
    headlines = store.headlines(unread_only=args.unread, starred_only=args.starred, feed_id=feed_id)
    _print_headlines(headlines, args.json, out)
    return EXIT_OK


# An id prefix shorter than this could name nearly anything.
MIN_ID_PREFIX = 4


def _find_ids(store: Store, refs: list[str]) -> list[str]:
    """The one article each reference names; any unknown, ambiguous or too short
    reference is a usage error naming all of them, and nothing is done."""
    found, problems = [], []
    for ref in refs:
        matches = store.find_ids(ref) if len(ref) >= MIN_ID_PREFIX else []
        if len(ref) < MIN_ID_PREFIX:
            problems.append(f"{ref!r} is too short (give {MIN_ID_PREFIX} characters at least)")
        elif not matches:
            problems.append(f"no article with id {ref!r}")
        elif len(matches) > 1:
            problems.append(f"{ref!r} matches {len(matches)} articles")
        else:
            found.append(matches[0])
    if problems:
        raise UsageError("; ".join(problems) + "; nothing was changed")
    return found


def cmd_mark(store: Store, config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """Mark articles by id, or every unread one (of a feed) read."""
    from tui_reader.marking import mark, mark_all_read

    if args.all_read:
        if args.ids:
            raise UsageError("--all-read takes no ids (it marks every unread article)")
        feed_id = _find_feed(store, args.feed).id if args.feed else None
        marked = mark_all_read(store, feed_id=feed_id)
    else:
        if args.feed:
            raise UsageError("--feed goes with --all-read")
        if not args.ids:
            raise UsageError("give the ids of the articles to mark (see `tui-reader list`)")
        flag, value = args.flag
        marked = mark(store, _find_ids(store, args.ids), flag, value)
    out.write(marked.line() + "\n")
    return EXIT_OK


def cmd_read(store: Store, config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """Print one article, counted by the meter; the teaser when withheld."""
    from tui_reader.reading import open_for_reading
    from tui_reader.render import render_article, render_plain

    if len(args.id) < MIN_ID_PREFIX:
        raise UserError(
            f"id {args.id!r} is too short: give {MIN_ID_PREFIX} characters at least"
            f" (see `{APP_NAME} list`)"
        )
    matches = store.find_ids(args.id)
    if len(matches) > 1:
        raise UserError(f"id {args.id!r} matches more than one article; give more of it")
    meter = _meter(store, config)
    reading = (
        open_for_reading(
            store,
            meter,
            matches[0],
            exempt_feeds=config.exempt_feeds,
            feed_version=args.feed_version,
        )
        if matches
        else None
    )
    if reading is None:  # no such id, or the article went meanwhile
        raise UserError(f"no article with id {args.id!r} (see `{APP_NAME} list`)")
    teaser = reading.withheld
    # NO_COLOR (no-color.org) asks for no styling: plain text, as --plain.
    if args.plain or not out.isatty() or os.environ.get("NO_COLOR"):
        out.write(render_plain(reading.article, teaser=teaser))
    else:
        from rich.console import Console

        console = Console(file=out, highlight=False)
        wanted = config.text_width or console.width  # reader.text_width; 0: the terminal's
        console.print(
            render_article(reading.article, teaser=teaser), width=min(console.width, wanted)
        )
    out.flush()
    print(reading.access.state.message(), file=sys.stderr)
    if teaser:
        print(f"Run `{APP_NAME} quota subscribe` for unlimited access.", file=sys.stderr)
        return EXIT_WITHHELD
    return EXIT_OK


def cmd_import(store: Store, config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """Import files; each bad one gets a line on stderr and the rest go on."""
    from tui_reader.sources.local_files import ImportLine, import_paths

    def tell(line: ImportLine) -> None:
        if line.ok:
            out.write(f"{line.before}{shown(line.path)}{line.after}\n")
        else:
            print(f"{APP_NAME}: {shown(line.path)}: {line.after}", file=sys.stderr)

    report = import_paths(store, [Path(p) for p in args.paths], tell)
    if report.nothing_found:
        raise UserError("no .txt or .html files found in the given folders")
    return EXIT_ERROR if report.failed else EXIT_OK


def cmd_save(store: Store, config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """Fetch a web page, keep its story offline and print its id."""
    _check_online(config)
    import asyncio

    from tui_reader.sources.pages import PageError, save_page

    try:
        saved = asyncio.run(save_page(store, args.url, config.network))
    except PageError as exc:
        raise UserError(f"cannot save {clean_line(args.url)}: {exc}") from None
    state = "saved" if saved.new else "updated"
    words = saved.article.word_count
    print(f"{state}: {saved.article.title} ({words:,} words)", file=sys.stderr)
    out.write(f"{saved.article_id}\n")
    return EXIT_OK


def cmd_quota(store: Store, config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """Show or change the meter."""
    meter = _meter(store, config)
    action = args.quota_command
    if action == "subscribe":
        meter.set_subscribed(True)
    elif action == "unsubscribe":
        meter.set_subscribed(False)
    elif action == "reset":
        meter.reset()
    elif action == "limit":
        try:
            meter.set_limit(args.n)
        except ValueError as exc:
            raise UserError(str(exc)) from None
        if config.meter_limit is not None:
            _warn(f"{config.path} sets meter.limit = {config.meter_limit}, which takes precedence")
    elif action == "period":
        try:
            meter.set_period(args.days)
        except ValueError as exc:
            raise UserError(str(exc)) from None
        if config.meter_period_days is not None:
            _warn(
                f"{config.path} sets meter.period_days = {config.meter_period_days},"
                " which takes precedence"
            )
    state = meter.state()
    if args.json:
        json.dump(state.to_json(), out)
        out.write("\n")
    else:
        out.write(f"{state.message()}\n")
        out.write(
            f"limit {state.limit} per {state.period_days} days, {state.used} used,"
            f" {'subscribed' if state.subscribed else 'not subscribed'}\n"
        )
    return EXIT_OK


def _check_online(config: Config) -> None:
    if config.offline:
        raise UserError("offline: network use is turned off (--offline or network.offline)")


def cmd_add(store: Store, config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """Subscribe to a feed URL, or to the feed a web page links to."""
    _check_online(config)
    import asyncio

    from tui_reader.sources.http import FetchError
    from tui_reader.sources.subscribe import subscribe

    try:
        result = asyncio.run(subscribe(store, args.url, config.network))
    except FetchError as exc:
        raise UserError(f"cannot subscribe to {clean_line(args.url)}: {exc}") from None
    if args.folder:
        store.set_feed_folder(result.feed.id, args.folder)
    if result.found_on_page:
        out.write(f"The page links to a feed; chose {result.found_on_page.url}\n")
        for other in result.alternatives:
            label = f" ({other.title})" if other.title else ""
            out.write(f"  also offered: {other.url}{label} [{other.kind}]\n")
    state = "Already subscribed to" if result.already else "Subscribed to"
    out.write(
        f"{state} {result.feed.title} <{result.feed.url}>:"
        f" {counted(result.outcome.new, 'new article')}\n"
    )
    return EXIT_OK


def cmd_feeds(store: Store, config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """List subscriptions."""
    feeds = store.feeds()
    if args.json:
        items = [
            {
                "id": f.id,
                "title": f.title,
                "url": f.url,
                "folder": f.folder,
                "updated": f.updated,
                "unread": f.unread,
                "total": f.total,
                "error": f.error,
            }
            for f in feeds
        ]
        json.dump(items, out, ensure_ascii=False)
        out.write("\n")
        return EXIT_OK
    from tui_reader.dates import format_date

    for f in feeds:
        updated = format_date(f.updated) or "never"
        title = f.title or "(untitled)"
        line = f"{f.id:>4}  {f.unread:>5}/{f.total:<5}  {updated:<10}  {title}  <{f.url}>"
        out.write(line + (f"\n      error: {f.error}" if f.error else "") + "\n")
    if not feeds:
        out.write(f"No subscriptions yet: `{APP_NAME} add URL` subscribes to a feed.\n")
    return EXIT_OK


def cmd_remove(store: Store, config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """Unsubscribe; say what happens to the feed's articles."""
    feed = _find_feed(store, args.feed)
    deleted, kept = store.remove_feed(feed.id)
    out.write(
        f"Unsubscribed from {feed.title or feed.url}: deleted {deleted} articles,"
        f" kept {kept} starred\n"
    )
    return EXIT_OK


def cmd_refresh(store: Store, config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """Fetch feeds; exit 0 all good, 4 some failed, 1 none could be tried, 2 an ambiguous FEED."""
    feeds = [_find_feed(store, ref) for ref in args.feeds] if args.feeds else store.feeds()
    if not feeds:
        raise UserError(f"no feeds to refresh (`{APP_NAME} add URL` subscribes to one)")
    _check_online(config)
    import asyncio

    from tui_reader.sources.refresh import FeedOutcome, refresh_feeds

    if sys.stderr.isatty():
        from rich.markup import escape
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("Refreshing", total=len(feeds))

            def advance(done: int, total: int, outcome: FeedOutcome) -> None:
                # Feed titles are strangers' text: never Rich markup.
                name = escape(outcome.feed.title[:30])
                bar.update(task, completed=done, description=name)

            summary = asyncio.run(
                refresh_feeds(
                    store,
                    feeds,
                    config.network,
                    progress=advance,
                    full_text=config.full_text_feeds,
                )
            )
    else:
        summary = asyncio.run(
            refresh_feeds(store, feeds, config.network, full_text=config.full_text_feeds)
        )
    for outcome in summary.outcomes:
        name = outcome.feed.title or outcome.feed.url
        if outcome.status == "failed":
            print(f"{APP_NAME}: {name}: {outcome.error}", file=sys.stderr)
        elif outcome.note:
            print(f"{APP_NAME}: {name}: {outcome.note}", file=sys.stderr)
    out.write(summary.line() + "\n")
    return EXIT_SOME_FAILED if summary.count("failed") else EXIT_OK


def cmd_export_opml(store: Store, config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """Write subscriptions as OPML 2.0 to a file or stdout."""
    from tui_reader.sources.opml import OpmlFeed, write_opml

    document = write_opml(OpmlFeed(f.url, f.title, f.folder) for f in store.feeds())
    if args.file:
        try:
            Path(args.file).write_text(document, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"cannot write {args.file}: {exc.strerror}") from None
    else:
        out.write(document)
    return EXIT_OK


def cmd_search(store: Store, config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """Search titles and text; headlines only, so nothing withheld is shown."""
    # A refresh leaves indexing to a deferred pass (the app runs it in the
    # background); catch up here with what it has not covered yet.
    from tui_reader.searching import SEARCH_CATCH_UP, search

    pending = store.unindexed_count()
    if pending > SEARCH_CATCH_UP:
        print(f"indexing {counted(pending, 'new article')} for search (once) ...", file=sys.stderr)
    results = search(store, " ".join(args.query), catch_up_fully=True).headlines
    _print_headlines(results, args.json, out)
    if not results and not args.json:
        print("no matches", file=sys.stderr)
    return EXIT_OK


Command = Callable[[Store, Config, argparse.Namespace, TextIO], int]
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
}


def run_app(data_dir: Path, config: Config) -> int:
    """Start the Textual app (imported only now: it is the slow part)."""
    from tui_reader.ui.app import make_app

    app = make_app(config=config, data_dir=data_dir)
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
    args = _build_parser().parse_args(argv)
    config = load_config(config_file(args.config), explicit=config_file_is_explicit(args.config))
    for warning in config.warnings:
        _warn(warning)
    if args.offline:
        config.offline = True
    data_dir = data_directory(args.data_dir)
    try:
        if args.command is None:
            return run_app(data_dir, config)
        with open_library(data_dir, seeds_directory()) as store:
            if store.notice:
                _warn(store.notice)
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
