"""What every list of the admin mode shares: a count line, a table of one kind of record, the
highlighted row's detail, and a line saying what the last change did.

A view says what it lists in `read()` (run in a thread worker, in its own read-only session)
and how a row looks in `cells()` and `detail()`; `write()` runs a change in a thread worker,
in its own session, and either says what it did and reads the list again, or hands the
refusal (in the admin's words, with the field it is about) back to reopen the dialog.
A view may list two kinds of record (units and districts, calendars and holidays): `LISTINGS`
names the columns of each and Ctrl+E switches between them.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from sqlalchemy.engine import Engine
from sqlmodel import Session
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable

from console import keys
from console.i18n.admin_words import admin_error_field, admin_error_text
from console.screens.admin_dialog import ConfirmDialog
from console.widgets.bidi import BidiText, layout_rtl
from console.widgets.lines import Line
from console.widgets.mirrored_table import Column, MirroredTable, cell
from console.widgets.request_detail import DetailBlock
from db.accounts import AccountError, AgentView, PermissionDenied
from db.admin import AdminError
from db.engine import session

__all__ = ["AdminTable", "AdminView", "Reopen", "cells_of"]

#: Called with the refusal's words and field, to open the dialog again with what was typed.
Reopen = Callable[[str, str], None]


class AdminTable(MirroredTable):
    """A `MirroredTable` whose columns can change (a view listing two kinds of record)."""

    def set_columns(self, columns: Sequence[Column]) -> None:
        self.clear(columns=True)
        self._columns = tuple(columns)
        self.on_mount()


def cells_of(columns: Sequence[Column], values: dict[str, str], *, rtl: bool, style: str = "",
             styles: dict[str, str] | None = None) -> list[Text]:  # fmt: skip
    """A row's cells in the columns' (English) order."""
    styles = styles or {}
    return [
        cell(values.get(key, ""), width, rtl=rtl, style=styles.get(key, style))
        for key, _msgid, width in columns
    ]


class AdminView(Vertical):
    """One kind of record of the center: its list, the highlighted one's detail, its keys."""

    DEFAULT_CSS = """
    AdminView {
        height: 1fr;
        .admin--count {
            text-style: bold;
        }
        AdminTable {
            height: 1fr;
            scrollbar-size-vertical: 1;
        }
        .admin--detail {
            height: auto;
            border-top: solid $primary;
            &:ansi {
                border-top: ascii $primary;
            }
        }
        .admin--message {
            color: $text-accent;
            text-style: bold;
            &.-warning {
                color: $text-warning;
            }
        }
    }
    """

    #: The keys' scope in console.keys.
    SCOPE: ClassVar[keys.Scope]
    #: Columns of each listing, left to right in English; the first listing shows first.
    LISTINGS: ClassVar[dict[str, tuple[Column, ...]]]
    #: Rows of the detail block a line may take.
    DETAIL_ROWS: ClassVar[int] = 3

    @dataclass
    class Loaded(Message):
        """A worker read the list; handled by `on_admin_view_loaded`."""

        listing: str
        rows: tuple[Any, ...]
        extra: Any
        select: str | None

    def __init__(
        self,
        *,
        engine: Engine,
        agent: AgentView,
        clock: Callable[[], datetime],
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="-rtl" if layout_rtl() else None)
        keys.install(self, self.SCOPE)
        self._engine = engine
        self.agent = agent
        self._clock = clock
        self._rtl = layout_rtl()
        self.listing = next(iter(self.LISTINGS))
        self.rows: tuple[Any, ...] = ()
        self.extra: Any = None

    def compose(self) -> ComposeResult:
        yield BidiText(classes="admin--count")
        yield AdminTable(self.LISTINGS[self.listing], rtl=self._rtl)
        yield DetailBlock(clip_rows=self.DETAIL_ROWS)
        yield BidiText(classes="admin--message")

    def on_mount(self) -> None:
        self.query_one(DetailBlock).add_class("admin--detail")

    def focus_first(self) -> None:
        self.query_one(AdminTable).focus()
        self.refresh_list()

    # --- what a view says ---------------------------------------------------------------------

    def read(self, s: Session, listing: str) -> tuple[Sequence[Any], Any]:
        """The rows of `listing`, and anything else the dialogs need (choices)."""
        raise NotImplementedError

    def key(self, row: Any) -> str:
        return str(row.code)

    def cells(self, row: Any) -> list[Text]:
        raise NotImplementedError

    def detail(self, row: Any) -> list[Line]:
        return []

    def count_text(self) -> str:
        raise NotImplementedError

    def values_cells(self, values: dict[str, str], *, dim: bool = False, **styles: str):
        """Cells of the current listing from `{column key: text}`; an inactive row dim."""
        columns = self.LISTINGS[self.listing]
        return cells_of(columns, values, rtl=self._rtl, style="dim" if dim else "", styles=styles)

    # --- reading ------------------------------------------------------------------------------

    def refresh_list(self, select: str | None = None) -> None:
        self._load(self.listing, select)

    @work(thread=True, exclusive=True, group="admin-read", exit_on_error=False)
    def _load(self, listing: str, select: str | None) -> None:
        try:
            with session(self._engine, write=False) as s:
                rows, extra = self.read(s, listing)
        except (AdminError, AccountError) as error:  # no longer an admin, a bad filter
            self.app.call_from_thread(self.say, admin_error_text(error), warning=True)
            return
        self.post_message(self.Loaded(listing, tuple(rows), extra, select))

    def on_admin_view_loaded(self, event: Loaded) -> None:
        event.stop()
        if event.listing != self.listing:
            return  # switched meanwhile: the other listing's read is on its way
        self.rows, self.extra = event.rows, event.extra
        table = self.query_one(AdminTable)
        keep = table.cursor_row
        table.clear()
        for row in event.rows:
            table.add_cells(self.cells(row), self.key(row))
        if event.select is not None:
            keys_ = [self.key(row) for row in event.rows]
            keep = keys_.index(event.select) if event.select in keys_ else keep
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        self.query_one(".admin--count", BidiText).text = self.count_text()
        self._show_detail()

    def switch_to(self, listing: str) -> None:
        """Show another listing: its columns at once, its rows when read."""
        self.listing = listing
        self.rows = ()
        table = self.query_one(AdminTable)
        table.set_columns(self.LISTINGS[listing])
        self.query_one(DetailBlock).show([])
        self.refresh_list()

    def highlighted(self) -> Any | None:
        key = self.query_one(AdminTable).highlighted_key()
        return next((row for row in self.rows if self.key(row) == key), None)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_detail()

    def _show_detail(self) -> None:
        row = self.highlighted()
        self.query_one(DetailBlock).show(self.detail(row) if row is not None else [])

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        action = getattr(self, "action_edit_row", None)
        if action is not None:
            action()

    def action_refresh(self) -> None:
        self.say("")
        self.refresh_list()

    def current(self) -> Any | None:
        """The highlighted row, or a bell when the list is empty."""
        row = self.highlighted()
        if row is None:
            self.app.bell()
        return row

    # --- writing ------------------------------------------------------------------------------

    def say(self, text: str, *, warning: bool = False) -> None:
        """What the last change did (or why it was refused), under the list."""
        line = self.query_one(".admin--message", BidiText)
        line.text = text
        line.set_class(warning, "-warning")

    def write(
        self,
        job: Callable[[Session], Any],
        done: Callable[[Any], tuple[str, str | None]],
        reopen: Reopen | None = None,
    ) -> None:
        """Run `job` in a session of its own; then `done(result)` gives the words to say and
        the row to highlight. A refusal reopens the dialog, or is said under the list."""
        self._write(job, done, reopen)

    @work(thread=True, group="admin-write", exit_on_error=False)
    def _write(
        self,
        job: Callable[[Session], Any],
        done: Callable[[Any], tuple[str, str | None]],
        reopen: Reopen | None,
    ) -> None:
        try:
            with session(self._engine) as s:
                result = job(s)
        except (AdminError, AccountError) as error:
            text, field = admin_error_text(error), admin_error_field(error)
            if reopen is not None and not isinstance(error, PermissionDenied):
                # Everything typed comes back, the reason next to its field (or at the end).
                self.app.call_from_thread(reopen, text, field)
            else:
                self.app.call_from_thread(self.say, text, warning=True)
            return
        self.app.call_from_thread(self._written, done, result)

    def _written(self, done: Callable[[Any], tuple[str, str | None]], result: Any) -> None:
        text, select = done(result)
        self.say(text)
        self.refresh_list(select)

    def open(self, dialog: ModalScreen, then: Callable[[Any], None]) -> None:
        """Push a dialog; `then(result)` when it closes with one (not on Esc)."""

        def closed(result: Any) -> None:
            if result is not None:
                then(result)

        self.app.push_screen(dialog, closed)

    def confirm(self, title: str, text: str, then: Callable[[], None]) -> None:
        self.open(ConfirmDialog(title, text), lambda _yes: then())
