"""An article's pictures as Rich renderables: half-blocks in the app, the terminal's own for `read`.

textual-image draws them (kitty's graphics protocol, Sixel, or coloured
half-block cells that work everywhere); nothing here writes an escape
sequence of its own, and nothing a page sends reaches the terminal but
the pixels. A picture is at most the text's width and `MAX_ROWS` rows
tall, never wider than its own pixels would fill, and keeps its shape. Its
size in cells comes from the cache's record of its pixels, so a placeholder
of the right height holds its place while it is decoded (off the UI
thread: `prepare`), and the text below never jumps.

Importing `textual_image.renderable` asks the terminal what it can draw
(when stdout is a terminal), so `detect` runs before an app takes the
terminal over. Imports the image cache's record, Rich, Pillow and textual-image.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from rich.color import Color
from rich.color_triplet import ColorTriplet
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style

if TYPE_CHECKING:  # the cache brings httpx, which the app's start does without
    from tui_reader.sources.image_cache import CachedImage

MAX_ROWS = 20  # the tallest picture, in rows of text
CELL_PIXELS = 8  # about a cell's width in pixels: a small picture is not blown up
DECODED_PIXELS = 160  # the app keeps each picture scaled to this bound: 160 cells, 80 rows
PLACEHOLDER_STYLE = Style(dim=True)


def picture_cells(width_px: int, height_px: int, room: int) -> tuple[int, int]:
    """(cells wide, rows tall) for a picture of these pixels with `room` cells to spare.

    A cell is about twice as tall as it is wide, and a half-block shows two
    pixels a cell, one above the other: a picture `cells` wide is
    `cells * height / width / 2` rows tall, at most `MAX_ROWS`.
    """
    if width_px <= 0 or height_px <= 0:
        return 1, 1
    cells = max(1, min(room, math.ceil(width_px / CELL_PIXELS)))
    rows = max(1, round(cells * height_px / width_px / 2))
    if rows > MAX_ROWS:
        rows = MAX_ROWS
        cells = max(1, min(cells, round(rows * 2 * width_px / height_px)))
    return cells, rows


class Placeholder:
    """The room a picture will take: blank rows of its size, until it is decoded."""

    def __init__(self, width_px: int, height_px: int) -> None:
        self.width_px = width_px
        self.height_px = height_px

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        cells, rows = picture_cells(self.width_px, self.height_px, options.max_width)
        for _ in range(rows):
            yield Segment("░" * cells, PLACEHOLDER_STYLE)
            yield Segment.line()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        cells, _ = picture_cells(self.width_px, self.height_px, options.max_width)
        return Measurement(cells, cells)


class BlockPicture:
    """A decoded picture drawn in coloured half-block cells, laid out once per width.

    Built by `prepare` in a thread; the UI thread only turns the small
    copy it holds into cells (and keeps them for the next layout at that width).
    """

    def __init__(self, image: object, width_px: int, height_px: int) -> None:
        self._image = image  # a small RGB PIL image
        self.width_px = width_px
        self.height_px = height_px
        self._drawn: dict[tuple[int, int], list[list[Segment]]] = {}

    def lines(self, cells: int, rows: int) -> list[list[Segment]]:
        """The picture's rows of cells at this size (made once per size).

        A cell's colours are made once per colour (a photo repeats many),
        which halves the time of a 60 x 20 picture to about 7 ms.
        """
        key = (cells, rows)
        if key not in self._drawn:
            from PIL import Image as PILImage

            image = self._image
            assert isinstance(image, PILImage.Image)
            small = image.resize((cells, rows * 2), PILImage.Resampling.BILINEAR)
            raw = iter(small.tobytes())  # RGB, a byte a channel, row by row
            data = list(zip(raw, raw, raw, strict=True))
            colours: dict[tuple[int, int, int], Color] = {}
            drawn: list[list[Segment]] = []
            for row in range(rows):
                tops = data[row * 2 * cells : (row * 2 + 1) * cells]
                bottoms = data[(row * 2 + 1) * cells : (row * 2 + 2) * cells]
                line = []
                for top, bottom in zip(tops, bottoms, strict=True):
                    fore = colours.get(top) or colours.setdefault(top, _colour(top))
                    back = colours.get(bottom) or colours.setdefault(bottom, _colour(bottom))
                    line.append(Segment("▀", Style(color=fore, bgcolor=back)))
                drawn.append(line)
            self._drawn[key] = drawn
        return self._drawn[key]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        cells, rows = picture_cells(self.width_px, self.height_px, options.max_width)
        for line in self.lines(cells, rows):
            yield from line
            yield Segment.line()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        cells, _ = picture_cells(self.width_px, self.height_px, options.max_width)
        return Measurement(cells, cells)


def _colour(pixel: tuple[int, int, int]) -> Color:
    return Color.from_triplet(ColorTriplet(*pixel[:3]))


def prepare(cached: CachedImage, room: int | None = None) -> BlockPicture:
    """Decode a cached picture and scale it down for the app (run it in a thread);
    with `room` (cells), its cells at that width are made here too.

    Raises:
        OSError: The file went or does not decode (the caller shows the label).
    """
    from PIL import Image as PILImage

    with PILImage.open(cached.path) as opened:
        opened.draft("RGB", (DECODED_PIXELS, DECODED_PIXELS))  # JPEG: decode at a fraction
        image = opened.convert("RGB")
    image.thumbnail((DECODED_PIXELS, DECODED_PIXELS))
    picture = BlockPicture(image, cached.width, cached.height)
    if room:
        picture.lines(*picture_cells(cached.width, cached.height, room))
    return picture


def placeholders(cached: Mapping[str, CachedImage]) -> dict[str, RenderableType]:
    """A placeholder of the right size for each cached picture, by its address."""
    return {url: Placeholder(image.width, image.height) for url, image in cached.items()}


def detect(mode: str) -> str:
    """What `read` will draw with: "kitty", "sixel", "blocks" (or "off"), from
    the config's `reader.images`.

    `auto` asks the terminal (textual-image does, once, when first imported):
    kitty's protocol or Sixel where it answers that it has them, else half-blocks.
    """
    if mode != "auto":
        return mode
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return "blocks"  # no terminal to ask (its answer comes on stdin)
    try:
        from textual_image.renderable import Image, SixelImage, TGPImage
    except Exception:  # a terminal that answers oddly: half-blocks work everywhere
        return "blocks"

    if Image is TGPImage:
        return "kitty"
    if Image is SixelImage:
        return "sixel"
    return "blocks"


def terminal_picture(cached: CachedImage, drawn_with: str, room: int) -> RenderableType:
    """A picture for `read` on a terminal, in the protocol `detect` chose."""
    cells, rows = picture_cells(cached.width, cached.height, room)
    if drawn_with == "kitty":
        from textual_image.renderable.tgp import Image as TGPImage

        return TGPImage(cached.path, width=cells, height=rows)
    if drawn_with == "sixel":
        from textual_image.renderable.sixel import Image as SixelImage

        return SixelImage(cached.path, width=cells, height=rows)
    return prepare(cached)
