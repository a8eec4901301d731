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
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


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
    KeyAction("back", "h,left", "Back to the headline list", "back"),
    KeyAction("switch_pane", "tab", "Switch between the list and the article", "switch_pane"),
    KeyAction("next_article", "n", "Open the next story", "next_article"),
    KeyAction("previous_article", "p", "Open the previous story", "previous_article"),
    KeyAction("page_down", "space,pagedown", "Scroll the article down a page", "page_down"),
    KeyAction("page_up", "b,pageup", "Scroll the article up a page", "page_up"),
    KeyAction("first", "g,home", "First headline (top of the article)", "first"),
    KeyAction("last", "G,end", "Last headline (end of the article)", "last"),
    KeyAction("toggle_read", "m", "Mark read / unread", "toggle_read"),
    KeyAction("toggle_star", "s", "Star / unstar", "toggle_star"),
    KeyAction("unread_only", "u", "Show unread only / show all", "unread_only"),
    KeyAction("open_browser", "o", "Open the story's link in the browser", "open_browser"),
    KeyAction("subscribe", "S", "Subscribe / unsubscribe (local switch)", "subscribe"),
    KeyAction("help", "question_mark", "Show this help", "help"),
    KeyAction("quit", "q", "Quit", "quit"),
)
KEY_ACTION_IDS = frozenset(a.id for a in KEY_ACTIONS)

# One key: a Textual key name ("ctrl+n", "pagedown", "question_mark") or a
# single printable character.
_KEY_NAME = re.compile(r"^(?:(?:ctrl|shift|alt|super|meta)\+)*[A-Za-z0-9_]+$")


@dataclass
class Config:
    """Settings read from the config file, with defaults filled in."""

    keys: dict[str, str] = field(default_factory=dict)  # binding id -> "k1,k2"
    meter_limit: int | None = None  # None: use the library's setting
    meter_period_days: int | None = None
    path: Path | None = None
    warnings: list[str] = field(default_factory=list)

    def keys_for(self, action_id: str) -> str:
        """The effective keys of an action: the config's, else the default."""
        if action_id in self.keys:
            return self.keys[action_id]
        for action in KEY_ACTIONS:
            if action.id == action_id:
                return action.keys
        raise KeyError(action_id)


def _valid_key_list(value: str) -> bool:
    keys = [k.strip() for k in value.split(",")]
    return bool(keys) and all(
        k and (_KEY_NAME.match(k) or (len(k) == 1 and k.isprintable() and not k.isspace()))
        for k in keys
    )


def _read_keys(table: Any, config: Config, where: str) -> None:
    if not isinstance(table, dict):
        config.warnings.append(f"{where}: [keys] must be a table; using default keys")
        return
    for action_id, value in table.items():
        if action_id not in KEY_ACTION_IDS:
            config.warnings.append(f"{where}: unknown action keys.{action_id}; ignored")
        elif not isinstance(value, str) or not _valid_key_list(value):
            config.warnings.append(
                f'{where}: keys.{action_id} = {value!r} is not a key list like "n,ctrl+n";'
                " using the default"
            )
        else:
            config.keys[action_id] = ",".join(k.strip() for k in value.split(","))


def _read_int(table: dict[str, Any], name: str, minimum: int, config: Config, where: str) -> Any:
    if name not in table:
        return None
    value = table[name]
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        config.warnings.append(
            f"{where}: meter.{name} = {value!r} must be a whole number of at least {minimum};"
            " using the default"
        )
        return None
    return value


def _read_meter(table: Any, config: Config, where: str) -> None:
    if not isinstance(table, dict):
        config.warnings.append(f"{where}: [meter] must be a table; using the defaults")
        return
    config.meter_limit = _read_int(table, "limit", 0, config, where)
    config.meter_period_days = _read_int(table, "period_days", 1, config, where)
    for name in table.keys() - {"limit", "period_days"}:
        config.warnings.append(f"{where}: unknown setting meter.{name}; ignored")


def load_config(path: Path) -> Config:
    """Read the config file; a missing file means all defaults.

    Args:
        path: The TOML file.

    Returns:
        The config. Problems are listed in `warnings`, one line each, and the
        defaults stand in for the values concerned.
    """
    config = Config(path=path)
    where = str(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
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
        else:
            config.warnings.append(f"{where}: unknown section [{section}]; ignored")
    return config
