"""The lifecycle of a request: actions, the transitions table and who may take each action.

Pure data and two small lookups, no database: :data:`TRANSITIONS` of allowed ``(status,
action) -> status`` (``same``: the status does not change; ``previous``: the status before the
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

Also the status groups the queue, claims and the SLA tick select by, and the rules on an
action's note and data that :func:`db.followup.transitions.transition` enforces.
"""

from collections.abc import Mapping
from enum import StrEnum

from db.accounts import AgentView
from db.models import OPEN_STATUSES, Role, TicketStatus

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
LOG_ONLY_ACTIONS = frozenset(
    {"caller_called_again", "duplicate_merged", "sync_conflict", "unit_called"}
)

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


def _roles_for(action: str) -> tuple[Role, ...]:
    return ACTION_ROLES.get(action, FOLLOWUP_ROLES)


def allowed_actions(status: str, actor: AgentView | None) -> tuple[str, ...]:
    """The actions the table allows from ``status`` that ``actor`` may take, in table order."""
    seen: dict[str, None] = {}
    for (from_status, action), _to in TRANSITIONS.items():
        if from_status == status and (actor is None or actor.has_role(*_roles_for(action))):
            seen[str(action)] = None
    return tuple(seen)
