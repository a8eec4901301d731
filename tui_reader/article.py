"""The article model shared by every importer and renderer.

A model: imports nothing of the package.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

# An average adult reads about 230 words a minute on screen.
WORDS_PER_MINUTE = 230

_WORD = re.compile(r"\w+")


# Where an article came from: the bundled seeds, an imported file, a feed, a web page.
Origin = Literal["seed", "file", "feed", "page"]


def image_label(caption: str, number: int | None = None) -> str:
    """How an image reads in text: `[image: caption]`, `[image 4: caption]` when its
    address is link 4 of the article, or `[image]` / `[image 4]` without a caption."""
    name = f"image {number}" if number is not None else "image"
    return f"[{name}: {caption}]" if caption and caption != "image" else f"[{name}]"


class BlockKind(StrEnum):
    """What a block of an article's body is."""

    PARAGRAPH = "paragraph"
    HEADING = "heading"
    CAPTION = "caption"
    LIST_ITEM = "list_item"  # `marker` is "•" or "3."; `level` is the nesting depth
    QUOTE = "quote"  # `level` is the nesting depth
    CODE = "code"  # preformatted: keep line breaks and spaces; `marker` is its language
    TABLE = "table"  # `rows` holds the cells; `text` is empty
    IMAGE = "image"  # `text` is the alt text; its one link is the image (when rendered,
    # `marker` holds that link's number: see `render.number_links`)


@dataclass(frozen=True)
class Link:
    """A link inside a block's text: characters [start, end) point to `url`."""

    start: int
    end: int
    url: str


# An inline style the reader shows: bold, italic, struck through, inline code.
InlineStyle = Literal["bold", "italic", "strike", "code"]
INLINE_STYLES: tuple[InlineStyle, ...] = ("bold", "italic", "strike", "code")


@dataclass(frozen=True)
class Span:
    """Characters [start, end) of a block's text shown in an inline `style`."""

    start: int
    end: int
    style: InlineStyle


@dataclass(frozen=True)
class Block:
    """One block of an article's body.

    `level` is a heading's level (1-6), a list item's or quote's depth;
    `marker` a list item's "•" or "3.", or a code block's language.
    """

    kind: BlockKind
    text: str
    links: tuple[Link, ...] = ()
    level: int = 0
    marker: str = ""
    rows: tuple[tuple[str, ...], ...] = ()
    styles: tuple[Span, ...] = ()


@dataclass
class Article:
    """An article as stored and shown: headline, standfirst and body blocks."""

    title: str
    standfirst: str = ""
    blocks: list[Block] = field(default_factory=list)
    source: str = ""
    url: str = ""
    published: str | None = None  # ISO 8601, or None when unknown
    origin: Origin = "file"
    author: str = ""

    @property
    def word_count(self) -> int:
        """Words in the standfirst and body (not the title)."""
        texts = [self.standfirst, *(b.text for b in self.blocks)]
        texts += [cell for b in self.blocks for row in b.rows for cell in row]
        return sum(len(_WORD.findall(t)) for t in texts)

    @property
    def reading_minutes(self) -> int:
        """Whole minutes needed to read it, at least one."""
        return max(1, -(-self.word_count // WORDS_PER_MINUTE))

    def content_id(self) -> str:
        """A stable id derived from the article's content.

        Used for seeds and imported files, which have no guid or URL: the same
        text imported twice (even with other line endings) gets the same id.
        """
        digest = hashlib.sha256()
        digest.update(self.title.encode())
        digest.update(b"\0" + self.standfirst.encode())
        for block in self.blocks:
            digest.update(b"\0" + block.kind.encode() + b":" + block.text.encode())
        return digest.hexdigest()[:16]

    def body_json(self) -> str:
        """Serialise the body blocks for the store."""
        return json.dumps([_block_to_json(b) for b in self.blocks], ensure_ascii=False)

    @staticmethod
    def blocks_from_json(data: str) -> list[Block]:
        """Read body blocks written by `body_json`; unknown kinds read as paragraphs."""
        raw: list[Any] = json.loads(data) if data else []
        return [_block_from_json(item) for item in raw]


def _block_to_json(block: Block) -> list[Any]:
    # Plain paragraphs stay [kind, text], the shape the first schema wrote.
    extra: dict[str, Any] = {}
    if block.links:
        extra["links"] = [[link.start, link.end, link.url] for link in block.links]
    if block.level:
        extra["level"] = block.level
    if block.marker:
        extra["marker"] = block.marker
    if block.rows:
        extra["rows"] = [list(row) for row in block.rows]
    if block.styles:
        extra["styles"] = [[span.start, span.end, span.style] for span in block.styles]
    return [block.kind.value, block.text, extra] if extra else [block.kind.value, block.text]


def _block_from_json(item: list[Any]) -> Block:
    kind, text, *rest = item
    try:
        block_kind = BlockKind(kind)
    except ValueError:
        block_kind = BlockKind.PARAGRAPH
    extra: dict[str, Any] = rest[0] if rest and isinstance(rest[0], dict) else {}
    return Block(
        block_kind,
        str(text),
        links=tuple(Link(int(a), int(b), str(u)) for a, b, u in extra.get("links", [])),
        level=int(extra.get("level", 0)),
        marker=str(extra.get("marker", "")),
        rows=tuple(tuple(str(c) for c in row) for row in extra.get("rows", [])),
        styles=tuple(
            Span(int(a), int(b), style)
            for a, b, style in extra.get("styles", [])
            if style in INLINE_STYLES
        ),
    )


def image_urls(blocks: Iterable[Block]) -> list[str]:
    """The addresses of the picture blocks, in order, each once (http(s) only)."""
    seen: dict[str, None] = {}
    for block in blocks:
        if block.kind is BlockKind.IMAGE and block.links:
            url = block.links[0].url
            if url.lower().startswith(("http://", "https://")):
                seen.setdefault(url, None)
    return list(seen)
