"""Incidents (حادثه): one event of the network, declared once, known to every desk.

When a main breaks, hundreds of people call with the same question. An incident declared once
(:func:`declare_incident`: kind, area, start, expected restoration, the words agents read out,
the responsible unit) shows on the caller card of everyone calling from its area, and each call
about it is linked to it instead of becoming a duplicate request (:func:`db.intake.
link_to_incident`). Its restoration time is moved as the crew learns more (:func:`update_incident`,
every change an event with who and when, guarded by the version read, like a request). Closing
it (:func:`close_incident`) queues "service restored" to everyone who called (and, if chosen, to
the whole area) and callbacks for those who asked, in the same transaction.

"Is this address in it" has one definition, :mod:`db.incidents.areas` (districts and streets by
their Persian search key), used by intake's caller card, by closing, and by campaigns.
:func:`suggest_incidents` offers the supervisor to declare one when a burst of calls in one
category from one district has none.

Errors are :class:`IncidentError` with a stable ``reason`` and ``params``; missing roles raise
:class:`db.accounts.PermissionDenied`. Declaring, updating and closing need
:data:`INCIDENT_ROLES` (supervisor, information officer); reading needs a signed-in person, or
none and a center (the CLI).

Modules: :mod:`~db.incidents.errors`, :mod:`~db.incidents.settings` (``incidents.suggest_*``),
:mod:`~db.incidents.areas`, :mod:`~db.incidents.records` (the guarded write),
:mod:`~db.incidents.views`, :mod:`~db.incidents.lifecycle`, :mod:`~db.incidents.restored`,
:mod:`~db.incidents.queries`, :mod:`~db.incidents.suggestions`.
"""

from db.incidents.areas import (
    Address,
    AreaInput,
    area_condition,
    area_label,
    covers,
    incidents_covering,
    street_key,
)
from db.incidents.errors import IncidentError
from db.incidents.lifecycle import KEEP, KINDS, close_incident, declare_incident, update_incident
from db.incidents.queries import calls_per_hour, incident_detail, list_incidents
from db.incidents.records import INCIDENT_ROLES, LOG_ONLY_ACTIONS, log_event
from db.incidents.restored import CALLBACK_REASON
from db.incidents.settings import (
    DEFAULT_SUGGEST_CALLS,
    DEFAULT_SUGGEST_MINUTES,
    SETTING_SUGGEST_CALLS,
    SETTING_SUGGEST_MINUTES,
    IncidentSettings,
    load_incident_settings,
)
from db.incidents.suggestions import dismiss_suggestion, suggest_incidents
from db.incidents.views import (
    AreaView,
    CloseReport,
    HourCount,
    IncidentCursor,
    IncidentDetail,
    IncidentEventView,
    IncidentPage,
    IncidentSuggestion,
    IncidentSummary,
)

__all__ = [
    "CALLBACK_REASON",
    "DEFAULT_SUGGEST_CALLS",
    "DEFAULT_SUGGEST_MINUTES",
    "INCIDENT_ROLES",
    "KEEP",
    "KINDS",
    "LOG_ONLY_ACTIONS",
    "SETTING_SUGGEST_CALLS",
    "SETTING_SUGGEST_MINUTES",
    "Address",
    "AreaInput",
    "AreaView",
    "CloseReport",
    "HourCount",
    "IncidentCursor",
    "IncidentDetail",
    "IncidentError",
    "IncidentEventView",
    "IncidentPage",
    "IncidentSettings",
    "IncidentSuggestion",
    "IncidentSummary",
    "area_condition",
    "area_label",
    "calls_per_hour",
    "close_incident",
    "covers",
    "declare_incident",
    "dismiss_suggestion",
    "incident_detail",
    "incidents_covering",
    "list_incidents",
    "load_incident_settings",
    "log_event",
    "street_key",
    "suggest_incidents",
    "update_incident",
]
