"""The main screen: the headline list, the article pane, the header and the key hints.

The screen owns the keys: its bindings (from the config's keymap) move the
cursor, switch panes and open dialogs. What needs the library (opening,
marking, refreshing) it asks of the app through the `Reader` protocol, so
this module does not import the app. Imports widgets and domain values.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import DescendantFocus
from textual.screen import Screen

from tui_reader.config import KEY_ACTIONS, Config
from tui_reader.library.articles import Flag
from tui_reader.render import safe_link
from tui_reader.ui.list_view import ORDER_NAMES, ListView
from tui_reader.ui.widgets.article_view import ArticleView
from tui_reader.ui.widgets.dialogs import AddFeedDialog, LinkList, SearchDialog
from tui_reader.ui.widgets.headline_list import HeadlineList
from tui_reader.ui.widgets.help_screen import HelpScreen
from tui_reader.ui.widgets.key_footer import KeyFooter
from tui_reader.ui.widgets.meter_header import MeterHeader
from tui_reader.ui.widgets.prompts import AskLine

if TYPE_CHECKING:
    from tui_reader.sources.subscribe import FeedOffer


class Reader(Protocol):
    """What the screen asks of the app (the app holds the library and its workers)."""

    config: Config
    view: ListView

    def open_article(self, article_id: str, feed_version: bool = False) -> object:
        """Open an article through the meter (its feed version if asked)."""

    def set_flag(self, article_id: str, flag: Flag, value: bool) -> object:
        """Mark read/unread or star/unstar."""

    def toggle_subscription(self) -> object:
        """Flip the local subscription."""

    def start_refresh(self) -> None:
        """Refresh every feed in the background."""

    def show_feed_list(self) -> None:
        """Open the feed list screen."""

    def search_for(self, query: str | None) -> None:
        """Show the matches of a search."""

    def filter_by(self, text: str | None) -> None:
        """Show the stories a filter expression picks ("" all again, None: no change)."""

    def start_full_text(self, article_id: str) -> None:
        """Fetch an article's full story."""

    def play_enclosure(self, article_id: str) -> object:
        """Start the player on a story's podcast episode."""

    def mark_read(self, article_ids: list[str] | None) -> object:
        """Mark these stories read (None: everything up to when the list was loaded)."""

    def undo_marking(self) -> object:
        """Undo the last `mark_read`."""

    def open_next_unread_feed(self, step: int) -> object:
        """Show the next (step 1) or previous (-1) feed with unread stories, at its first."""

    async def subscribe_to(self, url: str | FeedOffer, pick: int | None = None) -> str | None:
        """Subscribe to a URL, or to the `pick`th feed of an offer; None, or the one-line error."""


# Seconds Enter waits for its article before the article pane takes over anyway.
OPEN_WAIT = 0.5

# Below this width the panes take turns instead of squeezing side by side.
NARROW_WIDTH = 80

# Shown in the footer; the rest are listed by `?`.
_FOOTER_ACTIONS = {
    "open",
    "next_unread",
    "toggle_read",
    "toggle_star",
    "unread_only",
    "refresh",
    "help",
    "quit",
}
_FOOTER_LABELS = {
    "open": "Open",
    "next_unread": "Next",
    "toggle_read": "Read",
    "toggle_star": "Star",
    "unread_only": "Unread",
    "refresh": "Refresh",
    "help": "Help",
    "quit": "Quit",
}


def _bindings() -> list[BindingType]:
    return [
        Binding(
            action.keys,
            action.action,
            _FOOTER_LABELS.get(action.id, action.description),
            show=action.id in _FOOTER_ACTIONS,
            id=action.id,
        )
        for action in KEY_ACTIONS
    ]


class ReaderScreen(Screen[None]):
    """The main screen. Its bindings drive both panes."""

    BINDINGS = _bindings()

    def __init__(self, clock: Callable[[], float] = time.time, *, text_width: int = 80) -> None:
        super().__init__()
        self.clock = clock  # what "today" is for the headlines' dates
        self.text_width = text_width  # config reader.text_width
        self._opening = False  # Enter was pressed; the article pane takes over when it shows

    def compose(self) -> ComposeResult:
        yield MeterHeader()
        with Horizontal(id="panes"):
            yield HeadlineList(id="headlines", clock=self.clock)
            yield ArticleView(id="article", text_width=self.text_width)
        yield KeyFooter()

    @property
    def panes(self) -> Horizontal:
        """The list and the article side by side. Its classes say which has the
        keyboard (-reading), full width (-zoomed) and narrow (-narrow); they sit
        here, not on the screen, so that switching restyles the two panes only
        (a class on the screen restyled the header and footer too: 25 ms)."""
        return self.query_one("#panes", Horizontal)

    @property
    def header(self) -> MeterHeader:
        return self.query_one(MeterHeader)

    @property
    def headlines(self) -> HeadlineList:
        return self.query_one(HeadlineList)

    @property
    def article(self) -> ArticleView:
        return self.query_one(ArticleView)

    @property
    def reader(self) -> Reader:
        return cast(Reader, self.app)

    def on_mount(self) -> None:
        self.headlines.focus()

    def on_resize(self) -> None:
        narrow = self.size.width < NARROW_WIDTH
        self.panes.set_class(narrow, "-narrow")
        self.query_one(KeyFooter).compact = narrow

    # Panes ----------------------------------------------------------------

    @property
    def reading(self) -> bool:
        """Whether the article pane has the keyboard.

        Kept here rather than read from focus: `focus()` takes effect after
        the current message, and keys typed quickly (or pasted) must already
        go to the pane that Tab chose.
        """
        return self._opening or self.panes.has_class("-reading")

    @property
    def zoomed(self) -> bool:
        """Whether the article has the whole screen (full-width reading)."""
        return self.panes.has_class("-zoomed")

    def show_pane(self, article: bool) -> None:
        """Give the keyboard, and the room, to one pane.

        The pane with the keyboard is the wide one (when narrow, the only
        one); going back to the list ends full-width reading.
        """
        self._opening = False
        self.panes.set_class(article, "-reading")
        if not article:
            self.panes.set_class(False, "-zoomed")
        (self.article if article else self.headlines).focus()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        # A click can move focus too; follow it.
        if event.widget in (self.article, self.headlines):
            self.panes.set_class(event.widget is self.article, "-reading")
        if event.widget is self.headlines:
            self.panes.set_class(False, "-zoomed")

    def action_switch_pane(self) -> None:
        self.show_pane(not self.reading)

    def action_back(self) -> None:
        # Out of full-width reading first, then back to the list.
        if self.zoomed:
            self.panes.set_class(False, "-zoomed")
        else:
            self.show_pane(False)

    def action_zoom(self) -> None:
        if self.zoomed:
            self.panes.set_class(False, "-zoomed")
            return
        if self.article.article_id is None:
            self.action_open()  # nothing open yet: read the story under the cursor
        self.panes.set_class(True, "-zoomed")
        self.show_pane(True)

    # Moving ---------------------------------------------------------------

    def action_cursor_down(self) -> None:
        if self.reading:
            self.article.scroll_down(animate=False)
        else:
            self.headlines.move_cursor(1)

    def action_cursor_up(self) -> None:
        if self.reading:
            self.article.scroll_up(animate=False)
        else:
            self.headlines.move_cursor(-1)

    def action_first(self) -> None:
        if self.reading:
            self.article.scroll_home(animate=False)
        else:
            self.headlines.cursor = 0

    def action_last(self) -> None:
        if self.reading:
            self.article.scroll_end(animate=False)
        else:
            self.headlines.cursor = len(self.headlines.headlines) - 1

    def action_page_down(self) -> None:
        self.article.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self.article.scroll_page_up(animate=False)

    # Opening --------------------------------------------------------------

    def action_open(self) -> None:
        headline = self.headlines.current
        if headline is not None:
            self.reader.open_article(headline.id)
            self._read_when_shown()

    # Enter gives the keys to the article at once, but the room when the
    # article arrives: the first frame after Enter shows it in the wide pane
    # (switching first painted the old pane at the new width: a frame, 15 ms).
    def _read_when_shown(self) -> None:
        if not self.reading:
            self._opening = True
            self.set_timer(OPEN_WAIT, self.article_shown)  # in case it never comes

    def article_shown(self) -> None:
        """An article was shown: if Enter asked for it, the article pane takes over."""
        if self._opening:
            self.show_pane(True)

    def _open_relative(self, delta: int) -> None:
        before = self.headlines.cursor
        self.headlines.move_cursor(delta)
        if self.headlines.cursor == before:
            self.notify("No more stories that way.", timeout=2)
            return
        self.action_open()

    def action_next_unread(self) -> None:
        self._open_unread(1)

    def action_previous_unread(self) -> None:
        self._open_unread(-1)

    def _open_unread(self, step: int) -> None:
        """newsboat's n / p: the next unread story down (or up) the list; past the
        last, the next feed with unread stories when one feed is shown, else
        round to the other end; and say so when none is left."""
        rows = self.headlines.headlines
        start = self.headlines.cursor
        ahead = range(start + 1, len(rows)) if step > 0 else range(start - 1, -1, -1)
        found = next((i for i in ahead if not rows[i].read), None)
        if found is None:
            view = self.reader.view
            if view.feed_id is not None and not view.query:
                self.reader.open_next_unread_feed(step)
                return
            # min: the list may be empty (cursor 0, no row 0).
            behind = (
                range(0, min(start + 1, len(rows)))
                if step > 0
                else range(len(rows) - 1, start - 1, -1)
            )
            found = next((i for i in behind if not rows[i].read), None)
            if found is None:
                self.notify("No unread stories left.", timeout=3)
                return
            self.notify("On from the top." if step > 0 else "On from the end.", timeout=2)
        self.headlines.cursor = found
        self.action_open()

    def open_first_unread(self) -> None:
        """Open the list's first unread story (the next feed, after n)."""
        rows = self.headlines.headlines
        found = next((i for i, row in enumerate(rows) if not row.read), None)
        if found is not None:
            self.headlines.cursor = found
            self.action_open()

    def action_mark_shown_read(self) -> None:
        # Only what is listed: a story that arrived since stays unread.
        unread = [row.id for row in self.headlines.headlines if not row.read]
        self.reader.mark_read(unread)

    def action_mark_all_read(self) -> None:
        self.reader.mark_read(None)

    def action_undo_mark(self) -> None:
        self.reader.undo_marking()

    def action_next_article(self) -> None:
        self._open_relative(1)

    def action_previous_article(self) -> None:
        self._open_relative(-1)

    @on(HeadlineList.Clicked)
    def _clicked(self, _event: HeadlineList.Clicked) -> None:
        self.action_open()

    # Marking --------------------------------------------------------------

    def action_toggle_read(self) -> None:
        headline = self.headlines.current
        if headline is not None:
            self.reader.set_flag(headline.id, "read", not headline.read)

    def action_toggle_star(self) -> None:
        headline = self.headlines.current
        if headline is not None:
            self.reader.set_flag(headline.id, "starred", not headline.starred)

    def action_unread_only(self) -> None:
        self.reader.view = self.reader.view.toggled_unread()
        self.notify(
            "Showing unread only" if self.reader.view.unread_only else "Showing all", timeout=2
        )

    def action_starred_only(self) -> None:
        self.reader.view = self.reader.view.toggled_starred()
        self.notify(
            "Showing starred only" if self.reader.view.starred_only else "Showing all", timeout=2
        )

    def action_sort(self) -> None:
        self.reader.view = view = self.reader.view.next_order()
        self.notify(f"Sorted {ORDER_NAMES[view.order]}.", timeout=2)

    def action_open_browser(self) -> None:
        headline = self.headlines.current
        if headline is None:
            return
        url = safe_link(headline.url) if headline.url else None
        if url is None:
            self.notify("This story has no web link.", severity="warning", timeout=3)
            return
        self.app.open_url(url)

    def action_links(self) -> None:
        links = self.article.links
        if not links:
            self.notify("This article has no links.", timeout=2)
            return
        self.app.push_screen(LinkList(links), self._open_link)

    def _open_link(self, url: str | None) -> None:
        if url is not None:
            self.app.open_url(url)

    def action_play(self) -> None:
        # The story on screen if there is one, else the one under the cursor.
        article_id = self.article.article_id
        if article_id is None and self.headlines.current is not None:
            article_id = self.headlines.current.id
        if article_id is not None:
            self.reader.play_enclosure(article_id)

    def action_subscribe(self) -> None:
        self.reader.toggle_subscription()

    def action_refresh(self) -> None:
        self.reader.start_refresh()

    def action_add_feed(self) -> None:
        if self.reader.config.offline:
            self.notify("Offline: adding a feed needs the network.", severity="warning")
            return
        self.app.push_screen(AddFeedDialog(self.reader.config.network, self.reader.subscribe_to))

    def action_feeds(self) -> None:
        self.reader.show_feed_list()

    def action_search(self) -> None:
        self.app.push_screen(SearchDialog(self.reader.view.query), self.reader.search_for)

    def action_filter(self) -> None:
        shown = self.reader.view.filter
        ask = AskLine(
            "Filter (title, content, author, feedtitle, folder, unread, starred, age, date ...)",
            shown.text if shown else "",
            'unread = "yes" and (title =~ "battery|lithium" or feedtitle = "Nikkei") and age < 7'
            "    Enter: filter (empty: show all)    Esc: keep",
        )
        self.app.push_screen(ask, self.reader.filter_by)

    def action_full_text(self) -> None:
        # The story on screen if there is one, else the one under the cursor.
        article_id = self.article.article_id
        if article_id is None and self.headlines.current is not None:
            article_id = self.headlines.current.id
        if article_id is not None:
            self.reader.start_full_text(article_id)

    def action_switch_version(self) -> None:
        # After `f`, the fetched story and the feed's own content take turns.
        view = self.article
        if view.article_id is None:
            return
        if not view.has_both:
            self.notify(
                "Only one version of this story is kept (f fetches the full one).", timeout=3
            )
            return
        self.reader.open_article(view.article_id, feed_version=not view.feed_version)
        self.notify(
            "Showing the full story." if view.feed_version else "Showing the feed's version.",
            timeout=2,
        )

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.reader.config))

    def action_quit(self) -> None:
        self.app.exit()
