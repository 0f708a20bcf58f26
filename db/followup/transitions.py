"""The state machine at work: :func:`transition`, the only way a request changes.

One call checks the actor's permission, the request's version (a stale edit is refused with who
changed it and when), the table of :mod:`db.followup.states` (an illegal move changes nothing),
then writes one TicketEvent and the ticket's new state in the caller's transaction with the
guarded write, so two concurrent edits can never both win. Its side effects live here too: the
clocks a step restarts or extends, the feedback callback on acceptance, the survivor's note
when a duplicate is cancelled, and the children closed with their parent.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session

from db import sla
from db.accounts import AgentView, require
from db.followup.errors import FollowupError
from db.followup.links import _close_children, _count_calls, _duplicate_tree, _parent, _survivor
from db.followup.records import (
    _aware_now,
    _end_pause,
    _event,
    _json_safe,
    _latest_event,
    _stale,
    _ticket,
    _uuid,
    _write,
)
from db.followup.states import (
    _ACTION_KEYS,
    _BEFORE_ANSWER,
    _CODE_KEYS,
    _NOTE_REQUIRED,
    _S,
    _TOP_LEVEL_ROLES,
    _UNIT_ACTIONS,
    CANCEL_REASONS,
    MAX_LEVEL,
    MAX_NOTE,
    PREVIOUS,
    REFERRED_OR_REGISTERED,
    SAME,
    TRANSITIONS,
    Action,
    _roles_for,
)
from db.followup.views import RequestView, _view_of
from db.models import Callback, CallbackStatus, Category, Ticket, TicketEvent, TicketKind, Unit
from db.text import normalize


def _note(note: str | None, action: str) -> str:
    text = normalize(note or "")
    if len(text) > MAX_NOTE:
        raise FollowupError("too_long", max=MAX_NOTE)
    if not text and action in _NOTE_REQUIRED:
        raise FollowupError("note_required", action=str(action))
    return text


def _action(action: str) -> Action:
    try:
        return Action(action)
    except ValueError:
        raise FollowupError("unknown_action", action=str(action)) from None


def _due(calendar: sla.WorkingCalendar, start: datetime, minutes: int) -> datetime | None:
    return sla.due_at(calendar, start, minutes) if minutes else None


def _unit(session: Session, unit_id: Any, ticket: Ticket) -> Unit:
    if unit_id is None:
        raise FollowupError("unit_required")
    unit = session.get(Unit, _uuid(unit_id, "unit"))
    if unit is None or unit.center_id != ticket.center_id:
        raise FollowupError("not_found", what="unit", id=str(unit_id))
    if not unit.active:
        raise FollowupError("unit_inactive", unit_id=unit.id)
    return unit


def _status_before_pause(session: Session, ticket: Ticket) -> str:
    paused = _latest_event(session, ticket.id, action=Action.PAUSED)
    if paused is not None and paused.from_status in {s.value for s in _BEFORE_ANSWER}:
        return paused.from_status
    return _S.REFERRED if ticket.referred_at is not None else _S.REGISTERED


def transition(
    session: Session,
    *,
    actor: AgentView | None,
    ticket_id: uuid.UUID,
    action: str,
    expected_version: int,
    note: str = "",
    unit_id: uuid.UUID | None = None,
    now: datetime | None = None,
    **data: Any,
) -> RequestView:
    """Move a request one step along :data:`TRANSITIONS` and return its new state.

    ``expected_version`` is the version the agent saw. ``now`` (default: the clock) is the
    event's time, kept no earlier than the request's last change so the timeline stays in
    order. ``note`` is required for answered (the unit's answer, read to the subscriber later),
    rejected, escalated, paused, reopened and cancelled as invalid. Action data:

    - referred (and reopened): ``unit_id`` (default the request's unit); the unit's clock
      restarts from this referral. Other actions ignore ``unit_id``.
    - cancelled: ``reason`` "duplicate" (with ``duplicate_of_id``; the survivor gets a
      "duplicate_merged" note and counts the duplicate's calls) or "invalid".
    - escalated: ``level`` (default one up; level 3 needs a supervisor).
    - linked: ``parent_id``. closed: ``via`` (callback, sms, in_person...), free.
    - any other keyword is kept in the event's data (JSON: ids and times as text).

    Errors: see :class:`FollowupError`; PermissionDenied when the actor lacks the role.
    """
    now = _aware_now(now)
    act = _action(action)
    require(actor, *_roles_for(act), action=f"{act.value} requests")
    ticket = _ticket(session, ticket_id, actor)
    if ticket.version != expected_version:
        raise _stale(session, ticket.id)
    target = TRANSITIONS.get((ticket.status, act))
    if target is None:
        raise FollowupError(
            "illegal_transition",
            f"a {ticket.status} request cannot be {act.value}",
            from_status=ticket.status,
            action=act.value,
        )
    for key in data:
        if key in _CODE_KEYS or _ACTION_KEYS.get(key, act) != act:
            raise FollowupError("bad_data", key=key, action=act.value)
    at = max(now, ticket.updated_at)
    if act == Action.CANCELLED and data.get("reason") == "invalid" and not note.strip():
        raise FollowupError("note_required", action=act.value)
    note = _note(note, act)
    category = session.get(Category, ticket.category_id)
    assert category is not None
    calendar = sla.load_calendar(session, category.calendar_id)

    if target == SAME:
        to_status = ticket.status
    elif target == PREVIOUS:
        to_status = _status_before_pause(session, ticket)
    elif target == REFERRED_OR_REGISTERED:
        to_status = _S.REFERRED if (unit_id or ticket.unit_id) else _S.REGISTERED
    else:
        to_status = target

    values: dict[str, Any] = {"status": str(to_status), "updated_at": at}
    event_data: dict[str, Any] = {}
    event_unit = ticket.unit_id if act in _UNIT_ACTIONS else None
    merged_into: Ticket | None = None
    callback: Callback | None = None

    if to_status == _S.REFERRED and act in (Action.REFERRED, Action.REOPENED):
        unit = _unit(session, unit_id or ticket.unit_id, ticket)
        values.update(
            unit_id=unit.id,
            referred_at=at,
            unit_due_at=_due(calendar, at, category.resolution_minutes),
        )
        event_unit = unit.id
    if act == Action.STARTED and ticket.responded_at is None:
        values["responded_at"] = at
    if act == Action.ANSWERED:
        values["resolved_at"] = at
        if ticket.responded_at is None:
            values["responded_at"] = at
    if act == Action.REJECTED:
        values["resolved_at"] = None
    if act == Action.PAUSED:
        values["paused_at"] = at
    if act == Action.RESUMED:
        values.update(_end_pause(ticket, at))
        if ticket.paused_at is not None:
            for clock, column in (
                (sla.ClockName.CITIZEN, "resolution_due_at"),
                (sla.ClockName.UNIT, "unit_due_at"),
                (sla.ClockName.RESPONSE, "response_due_at"),
            ):
                bounds = sla.clock_bounds(ticket, clock)
                if bounds is not None and bounds[1] is not None and bounds[2] is None:
                    values[column] = sla.extend_for_pause(calendar, bounds[1], ticket.paused_at, at)
            event_data["paused_seconds"] = values["paused_seconds"] - ticket.paused_seconds
    if act in (Action.CLOSED, Action.CANCELLED):
        values.update(
            closed_at=at, claimed_by_id=None, claimed_until=None, **_end_pause(ticket, at)
        )
    if act == Action.CANCELLED:
        reason = data.pop("reason", None)
        duplicate_of = data.pop("duplicate_of_id", None)
        if reason not in CANCEL_REASONS:
            raise FollowupError(
                "reason_required" if reason is None else "bad_reason",
                allowed=CANCEL_REASONS,
                given=reason,
            )
        event_data["reason"] = reason
        if reason == "duplicate":
            merged_into = _survivor(session, ticket, duplicate_of)
            values["duplicate_of_id"] = merged_into.id
            event_data.update(
                duplicate_of=merged_into.tracking_code, duplicate_of_id=str(merged_into.id)
            )
    if act == Action.REOPENED:
        values.update(kind=TicketKind.COMPLAINT, closed_at=None, resolved_at=None)
        if to_status == _S.REGISTERED:
            values.update(referred_at=None, unit_due_at=None)
    if act == Action.ESCALATED:
        level = data.pop("level", None)
        current = ticket.escalation_level
        if current >= MAX_LEVEL:
            raise FollowupError("max_level", current=current)
        level = current + 1 if level is None else level
        if isinstance(level, bool) or not isinstance(level, int) or not current < level <= 3:
            raise FollowupError("bad_level", level=level, current=current)
        if level == MAX_LEVEL:
            require(actor, *_TOP_LEVEL_ROLES, action="escalate to the managing director's office")
        values["escalation_level"] = level
        event_data.update(level=level, from_level=current)
    if act == Action.LINKED:
        parent = _parent(session, ticket, data.pop("parent_id", None))
        values["parent_id"] = parent.id
        event_data.update(parent_id=str(parent.id), parent_code=parent.tracking_code)
    if act == Action.UNLINKED:
        if ticket.parent_id is None:
            raise FollowupError("not_linked")
        values["parent_id"] = None
        event_data["parent_id"] = str(ticket.parent_id)
    if act == Action.ACCEPTED:
        answered = _latest_event(session, ticket.id, action=Action.ANSWERED)
        if ticket.phone:
            callback = Callback(
                center_id=ticket.center_id,
                ticket_id=ticket.id,
                subscriber_id=ticket.subscriber_id,
                phone=ticket.phone,
                reason="ticket_answer",
                script=answered.note if answered else "",
                status=CallbackStatus.DUE,
                due_at=at,
                created_at=at,
                updated_at=at,
            )
        event_data["callback_id"] = str(callback.id) if callback else None

    extra = {str(k): _json_safe(str(k), v) for k, v in data.items()}
    event = _event(
        ticket,
        actor,
        at=at,
        action=act,
        to_status=to_status,
        unit_id=event_unit,
        note=note,
        data={**extra, **event_data},
    )
    if not _write(session, ticket.id, version=expected_version, values=values, event=event):
        raise _stale(session, ticket.id)
    if callback is not None:
        session.add(callback)
        session.flush()

    if merged_into is not None:
        calls = _count_calls(session, _duplicate_tree(session, ticket.id))
        session.add(
            TicketEvent(
                center_id=merged_into.center_id,
                ticket_id=merged_into.id,
                # Not before the survivor's own latest step, so its timeline stays in order.
                at=max(at, merged_into.updated_at),
                actor_id=actor.id if actor else None,
                action="duplicate_merged",
                from_status=merged_into.status,
                to_status=merged_into.status,
                note=note,
                data={
                    "duplicate_id": str(ticket.id),
                    "duplicate_code": ticket.tracking_code,
                    "calls": calls,
                },
            )
        )
        session.flush()
    if act == Action.CLOSED:
        _close_children(session, ticket, actor, at=at, note=note, via=data.get("via"))
    return _view_of(session, ticket.id, at)
