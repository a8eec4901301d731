"""Render an article with Rich, or as plain text.

External text only ever goes into `Text` objects as plain strings (never
through markup), so a title like "[b]oops[/b]" shows literally.
Imports the article model and the meter's paywall line; Rich, never Textual.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.style import Style
from rich.text import Text

from tui_reader.article import Article, Block, BlockKind, InlineStyle, Link, Span, image_label
from tui_reader.dates import format_date
from tui_reader.meter import PAYWALL_MESSAGE
from tui_reader.tables import TableBlock, TablePiece

# A withheld article shows its first two paragraphs (standfirst included), but
# never more than a third of its words, so a short item is withheld too.
TEASER_PARAGRAPHS = 2
TEASER_SHARE = 3
SAFE_LINK_SCHEMES = frozenset({"http", "https", "mailto"})

TITLE_STYLE = Style(bold=True)
META_STYLE = Style(dim=True)
STANDFIRST_STYLE = Style(italic=True)
# Headings by level: 1 and 2 (the title is the page's own h1) bold and
# underlined, 3 bold, 4 and below bold italic.
HEADING_STYLES = (Style(bold=True, underline=True), Style(bold=True), Style(bold=True, italic=True))
CAPTION_STYLE = Style(dim=True, italic=True)
NOTICE_STYLE = Style(bold=True, reverse=True)
LINK_STYLE = Style(underline=True)
QUOTE_STYLE = Style(italic=True)
CODE_STYLE = Style(color="cyan")
# Inline styles, as a terminal shows them (SGR 1, 3, 9; code in cyan on grey).
INLINE_STYLES: dict[InlineStyle, Style] = {
    "bold": Style(bold=True),
    "italic": Style(italic=True),
    "strike": Style(strike=True),
    "code": Style(color="cyan", bgcolor="grey15"),
}
# Pygments' colours for a code block that names its language: the terminal's
# own ANSI palette, so it reads on light and dark backgrounds alike.
SYNTAX_THEME = "ansi_dark"


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


def meta_line(article: Article) -> str:
    """The line under the title: source · byline · date · reading time."""
    byline = f"by {article.author}" if article.author else ""
    date = format_date(article.published)
    parts = [article.source, byline, date, f"{article.reading_minutes} min read"]
    return " · ".join(p for p in parts if p)


def body_blocks(article: Article, *, teaser: bool = False) -> list[Block]:
    """The blocks to show, the standfirst first (as a STANDFIRST-marked paragraph).

    Args:
        article: The article.
        teaser: Keep only the first two paragraphs (standfirst included).

    Returns:
        Blocks in order; the standfirst is a paragraph with marker "standfirst".
    """
    blocks = [Block(BlockKind.PARAGRAPH, article.standfirst, marker=STANDFIRST)]
    blocks = blocks if article.standfirst else []
    blocks += article.blocks
    if teaser:
        paragraphs = [b for b in blocks if b.kind is BlockKind.PARAGRAPH][:TEASER_PARAGRAPHS]
        blocks = _within_share(paragraphs, article.word_count)
    return blocks


_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s|$)")


def _words(text: str) -> int:
    return len(text.split())


def _cut(block: Block, text: str) -> Block:
    """The block with its text cut short, keeping the links and styles that still fit."""
    links = tuple(link for link in block.links if link.end <= len(text))
    styles = tuple(
        Span(span.start, min(span.end, len(text)), span.style)
        for span in block.styles
        if span.start < len(text)
    )
    return Block(block.kind, text, links, level=block.level, marker=block.marker, styles=styles)


def _within_share(paragraphs: list[Block], total: int) -> list[Block]:
    """The teaser's paragraphs, cut at a sentence to hold at most a third of `total` words.

    At least the first sentence is shown; when that would be the whole
    article (a one-sentence item), a third of its words and an "…" are.
    """
    budget = max(1, total // TEASER_SHARE)
    kept: list[Block] = []
    used = 0
    for block in paragraphs:
        words = _words(block.text)
        if used + words <= budget:
            kept.append(block)
            used += words
            continue
        ends = [m.end() for m in _SENTENCE_END.finditer(block.text)]
        fitting = [end for end in ends if used + _words(block.text[:end]) <= budget]
        if fitting:
            kept.append(_cut(block, block.text[: fitting[-1]]))
        elif not kept:
            first = ends[0] if ends else len(block.text)
            if _words(block.text[:first]) < total:
                kept.append(_cut(block, block.text[:first]))
            else:  # one sentence is all there is: show a part of it
                head = " ".join(block.text.split()[:budget])
                kept.append(_cut(block, head + " …"))
        break
    return kept


STANDFIRST = "standfirst"


# Something in link text that reads as an address: "paypal.com", "www.bank.co.uk".
_NAMED_HOST = re.compile(r"(?<![\w.-])((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,})(?![\w-])")


def shown_target(text: str, url: str) -> str:
    """A note naming the real target when link text names another host.

    Link text that names a host ("log in at paypal.com") but points to a
    different one (not that host nor one under it) gets " [→ real.host]".

    Args:
        text: The link's visible text.
        url: Where it really goes.

    Returns:
        The note, or "" when the text names no host or the right one.
    """
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    named = _NAMED_HOST.findall(text.lower())
    if not host or not named:
        return ""
    for name in named:
        name = name.removeprefix("www.")
        if host == name or host.endswith("." + name):
            return ""
    return f" [→ {host}]"


def _inline(block: Block, style: Style) -> Text:
    """A block's text in its inline styles, its safe links made clickable."""
    text = Text(block.text, style)
    for span in block.styles:
        text.stylize(INLINE_STYLES[span.style], span.start, span.end)
    notes: list[tuple[int, str]] = []
    for link in block.links:
        url = safe_link(link.url)
        if url is None:
            continue  # file:, javascript: and the like stay plain text
        text.stylize(LINK_STYLE + Style(link=url), link.start, link.end)
        note = shown_target(block.text[link.start : link.end], url)
        if note:
            notes.append((link.end, note))
    for offset, note in reversed(notes):
        text = Text.assemble(text[:offset], (note, META_STYLE), text[offset:])
    return text


# Marks a code line that goes on from the row above (it is wrapped, never cut).
CONTINUATION = "↪ "


class CodeLines:
    """A code block whose long lines wrap at any width, each continuation marked.

    Code keeps its own line breaks and spacing; a line wider than the pane goes
    on in the next row after `CONTINUATION`, so no character is ever cut off.
    The code comes styled (highlighted by its language, or in one style).
    """

    def __init__(self, code: Text) -> None:
        self.code = code

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(len(CONTINUATION) + 4, options.max_width)
        rows = Text(no_wrap=True, overflow="ignore")
        for number, line in enumerate(self.code.split("\n", allow_blank=True)):
            if number:
                rows.append("\n")
            room = width
            while cell_len(line.plain) > room:
                taken = _break_at(line.plain, room)
                rows.append_text(line[:taken])
                rows.append("\n")
                rows.append(CONTINUATION, META_STYLE)
                line = line[taken:]
                room = width - len(CONTINUATION)
            rows.append_text(line)
        yield rows

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        lines = self.code.plain.split("\n")
        longest = max((cell_len(line) for line in lines), default=0)
        return Measurement(min(longest, 8), longest)


def code_text(code: str, language: str) -> Text:
    """A code block's text: highlighted when it names a language Pygments knows."""
    if language:
        from rich.syntax import Syntax

        syntax = Syntax(code, language, theme=SYNTAX_THEME)
        if syntax.lexer is not None:  # a language Pygments knows
            highlighted = syntax.highlight(code)
            highlighted.rstrip()
            return highlighted
    return Text(code, CODE_STYLE)


def _break_at(line: str, cells: int) -> int:
    """Where a code line too wide for `cells` breaks: after its last space that fits, if
    that keeps most of the row, else at the edge."""
    piece = _take_cells(line, cells)
    space = piece.rstrip(" ").rfind(" ")
    return space + 1 if space >= len(piece) // 2 else len(piece)


def _take_cells(text: str, cells: int) -> str:
    """The longest start of `text` that fits in `cells` cells (at least one character)."""
    taken = 0
    for index, char in enumerate(text):
        taken += cell_len(char)
        if taken > cells:
            return text[: max(1, index)]
    return text


def number_links(blocks: list[Block]) -> tuple[list[Block], list[str]]:
    """Number the article's links as newsboat does: `text [3]`, and the targets in order.

    Every safe link (http, https, mailto) gets the next number, written after
    its text; an image whose address is a link gets it in its label
    (`[image 4: caption]`, the number carried in the image block's `marker`).
    Other links stay plain text.

    Returns:
        The blocks with their numbers in, and the link targets (number n is
        `targets[n - 1]`).
    """
    targets: list[str] = []
    numbered: list[Block] = []
    for block in blocks:
        safe = [(link, safe_link(link.url)) for link in block.links]
        if block.kind is BlockKind.IMAGE:
            url = next((url for _link, url in safe if url), None)
            if url is None:
                numbered.append(block)
                continue
            targets.append(url)
            numbered.append(Block(block.kind, block.text, block.links, marker=str(len(targets))))
            continue
        text, links, shift = block.text, [], 0
        marks: list[tuple[int, int]] = []  # (where in the block's own text, how long)
        for link, url in safe:
            start, end = link.start + shift, link.end + shift
            if url is None:
                continue
            targets.append(url)
            mark = f" [{len(targets)}]"
            text = text[:end] + mark + text[end:]
            shift += len(mark)
            marks.append((link.end, len(mark)))
            links.append(Link(start, end, url))
        if not safe:
            numbered.append(block)
        else:
            numbered.append(
                Block(
                    block.kind,
                    text,
                    tuple(links),
                    level=block.level,
                    marker=block.marker,
                    rows=block.rows,
                    styles=tuple(_shifted(span, marks) for span in block.styles),
                )
            )
    return numbered, targets


def _shifted(span: Span, marks: list[tuple[int, int]]) -> Span:
    """A span moved past the link numbers put in before (or inside) it."""
    start = span.start + sum(size for at, size in marks if at <= span.start)
    end = span.end + sum(size for at, size in marks if at < span.end)
    return Span(start, end, span.style)


def link_targets(article: Article, *, teaser: bool = False) -> list[str]:
    """The article's numbered links as shown (link n is item n - 1)."""
    return number_links(body_blocks(article, teaser=teaser))[1]


def _image_number(block: Block) -> int | None:
    return int(block.marker) if block.marker.isdigit() else None


Part = RenderableType  # Text, CodeLines, TablePiece, or a picture


def _block_renderable(block: Block) -> Text | CodeLines | TableBlock:
    kind = block.kind
    if kind is BlockKind.PARAGRAPH:
        return _inline(block, STANDFIRST_STYLE if block.marker == STANDFIRST else Style())
    if kind is BlockKind.HEADING:
        return _inline(block, HEADING_STYLES[min(max(block.level - 1, 1), 3) - 1])
    if kind is BlockKind.CAPTION:
        return Text.assemble(("▌ ", CAPTION_STYLE), _inline(block, CAPTION_STYLE))
    if kind is BlockKind.LIST_ITEM:
        indent = "  " * block.level
        marker = f"{block.marker} " if block.marker else "  "
        return Text.assemble(indent, (marker, META_STYLE), _inline(block, Style()))
    if kind is BlockKind.QUOTE:
        return Text.assemble(("▌ " * block.level, QUOTE_STYLE), _inline(block, QUOTE_STYLE))
    if kind is BlockKind.CODE:
        return CodeLines(code_text(block.text, block.marker))
    if kind is BlockKind.IMAGE:
        label = image_label(block.text, _image_number(block))
        links = tuple(Link(0, len(label), link.url) for link in block.links[:1])
        return _inline(Block(kind, label, links), CAPTION_STYLE)
    return TableBlock(block.rows)


def render_article(
    article: Article,
    *,
    teaser: bool = False,
    notice: str = "",
    pictures: Mapping[str, RenderableType] | None = None,
) -> Group:
    """Render an article with Rich.

    Args:
        article: The article.
        teaser: Show only the title, meta line and first two paragraphs, then
            the paywall message.
        notice: A line shown after the paywall message (e.g. the key to press).
        pictures: Drawn pictures (or placeholders) by address: a picture block
            whose address is here shows it, its `[image 4: caption]` line under
            it; the others show that line alone.

    Returns:
        The article as a `Group` of `Text` (and `Table`) parts that wraps to
        any width.
    """
    link = safe_link(article.url) if article.url else None
    head = Text()
    head.append(article.title, TITLE_STYLE + Style(link=link) if link else TITLE_STYLE)
    if link:
        head.append(shown_target(article.title, link), META_STYLE)
    head.append("\n")
    head.append(meta_line(article), META_STYLE)
    blocks, targets = number_links(body_blocks(article, teaser=teaser))
    # (part, kind): a blank line goes between blocks, except between items of
    # one list and between the pieces of one table.
    parts: list[tuple[Part, BlockKind | None]] = [(head, None)]
    for block in blocks:
        drawn = _block_renderable(block)
        picture = _picture_of(block, pictures)
        if picture is not None and isinstance(drawn, Text):
            parts.append((picture, BlockKind.IMAGE))
            parts.append((drawn, BlockKind.CAPTION))  # no gap: the caption under it
        elif isinstance(drawn, TableBlock):
            pieces = drawn.pieces()
            parts.append((pieces[0], BlockKind.TABLE))
            parts += [(piece, None) for piece in pieces[1:]]  # None after TABLE: no gap
        else:
            parts.append((drawn, block.kind))
    if targets:
        listed = Text("Links", META_STYLE)
        for number, url in enumerate(targets, 1):
            listed.append(f"\n[{number}] ", META_STYLE)
            listed.append(url, LINK_STYLE + Style(link=url))
        parts.append((listed, None))
    if teaser:
        paywall = Text()
        paywall.append(f" {PAYWALL_MESSAGE} ", NOTICE_STYLE)
        if notice:
            paywall.append("\n")
            paywall.append(notice, META_STYLE)
        parts.append((paywall, None))
    elif link:
        line = Text.assemble(("Link: ", META_STYLE), (link, LINK_STYLE + Style(link=link)))
        parts.append((line, None))
    spaced: list[Part] = []
    previous: BlockKind | None = None
    for part, kind in parts:
        same_list = kind is BlockKind.LIST_ITEM and previous is BlockKind.LIST_ITEM
        same_table = isinstance(part, TablePiece) and part.start > 0
        caption = kind is BlockKind.CAPTION and previous is BlockKind.IMAGE
        if spaced and not (same_list or same_table or caption):
            spaced.append(Text(""))
        spaced.append(part)
        previous = kind
    return Group(*spaced)


def _picture_of(
    block: Block, pictures: Mapping[str, RenderableType] | None
) -> RenderableType | None:
    if not pictures or block.kind is not BlockKind.IMAGE or not block.links:
        return None
    return pictures.get(block.links[0].url)


def _plain_block(block: Block) -> str:
    kind = block.kind
    if kind is BlockKind.LIST_ITEM:
        return "  " * block.level + (f"{block.marker} " if block.marker else "  ") + block.text
    if kind is BlockKind.QUOTE:
        return "> " * block.level + block.text
    if kind is BlockKind.CODE:
        return "\n".join("    " + line for line in block.text.splitlines())
    if kind is BlockKind.TABLE:
        return "\n".join(" | ".join(row) for row in block.rows)
    if kind is BlockKind.IMAGE:
        # What the picture is; where it is goes in the numbered Links list.
        return image_label(block.text, _image_number(block))
    return block.text


def render_plain(article: Article, *, teaser: bool = False) -> str:
    """Render an article as plain text: one paragraph per line, no escapes.

    Args:
        article: The article.
        teaser: As in `render_article`.

    Returns:
        The text, ending with a newline.
    """
    lines = [article.title, meta_line(article)]
    previous: BlockKind | None = None
    blocks, targets = number_links(body_blocks(article, teaser=teaser))
    for block in blocks:
        if not (block.kind is BlockKind.LIST_ITEM and previous is BlockKind.LIST_ITEM):
            lines.append("")
        lines.append(_plain_block(block))
        previous = block.kind
    if targets:
        lines += ["", "Links", *(f"[{n}] {url}" for n, url in enumerate(targets, 1))]
    if teaser:
        lines += ["", PAYWALL_MESSAGE]
    elif article.url:
        lines += ["", f"Link: {article.url}"]
    return "\n".join(lines) + "\n"
