"""The top line: the app's name, what the list shows, and the free-article meter.

Imports Textual and the meter's state.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
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
        self._status = ""

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
        """The meter in full where it fits; else the app's name gives way; else it shortens.

        The meter and the view (with its count) matter more than the name,
        which the terminal's title shows anyway.
        """
        if self.state is None:
            return
        meter = self.query_one("#meter", Static)
        name = self.query_one(".meter-header--name", Static)
        full = self.state.message()
        width = self.size.width
        # Each part has a cell of padding either side.
        status = cell_len(self._status) + 2 if self._status else 2
        needed = cell_len(full) + 2 + status
        # Before the first layout (no width yet): the full text, refitted on resize.
        if width == 0 or needed + len(APP_NAME) + 2 <= width:
            name.display, text = True, full
        elif needed <= width:
            name.display, text = False, full
        else:
            name.display, text = False, self.state.short_message()
        # Last, the view's words are cut ("All articles · 4 st…") before the meter is.
        room = width - (cell_len(text) + 2) - 2
        shown = self._status
        if width and cell_len(shown) > room:
            shown = set_cell_size(shown, max(0, room - 1)) + "…" if room > 1 else ""
        self.query_one("#status", Static).update(Text(shown))
        meter.update(Text(text))

    def status(self, text: str) -> None:
        """Show what is going on (the view, a refresh's progress)."""
        self._status = text
        self.query_one("#status", Static).update(Text(text))
        self._fit()  # the meter's room changed, or the view's words are cut
