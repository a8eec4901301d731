"""Tables that never lose a cell, at any width, and stay quick at any size.

Where a table fits (each column at least `MIN_COLUMN_CELLS` wide) it is drawn
as a table, long cells folding inside their column; where it does not, each
row becomes a block of `Header: value` lines. Rows with no text are left out
in both forms.

A big table is drawn in pieces of a few rows (`TableBlock.pieces`), so the
article pane lays out only the pieces on screen before the first paint: a
30-column, 200-row table is 6,000 lines, which Rich took 640 ms to lay out
in one go. Every piece of a drawn table uses the same column widths, so the
pieces line up as one table.
Imports Rich only.
"""

from __future__ import annotations

from functools import lru_cache

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

# A table is drawn as a table only if every column can have this many cells.
MIN_COLUMN_CELLS = 10
# Cells per piece: a piece is a screenful or two of `Header: value` lines.
PIECE_CELLS = 120
# SIMPLE_HEAD pads each cell with a space either side (not at the table's
# edges) and puts a one-cell divider between columns: 3 cells a column, less 3.
_PER_COLUMN = 3
NAME_STYLE = Style(dim=True)


class TableBlock:
    """A table's rows, drawn as a table or as blocks by the width it gets."""

    def __init__(self, rows: tuple[tuple[str, ...], ...]) -> None:
        rows = tuple(tuple(row) for row in rows if any(cell.strip() for cell in row))
        self.header: tuple[str, ...] = rows[0] if len(rows) > 1 else ()
        self.rows = rows[1:] if len(rows) > 1 else rows
        self.columns = max((len(row) for row in rows), default=0)
        # Each column's widest cell (its header included), in cells.
        self.natural = [
            max((cell_len(row[index]) for row in rows if index < len(row)), default=0)
            for index in range(self.columns)
        ]
        self._widths = lru_cache(maxsize=8)(self._column_widths)

    def name(self, index: int) -> str:
        """Column `index`'s header, or its number when it has none."""
        name = self.header[index] if index < len(self.header) else ""
        return name or str(index + 1)

    def _column_widths(self, width: int) -> tuple[int, ...] | None:
        """The columns' widths as a table `width` cells wide, or None: too narrow for one."""
        if not self.columns:
            return None
        room = width - _PER_COLUMN * (self.columns - 1)
        natural = [max(1, cells) for cells in self.natural]
        if sum(natural) <= room:
            return tuple(natural)
        if self.columns * MIN_COLUMN_CELLS > room:
            return None
        # Wide columns give up cells first; none goes below the floor.
        widths = list(natural)
        while sum(widths) > room:
            widest = max(range(self.columns), key=widths.__getitem__)
            widths[widest] -= 1
            if widths[widest] < MIN_COLUMN_CELLS:
                return None
        return tuple(widths)

    def pieces(self) -> list[TablePiece]:
        """The table in pieces of about `PIECE_CELLS` cells, to be laid out in turns."""
        per_piece = max(1, PIECE_CELLS // max(1, self.columns))
        starts = range(0, max(1, len(self.rows)), per_piece)
        return [TablePiece(self, start, start + per_piece) for start in starts]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.pieces()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        natural = sum(self.natural) + _PER_COLUMN * (self.columns - 1)
        return Measurement(min(natural, MIN_COLUMN_CELLS), natural)


class TablePiece:
    """Rows [start, end) of a table, in the form the width gives the whole table."""

    def __init__(self, table: TableBlock, start: int, end: int) -> None:
        self.table = table
        self.start = start
        self.end = end

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        widths = self.table._widths(options.max_width)
        if widths is None:
            yield from self._blocks(options.max_width)
        else:
            yield self._drawn(widths)

    def _drawn(self, widths: tuple[int, ...]) -> Table:
        table = self.table
        first = self.start == 0
        drawn = Table(
            box=box.SIMPLE_HEAD,
            show_header=first and bool(table.header),
            show_edge=False,  # no blank rows above and below
            expand=False,
            pad_edge=False,
        )
        for index, width in enumerate(widths):
            name = table.header[index] if index < len(table.header) else ""
            drawn.add_column(Text(name), overflow="fold", width=width)
        for row in table.rows[self.start : self.end]:
            drawn.add_row(*(Text(cell) for cell in row))
        return drawn

    def _blocks(self, width: int) -> RenderResult:
        """Each row as `Header: value` lines, a blank line between rows."""
        table = self.table
        new_line = Segment.line()
        for number, row in enumerate(table.rows[self.start : self.end]):
            if number or self.start:
                yield new_line
            for index, cell in enumerate(row):
                name = table.name(index)
                if not cell.strip() and index >= len(table.header):
                    continue
                label = f"{name}: "
                if cell_len(label) + cell_len(cell) <= width:
                    # Most lines fit: segments, without Rich's wrapping (10x quicker).
                    yield Segment(label, NAME_STYLE)
                    yield Segment(cell)
                    yield new_line
                else:
                    yield Text.assemble((label, NAME_STYLE), cell)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return self.table.__rich_measure__(console, options)
