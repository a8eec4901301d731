"""Turn HTML from feeds and pages into the article model's blocks.

Two well-kept libraries do the work: markdownify turns the HTML into Markdown
(it knows how whitespace, inline and block elements behave), and markdown-it
(already a Rich dependency) parses that Markdown into a token stream, which
maps one to one onto blocks. Conversion runs when an article is opened, not
during a refresh, so the libraries are imported lazily.
Imports the article model and `sanitize`; bs4, markdownify and markdown-it only when converting.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import replace
from html import unescape
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from tui_reader.article import Article, Block, BlockKind, InlineStyle, Link, Span, image_label
from tui_reader.sanitize import clean_text

if TYPE_CHECKING:
    from markdown_it.token import Token

# Elements whose content is never article text.
# Links kept as links; any other scheme keeps only its text (relative links are kept).
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_DROPPED_ELEMENTS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg")
# Past these the HTML is not one article; cut it so that opening stays quick
# (markdownify takes seconds per 100,000 characters of dense lists).
MAX_HTML_CHARS = 200_000
MAX_BLOCKS = 3_000
_EDGE_NBSP = re.compile(r"^\xa0+|\xa0+$")

# Emphasis goes through Markdown as marks: a pair of Unicode noncharacters
# per style around the text (an element's start and end). They mean nothing
# to markdownify or markdown-it, `clean_text` removes any that come from
# outside, and `_Inline` turns them into spans. Markdown's own "**" cannot
# be used: CommonMark does not close "**Note:**The", which would reach the
# text as literal stars.
_STYLE_TAGS: dict[InlineStyle, tuple[str, ...]] = {
    "bold": ("b", "strong"),
    "italic": ("i", "em", "cite", "dfn"),
    "strike": ("s", "del", "strike"),
}
_OPEN_MARK = {"bold": "\ufdd0", "italic": "\ufdd2", "strike": "\ufdd4"}
_CLOSE_MARK = {"bold": "\ufdd1", "italic": "\ufdd3", "strike": "\ufdd5"}
_MARK_STYLE: dict[str, tuple[InlineStyle, bool]] = {
    **{mark: (style, True) for style, mark in _OPEN_MARK.items()},  # type: ignore[misc]
    **{mark: (style, False) for style, mark in _CLOSE_MARK.items()},  # type: ignore[misc]
}
_MARKS = re.compile("([\ufdd0-\ufdd5])")
_NONCHARACTERS = re.compile("[\ufdd0-\ufdef]")
# A code block's language, from class="language-python" (or "lang-py").
_LANGUAGE_CLASS = re.compile(r"^(?:language|lang)-([A-Za-z0-9_+#.-]{1,30})$")
CUT_NOTE = "[The article is cut here: it is too long to show in full.]"


def _markdown(html: str) -> str:
    from bs4 import BeautifulSoup
    from markdownify import MarkdownConverter

    with warnings.catch_warnings():  # bs4 warns when the "HTML" is a bare URL
        warnings.simplefilter("ignore")
        soup = BeautifulSoup(html[:MAX_HTML_CHARS], "html.parser")
    for element in soup.find_all(_DROPPED_ELEMENTS):
        element.decompose()
    # A link markdown-it will not take (javascript:, data:, ...) would reach
    # the text as raw Markdown, "[text](javascript:...)": keep its text only.
    for anchor in soup.find_all("a"):
        href = str(anchor.get("href") or "").strip()
        scheme = href.split(":", 1)[0].lower() if ":" in href.split("/", 1)[0] else ""
        if scheme and scheme not in _LINK_SCHEMES:
            anchor.unwrap()
    # markdownify strips a no-break space at the edge of an inline element
    # without moving it out ("<a>a\xa0</a>link" -> "alink"); make it plain.
    for string in soup.find_all(string=_EDGE_NBSP):
        string.replace_with(_EDGE_NBSP.sub(" ", str(string)))
    # trafilatura writes inline code as <pre> inside a <p>, and a code block
    # as <pre><pre>: the one is inline code, the other one block.
    for pre in soup.find_all("pre"):
        if pre.find_parent("pre") is not None:
            pre.unwrap()
        elif pre.find_parent("p") is not None:
            pre.name = "code"
    for image in soup.find_all("img"):
        if _is_glyph(image):  # an emoji or icon drawn as a picture: its text
            image.replace_with(str(image.get("alt") or "").strip()[:8])
        else:
            _pick_source(image)
    for string in soup.find_all(string=_NONCHARACTERS):
        string.replace_with(_NONCHARACTERS.sub("", str(string)))
    _mark_emphasis(soup)
    # escape_misc: text that looks like Markdown ("# x", "[a](b)", "a|b") must
    # stay text, not become a heading, a link or a table cell boundary.
    # Emphasis is marked (above) and its elements gone; <u> is dropped.
    converter = MarkdownConverter(
        heading_style="ATX",
        bullets="-",
        escape_underscores=True,
        escape_misc=True,
        strip=["u"],
        code_language_callback=_code_language,
    )
    try:
        return str(converter.convert_soup(soup))
    except Exception:
        # Absurd nesting (RecursionError) or attributes markdownify cannot
        # read (`<ol start="½">`): keep the words, lose the structure.
        return _escape_markdown(soup.get_text(" "))


# Where lazy-loading scripts keep the real picture while `src` holds a stand-in.
_LAZY_SOURCES = ("data-src", "data-lazy-src", "data-original", "data-url", "data-hi-res-src")
_LAZY_SRCSETS = ("data-srcset", "data-lazy-srcset", "srcset")
_SRCSET_WIDTH = 1600  # the widest candidate worth taking from a srcset


_GLYPH_CLASSES = re.compile(r"emoji|smiley|wp-smiley|icon", re.IGNORECASE)
_GLYPH_PIXELS = 32  # an image this small a side is a glyph in the text, not a picture


def _is_glyph(image: Any) -> bool:
    """An <img> that stands for a character (an emoji, a smiley, an icon):
    its alt text belongs in the sentence, not a picture block of its own."""
    classes = image.get("class") or []
    if _GLYPH_CLASSES.search(" ".join(classes) if isinstance(classes, list) else str(classes)):
        return True
    sides = [_pixels(image.get(side)) for side in ("width", "height")]
    return all(side is not None and side <= _GLYPH_PIXELS for side in sides)


def _pixels(value: Any) -> int | None:
    text = str(value or "").strip().lower().removesuffix("px")
    return int(text) if text.isdigit() else None


def _pick_source(image: Any) -> None:
    """Give an <img> the address of its real picture as `src`.

    Lazy loading leaves `src` a placeholder (a data: pixel, a spinner) and
    puts the picture in `data-src` or a `srcset`; a `srcset` alone (no `src`)
    is common too. The largest candidate up to 1,600 pixels wide is taken
    (the terminal shows it scaled down; a larger one only costs bytes).
    """
    src = str(image.get("src") or "").strip()
    lazy = next((str(image[a]).strip() for a in _LAZY_SOURCES if image.get(a)), "")
    if lazy and not lazy.lower().startswith("data:"):
        image["src"] = lazy
        return
    if src and not src.lower().startswith("data:"):
        return
    for attribute in _LAZY_SRCSETS:
        best = _from_srcset(str(image.get(attribute) or ""))
        if best:
            image["src"] = best
            return
    if src.lower().startswith("data:"):
        del image["src"]  # a stand-in pixel is no picture


def _from_srcset(srcset: str) -> str:
    """The candidate of a `srcset` ("a.jpg 320w, b.jpg 800w" or "a.jpg 1x, b.jpg 2x") to show."""
    candidates: list[tuple[float, str]] = []
    for candidate in srcset.split(","):
        words = candidate.split()
        if not words or words[0].lower().startswith("data:"):
            continue
        size = words[1] if len(words) > 1 else "1x"
        try:
            number = float(size[:-1])
        except ValueError:
            continue
        width = number if size.endswith("w") else number * 800
        candidates.append((width, words[0]))
    fitting = [c for c in candidates if c[0] <= _SRCSET_WIDTH] or sorted(candidates)[:1]
    return max(fitting)[1] if fitting else ""


def _mark_emphasis(soup: Any) -> None:
    """Replace bold, italic and struck-through elements by their marks around their text."""
    for style, tags in _STYLE_TAGS.items():
        for element in soup.find_all(tags):
            element.insert(0, _OPEN_MARK[style])
            element.append(_CLOSE_MARK[style])
            element.unwrap()


def _code_language(pre: Any) -> str:
    """The language a <pre> (or the <code> in it) names in its class, else ""."""
    code = pre.find("code")
    for element in (pre, code):
        if element is None:
            continue
        for name in element.get("class") or ():
            found = _LANGUAGE_CLASS.match(str(name))
            if found:
                return found.group(1).lower()
    return ""


def _unmarked(text: str) -> str:
    """Text without the emphasis marks (code, table cells)."""
    return _MARKS.sub("", text)


def _escape_markdown(text: str) -> str:
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!|>" else c for c in text)


class _Inline:
    """Collects one inline run: text, links, images and inline styles."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.parts: list[str] = []
        self.length = 0
        self.links: list[Link] = []
        self.images: list[tuple[str, str]] = []
        self.image_places: list[tuple[int, int]] = []  # each image label's (start, end)
        self.styles: list[Span] = []
        self._open: dict[InlineStyle, tuple[int, int]] = {}  # style: (depth, start)
        self._link_start: int | None = None
        self._link_url: str = ""

    def add(self, text: str) -> None:
        for piece in _MARKS.split(text):
            mark = _MARK_STYLE.get(piece)
            if mark is None:
                piece = clean_text(piece)
                self.parts.append(piece)
                self.length += len(piece)
            elif mark[1]:
                self._start(mark[0])
            else:
                self._end(mark[0])

    def _start(self, style: InlineStyle) -> None:
        depth, start = self._open.get(style, (0, self.length))
        self._open[style] = (depth + 1, start)

    def _end(self, style: InlineStyle) -> None:
        depth, start = self._open.get(style, (0, 0))
        if depth > 1:
            self._open[style] = (depth - 1, start)
        elif depth == 1:
            del self._open[style]
            if self.length > start:
                self.styles.append(Span(start, self.length, style))

    def feed(self, children: list[Token]) -> None:
        for child in children:
            kind = child.type
            if kind == "text":
                self.add(child.content)
            elif kind == "code_inline":
                start = self.length
                self.add(_unmarked(child.content))
                if self.length > start:
                    self.styles.append(Span(start, self.length, "code"))
            elif kind == "softbreak":
                self.add(" ")
            elif kind == "hardbreak":
                self.add("\n")
            elif kind == "link_open":
                self._link_start = self.length
                self._link_url = self._resolve(str(child.attrs.get("href", "")))
            elif kind == "link_close" and self._link_start is not None:
                if self._link_url and self.length > self._link_start:
                    self.links.append(Link(self._link_start, self.length, self._link_url))
                self._link_start = None
            elif kind == "image":
                alt = clean_text(child.content or "").strip()
                src = self._resolve(str(child.attrs.get("src", "")))
                self.images.append((alt, src))
                start = self.length
                self.add(image_label(alt))
                self.image_places.append((start, self.length))
                if src and self._link_start is None:
                    self.links.append(Link(start, self.length, src))
        for style in list(self._open):  # a style the run never closed ends with it
            self._open[style] = (1, self._open[style][1])
            self._end(style)

    def _resolve(self, url: str) -> str:
        url = clean_text(url).strip()
        if not url:
            return ""
        try:
            return urljoin(self.base_url, url) if self.base_url else url
        except ValueError:
            return ""

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _strip(
    inline: _Inline, begin: int = 0, stop: int | None = None
) -> tuple[str, tuple[Link, ...], tuple[Span, ...]]:
    """The run's text (from `begin` to `stop`) without outer whitespace, its
    links and spans cut and shifted to match."""
    text = inline.text[begin:stop]
    lead = begin + len(text) - len(text.lstrip())
    stripped = text.strip()

    def shift(start: int, end: int) -> tuple[int, int]:
        return max(0, start - lead), min(len(stripped), end - lead)

    links = []
    for link in inline.links:
        start, end = shift(link.start, link.end)
        if end > start:
            links.append(Link(start, end, link.url))
    spans = []
    for span in sorted(inline.styles, key=lambda span: (span.start, span.end)):
        start, end = shift(span.start, span.end)
        if end > start and stripped[start:end].strip():
            spans.append(Span(start, end, span.style))
    return stripped, tuple(links), tuple(spans)


def _paragraph_with_pictures(inline: _Inline) -> list[Block]:
    """A paragraph cut at its pictures: the text before each, the picture as a
    block of its own (so it can be drawn), the text after.

    `<p>Show notes. <img alt="Sky"></p>` is how feeds and podcast notes put
    pictures; read as one paragraph the picture could only be a label.
    """
    blocks: list[Block] = []
    begin = 0
    for (alt, src), (start, end) in zip(inline.images, inline.image_places, strict=True):
        text, links, styles = _strip(inline, begin, start)
        if text:
            blocks.append(Block(BlockKind.PARAGRAPH, text, links, styles=styles))
        image_links = (Link(0, len(image_label(alt)), src),) if src else ()
        blocks.append(Block(BlockKind.IMAGE, alt, image_links))
        begin = end
    text, links, styles = _strip(inline, begin)
    if text:
        blocks.append(Block(BlockKind.PARAGRAPH, text, links, styles=styles))
    return blocks


def html_to_blocks(html: str, base_url: str = "") -> list[Block]:
    """Convert an HTML fragment or page to article blocks.

    Args:
        html: The HTML (external: its text is sanitized here).
        base_url: The page or entry URL that relative links resolve against.

    Returns:
        Paragraphs, headings, list items, quotes, code, tables and images;
        links kept as spans. Never raises for bad HTML.
    """
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = parser.parse(_markdown(html))
    blocks = _blocks(tokens, base_url)
    if len(html) > MAX_HTML_CHARS or len(blocks) > MAX_BLOCKS:
        blocks = [*blocks[:MAX_BLOCKS], Block(BlockKind.PARAGRAPH, CUT_NOTE)]
    return blocks


def _blocks(tokens: list[Token], base_url: str) -> list[Block]:
    blocks: list[Block] = []
    lists: list[dict[str, Any]] = []  # open lists: ordered?, next number
    quote_level = 0
    heading = 0  # the level of the heading being read
    item_marker: str | None = None  # marker for the first paragraph of a list item
    table: list[list[str]] | None = None
    for token in tokens:
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            start = int(token.attrs.get("start", 1) or 1)
            lists.append({"ordered": kind == "ordered_list_open", "next": start})
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open" and lists:
            current = lists[-1]
            if current["ordered"]:
                item_marker = f"{current['next']}."
                current["next"] += 1
            else:
                item_marker = "•"
        elif kind == "blockquote_open":
            quote_level += 1
        elif kind == "blockquote_close":
            quote_level -= 1
        elif kind == "heading_open":
            heading = int(token.tag[1:]) if token.tag[1:].isdigit() else 2
        elif kind == "heading_close":
            heading = 0
        elif kind == "table_open":
            table = []
        elif kind == "tr_open" and table is not None:
            table.append([])
        elif kind == "table_close" and table is not None:
            rows = tuple(tuple(row) for row in table if any(cell.strip() for cell in row))
            if rows:
                blocks.append(Block(BlockKind.TABLE, "", rows=rows))
            table = None
        elif kind in ("fence", "code_block"):
            code = _unmarked(clean_text(token.content)).rstrip("\n")
            language = token.info.strip().split(" ")[0] if kind == "fence" else ""
            if not _LANGUAGE_CLASS.match(f"language-{language}"):
                language = ""
            if code.strip():
                blocks.append(Block(BlockKind.CODE, code, level=quote_level, marker=language))
        elif kind == "inline":
            inline = _Inline(base_url)
            inline.feed(token.children or [])
            if table is not None:
                if table:
                    table[-1].append(" ".join(inline.text.split()))
                continue
            text, links, styles = _strip(inline)
            if not text:
                continue
            if heading:
                blocks.append(Block(BlockKind.HEADING, text, links, level=heading, styles=styles))
            elif lists:
                blocks.append(
                    Block(
                        BlockKind.LIST_ITEM,
                        text,
                        links,
                        level=len(lists) - 1,
                        # A list item's second paragraph continues it, unmarked.
                        marker=item_marker or "",
                        styles=styles,
                    )
                )
                item_marker = None
            elif quote_level:
                blocks.append(Block(BlockKind.QUOTE, text, links, level=quote_level, styles=styles))
            elif inline.images:
                blocks += _paragraph_with_pictures(inline)
            else:
                blocks.append(Block(BlockKind.PARAGRAPH, text, links, styles=styles))
    return blocks


def with_body(article: Article, html: str) -> Article:
    """The article with its body blocks made from `html` (a feed entry's content).

    Args:
        article: The stored article (its blocks are empty for feed entries).
        html: The entry's HTML; empty for seeds and imported files.

    Returns:
        The same article when there is no HTML, else a copy with blocks.
    """
    if not html or article.blocks:
        return article
    return replace(article, blocks=html_to_blocks(html, article.url))


# For the search index only words matter, not structure: a regex pass is
# about 20 times faster than parsing (bs4 took 28 s for 100,000 entries).
_INVISIBLE = re.compile(
    r"<(" + "|".join(_DROPPED_ELEMENTS) + r")\b.*?(?:</\1\s*>|\Z)|<!--.*?(?:-->|\Z)",
    re.IGNORECASE | re.DOTALL,
)
_TAG = re.compile(r"<[^>]*>?")


def html_text(html: str) -> str:
    """The words of an HTML fragment, for the search index (no structure).

    Args:
        html: An entry's HTML, possibly broken.

    Returns:
        Its visible text on one line (never shown: the index only matches it).
    """
    if not html:
        return ""
    text = _TAG.sub(" ", _INVISIBLE.sub(" ", html[:MAX_HTML_CHARS]))
    return " ".join(unescape(text).split())
