"""What the headline list shows: one frozen value the app holds in a `reactive`.

Changing the view (unread only, one feed, a search) is one assignment;
the app's `watch_view` reloads the list and the header from it. Imports
nothing of Textual.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class ListView:
    """The headline list's filter: all, unread only, one feed, a search."""

    unread_only: bool = False
    feed_id: int | None = None  # one feed's headlines, or all
    feed_title: str = ""
    query: str = ""  # when set, the list shows search results

    def title(self) -> str:
        """How the header names this view, e.g. "Search: lithium (unread)"."""
        name = self.feed_title if self.feed_id is not None else "All articles"
        if self.query:
            name = f"Search: {self.query}"
        if self.unread_only:
            name += " (unread)"
        return name

    def same_list(self, other: ListView) -> bool:
        """Whether `other` lists the same stories, maybe fewer (the cursor can stay)."""
        return (self.feed_id, self.query) == (other.feed_id, other.query)

    def toggled_unread(self) -> ListView:
        """This view with "unread only" switched."""
        return replace(self, unread_only=not self.unread_only)

    def searching(self, query: str) -> ListView:
        """This view showing the matches of `query` ("" shows the list again)."""
        return replace(self, query=query)

    def of_feed(self, feed_id: int | None, title: str = "") -> ListView:
        """This view showing one feed (None: every feed)."""
        return replace(self, feed_id=feed_id, feed_title=title if feed_id is not None else "")
