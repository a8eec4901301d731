"""The article pane: the open article rendered by Rich, wrapped and scrollable."""

from __future__ import annotations

import io

from rich.console import Console, RenderableType
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

EMPTY_HINT = "No article open.\n\nMove to a headline and press Enter to read it."


class ArticleView(VerticalScroll, inherit_bindings=False):
    """Shows one article. Keys come from the screen's bindings."""

    DEFAULT_CSS = """
    ArticleView {
        background: $surface;
        padding: 0 2;
        scrollbar-gutter: stable;
    }
    ArticleView > .article-view--body {
        width: 1fr;
        max-width: 88;
        height: auto;
    }
    ArticleView > .article-view--empty {
        color: $text-muted;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, can_focus=True)
        self.article_id: str | None = None
        self.withheld = False  # showing only a teaser

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(Text(EMPTY_HINT), classes="article-view--body article-view--empty")

    @property
    def body(self) -> Static:
        """The widget holding the rendered article."""
        return self.query_one(".article-view--body", Static)

    def show(self, article_id: str | None, text: RenderableType, *, withheld: bool = False) -> None:
        """Show a rendered article (or a message) from the top."""
        self.article_id = article_id
        self.withheld = withheld
        self.body.set_class(article_id is None, "article-view--empty")
        self.body.update(text)
        self.scroll_home(animate=False)

    @property
    def text(self) -> str:
        """The text shown, without styles, wrapped to the pane (for tests)."""
        width = max(20, self.body.size.width or 80)
        console = Console(width=width, file=io.StringIO(), color_system=None, record=True)
        console.print(self.body.content)
        return "\n".join(line.rstrip() for line in console.export_text().splitlines())
