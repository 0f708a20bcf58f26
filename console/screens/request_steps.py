"""The steps of a request's life as the request screen takes them: which key stands for which
step, which dialog asks for it, and which `db.followup` call takes it.

Kept apart from the screen so the screen holds only what is on show and the keys; a step here is
plain data (`Step`), taken in the caller's transaction by `take_step`.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session
from textual.screen import Screen

from console.i18n import N_, _, current_language
from console.i18n.intake_words import grouped_code
from console.i18n.queue_words import event_name
from console.screens.dialogs import (
    CancelDialog,
    Cancellation,
    EscalateDialog,
    Escalation,
    LinkDialog,
    NoteDialog,
    ReferDialog,
    Referral,
    UnitCalledDialog,
)
from console.widgets.request_detail import unit_of
from db.accounts import AgentView
from db.followup import (
    RequestDetail,
    UnitChoiceView,
    claim,
    find_request_by_code,
    log_unit_call,
    release,
    transition,
)
from db.jalali import format_time
from db.models import Role

__all__ = [
    "DIALOG_ACTIONS",
    "FIELD_OF_REASON",
    "KEY_STEPS",
    "NOTE_STEPS",
    "STEP_ACTIONS",
    "Step",
    "done_text",
    "note_context",
    "step_dialog",
    "take_step",
]

#: Key actions that take a step, and the transition each stands for (pause and link toggle).
KEY_STEPS: dict[str, str] = {
    "refer": "referred",
    "started": "started",
    "answered": "answered",
    "accept": "accepted",
    "reject": "rejected",
    "escalate": "escalated",
    "cancel": "cancelled",
    "close_request": "closed",
    "reopen": "reopened",
}
STEP_ACTIONS = frozenset({*KEY_STEPS, "pause", "link", "claim", "unit_called"})
DIALOG_ACTIONS = frozenset({"save", "next_field", "close_dialog"})

#: Steps that take only a note: dialog title, the note's prompt, whether it is required.
NOTE_STEPS: dict[str, tuple[str, str, bool]] = {
    "started": (N_("The unit started work"), N_("Note"), False),
    "answered": (
        N_("The unit's answer"),
        N_("The answer, in words to read to the subscriber"),
        True,
    ),
    "accepted": (N_("Accept the unit's answer"), N_("Note"), False),
    "rejected": (N_("Reject the unit's answer"), N_("Why it is not acceptable"), True),
    "paused": (N_("Wait for the subscriber"), N_("What the subscriber has to do"), True),
    "resumed": (N_("Resume the clocks"), N_("Note"), False),
    "closed": (N_("Close the request"), N_("How the subscriber was told the result"), False),
    "reopened": (N_("Reopen as a complaint"), N_("Why it is reopened"), True),
    "unlinked": (N_("Unlink from the parent request"), N_("Note"), False),
}

#: Which dialog field a refusal belongs to (the rest are shown on the screen).
FIELD_OF_REASON: dict[str, str] = {
    "note_required": "note",
    "too_long": "note",
    "note_too_long": "note",
    "unit_required": "unit",
    "unit_inactive": "unit",
    "bad_code": "code",
    "duplicate_of_required": "code",
    "duplicate_of_self": "code",
    "duplicate_of_invalid": "code",
    "parent_required": "code",
    "parent_self": "code",
    "parent_closed": "code",
    "parent_cycle": "code",
    "already_linked": "code",
    "bad_level": "level",
    "promise_in_past": "time",
    "nothing_to_log": "time",
}


@dataclass(frozen=True)
class Step:
    """A step the agent asked for: `kind` (a transition action, "unit_called", "claim" or
    "release"), the request's version they saw, and what their dialog gave back."""

    kind: str
    version: int
    result: Any = None


def take_step(s: Session, agent: AgentView, ticket_id: uuid.UUID, step: Step, now: datetime):
    """Ask `db.followup` for `step` in session `s` (the caller's transaction)."""
    kind, result = step.kind, step.result
    if kind == "claim":
        return claim(s, actor=agent, ticket_id=ticket_id, now=now)
    if kind == "release":
        return release(s, actor=agent, ticket_id=ticket_id)
    if kind == "unit_called":
        promised_at, note = result
        return log_unit_call(
            s, actor=agent, ticket_ids=[ticket_id], promised_at=promised_at, note=note, now=now
        )
    data: dict[str, Any] = {}
    note = ""
    if isinstance(result, Referral):
        note, data["unit_id"] = result.note, result.unit_id
    elif isinstance(result, Cancellation):
        note, data["reason"] = result.note, result.reason
        if result.reason == "duplicate":
            other = find_request_by_code(s, actor=agent, code=result.code)
            data["duplicate_of_id"] = other.id
    elif isinstance(result, Escalation):
        note, data["level"] = result.note, result.level
    elif kind == "linked":
        data["parent_id"] = find_request_by_code(s, actor=agent, code=result).id
    else:
        note = result or ""
    return transition(
        s,
        actor=agent,
        ticket_id=ticket_id,
        action=kind,
        expected_version=step.version,
        note=note,
        now=now,
        **data,
    )


def step_dialog(
    kind: str,
    detail: RequestDetail,
    *,
    agent: AgentView,
    units: Sequence[UnitChoiceView],
    now: datetime,
    values: Any = None,
    error: str = "",
    field: str = "",
) -> Screen:
    """The dialog of step `kind`, filled with `values` (a dialog's earlier answer) and showing
    `error` next to `field`."""
    view = detail.request
    if kind == "referred":
        referral = values if isinstance(values, Referral) else None
        return ReferDialog(
            units,
            unit_id=referral.unit_id if referral else view.unit_id,
            note=referral.note if referral else "",
            error=error,
            error_field=field or "unit",
        )
    if kind == "unit_called":
        promised, note = values if isinstance(values, tuple) else (None, "")
        return UnitCalledDialog(
            unit_of(view),
            1,
            now,
            time_text=format_time(promised, current_language()) if promised else "",
            note=note,
            error=error,
            error_field=field or "time",
        )
    if kind == "cancelled":
        cancel = values if isinstance(values, Cancellation) else None
        return CancelDialog(
            reason=cancel.reason if cancel else "duplicate",
            code=cancel.code if cancel else "",
            note=cancel.note if cancel else "",
            error=error,
            error_field=field or "code",
        )
    if kind == "linked":
        return LinkDialog(code=values if isinstance(values, str) else "", error=error)
    if kind == "escalated":
        escalation = values if isinstance(values, Escalation) else None
        return EscalateDialog(
            current=view.escalation_level,
            top_allowed=agent.has_role(Role.SUPERVISOR),
            level=escalation.level if escalation else None,
            note=escalation.note if escalation else "",
            error=error,
            error_field=field or "note",
        )
    title, prompt, required = NOTE_STEPS[kind]
    return NoteDialog(
        _(title),
        _(prompt),
        required=required,
        context=note_context(kind, detail),
        note=values if isinstance(values, str) else "",
        error=error,
    )


def note_context(kind: str, detail: RequestDetail) -> str:
    """What the agent should see while writing the note of `kind`."""
    if kind == "accepted":
        answers = [e.note for e in detail.events if e.action == "answered" and e.note]
        said = _("The unit's answer: {answer}").format(answer=answers[-1]) if answers else ""
        # db.followup queues the feedback call only for a request with a phone to call.
        call = (
            _("A feedback call to the subscriber will be queued.") if detail.request.phone else ""
        )
        return "\n".join(part for part in (said, call) if part)
    if kind == "paused":
        return _("The clocks stop until the request is resumed.")
    if kind == "unlinked" and detail.parent is not None:
        return _("Parent request: {code}").format(code=grouped_code(detail.parent.tracking_code))
    return ""


def done_text(kind: str) -> str:
    """What the agent sees after a step was saved."""
    if kind == "claim":
        return _("You hold this request now.")
    if kind == "release":
        return _("You let the request go.")
    if kind == "unit_called":
        return _("The call to the unit is logged.")
    return _("Saved: {step}.").format(step=event_name(kind))
