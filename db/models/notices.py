"""Unit (d): notice templates, campaigns, the outbox of messages, and replies that come back."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.models.base import center_field, created_field, id_field, json_field, time_field


class NoticeChannel(StrEnum):
    SMS = "sms"
    IVR = "ivr"
    WEB = "web"


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"  # recipient list frozen
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"


class NoticeTemplate(SQLModel, table=True):
    """A text with named placeholders ({tracking_code}, {district}, {eta}, {name}...)."""

    __tablename__ = "notice_templates"
    __table_args__ = (sa.UniqueConstraint("center_id", "code", "channel"),)

    id: uuid.UUID = id_field()
    center_id: uuid.UUID = center_field()
    code: str = Field(max_length=32)
    channel: str = Field(max_length=8)
    name: str = Field(max_length=120)
    body: str = Field(max_length=2000)
    active: bool = True
    updated_at: datetime = created_field()


class Campaign(SQLModel, table=True):
    __tablename__ = "campaigns"

    id: uuid.UUID = id_field()
    center_id: uuid.UUID = center_field()
    template_id: uuid.UUID = Field(foreign_key="notice_templates.id")
    name: str = Field(max_length=160)
    # districts | incident_callers | incident_area | open_requests_in_category
    target_kind: str = Field(max_length=32)
    target: dict[str, Any] = json_field()
    status: str = Field(default=CampaignStatus.DRAFT, max_length=12)
    recipient_count: int = 0
    created_by_id: uuid.UUID | None = Field(default=None, foreign_key="agents.id")
    approved_by_id: uuid.UUID | None = Field(default=None, foreign_key="agents.id")
    created_at: datetime = created_field()
    approved_at: datetime | None = time_field()
    updated_at: datetime = created_field()


class OutboxMessage(SQLModel, table=True):
    """One message to one recipient; `dedupe_key` keeps a re-run sender from sending twice."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        sa.Index("ix_outbox_status_next", "status", "next_attempt_at"),
        sa.Index("ix_outbox_campaign", "campaign_id"),
    )

    id: uuid.UUID = id_field()
    center_id: uuid.UUID = center_field()
    channel: str = Field(default=NoticeChannel.SMS, max_length=8)
    recipient: str = Field(max_length=32)
    body: str = Field(max_length=2000)
    campaign_id: uuid.UUID | None = Field(default=None, foreign_key="campaigns.id")
    ticket_id: uuid.UUID | None = Field(default=None, foreign_key="tickets.id")
    incident_id: uuid.UUID | None = Field(default=None, foreign_key="incidents.id")
    callback_id: uuid.UUID | None = Field(default=None, foreign_key="callbacks.id")
    dedupe_key: str = Field(max_length=120, unique=True)
    status: str = Field(default=OutboxStatus.QUEUED, max_length=12)
    attempts: int = 0
    next_attempt_at: datetime | None = time_field()
    last_error: str = Field(default="", max_length=500)
    provider_ref: str | None = Field(default=None, max_length=64, index=True)
    created_at: datetime = created_field()
    sent_at: datetime | None = time_field()
    delivered_at: datetime | None = time_field()


class InboundMessage(SQLModel, table=True):
    """An SMS that came back (a survey reply). Unmatched or malformed ones wait for a person."""

    __tablename__ = "inbound_messages"
    __table_args__ = (sa.UniqueConstraint("provider_ref"),)

    id: uuid.UUID = id_field()
    center_id: uuid.UUID = center_field()
    sender: str = Field(max_length=32, index=True)
    body: str = Field(max_length=2000)
    provider_ref: str | None = Field(default=None, max_length=64)
    received_at: datetime = created_field()
    survey_id: uuid.UUID | None = Field(default=None, foreign_key="surveys.id")
    status: str = Field(default="new", max_length=12)
