"""What the headline list shows: one frozen value the app holds in a `reactive`.

Changing the view (unread only, starred, one feed, one folder, a search, a
filter expression, the order) is one assignment; the app's `watch_view` reloads the list and the
header from it. Imports nothing of Textual.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tui_reader.filter_language import Filter
from tui_reader.library.articles import ORDERS, Order
from tui_reader.sanitize import clean_line

# How the header names an order other than the default.
ORDER_NAMES: dict[Order, str] = {
    "newest": "newest first",
    "oldest": "oldest first",
    "feed": "by feed",
}


@dataclass(frozen=True)
class ListView:
    """The headline list's filter and order."""

    unread_only: bool = False
    starred_only: bool = False
    feed_id: int | None = None  # one feed's headlines, or all
    feed_title: str = ""
    folder: str | None = None  # the feeds filed under one folder
    query: str = ""  # when set, the list shows search results
    filter: Filter | None = None  # when set, only the stories it picks
    query_feed: str = ""  # the [[query]] whose filter `filter` is, by name
    order: Order = "newest"

    def title(self) -> str:
        """How the header names this view, e.g. "Folder: Tech (unread), oldest first".

        The filter's text is the user's, but the header shows it as `Text`, never markup.
        """
        shown_filter = clean_line(self.filter.text) if self.filter else ""
        whole_library = not self.query and self.feed_id is None and self.folder is None
        if self.query_feed and whole_library:
            name = f"Query: {clean_line(self.query_feed)}"
        elif shown_filter and whole_library:
            name = f"Filter: {shown_filter}"
        elif self.query:
            name = f"Search: {self.query}"
        elif self.feed_id is not None:
            name = self.feed_title
        elif self.folder is not None:
            name = f"Folder: {self.folder}"
        else:
            name = "Starred" if self.starred_only else "All articles"
        if shown_filter and not whole_library:
            name += f" (filter: {shown_filter})"
        if self.starred_only and (
            self.query or self.feed_id is not None or self.folder or self.filter
        ):
            name += " (starred)"
        if self.unread_only:
            name += " (unread)"
        if self.order != ORDERS[0] and not self.query:
            name += f", {ORDER_NAMES[self.order]}"
        return name

    def same_list(self, other: ListView) -> bool:
        """Whether `other` lists the same stories, maybe fewer or in another
        order (the cursor can stay on its story)."""
        return (self.feed_id, self.folder, self.query, self.filter) == (
            other.feed_id,
            other.folder,
            other.query,
            other.filter,
        )

    def toggled_unread(self) -> ListView:
        """This view with "unread only" switched."""
        return replace(self, unread_only=not self.unread_only)

    def toggled_starred(self) -> ListView:
        """This view with "starred only" switched."""
        return replace(self, starred_only=not self.starred_only)

    def next_order(self) -> ListView:
        """This view in the next order: newest first, oldest first, by feed."""
        return replace(self, order=ORDERS[(ORDERS.index(self.order) + 1) % len(ORDERS)])

    def searching(self, query: str) -> ListView:
        """This view showing the matches of `query` ("" shows the list again)."""
        return replace(self, query=query)

    def filtered(self, filter: Filter | None) -> ListView:
        """This view with only the stories a filter picks (None: every story again)."""
        return replace(self, filter=filter, query_feed="")

    def of_query(self, name: str, filter: Filter) -> ListView:
        """A query feed's stories: its filter over the whole library, named for it."""
        return replace(self.of_everything(), filter=filter, query_feed=name)

    def of_feed(self, feed_id: int | None, title: str = "") -> ListView:
        """This view showing one feed (None: every feed)."""
        return replace(
            self, feed_id=feed_id, feed_title=title if feed_id is not None else "", folder=None
        )

    def of_folder(self, folder: str) -> ListView:
        """This view showing the feeds of one folder."""
        return replace(self, feed_id=None, feed_title="", folder=folder)

    def of_everything(self, *, starred: bool = False) -> ListView:
        """Every story (or every starred one), with no feed, folder, search or filter."""
        return replace(
            self,
            feed_id=None,
            feed_title="",
            folder=None,
            query="",
            filter=None,
            query_feed="",
            starred_only=starred,
        )
