"""The commands on articles: list, read, mark, search, import and save."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from tui_reader import APP_NAME
from tui_reader.article import Article, image_urls
from tui_reader.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_WITHHELD,
    MIN_ID_PREFIX,
    UsageError,
    UserError,
    check_online,
    find_feed,
    find_ids,
    make_meter,
    picked_by,
    print_headlines,
    read_filter,
    read_query,
    shown,
)
from tui_reader.config import Config
from tui_reader.library.store import Store
from tui_reader.sanitize import clean_line
from tui_reader.words import counted


def cmd_list(store: Store, config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """Print the headlines (those a filter or a query feed picks) as lines or as JSON."""
    picked = picked_by(config, args)
    feed_id = find_feed(store, args.feed).id if args.feed else None
    if picked is not None and picked.uses_content:
        _catch_up_index(store)  # `content` is the text the search index holds
    headlines = store.headlines(
        unread_only=args.unread, starred_only=args.starred, feed_id=feed_id, filter=picked
    )
    print_headlines(headlines, args.json, out, store)
    return EXIT_OK


def _catch_up_index(store: Store) -> None:
    """Index what a refresh left for the deferred pass, saying so when it is much."""
    from tui_reader.searching import SEARCH_CATCH_UP, index_all

    pending = store.unindexed_count()
    if pending > SEARCH_CATCH_UP:
        print(f"indexing {counted(pending, 'new article')} for search (once) ...", file=sys.stderr)
    if pending:
        index_all(store, batch=5_000)


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
    meter = make_meter(store, config)
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
        width = min(console.width, wanted)
        pictures = {} if teaser else _pictures(store, config, reading.article, width)
        console.print(
            render_article(reading.article, teaser=teaser, pictures=pictures), width=width
        )
    out.flush()
    print(reading.access.state.message(), file=sys.stderr)
    if teaser:
        print(f"Run `{APP_NAME} quota subscribe` for unlimited access.", file=sys.stderr)
        return EXIT_WITHHELD
    return EXIT_OK


def _pictures(store: Store, config: Config, article: Article, width: int) -> dict[str, Any]:
    """The article's pictures drawn for this terminal (reader.images), fetching the
    ones not cached yet unless offline; a picture that cannot be had shows its label."""
    from tui_reader.pictures import detect, terminal_picture
    from tui_reader.sources.image_cache import CachedImage

    urls = image_urls(article.blocks)
    cache = config.picture_cache(store.path.parent)
    if not urls or cache is None:
        return {}
    cached, missing = cache.split(urls)
    if missing and not config.offline:
        import asyncio

        from tui_reader.sources.http import make_client

        async def fetch() -> dict[str, CachedImage | str]:
            async with make_client(config.network) as client:
                return await cache.fetch_all(client, missing)

        fetched = asyncio.run(fetch())
        cached.update({u: got for u, got in fetched.items() if isinstance(got, CachedImage)})
    drawn_with = detect(config.images)  # asks the terminal once (textual-image)
    pictures: dict[str, Any] = {}
    for url, image in cached.items():
        try:
            pictures[url] = terminal_picture(image, drawn_with, width)
        except (OSError, ValueError):
            continue  # gone or broken since: its label shows
    return pictures


def cmd_mark(store: Store, config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """Mark articles by id, or every unread one (of a feed) read."""
    from tui_reader.marking import mark, mark_all_read, mark_filter_read

    if args.all_read:
        if args.ids:
            raise UsageError("--all-read takes no ids (it marks every unread article)")
        query = read_query(config, args.query)
        if query is not None and args.feed:
            raise UsageError("--all-read takes --feed or --query, not both")
        if query is not None:
            marked = mark_filter_read(store, query)
        else:
            feed_id = find_feed(store, args.feed).id if args.feed else None
            marked = mark_all_read(store, feed_id=feed_id)
    else:
        if args.feed or args.query:
            raise UsageError("--feed and --query go with --all-read")
        if not args.ids:
            raise UsageError("give the ids of the articles to mark (see `tui-reader list`)")
        flag, value = args.flag
        marked = mark(store, find_ids(store, args.ids), flag, value)
    out.write(marked.line() + "\n")
    return EXIT_OK


def cmd_search(store: Store, config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """Search titles and text; headlines only, so nothing withheld is shown."""
    from tui_reader.searching import search

    picked = read_filter(args.filter)
    # A refresh leaves indexing to a deferred pass (the app runs it in the
    # background); catch up here with what it has not covered yet.
    _catch_up_index(store)
    results = search(store, " ".join(args.query), catch_up_fully=True, filter=picked).headlines
    print_headlines(results, args.json, out, store)
    if not results and not args.json:
        print("no matches", file=sys.stderr)
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
    check_online(config)
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
