"""The user's configuration: a TOML file of key bindings and meter settings.

A bad value never stops the program: it is reported in one line and the
default is used instead, so a typo in the config costs a warning, not a crash.

Example::

    [keys]
    next_article = "n,ctrl+n"
    quit = "q"

    [meter]
    limit = 5
    period_days = 30

Imports the meter (for its bounds) and the network settings; never a source or the UI.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_reader.feed_urls import normalise_feed_url
from tui_reader.filter_settings import (
    IgnoreRule,
    QueryFeed,
    read_feed_ignores,
    read_ignores,
    read_queries,
)
from tui_reader.meter import LIMIT_RANGE, PERIOD_DAYS_RANGE
from tui_reader.network_settings import NetworkSettings
from tui_reader.refresh_settings import (
    APP_KEYS,
    RefreshSettings,
    read_app_table,
    read_command,
    read_feed_tables,
)
from tui_reader.sync_settings import SyncSettings, read_sync_table

if TYPE_CHECKING:  # the picture cache brings Pillow and httpx: imported when wanted
    from tui_reader.sources.image_cache import ImageCache

# reader.images: what pictures are drawn with (`pictures` draws them).
IMAGE_MODES = ("auto", "kitty", "sixel", "blocks", "off")


@dataclass(frozen=True)
class KeyAction:
    """A rebindable action: its id, default keys and what it does."""

    id: str
    keys: str
    description: str
    action: str


# The order here is the order of the help screen.
KEY_ACTIONS: tuple[KeyAction, ...] = (
    KeyAction("cursor_down", "j,down", "Next headline", "cursor_down"),
    KeyAction("cursor_up", "k,up", "Previous headline", "cursor_up"),
    KeyAction("open", "enter,l,right", "Open the story under the cursor", "open"),
    KeyAction("back", "h,left,escape", "Back to the headline list", "back"),
    KeyAction("switch_pane", "tab", "Switch between the list and the article", "switch_pane"),
    KeyAction("zoom", "z", "Full-width reading: the article alone / both panes", "zoom"),
    KeyAction(
        "next_unread", "n", "Open the next unread story (then the next feed's)", "next_unread"
    ),
    KeyAction("previous_unread", "p", "Open the previous unread story", "previous_unread"),
    KeyAction("next_article", "J", "Open the next story", "next_article"),
    KeyAction("previous_article", "K", "Open the previous story", "previous_article"),
    KeyAction("page_down", "space,pagedown", "Scroll the article down a page", "page_down"),
    KeyAction("page_up", "b,pageup", "Scroll the article up a page", "page_up"),
    KeyAction("first", "g,home", "First headline (top of the article)", "first"),
    KeyAction("last", "G,end", "Last headline (end of the article)", "last"),
    KeyAction("toggle_read", "m", "Mark read / unread", "toggle_read"),
    KeyAction("toggle_star", "s", "Star / unstar", "toggle_star"),
    KeyAction("mark_shown_read", "A", "Mark the stories listed read (U undoes)", "mark_shown_read"),
    KeyAction("mark_all_read", "C", "Mark everything read (U undoes)", "mark_all_read"),
    KeyAction("undo_mark", "U", "Undo the last A or C", "undo_mark"),
    KeyAction("unread_only", "u", "Show unread only / show all", "unread_only"),
    KeyAction("starred_only", "asterisk", "Show starred only / show all", "starred_only"),
    KeyAction("sort", "O", "Sort: newest first, oldest first, by feed (kept)", "sort"),
    KeyAction("open_browser", "o", "Open the story's link in the browser", "open_browser"),
    KeyAction("links", "L", "Open one of the article's numbered links", "links"),
    KeyAction("play", "P", "Play the story's podcast episode (app.player_command)", "play"),
    KeyAction("subscribe", "S", "Paywall: subscribe / unsubscribe (local switch)", "subscribe"),
    KeyAction("refresh", "r", "Refresh all feeds in the background", "refresh"),
    KeyAction("add_feed", "a", "Add a feed by URL", "add_feed"),
    KeyAction(
        "feeds", "F", "The feed list: show, reload, remove, rename, file in a folder", "feeds"
    ),
    KeyAction("search", "slash", "Search titles and text (empty: show all)", "search"),
    KeyAction(
        "filter", "backslash", 'Filter: unread = "yes" and age < 7 (empty: show all)', "filter"
    ),
    KeyAction("full_text", "f", "Fetch the full story from its web page", "full_text"),
    KeyAction(
        "switch_version", "v", "Full story / the feed's own version (after f)", "switch_version"
    ),
    KeyAction("help", "question_mark", "Show this help", "help"),
    KeyAction("quit", "q", "Quit", "quit"),
)
KEY_ACTION_IDS = frozenset(a.id for a in KEY_ACTIONS)

# The feed list's own keys (not configurable), and the shared actions that
# work there too: a setting giving one of those a key below would take the key
# from the feed list's action (`cursor_down = "d"` and d no longer removes).
FEED_LIST_KEYS: dict[str, tuple[str, str]] = {
    "feeds_reload": ("r", "Reload"),
    "feeds_remove": ("d,delete", "Remove"),
    "feeds_rename": ("e", "Rename"),
    "feeds_move": ("M", "Folder"),
}
FEED_LIST_SHARED = ("cursor_down", "cursor_up", "first", "last", "page_down", "page_up", "open")

_MODIFIERS = ("ctrl+", "shift+", "alt+", "super+", "meta+")
# Named keys as Textual spells them.
_NAMED_KEYS = frozenset(
    {"enter", "tab", "escape", "space", "backspace", "delete", "insert", "home", "end"}
    | {"pageup", "pagedown", "up", "down", "left", "right"}
    | {f"f{n}" for n in range(1, 25)}
)
# Textual names punctuation after its Unicode name, with a few short forms.
_SHORT_NAMES = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}


def canonical_key(key: str) -> str | None:
    """Spell a key the way Textual does, or None if it is no key.

    Args:
        key: "n", "G", "?", "question_mark", "ctrl+n", "pagedown" ...

    Returns:
        The key with punctuation by name ("?" -> "question_mark"), or None
        for something that is not a key ("return", "not a key").
    """
    modifiers = ""
    while key.startswith(_MODIFIERS) and len(key) > key.index("+") + 1:
        cut = key.index("+") + 1
        modifiers, key = modifiers + key[:cut], key[cut:]
    if len(key) == 1:
        if key.isalnum():
            return modifiers + key
        if not key.isprintable() or key.isspace():
            return None
        name = unicodedata.name(key, "").lower().replace(" ", "_").replace("-", "_")
        return modifiers + _SHORT_NAMES.get(name, name) if name else None
    if key in _NAMED_KEYS or key in _SHORT_NAMES.values():
        return modifiers + key
    try:
        unicodedata.lookup(key.replace("_", " "))
    except KeyError:
        return None
    return modifiers + key


# An article's text wraps at this many cells by default (reader.text_width).
DEFAULT_TEXT_WIDTH = 80
TEXT_WIDTH_RANGE = (20, 500)


@dataclass
class Config:
    """Settings read from the config file, with defaults filled in."""

    keys: dict[str, str] = field(default_factory=dict)  # binding id -> "k1,k2"
    meter_limit: int | None = None  # None: use the library's setting
    meter_period_days: int | None = None
    exempt_feeds: frozenset[str] = frozenset()  # feed URLs the meter does not count
    full_text_feeds: frozenset[str] = frozenset()  # feed URLs whose pages a refresh fetches
    network: NetworkSettings = field(default_factory=lambda: NetworkSettings())
    offline: bool = False  # refuse all network use
    refresh_on_start: bool = False
    text_width: int = DEFAULT_TEXT_WIDTH  # cells an article's text wraps at; 0: the pane's
    sync: SyncSettings | None = None  # a Google Reader API account ([sync]), or none
    refresh: RefreshSettings = field(default_factory=RefreshSettings)  # [app], [[feed]]
    queries: list[QueryFeed] = field(default_factory=list)  # [[query]]: saved filters
    ignores: list[IgnoreRule] = field(default_factory=list)  # [[ignore]], [[feed]] ignore
    player_command: tuple[str, ...] = ()  # app.player_command; (): the desktop's opener
    images: str = "auto"  # reader.images: auto, kitty, sixel, blocks or off
    image_cache_mb: int = 200  # reader.image_cache_mb: the picture cache's bound
    path: Path | None = None
    warnings: list[str] = field(default_factory=list)

    def picture_cache(self, data_dir: Path) -> ImageCache | None:
        """The data dir's picture cache, bounded by `reader.image_cache_mb`; None
        when `reader.images = "off"`."""
        if self.images == "off":
            return None
        from tui_reader.locations import images_directory
        from tui_reader.sources.image_cache import ImageCache

        return ImageCache(images_directory(data_dir), max_total=self.image_cache_mb << 20)

    def full_text_pictures(self, data_dir: Path) -> ImageCache | None:
        """The cache a refresh fetches full stories' pictures into: only with
        `feeds.full_text` feeds (their stories come whole, pictures and all)."""
        return self.picture_cache(data_dir) if self.full_text_feeds else None

    def keys_for(self, action_id: str) -> str:
        """The effective keys of an action: the config's, else the default."""
        if action_id in self.keys:
            return self.keys[action_id]
        for action in KEY_ACTIONS:
            if action.id == action_id:
                return action.keys
        raise KeyError(action_id)


def _parse_key_list(value: object) -> list[str] | None:
    if not isinstance(value, str):
        return None
    keys = [canonical_key(k.strip()) for k in value.split(",")]
    if not keys or None in keys:
        return None
    return list(dict.fromkeys(k for k in keys if k is not None))  # each key once


def _read_keys(table: Any, config: Config, where: str) -> None:
    if not isinstance(table, dict):
        config.warnings.append(f"{where}: [keys] must be a table; using default keys")
        return
    for action_id, value in table.items():
        if action_id not in KEY_ACTION_IDS:
            config.warnings.append(f"{where}: unknown action keys.{action_id}; ignored")
        elif (keys := _parse_key_list(value)) is None:
            config.warnings.append(
                f'{where}: keys.{action_id} = {value!r} is not a key list like "n,ctrl+n";'
                " using the default"
            )
        else:
            config.keys[action_id] = ",".join(keys)
    _settle_shared_keys(config, where)


def _key_owners(config: Config) -> dict[str, list[str]]:
    """Each key in use and the actions it would run, in the help screen's order."""
    owners: dict[str, list[str]] = {}
    for action in KEY_ACTIONS:
        for key in config.keys_for(action.id).split(","):
            if action.id not in owners.setdefault(key, []):
                owners[key].append(action.id)
    return owners


def _settle_shared_keys(config: Config, where: str) -> None:
    """Ignore every key setting that gives one key to two actions, and say so.

    Textual gives a shared key to one of the actions and takes it from the
    other, so `quit = "n"` used to leave `q` dead and `n` quitting instead
    of opening the next unread story. The predictable rule: a setting that
    clashes is ignored as a whole, so every action concerned keeps its
    default keys (the defaults share none), and one line per clash says
    which. Settings that only trade keys (`quit = "n"` with
    `next_unread = "q"`) do not clash and stand. Ignoring one setting can
    hand an action back a default that another setting took, so this
    repeats until nothing is shared.
    """
    # The actions that shared keys -> those keys, and the settings ignored for it.
    clashes: dict[tuple[str, ...], tuple[list[str], list[str]]] = {}
    while shared := {k: a for k, a in _key_owners(config).items() if len(a) > 1}:
        settings = {
            a: f"keys.{a} = {config.keys.pop(a)!r}"
            for owners in shared.values()
            for a in owners
            if a in config.keys
        }
        for key, owners in shared.items():
            keys, ignored = clashes.setdefault(tuple(owners), ([], []))
            keys.append(key)
            ignored.extend(
                settings[a] for a in owners if a in settings and settings[a] not in ignored
            )
        if not settings:
            break  # only defaults share a key: a mistake in KEY_ACTIONS, not the user's
    for action_id, (fixed, name) in FEED_LIST_KEYS.items():
        for shared_id in FEED_LIST_SHARED:
            taken = set(fixed.split(",")) & set(config.keys.get(shared_id, "").split(","))
            if taken:
                setting = f"keys.{shared_id} = {config.keys.pop(shared_id)!r}"
                clashes[(shared_id, f"the feed list's {name} ({action_id})")] = (
                    sorted(taken),
                    [setting],
                )
    for sharing, (keys, ignored) in clashes.items():
        both = "both " if len(sharing) == 2 else ""
        config.warnings.append(
            f"{where}: {_and(ignored)} {'is' if len(ignored) == 1 else 'are'} ignored:"
            f" {_and([repr(k) for k in keys], 'key ', 'keys ')} would belong to"
            f" {both}{_and(list(sharing))}, so each keeps its default keys"
            f" ({'; '.join(f'{a}: {_keys_of(config, a)}' for a in sharing)})"
        )


def _keys_of(config: Config, action: str) -> str:
    """An action's keys, for a warning (a feed list action is named with its id)."""
    for action_id, (fixed, _) in FEED_LIST_KEYS.items():
        if action.endswith(f"({action_id})"):
            return fixed
    return config.keys_for(action)


def _and(items: list[str], one: str = "", many: str = "") -> str:
    """A list in words: "a", "a and b", "a, b and c", after `one` or `many`."""
    if len(items) == 1:
        return one + items[0]
    return many + ", ".join(items[:-1]) + " and " + items[-1]


def _read_int(
    table: dict[str, Any],
    name: str,
    bounds: tuple[int, int],
    config: Config,
    where: str,
    section: str = "meter",
) -> Any:
    if name not in table:
        return None
    value = table[name]
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        config.warnings.append(
            f"{where}: {section}.{name} = {value!r} must be a whole number from {low} to {high:,};"
            " using the default"
        )
        return None
    return value


def _read_meter(table: Any, config: Config, where: str) -> None:
    if not isinstance(table, dict):
        config.warnings.append(f"{where}: [meter] must be a table; using the defaults")
        return
    config.meter_limit = _read_int(table, "limit", LIMIT_RANGE, config, where)
    config.meter_period_days = _read_int(table, "period_days", PERIOD_DAYS_RANGE, config, where)
    exempt = _read_urls(table, "exempt_feeds", config, f"{where}: meter", "none exempted")
    if exempt is not None:
        config.exempt_feeds = exempt
    for name in table.keys() - {"limit", "period_days", "exempt_feeds"}:
        config.warnings.append(f"{where}: unknown setting meter.{name}; ignored")


# [network] settings: name -> (NetworkSettings field, bounds, scale to the field's unit)
_NETWORK_SETTINGS = {
    "concurrency": ("concurrency", (1, 256), 1),
    "per_host": ("per_host", (1, 64), 1),
    "connect_timeout": ("connect_timeout", (1, 600), 1),
    "read_timeout": ("read_timeout", (1, 600), 1),
    "total_timeout": ("total_timeout", (1, 3600), 1),
    "max_size_mb": ("max_bytes", (1, 1024), 1024 * 1024),
}


def _read_network(table: Any, config: Config, where: str) -> None:
    if not isinstance(table, dict):
        config.warnings.append(f"{where}: [network] must be a table; using the defaults")
        return
    values: dict[str, Any] = {}
    for name, (attribute, bounds, scale) in _NETWORK_SETTINGS.items():
        value = _read_int(table, name, bounds, config, where, section="network")
        if value is not None:
            values[attribute] = value * scale
    config.network = replace(config.network, **values)
    offline = table.get("offline", False)
    if isinstance(offline, bool):
        config.offline = offline
    else:
        config.warnings.append(f"{where}: network.offline must be true or false; using false")
    for name in table.keys() - {*_NETWORK_SETTINGS, "offline"}:
        config.warnings.append(f"{where}: unknown setting network.{name}; ignored")


def _read_urls(
    table: dict[str, Any], name: str, config: Config, prefix: str, otherwise: str
) -> frozenset[str] | None:
    """A list of feed URLs, or None (with a warning) when it is something else."""
    value = table.get(name, [])
    if isinstance(value, list) and all(isinstance(url, str) for url in value):
        # Compared with the feeds' stored URLs, which are in their normal spelling.
        return frozenset(normalise_feed_url(url) for url in value)
    config.warnings.append(f"{prefix}.{name} must be a list of feed URLs; {otherwise}")
    return None


def _read_feeds(table: Any, config: Config, where: str) -> None:
    if not isinstance(table, dict):
        config.warnings.append(f"{where}: [feeds] must be a table; using the defaults")
        return
    urls = _read_urls(table, "full_text", config, f"{where}: feeds", "no full text fetched")
    if urls is not None:
        config.full_text_feeds = urls
    for name in table.keys() - {"full_text"}:
        config.warnings.append(f"{where}: unknown setting feeds.{name}; ignored")


def _read_app(table: Any, config: Config, where: str) -> None:
    if not isinstance(table, dict):
        config.warnings.append(f"{where}: [app] must be a table; using the defaults")
        return
    refresh = table.get("refresh_on_start", False)
    if isinstance(refresh, bool):
        config.refresh_on_start = refresh
    else:
        config.warnings.append(f"{where}: app.refresh_on_start must be true or false")
    config.refresh = read_app_table(table, where, config.warnings, config.refresh)
    if "player_command" in table:
        player = read_command(table["player_command"])
        if player is None:
            config.warnings.append(
                f'{where}: app.player_command must be a command, like "mpv --no-video";'
                " using the desktop's opener"
            )
        config.player_command = player or ()
    for name in table.keys() - {"refresh_on_start"} - APP_KEYS:
        config.warnings.append(f"{where}: unknown setting app.{name}; ignored")


def _read_reader(table: Any, config: Config, where: str) -> None:
    if not isinstance(table, dict):
        config.warnings.append(f"{where}: [reader] must be a table; using the defaults")
        return
    if "text_width" in table:
        width = table["text_width"]
        low, high = TEXT_WIDTH_RANGE
        if (
            isinstance(width, int)
            and not isinstance(width, bool)
            and (width == 0 or low <= width <= high)
        ):
            config.text_width = width
        else:
            config.warnings.append(
                f"{where}: reader.text_width must be 0 (the pane's width) or a whole number"
                f" from {low} to {high}; using {DEFAULT_TEXT_WIDTH}"
            )
    if "images" in table:
        images = table["images"]
        if images in IMAGE_MODES:
            config.images = images
        else:
            config.warnings.append(
                f"{where}: reader.images must be one of {', '.join(IMAGE_MODES)}; using auto"
            )
    if "image_cache_mb" in table:
        size = table["image_cache_mb"]
        if isinstance(size, int) and not isinstance(size, bool) and 1 <= size <= 100_000:
            config.image_cache_mb = size
        else:
            config.warnings.append(
                f"{where}: reader.image_cache_mb must be a whole number of megabytes from 1"
                " to 100000; using 200"
            )
    for name in table.keys() - {"text_width", "images", "image_cache_mb"}:
        config.warnings.append(f"{where}: unknown setting reader.{name}; ignored")


def load_config(path: Path, *, explicit: bool = False) -> Config:
    """Read the config file; a missing file means all defaults.

    Args:
        path: The TOML file.
        explicit: The user named the file (`--config`, `$TUI_READER_CONFIG`),
            so its absence is worth a warning.

    Returns:
        The config. Problems are listed in `warnings`, one line each, and the
        defaults stand in for the values concerned.
    """
    config = Config(path=path)
    where = str(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if explicit:
            config.warnings.append(f"{where}: no such config file; using defaults")
        return config
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        config.warnings.append(f"{where}: cannot read ({reason}); using defaults")
        return config
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        config.warnings.append(f"{where}: invalid TOML ({exc}); using defaults")
        return config
    for section, table in data.items():
        if section == "keys":
            _read_keys(table, config, where)
        elif section == "meter":
            _read_meter(table, config, where)
        elif section == "network":
            _read_network(table, config, where)
        elif section == "app":
            _read_app(table, config, where)
        elif section == "feeds":
            _read_feeds(table, config, where)
        elif section == "reader":
            _read_reader(table, config, where)
        elif section == "sync":
            config.sync = read_sync_table(table, where, config.warnings)
        elif section == "feed":
            config.refresh = read_feed_tables(table, where, config.warnings, config.refresh)
            for number, feed in enumerate(table if isinstance(table, list) else [], 1):
                if isinstance(feed, dict) and isinstance(feed.get("url"), str):
                    name = f"{where}: [[feed]] number {number}"
                    url = normalise_feed_url(feed["url"].strip())
                    config.ignores += read_feed_ignores(feed, url, name, config.warnings)
        elif section == "query":
            config.queries = read_queries(table, where, config.warnings)
        elif section == "ignore":
            config.ignores = read_ignores(table, where, config.warnings) + config.ignores
        else:
            config.warnings.append(f"{where}: unknown section [{section}]; ignored")
    # `full_text = true` in a [[feed]] table adds to feeds.full_text; false takes away.
    own = config.refresh.feeds.values()
    config.full_text_feeds = (config.full_text_feeds | {f.url for f in own if f.full_text}) - {
        f.url for f in own if f.full_text is False
    }
    return config
