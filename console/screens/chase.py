"""Follow-up mode, the chase board (Ctrl+W from the queue): late and nearly late referrals by unit.

For the round of calls to the operational units: each unit's heading (most overdue units first)
with its requests under it, most urgent first, each with the unit's last promise. Ctrl+U logs
the call: on a request, for that request; on a unit's heading, for all of its requests listed.
A promise whose time has passed with the request still at the unit shows as broken.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
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
from console.i18n.intake_words import code_groups, local_name
from console.i18n.queue_words import clock_text, short_status
from console.messages import OpenRequest, ShowQueue
from console.screens.queue import CLOCK_STYLES
from console.widgets.bidi import BidiText, layout_rtl, notify_text
from console.widgets.mirrored_table import Column, MirroredTable, Row, cell
from db.accounts import AgentView
from db.engine import session
from db.followup import ChaseBoard, ChaseGroup, ChaseItem, FollowupError, chase_board
from db.followup import log_unit_call as log_call
from db.jalali import TEHRAN
from db.sla import ClockView

__all__ = ["ChasePanel"]

#: Columns, left to right in English (mirrored in Persian): id, heading msgid, width in cells.
COLUMNS: tuple[Column, ...] = (
    ("code", N_("Tracking code"), 16),
    ("category", N_("Category"), 11),
    ("district", N_("District"), 8),
    ("status", N_("Status"), 8),
    ("unit_clock", N_("Unit's clock"), 12),
    ("citizen_clock", N_("Citizen's"), 12),
    ("promise", N_("Promised"), 12),
)

UNIT_ROW = "unit:"
REQUEST_ROW = "req:"


def hhmm(at: datetime) -> str:
    return lang_digits(at.astimezone(TEHRAN).strftime("%H:%M"))


def promise_text(item: ChaseItem, now: datetime) -> tuple[str, str]:
    """The promise column and its style: the promised time, loud once it is broken."""
    call = item.last_call
    if call is None or call.promised_at is None:
        return "", ""
    if call.broken(now):
        return _("broke {time}").format(time=hhmm(call.promised_at)), CLOCK_STYLES["overdue"]
    return hhmm(call.promised_at), ""


def _clock_cell(clock: ClockView | None) -> tuple[str, str]:
    if clock is None:
        return "-", ""
    return clock_text(clock), CLOCK_STYLES.get(clock.state, "")


def group_cells(group: ChaseGroup, *, rtl: bool) -> list[Text]:
    """A unit's heading row: its name over the first columns, then its counts."""
    name = local_name(group.unit_name_fa, group.unit_name_en)
    late = _("late {n}").format(n=lang_digits(str(group.overdue))) if group.overdue else ""
    risk = _("at risk {n}").format(n=lang_digits(str(group.at_risk))) if group.at_risk else ""
    values = {"code": name, "unit_clock": late, "citizen_clock": risk}
    return [
        cell(values.get(column, ""), width, rtl=rtl, style="bold reverse")
        for column, _msgid, width in COLUMNS
    ]


def item_cells(item: ChaseItem, now: datetime, *, rtl: bool) -> list[Text]:
    view = item.request
    unit_clock, unit_style = _clock_cell(view.unit_clock)
    citizen_clock, citizen_style = _clock_cell(view.citizen_clock)
    promise, promise_style = promise_text(item, now)
    values = {
        "code": (lang_digits(" ".join(code_groups(view.tracking_code))), ""),
        "category": (local_name(view.category_name_fa, view.category_name_en), ""),
        "district": (local_name(view.district_name_fa, view.district_name_en), ""),
        "status": (short_status(view.status), ""),
        "unit_clock": (unit_clock, unit_style),
        "citizen_clock": (citizen_clock, citizen_style),
        "promise": (promise, promise_style),
    }
    return [
        cell(values[column][0], width, rtl=rtl, style=values[column][1])
        for column, _msgid, width in COLUMNS
    ]


class ChasePanel(Vertical):
    """The chase board: a line about the highlighted row, and the table of units and requests."""

    DEFAULT_CSS = """
    ChasePanel {
        height: 1fr;
        #chase-title {
            text-style: bold;
        }
        #chase-about {
            color: $text-muted;
            height: 2;
        }
        #chase-table {
            height: 1fr;
            scrollbar-size-vertical: 1;
        }
    }
    """

    @dataclass
    class Loaded(Message):
        board: ChaseBoard

    def __init__(
        self,
        *,
        engine: Engine,
        agent: AgentView,
        clock: Callable[[], datetime],
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="-rtl" if layout_rtl() else None)
        keys.install(self, "chase")
        self._engine = engine
        self.agent = agent
        self._clock = clock
        self._rtl = layout_rtl()
        self.board: ChaseBoard | None = None
        self._groups: dict[str, ChaseGroup] = {}
        self._items: dict[str, ChaseItem] = {}

    def compose(self) -> ComposeResult:
        yield BidiText(_("Chase board: late and nearly late referrals by unit"), id="chase-title")
        yield BidiText(id="chase-about")
        yield MirroredTable(COLUMNS, rtl=self._rtl, id="chase-table")

    def focus_first(self) -> None:
        self.query_one(DataTable).focus()
        self.refresh_board()

    def refresh_board(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="chase", exit_on_error=False)
    def _load(self) -> None:
        with session(self._engine, write=False) as s:
            board = chase_board(s, actor=self.agent, now=self._clock())
        self.post_message(self.Loaded(board))

    def on_chase_panel_loaded(self, event: Loaded) -> None:
        event.stop()
        self.board = event.board
        self._groups.clear()
        self._items.clear()
        rows: list[Row] = []
        for group in event.board.groups:
            key = f"{UNIT_ROW}{group.unit_id}"
            self._groups[key] = group
            rows.append((key, group_cells(group, rtl=self._rtl)))
            for item in group.items:
                key = f"{REQUEST_ROW}{item.request.id}"
                self._items[key] = item
                rows.append((key, item_cells(item, event.board.as_of, rtl=self._rtl)))
        # Opened again on the same board, it draws only what changed.
        self.query_one(MirroredTable).show_rows(rows)
        self._about()

    # --- the line about the highlighted row -------------------------------------------------

    def _current_key(self) -> str | None:
        return self.query_one(MirroredTable).highlighted_key()

    def _group_of(self, key: str) -> ChaseGroup | None:
        if key in self._groups:
            return self._groups[key]
        item = self._items.get(key)
        if item is None:
            return None
        return self._groups.get(f"{UNIT_ROW}{item.request.unit_id}")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._about()

    def _about(self) -> None:
        about = self.query_one("#chase-about", BidiText)
        if not self.board or not self.board.groups:
            about.text = _("No referral is late or nearly late.")
            return
        key = self._current_key()
        group = self._group_of(key) if key else None
        if group is None:
            about.text = ""
            return
        parts = [local_name(group.unit_name_fa, group.unit_name_en)]
        if group.phone:
            parts.append(_("phone {number}").format(number=lang_digits(group.phone)))
        item = self._items.get(key or "")
        call = item.last_call if item else None
        if call is not None:
            said = _("called {time} by {name}").format(time=hhmm(call.at), name=call.actor_name)
            parts.append(f"{said}: {call.note}" if call.note else said)
        about.text = " · ".join(parts)

    # --- actions ----------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.refresh_board()

    def action_queue(self) -> None:
        self.post_message(ShowQueue())

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_request()

    def action_open_request(self) -> None:
        key = self._current_key()
        if key is None or key not in self._items:
            self.app.bell()
            return
        self.post_message(OpenRequest(self._items[key].request.id))

    def action_unit_called(self) -> None:
        from console.screens.dialogs import UnitCalledDialog

        key = self._current_key()
        group = self._group_of(key) if key else None
        if key is None or group is None:
            self.app.bell()
            return
        items = [self._items[key]] if key in self._items else list(group.items)
        ids = [item.request.id for item in items]
        name = local_name(group.unit_name_fa, group.unit_name_en)

        def answered(result: tuple[datetime | None, str] | None) -> None:
            if result is not None:
                promised_at, note = result
                self._log(ids, promised_at, note)

        self.app.push_screen(UnitCalledDialog(name, len(ids), self._clock()), answered)

    @work(thread=True, exclusive=True, group="chase-log", exit_on_error=False)
    def _log(self, ids: list[uuid.UUID], promised_at: datetime | None, note: str) -> None:
        try:
            with session(self._engine) as s:
                count = log_call(
                    s,
                    actor=self.agent,
                    ticket_ids=ids,
                    promised_at=promised_at,
                    note=note,
                    now=self._clock(),
                )
        except FollowupError as error:
            self.app.call_from_thread(self._refused, error)
            return
        text = _("Call to the unit logged on {n} requests.").format(n=lang_digits(str(count)))
        self.app.call_from_thread(notify_text, self, text)
        self.app.call_from_thread(self.refresh_board)

    def _refused(self, error: FollowupError) -> None:
        notify_text(self, refusal_text(error), severity="warning")
        self.refresh_board()


#: Why a call to a unit was not logged, by FollowupError reason.
REFUSALS = {
    "not_with_unit": N_(
        "Request {tracking_code} is no longer with a unit; nothing was logged. "
        "The board was read again."
    ),
    "not_found": N_("The request is no longer there; nothing was logged."),
    "promise_in_past": N_("The promised time has already passed; nothing was logged."),
    "nothing_to_log": N_("Give the promised time or a note; nothing was logged."),
    "too_long": N_("The note is too long; nothing was logged."),
}


def refusal_text(error: FollowupError) -> str:
    msgid = REFUSALS.get(error.reason, N_("Nothing was logged: {reason}"))
    params = dict(error.params)
    if "tracking_code" in params:
        params["tracking_code"] = lang_digits(str(params["tracking_code"]))
    return _(msgid).format(reason=error.reason, **params)
