"""All tables. Importing this package registers every table on `SQLModel.metadata`."""

from sqlmodel import SQLModel

from db.models.audit import AuditEntry
from db.models.base import new_id, utcnow
from db.models.calls import Call, CallDraft, CallOutcome, Channel
from db.models.catalog import (
    Calendar,
    CalendarHours,
    CannedAnswer,
    Category,
    CategoryGroup,
    Holiday,
)
from db.models.feedback import (
    Answer,
    AnswerScale,
    AttemptOutcome,
    Callback,
    CallbackAttempt,
    CallbackStatus,
    Question,
    Questionnaire,
    Survey,
)
from db.models.incidents import Incident, IncidentArea, IncidentEvent, IncidentKind, IncidentStatus
from db.models.notices import (
    Campaign,
    CampaignStatus,
    InboundMessage,
    NoticeChannel,
    NoticeTemplate,
    OutboxMessage,
    OutboxStatus,
)
from db.models.org import (
    Agent,
    AgentRole,
    Center,
    CenterKind,
    CenterSetting,
    District,
    Role,
    Unit,
    UnitDistrict,
    UnitKind,
)
from db.models.subscribers import Subscriber, SubscriberPhone
from db.models.sync import SyncBundle, SyncLink, SyncRow  # noqa: F401  (db/sync)
from db.models.tickets import (
    OPEN_STATUSES,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketStatus,
    TrackingSequence,
)

metadata = SQLModel.metadata

__all__ = [
    "OPEN_STATUSES",
    "Agent",
    "AgentRole",
    "Answer",
    "AnswerScale",
    "AttemptOutcome",
    "AuditEntry",
    "Calendar",
    "CalendarHours",
    "Call",
    "CallDraft",
    "CallOutcome",
    "Callback",
    "CallbackAttempt",
    "CallbackStatus",
    "Campaign",
    "CampaignStatus",
    "CannedAnswer",
    "Category",
    "CategoryGroup",
    "Center",
    "CenterKind",
    "CenterSetting",
    "Channel",
    "District",
    "Holiday",
    "InboundMessage",
    "Incident",
    "IncidentArea",
    "IncidentEvent",
    "IncidentKind",
    "IncidentStatus",
    "NoticeChannel",
    "NoticeTemplate",
    "OutboxMessage",
    "OutboxStatus",
    "Question",
    "Questionnaire",
    "Role",
    "Subscriber",
    "SubscriberPhone",
    "Survey",
    "Ticket",
    "TicketEvent",
    "TicketKind",
    "TicketStatus",
    "TrackingSequence",
    "Unit",
    "UnitDistrict",
    "UnitKind",
    "metadata",
    "new_id",
    "utcnow",
]
