"""What every command shares: exit statuses, the errors shown as one line,
references to feeds and articles, and the headline listing."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from tui_reader import APP_NAME
from tui_reader.config import Config
from tui_reader.errors import ShownError
from tui_reader.filter_language import Filter, FilterError, parse_filter
from tui_reader.library.articles import Headline
from tui_reader.library.feeds import AmbiguousFeed, Feed
from tui_reader.library.store import Store
from tui_reader.meter import Meter
from tui_reader.sanitize import clean_line

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_WITHHELD = 3
EXIT_SOME_FAILED = 4


class UserError(ShownError):
    """A mistake the user can fix; shown as one line, no traceback."""


class UsageError(UserError):
    """A mistake in what was asked (an ambiguous reference): exit status 2."""


Command = Callable[[Store, Config, argparse.Namespace, TextIO], int]


def shown(path: Path) -> str:
    """A path as printed: file names are strangers' text too (a downloaded
    file can be named with escape sequences)."""
    return clean_line(str(path))


def warn(message: str) -> None:
    print(f"{APP_NAME}: warning: {message}", file=sys.stderr)


def make_meter(store: Store, config: Config) -> Meter:
    return Meter(store, limit=config.meter_limit, period_days=config.meter_period_days)


def check_online(config: Config) -> None:
    if config.offline:
        raise UserError("offline: network use is turned off (--offline or network.offline)")


def read_filter(text: str | None) -> Filter | None:
    """`--filter EXPR` parsed; a bad expression is a usage error (exit 2), one line."""
    if text is None:
        return None
    try:
        return parse_filter(text)
    except FilterError as exc:
        raise UsageError(str(exc)) from None


def print_headlines(
    headlines: list[Headline], as_json: bool, out: TextIO, store: Store | None = None
) -> None:
    """Headlines as a JSON array (no bodies; with `store`, their enclosures) or as
    aligned lines."""
    if as_json:
        enclosures = store.enclosures_of([h.id for h in headlines]) if store else {}
        items = [
            {
                "id": h.id,
                "title": h.title,
                "source": h.source,
                "published": h.published,
                "read": h.read,
                "starred": h.starred,
                "url": h.url or None,
                "enclosures": [e.to_json() for e in enclosures.get(h.id, ())],
            }
            for h in headlines
        ]
        json.dump(items, out, ensure_ascii=False)
        out.write("\n")
        return
    for h in headlines:
        out.write(headline_line(h) + "\n")


# `list` and `search` print a headline as fixed columns, counted in characters
# and the same whatever the flags, so a script can cut them (`cut -c4-19` is
# the id): marks (2), id (16), date (10), feed (20), title (the rest), two
# spaces between (one after the marks). Each field is padded or cut to its width.
LIST_COLUMNS = (("marks", 2, 1), ("id", 16, 2), ("date", 10, 2), ("feed", 20, 2), ("title", 0, 0))


def headline_line(h: Headline) -> str:
    """One headline as `list` prints it: "N* 0123456789abcdef  2024-05-17  Feed  Title".

    Marks: N unread, * starred (a space when not). The date is the day it was
    published, or ten dashes when unknown. The feed and title are strangers'
    text, put on one clean line so a control character or a newline cannot
    break the layout.
    """
    from tui_reader.dates import format_date

    fields = {
        "marks": ("N" if not h.read else " ") + ("*" if h.starred else " "),
        "id": h.id,
        "date": format_date(h.published) or "-" * 10,
        "feed": clean_line(h.source),
        "title": clean_line(h.title),
    }
    return "".join(
        f"{fields[name][:width]:<{width}}{' ' * gap}" if width else fields[name]
        for name, width, gap in LIST_COLUMNS
    )


def find_feed(store: Store, ref: str) -> Feed:
    """The one feed `ref` names; an ambiguous one is a usage error, nothing is done."""
    try:
        return store.resolve_feed(ref)
    except AmbiguousFeed as exc:
        raise UsageError(str(exc)) from None


# An id prefix shorter than this could name nearly anything.
MIN_ID_PREFIX = 4


def find_ids(store: Store, refs: list[str]) -> list[str]:
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


def read_query(config: Config, name: str | None) -> Filter | None:
    """`--query NAME`: a [[query]] of the config by name; an unknown one is a usage error."""
    if name is None:
        return None
    from tui_reader.filter_settings import find_query

    found = find_query(config.queries, name)
    if found is None:
        known = ", ".join(q.name for q in config.queries) or "none: add a [[query]] table"
        raise UsageError(f"no query feed named {name!r} (the config has: {known})")
    return found.filter


def picked_by(config: Config, args: argparse.Namespace) -> Filter | None:
    """What `--filter EXPR` and `--query NAME` pick together (both: the stories of both)."""
    from tui_reader.filter_settings import both

    typed = read_filter(getattr(args, "filter", None))
    saved = read_query(config, getattr(args, "query", None))
    if typed is not None and saved is not None:
        return both(saved, typed)
    return typed or saved
