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


def print_headlines(headlines: list[Headline], as_json: bool, out: TextIO) -> None:
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
