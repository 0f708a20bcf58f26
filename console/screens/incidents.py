"""Incidents & notices mode (F5), the incidents: active ones first, a suggestion to declare one.

When calls about the same thing pile up from one district with no incident declared, the
supervisor sees it at the top ("7 calls about a burst pipe from Jolfa in 30 minutes"); Ctrl+R
declares it with the form filled in from the suggestion, Ctrl+X says it is not one. Active
incidents show with their restoration time and how many calls they have taken; the list reads
itself again every few polls, so a call linked at a desk shows up here.
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
from console.i18n.incident_words import error_field, incident_error_text
from console.i18n.intake_words import incident_kind_name, local_name, when_text
from console.screens.incident_dialogs import Declaration, DeclareDialog, DeclareDraft
from console.widgets.bidi import BidiText, layout_rtl, notify_text
from console.widgets.mirrored_table import Column, MirroredTable, cell
from console.widgets.polling import Polling
from db.accounts import AgentView, PermissionDenied
from db.engine import session
from db.followup.choices import Choice
from db.incidents import (
    INCIDENT_ROLES,
    AreaInput,
    IncidentError,
    IncidentSuggestion,
    IncidentSummary,
    declare_incident,
    dismiss_suggestion,
    list_incidents,
    suggest_incidents,
)
from db.incidents.choices import declare_choices

__all__ = ["IncidentsPanel"]

COLUMNS: tuple[Column, ...] = (
    ("kind", N_("Kind"), 12),
    ("title", N_("Title"), 20),
    ("area", N_("Area"), 14),
    ("started", N_("Since"), 10),
    ("eta", N_("Back by"), 10),
    ("calls", N_("Calls"), 6),
    ("status", N_("Status"), 7),
)

#: Suggestions are read with the list; at most this many are named at the top.
SHOWN_SUGGESTIONS = 1


def row_cells(incident: IncidentSummary, now: datetime, *, rtl: bool) -> list[Text]:
    active = incident.status == "active"
    late = (
        active
        and incident.expected_restoration_at is not None
        and (incident.expected_restoration_at < now)
    )
    eta = (
        when_text(incident.expected_restoration_at, now=now)
        if incident.expected_restoration_at
        else _("not known")
    )
    values = {
        "kind": incident_kind_name(incident.kind),
        "title": incident.title,
        "area": local_name(incident.area_fa, incident.area_en),
        "started": when_text(incident.started_at, now=now),
        "eta": eta if active else "",
        "calls": lang_digits(str(incident.call_count)),
        "status": _("active") if active else _("closed"),
    }
    styles = {"eta": "bold reverse red" if late else "", "status": "bold" if active else "dim"}
    return [
        cell(values[key], width, rtl=rtl, style=styles.get(key, ""))
        for key, _msgid, width in COLUMNS
    ]


def suggestion_text(s: IncidentSuggestion) -> str:
    return _(
        "{calls} calls about “{category}” from {district} in {minutes} minutes, "
        "with no incident declared."
    ).format(
        calls=lang_digits(str(s.calls)),
        category=local_name(s.category_name_fa, s.category_name_en),
        district=local_name(s.district_name_fa, s.district_name_en),
        minutes=lang_digits(str(s.window_minutes)),
    )


#: The incident kind a suggestion's category most likely means.
CATEGORY_KINDS = {
    "pipe_burst": "main_break",
    "street_water": "main_break",
    "water_cutoff": "unplanned_cutoff",
    "low_pressure": "low_pressure",
    "water_quality": "water_quality",
    "sewer_blockage": "sewer",
    "manhole_overflow": "sewer",
}


class IncidentsPanel(Polling, Vertical):
    DEFAULT_CSS = """
    IncidentsPanel {
        height: 1fr;
        #incidents-suggest {
            display: none;
            text-style: bold;
            color: $text-warning;
            &.-shown {
                display: block;
            }
        }
        #incidents-count {
            text-style: bold;
        }
        #incidents-table {
            height: 1fr;
            scrollbar-size-vertical: 1;
        }
    }
    """

    @dataclass
    class Loaded(Message):
        incidents: tuple[IncidentSummary, ...]
        suggestions: tuple[IncidentSuggestion, ...]
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
        keys.install(self, "incidents")
        self._engine = engine
        self.agent = agent
        self._clock = clock
        self._rtl = layout_rtl()
        self.poll_interval = poll_seconds * 10
        self.show_closed = False
        self.incidents: tuple[IncidentSummary, ...] = ()
        self.suggestions: tuple[IncidentSuggestion, ...] = ()
        self._may_declare = agent.has_role(*INCIDENT_ROLES)

    poll_group = "incidents"

    def read_again(self) -> None:
        self._load(self.show_closed)

    def compose(self) -> ComposeResult:
        yield BidiText(id="incidents-suggest")
        yield BidiText(id="incidents-count")
        yield MirroredTable(COLUMNS, rtl=self._rtl, id="incidents-table")

    def focus_first(self) -> None:
        self.query_one(DataTable).focus()
        self.refresh_list()

    # --- reading ----------------------------------------------------------------------------

    def refresh_list(self) -> None:
        self.stop_polling()
        self._load(self.show_closed)

    @work(thread=True, exclusive=True, group="incidents", exit_on_error=False)
    def _load(self, show_closed: bool) -> None:
        now = self._clock()
        with session(self._engine, write=False) as s:
            page = list_incidents(s, actor=self.agent, status=None if show_closed else "active")
            suggestions = (
                tuple(suggest_incidents(s, actor=self.agent, now=now)) if self._may_declare else ()
            )
        self.post_message(self.Loaded(page.items, suggestions, now))

    def on_incidents_panel_loaded(self, event: Loaded) -> None:
        event.stop()
        self.incidents, self.suggestions = event.incidents, event.suggestions
        rows = [
            (str(incident.id), row_cells(incident, event.now, rtl=self._rtl))
            for incident in event.incidents
        ]
        self.query_one(MirroredTable).show_rows(rows)
        active = sum(1 for i in event.incidents if i.status == "active")
        count = _("Active incidents: {n}").format(n=lang_digits(str(active)))
        if not active:
            count = _("No active incident.")
        if self.show_closed:
            count += " · " + _("closed ones listed too")
        self.query_one("#incidents-count", BidiText).text = count
        suggest = self.query_one("#incidents-suggest", BidiText)
        suggest.text = "\n".join(suggestion_text(s) for s in event.suggestions[:SHOWN_SUGGESTIONS])
        suggest.set_class(bool(event.suggestions), "-shown")
        self.schedule_poll()

    # --- actions ----------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.refresh_list()

    def action_toggle_closed(self) -> None:
        self.show_closed = not self.show_closed
        self.refresh_list()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_incident()

    def action_open_incident(self) -> None:
        from console.screens.incident import IncidentScreen

        key = self.query_one(MirroredTable).highlighted_key()
        if key is None:
            self.app.bell()
            return
        screen = IncidentScreen(
            engine=self._engine, agent=self.agent, clock=self._clock, incident_id=uuid.UUID(key)
        )
        self.app.push_screen(screen, lambda _changed: self.focus_first())

    def action_dismiss_suggestion(self) -> None:
        if not self.suggestions:
            notify_text(self, _("There is no suggestion to dismiss."))
            return
        self._dismiss(self.suggestions[0])

    @work(thread=True, exclusive=True, group="incidents-write", exit_on_error=False)
    def _dismiss(self, suggestion: IncidentSuggestion) -> None:
        try:
            with session(self._engine) as s:
                dismiss_suggestion(
                    s,
                    actor=self.agent,
                    district_id=suggestion.district_id,
                    category_id=suggestion.category_id,
                    now=self._clock(),
                )
        except PermissionDenied:
            self.app.call_from_thread(self._denied)
            return
        self.app.call_from_thread(self.refresh_list)

    def _denied(self) -> None:
        notify_text(self, _("You do not have permission for this."), severity="warning")

    def action_declare(self) -> None:
        if not self._may_declare:
            self._denied()
            return
        draft = DeclareDraft()
        if self.suggestions:
            s = self.suggestions[0]
            draft = DeclareDraft(
                kind=CATEGORY_KINDS.get(s.category_code, "main_break"),
                title=local_name(s.category_name_fa, s.category_name_en)
                + " - "
                + local_name(s.district_name_fa, s.district_name_en),
                district_ids=(s.district_id,),
            )
        self._open_declare(draft, "", "")

    @work(thread=True, exclusive=True, group="incidents-choices", exit_on_error=False)
    def _open_declare(self, draft: DeclareDraft, error: str, field: str) -> None:
        with session(self._engine, write=False) as s:
            districts, units = declare_choices(s, actor=self.agent)
        self.app.call_from_thread(self._show_declare, districts, units, draft, error, field)

    def _show_declare(
        self,
        districts: tuple[Choice, ...],
        units: tuple[Choice, ...],
        draft: DeclareDraft,
        error: str,
        field: str,
    ) -> None:
        dialog = DeclareDialog(
            districts=districts,
            units=units,
            now=self._clock(),
            draft=draft,
            error=error,
            error_field=field,
        )

        def declared(result: Declaration | None) -> None:
            if result is not None:
                self._declare(result, dialog.typed())

        self.app.push_screen(dialog, declared)

    @work(thread=True, exclusive=True, group="incidents-write", exit_on_error=False)
    def _declare(self, d: Declaration, typed: DeclareDraft) -> None:
        areas = [AreaInput(district_id=i) for i in d.district_ids]
        areas += [AreaInput(street=street) for street in d.streets]
        try:
            with session(self._engine) as s:
                declared = declare_incident(
                    s,
                    actor=self.agent,
                    kind=d.kind,
                    title=d.title,
                    public_message=d.public_message,
                    areas=areas,
                    expected_restoration_at=d.expected_restoration_at,
                    unit_id=d.unit_id,
                    notify_area_on_close=d.notify_area,
                    now=self._clock(),
                )
        except IncidentError as error:
            # Open the form again with everything typed, the reason next to its field.
            text, field = incident_error_text(error), error_field(error)
            self.app.call_from_thread(self._open_declare, typed, text, field)
            return
        except PermissionDenied:
            self.app.call_from_thread(self._denied)
            return
        said = _("Incident declared: every desk now sees it on the caller card.")
        self.app.call_from_thread(notify_text, self, f"{said}\n{declared.title}")
        self.app.call_from_thread(self.refresh_list)
