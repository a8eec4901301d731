"""Marking many stories at once (a list as shown, a feed, everything) and taking it back.

One use case for the app (A, C and U) and the CLI (`mark`). Only what was
there when the list was shown is marked: the app passes the ids it shows,
and marking everything stops at the last story stored when the list was
loaded, so a story that arrives meanwhile stays unread. Imports the library.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tui_reader.filter_language import Filter
from tui_reader.library.articles import Flag
from tui_reader.library.store import Store

_WORDS = {("read", True): "read", ("read", False): "unread"}
_WORDS |= {("starred", True): "starred", ("starred", False): "unstarred"}


@dataclass(frozen=True)
class Marked:
    """What a marking changed: which flag, to what, on which stories (for an undo)."""

    flag: Flag
    value: bool
    ids: tuple[str, ...]

    def line(self) -> str:
        """One line for the user, e.g. "Marked 1,234 stories read."."""
        count = len(self.ids)
        if not count:
            return f"Nothing to mark {_WORDS[self.flag, self.value]}."
        stories = "story" if count == 1 else "stories"
        return f"Marked {count:,} {stories} {_WORDS[self.flag, self.value]}."

    def undo(self, store: Store) -> Marked:
        """Put the flag back on exactly the stories this changed."""
        back = not self.value
        return Marked(self.flag, back, tuple(store.set_flag_many(self.ids, self.flag, back)))


def mark(store: Store, article_ids: Iterable[str], flag: Flag, value: bool) -> Marked:
    """Set `flag` to `value` on the given stories (ids already checked to exist)."""
    return Marked(flag, value, tuple(store.set_flag_many(article_ids, flag, value)))


def mark_all_read(store: Store, *, feed_id: int | None = None, up_to: int | None = None) -> Marked:
    """Mark every unread story read (one feed's, or all), none stored after `up_to`
    (`Store.last_row` when the list was loaded)."""
    return Marked("read", True, tuple(store.mark_all_read(feed_id=feed_id, up_to=up_to)))


def mark_filter_read(store: Store, picked: Filter, *, now: float | None = None) -> Marked:
    """Mark read every unread story a filter (a query feed's) picks, none hidden.

    Story by story, not as a mark-all-read: a sync server is told of exactly
    these, not of every story of a stream up to a time.
    """
    ids = [h.id for h in store.headlines(unread_only=True, filter=picked, now=now)]
    return mark(store, ids, "read", True)
