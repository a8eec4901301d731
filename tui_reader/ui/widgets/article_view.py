"""The article pane: the open article rendered by Rich, wrapped and scrollable.

Built on the line API like the headline list: the article is laid out by
Rich once per width and only the lines on screen are painted. A `Static` in
a scroll container took 70-100 ms to show 5,000 words, because Textual laid
the whole of it out again; wrapping it all before the first paint still took
70 ms, so only the first screenful is wrapped before it (about 45 ms).
Imports Textual and Rich only.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.segment import Segment
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

EMPTY_HINT = "No article open.\n\nMove to a headline and press Enter to read it."
# The least margin left of the text; a pane wider than the text centres it.
PADDING = 2


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
        self._pending: list[RenderableType] = []  # parts not wrapped yet
        self._laid_out_width = -1
        self._margin = PADDING

    def show(self, article_id: str | None, text: RenderableType, *, withheld: bool = False) -> None:
        """Show a rendered article (or a message) from the top."""
        self.article_id = article_id
        self.withheld = withheld
        self._renderable = text
        self._laid_out_width = -1
        self._margin = PADDING
        self._pending = []
        self._layout()
        self.scroll_home(animate=False, immediate=True)
        self.refresh()

    def _text_width(self) -> int:
        room = self.scrollable_content_region.width - 2 * PADDING
        return max(10, min(self.wanted_width, room) if self.wanted_width else room)

    def _text_margin(self, width: int) -> int:
        """Cells left of the text: centred in a pane wider than the text."""
        return max(PADDING, (self.scrollable_content_region.width - width) // 2)

    def _layout(self) -> None:
        """Wrap the article to the pane (once per width) into painted lines.

        Only the first screenful is wrapped before the first paint; the rest
        follows right after it (5,000 words take about 25 ms to wrap, more
        than the whole budget for showing an article).
        """
        width = self._text_width()
        margin = self._text_margin(width)
        if width == self._laid_out_width and margin == self._margin:
            return
        self._laid_out_width = width
        self._margin = margin
        parts = self._parts()
        self._lines = []
        wanted = max(1, self.size.height) + 1
        done = 0
        while done < len(parts) and len(self._lines) < wanted:
            self._lines += self._wrap(parts[done], width)
            done += 1
        self._pending = parts[done:]
        if self._pending:
            self.call_after_refresh(self._layout_rest, self._laid_out_width)
        self.virtual_size = Size(width + 2 * self._margin, len(self._lines))

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

    def _layout_rest(self, width: int) -> None:
        """Wrap what the first paint left out (unless the article or width changed)."""
        if width != self._laid_out_width or not self._pending:
            return
        for part in self._pending:
            self._lines += self._wrap(part, width)
        self._pending = []
        self.virtual_size = Size(width + 2 * self._margin, len(self._lines))
        self.refresh()

    def on_resize(self) -> None:
        self._layout()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        self._layout()
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if 0 <= index < len(self._lines):
            return self._lines[index].adjust_cell_length(width, self.rich_style)
        return Strip.blank(width, self.rich_style)

    @property
    def text(self) -> str:
        """The text shown, without styles, wrapped to the pane (for tests)."""
        self._layout()
        self._layout_rest(self._laid_out_width)
        return "\n".join(strip.text[self._margin :].rstrip() for strip in self._lines).strip("\n")
