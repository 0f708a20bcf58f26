"""Tables of fixed-width columns that mirror in Persian: the queue's and the chase board's.

Columns are declared left to right in English as ``(key, heading msgid, width in cells)``; in a
right-to-left layout they are added in reverse, each cell reordered for display and aligned to
the right. Widths leave a one-cell gap, cropping with an ellipsis, so 80 columns stay readable.
"""

from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

from console.i18n import _
from console.i18n.rtl import display

__all__ = ["Column", "MirroredTable", "cell"]

Column = tuple[str, str, int]


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


class MirroredTable(DataTable):
    """A row-cursor table whose columns and rows are given in English order."""

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
