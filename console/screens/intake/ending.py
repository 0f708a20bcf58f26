"""Ending the call with one key: the outcome is saved in a worker, refusals come back by field.

Answered, registered (the tracking code is then shown large for read-back), linked to the
incident, linked to the open request, transferred, or dropped. Handle time runs from the first
change of the call to the save, on the app's clock.
"""

from typing import Any

from textual import work
from textual.widgets import ContentSwitcher
from textual.worker import Worker, WorkerState

from console.i18n import N_, _
from console.i18n.intake_words import grouped_code, isolate, local_name, when_text
from console.messages import CallSaved
from console.screens.intake.base import IntakeBase
from console.screens.intake.form import TEXT_FIELDS
from console.screens.intake.results import Refused, Saved
from console.widgets.bidi import BidiText
from console.widgets.tracking_code import TrackingCodeBanner
from db import intake
from db.accounts import AccountError
from db.engine import session
from db.intake import DistrictView, IntakeError, QueryKind, RegisteredView
from db.models import CallOutcome

# What each outcome key saves, and the confirmation it leaves.
SAVED_WORDS = {
    CallOutcome.ANSWERED: N_("Call saved: answered."),
    CallOutcome.TRANSFERRED: N_("Call saved: transferred."),
    CallOutcome.DROPPED: N_("Call saved: dropped."),
    CallOutcome.LINKED_INCIDENT: N_("Call saved and linked to the incident."),
}


class CallEnding(IntakeBase):
    """The outcome keys, the save worker, its answer, and the clean form for the next call."""

    def action_register(self) -> None:
        """Ctrl+R: register a request (a second press registers beside a repeat's request)."""
        target = self.link_target()
        if target is not None and target.repeat and not self._register_confirmed:
            self._register_confirmed = True
            self._say(
                _(
                    "Request {code} is already open for this. Press {register} again to "
                    "register a new one anyway, or {link} to add this call to it."
                ).format(
                    code=grouped_code(target.tracking_code),
                    register=isolate(self._key("intake_register")),
                    link=isolate(self._key("intake_link_request")),
                ),
                kind="error",
            )
            return
        self._end_call("register")

    def action_answered(self) -> None:
        self._end_call(CallOutcome.ANSWERED)

    def action_transferred(self) -> None:
        self._end_call(CallOutcome.TRANSFERRED)

    def action_dropped(self) -> None:
        self._end_call(CallOutcome.DROPPED)

    def action_link_incident(self) -> None:
        self._end_call(CallOutcome.LINKED_INCIDENT)

    def action_link_request(self) -> None:
        self._end_call(CallOutcome.LINKED_REQUEST)

    def _end_call(self, outcome: str) -> None:
        """Gather the form and save it with `outcome` in a worker; errors come back by field."""
        if self._saving:
            return
        self._clear_errors()
        text = self.query_input.value.strip()
        phone = None
        if text:
            try:
                query = intake.parse_caller_query(text)
            except IntakeError as error:
                self._show_error(error.field, error.reason, error.params)
                return
            if not self._card_is_current():
                # Typed faster than the lookup: look up first, then save.
                self._pending_outcome = outcome
                if self._lookup_timer is not None:
                    self._lookup_timer.stop()
                self._lookup_now(text, focus=False)
                return
            phone = query.value if query.kind == QueryKind.PHONE else None
        subscriber = self.card_view.subscriber if self._card_is_current() else None
        category = self.category_picker.category
        if category is None and self.category_picker.text.strip():
            self._show_error("category", "required")
            return
        district = self.district_picker.value
        if district is None and self.district_picker.text.strip():
            self._show_error("district", "not_found")
            return
        ended_at = self._clock()
        common: dict[str, Any] = {
            "phone": phone,
            "subscriber_id": subscriber.id if subscriber else None,
            "category_id": category.id if category else None,
            "channel": self._channel,
            "notes": self.text_input("notes").value,
            "started_at": self._started_at or ended_at,
            "ended_at": ended_at,
        }
        if outcome == "register":
            payload = {
                **common,
                "address": self.text_input("address").value,
                "district_id": district.id if isinstance(district, DistrictView) else None,
                "description": self.text_input("description").value,
                "caller_name": self.text_input("caller_name").value,
                "wants_callback": self._wants_callback,
            }
        elif outcome == CallOutcome.LINKED_INCIDENT:
            incidents = self.card_view.incidents if self._card_is_current() else []
            if not incidents:
                return
            payload = {
                **common,
                "incident_id": incidents[0].id,
                "wants_callback": self._wants_callback,
            }
        elif outcome == CallOutcome.LINKED_REQUEST:
            target = self.link_target()
            if target is None:
                return
            payload = {
                **common,
                "ticket_id": target.ticket_id,
                "wants_callback": self._wants_callback,
            }
        elif outcome == CallOutcome.ANSWERED:
            payload = {**common, "outcome": outcome, "wants_callback": self._wants_callback}
        else:
            payload = {**common, "outcome": outcome}
        self._saving = True
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_dirty = True
        self._say(_("Saving…"), kind="")
        self.save_outcome(outcome, payload, self._call_token)

    @work(thread=True, exclusive=False, group="save", exit_on_error=False)
    def save_outcome(self, outcome: str, payload: dict[str, Any], token: int) -> None:
        """In a thread: one transaction for the call (and its request), draft discarded."""
        try:
            with self._draft_lock:
                with session(self._engine) as s:
                    if outcome == "register":
                        result: Any = intake.register_request(s, actor=self._agent, **payload)
                    elif outcome == CallOutcome.LINKED_INCIDENT:
                        result = intake.link_to_incident(s, actor=self._agent, **payload)
                    elif outcome == CallOutcome.LINKED_REQUEST:
                        result = intake.link_to_request(s, actor=self._agent, **payload)
                    else:
                        result = intake.record_contact(s, actor=self._agent, **payload)
                if token == self._call_token:
                    self._call_token = token + 1  # later draft saves of this call are stale
        except IntakeError as error:
            self.post_message(Refused(error.field, error.reason, dict(error.params)))
        except AccountError as error:
            self.post_message(Refused("permission", error.code))
        else:
            self.post_message(Saved(outcome, result))

    def on_intake_panel_saved(self, event: Saved) -> None:
        self._saving = False
        self._draft_dirty = False
        self._draft_saved = False
        result = event.result
        if isinstance(result, RegisteredView):
            code = result.tracking_code
            call = result.call
            ticket = result.ticket
            notes = [_("Read the code back to the caller, group by group.")]
            if ticket.resolution_due_at is not None:
                notes.append(
                    _("Due {when}.").format(
                        when=when_text(ticket.resolution_due_at, now=self._clock())
                    )
                )
            unit = local_name(ticket.unit_name_fa, ticket.unit_name_en)
            title = _("Request registered: {category}").format(
                category=local_name(ticket.category_name_fa, ticket.category_name_en)
            )
            if unit:
                title = f"{title} · {unit}"
            self.clear_form()
            self.query_one("#intake-code", TrackingCodeBanner).show(
                code, title=title, notes=tuple(notes)
            )
            self.query_one("#intake-body", ContentSwitcher).current = "intake-registered"
            self._say(_("Request registered: {code}").format(code=grouped_code(code)))
            self.post_message(CallSaved(call, code))
        else:
            if event.outcome == CallOutcome.LINKED_REQUEST:
                target = self.link_target()
                code = target.tracking_code if target else ""
                message = _("Call saved and added to request {code}.").format(
                    code=grouped_code(code)
                )
            else:
                message = _(SAVED_WORDS[CallOutcome(event.outcome)])
            self.clear_form()
            self._say(message)
            self.post_message(CallSaved(result))
        self.focus_first()

    def on_intake_panel_refused(self, event: Refused) -> None:
        self._saving = False
        if event.field == "permission":
            self._say(_("You do not have permission for this."), kind="error")
        else:
            self._show_error(event.field, event.reason, event.params)
        if self._draft_dirty:
            self._draft_dirty = False
            self._schedule_draft()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR or event.worker.error is None:
            return
        report = getattr(self.app, "report_error", None)
        if report is not None:
            report(event.worker.error)
        if event.worker.group == "save":
            self._saving = False
            self._say(
                _("The call was not saved. Everything typed is kept: try again."), kind="error"
            )
        elif event.worker.group == "lookup":
            self._set_text("#intake-query-status", "")
            self._pending_outcome = None

    def _clear_errors(self) -> None:
        self._set_text("#intake-query-error", "")
        for widget in self.query(".intake-error"):
            if isinstance(widget, BidiText):
                widget.text = ""
                widget.display = False

    def clear_form(self) -> None:
        """Start the next call: every field empty, the clock stopped, the card gone."""
        if self._lookup_timer is not None:
            self._lookup_timer.stop()
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._pending_outcome = None
        self._pending_subscriber = None
        self._pending_district = None
        self._register_confirmed = False
        self._repeat = None
        self._repeat_key = ()
        self._wants_callback = False  # the line stays: the next call likely comes on it too
        self._show_line()
        self._prefilled_address = ""
        self._prefilled_district = None
        self.query_input.value = ""
        for name in TEXT_FIELDS:
            self.text_input(name).value = ""
        self.category_picker.clear()
        self.district_picker.clear()
        self._category_changed(None)
        self._forget_caller()
        self._clear_errors()
        self._set_text("#intake-preview", "")
        if self._side() == "side-canned":
            self._set_side("side-idle")
        self._started_at = None
        self.refresh_bindings()
