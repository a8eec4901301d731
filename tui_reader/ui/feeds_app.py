"""The app's views of feeds, folders and starred stories, apart from the rest of the app.

`ReaderApp` builds on this class. It holds the list's view (a `reactive`:
one assignment reloads the list), opens the feed list screen and turns
its choices into views, hops to the next feed with unread stories for n,
and remembers the list's order in the library. Imports Textual, the
library and the UI's screens.
"""

from __future__ import annotations

from textual import work
from textual.reactive import reactive

from tui_reader.filter_language import FilterError, parse_filter
from tui_reader.filter_settings import find_query
from tui_reader.library.articles import ORDERS, Order
from tui_reader.library.feeds import FeedOverview
from tui_reader.ui.feeds_screen import FeedsScreen
from tui_reader.ui.list_view import ListView
from tui_reader.ui.marking_app import MarkingApp
from tui_reader.ui.widgets.feed_list import FeedRow

# The library setting that remembers the headline list's order.
ORDER_SETTING = "list.order"


class FeedsApp(MarkingApp):
    """An app whose headline list shows one view of the library; `ReaderApp` is the one."""

    # What the headline list shows; `watch_view` reloads the list and the header.
    view: reactive[ListView] = reactive(ListView(), init=False, always_update=True)

    open_first_unread: bool  # n moved to another feed: open its first unread
    # The feed list as last read, shown at once the next time F opens it.
    known_feeds: FeedOverview | None = None

    # The filter -----------------------------------------------------------

    def filter_by(self, text: str | None) -> None:
        """Show the stories a filter expression picks; "" shows them all again.

        A bad expression is one line in a notice and the list stays as it was.
        Parsing is quick and reads nothing: the SQL runs in `load_headlines`.
        """
        if text is None:  # Esc
            return
        if not text.strip():
            if self.view.filter is not None:
                self.view = self.view.filtered(None)
            return
        try:
            picked = parse_filter(text)
        except FilterError as exc:
            self.notify(str(exc), severity="warning", timeout=8)
            return
        self.view = self.view.filtered(picked)

    # The feed list --------------------------------------------------------

    def show_feed_list(self) -> None:
        """Open the feed list screen (F)."""
        if self.store is None:  # still opening (a migration), or it could not be opened
            self.notify("The library is not open yet.", timeout=3)
        else:
            self.push_screen(
                FeedsScreen(
                    self.store,
                    self.config,
                    self._row_chosen,
                    self._feeds_changed,
                    known=self.known_feeds,
                    loaded=self._remember_feeds,
                )
            )

    def _remember_feeds(self, overview: FeedOverview) -> None:
        self.known_feeds = overview

    def read_feed_list(self) -> None:
        """Read the feed list ahead, so that F shows it at once (in a thread worker)."""
        if self.store is not None:
            self._remember_feeds(self.store.feed_overview())

    def _row_chosen(self, row: FeedRow) -> None:
        """Show what the feed list's row stands for, keeping unread only and the order."""
        if row.kind == "all":
            self.view = self.view.of_everything()
        elif row.kind == "starred":
            self.view = self.view.of_everything(starred=True)
        elif row.kind == "query":
            query = find_query(self.config.queries, row.label)
            if query is not None:
                self.view = self.view.of_everything().of_query(query.name, query.filter)
        elif row.kind == "folder" and row.folder is not None:
            self.view = self.view.of_everything().of_folder(row.folder)
        elif row.feed is not None:
            feed = row.feed
            self.view = self.view.of_everything().of_feed(feed.id, feed.title or feed.url)

    def _feeds_changed(self, gone: int | None) -> None:
        """Feeds were reloaded, renamed, moved or removed: the list shows it."""
        if gone is not None and self.view.feed_id == gone:
            self.view = self.view.of_feed(None)
        else:
            self.reload_headlines()

    def show_one_feed(self, feed_id: int, title: str) -> None:
        """Show one feed's stories."""
        self.view = self.view.of_feed(feed_id, title)

    # n past the last unread -----------------------------------------------

    @work(thread=True, exclusive=True, group="next-feed")
    def open_next_unread_feed(self, step: int) -> None:
        """Show the next (1) or previous (-1) feed with unread stories and open its first."""
        if self.store is None:
            return
        with self._store_errors():
            feeds = self.store.feeds()
            at = next((i for i, f in enumerate(feeds) if f.id == self.view.feed_id), 0)
            turn = [feeds[(at + step * n) % len(feeds)] for n in range(1, len(feeds))]
            feed = next((f for f in turn if f.unread), None)
            if feed is None:
                self.call_from_thread(self.notify, "No unread stories left.", timeout=3)
                return
            self.call_from_thread(self._open_feed_at_first_unread, feed.id, feed.title)

    def _open_feed_at_first_unread(self, feed_id: int, title: str) -> None:
        self.open_first_unread = True
        self.notify(f"On to {title}.", timeout=2)
        self.show_one_feed(feed_id, title)

    # The order ------------------------------------------------------------

    def remembered_order(self) -> Order:
        """The order the list was last shown in (called in a thread worker)."""
        if self.store is None:
            return ORDERS[0]
        stored = self.store.get_setting(ORDER_SETTING)
        return next((order for order in ORDERS if order == stored), ORDERS[0])

    @work(thread=True, exclusive=True, group="order")
    def remember_order(self, order: Order) -> None:
        """Keep the list's order for the next start."""
        if self.store is not None:
            with self._store_errors():
                self.store.set_setting(ORDER_SETTING, order)
