"""The audit trail: who did what to which record, and what it was before."""

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.models.base import created_field, id_field, json_field


class AuditEntry(SQLModel, table=True):
    """One audited action. `changes` maps a field to [before, after]."""

    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index("ix_audit_at", "at"),
        sa.Index("ix_audit_entity", "entity", "entity_id"),
        sa.Index("ix_audit_actor_at", "actor_id", "at"),
    )

    id: uuid.UUID = id_field()
    center_id: uuid.UUID | None = Field(default=None, foreign_key="centers.id")
    at: datetime = created_field()
    # Null for actions without a signed-in person: a failed sign-in by an unknown name, the CLI.
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="agents.id")
    action: str = Field(max_length=40)
    entity: str = Field(default="", max_length=40)
    entity_id: str = Field(default="", max_length=64)
    changes: dict[str, Any] = json_field()
    detail: str = Field(default="", max_length=500)
