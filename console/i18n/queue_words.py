"""The follow-up words: short status names and clock texts that fit the queue's columns, and
the request screen's steps, clocks and refusals in the agent's language."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from console.i18n import N_, _, lang_digits
from console.i18n.intake_words import (
    action_name,
    error_text,
    grouped_code,
    status_name,
    when_text,
)
from db.sla import ClockView

__all__ = [
    "CLOCK_NAMES",
    "EVENT_WORDS",
    "SHORT_STATUS",
    "STEP_NAMES",
    "arrow",
    "clock_line",
    "clock_text",
    "event_name",
    "not_now_text",
    "refusal_text",
    "short_status",
    "stale_text",
    "step_name",
]

#: Status names short enough for the queue's status column (intake_words has the long ones).
SHORT_STATUS: dict[str, str] = {
    "registered": N_("New"),
    "referred": N_("Referred"),
    "in_progress": N_("At unit"),
    "unit_answered": N_("Answered"),
    "accepted": N_("Accepted"),
    "awaiting_feedback": N_("Feedback"),
    "rejected": N_("Sent back"),
    "pending_subscriber": N_("Waiting"),
    "closed": N_("Closed"),
    "cancelled": N_("Cancelled"),
}


def short_status(status: str) -> str:
    return _(SHORT_STATUS[status]) if status in SHORT_STATUS else status


def _hours_minutes(minutes: int) -> str:
    hours, mins = divmod(abs(minutes), 60)
    if hours >= 24:
        return lang_digits(_("{days}d").format(days=hours // 24))
    return lang_digits(f"{hours}:{mins:02d}")


def clock_text(clock: ClockView) -> str:
    """`19:00` left, `late 2:05`, `paused`, or a dash when the category sets no target."""
    if clock.state == "paused":
        return _("paused")
    if clock.minutes_left is None:
        return "-"
    if clock.overdue or clock.minutes_left < 0:
        return _("late {time}").format(time=_hours_minutes(clock.minutes_left))
    return _hours_minutes(clock.minutes_left)


# --- the request screen ---------------------------------------------------------------------

#: Timeline words for the steps `intake_words.EVENT_ACTIONS` does not name.
EVENT_WORDS: dict[str, str] = {
    "linked": N_("Linked to a parent request"),
    "unlinked": N_("Unlinked from its parent request"),
    "duplicate_merged": N_("A duplicate was merged into it"),
    "sync_conflict": N_("Changed at the center and the province while apart: histories merged"),
    "unit_called": N_("Unit called"),
}

#: The request screen's steps by key action, as the agent knows them (the key bar's words).
STEP_NAMES: dict[str, str] = {
    "claim": N_("Hold / release"),
    "refer": N_("Refer"),
    "started": N_("Unit started"),
    "answered": N_("Unit answered"),
    "accept": N_("Accept"),
    "reject": N_("Reject"),
    "pause": N_("Wait/resume"),
    "escalate": N_("Escalate"),
    "cancel": N_("Cancel request"),
    "close_request": N_("Close"),
    "reopen": N_("Reopen"),
    "link": N_("Link/unlink"),
    "unit_called": N_("Unit called"),
}

CLOCK_NAMES: dict[str, str] = {
    "citizen": N_("Citizen's clock"),
    "unit": N_("Unit's clock"),
}

# FollowupError reasons (db/followup/errors.py) in the agent's words; params by name.
_REFUSALS: dict[str, str] = {
    "illegal_transition": N_("Not possible now: the request's status is “{status}”."),
    "not_open": N_("The request is no longer open: its status is “{status}”."),
    "note_required": N_("Write a note: this step needs one."),
    "too_long": N_("Too long: at most {max} characters."),
    "note_too_long": N_("Too long: at most {max} characters."),
    "unit_required": N_("Pick a unit from the list."),
    "unit_inactive": N_("This unit is no longer active: pick another."),
    "reason_required": N_("Choose why the request is cancelled."),
    "bad_reason": N_("Choose why the request is cancelled."),
    "duplicate_of_required": N_("Type the tracking code of the request it repeats."),
    "duplicate_of_self": N_("A request cannot be a duplicate of itself."),
    "duplicate_of_invalid": N_(
        "Request {code} was cancelled as invalid: it cannot take duplicates."
    ),
    "parent_required": N_("Type the tracking code of the parent request."),
    "parent_self": N_("A request cannot be its own parent."),
    "parent_closed": N_("Request {code} is no longer open: link to an open request."),
    "parent_cycle": N_("That request is already under this one: the link would go in a circle."),
    "already_linked": N_("It is already linked to that request."),
    "not_linked": N_("It is not linked to a parent request."),
    "bad_level": N_("Choose a higher escalation level."),
    "max_level": N_("The request is already at the highest escalation level."),
    "claimed": N_("{name} holds this request until {time}."),
    "promise_in_past": N_("That time has passed: type a later time today."),
    "nothing_to_log": N_("Type the promised time or a note."),
    "not_with_unit": N_("No unit has this request now, so a call to the unit cannot be logged."),
    "permission": N_("You do not have permission for this."),
}
_REFUSED = N_("The step was refused ({reason}).")


def event_name(action: str, to_status: str | None = None) -> str:
    """A timeline step in words ("Referred to the unit", "Unit called")."""
    if action in EVENT_WORDS:
        return _(EVENT_WORDS[action])
    return action_name(action, to_status)


def step_name(action: str) -> str:
    return _(STEP_NAMES[action]) if action in STEP_NAMES else action


def arrow(before: str, after: str) -> str:
    """`before → after`; the arrow points the way the line reads (left in Persian)."""
    return _("{before} → {after}").format(before=before, after=after)


def clock_line(name: str, clock: ClockView | None, *, now: datetime) -> str:
    """`Citizen's clock: 2:00 left · due 16:00`, `Unit's clock: late 0:30 · due 13:30`."""
    title = _(CLOCK_NAMES[name]) if name in CLOCK_NAMES else name
    if clock is None:
        return _("{clock}: starts when the request is referred").format(clock=title)
    if clock.due_at is None or clock.minutes_left is None:
        return _("{clock}: no target").format(clock=title)
    left = clock.minutes_left
    if not clock.running:
        state = (
            _("stopped {time} late").format(time=_hours_minutes(left))
            if clock.late
            else _("stopped in time")
        )
    elif clock.state == "paused":
        state = _("paused, {time} left").format(time=_hours_minutes(left))
    elif clock.overdue or left < 0:
        state = _("late {time}").format(time=_hours_minutes(left))
    else:
        state = _("{time} left").format(time=_hours_minutes(left))
    due = _("due {when}").format(when=when_text(clock.due_at, now=now))
    return f"{title}: {state} · {due}"


def refusal_text(reason: str, params: Mapping[str, Any] | None = None) -> str:
    """A refused follow-up step (`FollowupError.reason` and `params`) in the agent's words."""
    params = params or {}
    if reason == "bad_code":
        return error_text("tracking_code", str(params.get("problem", "")))
    if reason == "not_found":
        if params.get("what") in ("ticket", "parent", "duplicate_of") and "code" in params:
            return error_text("tracking_code", "not_found")
        if params.get("what") == "unit":
            return _("Pick a unit from the list.")
        return _("This request is not in this center.")
    if reason not in _REFUSALS:
        return _(_REFUSED).format(reason=reason)
    until = params.get("until")
    status = params.get("status") or params.get("from_status")
    limit = params.get("max", params.get("limit"))
    return _(_REFUSALS[reason]).format(
        status=status_name(str(status)) if status else "",
        code=grouped_code(str(params.get("tracking_code") or "")),
        max=lang_digits(str(limit)) if limit is not None else "",
        name=str(params.get("by") or "") or _("Another agent"),
        time=when_text(until) if isinstance(until, datetime) else "",
    )


def stale_text(params: Mapping[str, Any], *, now: datetime) -> str:
    """Another agent changed the request first: who, when and what, and what happens now."""
    at = params.get("changed_at")
    action = params.get("action")
    return _(
        "Changed by {name} at {time} ({action}); the request was read again: "
        "check it and try again."
    ).format(
        name=str(params.get("changed_by") or "") or _("the system"),
        time=when_text(at, now=now) if isinstance(at, datetime) else "",
        action=event_name(str(action)) if action else "",
    )


def not_now_text(action: str, status: str) -> str:
    """Why a step's key did nothing: the request's status does not allow it."""
    return _("“{step}” is not possible now: the request's status is “{status}”.").format(
        step=step_name(action), status=status_name(status)
    )
