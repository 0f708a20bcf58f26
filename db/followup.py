"""Follow-up (unit b): the life of a request after intake, its clocks, queue and escalation.

The lifecycle of DOMAIN.md is the table :data:`TRANSITIONS` of allowed ``(status, action) ->
status``; :func:`transition` is the only way a request changes. One call checks the actor's
permission, the request's version (a stale edit is refused with who changed it and when), the
table (an illegal move changes nothing), then writes one :class:`TicketEvent` and the ticket's
new state in the caller's transaction, with a guarded ``UPDATE ... WHERE id = :id AND version =
:expected`` so two concurrent edits can never both win, on SQLite or PostgreSQL.

The state table (``same``: the status does not change; ``previous``: the status before the
pause; open = every status of OPEN_STATUSES)::

    registered          --referred-->         referred        (unit required)
    referred            --referred-->         referred        (to another unit)
    in_progress         --referred-->         referred        (to another unit)
    rejected            --referred-->         referred        (referred again)
    referred            --started-->          in_progress     (the unit has it)
    referred            --answered-->         unit_answered   (answered at once)
    in_progress         --answered-->         unit_answered
    unit_answered       --accepted-->         accepted        (creates the feedback callback)
    unit_answered       --rejected-->         rejected        (not acceptable or late)
    accepted            --feedback_queued-->  awaiting_feedback
    accepted            --closed-->           closed          (result told in person)
    awaiting_feedback   --closed-->           closed
    awaiting_feedback   --reopened-->         referred | registered   (complaint)
    closed              --reopened-->         referred | registered   (complaint)
    registered, referred, in_progress --paused--> pending_subscriber  (clocks paused)
    pending_subscriber  --resumed-->          previous
    registered, referred, in_progress, pending_subscriber, unit_answered, rejected
                        --cancelled-->        cancelled       (duplicate or invalid)
    open                --escalated-->        same            (level 1 -> 2 -> 3)
    open                --linked-->           same            (to a parent request)
    open                --unlinked-->         same

Closing a parent closes its open children too, whatever their step, one "closed" event each
(``data.via = "parent"``). ``reopened`` returns to ``referred`` when the request has a unit
(given or its own), else to ``registered``, and makes it a complaint.

Versions: every event but the log-only ones (:data:`LOG_ONLY_ACTIONS`: "caller_called_again"
of intake, "duplicate_merged" here) raises the ticket's version by one, so a request's version
is always the number of its state-changing events, "registered" included.

Clocks: see :mod:`db.sla` (the citizen's, the unit's and the response clock). Claims: an agent
holds a request for ``followup.claim_minutes`` (default 30); claiming is a guarded update, and on
PostgreSQL the next request is locked with ``FOR UPDATE SKIP LOCKED`` first, so two agents never
hold one request and never wait on each other. A claim is advisory for edits: versions, not
claims, keep edits safe, so a supervisor can act on a request someone holds.

Errors are :class:`FollowupError` with a stable ``reason`` and ``params`` the console
translates; missing roles raise :class:`db.accounts.PermissionDenied`.
"""

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import Enum, StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from db import sla
from db.accounts import AgentView, PermissionDenied, require
from db.models import (
    OPEN_STATUSES,
    Agent,
    Call,
    Callback,
    CallbackStatus,
    Category,
    District,
    Role,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketStatus,
    Unit,
    utcnow,
)
from db.sla import DEFAULT_SLA_SETTINGS, SlaSettings
from db.text import normalize
from db.views import TicketEventView

__all__ = [
    "ACTION_ROLES",
    "CANCEL_REASONS",
    "DEFAULT_CLAIM_MINUTES",
    "FOLLOWUP_ROLES",
    "LOG_ONLY_ACTIONS",
    "PREVIOUS",
    "QUEUE_STATUSES",
    "READ_ROLES",
    "REFERRED_OR_REGISTERED",
    "RUNNING_STATUSES",
    "SAME",
    "SETTING_CLAIM_MINUTES",
    "TRANSITIONS",
    "Action",
    "CallbackSummary",
    "EscalationView",
    "FollowupError",
    "FollowupSettings",
    "LinkedRequestView",
    "QueueCursor",
    "QueuePage",
    "RequestDetail",
    "RequestView",
    "TickReport",
    "TimelineEventView",
    "allowed_actions",
    "claim",
    "claim_next",
    "list_queue",
    "load_followup_settings",
    "release",
    "request_detail",
    "sla_tick",
    "transition",
]

_S = TicketStatus


class Action(StrEnum):
    """What happens to a request; the event's ``action`` (the demo data uses the same names)."""

    REFERRED = "referred"
    STARTED = "started"
    PAUSED = "paused"
    RESUMED = "resumed"
    ANSWERED = "answered"
    REJECTED = "rejected"
    ACCEPTED = "accepted"
    FEEDBACK_QUEUED = "feedback_queued"
    CLOSED = "closed"
    ESCALATED = "escalated"
    CANCELLED = "cancelled"
    REOPENED = "reopened"
    LINKED = "linked"
    UNLINKED = "unlinked"


#: Targets of the table that depend on the request.
SAME = "same"
PREVIOUS = "previous"
REFERRED_OR_REGISTERED = "referred_or_registered"

_BEFORE_ANSWER = (_S.REGISTERED, _S.REFERRED, _S.IN_PROGRESS)
_CANCELLABLE = (*_BEFORE_ANSWER, _S.PENDING_SUBSCRIBER, _S.UNIT_ANSWERED, _S.REJECTED)

#: The lifecycle: (from status, action) -> to status (or SAME, PREVIOUS, REFERRED_OR_REGISTERED).
TRANSITIONS: Mapping[tuple[str, str], str] = {
    (_S.REGISTERED, Action.REFERRED): _S.REFERRED,
    (_S.REFERRED, Action.REFERRED): _S.REFERRED,
    (_S.IN_PROGRESS, Action.REFERRED): _S.REFERRED,
    (_S.REJECTED, Action.REFERRED): _S.REFERRED,
    (_S.REFERRED, Action.STARTED): _S.IN_PROGRESS,
    (_S.REFERRED, Action.ANSWERED): _S.UNIT_ANSWERED,
    (_S.IN_PROGRESS, Action.ANSWERED): _S.UNIT_ANSWERED,
    (_S.UNIT_ANSWERED, Action.ACCEPTED): _S.ACCEPTED,
    (_S.UNIT_ANSWERED, Action.REJECTED): _S.REJECTED,
    (_S.ACCEPTED, Action.FEEDBACK_QUEUED): _S.AWAITING_FEEDBACK,
    (_S.ACCEPTED, Action.CLOSED): _S.CLOSED,
    (_S.AWAITING_FEEDBACK, Action.CLOSED): _S.CLOSED,
    (_S.AWAITING_FEEDBACK, Action.REOPENED): REFERRED_OR_REGISTERED,
    (_S.CLOSED, Action.REOPENED): REFERRED_OR_REGISTERED,
    **{(s, Action.PAUSED): _S.PENDING_SUBSCRIBER for s in _BEFORE_ANSWER},
    (_S.PENDING_SUBSCRIBER, Action.RESUMED): PREVIOUS,
    **{(s, Action.CANCELLED): _S.CANCELLED for s in _CANCELLABLE},
    **{(s, Action.ESCALATED): SAME for s in OPEN_STATUSES},
    **{(s, Action.LINKED): SAME for s in OPEN_STATUSES},
    **{(s, Action.UNLINKED): SAME for s in OPEN_STATUSES},
}

#: Events that only note something (no state change, no new version).
LOG_ONLY_ACTIONS = frozenset({"caller_called_again", "duplicate_merged"})
#: Why a request may be cancelled.
CANCEL_REASONS = ("duplicate", "invalid")

FOLLOWUP_ROLES = (Role.FOLLOWUP, Role.SUPERVISOR)
#: Who may read the queue and a request's detail.
READ_ROLES = (Role.FOLLOWUP, Role.SUPERVISOR, Role.SURVEYOR)
#: Who may take each action (FOLLOWUP_ROLES when not listed). Escalating to level 3 (the
#: managing director's office) also needs a supervisor.
ACTION_ROLES: Mapping[str, tuple[Role, ...]] = {
    # Surveyors close after a callback and reopen when the survey says "not resolved";
    # information officers close after the result went out by SMS.
    Action.CLOSED: (Role.FOLLOWUP, Role.SUPERVISOR, Role.SURVEYOR, Role.NOTIFIER),
    Action.REOPENED: (Role.FOLLOWUP, Role.SUPERVISOR, Role.SURVEYOR),
}
_TOP_LEVEL_ROLES = (Role.SUPERVISOR,)
MAX_LEVEL = 3

#: Statuses that need the follow-up agent: the queue's and claim_next's default.
QUEUE_STATUSES: tuple[str, ...] = (
    _S.REGISTERED,
    _S.REFERRED,
    _S.IN_PROGRESS,
    _S.UNIT_ANSWERED,
    _S.REJECTED,
    _S.ACCEPTED,
)
#: Statuses in which the citizen's clock runs (no accepted answer yet, not paused).
RUNNING_STATUSES: tuple[str, ...] = (_S.REGISTERED, _S.REFERRED, _S.IN_PROGRESS, _S.REJECTED)
_OPEN = tuple(sorted(s.value for s in OPEN_STATUSES))
_NOTE_REQUIRED = frozenset(
    {Action.ANSWERED, Action.REJECTED, Action.ESCALATED, Action.PAUSED, Action.REOPENED}
)
# Keywords that mean something to one action only; and keys only the code writes.
_ACTION_KEYS: Mapping[str, str] = {
    "level": Action.ESCALATED,
    "reason": Action.CANCELLED,
    "duplicate_of_id": Action.CANCELLED,
    "parent_id": Action.LINKED,
}
_CODE_KEYS = frozenset(
    {"from_level", "callback_id", "paused_seconds", "clock", "auto", "minutes_late",
     "duplicate_of", "parent_code"}
)  # fmt: skip
# Actions whose event names the request's unit.
_UNIT_ACTIONS = frozenset({Action.STARTED, Action.ANSWERED, Action.REJECTED})
MAX_NOTE = 2000
MAX_CHILDREN_SHOWN = 100

SETTING_CLAIM_MINUTES = "followup.claim_minutes"
DEFAULT_CLAIM_MINUTES = 30

_T = Ticket.__table__
_c = _T.c


class FollowupError(Exception):
    """A refused follow-up operation. ``reason`` is a stable code the console translates.

    Reasons (params): not_found (what, id); stale (changed_by, changed_by_id, changed_at,
    action, version); illegal_transition (from_status, action); unknown_action (action);
    unknown_status (status); note_required (action); too_long (max); unit_required;
    unit_inactive (unit_id); reason_required / bad_reason (allowed, given);
    duplicate_of_required; duplicate_of_self; duplicate_of_invalid (tracking_code);
    parent_required; parent_self; parent_closed (tracking_code); parent_cycle; already_linked;
    not_linked; bad_level (level, current); max_level; bad_data (key, action: a keyword
    another action takes, or one only the code writes, or not JSON); not_open (status);
    claimed (by, by_id, until).
    """

    def __init__(self, reason: str, message: str = "", **params: Any) -> None:
        self.reason = reason
        self.params = params
        super().__init__(message or (f"{reason}: {params}" if params else reason))


# --- views -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestView:
    """A request as the follow-up screens show it, with its clocks read at ``as_of``.

    Times are aware UTC. ``claimed_by_*`` name the last holder even when the claim expired;
    ``claim_active`` says whether it still holds at ``as_of``. ``unit_clock`` is None before the
    first referral; ``response_clock`` is the "until a unit has it" target.
    """

    id: uuid.UUID
    center_id: uuid.UUID
    tracking_code: str
    status: str
    kind: str
    priority: int
    escalation_level: int
    category_id: uuid.UUID
    category_code: str
    category_name_fa: str
    category_name_en: str
    emergency: bool
    unit_id: uuid.UUID | None
    unit_name_fa: str
    unit_name_en: str
    district_id: uuid.UUID | None
    district_name_fa: str
    district_name_en: str
    subscriber_id: uuid.UUID | None
    phone: str | None
    caller_name: str
    address: str
    description: str
    opened_at: datetime
    referred_at: datetime | None
    response_due_at: datetime | None
    resolution_due_at: datetime | None
    unit_due_at: datetime | None
    responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    paused_at: datetime | None
    paused_seconds: int
    parent_id: uuid.UUID | None
    duplicate_of_id: uuid.UUID | None
    claimed_by_id: uuid.UUID | None
    claimed_by_name: str
    claimed_until: datetime | None
    claim_active: bool
    version: int
    updated_at: datetime
    citizen_clock: sla.ClockView
    unit_clock: sla.ClockView | None
    response_clock: sla.ClockView | None
    as_of: datetime

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def overdue(self) -> bool:
        """A running clock (the citizen's or the unit's) has run out: what the queue's
        ``overdue`` filter selects. A clock that stopped late is late, not overdue."""
        return any(
            clock is not None and clock.running and clock.overdue
            for clock in (self.citizen_clock, self.unit_clock)
        )


@dataclass(frozen=True)
class TimelineEventView(TicketEventView):
    """One step of the timeline, with its ``data`` (escalation level and clock, callback id,
    duplicate, parent...)."""

    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LinkedRequestView:
    """Another request this one points at or is pointed at by."""

    id: uuid.UUID
    tracking_code: str
    status: str
    kind: str


@dataclass(frozen=True)
class CallbackSummary:
    """A feedback callback made for this request."""

    id: uuid.UUID
    status: str
    reason: str
    phone: str
    script: str
    due_at: datetime
    attempts: int


@dataclass(frozen=True)
class RequestDetail:
    """Everything about one request. ``events`` is the whole timeline, oldest first.

    ``contacts`` counts the calls on this request and on every request cancelled as its
    duplicate. ``children`` lists at most MAX_CHILDREN_SHOWN (``children_count`` has them all).
    ``actions`` are the actions the table allows from the current status and the actor may take.
    """

    request: RequestView
    events: tuple[TimelineEventView, ...]
    contacts: int
    parent: LinkedRequestView | None
    children: tuple[LinkedRequestView, ...]
    children_count: int
    duplicate_of: LinkedRequestView | None
    duplicates: tuple[LinkedRequestView, ...]
    callbacks: tuple[CallbackSummary, ...]
    actions: tuple[str, ...]


@dataclass(frozen=True, order=True)
class QueueCursor:
    """Where a queue page ended: the last row's (resolution_due_at, id). Rows with no due date
    come after every dated row."""

    due: datetime | None
    id: uuid.UUID

    def key(self) -> tuple[bool, datetime, uuid.UUID]:
        return (self.due is None, self.due or _MIN_TIME, self.id)


_MIN_TIME = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue, most urgent first, and the counts per open status under the same
    filters (except the status filter). ``next_cursor`` is None on the last page."""

    rows: tuple[RequestView, ...]
    next_cursor: QueueCursor | None
    counts_by_status: Mapping[str, int]


@dataclass(frozen=True)
class EscalationView:
    """One automatic escalation made by :func:`sla_tick`."""

    ticket_id: uuid.UUID
    tracking_code: str
    center_id: uuid.UUID
    unit_id: uuid.UUID | None
    from_level: int
    to_level: int
    clock: str
    minutes_late: int


@dataclass(frozen=True)
class TickReport:
    """What one :func:`sla_tick` did."""

    escalated: tuple[EscalationView, ...]
    expired_claims: int
    now: datetime


@dataclass(frozen=True)
class FollowupSettings:
    """A center's follow-up settings: claim length (``followup.claim_minutes``) and SLA."""

    claim_minutes: int = DEFAULT_CLAIM_MINUTES
    sla: SlaSettings = DEFAULT_SLA_SETTINGS


def load_followup_settings(session: Session, center_id: uuid.UUID) -> FollowupSettings:
    """The center's settings from CenterSetting rows; defaults where unset or malformed."""
    values = sla.load_center_settings(
        session,
        center_id,
        (
            SETTING_CLAIM_MINUTES,
            sla.SETTING_WARNING_SHARE,
            sla.SETTING_ESCALATION_AFTER,
            sla.SETTING_ESCALATING_CLOCKS,
        ),
    )
    minutes = values.get(SETTING_CLAIM_MINUTES)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 24 * 60:
        minutes = DEFAULT_CLAIM_MINUTES
    return FollowupSettings(claim_minutes=minutes, sla=sla.sla_settings_from(values))


# --- helpers ---------------------------------------------------------------------------------


def _aware_now(now: datetime | None) -> datetime:
    if now is None:
        return utcnow()
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


def _plain(session: Session, column: Any) -> Any:
    """``column`` kept out of SQLite's index choice (see db.intake._center_is): without
    statistics SQLite may prefer a center or category index to the queue's ordered index."""
    if session.get_bind().dialect.name == "sqlite":
        return sa.literal_column(f"+{column.table.name}.{column.name}", type_=column.type)
    return column


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _fresh(session: Session, ticket_id: uuid.UUID) -> Ticket | None:
    """The ticket as the database has it now (not as this session last saw it)."""
    return session.exec(
        select(Ticket).where(Ticket.id == ticket_id).execution_options(populate_existing=True)
    ).first()


def _uuid(value: Any, what: str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise FollowupError("not_found", what=what, id=str(value)) from None


def _ticket(
    session: Session, ticket_id: Any, actor: AgentView | None, what: str = "ticket"
) -> Ticket:
    ticket = _fresh(session, _uuid(ticket_id, what))
    if ticket is None or (actor is not None and ticket.center_id != actor.center_id):
        raise FollowupError("not_found", what=what, id=str(ticket_id))
    return ticket


def _names(session: Session, model: Any, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, Any]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    # populate_existing: a guarded update earlier in this session left its objects stale.
    stmt = select(model).where(col(model.id).in_(wanted)).execution_options(populate_existing=True)
    return {row.id: row for row in session.exec(stmt)}


def _json_safe(key: str, value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_json_safe(key, v) for v in value]
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        raise FollowupError("bad_data", key=key) from None
    return value


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


def _roles_for(action: str) -> tuple[Role, ...]:
    return ACTION_ROLES.get(action, FOLLOWUP_ROLES)


def allowed_actions(status: str, actor: AgentView | None) -> tuple[str, ...]:
    """The actions the table allows from ``status`` that ``actor`` may take, in table order."""
    seen: dict[str, None] = {}
    for (from_status, action), _to in TRANSITIONS.items():
        if from_status == status and (actor is None or actor.has_role(*_roles_for(action))):
            seen[str(action)] = None
    return tuple(seen)


def _latest_event(
    session: Session, ticket_id: uuid.UUID, *, action: str | None = None
) -> TicketEvent | None:
    stmt = select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)
    if action is not None:
        stmt = stmt.where(TicketEvent.action == action)
    else:
        stmt = stmt.where(col(TicketEvent.action).not_in(sorted(LOG_ONLY_ACTIONS)))
    stmt = stmt.order_by(col(TicketEvent.at).desc(), col(TicketEvent.id).desc()).limit(1)
    return session.exec(stmt).first()


def _stale(session: Session, ticket_id: uuid.UUID) -> FollowupError:
    ticket = _fresh(session, ticket_id)
    event = _latest_event(session, ticket_id)
    agent = session.get(Agent, event.actor_id) if event and event.actor_id else None
    return FollowupError(
        "stale",
        "another agent changed this request first",
        changed_by=agent.full_name if agent else "",
        changed_by_id=agent.id if agent else None,
        changed_at=event.at if event else None,
        action=event.action if event else None,
        version=ticket.version if ticket else None,
    )


def _write(
    session: Session,
    ticket_id: uuid.UUID,
    *,
    version: int,
    values: dict[str, Any],
    event: TicketEvent,
) -> bool:
    """The guarded write: the new state only if nobody changed the ticket since ``version``
    was read, plus its event. False (and nothing written) when somebody did."""
    result = session.execute(
        sa.update(_T)
        .where(_c.id == ticket_id, _c.version == version)
        .values(version=version + 1, **values)
    )
    if result.rowcount != 1:
        return False
    session.add(event)
    session.flush()
    return True


def _end_pause(ticket: Ticket, at: datetime) -> dict[str, Any]:
    if ticket.paused_at is None:
        return {}
    seconds = max(0, int((at - ticket.paused_at).total_seconds()))
    return {"paused_at": None, "paused_seconds": ticket.paused_seconds + seconds}


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


def _survivor(session: Session, ticket: Ticket, duplicate_of: Any) -> Ticket:
    """The request a duplicate merges into: the one named, or the one it was merged into."""
    if duplicate_of is None:
        raise FollowupError("duplicate_of_required")
    survivor = _fresh(session, _uuid(duplicate_of, "duplicate_of"))
    if survivor is None or survivor.center_id != ticket.center_id:
        raise FollowupError("not_found", what="duplicate_of", id=str(duplicate_of))
    seen: set[uuid.UUID] = set()
    while survivor.status == _S.CANCELLED and survivor.id not in seen:
        seen.add(survivor.id)
        if survivor.duplicate_of_id is None:
            raise FollowupError("duplicate_of_invalid", tracking_code=survivor.tracking_code)
        following = _fresh(session, survivor.duplicate_of_id)
        assert following is not None  # a foreign key
        survivor = following
    if survivor.id == ticket.id:
        raise FollowupError("duplicate_of_self")
    return survivor


def _duplicate_tree(session: Session, root_id: uuid.UUID) -> list[uuid.UUID]:
    """``root_id`` and every request cancelled as its duplicate, directly or through another."""
    found = [root_id]
    frontier = [root_id]
    while frontier and len(found) < 10_000:
        rows = session.exec(
            select(Ticket.id).where(col(Ticket.duplicate_of_id).in_(frontier))
        ).all()
        frontier = [r for r in rows if r not in found]
        found.extend(frontier)
    return found


def _count_calls(session: Session, ticket_ids: list[uuid.UUID]) -> int:
    return session.exec(
        select(sa.func.count()).select_from(Call).where(col(Call.ticket_id).in_(ticket_ids))
    ).one()


def _parent(session: Session, ticket: Ticket, parent_id: Any) -> Ticket:
    if parent_id is None:
        raise FollowupError("parent_required")
    parent = _fresh(session, _uuid(parent_id, "parent"))
    if parent is None or parent.center_id != ticket.center_id:
        raise FollowupError("not_found", what="parent", id=str(parent_id))
    if parent.id == ticket.id:
        raise FollowupError("parent_self")
    if parent.status not in OPEN_STATUSES:
        raise FollowupError("parent_closed", tracking_code=parent.tracking_code)
    if ticket.parent_id == parent.id:
        raise FollowupError("already_linked")
    ancestor, hops = parent, 0
    while ancestor.parent_id is not None and hops < 1000:
        if ancestor.parent_id == ticket.id:
            raise FollowupError("parent_cycle")
        following = _fresh(session, ancestor.parent_id)
        assert following is not None
        ancestor, hops = following, hops + 1
    return parent


def _event(
    ticket: Ticket,
    actor: AgentView | None,
    *,
    at: datetime,
    action: str,
    to_status: str,
    unit_id: uuid.UUID | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    return TicketEvent(
        center_id=ticket.center_id,
        ticket_id=ticket.id,
        at=at,
        actor_id=actor.id if actor else None,
        action=str(action),
        from_status=ticket.status,
        to_status=str(to_status),
        unit_id=unit_id,
        note=note,
        data=data or {},
    )


# --- the state machine -----------------------------------------------------------------------


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
    fresh = _fresh(session, ticket.id)
    assert fresh is not None
    return _views(session, [fresh], at)[0]


def _close_children(
    session: Session,
    parent: Ticket,
    actor: AgentView | None,
    *,
    at: datetime,
    note: str,
    via: Any,
    depth: int = 0,
) -> None:
    """Close the open children of a closed parent (and theirs), one event each."""
    if depth > 20:
        return
    children = session.exec(
        select(Ticket)
        .where(Ticket.parent_id == parent.id, col(Ticket.status).in_(_OPEN))
        .order_by(col(Ticket.id))
        .execution_options(populate_existing=True)
    ).all()
    for child in children:
        current: Ticket | None = child
        for _attempt in range(5):
            if current is None or current.status not in OPEN_STATUSES:
                break
            when = max(at, current.updated_at)
            values = {
                "status": _S.CLOSED.value,
                "closed_at": when,
                # The parent's result is the child's too.
                "resolved_at": current.resolved_at or parent.resolved_at or when,
                "updated_at": when,
                "claimed_by_id": None,
                "claimed_until": None,
                **_end_pause(current, when),
            }
            data = {
                "via": "parent",
                "parent_id": str(parent.id),
                "parent_code": parent.tracking_code,
            }
            if via is not None:
                data["parent_via"] = _json_safe("via", via)
            event = _event(
                current, actor, at=when, action=Action.CLOSED, to_status=_S.CLOSED, note=note,
                data=data,
            )  # fmt: skip
            if _write(session, current.id, version=current.version, values=values, event=event):
                break
            current = _fresh(session, child.id)
        _close_children(session, child, actor, at=at, note=note, via=via, depth=depth + 1)


# --- views -----------------------------------------------------------------------------------


def _views(session: Session, tickets: list[Ticket], now: datetime) -> list[RequestView]:
    """Views of ``tickets`` with names and clocks, in a handful of queries for any number."""
    if not tickets:
        return []
    categories = _names(session, Category, (t.category_id for t in tickets))
    units = _names(session, Unit, (t.unit_id for t in tickets))
    districts = _names(session, District, (t.district_id for t in tickets))
    agents = _names(session, Agent, (t.claimed_by_id for t in tickets))
    calendars = sla.load_calendars(session, {c.calendar_id for c in categories.values()})
    settings = {
        center: load_followup_settings(session, center).sla
        for center in {t.center_id for t in tickets}
    }
    views = []
    for t in tickets:
        category = categories[t.category_id]
        calendar = calendars[category.calendar_id]
        conf = settings[t.center_id]
        unit = units.get(t.unit_id) if t.unit_id else None
        district = districts.get(t.district_id) if t.district_id else None
        agent = agents.get(t.claimed_by_id) if t.claimed_by_id else None
        clocks = {
            name: sla.clock_state(t, calendar, now, conf, clock=name, target_minutes=minutes)
            for name, minutes in (
                (sla.ClockName.CITIZEN, category.resolution_minutes),
                (sla.ClockName.UNIT, category.resolution_minutes),
                (sla.ClockName.RESPONSE, category.response_minutes),
            )
        }
        citizen = clocks[sla.ClockName.CITIZEN]
        assert citizen is not None
        views.append(
            RequestView(
                id=t.id,
                center_id=t.center_id,
                tracking_code=t.tracking_code,
                status=t.status,
                kind=t.kind,
                priority=t.priority,
                escalation_level=t.escalation_level,
                category_id=t.category_id,
                category_code=category.code,
                category_name_fa=category.name_fa,
                category_name_en=category.name_en,
                emergency=category.emergency,
                unit_id=t.unit_id,
                unit_name_fa=unit.name_fa if unit else "",
                unit_name_en=unit.name_en if unit else "",
                district_id=t.district_id,
                district_name_fa=district.name_fa if district else "",
                district_name_en=district.name_en if district else "",
                subscriber_id=t.subscriber_id,
                phone=t.phone,
                caller_name=t.caller_name,
                address=t.address,
                description=t.description,
                opened_at=t.opened_at,
                referred_at=t.referred_at,
                response_due_at=t.response_due_at,
                resolution_due_at=t.resolution_due_at,
                unit_due_at=t.unit_due_at,
                responded_at=t.responded_at,
                resolved_at=t.resolved_at,
                closed_at=t.closed_at,
                paused_at=t.paused_at,
                paused_seconds=t.paused_seconds,
                parent_id=t.parent_id,
                duplicate_of_id=t.duplicate_of_id,
                claimed_by_id=t.claimed_by_id,
                claimed_by_name=agent.full_name if agent else "",
                claimed_until=t.claimed_until,
                claim_active=t.claimed_by_id is not None
                and t.claimed_until is not None
                and t.claimed_until >= now,
                version=t.version,
                updated_at=t.updated_at,
                citizen_clock=citizen,
                unit_clock=clocks[sla.ClockName.UNIT],
                response_clock=clocks[sla.ClockName.RESPONSE],
                as_of=now,
            )
        )
    return views


def _linked(ticket: Ticket) -> LinkedRequestView:
    return LinkedRequestView(
        id=ticket.id, tracking_code=ticket.tracking_code, status=ticket.status, kind=ticket.kind
    )


def request_detail(
    session: Session, *, actor: AgentView | None, ticket_id: uuid.UUID, now: datetime | None = None
) -> RequestDetail:
    """One request with its whole timeline, links, callbacks and the actions open to the actor.

    Errors: not_found.
    """
    require(actor, *READ_ROLES, action="read requests")
    now = _aware_now(now)
    ticket = _ticket(session, ticket_id, actor)
    view = _views(session, [ticket], now)[0]
    events = session.exec(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id)
        .order_by(col(TicketEvent.at), col(TicketEvent.id))
    ).all()
    agents = _names(session, Agent, (e.actor_id for e in events))
    units = _names(session, Unit, (e.unit_id for e in events))

    def unit_name(unit_id: uuid.UUID | None, attr: str) -> str:
        unit = units.get(unit_id) if unit_id else None
        return getattr(unit, attr) if unit else ""

    timeline = tuple(
        TimelineEventView(
            id=e.id,
            at=e.at,
            actor_id=e.actor_id,
            actor_name=agents[e.actor_id].full_name if e.actor_id in agents else "",
            action=e.action,
            from_status=e.from_status,
            to_status=e.to_status,
            unit_id=e.unit_id,
            unit_name_fa=unit_name(e.unit_id, "name_fa"),
            unit_name_en=unit_name(e.unit_id, "name_en"),
            note=e.note,
            data=dict(e.data or {}),
        )
        for e in events
    )
    tree = _duplicate_tree(session, ticket.id)
    duplicates = _names(session, Ticket, tree[1:])
    children_count = session.exec(
        select(sa.func.count()).select_from(Ticket).where(Ticket.parent_id == ticket.id)
    ).one()
    children = session.exec(
        select(Ticket)
        .where(Ticket.parent_id == ticket.id)
        .order_by(col(Ticket.id))
        .limit(MAX_CHILDREN_SHOWN)
    ).all()
    parent = _fresh(session, ticket.parent_id) if ticket.parent_id else None
    survivor = _fresh(session, ticket.duplicate_of_id) if ticket.duplicate_of_id else None
    callbacks = session.exec(
        select(Callback).where(Callback.ticket_id == ticket.id).order_by(col(Callback.created_at))
    ).all()
    return RequestDetail(
        request=view,
        events=timeline,
        contacts=_count_calls(session, tree),
        parent=_linked(parent) if parent else None,
        children=tuple(_linked(c) for c in children),
        children_count=children_count,
        duplicate_of=_linked(survivor) if survivor else None,
        duplicates=tuple(_linked(duplicates[i]) for i in tree[1:] if i in duplicates),
        callbacks=tuple(
            CallbackSummary(
                id=cb.id,
                status=cb.status,
                reason=cb.reason,
                phone=cb.phone,
                script=cb.script,
                due_at=cb.due_at,
                attempts=cb.attempts,
            )
            for cb in callbacks
        ),
        actions=allowed_actions(ticket.status, actor),
    )


# --- the queue -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Filter:
    unit_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None
    district_id: uuid.UUID | None = None
    statuses: tuple[str, ...] = QUEUE_STATUSES
    escalation: int | None = None
    overdue: bool = False
    mine: bool = False


def _statuses(status: str | Iterable[str] | None) -> tuple[str, ...]:
    if status is None:
        return QUEUE_STATUSES
    wanted = [status] if isinstance(status, str) else list(status)
    known = {s.value for s in TicketStatus}
    for s in wanted:
        if s not in known:
            raise FollowupError("unknown_status", status=str(s))
    return tuple(dict.fromkeys(str(s) for s in wanted))


def _overdue_clause(now: datetime) -> Any:
    """A running (unpaused, unstopped) citizen's or unit's clock whose due instant has come."""
    unit_running = sa.or_(_c.resolved_at.is_(None), _c.resolved_at < _c.referred_at)
    return sa.and_(
        _c.paused_at.is_(None),
        _c.closed_at.is_(None),
        sa.or_(
            sa.and_(_c.resolution_due_at <= now, _c.resolved_at.is_(None)),
            sa.and_(_c.unit_due_at <= now, _c.referred_at.is_not(None), unit_running),
        ),
    )


def _where(
    session: Session,
    center_id: uuid.UUID | None,
    f: _Filter,
    actor: AgentView | None,
    now: datetime,
    *,
    unclaimed: bool = False,
) -> list[Any]:
    where: list[Any] = []
    if center_id is not None:
        where.append(_plain(session, _c.center_id) == center_id)
    if f.unit_id is not None:
        where.append(_c.unit_id == f.unit_id)  # the unit's queue index leads with it
    if f.category_id is not None:
        where.append(_plain(session, _c.category_id) == f.category_id)
    if f.district_id is not None:
        where.append(_plain(session, _c.district_id) == f.district_id)
    if f.escalation is not None:
        where.append(_c.escalation_level >= f.escalation)
    if f.mine and actor is not None:
        where.append(_plain(session, _c.claimed_by_id) == actor.id)
        where.append(_c.claimed_until >= now)
    if f.overdue:
        where.append(_overdue_clause(now))
    if unclaimed:
        where.append(sa.or_(_c.claimed_by_id.is_(None), _c.claimed_until < now))
    return where


def _status_keys(
    session: Session, status: str, where: list[Any], after: QueueCursor | None, n: int
) -> list[QueueCursor]:
    """The first ``n`` queue keys of one status after ``after``, by (resolution_due_at, id),
    undated rows last: each an ordered range of the (unit,) status, due, id index."""
    keys: list[QueueCursor] = []
    if after is None or after.due is not None:
        cond = [_c.status == status, _c.resolution_due_at.is_not(None), *where]
        if after is not None:
            cond.append(
                sa.tuple_(_c.resolution_due_at, _c.id)
                > sa.tuple_(
                    sa.literal(after.due, type_=_c.resolution_due_at.type),
                    sa.literal(after.id, type_=_c.id.type),
                )
            )
        rows = session.execute(
            sa.select(_c.resolution_due_at, _c.id)
            .where(*cond)
            .order_by(_c.resolution_due_at, _c.id)
            .limit(n)
        ).all()
        keys.extend(QueueCursor(due, id_) for due, id_ in rows)
    if len(keys) < n:
        cond = [_c.status == status, _c.resolution_due_at.is_(None), *where]
        if after is not None and after.due is None:
            cond.append(_c.id > after.id)
        # Ordered by the (all NULL) due date too, so the order is the index's own.
        rows = session.execute(
            sa.select(_c.id).where(*cond).order_by(_c.resolution_due_at, _c.id).limit(n - len(keys))
        ).all()
        keys.extend(QueueCursor(None, id_) for (id_,) in rows)
    return keys


def _merged_keys(
    session: Session,
    f: _Filter,
    where: list[Any],
    after: QueueCursor | None,
    n: int,
) -> list[QueueCursor]:
    """Up to ``n`` keys per status, merged into one queue order (most urgent first)."""
    keys = [k for status in f.statuses for k in _status_keys(session, status, where, after, n)]
    keys.sort(key=QueueCursor.key)
    return keys


def _filter(
    unit_id: uuid.UUID | None,
    category_id: uuid.UUID | None,
    district_id: uuid.UUID | None,
    status: str | Iterable[str] | None,
    escalation: int | None,
    overdue: bool,
    mine: bool,
) -> _Filter:
    return _Filter(
        unit_id=unit_id,
        category_id=category_id,
        district_id=district_id,
        statuses=_statuses(status),
        escalation=escalation,
        overdue=overdue,
        mine=mine,
    )


def list_queue(
    session: Session,
    *,
    actor: AgentView | None,
    unit_id: uuid.UUID | None = None,
    category_id: uuid.UUID | None = None,
    district_id: uuid.UUID | None = None,
    status: str | Iterable[str] | None = None,
    escalation: int | None = None,
    overdue: bool = False,
    mine: bool = False,
    after: QueueCursor | None = None,
    limit: int = 50,
    now: datetime | None = None,
) -> QueuePage:
    """A page of the follow-up queue of the actor's center, most urgent citizen's clock first
    (resolution_due_at, id), after the keyset cursor ``after``.

    Filters: ``unit_id``, ``category_id``, ``district_id``; ``status`` (one or several; default
    QUEUE_STATUSES, the statuses that need the follow-up agent); ``escalation`` (at least this
    level); ``overdue`` (a running clock has run out); ``mine`` (claimed by the actor, claim
    active). Each status is read as an ordered range of ix_tickets_status_due (or
    ix_tickets_unit_status_due with a unit) and the ranges merged, so a page costs the same
    with a hundred or a million requests; no OFFSET. ``counts_by_status`` counts every open
    status under the other filters. Errors: unknown_status.
    """
    require(actor, *READ_ROLES, action="read the follow-up queue")
    now = _aware_now(now)
    limit = max(1, min(limit, 500))
    f = _filter(unit_id, category_id, district_id, status, escalation, overdue, mine)
    center = actor.center_id if actor is not None else None
    where = _where(session, center, f, actor, now)
    keys = _merged_keys(session, f, where, after, limit + 1)
    page = keys[:limit]
    rows = _names(session, Ticket, (k.id for k in page))
    views = _views(session, [rows[k.id] for k in page if k.id in rows], now)
    counts = dict.fromkeys(_OPEN, 0)
    for status_, count in session.execute(
        sa.select(_c.status, sa.func.count())
        .where(_c.status.in_(_OPEN), *where)
        .group_by(_c.status)
    ).all():
        counts[status_] = count
    return QueuePage(
        rows=tuple(views),
        next_cursor=page[-1] if len(keys) > limit else None,
        counts_by_status=counts,
    )


# --- claims ----------------------------------------------------------------------------------


def _claim_holder(session: Session, ticket_id: uuid.UUID) -> FollowupError:
    ticket = _fresh(session, ticket_id)
    assert ticket is not None
    if ticket.status not in OPEN_STATUSES:
        return FollowupError("not_open", status=ticket.status)
    agent = session.get(Agent, ticket.claimed_by_id) if ticket.claimed_by_id else None
    return FollowupError(
        "claimed",
        "another agent holds this request",
        by=agent.full_name if agent else "",
        by_id=ticket.claimed_by_id,
        until=ticket.claimed_until,
    )


def _take(
    session: Session,
    ticket_id: uuid.UUID,
    me: uuid.UUID,
    until: datetime,
    now: datetime,
    statuses: Iterable[str] = _OPEN,
) -> bool:
    """The guarded claim: only an open request nobody else holds (or whose claim expired)."""
    open_ = [s for s in statuses if s in OPEN_STATUSES]
    result = session.execute(
        sa.update(_T)
        .where(
            _c.id == ticket_id,
            _c.status.in_(open_),
            sa.or_(_c.claimed_by_id.is_(None), _c.claimed_by_id == me, _c.claimed_until < now),
        )
        .values(claimed_by_id=me, claimed_until=until)
    )
    return result.rowcount == 1


def _require_person(actor: AgentView | None) -> AgentView:
    if actor is None:
        raise PermissionDenied("permission_denied", "claims need a signed-in agent", action="claim")
    require(actor, *FOLLOWUP_ROLES, action="claim requests")
    return actor


def claim(
    session: Session, *, actor: AgentView, ticket_id: uuid.UUID, now: datetime | None = None
) -> RequestView:
    """Hold a chosen request for ``followup.claim_minutes`` (claiming it again extends it).

    A claim is not a change of the request: no event, no new version. Errors: not_found,
    not_open (status), claimed (by, by_id, until) when another agent holds it.
    """
    agent = _require_person(actor)
    now = _aware_now(now)
    ticket = _ticket(session, ticket_id, agent)
    if ticket.status not in OPEN_STATUSES:
        raise FollowupError("not_open", status=ticket.status)
    minutes = load_followup_settings(session, ticket.center_id).claim_minutes
    if not _take(session, ticket.id, agent.id, now + timedelta(minutes=minutes), now):
        raise _claim_holder(session, ticket.id)
    fresh = _fresh(session, ticket.id)
    assert fresh is not None
    return _views(session, [fresh], now)[0]


def claim_next(
    session: Session,
    *,
    actor: AgentView,
    unit_id: uuid.UUID | None = None,
    category_id: uuid.UUID | None = None,
    district_id: uuid.UUID | None = None,
    status: str | Iterable[str] | None = None,
    escalation: int | None = None,
    overdue: bool = False,
    now: datetime | None = None,
) -> RequestView | None:
    """Hold the most urgent request of the queue (same filters as :func:`list_queue`) that
    nobody holds, or None when there is none.

    Candidates are read in queue order; on PostgreSQL each is locked with ``FOR UPDATE SKIP
    LOCKED`` (a request another agent is claiming right now is skipped, not waited for), then
    taken with the same guarded update SQLite uses alone (its writers are serialised).
    """
    agent = _require_person(actor)
    now = _aware_now(now)
    f = _filter(unit_id, category_id, district_id, status, escalation, overdue, False)
    where = _where(session, agent.center_id, f, agent, now, unclaimed=True)
    minutes = load_followup_settings(session, agent.center_id).claim_minutes
    until = now + timedelta(minutes=minutes)
    postgres = _is_postgres(session)
    after: QueueCursor | None = None
    while True:
        keys = _merged_keys(session, f, where, after, 10)
        if not keys:
            return None
        for key in keys[:10]:
            if postgres:
                locked = session.execute(
                    sa.select(_c.id)
                    .where(
                        _c.id == key.id,
                        _c.status.in_(f.statuses),
                        sa.or_(_c.claimed_by_id.is_(None), _c.claimed_until < now),
                    )
                    .with_for_update(skip_locked=True)
                ).first()
                if locked is None:
                    continue
            if _take(session, key.id, agent.id, until, now, f.statuses):
                fresh = _fresh(session, key.id)
                assert fresh is not None
                return _views(session, [fresh], now)[0]
        after = keys[min(len(keys), 10) - 1]


def release(session: Session, *, actor: AgentView, ticket_id: uuid.UUID) -> bool:
    """Give a request back. Only its holder may, or a supervisor. True if a claim was dropped.

    Errors: not_found.
    """
    agent = _require_person(actor)
    ticket = _ticket(session, ticket_id, agent)
    cond = [_c.id == ticket.id, _c.claimed_by_id.is_not(None)]
    if not agent.has_role(Role.SUPERVISOR):
        cond.append(_c.claimed_by_id == agent.id)
    result = session.execute(
        sa.update(_T).where(*cond).values(claimed_by_id=None, claimed_until=None)
    )
    return result.rowcount == 1


# --- the SLA tick ----------------------------------------------------------------------------


def sla_tick(
    session: Session, *, now: datetime | None = None, center_id: uuid.UUID | None = None
) -> TickReport:
    """Escalate every request whose running clock ran out, and drop expired claims.

    For each open request with a running, unpaused clock past due (the clocks listed in the
    center's ``sla.escalating_clocks``), the level it calls for is the highest whose
    ``sla.escalation_after`` share of the target it is late by; a request below that level
    climbs to it one "escalated" event per level (actor: the system; data: level, from_level,
    clock, minutes_late, auto). Nothing ever lowers a level. Running it again at the same
    ``now`` changes nothing: the levels are reached and the claims gone. A request an agent
    changes meanwhile is left for the next tick (the guarded update refuses it).
    """
    now = _aware_now(now)
    claim_cond = [_c.claimed_by_id.is_not(None), _c.claimed_until < now]
    if center_id is not None:
        claim_cond.append(_plain(session, _c.center_id) == center_id)
    expired = session.execute(
        sa.update(_T).where(*claim_cond).values(claimed_by_id=None, claimed_until=None)
    ).rowcount

    cond = [
        _c.status.in_(RUNNING_STATUSES),
        _c.paused_at.is_(None),
        _c.escalation_level < MAX_LEVEL,
        sa.or_(
            _c.resolution_due_at <= now,
            _c.unit_due_at <= now,
            sa.and_(_c.response_due_at <= now, _c.responded_at.is_(None)),
        ),
    ]
    if center_id is not None:
        cond.append(_plain(session, _c.center_id) == center_id)
    tickets = sorted(
        session.exec(select(Ticket).where(*cond).execution_options(populate_existing=True)).all(),
        key=lambda t: t.id,
    )
    categories = _names(session, Category, (t.category_id for t in tickets))
    calendars = sla.load_calendars(session, {c.calendar_id for c in categories.values()})
    settings: dict[uuid.UUID, sla.SlaSettings] = {}
    escalated: list[EscalationView] = []
    for ticket in tickets:
        if ticket.center_id not in settings:
            settings[ticket.center_id] = load_followup_settings(session, ticket.center_id).sla
        conf = settings[ticket.center_id]
        category = categories[ticket.category_id]
        calendar = calendars[category.calendar_id]
        targets = {
            sla.ClockName.CITIZEN: category.resolution_minutes,
            sla.ClockName.UNIT: category.resolution_minutes,
            sla.ClockName.RESPONSE: category.response_minutes,
        }
        reached: list[tuple[int, float, str, int]] = []
        for name in conf.escalating_clocks:
            view = sla.clock_state(
                ticket, calendar, now, conf, clock=name, target_minutes=targets[name]
            )
            level = sla.escalation_level_reached(view, conf)
            if view is not None and level:
                reached.append((level, view.share_left or 0.0, name, -(view.minutes_left or 0)))
        if not reached:
            continue
        version = ticket.version
        start = ticket.escalation_level
        top = max(r[0] for r in reached)
        at = max(now, ticket.updated_at)
        for level in range(start + 1, top + 1):
            # The clock that called for this level; the latest of them when several did.
            _lvl, _share, clock, late = min(
                (r for r in reached if r[0] >= level), key=lambda r: (r[1], r[2])
            )
            event = _event(
                ticket, None, at=at, action=Action.ESCALATED, to_status=ticket.status,
                data={"level": level, "from_level": level - 1, "clock": clock,
                      "minutes_late": late, "auto": True},
            )  # fmt: skip
            values = {"escalation_level": level, "updated_at": at}
            if not _write(session, ticket.id, version=version, values=values, event=event):
                break
            version += 1
            escalated.append(
                EscalationView(
                    ticket_id=ticket.id,
                    tracking_code=ticket.tracking_code,
                    center_id=ticket.center_id,
                    unit_id=ticket.unit_id,
                    from_level=level - 1,
                    to_level=level,
                    clock=clock,
                    minutes_late=late,
                )
            )
    return TickReport(escalated=tuple(escalated), expired_claims=expired, now=now)
