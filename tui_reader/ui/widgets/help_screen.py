"""The help screen: every binding and what it does.

Imports Textual and the config's key actions.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui_reader.config import KEY_ACTIONS, Config

# How a key name from a keymap reads on screen.
_KEY_LABELS = {
    "question_mark": "?",
    "slash": "/",
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
    return "  ".join(_KEY_LABELS.get(k, k) for k in keys.split(","))


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

    def __init__(self, config: Config) -> None:
        super().__init__()
        self.config = config

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
