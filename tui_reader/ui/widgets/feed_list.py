"""The feed list: folders and feeds with their counts, on Textual's line API.

Rows are painted only when on screen, from a cache of strips, so a
thousand feeds open as fast as ten. The rows themselves come from
`feed_rows`, a plain function of the library's feeds. Imports Textual,
the library's `Feed` and `dates`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from rich.cells import cell_len
from rich.segment import Segment
from textual import events
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui_reader.dates import short_date
from tui_reader.library.feeds import Feed
from tui_reader.ui.widgets.headline_list import fit_cells

RowKind = Literal["all", "starred", "query", "folder", "feed"]


@dataclass(frozen=True)
class FeedRow:
    """One row of the feed list: everything, the starred stories, a query feed,
    a folder or a feed."""

    kind: RowKind
    label: str
    unread: int
    total: int
    feed: Feed | None = None
    folder: str | None = None  # the folder a folder row names, or a feed is filed under


def feed_rows(
    feeds: Sequence[Feed],
    starred: tuple[int, int],
    everything: tuple[int, int],
    queries: Sequence[tuple[str, int, int]] = (),
) -> list[FeedRow]:
    """The feed list's rows: all articles, starred, the query feeds, the feeds
    with no folder, then each folder (with its totals) followed by its feeds.

    Args:
        feeds: The subscriptions, as `Store.feeds` lists them (by folder, title).
        starred: (unread, total) of the starred stories.
        everything: (unread, total) of the whole library.
        queries: (name, unread, total) of each [[query]] of the config.
    """
    rows = [
        FeedRow("all", "All articles", *everything),
        FeedRow("starred", "Starred", *starred),
    ]
    rows += [FeedRow("query", name, unread, total) for name, unread, total in queries]
    folders: dict[str, list[Feed]] = {}
    for feed in feeds:
        if feed.folder:
            folders.setdefault(feed.folder, []).append(feed)
        else:
            rows.append(FeedRow("feed", feed.title or feed.url, feed.unread, feed.total, feed))
    for folder, members in folders.items():
        unread = sum(f.unread for f in members)
        total = sum(f.total for f in members)
        rows.append(FeedRow("folder", folder, unread, total, folder=folder))
        rows += [
            FeedRow("feed", f.title or f.url, f.unread, f.total, f, folder=folder) for f in members
        ]
    return rows


class FeedList(ScrollView, can_focus=True, inherit_bindings=False):
    """A scrolling list of `FeedRow`s with a cursor; the screen's bindings drive it."""

    COMPONENT_CLASSES = {
        "feed-list--cursor",
        "feed-list--unread",
        "feed-list--meta",
        "feed-list--folder",
        "feed-list--error",
    }

    DEFAULT_CSS = """
    FeedList {
        background: $surface;
        scrollbar-gutter: stable;
        overflow-x: hidden;
    }
    FeedList > .feed-list--cursor {
        background: $accent;
        color: $text;
    }
    FeedList > .feed-list--unread {
        text-style: bold;
    }
    FeedList > .feed-list--meta {
        color: $text-muted;
    }
    FeedList > .feed-list--folder {
        color: $text-accent;
        text-style: bold;
    }
    FeedList > .feed-list--error {
        color: $error;
    }
    """

    cursor: reactive[int] = reactive(0, always_update=True)

    class Highlighted(Message):
        """The cursor moved to another row."""

    class Clicked(Message):
        """A row was clicked."""

    def __init__(self, *, clock: Callable[[], float] = time.time, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[FeedRow] = []
        self.clock = clock
        self._cache: LRUCache[tuple[object, ...], Strip] = LRUCache(1024)

    def set_rows(self, rows: Sequence[FeedRow], keep: FeedRow | None = None) -> None:
        """Replace the rows, keeping the cursor on the same feed or folder when it is there."""
        self.rows = list(rows)
        index = min(self.cursor, max(0, len(self.rows) - 1))
        if keep is not None:
            index = next((i for i, row in enumerate(self.rows) if _same(row, keep)), index)
        self._cache.clear()
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.rows))
        self.cursor = index
        self.refresh()

    @property
    def current(self) -> FeedRow | None:
        """The row under the cursor."""
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.rows) - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old)
        self.refresh_line(new)
        self.scroll_to_region(Region(0, new, 1, 1), animate=False, x_axis=False, immediate=True)
        self.post_message(self.Highlighted())

    def move_cursor(self, delta: int) -> None:
        """Move the cursor by `delta` rows, stopping at the ends."""
        self.cursor = self.cursor + delta

    def page(self, direction: int) -> None:
        """Move the cursor a page up (-1) or down (1)."""
        self.move_cursor(direction * max(1, self.scrollable_content_region.height - 1))

    def on_resize(self) -> None:
        self._cache.clear()
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.rows))

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = self.scroll_offset.y + y
        if not 0 <= index < len(self.rows):
            return Strip.blank(width, self.rich_style)
        row = self.rows[index]
        key = (index, width, row, index == self.cursor)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_row(row, width, index == self.cursor)
            self._cache[key] = strip
        return strip

    def _render_row(self, row: FeedRow, width: int, is_cursor: bool) -> Strip:
        style = self.get_component_rich_style
        base = self.rich_style
        if row.kind == "folder":
            base += style("feed-list--folder")
        elif row.unread:
            base += style("feed-list--unread")
        meta = self.rich_style + style("feed-list--meta")
        error = self.rich_style + style("feed-list--error")
        if is_cursor:
            cursor = style("feed-list--cursor")
            base, meta, error = base + cursor, meta + cursor, error + cursor
        # A failed refresh is marked where the eye starts: before the title.
        failed = row.feed is not None and bool(row.feed.error)
        indent = "  " if row.kind == "feed" and row.folder else ""
        mark = {"folder": "▾ ", "query": "? "}.get(row.kind, "⚠ " if failed else "  ")
        counts = f"{row.unread:,}/{row.total:,}".rjust(15)
        updated = ""
        if row.feed is not None:
            updated = short_date(row.feed.updated, self.clock()) or "never"
        right = f"  {counts}  {updated:>10}" if width >= 60 else f"  {counts}"
        title_width = max(0, width - len(indent) - 2 - cell_len(right))
        segments = [
            Segment(indent, base),
            Segment(mark, error if failed else base),
            Segment(fit_cells(row.label, title_width), base),
            Segment(right, meta),
        ]
        return Strip(segments).adjust_cell_length(width, base)

    def on_click(self, event: events.Click) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < len(self.rows):
            self.cursor = index
            self.post_message(self.Clicked())


def _same(row: FeedRow, other: FeedRow) -> bool:
    """Whether two rows name the same thing (a feed by id, a folder by name)."""
    if row.kind != other.kind:
        return False
    if row.feed is not None and other.feed is not None:
        return row.feed.id == other.feed.id
    return row.folder == other.folder
