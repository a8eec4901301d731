"""An article's pictures as Rich renderables: in the terminal's own protocol, or half-blocks.

textual-image draws them (kitty's graphics protocol, Sixel, or coloured
half-block cells that work everywhere); nothing here writes an escape
sequence of its own, and nothing a page sends reaches the terminal but
the pixels. A picture is at most the text's width and `MAX_ROWS` rows
tall, never wider than its own pixels would fill, and keeps its shape. Its
size in cells comes from the cache's record of its pixels, so a placeholder
of the right height holds its place while it is decoded (off the UI
thread: `prepare`), and the text below never jumps.

The app and `read` draw in the terminal's own protocol where it has one:
kitty's (its Unicode placeholders are characters, so Textual paints, scrolls
and clips them like text) or Sixel (pixels, written over the picture's cells
by the article pane when all of it is in view). `detect` asks the terminal
which, before an app takes the terminal over.
Imports the image cache's record, Rich, Pillow and textual-image.
"""

from __future__ import annotations

import math
import sys
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

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


class TerminalPicture:
    """A picture the terminal draws itself (kitty's protocol or Sixel), with its
    half-block cells for a size not made yet.

    Each size (`make`, in a thread) has the protocol's output produced by
    textual-image's renderer, so the UI thread only hands it on. The panes
    trade widths as the keyboard moves, so a picture may be laid out at a
    width it was not made for: it shows its half-blocks there, the pane asks
    for that size (`ArticleView.PicturesMisfit`), and the sizes made are kept.
    """

    def __init__(self, blocks: BlockPicture, cached: CachedImage) -> None:
        self.blocks = blocks
        self.cached = cached
        self.width_px = cached.width
        self.height_px = cached.height
        self._made: dict[tuple[int, int], Any] = {}  # by (cells, rows): the protocol's output
        self._making = threading.Lock()  # two threads may want one size: it is made once

    def size_at(self, room: int) -> tuple[int, int]:
        """(cells, rows) the picture takes with `room` cells."""
        return picture_cells(self.width_px, self.height_px, room)

    def fits(self, room: int) -> bool:
        """Whether its size at `room` cells is made."""
        return self.size_at(room) in self._made

    def make(self, room: int, decoded: object = None) -> None:
        """Make its size at `room` cells (in a thread), from `decoded` (an RGB image
        at least that size in pixels) or the cached file.

        Raises:
            OSError: The file went or does not decode.
            ValueError: textual-image cannot draw it so.
        """
        with self._making:
            self._make(room, decoded)

    def _make(self, room: int, decoded: object) -> None:
        cells, rows = self.size_at(room)
        if (cells, rows) in self._made:
            return
        cell_width, cell_height = _cell_pixels()
        wanted = (cells * cell_width, rows * cell_height)
        if decoded is None:
            decoded = _decode(self.cached, wanted)
        from PIL import Image as PILImage

        assert isinstance(decoded, PILImage.Image)
        scaled = decoded.resize(wanted, PILImage.Resampling.LANCZOS)
        self._made[(cells, rows)] = self._made_for(scaled, cells, rows)

    def _made_for(self, image: object, cells: int, rows: int) -> Any:
        raise NotImplementedError

    def made(self, room: int) -> Any:
        """What was made for its size at `room` cells (None: not made)."""
        return self._made.get(self.size_at(room))

    def release(self) -> None:
        """Free what the terminal holds of it (the article is closed)."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.blocks.__rich_console__(console, options)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return self.blocks.__rich_measure__(console, options)


class KittyPicture(TerminalPicture):
    """A picture in kitty's graphics protocol, placed by Unicode placeholders.

    The image is sent to the terminal once a size, when it is made; its cells
    are ordinary characters (U+10EEEE and diacritics naming the row and
    column, coloured with the image's id), so the line-by-line painting,
    scrolling and clipping of the text work on them unchanged. kitty and
    Ghostty draw them; textual-image sends the image and makes the cells.
    """

    def _made_for(self, image: object, cells: int, rows: int) -> Any:
        from textual_image.renderable.tgp import Image as TGPImage

        sent = TGPImage(image, width=cells, height=rows)  # type: ignore[arg-type]
        return sent, _rendered(sent, cells, rows)  # rendering it sends it

    def release(self) -> None:
        for sent, _ in self._made.values():
            sent.cleanup()
        self._made.clear()

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        made = self.made(options.max_width)
        if made is None:
            yield from self.blocks.__rich_console__(console, options)
            return
        _, lines = made
        for line in lines:
            yield from line
            yield Segment.line()


class SixelPicture(TerminalPicture):
    """A picture in Sixel, drawn over its cells when all of it is on screen.

    Sixel is pixels written at the cursor, not characters, so Textual's
    painting cannot clip it: the article pane writes it after the picture's
    last row when the whole picture is in view (`overlay`), and a picture
    cut by the pane's edge shows its half-blocks meanwhile. The Sixel data is
    textual-image's, made once a size in the thread.
    """

    def _made_for(self, image: object, cells: int, rows: int) -> Any:
        from textual_image.renderable.sixel import Image as SixelImage

        rendered = _rendered(SixelImage(image, width=cells, height=rows), cells, rows)  # type: ignore[arg-type]
        found = [seg.text for line in rendered for seg in line if seg.text.startswith("\x1bP")]
        if not found:
            raise ValueError("the Sixel renderer gave no image")
        return found[0]

    def overlay(self, room: int) -> str | None:
        """The Sixel data of its size at `room` cells (None: not made)."""
        made = self.made(room)
        return made if isinstance(made, str) else None


def _rendered(renderable: RenderableType, cells: int, rows: int) -> list[list[Segment]]:
    """A textual-image renderable's segments, line by line, rendered off the screen."""
    import io

    console = Console(width=cells, height=rows, file=io.StringIO(), color_system="truecolor")
    options = console.options.update(width=cells, height=rows)
    return list(Segment.split_lines(console.render(renderable, options)))


def _cell_pixels() -> tuple[int, int]:
    """A cell's size in pixels, as the terminal told textual-image before the app
    started (`detect`)."""
    from textual_image._terminal import get_cell_size

    size = get_cell_size()
    return size.width, size.height


def _decode(cached: CachedImage, pixels: tuple[int, int]) -> object:
    """The cached picture as RGB, decoded at no less than `pixels` (a JPEG is
    decoded at a fraction of its size where that is enough)."""
    from PIL import Image as PILImage

    with PILImage.open(cached.path) as opened:
        opened.draft("RGB", pixels)
        return opened.convert("RGB")


def prepare(
    cached: CachedImage, room: int | None = None, drawn_with: str = "blocks"
) -> BlockPicture | TerminalPicture:
    """Decode a cached picture and scale it down for the app (run it in a thread);
    with `room` (cells), its cells at that width are made here too, and with
    `drawn_with` "kitty" or "sixel" (and a room) the terminal's own picture.

    Raises:
        OSError: The file went or does not decode (the caller shows the label).
        ValueError: The picture cannot be drawn that way (its label shows).
    """
    from PIL import Image as PILImage

    terminal = bool(room) and drawn_with in ("kitty", "sixel")
    pixels = (DECODED_PIXELS, DECODED_PIXELS)
    if room and terminal:
        cells, rows = picture_cells(cached.width, cached.height, room)
        cell_width, cell_height = _cell_pixels()
        pixels = (cells * cell_width, rows * cell_height)
    decoded = _decode(cached, pixels)
    assert isinstance(decoded, PILImage.Image)
    small = decoded.copy()
    small.thumbnail((DECODED_PIXELS, DECODED_PIXELS))
    blocks = BlockPicture(small, cached.width, cached.height)
    if room:
        blocks.lines(*picture_cells(cached.width, cached.height, room))
    if not room or not terminal:
        return blocks
    picture = (KittyPicture if drawn_with == "kitty" else SixelPicture)(blocks, cached)
    picture.make(room, decoded)
    return picture


def placeholders(cached: Mapping[str, CachedImage]) -> dict[str, RenderableType]:
    """A placeholder of the right size for each cached picture, by its address."""
    return {url: Placeholder(image.width, image.height) for url, image in cached.items()}


def detect(mode: str) -> str:
    """What pictures are drawn with: "kitty", "sixel", "blocks" (or "off"), from
    the config's `reader.images`. Run it before an app takes the terminal.

    `auto` asks the terminal (`terminal_graphics`, one round trip). For kitty
    and Sixel, textual-image is loaded and the cell's size in pixels asked
    now, while the answers can still be read; a terminal that cannot tell
    gets half-blocks.
    """
    if mode not in ("auto", "kitty", "sixel"):
        return mode
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return "blocks" if mode == "auto" else mode  # no terminal to ask (it answers on stdin)
    try:
        if mode == "auto":
            from tui_reader.terminal_graphics import ask_terminal

            mode = ask_terminal(sys.stdin.fileno(), sys.stdout.fileno())
        if mode != "blocks":
            _load_renderers()
            _cell_pixels()
    except Exception:  # a terminal that answers oddly: half-blocks work everywhere
        return "blocks"
    return mode


def _load_renderers() -> None:
    """Import textual-image's renderers without the questions it asks on import:
    the terminal was asked already, and a second round with 0.1 s timeouts
    would delay every start on a terminal that ignores kitty's question."""
    if "textual_image.renderable" in sys.modules:
        return
    import io

    real = sys.__stdout__
    sys.__stdout__ = io.StringIO()  # type: ignore[misc,assignment]  # not a terminal: no questions
    try:
        import textual_image.renderable  # noqa: F401
    finally:
        sys.__stdout__ = real  # type: ignore[misc]


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
