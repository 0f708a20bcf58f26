"""Intake (unit a): who is calling, what about, and how the call ends.

The flow of one call (ARCHITECTURE.md): the agent keys what the caller gives (a phone, a code, a
name) -> :func:`lookup_caller` shows the caller card -> the agent picks a category
(:func:`find_categories`, :func:`recent_categories`) -> :func:`find_repeat` warns of a repeat
caller -> the call ends with one outcome: :func:`record_contact` (answered, transferred,
dropped), :func:`register_request`, :func:`link_to_incident` or :func:`link_to_request`.
:func:`find_request` answers "what happened to my request?". The half-typed call lives in a
draft (:func:`save_draft`), discarded in the same transaction as the saved outcome.

Every function checks the actor's permission, validates everything before writing anything, and
returns frozen views. A refused input raises :class:`IntakeError` with a stable ``field`` and
``reason`` the console translates. Writes join the caller's transaction (``db.engine.session``
commits it), so a request, its first event and its call land together or not at all.

The package is split by what the agent is doing; this module re-exports the public names so
callers keep importing from ``db.intake``:

- :mod:`db.intake.errors`: :class:`IntakeError` and the input checks every action shares;
- :mod:`db.intake.views`: the frozen views handed to the console;
- :mod:`db.intake.queries`: shared reads (a caller's open requests and calls, clocks);
- :mod:`db.intake.callers`: :func:`parse_caller_query` and the caller card;
- :mod:`db.intake.catalog`: categories, districts and canned answers;
- :mod:`db.intake.repeats`: :func:`find_repeat`;
- :mod:`db.intake.calls`: the outcomes of a call;
- :mod:`db.intake.requests`: :func:`find_request` and :data:`WHAT_TO_TELL`;
- :mod:`db.intake.drafts`: the half-typed call.
"""

from db.intake.callers import lookup_caller, parse_caller_query
from db.intake.calls import (
    CONTACT_OUTCOMES,
    link_to_incident,
    link_to_request,
    record_contact,
    register_request,
)
from db.intake.catalog import (
    find_canned_answers,
    find_categories,
    get_category,
    last_channel,
    list_districts,
    recent_categories,
)
from db.intake.drafts import MAX_DRAFT_CHARS as MAX_DRAFT_CHARS
from db.intake.drafts import discard_draft, load_draft, save_draft
from db.intake.errors import CALL_ROLES, IntakeError
from db.intake.errors import CLOCK_SKEW as CLOCK_SKEW
from db.intake.queries import (
    CLOSED_STATUSES,
    MAX_CONTACTS,
    MAX_OPEN_REQUESTS,
    MAX_SUBSCRIBERS,
)
from db.intake.repeats import REPEAT_WINDOW, find_repeat
from db.intake.requests import WHAT_TO_TELL, find_request
from db.intake.views import (
    CallerCard,
    CallerQuery,
    CannedAnswerView,
    ContactView,
    DistrictView,
    DraftView,
    IncidentCard,
    OpenRequestView,
    QueryKind,
    RegisteredView,
    RepeatView,
    RequestStatusView,
    SubscriberCard,
)
from db.views import (
    CallView,
    CategoryView,
    IncidentView,
    TicketEventView,
    TicketView,
)

__all__ = [
    "CALL_ROLES",
    "CLOSED_STATUSES",
    "CONTACT_OUTCOMES",
    "MAX_CONTACTS",
    "MAX_OPEN_REQUESTS",
    "MAX_SUBSCRIBERS",
    "REPEAT_WINDOW",
    "WHAT_TO_TELL",
    "CallView",
    "CallerCard",
    "CallerQuery",
    "CannedAnswerView",
    "CategoryView",
    "ContactView",
    "DistrictView",
    "DraftView",
    "IncidentCard",
    "IncidentView",
    "IntakeError",
    "OpenRequestView",
    "QueryKind",
    "RegisteredView",
    "RepeatView",
    "RequestStatusView",
    "SubscriberCard",
    "TicketEventView",
    "TicketView",
    "discard_draft",
    "find_canned_answers",
    "find_categories",
    "find_repeat",
    "find_request",
    "get_category",
    "last_channel",
    "link_to_incident",
    "link_to_request",
    "list_districts",
    "load_draft",
    "lookup_caller",
    "parse_caller_query",
    "recent_categories",
    "record_contact",
    "register_request",
    "save_draft",
]
