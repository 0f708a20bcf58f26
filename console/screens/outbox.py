"""Notices mode (F5), the outbox: every message to one recipient, newest first.

The counts per status sit on top; Ctrl+E shows only one status at a time (all, queued, sending,
sent, delivered, failed), Ctrl+P and Ctrl+B page through (keyset paging: a page costs the same
at any depth); the highlighted message's whole text and its last error show below. Ctrl+T
queues a failed message again. The list reads itself again every few polls while on show.
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
from console.i18n.intake_words import when_text
from console.i18n.notice_words import notice_error_text, outbox_status_name
from console.widgets.bidi import BidiText, layout_rtl, notify_text
from console.widgets.lines import Line
from console.widgets.mirrored_table import Column, MirroredTable, cell
from console.widgets.polling import Polling, reading_text
from console.widgets.request_detail import DetailBlock
from db.accounts import AgentView, PermissionDenied
from db.engine import session
from db.notices import (
    STATUSES,
    NoticeError,
    OutboxCounts,
    OutboxMessageView,
    OutboxPage,
    list_outbox,
    outbox_counts,
    retry_message,
)

__all__ = ["OutboxPanel", "OutboxQuery"]

#: Left to right in English (mirrored in Persian); the widths add up to 79.
COLUMNS: tuple[Column, ...] = (
    ("when", N_("Queued at"), 12),
    ("recipient", N_("Recipient"), 12),
    ("status", N_("Status"), 11),
    ("attempts", N_("Tries"), 6),
    ("body", N_("Text"), 38),
)

#: What Ctrl+E steps through: every message, then one status at a time.
FILTERS: tuple[str | None, ...] = (None, *STATUSES)

STATUS_STYLES = {"failed": "bold red", "delivered": "green", "queued": "bold"}


@dataclass(frozen=True)
class OutboxQuery:
    """What the panel asks for: a status (None: all) and where the page starts."""

    status: str | None = None
    before: uuid.UUID | None = None
    page: int = 1


def row_cells(m: OutboxMessageView, now: datetime, *, rtl: bool) -> list[Text]:
    values = {
        "when": when_text(m.created_at, now=now, date_only=True),
        "recipient": lang_digits(m.recipient),
        "status": outbox_status_name(m.status),
        "attempts": lang_digits(str(m.attempts)),
        "body": " ".join(m.body.split()),
    }
    styles = {"status": STATUS_STYLES.get(m.status, "")}
    return [
        cell(values[key], width, rtl=rtl, style=styles.get(key, ""))
        for key, _msgid, width in COLUMNS
    ]


def counts_text(counts: OutboxCounts) -> str:
    """`All 209: Queued 3 · Sent 11 · Delivered 186 · Failed 9` (statuses with messages)."""
    head = _("All {n}").format(n=lang_digits(str(counts.total)))
    parts = [
        f"{outbox_status_name(s)} {lang_digits(str(getattr(counts, s)))}"
        for s in STATUSES
        if getattr(counts, s)
    ]
    return f"{head}: {' · '.join(parts)}" if parts else head


def detail_lines(m: OutboxMessageView, now: datetime) -> list[Line]:
    """The whole text of a message, then when it went and what went wrong."""
    facts = [_("Queued {when}").format(when=when_text(m.created_at, now=now))]
    if m.sent_at is not None:
        facts.append(_("sent {when}").format(when=when_text(m.sent_at, now=now)))
    if m.delivered_at is not None:
        facts.append(_("delivered {when}").format(when=when_text(m.delivered_at, now=now)))
    if m.status == "queued" and m.attempts and m.next_attempt_at is not None:
        facts.append(_("next try {when}").format(when=when_text(m.next_attempt_at, now=now)))
    lines = [Line(m.body), Line(" · ".join(facts), "detail--muted")]
    if m.last_error:
        error = _("cancelled with its campaign") if m.last_error == "cancelled" else m.last_error
        lines.append(Line(_("Last error: {error}").format(error=error), "detail--warning"))
    return lines


class OutboxPanel(Polling, Vertical):
    """The outbox: counts per status, the filter and page, the messages, the one highlighted."""

    DEFAULT_CSS = """
    OutboxPanel {
        height: 1fr;
        #outbox-counts {
            text-style: bold;
        }
        #outbox-filter {
            color: $text-muted;
        }
        #outbox-table {
            height: 1fr;
            scrollbar-size-vertical: 1;
        }
        #outbox-detail {
            height: auto;
            max-height: 4;
            border-top: solid $primary;
            &:ansi {
                border-top: ascii $primary;
            }
        }
    }
    """

    page_size: int = 12
    """Rows per page: what fits at 80x24 with the counts above and the message below."""

    @dataclass
    class Loaded(Message):
        """A worker read a page of the outbox and the counts; `on_outbox_panel_loaded`."""

        query: OutboxQuery
        page: OutboxPage
        counts: OutboxCounts
        now: datetime

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
        keys.install(self, "outbox")
        self._engine = engine
        self.agent = agent
        self._clock = clock
        self._rtl = layout_rtl()
        self.poll_interval = poll_seconds * 10
        self.query_now = OutboxQuery()
        self.page: OutboxPage | None = None
        self.shown_query: OutboxQuery | None = None
        """The question `page` answers (`query_now` runs ahead of it while a read runs)."""
        self.now: datetime | None = None

    poll_group = "outbox"

    def read_again(self) -> None:
        self._load(self.query_now)

    def compose(self) -> ComposeResult:
        yield BidiText(id="outbox-counts")
        yield BidiText(id="outbox-filter")
        yield MirroredTable(COLUMNS, rtl=self._rtl, id="outbox-table")
        yield DetailBlock(id="outbox-detail", clip_rows=2)

    def focus_first(self) -> None:
        self.query_one(DataTable).focus()
        self.refresh_list()

    # --- reading ----------------------------------------------------------------------------

    def refresh_list(self, query: OutboxQuery | None = None) -> None:
        if query is not None:
            self.query_now = query
        self.stop_polling()
        line = self.query_one("#outbox-filter", BidiText)
        line.text = reading_text(self._filter_text(self.query_now, None))
        self._load(self.query_now)

    def read_failed(self) -> None:
        self.query_one("#outbox-filter", BidiText).text = (
            self._filter_text(self.shown_query, self.page) if self.shown_query else ""
        )

    @work(thread=True, exclusive=True, group="outbox", exit_on_error=False)
    def _load(self, query: OutboxQuery) -> None:
        with session(self._engine, write=False) as s:
            page = list_outbox(
                s, actor=self.agent, status=query.status, before=query.before, limit=self.page_size
            )
            counts = outbox_counts(s, actor=self.agent)
        self.post_message(self.Loaded(query, page, counts, self._clock()))

    def on_outbox_panel_loaded(self, event: Loaded) -> None:
        event.stop()
        if event.query != self.query_now:
            return  # an answer to a question no longer asked
        # Another page or status starts at the top; a poll keeps the cursor on its message.
        top = event.query != self.shown_query
        self.page, self.shown_query, self.now = event.page, event.query, event.now
        rows = [(str(m.id), row_cells(m, event.now, rtl=self._rtl)) for m in event.page.items]
        self.query_one(MirroredTable).show_rows(rows, top=top)
        self.query_one("#outbox-counts", BidiText).text = counts_text(event.counts)
        self.query_one("#outbox-filter", BidiText).text = self._filter_text(event.query, event.page)
        self._show_detail()
        self.schedule_poll()

    def _filter_text(self, q: OutboxQuery, page: OutboxPage | None) -> str:
        """The status shown, the page and whether there is more; `page` None while it is read."""
        shown = outbox_status_name(q.status) if q.status else _("all")
        parts = [
            _("Showing: {status}").format(status=shown),
            _("Page {n}").format(n=lang_digits(str(q.page))),
        ]
        if page is not None and not page.items:
            parts.append(_("no messages"))
        elif page is not None and page.next_before is not None:
            parts.append(_("more on the next page"))
        return " · ".join(parts)

    def highlighted(self) -> OutboxMessageView | None:
        if self.page is None:
            return None
        key = self.query_one(MirroredTable).highlighted_key()
        return next((m for m in self.page.items if str(m.id) == key), None)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_detail()

    def _show_detail(self) -> None:
        m = self.highlighted()
        lines = detail_lines(m, self.now or self._clock()) if m else []
        block = self.query_one("#outbox-detail", DetailBlock)
        if lines != block.lines():  # a poll that changed nothing draws nothing
            block.show(lines)

    # --- actions ----------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.refresh_list()

    def action_cycle_status(self) -> None:
        index = FILTERS.index(self.query_now.status)
        self.refresh_list(OutboxQuery(status=FILTERS[(index + 1) % len(FILTERS)]))

    def action_next_page(self) -> None:
        if self.page is None or self.page.next_before is None:
            self.app.bell()
            return
        q = self.query_now
        self.refresh_list(replace(q, before=self.page.next_before, page=q.page + 1))

    def action_first_page(self) -> None:
        self.refresh_list(OutboxQuery(status=self.query_now.status))

    def action_retry(self) -> None:
        m = self.highlighted()
        if m is None:
            self.app.bell()
            return
        if m.status != "failed":
            notify_text(self, _("Only a failed message can be sent again."), severity="warning")
            return
        self._retry(m.id)

    @work(thread=True, exclusive=True, group="outbox-write", exit_on_error=False)
    def _retry(self, message_id: uuid.UUID) -> None:
        try:
            with session(self._engine) as s:
                retry_message(s, actor=self.agent, message_id=message_id, now=self._clock())
        except (NoticeError, PermissionDenied) as error:
            self.app.call_from_thread(
                notify_text, self, notice_error_text(error), severity="warning"
            )
            self.app.call_from_thread(self.refresh_list)
            return
        self.app.call_from_thread(notify_text, self, _("Queued again: it goes with the next send."))
        self.app.call_from_thread(self.refresh_list)
