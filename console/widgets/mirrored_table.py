"""Tables of fixed-width columns that mirror in Persian: the queue's and the chase board's.

Columns are declared left to right in English as ``(key, heading msgid, width in cells)``; in a
right-to-left layout they are added in reverse, each cell reordered for display and aligned to
the right. Widths leave a one-cell gap, cropping with an ellipsis, so 80 columns stay readable.

A list that reads itself again gives its rows to `show_rows`, which draws only what changed: on a
slow link a poll that found nothing new sends nothing, and one changed clock sends one cell.
"""

from collections.abc import Sequence
from typing import Any, Self

from rich.cells import cell_len
from rich.text import Text
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.widgets import DataTable

from console.i18n import _
from console.i18n.rtl import display

__all__ = ["Column", "MirroredTable", "Row", "cell"]

Column = tuple[str, str, int]
#: A row as `show_rows` takes it: its key and its cells in English column order.
Row = tuple[str, Sequence[Text]]


def _crop(text: str, width: int) -> str:
    if cell_len(text) <= width:
        return text
    cut = text
    while cut and cell_len(cut) > width - 1:
        cut = cut[:-1]
    return cut.rstrip() + "…"


def cell(text: str, width: int, *, rtl: bool, style: str = "") -> Text:
    """One cell: cropped to leave a one-cell gap, in display order, aligned to the reading side."""
    logical = _crop(text, width - 1)
    # Persian data (a title, a street) is reordered in an English table too.
    shown = display(logical, base_rtl=True if rtl else None)
    return Text(shown, style=style, justify="right" if rtl else "left", no_wrap=True)


def same_cell(a: Any, b: Any) -> bool:
    """Whether two cells draw alike. `Text.__eq__` looks at the words and spans only, so a clock
    turning red with the same words would look unchanged to it."""
    if isinstance(a, Text) and isinstance(b, Text):
        return (
            a.plain == b.plain
            and a.style == b.style
            and a.justify == b.justify
            and a.spans == b.spans
        )
    return bool(a == b)


class MirroredTable(DataTable):
    """A row-cursor table whose columns and rows are given in English order."""

    _cells_only = False
    """Set while `show_rows` updates cells in place: see `refresh`."""

    def __init__(self, columns: Sequence[Column], *, rtl: bool, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", cell_padding=0)
        self.rtl = rtl
        self._columns = tuple(columns)

    def on_mount(self) -> None:
        columns = list(self._columns)
        if self.rtl:
            columns.reverse()
        for key, msgid, width in columns:
            self.add_column(cell(_(msgid), width, rtl=self.rtl), width=width, key=key)

    def add_cells(self, cells: list[Text], key: str) -> None:
        """Add a row given in English column order."""
        self.add_row(*(reversed(cells) if self.rtl else cells), key=key)

    def highlighted_key(self) -> str | None:
        """The key of the row under the cursor, or None when the table is empty."""
        if not self.row_count:
            return None
        row_key, _column = self.coordinate_to_cell_key(self.cursor_coordinate)
        return str(row_key.value)

    def row_keys(self) -> list[str]:
        """The keys of the rows on show, top to bottom."""
        return [str(row.key.value) for row in self.ordered_rows]

    def show_rows(self, rows: Sequence[Row], *, top: bool = False) -> None:
        """Show `rows`, drawing only what changed.

        The same keys in the same order (a poll, most of the time): each cell that differs is
        updated in place and only it is drawn again; the cursor stays where it is. Other keys
        or another order (a new page): the table is filled afresh, the cursor kept on the row
        it was on if that row is still there, else at the same height. `top` puts the cursor on
        the first row (a new page or a new question).
        """
        keys = [key for key, _cells in rows]
        if keys == self.row_keys():
            self._update_in_place(rows)
            if top and self.cursor_row != 0:
                self.move_cursor(row=0)
            return
        # A new page differs in nearly every cell: drawn whole, which costs fewer bytes than
        # its cells drawn one by one (each starts with its own cursor move and style).
        kept_key = None if top else self.highlighted_key()
        kept_row = 0 if top else self.cursor_row
        self.clear()
        for key, cells in rows:
            self.add_cells(list(cells), key=key)
        if self.row_count:
            row = keys.index(kept_key) if kept_key in keys else min(kept_row, self.row_count - 1)
            self.move_cursor(row=row)

    def _update_in_place(self, rows: Sequence[Row]) -> None:
        column_keys = [key for key, _msgid, _width in self._columns]
        changed: dict[int, list[str]] = {}
        self._cells_only = True
        try:
            for row_index, (key, cells) in enumerate(rows):
                for column, value in zip(column_keys, cells, strict=True):
                    if not same_cell(self.get_cell(key, column), value):
                        self.update_cell(key, column, value)
                        changed.setdefault(row_index, []).append(column)
        finally:
            self._cells_only = False
        for row_index, columns in changed.items():
            if 2 * len(columns) > len(column_keys):
                self.refresh_row(row_index)  # most of the row: one run is cheaper
                continue
            for column in columns:
                self.refresh_coordinate(Coordinate(row_index, self.get_column_index(column)))

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        # `update_cell` redraws the whole table; while `show_rows` updates cells in place it
        # draws just those that changed instead (the whole table is ~6 KB on the wire).
        if self._cells_only and not (regions or layout or recompose):
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
