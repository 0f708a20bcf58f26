"""Requests (tickets) and their append-only event log."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.models.base import center_field, created_field, id_field, json_field, time_field


class TicketStatus(StrEnum):
    """The charter's lifecycle (DOMAIN.md); the allowed moves live in db/followup.py."""

    REGISTERED = "registered"
    REFERRED = "referred"
    IN_PROGRESS = "in_progress"
    UNIT_ANSWERED = "unit_answered"
    ACCEPTED = "accepted"
    AWAITING_FEEDBACK = "awaiting_feedback"
    CLOSED = "closed"
    REJECTED = "rejected"
    PENDING_SUBSCRIBER = "pending_subscriber"  # clock paused
    CANCELLED = "cancelled"  # duplicate or invalid, with a reason


OPEN_STATUSES = frozenset(
    {
        TicketStatus.REGISTERED,
        TicketStatus.REFERRED,
        TicketStatus.IN_PROGRESS,
        TicketStatus.UNIT_ANSWERED,
        TicketStatus.ACCEPTED,
        TicketStatus.AWAITING_FEEDBACK,
        TicketStatus.REJECTED,
        TicketStatus.PENDING_SUBSCRIBER,
    }
)

#: The SQL test "the request is open", with the statuses as literals: one text for the partial
#: indexes below and for the queries meant to use them. A planner uses a partial index only when
#: the query's WHERE implies the index's predicate, which SQLite checks term by term on the text
#: as written (bound parameters do not match) and PostgreSQL proves only on constants.
OPEN_STATUS_SQL = "status IN ({})".format(", ".join(f"'{s.value}'" for s in sorted(OPEN_STATUSES)))


def _open_only() -> dict[str, Any]:
    return {"sqlite_where": sa.text(OPEN_STATUS_SQL), "postgresql_where": sa.text(OPEN_STATUS_SQL)}


class TicketKind(StrEnum):
    REQUEST = "request"
    COMPLAINT = "complaint"


class Ticket(SQLModel, table=True):
    """A request registered for a unit. The row is the current state; events are the history.

    `version` grows on every change, so a stale edit is refused instead of silently lost.
    """

    __tablename__ = "tickets"
    __table_args__ = (
        # The follow-up queue: open requests by urgency, optionally per unit.
        sa.Index("ix_tickets_status_center_due", "status", "center_id", "resolution_due_at", "id"),
        sa.Index("ix_tickets_unit_status_due", "unit_id", "status", "resolution_due_at", "id"),
        sa.Index("ix_tickets_center_opened", "center_id", "opened_at"),
        sa.Index("ix_tickets_center_closed", "center_id", "closed_at"),
        sa.Index("ix_tickets_subscriber_opened", "subscriber_id", "opened_at"),
        sa.Index("ix_tickets_phone_opened", "phone", "opened_at"),
        # The caller card's open requests: as many entries as the caller has open requests,
        # however long their history.
        sa.Index("ix_tickets_subscriber_open", "subscriber_id", "opened_at", **_open_only()),
        sa.Index("ix_tickets_phone_open", "phone", "opened_at", **_open_only()),
        sa.Index("ix_tickets_claimed", "claimed_by_id", "claimed_until"),
        sa.Index("ix_tickets_parent", "parent_id"),
        sa.Index("ix_tickets_duplicate_of", "duplicate_of_id"),
        sa.UniqueConstraint("center_id", "year", "seq"),
    )

    id: uuid.UUID = id_field()
    center_id: uuid.UUID = Field(foreign_key="centers.id")
    # center number (3) + Jalali year (2) + yearly sequence (6) + mod11 check digit.
    tracking_code: str = Field(max_length=12, unique=True)
    year: int
    seq: int
    kind: str = Field(default=TicketKind.REQUEST, max_length=12)
    status: str = Field(default=TicketStatus.REGISTERED, max_length=20)
    priority: int = Field(default=3, ge=1, le=4)
    escalation_level: int = Field(default=0, ge=0, le=3)
    category_id: uuid.UUID = Field(foreign_key="categories.id", index=True)
    unit_id: uuid.UUID | None = Field(default=None, foreign_key="units.id")
    subscriber_id: uuid.UUID | None = Field(default=None, foreign_key="subscribers.id")
    district_id: uuid.UUID | None = Field(default=None, foreign_key="districts.id", index=True)
    incident_id: uuid.UUID | None = Field(default=None, foreign_key="incidents.id", index=True)
    parent_id: uuid.UUID | None = Field(default=None, foreign_key="tickets.id")
    duplicate_of_id: uuid.UUID | None = Field(default=None, foreign_key="tickets.id")
    phone: str | None = Field(default=None, max_length=11)
    caller_name: str = Field(default="", max_length=160)
    address: str = Field(default="", max_length=400)
    description: str = Field(default="", max_length=2000)
    opened_at: datetime = created_field()
    # The citizen's clock runs from opened_at; the unit's from the latest referral.
    referred_at: datetime | None = time_field()
    response_due_at: datetime | None = time_field()
    resolution_due_at: datetime | None = time_field()
    unit_due_at: datetime | None = time_field()
    responded_at: datetime | None = time_field()
    resolved_at: datetime | None = time_field()
    closed_at: datetime | None = time_field()
    paused_at: datetime | None = time_field()
    paused_seconds: int = 0
    claimed_by_id: uuid.UUID | None = Field(default=None, foreign_key="agents.id")
    claimed_until: datetime | None = time_field()
    version: int = 1
    updated_at: datetime = created_field()


class TicketEvent(SQLModel, table=True):
    """One step in a request's life. Never updated, never deleted."""

    __tablename__ = "ticket_events"
    __table_args__ = (sa.Index("ix_ticket_events_ticket_at", "ticket_id", "at"),)

    id: uuid.UUID = id_field()
    center_id: uuid.UUID = center_field()
    ticket_id: uuid.UUID = Field(foreign_key="tickets.id")
    at: datetime = created_field()
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="agents.id")
    action: str = Field(max_length=24)
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str | None = Field(default=None, max_length=20)
    unit_id: uuid.UUID | None = Field(default=None, foreign_key="units.id")
    note: str = Field(default="", max_length=2000)
    data: dict[str, Any] = json_field()


class TrackingSequence(SQLModel, table=True):
    """The last tracking-code sequence used by a center in a Jalali year."""

    __tablename__ = "tracking_sequences"

    center_id: uuid.UUID = Field(foreign_key="centers.id", primary_key=True)
    year: int = Field(primary_key=True)
    last_seq: int = 0
