"""Callbacks mode, F4: the surveyor's worklist of calls back to subscribers, due longest first.

Each row is a subscriber to call back with the result of their request: when it fell due, the
request's tracking code and category, the name and phone to dial, and how many tries were made.
Enter opens it (`console.screens.callback`): the result to read out, a key per outcome, and the
survey when the subscriber is reached; after each outcome the screen goes straight on to the next
due callback, so a round is Enter, then one digit per call. What happened last is said above the
table when the surveyor comes back.

The list reads itself again every `poll_seconds * 10` seconds, the next read scheduled when the
last one finished; two surveyors share one worklist, and a callback one of them recorded leaves
the other's list at the next read. Ctrl+R opens the SMS survey replies that need a person.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from rich.text import Text
from sqlalchemy.engine import Engine
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable

from console import keys
from console.i18n import N_, _, lang_digits
from console.i18n.callback_words import category_text
from console.i18n.intake_words import code_groups, when_text
from console.widgets.bidi import BidiText, layout_rtl, notify_text
from console.widgets.mirrored_table import Column, MirroredTable, cell
from console.widgets.polling import Polling, reading_text
from db.accounts import AgentView
from db.engine import session
from db.feedback import (
    CallbackView,
    WorklistCursor,
    WorklistPage,
    due_callbacks,
    replies_for_review,
)
from db.jalali import format_date

__all__ = ["CallbacksPanel", "WorklistQuery", "row_cells"]

#: Columns, left to right in English (mirrored in Persian): id, heading msgid, width in cells.
#: The widths add up to 79, so the table fits 80 columns; each keeps its last cell as a gap.
COLUMNS: tuple[Column, ...] = (
    ("due", N_("Due"), 17),
    ("code", N_("Tracking code"), 16),
    ("category", N_("Category"), 13),
    ("name", N_("Name"), 14),
    ("phone", N_("Phone"), 12),
    ("tries", N_("Tries"), 7),
)

#: Replies counted for the line above the table; more shows as "100+".
REPLIES_COUNTED = 100


@dataclass(frozen=True)
class WorklistQuery:
    """Where the page on show starts (None: the callbacks due longest) and its number."""

    after: WorklistCursor | None = None
    page: int = 1


def row_cells(view: CallbackView, now: datetime, *, rtl: bool) -> list[Text]:
    """A callback's cells in the order of `COLUMNS` (reversed by the table in Persian)."""
    code = (
        lang_digits(" ".join(code_groups(view.tracking_code)))
        if view.tracking_code
        else view.incident_title
    )
    values = {
        "due": when_text(view.due_at, now=now),
        "code": code,
        "category": category_text(view) if view.tracking_code else _("Incident"),
        "name": view.name,
        "phone": lang_digits(view.phone),
        "tries": lang_digits(str(view.attempt_count)) if view.attempt_count else "",
    }
    # A callback due since an earlier day stands out: that subscriber has waited longest.
    late = format_date(view.due_at) != format_date(now)
    styles = {"due": "bold yellow" if late else ""}
    return [
        cell(values[key], width, rtl=rtl, style=styles.get(key, ""))
        for key, _msgid, width in COLUMNS
    ]


class CallbacksPanel(Polling, Vertical):
    """The worklist: the count due, what happened last, and a table of due callbacks."""

    DEFAULT_CSS = """
    CallbacksPanel {
        height: 1fr;
        #callbacks-count {
            text-style: bold;
        }
        #callbacks-message {
            display: none;
            color: $text-success;
            text-style: bold;
            &.-shown {
                display: block;
            }
            &.-error {
                color: $text-error;
            }
        }
        #callbacks-table {
            height: 1fr;
            scrollbar-size-vertical: 1;
        }
    }
    """

    page_size: int = 15
    """Rows per page: what fits at 80x24 under the header and the two lines above the table."""

    @dataclass
    class Loaded(Message):
        """A worker read a page of the worklist; handled by `on_callbacks_panel_loaded`."""

        query: WorklistQuery
        page: WorklistPage
        replies: int

    def __init__(
        self,
        *,
        engine: Engine,
        agent: AgentView,
        clock: Callable[[], datetime],
        poll_seconds: float = 2.0,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="-rtl" if layout_rtl() else None)
        keys.install(self, "callbacks")
        self._engine = engine
        self.agent = agent
        self._clock = clock
        self._poll_seconds = poll_seconds
        self.poll_interval = poll_seconds * 10
        self.query_now = WorklistQuery()
        self.page: WorklistPage | None = None
        self.shown_query: WorklistQuery | None = None
        """The question `page` answers (`query_now` runs ahead of it while a read runs)."""
        self.replies = 0
        self._rtl = layout_rtl()

    poll_group = "callbacks"

    def read_again(self) -> None:
        self._load(self.query_now)

    def compose(self) -> ComposeResult:
        yield BidiText(id="callbacks-count")
        yield BidiText(id="callbacks-message")
        table = MirroredTable(COLUMNS, rtl=self._rtl, id="callbacks-table")
        table.zebra_stripes = True
        yield table

    def on_mount(self) -> None:
        # The mode the shell opens with gets no F4 (nor focus_first): read it once it shows.
        self.call_after_refresh(self._first_look)

    def _first_look(self) -> None:
        if self.page is None and self.display and self.is_on_screen:
            self.focus_first()

    def focus_first(self) -> None:
        """Called when the mode opens: focus the table and read the worklist afresh."""
        self.query_one(DataTable).focus()
        self.refresh_list()

    # --- reading ----------------------------------------------------------------------------

    def refresh_list(self, query: WorklistQuery | None = None) -> None:
        if query is not None:
            self.query_now = query
        self.stop_polling()
        count = self.query_one("#callbacks-count", BidiText)
        count.text = reading_text(self.count_text(self.page, self.query_now, reading=True))
        self._load(self.query_now)

    def read_failed(self) -> None:
        self.query_one("#callbacks-count", BidiText).text = (
            self.count_text(self.page, self.shown_query) if self.shown_query else ""
        )

    @work(thread=True, exclusive=True, group="callbacks", exit_on_error=False)
    def _load(self, query: WorklistQuery) -> None:
        with session(self._engine, write=False) as s:
            page = due_callbacks(
                s, actor=self.agent, now=self._clock(), limit=self.page_size, after=query.after
            )
            replies = len(replies_for_review(s, actor=self.agent, limit=REPLIES_COUNTED))
        self.post_message(self.Loaded(query, page, replies))

    def on_callbacks_panel_loaded(self, event: Loaded) -> None:
        event.stop()
        if event.query != self.query_now:
            return  # the answer to a page no longer asked for
        if not event.page.rows and event.query.page > 1:
            # The last page emptied (its callbacks were made): show the first one instead.
            self.refresh_list(WorklistQuery())
            return
        self.replies = event.replies
        self._show(event.query, event.page)
        self.schedule_poll()

    # --- showing ----------------------------------------------------------------------------

    def _show(self, query: WorklistQuery, page: WorklistPage) -> None:
        # Another page starts at the top; a poll keeps the cursor on its callback.
        top = query != self.shown_query
        self.page, self.shown_query = page, query
        rows = [(str(view.id), row_cells(view, page.as_of, rtl=self._rtl)) for view in page.rows]
        self.query_one(MirroredTable).show_rows(rows, top=top)
        self.query_one("#callbacks-count", BidiText).text = self.count_text(page, query)

    def count_text(
        self, page: WorklistPage | None, query: WorklistQuery, *, reading: bool = False
    ) -> str:
        """`Callbacks due: 12 · Page 2 · more on the next page · SMS replies to read: 3`.

        `reading`: `query` is being read, `page` (if any) is the one it replaces."""
        parts = []
        if page is not None and page.total_due:
            parts = [_("Callbacks due: {count}").format(count=lang_digits(str(page.total_due)))]
        elif page is not None:
            parts = [_("No callbacks are due.")]
        more = page is not None and page.next_cursor is not None
        if query.page > 1 or more:
            parts.append(_("Page {n}").format(n=lang_digits(str(query.page))))
        if more and not reading:
            parts.append(_("more on the next page"))
        if self.replies:
            n = lang_digits(str(self.replies)) + ("+" if self.replies >= REPLIES_COUNTED else "")
            parts.append(_("SMS replies to read: {n}").format(n=n))
        return " · ".join(parts)

    def say(self, text: str, *, error: bool = False) -> None:
        """What happened last (an outcome saved, a reply set aside), above the table."""
        line = self.query_one("#callbacks-message", BidiText)
        line.text = text
        line.set_class(bool(text), "-shown")
        line.set_class(error, "-error")

    # --- actions ----------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.refresh_list()

    def action_next_page(self) -> None:
        if self.page is None or self.page.next_cursor is None:
            self.app.bell()
            return
        q = self.query_now
        self.refresh_list(replace(q, after=self.page.next_cursor, page=q.page + 1))

    def action_first_page(self) -> None:
        self.refresh_list(WorklistQuery())

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_callback()

    def action_open_callback(self) -> None:
        from console.screens.callback import CallbackScreen

        key = self.query_one(MirroredTable).highlighted_key()
        if key is None:
            notify_text(self, _("No callbacks are due."))
            return
        screen = CallbackScreen(
            engine=self._engine,
            agent=self.agent,
            clock=self._clock,
            callback_id=uuid.UUID(key),
        )
        self.app.push_screen(screen, self._came_back)

    def _came_back(self, last: str | None) -> None:
        """Back from the callbacks: say what the last outcome did, read the worklist again."""
        if last:
            self.say(last)
        self.query_one(DataTable).focus()
        self.refresh_list()

    def action_replies(self) -> None:
        from console.screens.replies import RepliesScreen

        screen = RepliesScreen(engine=self._engine, agent=self.agent, clock=self._clock)
        self.app.push_screen(screen, lambda _handled: self._came_back(None))
