"""Dialogs: add a feed, pick a feed, search. They get what they act with handed in.

Imports Textual, the library's `Feed` and the feed chooser; `subscribe`'s
`find_feeds` only when a URL is submitted (it brings httpx); never the app.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from tui_reader.network_settings import NetworkSettings
from tui_reader.ui.widgets.feed_chooser import FeedChooser

if TYPE_CHECKING:
    from tui_reader.sources.subscribe import FeedOffer

# Subscribes to the feed numbered (from 1) among what a URL offers; returns
# None on success, else the one-line error to show.
Subscribe = Callable[["FeedOffer", int], Awaitable[str | None]]


class AddFeedDialog(ModalScreen[str | None]):
    """Ask for a feed URL, and which feed when it is a page that links several.

    The URL is fetched here (`find_feeds`, the CLI's too); a page with several
    feeds opens a `FeedChooser` (Esc there subscribes nothing and comes back
    here). `subscribe` (handed in by the app) stores the one picked; errors
    show here, one line.
    """

    DEFAULT_CSS = """
    AddFeedDialog {
        align: center middle;
    }
    AddFeedDialog > Vertical {
        width: 72;
        max-width: 95%;
        height: auto;
        border: round $accent;
        background: $panel;
        padding: 0 1;
    }
    AddFeedDialog .add-feed-dialog--error {
        color: $error;
        height: auto;
    }
    AddFeedDialog .add-feed-dialog--status {
        color: $text-muted;
        height: auto;
    }
    """

    BINDINGS = [Binding("escape", "dismiss_dialog", "Cancel", show=True)]

    def __init__(self, settings: NetworkSettings, subscribe: Subscribe) -> None:
        super().__init__()
        self.settings = settings
        self.subscribe_to = subscribe

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Add a feed: its URL, or a web page that links to one")
            yield Input(placeholder="https://example.com/feed.xml", id="url")
            yield Label("", classes="add-feed-dialog--status", id="status")
            yield Label("", classes="add-feed-dialog--error", id="error")

    def action_dismiss_dialog(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        url = event.value.strip()
        if not url:
            self.show_error("Type a URL first, or press Esc to cancel.")
            return
        self.show_status(f"Fetching {url} …")
        self.subscribe(url)

    @work(exclusive=True, group="add-feed")
    async def subscribe(self, url: str) -> None:
        from tui_reader.errors import ShownError
        from tui_reader.sources.subscribe import find_feeds

        try:
            offer = await find_feeds(url, self.settings)
        except ShownError as exc:
            self.show_error(str(exc))
            return
        pick = 1
        if len(offer.links) > 1:
            self.show_status("")
            chosen = await self.app.push_screen_wait(FeedChooser(offer.url, offer.links))
            if chosen is None:
                self.show_status("Nothing subscribed. Type another URL, or Esc to close.")
                return
            pick = chosen
            self.show_status(f"Fetching {offer.links[pick - 1].url} …")
        error = await self.subscribe_to(offer, pick)
        if error is None:
            self.dismiss(url)
        else:
            self.show_error(error)

    def show_status(self, status: str) -> None:
        """Say what is happening under the input (text, never markup); clears the error."""
        self.query_one("#error", Label).update("")
        self.query_one("#status", Label).update(Text(status))

    def show_error(self, error: str) -> None:
        """Show a one-line error under the input (text, never markup)."""
        self.query_one("#status", Label).update("")
        self.query_one("#error", Label).update(Text(error))


class SearchDialog(ModalScreen[str | None]):
    """Ask for search words; an empty search shows everything again."""

    DEFAULT_CSS = """
    SearchDialog {
        align: center top;
    }
    SearchDialog > Vertical {
        width: 72;
        max-width: 95%;
        height: auto;
        margin-top: 2;
        border: round $accent;
        background: $panel;
        padding: 0 1;
    }
    """

    BINDINGS = [Binding("escape", "dismiss_dialog", "Cancel", show=True)]

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.query_text = query

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Search titles and text (a trailing * matches a prefix)")
            yield Input(value=self.query_text, placeholder="lithium batter*", id="query")

    def action_dismiss_dialog(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())


class LinkList(ModalScreen[str | None]):
    """The open article's numbered links: Enter (or a click) opens one in the browser.

    Typing a link's number moves to it, as newsboat's link list does.
    """

    DEFAULT_CSS = """
    LinkList {
        align: center middle;
    }
    LinkList > OptionList {
        width: 90;
        max-width: 95%;
        height: auto;
        max-height: 80%;
        border: round $accent;
        background: $panel;
    }
    """

    BINDINGS = [Binding("escape,q", "dismiss_list", "Close", show=True)]

    def __init__(self, links: tuple[str, ...]) -> None:
        super().__init__()
        self.links = links
        self.typed = ""  # the digits typed so far

    def compose(self) -> ComposeResult:
        yield OptionList(
            *(Option(Text(f"[{n}] {url}"), id=str(n)) for n, url in enumerate(self.links, 1))
        )

    def action_dismiss_list(self) -> None:
        self.dismiss(None)

    def on_key(self, event: events.Key) -> None:
        if event.character is None or not event.character.isdigit():
            return
        event.stop()
        typed = self.typed + event.character
        if not 1 <= int(typed) <= len(self.links):
            typed = event.character  # start again from this digit
        self.typed = typed
        if 1 <= int(typed) <= len(self.links):
            self.query_one(OptionList).highlighted = int(typed) - 1

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.links[event.option_index])
