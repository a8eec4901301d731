"""The top line: the app's name, what the list shows, and the free-article meter.

Imports Textual and the meter's state.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from tui_reader import APP_NAME
from tui_reader.meter import MeterState


class MeterHeader(Horizontal):
    """The top line: the app's name and the free-article meter."""

    DEFAULT_CSS = """
    MeterHeader {
        dock: top;
        height: 1;
        background: $primary;
        color: $text;
    }
    MeterHeader > .meter-header--name {
        width: auto;
        padding: 0 1;
        text-style: bold;
    }
    MeterHeader > .meter-header--status {
        width: auto;
        padding: 0 1;
        color: $text-muted;
    }
    MeterHeader > .meter-header--meter {
        width: 1fr;
        padding: 0 1;
        text-align: right;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.state: MeterState | None = None

    def compose(self) -> ComposeResult:
        yield Static(APP_NAME, classes="meter-header--name")
        yield Static("", id="status", classes="meter-header--status")
        yield Static("", id="meter", classes="meter-header--meter")

    def show(self, state: MeterState) -> None:
        """Show the meter's message: in full where it fits, else in short."""
        self.state = state
        self._fit()

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        if self.state is None:
            return
        meter = self.query_one("#meter", Static)
        full = self.state.message()
        room = meter.content_region.width
        # Before the first layout there is no width yet: the full text, refitted on resize.
        meter.update(Text(full if room == 0 or len(full) <= room else self.state.short_message()))

    def status(self, text: str) -> None:
        """Show what is going on (the view, a refresh's progress)."""
        self.query_one("#status", Static).update(Text(text))
        self.call_after_refresh(self._fit)  # the meter's room changed
