"""Calls: one conversation on any channel, whether or not it ends with a request."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.models.base import UTCDateTime, center_field, created_field, id_field, json_field


class Channel(StrEnum):
    PHONE_122 = "phone_122"
    PHONE_1523 = "phone_1523"
    SMS = "sms"
    WEB = "web"
    APP = "app"
    MESSENGER = "messenger"
    WALK_IN = "walk_in"
    OUTBOUND = "outbound"


class CallOutcome(StrEnum):
    ANSWERED = "answered"  # information given, no request: most calls end this way
    REQUEST_REGISTERED = "request_registered"
    LINKED_INCIDENT = "linked_incident"
    LINKED_REQUEST = "linked_request"
    TRANSFERRED = "transferred"
    DROPPED = "dropped"


class Call(SQLModel, table=True):
    """A contact. Handle time is `ended_at - started_at`, measured by the console itself."""

    __tablename__ = "calls"
    __table_args__ = (
        sa.Index("ix_calls_phone_started", "phone", "started_at"),
        sa.Index("ix_calls_subscriber_started", "subscriber_id", "started_at"),
        sa.Index("ix_calls_center_started", "center_id", "started_at"),
        sa.Index("ix_calls_agent_started", "agent_id", "started_at"),
        sa.Index("ix_calls_incident", "incident_id"),
        sa.Index("ix_calls_ticket", "ticket_id"),
    )

    id: uuid.UUID = id_field()
    center_id: uuid.UUID = Field(foreign_key="centers.id")
    channel: str = Field(default=Channel.PHONE_122, max_length=16)
    phone: str | None = Field(default=None, max_length=11)
    subscriber_id: uuid.UUID | None = Field(default=None, foreign_key="subscribers.id")
    agent_id: uuid.UUID = Field(foreign_key="agents.id")
    category_id: uuid.UUID | None = Field(default=None, foreign_key="categories.id")
    outcome: str = Field(max_length=24)
    ticket_id: uuid.UUID | None = Field(default=None, foreign_key="tickets.id")
    incident_id: uuid.UUID | None = Field(default=None, foreign_key="incidents.id")
    wants_callback: bool = False
    notes: str = Field(default="", max_length=2000)
    started_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    ended_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class CallDraft(SQLModel, table=True):
    """The agent's half-typed call, saved on every field change so a crash loses nothing."""

    __tablename__ = "call_drafts"

    agent_id: uuid.UUID = Field(foreign_key="agents.id", primary_key=True)
    center_id: uuid.UUID = center_field()
    fields: dict[str, Any] = json_field()
    started_at: datetime = created_field()
    updated_at: datetime = created_field()
