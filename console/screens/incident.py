"""One incident: what agents read out, its area, its calls per hour, its history and actions.

The calls-per-hour bars show at a glance whether the calls are still coming (the crew is not
there yet, or the message needs changing) or dying down. Ctrl+T moves the restoration time (and
the message), Ctrl+L closes it: those who called are told by SMS and those who asked get a call
back. A change someone else made first is refused with who and when, and the incident is read
again; the dialog opens again with everything typed.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from console import keys
from console.i18n import _, lang_digits
from console.i18n.incident_words import event_name, incident_error_text
from console.i18n.intake_words import incident_kind_name, local_name, when_text
from console.i18n.rtl import display
from console.screens.base import DeskScreen
from console.screens.incident_dialogs import CloseDialog, Closing, Restoration, RestoreDialog
from console.widgets.bidi import layout_rtl, notify_text
from console.widgets.keybar import KeyBar
from console.widgets.lines import Line
from console.widgets.request_detail import DetailBlock
from db.accounts import AgentView, PermissionDenied
from db.engine import session
from db.incidents import (
    INCIDENT_ROLES,
    HourCount,
    IncidentDetail,
    IncidentError,
    close_incident,
    incident_detail,
    update_incident,
)
from db.jalali import TEHRAN

__all__ = ["IncidentScreen", "hour_bars"]

BARS = " ▁▂▃▄▅▆▇█"

#: Hours shown in the chart: the last twelve fit 80 columns with their labels.
CHART_HOURS = 12


def hour_bars(hours: tuple[HourCount, ...], width: int = CHART_HOURS) -> list[str]:
    """Two lines: one bar per hour (eighths of the busiest hour) and the counts under them,
    oldest hour first, each column four cells wide. Empty when there are no calls."""
    shown = hours[-width:]
    if not shown:
        return []
    top = max(h.calls for h in shown) or 1
    bars = "".join(
        (BARS[max(1, round(8 * h.calls / top))] if h.calls else BARS[0]) * 3 + " " for h in shown
    )
    counts = "".join(lang_digits(str(h.calls)).rjust(3) + " " for h in shown)
    clock = "".join(
        lang_digits(h.hour.astimezone(TEHRAN).strftime("%H")).rjust(3) + " " for h in shown
    )
    return [bars.rstrip(), counts.rstrip(), clock.rstrip()]


def head_lines(detail: IncidentDetail, now: datetime) -> list[Line]:
    i = detail.incident
    status = _("active") if i.status == "active" else _("closed")
    eta = (
        when_text(i.expected_restoration_at, now=now)
        if i.expected_restoration_at
        else _("not known")
    )
    lines = [
        Line(f"{incident_kind_name(i.kind)} · {i.title} · {status}", "detail--title"),
        Line(
            _("Since {start} · service back by {eta} · unit: {unit}").format(
                start=when_text(i.started_at, now=now),
                eta=eta,
                unit=local_name(i.unit_name_fa, i.unit_name_en) or "-",
            )
        ),
        Line(_("Area: {area}").format(area=local_name(i.area_fa, i.area_en))),
        Line(_("Read to callers: {message}").format(message=i.public_message), "detail--status"),
    ]
    if i.status == "active" and i.expected_restoration_at and i.expected_restoration_at < now:
        lines.append(
            Line(_("The restoration time has passed: give callers a new one."), "detail--overdue")
        )
    return lines


def count_lines(detail: IncidentDetail) -> list[Line]:
    n = detail.notices
    return [
        Line(
            _(
                "Calls {calls} · numbers {callers} · asked for a call back {callbacks} · "
                "SMS sent {sent} of {total}, failed {failed}"
            ).format(
                calls=lang_digits(str(detail.incident.call_count)),
                callers=lang_digits(str(detail.callers)),
                callbacks=lang_digits(str(detail.callback_requests)),
                sent=lang_digits(str(n.sent + n.delivered)),
                total=lang_digits(str(n.total)),
                failed=lang_digits(str(n.failed)),
            ),
            "detail--muted",
        )
    ]


def history_lines(detail: IncidentDetail, now: datetime) -> list[Line]:
    lines = []
    for e in detail.events:
        text = f"{when_text(e.at, now=now)} · {event_name(e.action)}"
        if e.action == "eta_changed" and e.data.get("to"):
            text += " → " + when_text(datetime.fromisoformat(e.data["to"]), now=now)
        if e.actor_name:
            text += f" · {e.actor_name}"
        if e.note:
            text += f": {e.note}"
        lines.append(Line(text))
    return lines


class IncidentScreen(DeskScreen):
    DEFAULT_CSS = """
    IncidentScreen {
        #incident-chart {
            height: auto;
            color: $text-accent;
        }
        #incident-history {
            height: 1fr;
            border-top: solid $primary;
            &:ansi {
                border-top: ascii $primary;
            }
        }
        &.-rtl #incident-history {
            border-title-align: right;
        }
    }
    """

    @dataclass
    class Loaded(Message):
        detail: IncidentDetail
        now: datetime

    def __init__(
        self,
        *,
        engine: Engine,
        agent: AgentView,
        clock: Callable[[], datetime],
        incident_id: uuid.UUID,
    ) -> None:
        super().__init__(id="incident")
        keys.install(self, "incident")
        self._engine = engine
        self.agent = agent
        self._clock = clock
        self.incident_id = incident_id
        self.detail: IncidentDetail | None = None
        self.changed = False

    def compose(self) -> ComposeResult:
        yield DetailBlock(id="incident-head")
        yield DetailBlock(id="incident-counts")
        yield Static(id="incident-chart", markup=False)
        with VerticalScroll(id="incident-history") as history:
            history.border_title = Content(
                display(_("History"), base_rtl=True if layout_rtl() else None)
            )
            yield DetailBlock(id="incident-events")
        yield KeyBar()

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        self._read()

    @work(thread=True, exclusive=True, group="incident", exit_on_error=False)
    def _read(self) -> None:
        now = self._clock()
        with session(self._engine, write=False) as s:
            detail = incident_detail(s, actor=self.agent, incident_id=self.incident_id, now=now)
        self.post_message(self.Loaded(detail, now))

    def on_incident_screen_loaded(self, event: Loaded) -> None:
        self.detail = detail = event.detail
        self.query_one("#incident-head", DetailBlock).show(head_lines(detail, event.now))
        self.query_one("#incident-counts", DetailBlock).show(count_lines(detail))
        bars = hour_bars(detail.calls_per_hour)
        chart = self.query_one("#incident-chart", Static)
        # The chart reads left to right in Persian too (as time does on a chart), so it is not
        # reordered: its numbers must stay under their bars.
        chart.update("\n".join(bars) if bars else display(_("No calls linked to it yet.")))
        self.query_one("#incident-events", DetailBlock).show(history_lines(detail, event.now))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("restore_time", "close_incident"):
            active = self.detail is not None and self.detail.incident.status == "active"
            return active and self.agent.has_role(*INCIDENT_ROLES)
        return True

    # --- actions ----------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(self.changed)

    def action_refresh(self) -> None:
        self.load()

    def action_restore_time(self, typed: Restoration | None = None, error: str = "") -> None:
        if self.detail is None:
            return
        i = self.detail.incident
        dialog = RestoreDialog(
            eta=i.expected_restoration_at,
            message=typed.public_message if typed else i.public_message,
            now=self._clock(),
            eta_text=typed.eta_text if typed else None,
            note=typed.note if typed else "",
            error=error,
            error_field="eta" if error else "",
        )
        self.app.push_screen(dialog, self._restore)

    def _restore(self, result: Restoration | None) -> None:
        if result is not None and self.detail is not None:
            self._write_restoration(result, self.detail.incident.version)

    @work(thread=True, exclusive=True, group="incident-write", exit_on_error=False)
    def _write_restoration(self, r: Restoration, version: int) -> None:
        try:
            with session(self._engine) as s:
                update_incident(
                    s,
                    actor=self.agent,
                    incident_id=self.incident_id,
                    expected_version=version,
                    expected_restoration_at=r.expected_restoration_at,
                    public_message=r.public_message,
                    note=r.note,
                    now=self._clock(),
                )
        except IncidentError as error:
            self.app.call_from_thread(self._refused, error, r)
            return
        except PermissionDenied:
            self.app.call_from_thread(self._denied)
            return
        self.changed = True
        self.app.call_from_thread(notify_text, self, _("Saved: every desk reads the new time."))
        self.app.call_from_thread(self.load)

    def _refused(self, error: IncidentError, typed: Restoration | None) -> None:
        self.load()
        if error.reason == "nothing_changed" or typed is None:
            notify_text(self, incident_error_text(error), severity="warning")
        else:
            self.action_restore_time(typed, incident_error_text(error))

    def _denied(self) -> None:
        notify_text(self, _("You do not have permission for this."), severity="warning")

    def action_close_incident(self) -> None:
        if self.detail is None:
            return
        dialog = CloseDialog(notify_area=self.detail.incident.notify_area_on_close)
        self.app.push_screen(dialog, self._close)

    def _close(self, result: Closing | None) -> None:
        if result is not None and self.detail is not None:
            self._write_close(result, self.detail.incident.version)

    @work(thread=True, exclusive=True, group="incident-write", exit_on_error=False)
    def _write_close(self, c: Closing, version: int) -> None:
        try:
            with session(self._engine) as s:
                report = close_incident(
                    s,
                    actor=self.agent,
                    incident_id=self.incident_id,
                    expected_version=version,
                    note=c.note,
                    notify_area=c.notify_area,
                    now=self._clock(),
                )
        except IncidentError as error:
            self.app.call_from_thread(self._refused, error, None)
            return
        except PermissionDenied:
            self.app.call_from_thread(self._denied)
            return
        self.changed = True
        text = _("Closed. Messages queued: {sms}; call-backs made: {callbacks}.").format(
            sms=lang_digits(str(report.notices_queued)),
            callbacks=lang_digits(str(report.callbacks_created)),
        )
        self.app.call_from_thread(notify_text, self, text)
        self.app.call_from_thread(self.load)
