"""Choose one of the feeds a web page links to, when the add dialog finds several.

The feeds come numbered as `tui-reader add URL` lists them (number, title,
URL, kind), so `--pick N` and this list agree. Titles and URLs are strangers'
text: each option is a `Text`, never markup. Imports Textual and the feed
link model; never the app.
"""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from tui_reader.sources.feed_parser import FeedLink


def feed_label(number: int, link: FeedLink) -> Text:
    """One feed as a line of text: `2  Comments  <https://…>  RSS` (no markup)."""
    label = Text(f"{number}  ")
    label.append(link.title or "(untitled)", style="bold" if link.title else "dim")
    label.append(f"  <{link.url}>  ")
    label.append(link.kind, style="dim")
    return label


class FeedChooser(ModalScreen[int | None]):
    """The page's feeds: Enter (or a click, or the feed's number) picks one, Esc none.

    Dismissed with the chosen feed's number (from 1), or None.
    """

    DEFAULT_CSS = """
    FeedChooser {
        align: center middle;
    }
    FeedChooser > Vertical {
        width: 90;
        max-width: 95%;
        height: auto;
        max-height: 80%;
        border: round $accent;
        background: $panel;
        padding: 0 1;
    }
    FeedChooser OptionList {
        height: auto;
        max-height: 20;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=True)]

    def __init__(self, page: str, links: list[FeedLink]) -> None:
        super().__init__()
        self.page = page
        self.links = links

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(f"{self.page} links to {len(self.links)} feeds: pick one"))
            yield OptionList(
                *(Option(feed_label(n, link), id=str(n)) for n, link in enumerate(self.links, 1))
            )

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_key(self, event: events.Key) -> None:
        """A digit moves to that feed, as the link list does (one digit: lists are short)."""
        if event.character is not None and event.character.isdigit():
            number = int(event.character)
            if 1 <= number <= len(self.links):
                event.stop()
                self.query_one(OptionList).highlighted = number - 1

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_index + 1)
