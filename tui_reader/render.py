"""Render an article with Rich, or as plain text.

External text only ever goes into `Text` objects as plain strings (never
through markup), so a title like "[b]oops[/b]" shows literally.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from rich.style import Style
from rich.text import Text

from tui_reader.article import Article, BlockKind
from tui_reader.meter import PAYWALL_MESSAGE

# How many paragraphs (standfirst included) a withheld article shows.
TEASER_PARAGRAPHS = 2
SAFE_LINK_SCHEMES = frozenset({"http", "https", "mailto"})

TITLE_STYLE = Style(bold=True)
META_STYLE = Style(dim=True)
STANDFIRST_STYLE = Style(italic=True)
HEADING_STYLE = Style(bold=True, underline=True)
CAPTION_STYLE = Style(dim=True, italic=True)
NOTICE_STYLE = Style(bold=True, reverse=True)


def safe_link(url: str) -> str | None:
    """Return `url` if it may become a clickable link, else None.

    Only http, https and mailto links are clickable: file:, javascript: and
    terminal-specific schemes stay plain text.
    """
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in SAFE_LINK_SCHEMES else None


def format_date(iso: str | None) -> str:
    """Show an ISO 8601 date as "2024-05-17", or "" when unknown or unreadable."""
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso).date().isoformat()
    except ValueError:
        return ""


def meta_line(article: Article) -> str:
    """The line under the title: source · date · reading time."""
    parts = [article.source, format_date(article.published), f"{article.reading_minutes} min read"]
    return " · ".join(p for p in parts if p)


def _paragraph_blocks(article: Article, teaser: bool) -> list[tuple[BlockKind | None, str]]:
    """(kind, text) pairs of the body; None marks the standfirst."""
    pairs: list[tuple[BlockKind | None, str]] = []
    if article.standfirst:
        pairs.append((None, article.standfirst))
    pairs.extend((b.kind, b.text) for b in article.blocks)
    if teaser:
        shown = 0
        kept: list[tuple[BlockKind | None, str]] = []
        for kind, text in pairs:
            if kind in (None, BlockKind.PARAGRAPH):
                if shown == TEASER_PARAGRAPHS:
                    break
                shown += 1
                kept.append((kind, text))
        pairs = kept
    return pairs


def render_article(article: Article, *, teaser: bool = False, notice: str = "") -> Text:
    """Render an article as Rich `Text`.

    Args:
        article: The article.
        teaser: Show only the title, meta line and first two paragraphs, then
            the paywall message.
        notice: A line shown after the paywall message (e.g. the key to press).

    Returns:
        The article as one `Text`, ready to wrap to any width.
    """
    out = Text()
    link = safe_link(article.url) if article.url else None
    out.append(article.title, TITLE_STYLE + Style(link=link) if link else TITLE_STYLE)
    out.append("\n")
    out.append(meta_line(article), META_STYLE)
    for kind, text in _paragraph_blocks(article, teaser):
        out.append("\n\n")
        if kind is None:
            out.append(text, STANDFIRST_STYLE)
        elif kind is BlockKind.HEADING:
            out.append(text, HEADING_STYLE)
        elif kind is BlockKind.CAPTION:
            out.append("▌ ", CAPTION_STYLE)
            out.append(text, CAPTION_STYLE)
        else:
            out.append(text)
    if teaser:
        out.append("\n\n")
        out.append(f" {PAYWALL_MESSAGE} ", NOTICE_STYLE)
        if notice:
            out.append("\n")
            out.append(notice, META_STYLE)
    elif link:
        out.append("\n\n")
        out.append("Link: ", META_STYLE)
        out.append(link, Style(link=link, underline=True))
    return out


def render_plain(article: Article, *, teaser: bool = False) -> str:
    """Render an article as plain text: one paragraph per line, no escapes.

    Args:
        article: The article.
        teaser: As in `render_article`.

    Returns:
        The text, ending with a newline.
    """
    lines = [article.title, meta_line(article)]
    for _kind, text in _paragraph_blocks(article, teaser):
        lines += ["", text]
    if teaser:
        lines += ["", PAYWALL_MESSAGE]
    elif article.url:
        lines += ["", f"Link: {article.url}"]
    return "\n".join(lines) + "\n"
