"""What the headline list shows: one frozen value the app holds in a `reactive`.

Changing the view (unread only, starred, one feed, one folder, a search, the
order) is one assignment; the app's `watch_view` reloads the list and the
header from it. Imports nothing of Textual.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tui_reader.library.articles import ORDERS, Order

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
    order: Order = "newest"

    def title(self) -> str:
        """How the header names this view, e.g. "Folder: Tech (unread), oldest first"."""
        if self.query:
            name = f"Search: {self.query}"
        elif self.feed_id is not None:
            name = self.feed_title
        elif self.folder is not None:
            name = f"Folder: {self.folder}"
        else:
            name = "Starred" if self.starred_only else "All articles"
        if self.starred_only and (self.query or self.feed_id is not None or self.folder):
            name += " (starred)"
        if self.unread_only:
            name += " (unread)"
        if self.order != ORDERS[0] and not self.query:
            name += f", {ORDER_NAMES[self.order]}"
        return name

    def same_list(self, other: ListView) -> bool:
        """Whether `other` lists the same stories, maybe fewer or in another
        order (the cursor can stay on its story)."""
        return (self.feed_id, self.folder, self.query) == (other.feed_id, other.folder, other.query)

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

    def of_feed(self, feed_id: int | None, title: str = "") -> ListView:
        """This view showing one feed (None: every feed)."""
        return replace(
            self, feed_id=feed_id, feed_title=title if feed_id is not None else "", folder=None
        )

    def of_folder(self, folder: str) -> ListView:
        """This view showing the feeds of one folder."""
        return replace(self, feed_id=None, feed_title="", folder=folder)

    def of_everything(self, *, starred: bool = False) -> ListView:
        """Every story (or every starred one), with no feed, folder or search."""
        return replace(
            self, feed_id=None, feed_title="", folder=None, query="", starred_only=starred
        )
