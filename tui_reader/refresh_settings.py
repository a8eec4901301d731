"""The config's say on automatic refresh and notices: `[app]` and `[[feed]]`.

```toml
[app]
refresh_minutes = 30                 # the app refreshes in the background (0: off)
notify_command = "notify-send tui-reader"   # run after new stories: count, titles
notify_terminal = true               # a desktop notice by terminal escape (OSC 9 / 777)

[[feed]]
url = "https://example.org/feed.xml"
refresh_minutes = 360                # this feed's own interval
full_text = true                     # its stories from their pages
```

A model and its reader, like `sync_settings`: each problem is one warning
and the setting concerned keeps its default. Imports `feed_urls`.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tui_reader.feed_urls import normalise_feed_url

# `player_command` is read by `config` (the player key and `play`).
APP_KEYS = frozenset({"refresh_minutes", "notify_command", "notify_terminal", "player_command"})
# `ignore` and `ignore_mode` are read by `filter_settings`.
FEED_KEYS = frozenset({"url", "refresh_minutes", "full_text", "ignore", "ignore_mode"})
MAX_MINUTES = 7 * 24 * 60  # a week


@dataclass(frozen=True)
class FeedSettings:
    """One `[[feed]]` table: a feed's own settings (None: the app's)."""

    url: str  # in its normal spelling, as the library keeps feed URLs
    refresh_minutes: int | None = None
    full_text: bool | None = None


@dataclass(frozen=True)
class RefreshSettings:
    """When the app refreshes by itself, and whom it tells."""

    every_minutes: int = 0  # app.refresh_minutes; 0: no automatic refresh
    feeds: Mapping[str, FeedSettings] = field(default_factory=dict)  # by normal URL
    notify_command: tuple[str, ...] = ()  # run without a shell: argv + [count, titles...]
    notify_terminal: bool = False

    def minutes_for(self, url: str) -> int:
        """A feed's interval in minutes (its own, else the app's; 0: never by itself)."""
        own = self.feeds.get(url)
        if own is not None and own.refresh_minutes is not None:
            return own.refresh_minutes
        return self.every_minutes

    @property
    def automatic(self) -> bool:
        """Whether any feed is refreshed by the app's timer."""
        return self.every_minutes > 0 or any(f.refresh_minutes for f in self.feeds.values())


def _minutes(value: object, name: str, warnings: list[str]) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_MINUTES:
        return value
    warnings.append(f"{name} must be a whole number of minutes from 0 (off) to {MAX_MINUTES}")
    return None


def read_command(value: object) -> tuple[str, ...] | None:
    """A command from the config: a string split as a shell would (but never run by
    one), or a list of words; None when it is neither or empty."""
    try:
        if isinstance(value, str):
            words = tuple(shlex.split(value))
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            words = tuple(value)
        else:
            return None
    except ValueError:  # an unclosed quote
        return None
    return words if words and words[0] else None


def read_app_table(
    table: dict[str, Any], where: str, warnings: list[str], base: RefreshSettings
) -> RefreshSettings:
    """`base` with the [app] table's refresh and notice settings read in."""
    every = base.every_minutes
    if "refresh_minutes" in table:
        minutes = _minutes(table["refresh_minutes"], f"{where}: app.refresh_minutes", warnings)
        every = minutes if minutes is not None else every
    command = base.notify_command
    if "notify_command" in table:
        command = read_command(table["notify_command"]) or ()
        if not command:
            warnings.append(
                f'{where}: app.notify_command must be a command, like "notify-send tui-reader";'
                " no command is run"
            )
    terminal = base.notify_terminal
    if "notify_terminal" in table:
        if isinstance(table["notify_terminal"], bool):
            terminal = table["notify_terminal"]
        else:
            warnings.append(f"{where}: app.notify_terminal must be true or false")
    return RefreshSettings(every, base.feeds, command, terminal)


def read_feed_tables(
    value: Any, where: str, warnings: list[str], base: RefreshSettings
) -> RefreshSettings:
    """`base` with the `[[feed]]` tables read in (a bad one is skipped, with why)."""
    if not isinstance(value, list):
        warnings.append(f"{where}: feed must be written [[feed]] (a list of tables); ignored")
        return base
    feeds = dict(base.feeds)
    for number, table in enumerate(value, 1):
        name = f"{where}: [[feed]] number {number}"
        if not isinstance(table, dict):
            warnings.append(f"{name} is not a table; ignored")
            continue
        url = table.get("url")
        if not isinstance(url, str) or not url.strip():
            warnings.append(f"{name} has no url; ignored")
            continue
        for key in sorted(table.keys() - FEED_KEYS):
            warnings.append(f"{name}: unknown setting {key}; ignored")
        minutes = None
        if "refresh_minutes" in table:
            minutes = _minutes(table["refresh_minutes"], f"{name}: refresh_minutes", warnings)
        full_text = table.get("full_text")
        if full_text is not None and not isinstance(full_text, bool):
            warnings.append(f"{name}: full_text must be true or false")
            full_text = None
        normal = normalise_feed_url(url.strip())
        feeds[normal] = FeedSettings(normal, minutes, full_text)
    return RefreshSettings(base.every_minutes, feeds, base.notify_command, base.notify_terminal)
