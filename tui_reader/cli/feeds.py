"""The commands on subscriptions: add, feeds, remove, refresh and export-opml."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tui_reader import APP_NAME
from tui_reader.cli.common import (
    EXIT_OK,
    EXIT_SOME_FAILED,
    UsageError,
    UserError,
    check_online,
    find_feed,
    warn,
)
from tui_reader.config import Config
from tui_reader.library.store import Store
from tui_reader.sanitize import clean_line
from tui_reader.words import counted

if TYPE_CHECKING:
    from tui_reader.sources.feed_parser import FeedLink


def cmd_add(store: Store, config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """Subscribe to a feed URL, or to a feed a web page links to (the first, or `--pick N`).

    A page with several feeds gets them listed, numbered, whichever is chosen:
    taking the first is never silent, and the list gives the number to pick.
    With a sync account the server subscribes instead (`cli.sync.add_on_server`).
    """
    if config.sync is not None:
        from tui_reader.cli.sync import add_on_server

        return add_on_server(store, config, args, out)
    check_online(config)
    import asyncio

    from tui_reader.filter_settings import drop_rules
    from tui_reader.sources.http import FetchError
    from tui_reader.sources.subscribe import BadPick, find_feeds, subscribe_offer

    typed = clean_line(args.url)
    if args.pick is not None and args.pick < 1:
        raise UsageError(f"--pick {args.pick}: feeds are numbered from 1; nothing was subscribed")
    try:
        offer = asyncio.run(find_feeds(args.url, config.network))
        if args.pick is not None and args.pick > offer.count and offer.links:
            _list_offered(offer.links, None, out)
        drop = drop_rules(config.ignores)
        result = asyncio.run(
            subscribe_offer(store, offer, config.network, pick=args.pick, drop=drop)
        )
    except BadPick as exc:
        raise UsageError(f"cannot subscribe to {typed}: {exc}; nothing was subscribed") from None
    except FetchError as exc:
        raise UserError(f"cannot subscribe to {typed}: {exc}") from None
    folder = clean_line(args.folder)  # one clean line, as the app's M takes it
    if folder:
        store.set_feed_folder(result.feed.id, folder)
    if len(result.offered) > 1:
        _list_offered(result.offered, result.picked, out)
        if args.pick is None:
            out.write(
                f"Chose the first; `{APP_NAME} add {typed} --pick N` subscribes to another.\n"
            )
    elif result.found_on_page:
        out.write(f"The page links to a feed: {result.found_on_page.url}\n")
    state = "Already subscribed to" if result.already else "Subscribed to"
    ignored = result.outcome.ignored
    out.write(
        f"{state} {result.feed.title} <{result.feed.url}>:"
        f" {counted(result.outcome.new, 'new article')}"
        + (f", {counted(ignored, 'story', 'stories')} ignored by rules" if ignored else "")
        + "\n"
    )
    return EXIT_OK


def _list_offered(links: list[FeedLink], picked: int | None, out: TextIO) -> None:
    """A page's feeds, one a line: number, title, URL, kind (the chosen one marked `*`)."""
    out.write(f"The page links to {len(links)} feeds:\n")
    for number, link in enumerate(links, 1):
        mark = "*" if number == picked else " "
        out.write(f"{mark}{number:>3}  {link.title or '(untitled)'}  <{link.url}>  [{link.kind}]\n")


def cmd_feeds(store: Store, config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """List subscriptions, then the config's query feeds with their counts."""
    feeds = store.feeds()
    queries = config.queries
    counts = store.query_counts([q.filter for q in queries]) if queries else []
    if args.json:
        items: list[dict[str, object]] = [
            {
                "id": f.id,
                "title": f.title,
                "url": f.url,
                "folder": f.folder,
                "updated": f.updated,
                "unread": f.unread,
                "total": f.total,
                "error": f.error,
                "server_id": f.server_id,  # the sync server's name for it; null: local only
                "query": False,
            }
            for f in feeds
        ]
        items += [
            {
                "title": q.name,
                "filter": q.filter.text,
                "unread": unread,
                "total": total,
                "query": True,
            }
            for q, (unread, total) in zip(queries, counts, strict=True)
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
    for q, (unread, total) in zip(queries, counts, strict=True):
        out.write(f"   Q  {unread:>5}/{total:<5}  {'query':<10}  {q.name}  [{q.filter.text}]\n")
    return EXIT_OK


def cmd_remove(store: Store, config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """Unsubscribe; say what happens to the feed's articles."""
    feed = find_feed(store, args.feed)
    deleted, kept = store.remove_feed(feed.id)
    on_server = "; the server is told on the next sync" if config.sync and feed.server_id else ""
    out.write(
        f"Unsubscribed from {feed.title or feed.url}: deleted {deleted} articles,"
        f" kept {kept} starred{on_server}\n"
    )
    return EXIT_OK


def cmd_refresh(store: Store, config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """Fetch feeds; exit 0 all good, 4 some failed, 1 none could be tried, 2 an ambiguous FEED.

    With a sync account, the server fetches the feeds: this is a sync round.
    """
    if config.sync is not None:
        from tui_reader.cli.sync import cmd_sync

        if args.feeds:
            warn("with a sync account the server fetches every feed: syncing instead")
        return cmd_sync(store, config, args, out)
    import asyncio
    from datetime import UTC, datetime

    from tui_reader.cli.refresh_progress import refresh_progress
    from tui_reader.filter_settings import drop_rules
    from tui_reader.sources.refresh import due_feeds, refresh_feeds

    due = bool(getattr(args, "due", False))
    feeds = [find_feed(store, ref) for ref in args.feeds] if args.feeds else store.feeds()
    if not feeds:
        raise UserError(f"no feeds to refresh (`{APP_NAME} add URL` subscribes to one)")
    if due:
        feeds = due_feeds(feeds, config.refresh.minutes_for, datetime.now(UTC))
        if not feeds:
            out.write("No feed is due\n")
            return EXIT_OK
    check_online(config)
    since = store.last_row()
    # A bar on a terminal, a line per failed feed when piped (cli/refresh_progress).
    with refresh_progress(len(feeds), sys.stderr) as progress:
        summary = asyncio.run(
            refresh_feeds(
                store,
                feeds,
                config.network,
                progress=progress,
                full_text=config.full_text_feeds,
                drop=drop_rules(config.ignores),
                automatic=due,
                pictures=config.full_text_pictures(store.path.parent),
            )
        )
    out.write(summary.line() + "\n")
    if summary.waits():
        warn(summary.waits())
    if due and summary.new and config.refresh.notify_command:
        from tui_reader.notices import command_argv, run_command

        titles = store.titles_stored_after(since)
        failed = run_command(command_argv(config.refresh.notify_command, summary.new, titles))
        if failed:
            warn(failed)
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
