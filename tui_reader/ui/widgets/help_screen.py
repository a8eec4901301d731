"""The help screen: every binding and what it does.

Imports Textual and the config's key actions.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.keys import key_to_character
from textual.screen import ModalScreen
from textual.widgets import Static

from tui_reader.config import KEY_ACTIONS, Config

# How a key name from a keymap reads on screen.
_KEY_LABELS = {
    "question_mark": "?",
    "slash": "/",
    "backslash": "\\",
    "space": "Space",
    "enter": "Enter",
    "tab": "Tab",
    "escape": "Esc",
    "pagedown": "PgDn",
    "pageup": "PgUp",
    "home": "Home",
    "end": "End",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
}


def key_label(keys: str) -> str:
    """Turn "j,down" into "j ↓" for people."""
    return "  ".join(_KEY_LABELS.get(k) or _character(k) for k in keys.split(","))


def _character(key: str) -> str:
    """A printable key by its character ("asterisk" is "*"), else by its name."""
    character = key_to_character(key)
    return character if character is not None and character.isprintable() else key


class HelpScreen(ModalScreen[None]):
    """A dialog listing the keys; Esc, q or ? closes it."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > VerticalScroll {
        width: 72;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: round $accent;
        background: $panel;
        padding: 0 1;
    }
    HelpScreen .help-screen--table {
        width: 1fr;
        height: auto;
    }
    """

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", show=True),
    ]

    # The reader's own moving keys scroll the help (as the config maps them).
    _SCROLLS = {
        "cursor_down": "scroll_down",
        "cursor_up": "scroll_up",
        "page_down": "scroll_page_down",
        "page_up": "scroll_page_up",
        "first": "scroll_home",
        "last": "scroll_end",
    }

    def __init__(self, config: Config) -> None:
        super().__init__()
        self.config = config
        for action, scroll in self._SCROLLS.items():
            self._bindings.bind(config.keys_for(action), f"scroll('{scroll}')", show=False)

    def action_scroll(self, how: str) -> None:
        """Scroll the list of keys (a line, a page, to an end)."""
        getattr(self.query_one(VerticalScroll), how)(animate=False)

    def on_mount(self) -> None:
        scroller = self.query_one(VerticalScroll)
        self.watch(scroller, "scroll_y", self._say_whats_below, init=False)
        self.call_after_refresh(self._say_whats_below)

    def _say_whats_below(self, _value: float = 0) -> None:
        scroller = self.query_one(VerticalScroll)
        more = scroller.max_scroll_y > scroller.scroll_y
        down, page = (
            key_label(self.config.keys_for(action).split(",")[0])
            for action in ("cursor_down", "page_down")
        )
        scroller.border_subtitle = f"more below: {down} or {page}" if more else ""

    def compose(self) -> ComposeResult:
        table = Table(title="tui-reader keys", box=None, show_header=False, padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for action in KEY_ACTIONS:
            table.add_row(Text(key_label(self.config.keys_for(action.id))), action.description)
        table.add_row(Text("Esc"), "Close this help or a dialog")
        table.add_row(Text("Mouse"), "Click a headline to open it; the wheel scrolls")
        with VerticalScroll():
            yield Static(table, classes="help-screen--table")
