"""The headline list, built on Textual's line API.

A `ScrollView` paints only the rows on screen, from an LRU cache of rendered
strips, so 100,000 headlines cost no more to show than 10 (one widget per row,
or an OptionList, takes seconds to paint that many).
Imports Textual, the library's `Headline` and `dates`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual import events
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui_reader.dates import short_date
from tui_reader.library.articles import Headline

# The feed's column: a fifth of the room, between these. The title comes
# first: the feed column shrinks to leave it `TITLE_ROOM` cells, and goes
# when the title would have fewer than `TITLE_LEAST`.
SOURCE_WIDTH = (8, 14)
TITLE_ROOM = 40
TITLE_LEAST = 30
# "14:05" and "Dec 01"; "2024-12-01" once any story is from an earlier year.
DATE_WIDTH = 6
OLD_DATE_WIDTH = 10
GAP = "  "


def fit_cells(text: str, width: int) -> str:
    """Pad or cut `text` to exactly `width` cells, marking a cut with "…"."""
    if cell_len(text) > width:
        return set_cell_size(text, max(0, width - 1)) + ("…" if width else "")
    return set_cell_size(text, width)


class HeadlineList(ScrollView, can_focus=True, inherit_bindings=False):
    """A scrolling list of headlines with a cursor.

    It has no key bindings of its own: the screen's bindings drive it, so the
    user's keymap applies in one place.
    """

    COMPONENT_CLASSES = {
        "headline-list--cursor",
        "headline-list--cursor-blurred",
        "headline-list--unread",
        "headline-list--read",
        "headline-list--meta",
        "headline-list--star",
        "headline-list--open",
    }

    DEFAULT_CSS = """
    HeadlineList {
        background: $surface;
        scrollbar-gutter: stable;
        overflow-x: hidden;
    }
    HeadlineList > .headline-list--cursor {
        background: $accent;
        color: $text;
        text-style: bold;
    }
    HeadlineList > .headline-list--cursor-blurred {
        background: $accent 40%;
    }
    HeadlineList > .headline-list--unread {
        text-style: bold;
    }
    HeadlineList > .headline-list--read {
        color: $text-muted;
    }
    HeadlineList > .headline-list--meta {
        color: $text-muted;
    }
    HeadlineList > .headline-list--star {
        color: $warning;
    }
    HeadlineList > .headline-list--open {
        color: $accent;
    }
    """

    cursor: reactive[int] = reactive(0, always_update=True)

    class Clicked(Message):
        """A headline was clicked."""

        def __init__(self, index: int) -> None:
            self.index = index
            super().__init__()

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        name: str | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id)
        self.headlines: list[Headline] = []
        self.open_id: str | None = None
        self.clock = clock  # what "today" is, for the dates
        self._show_source = False  # only when the list holds more than one feed
        self._date_width = DATE_WIDTH
        self._cache: LRUCache[tuple[object, ...], Strip] = LRUCache(1024)

    # Data -----------------------------------------------------------------

    def set_headlines(self, headlines: Sequence[Headline], keep_id: str | None = None) -> None:
        """Replace the list, keeping the cursor on `keep_id` when it is still there."""
        self.headlines = list(headlines)
        # Sources are interned strings and years a 4-character prefix: a pass
        # over 100,000 headlines costs a few milliseconds.
        self._show_source = len({h.source for h in self.headlines}) > 1
        this_year = time.strftime("%Y", time.localtime(self.clock()))
        old = any(h.published is not None and h.published[:4] < this_year for h in self.headlines)
        self._date_width = OLD_DATE_WIDTH if old else DATE_WIDTH
        index = 0
        if keep_id is not None:
            for i, headline in enumerate(self.headlines):
                if headline.id == keep_id:
                    index = i
                    break
        self._cache.clear()
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.headlines))
        self.cursor = self._clamp(index)
        self.scroll_to_cursor(animate=False)
        self.refresh()

    def update_headline(self, headline: Headline) -> None:
        """Replace one headline (after marking it read or starred)."""
        for i, current in enumerate(self.headlines):
            if current.id == headline.id:
                self.headlines[i] = headline
                self.refresh_line(i)
                break

    def set_open(self, article_id: str | None) -> None:
        """Mark which headline's article the article pane shows."""
        self.open_id = article_id
        self.refresh()

    @property
    def current(self) -> Headline | None:
        """The headline under the cursor."""
        if 0 <= self.cursor < len(self.headlines):
            return self.headlines[self.cursor]
        return None

    # Cursor ---------------------------------------------------------------

    def _clamp(self, index: int) -> int:
        return max(0, min(index, len(self.headlines) - 1))

    def validate_cursor(self, value: int) -> int:
        return self._clamp(value)

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old)
        self.refresh_line(new)
        self.scroll_to_cursor()

    def move_cursor(self, delta: int) -> None:
        """Move the cursor by `delta` rows, stopping at the ends."""
        self.cursor = self.cursor + delta

    def scroll_to_cursor(self, *, animate: bool = False) -> None:
        """Scroll just enough to show the cursor row."""
        self.scroll_to_region(
            Region(0, self.cursor, 1, 1), animate=animate, x_axis=False, immediate=True
        )

    def page(self, direction: int) -> None:
        """Move the cursor a page up (-1) or down (1)."""
        self.move_cursor(direction * max(1, self.scrollable_content_region.height - 1))

    # Painting -------------------------------------------------------------

    def on_resize(self) -> None:
        self._cache.clear()
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.headlines))

    def _on_focus(self, event: events.Focus) -> None:
        self.refresh_line(self.cursor)

    def _on_blur(self, event: events.Blur) -> None:
        self.refresh_line(self.cursor)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = self.scroll_offset.y + y
        if not 0 <= index < len(self.headlines):
            return Strip.blank(width, self.rich_style)
        headline = self.headlines[index]
        is_cursor = index == self.cursor
        key = (
            index,
            width,
            headline,
            is_cursor,
            is_cursor and self.has_focus,
            headline.id == self.open_id,
        )
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_headline(headline, width, is_cursor, headline.id == self.open_id)
            self._cache[key] = strip
        return strip

    def _render_headline(
        self, headline: Headline, width: int, is_cursor: bool, is_open: bool
    ) -> Strip:
        style = self.get_component_rich_style
        base = self.rich_style + style(
            "headline-list--unread" if not headline.read else "headline-list--read"
        )
        if is_cursor:
            base += style(
                "headline-list--cursor" if self.has_focus else "headline-list--cursor-blurred"
            )
        # Source and date stay plain (not bold) even on unread rows.
        meta = self.rich_style + style("headline-list--meta")
        if is_cursor:
            meta += style(
                "headline-list--cursor" if self.has_focus else "headline-list--cursor-blurred"
            )

        # Columns: open marker, unread dot, star, title, then the feed (when
        # the list holds more than one) and the date, two cells apart.
        open_style = base if is_cursor else base + style("headline-list--open", partial=True)
        marks = [
            Segment("▶" if is_open else " ", open_style),
            Segment("●" if not headline.read else " ", base),
            Segment(
                "★" if headline.starred else " ", base + style("headline-list--star", partial=True)
            ),
            Segment(" ", base),
        ]
        date = short_date(headline.published, self.clock())
        # An undated row gives the date's room to its title, unless a feed
        # column must stay aligned after it.
        keep_date = width >= 30 and (date or self._show_source)
        right = GAP + date.rjust(self._date_width) if keep_date else ""
        source_width = self._source_width(width - 4 - cell_len(right))
        if source_width:
            right = GAP + fit_cells(headline.source, source_width) + right
        title_width = max(0, width - 4 - cell_len(right))
        segments = [*marks, Segment(fit_cells(headline.title, title_width), base)]
        if right:
            segments.append(Segment(right, meta))
        return Strip(segments).adjust_cell_length(width, base)

    def _source_width(self, room: int) -> int:
        """The feed column's width in a row whose title and feed share `room` cells (0: none)."""
        if not self._show_source:
            return 0
        low, high = SOURCE_WIDTH
        wanted = max(low, min(high, room // 5))
        spare = room - len(GAP) - TITLE_ROOM
        width = max(low, min(wanted, spare))
        return width if room - len(GAP) - width >= TITLE_LEAST else 0

    # Mouse ----------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < len(self.headlines):
            self.cursor = index
            self.post_message(self.Clicked(index))
