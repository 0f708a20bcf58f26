"""Frozen views: what `db/` operations hand to screens and threads instead of ORM objects.

Each view is plain data (ids, strings, aware UTC datetimes), safe to pass between threads and to
keep after the session is closed. Names come in both languages where a screen shows them, so the
console picks by its language without another query.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from db.models import Call, Category

__all__ = [
    "CallView",
    "CategoryView",
    "IncidentView",
    "TicketEventView",
    "TicketView",
    "call_view",
    "category_view",
]


@dataclass(frozen=True)
class CategoryView:
    """A request category as intake shows and uses it."""

    id: uuid.UUID
    code: str
    name_fa: str
    name_en: str
    group: str
    emergency: bool
    priority: int
    needs_request: bool
    default_unit_id: uuid.UUID | None
    calendar_id: uuid.UUID
    response_minutes: int
    resolution_minutes: int
    required_fields: tuple[str, ...]
    sort_order: int
    active: bool


def category_view(category: Category) -> CategoryView:
    return CategoryView(
        id=category.id,
        code=category.code,
        name_fa=category.name_fa,
        name_en=category.name_en,
        group=category.group,
        emergency=category.emergency,
        priority=category.priority,
        needs_request=category.needs_request,
        default_unit_id=category.default_unit_id,
        calendar_id=category.calendar_id,
        response_minutes=category.response_minutes,
        resolution_minutes=category.resolution_minutes,
        required_fields=tuple(category.required_fields or ()),
        sort_order=category.sort_order,
        active=category.active,
    )


@dataclass(frozen=True)
class CallView:
    """One saved contact. ``handle_seconds`` is the handle time the console measured."""

    id: uuid.UUID
    center_id: uuid.UUID
    agent_id: uuid.UUID
    channel: str
    phone: str | None
    subscriber_id: uuid.UUID | None
    category_id: uuid.UUID | None
    outcome: str
    ticket_id: uuid.UUID | None
    incident_id: uuid.UUID | None
    wants_callback: bool
    notes: str
    started_at: datetime
    ended_at: datetime

    @property
    def handle_seconds(self) -> float:
        return (self.ended_at - self.started_at).total_seconds()


def call_view(call: Call) -> CallView:
    return CallView(
        id=call.id,
        center_id=call.center_id,
        agent_id=call.agent_id,
        channel=call.channel,
        phone=call.phone,
        subscriber_id=call.subscriber_id,
        category_id=call.category_id,
        outcome=call.outcome,
        ticket_id=call.ticket_id,
        incident_id=call.incident_id,
        wants_callback=call.wants_callback,
        notes=call.notes,
        started_at=call.started_at,
        ended_at=call.ended_at,
    )


@dataclass(frozen=True)
class TicketView:
    """A request's current state with its two due dates (aware UTC, None when no target)."""

    id: uuid.UUID
    tracking_code: str
    status: str
    kind: str
    priority: int
    escalation_level: int
    category_id: uuid.UUID
    category_name_fa: str
    category_name_en: str
    unit_id: uuid.UUID | None
    unit_name_fa: str
    unit_name_en: str
    subscriber_id: uuid.UUID | None
    district_id: uuid.UUID | None
    phone: str | None
    caller_name: str
    address: str
    description: str
    opened_at: datetime
    response_due_at: datetime | None
    resolution_due_at: datetime | None
    version: int


@dataclass(frozen=True)
class TicketEventView:
    """One step of a request's history: who, when, what, from which status to which."""

    id: uuid.UUID
    at: datetime
    actor_id: uuid.UUID | None
    actor_name: str
    action: str
    from_status: str | None
    to_status: str | None
    unit_id: uuid.UUID | None
    unit_name_fa: str
    unit_name_en: str
    note: str


@dataclass(frozen=True)
class IncidentView:
    """An incident as a desk agent reads it out: what, since when, until when, in what words."""

    id: uuid.UUID
    kind: str
    status: str
    title: str
    public_message: str
    started_at: datetime
    expected_restoration_at: datetime | None
