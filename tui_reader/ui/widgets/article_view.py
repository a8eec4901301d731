"""The article pane: the open article rendered by Rich, wrapped and scrollable.

Built on the line API like the headline list: the article is laid out by
Rich once per width and only the lines on screen are painted. A `Static` in
a scroll container took 70-100 ms to show 5,000 words, because Textual laid
the whole of it out again; wrapping it all before the first paint still took
70 ms, so only the first screenful is wrapped before it (about 45 ms), and
the rest after it in turns of 15 ms, keys handled between turns (a table of
6,000 lines takes a few). Each width's layout is kept for the article shown,
since the panes trade widths as the keyboard moves between them. A Sixel
picture is written over its cells when all of it is in view.
Imports Textual, Rich and `pictures` (Rich only).
"""

from __future__ import annotations

import time
from bisect import bisect_right
from dataclasses import dataclass
from functools import partial
from typing import Any

from rich.console import Group, RenderableType
from rich.control import Control
from rich.segment import ControlType, Segment
from rich.text import Text
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui_reader.pictures import SixelPicture, TerminalPicture

EMPTY_HINT = "No article open.\n\nMove to a headline and press Enter to read it."
# The least margin left of the text; a pane wider than the text centres it.
PADDING = 2
# Widths of one article kept wrapped (the panes' two, and a resize or two).
KEPT_LAYOUTS = 4
# Seconds of wrapping per turn after the first paint (keys are read between turns).
REST_BUDGET = 0.015
# Around a Sixel picture: the cursor saved and put back (DECSC, DECRC), and the
# control code that tells Rich a segment takes no cells.
SAVE_CURSOR, RESTORE_CURSOR = "\x1b7", "\x1b8"
NO_CELLS = ((ControlType.CURSOR_FORWARD, 0),)


class ArticleView(ScrollView, can_focus=True, inherit_bindings=False):
    """Shows one article. Keys come from the screen's bindings."""

    COMPONENT_CLASSES = {"article-view--empty"}

    DEFAULT_CSS = """
    ArticleView {
        background: $surface;
        scrollbar-gutter: stable;
        overflow-x: hidden;
    }
    ArticleView > .article-view--empty {
        color: $text-muted;
    }
    """

    def __init__(self, *, text_width: int = 80, id: str | None = None) -> None:
        """An empty pane.

        Args:
            text_width: Cells the text wraps at (config `reader.text_width`);
                0 wraps at the pane's width.
            id: The widget's id.
        """
        super().__init__(id=id)
        self.wanted_width = text_width
        self.article_id: str | None = None
        self.withheld = False  # showing only a teaser
        self.feed_version = False  # the feed's own content, not the fetched full story
        self.has_both = False  # the full story was fetched: both versions are kept
        self.links: tuple[str, ...] = ()  # the article's numbered links, link n at n - 1
        self._renderable: RenderableType = Text(EMPTY_HINT)
        self._lines: list[Strip] = []
        self._starts: list[int] = []  # the first line of each part laid out
        self._done = 0  # parts laid out; the rest follow the first paint
        self._laid_out: tuple[int, int] | None = None  # (text width, margin)
        # Finished layouts of this article by (width, margin): the panes
        # trade widths as the keyboard moves, and each width is wrapped once.
        self._layouts: dict[
            tuple[int, int], tuple[list[Strip], list[int], list[tuple[int, int, str]]]
        ] = {}
        self._margin = PADDING
        # Sixel pictures laid out: (first line, last line, Sixel data), drawn
        # over their cells when all of one is in view.
        self._overlays: list[tuple[int, int, str]] = []
        self._asked: set[int] = set()  # widths the app was asked to make pictures for

    @dataclass
    class PicturesMisfit(Message):
        """The article's kitty or Sixel pictures are laid out at a width they were
        not made for (the pane changed width): the app makes them for it."""

        article_id: str
        room: int  # cells

    def show(self, article_id: str | None, text: RenderableType, *, withheld: bool = False) -> None:
        """Show a rendered article (or a message) from the top."""
        self._asked.clear()
        self.article_id = article_id
        self.withheld = withheld
        self._renderable = text
        self._laid_out = None
        self._layouts.clear()
        self._margin = PADDING
        self._layout()
        self.scroll_home(animate=False, immediate=True)
        self.refresh()

    def redraw(self, article_id: str, text: RenderableType) -> None:
        """Show the same article drawn again (its pictures decoded), the reader's
        place kept: placeholders had the pictures' size, so nothing moves."""
        if article_id != self.article_id:
            return  # another story was opened meanwhile
        place = self._place()
        self._renderable = text
        self._laid_out = None
        self._layouts.clear()
        self._layout(place=place)
        self.refresh()

    def refit(self, article_id: str) -> None:
        """Lay the article out again: its pictures were made for the pane's width."""
        self.redraw(article_id, self._renderable)

    @property
    def text_room(self) -> int:
        """Cells the text (and a picture) may take at the pane's width now."""
        return self._text_width()

    def _text_width(self) -> int:
        room = self.scrollable_content_region.width - 2 * PADDING
        return max(10, min(self.wanted_width, room) if self.wanted_width else room)

    def _text_margin(self, width: int) -> int:
        """Cells left of the text: centred in a pane wider than the text."""
        return max(PADDING, (self.scrollable_content_region.width - width) // 2)

    def _layout(self, *, keep_place: bool = False, place: tuple[int, float] | None = None) -> None:
        """Wrap the article to the pane (once per width) into painted lines.

        Only the first screenful is wrapped before the first paint; the rest
        follows right after it (5,000 words take about 25 ms to wrap, more
        than the whole budget for showing an article).

        Args:
            keep_place: Keep the line at the top of the pane in view (the
                pane changed width under the reader): the same part of the
                article, at the same share of that part, stays on top.
            place: That place, taken before the article was drawn again.
        """
        width = self._text_width()
        margin = self._text_margin(width)
        key = (width, margin)
        if key == self._laid_out:
            return
        place = place or (self._place() if keep_place else None)
        parts = self._parts()
        if self._laid_out is not None and self._done == len(parts):
            self._layouts[self._laid_out] = (self._lines, self._starts, self._overlays)
            while len(self._layouts) > KEPT_LAYOUTS:  # a terminal resized many times
                del self._layouts[next(iter(self._layouts))]
        self._laid_out = key
        self._margin = margin
        cached = self._layouts.get(key)
        if cached is not None:
            self._lines, self._starts, self._overlays = cached
            self._done = len(parts)
        else:
            self._lines, self._starts, self._done, self._overlays = [], [], 0, []
            first = place[0] if place else 0
            wanted = max(1, self.size.height) + 1
            while self._done < len(parts) and (
                self._done <= first or len(self._lines) - self._starts[first] < wanted
            ):
                self._add_part(parts[self._done], width)
            if self._done < len(parts):
                self.call_after_refresh(self._layout_rest, key)
        self.virtual_size = Size(width + 2 * margin, len(self._lines))
        if place is not None:
            self.scroll_to(y=self._line_of(place), animate=False, immediate=True)

    def _add_part(self, part: RenderableType, width: int) -> None:
        start = len(self._lines)
        self._starts.append(start)
        self._lines += self._wrap(part, width)
        self._done += 1
        if isinstance(part, TerminalPicture):
            overlay = part.overlay(width) if isinstance(part, SixelPicture) else None
            if overlay is not None:
                self._overlays.append((start, len(self._lines) - 1, overlay))
            elif not part.fits(width) and width not in self._asked and self.article_id:
                self._asked.add(width)  # once a width: its half-blocks show meanwhile
                # Made in a callback: a message made while the screen paints
                # has the screen as its sender and would stop there.
                self.call_later(self._misfit, self.article_id, width)

    def _misfit(self, article_id: str, width: int) -> None:
        self.post_message(self.PicturesMisfit(article_id, width))

    def _place(self) -> tuple[int, float] | None:
        """Where the pane's top line is: (part, share of that part's lines)."""
        top = self.scroll_offset.y
        if self._laid_out is None or not self._starts or top <= 0:
            return None
        part = bisect_right(self._starts, top) - 1
        end = self._starts[part + 1] if part + 1 < len(self._starts) else len(self._lines)
        return part, (top - self._starts[part]) / max(1, end - self._starts[part])

    def _line_of(self, place: tuple[int, float]) -> int:
        part, share = place
        part = min(part, len(self._starts) - 1)
        end = self._starts[part + 1] if part + 1 < len(self._starts) else len(self._lines)
        return self._starts[part] + round(share * (end - self._starts[part]))

    def _parts(self) -> list[RenderableType]:
        # A Group's parts wrap independently, so they can be laid out in turns.
        if isinstance(self._renderable, Group):
            return list(self._renderable.renderables)
        return [self._renderable]

    def _wrap(self, renderable: RenderableType, width: int) -> list[Strip]:
        console = self.app.console
        style = self.rich_style
        if self.article_id is None:
            style += self.get_component_rich_style("article-view--empty", partial=True)
        options = console.options.update_width(width)
        lines = console.render_lines(renderable, options, style=style, pad=True)
        pad = Segment(" " * self._margin, self.rich_style)
        return [Strip([pad, *line]) for line in lines]

    def _layout_rest(self, key: tuple[int, int], *, budget: float | None = REST_BUDGET) -> None:
        """Wrap what the first paint left out (unless the article or width changed).

        It goes on in turns of `budget` seconds, so keys pressed meanwhile are
        handled between turns (a 6,000-line table takes a few turns).
        """
        parts = self._parts()
        if key != self._laid_out or self._done >= len(parts):
            return
        deadline = None if budget is None else time.perf_counter() + budget
        while self._done < len(parts):
            self._add_part(parts[self._done], key[0])
            if deadline is not None and time.perf_counter() > deadline:
                break
        self.virtual_size = Size(key[0] + 2 * self._margin, len(self._lines))
        self.refresh()
        if self._done < len(parts):
            self.set_timer(0.001, partial(self._layout_rest, key))

    def finish_layout(self) -> None:
        """Wrap all of the article now (before going to its end)."""
        if self._laid_out is not None:
            self._layout_rest(self._laid_out, budget=None)

    def scroll_end(self, *args: Any, **kwargs: Any) -> None:
        """To the article's end: all of it wrapped first, so the end is its real end."""
        self.finish_layout()
        super().scroll_end(*args, **kwargs)

    def on_resize(self) -> None:
        self._layout(keep_place=True)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        # The pane may be painted at a new width before it hears of it.
        self._layout(keep_place=True)
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if 0 <= index < len(self._lines):
            line = self._lines[index].adjust_cell_length(width, self.rich_style)
            return self._overlaid(index, line) if self._overlays else line
        return Strip.blank(width, self.rich_style)

    def _overlaid(self, index: int, line: Strip) -> Strip:
        """The line with a Sixel picture written over its cells, if this is the
        last row of one wholly in view (painted after its rows, so none of them
        paints over it); any other line as it is.

        The Sixel data is textual-image's. It follows the line's own cells:
        the cursor is saved, goes to the picture's top left, the data is
        written, and the cursor comes back. Being last, these control
        segments are kept whole by any crop Textual makes of the line (a
        crop short of the end leaves them out, one to the end keeps them).
        """
        top = self.scroll_offset.y
        for start, last, overlay in self._overlays:
            if last != index:
                continue
            if start < top or index >= top + self.scrollable_content_region.height:
                return line  # cut by the pane's edge: its half-blocks show
            if not self.screen.is_active:
                return line  # another screen is over it
            region = self.scrollable_content_region
            drawn = [
                Segment(SAVE_CURSOR, None, NO_CELLS),
                Control.move_to(region.x + self._margin, region.y + start - top).segment,
                Segment(overlay, None, NO_CELLS),
                Segment(RESTORE_CURSOR, None, NO_CELLS),
            ]
            return Strip([*line, *drawn], line.cell_length)  # control segments take no cells
        return line

    @property
    def text(self) -> str:
        """The text shown, without styles, wrapped to the pane (for tests)."""
        self._layout()
        self.finish_layout()
        return "\n".join(strip.text[self._margin :].rstrip() for strip in self._lines).strip("\n")
