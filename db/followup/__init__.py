"""Follow-up (unit b): the life of a request after intake, its clocks, queue and escalation.

The lifecycle of DOMAIN.md is the table :data:`TRANSITIONS` of allowed ``(status, action) ->
status``; :func:`transition` is the only way a request changes. One call checks the actor's
permission, the request's version (a stale edit is refused with who changed it and when), the
table (an illegal move changes nothing), then writes one :class:`TicketEvent` and the ticket's
new state in the caller's transaction, with a guarded ``UPDATE ... WHERE id = :id AND version =
:expected`` so two concurrent edits can never both win, on SQLite or PostgreSQL.

Closing a parent closes its open children too, whatever their step, one "closed" event each
(``data.via = "parent"``). ``reopened`` returns to ``referred`` when the request has a unit
(given or its own), else to ``registered``, and makes it a complaint.

Versions: every event but the log-only ones (:data:`LOG_ONLY_ACTIONS`: "caller_called_again"
of intake, "duplicate_merged" and "unit_called" here) raises the ticket's version by one, so a
request's version is always the number of its state-changing events, "registered" included.

Clocks: see :mod:`db.sla` (the citizen's, the unit's and the response clock). Claims: see
:mod:`db.followup.claims`. Errors are :class:`FollowupError` with a stable ``reason`` and
``params`` the console translates; missing roles raise :class:`db.accounts.PermissionDenied`.

The package's modules, each importable on its own; this module re-exports the public names so
callers keep writing ``from db.followup import ...``:

- :mod:`~db.followup.errors`: FollowupError.
- :mod:`~db.followup.states`: actions, the transitions table (drawn there), roles per action.
- :mod:`~db.followup.settings`: a center's claim length and SLA settings.
- :mod:`~db.followup.records`: shared reading, the guarded write, events.
- :mod:`~db.followup.views`: RequestView and the other returned values, and their building.
- :mod:`~db.followup.links`: duplicates and parents.
- :mod:`~db.followup.transitions`: transition and its side effects.
- :mod:`~db.followup.queue`: list_queue and request_detail.
- :mod:`~db.followup.claims`: claim, claim_next, release.
- :mod:`~db.followup.escalation`: sla_tick.
- :mod:`~db.followup.chase`: the chase board and calls logged to units.
- :mod:`~db.followup.lookups`: units to refer to, a request by its tracking code.
"""

from db.followup.chase import (
    UNIT_CALLED,
    ChaseBoard,
    ChaseGroup,
    ChaseItem,
    UnitCallView,
    chase_board,
    log_unit_call,
)
from db.followup.claims import claim, claim_next, release
from db.followup.errors import FollowupError
from db.followup.escalation import sla_tick
from db.followup.lookups import UnitChoiceView, find_request_by_code, list_units
from db.followup.queue import list_queue, request_detail
from db.followup.settings import (
    DEFAULT_CLAIM_MINUTES,
    SETTING_CLAIM_MINUTES,
    FollowupSettings,
    load_followup_settings,
)
from db.followup.states import (  # noqa: F401 (MAX_*: outside __all__, as before)
    ACTION_ROLES,
    CANCEL_REASONS,
    FOLLOWUP_ROLES,
    LOG_ONLY_ACTIONS,
    MAX_CHILDREN_SHOWN,
    MAX_LEVEL,
    MAX_NOTE,
    PREVIOUS,
    QUEUE_STATUSES,
    READ_ROLES,
    REFERRED_OR_REGISTERED,
    RUNNING_STATUSES,
    SAME,
    TRANSITIONS,
    Action,
    allowed_actions,
)
from db.followup.transitions import transition
from db.followup.views import (
    CallbackSummary,
    EscalationView,
    LinkedRequestView,
    QueueCursor,
    QueuePage,
    RequestDetail,
    RequestView,
    TickReport,
    TimelineEventView,
)

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
    "UNIT_CALLED",
    "Action",
    "CallbackSummary",
    "ChaseBoard",
    "ChaseGroup",
    "ChaseItem",
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
    "UnitCallView",
    "UnitChoiceView",
    "allowed_actions",
    "chase_board",
    "claim",
    "claim_next",
    "find_request_by_code",
    "list_queue",
    "list_units",
    "load_followup_settings",
    "log_unit_call",
    "release",
    "request_detail",
    "sla_tick",
    "transition",
]
