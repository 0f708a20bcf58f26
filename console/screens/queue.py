"""Follow-up mode, F3: the queue of open requests, most urgent citizen's clock first.

One page at a time (keyset paging on `db.followup.list_queue`'s cursor), with the counts per
status above, "mine" and "overdue only" filters, and a refresh that also runs by itself: the
next poll is scheduled when the last one finished, so polls never pile up on a slow link. A poll
that finds the same rows draws nothing, and one that finds a clock moved draws that cell; the
cursor stays on the request it was on. A key that asks for another page marks the filters line
"Reading…" at once, and the rows follow.
"""

import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

from rich.text import Text
from sqlalchemy.engine import Engine
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable

from console import keys
from console.i18n import N_, _, lang_digits
from console.i18n.intake_words import code_groups, local_name
from console.i18n.queue_words import clock_text, short_status
from console.messages import OpenRequest, ShowChaseBoard
from console.screens.queue_filter import FilterDialog, QueueFilters, filters_text
from console.widgets.bidi import BidiText, layout_rtl, notify_text
from console.widgets.mirrored_table import Column, MirroredTable, cell
from console.widgets.polling import Polling, reading_text
from db.accounts import AgentView
from db.engine import session
from db.followup import QueueCursor, QueuePage, RequestView, claim_next, list_queue
from db.followup.choices import QueueChoices, queue_choices

__all__ = ["QueuePanel", "QueueQuery"]

#: Columns, left to right in English (mirrored in Persian): id, heading msgid, width in cells.
#: The widths add up to 79, so the table fits 80 columns; each keeps its last cell as a gap.
COLUMNS: tuple[Column, ...] = (
    ("code", N_("Tracking code"), 16),
    ("category", N_("Category"), 12),
    ("unit", N_("Unit"), 10),
    ("district", N_("District"), 8),
    ("status", N_("Status"), 10),
    ("left", N_("Time left"), 12),
    ("level", N_("Lv"), 4),
    ("holder", N_("Holder"), 7),
)

#: The order the counts line names the statuses in: the follow-up agent's work first.
COUNT_ORDER = (
    "registered",
    "referred",
    "in_progress",
    "unit_answered",
    "rejected",
    "pending_subscriber",
    "accepted",
    "awaiting_feedback",
)

CLOCK_STYLES = {
    # Reverse video keeps an overdue clock loud on a 16-colour terminal too; the word says it.
    "overdue": "bold reverse red",
    "warning": "bold yellow",
}


@dataclass(frozen=True)
class QueueQuery:
    """What the panel asks the database for: the filters and where the page starts."""

    mine: bool = False
    overdue: bool = False
    filters: QueueFilters = field(default_factory=QueueFilters)
    after: QueueCursor | None = None
    page: int = 1

    def first_page(self, **changes: Any) -> "QueueQuery":
        """The same question from the first page, with ``changes`` to the filters."""
        return replace(self, after=None, page=1, **changes)


def row_cells(view: RequestView, *, rtl: bool) -> list[Text]:
    """A request's cells in the order of `COLUMNS` (reversed by the caller in Persian)."""
    clock = view.citizen_clock
    values = {
        "code": lang_digits(" ".join(code_groups(view.tracking_code))),
        "category": local_name(view.category_name_fa, view.category_name_en),
        "unit": local_name(view.unit_name_fa, view.unit_name_en),
        "district": local_name(view.district_name_fa, view.district_name_en),
        "status": short_status(view.status),
        "left": clock_text(clock),
        "level": lang_digits(str(view.escalation_level)) if view.escalation_level else "",
        "holder": view.claimed_by_name if view.claim_active else "",
    }
    styles = {"left": CLOCK_STYLES.get(clock.state, "")}
    return [
        cell(values[name], width, rtl=rtl, style=styles.get(name, ""))
        for name, _msgid, width in COLUMNS
    ]


class QueuePanel(Polling, Vertical):
    """The follow-up queue: counts per status, the filters and page, and a table of requests."""

    DEFAULT_CSS = """
    QueuePanel {
        height: 1fr;
        #queue-counts {
            text-style: bold;
        }
        #queue-filters {
            color: $text-muted;
        }
        #queue-table {
            height: 1fr;
            scrollbar-size-vertical: 1;
        }
    }
    """

    page_size: int = 15
    """Rows per page: what fits at 80x24 under the header, above a three-row key bar."""

    @dataclass
    class Loaded(Message):
        """A worker read a page of the queue; handled by `on_queue_panel_loaded`."""

        query: QueueQuery
        page: QueuePage

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
        keys.install(self, "queue")
        self._engine = engine
        self.agent = agent
        self._clock = clock
        self.poll_interval = poll_seconds * 10
        self.query_now = QueueQuery()
        self.page: QueuePage | None = None
        self.shown_query: QueueQuery | None = None
        """The question `page` answers (`query_now` runs ahead of it while a read runs)."""
        self.choices: QueueChoices | None = None
        self._rtl = layout_rtl()

    poll_group = "queue"

    def read_again(self) -> None:
        self._load(self.query_now)

    def compose(self) -> ComposeResult:
        yield BidiText(id="queue-counts")
        yield BidiText(id="queue-filters")
        table = MirroredTable(COLUMNS, rtl=self._rtl, id="queue-table")
        table.zebra_stripes = True
        yield table

    def on_mount(self) -> None:
        # The mode the shell opens with gets no F3 (nor focus_first): read it once it shows.
        self.call_after_refresh(self._first_look)

    def _first_look(self) -> None:
        if self.page is None and self.display and self.is_on_screen:
            self.focus_first()

    def focus_first(self) -> None:
        """Called when the mode opens: focus the table and read the queue afresh."""
        self.query_one(DataTable).focus()
        self.refresh_queue()

    # --- loading ----------------------------------------------------------------------------

    def refresh_queue(self, query: QueueQuery | None = None) -> None:
        if query is not None:
            self.query_now = query
        self.stop_polling()
        filters = self.query_one("#queue-filters", BidiText)
        filters.text = reading_text(self._filters_text(self.query_now, None))
        self._load(self.query_now)

    def read_failed(self) -> None:
        self.query_one("#queue-filters", BidiText).text = (
            self._filters_text(self.shown_query, self.page) if self.shown_query else ""
        )

    @work(thread=True, exclusive=True, group="queue", exit_on_error=False)
    def _load(self, query: QueueQuery) -> None:
        with session(self._engine, write=False) as s:
            page = list_queue(
                s,
                actor=self.agent,
                mine=query.mine,
                overdue=query.overdue,
                after=query.after,
                limit=self.page_size,
                now=self._clock(),
                **asdict(query.filters),
            )
        self.post_message(self.Loaded(query, page))

    def on_queue_panel_loaded(self, event: Loaded) -> None:
        event.stop()
        if event.query != self.query_now:
            return  # an answer to a question no longer asked (a filter changed meanwhile)
        self._show(event.query, event.page)
        self.schedule_poll()

    # --- showing ----------------------------------------------------------------------------

    def _show(self, query: QueueQuery, page: QueuePage) -> None:
        # Another page or other filters start at the top; a poll keeps the cursor's request.
        top = query != self.shown_query
        self.page, self.shown_query = page, query
        rows = [(str(view.id), row_cells(view, rtl=self._rtl)) for view in page.rows]
        self.query_one(MirroredTable).show_rows(rows, top=top)
        # A BidiText given the text it shows draws nothing.
        self.query_one("#queue-counts", BidiText).text = counts_text(page)
        self.query_one("#queue-filters", BidiText).text = self._filters_text(query, page)

    def _filters_text(self, query: QueueQuery, page: QueuePage | None) -> str:
        """The page, the filters and whether there is more; `page` None while it is read."""
        parts = [_("Page {n}").format(n=lang_digits(str(query.page)))]
        if query.overdue:
            parts.append(_("overdue only"))
        if query.mine:
            parts.append(_("mine only"))
        parts += filters_text(query.filters, self.choices)
        if page is not None and not page.rows:
            parts.append(_("no requests"))
        elif page is not None and page.next_cursor is not None:
            parts.append(_("more on the next page"))
        return " · ".join(parts)

    # --- actions ----------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.refresh_queue()

    def action_next_page(self) -> None:
        if self.page is None or self.page.next_cursor is None:
            self.app.bell()
            return
        q = self.query_now
        self.refresh_queue(replace(q, after=self.page.next_cursor, page=q.page + 1))

    def action_first_page(self) -> None:
        self.refresh_queue(self.query_now.first_page())

    def action_toggle_overdue(self) -> None:
        self.refresh_queue(self.query_now.first_page(overdue=not self.query_now.overdue))

    def action_toggle_mine(self) -> None:
        self.refresh_queue(self.query_now.first_page(mine=not self.query_now.mine))

    def action_filter(self) -> None:
        self._open_filters()

    @work(thread=True, exclusive=True, group="queue-choices", exit_on_error=False)
    def _open_filters(self) -> None:
        with session(self._engine, write=False) as s:
            choices = queue_choices(s, actor=self.agent)
        self.app.call_from_thread(self._show_filters, choices)

    def _show_filters(self, choices: QueueChoices) -> None:
        self.choices = choices

        def chosen(filters: QueueFilters | None) -> None:
            if filters is not None and filters != self.query_now.filters:
                self.refresh_queue(self.query_now.first_page(filters=filters))

        self.app.push_screen(FilterDialog(self.query_now.filters, choices), chosen)

    def action_chase_board(self) -> None:
        self.post_message(ShowChaseBoard())

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_request()

    def action_open_request(self) -> None:
        key = self.query_one(MirroredTable).highlighted_key()
        if key is None:
            self.app.bell()
            return
        self.post_message(OpenRequest(uuid.UUID(key)))

    def action_take_next(self) -> None:
        self._take_next(self.query_now)

    @work(thread=True, exclusive=True, group="queue-take", exit_on_error=False)
    def _take_next(self, query: QueueQuery) -> None:
        with session(self._engine) as s:
            taken = claim_next(
                s,
                actor=self.agent,
                overdue=query.overdue,
                now=self._clock(),
                **asdict(query.filters),
            )
        if taken is None:
            self.app.call_from_thread(
                notify_text, self, _("No request is free to take under these filters.")
            )
        else:
            self.post_message(OpenRequest(taken.id))


def counts_text(page: QueuePage) -> str:
    """`Open 12: New 5 · Referred 4 · At unit 3`: the statuses that have requests."""
    counts = page.counts_by_status
    total = sum(counts.values())
    order = [s for s in COUNT_ORDER if s in counts] + [s for s in counts if s not in COUNT_ORDER]
    parts = [f"{short_status(s)} {lang_digits(str(counts[s]))}" for s in order if counts[s]]
    head = _("Open {n}").format(n=lang_digits(str(total)))
    return f"{head}: {' · '.join(parts)}" if parts else head
