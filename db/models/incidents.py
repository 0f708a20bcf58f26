"""Incidents: one event (a main break, a cut-off) that affects an area and many callers."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.models.base import center_field, created_field, id_field, json_field, time_field


class IncidentKind(StrEnum):
    MAIN_BREAK = "main_break"
    PLANNED_CUTOFF = "planned_cutoff"
    UNPLANNED_CUTOFF = "unplanned_cutoff"
    LOW_PRESSURE = "low_pressure"
    WATER_QUALITY = "water_quality"
    SEWER = "sewer"


class IncidentStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class Incident(SQLModel, table=True):
    __tablename__ = "incidents"
    __table_args__ = (sa.Index("ix_incidents_center_status", "center_id", "status", "started_at"),)

    id: uuid.UUID = id_field()
    center_id: uuid.UUID = Field(foreign_key="centers.id")
    kind: str = Field(max_length=20)
    status: str = Field(default=IncidentStatus.ACTIVE, max_length=12)
    title: str = Field(max_length=200)
    # What agents read out to every caller, word for word.
    public_message: str = Field(max_length=1000)
    unit_id: uuid.UUID | None = Field(default=None, foreign_key="units.id")
    declared_by_id: uuid.UUID | None = Field(default=None, foreign_key="agents.id")
    started_at: datetime = created_field()
    expected_restoration_at: datetime | None = time_field()
    closed_at: datetime | None = time_field()
    notify_area_on_close: bool = False
    version: int = 1
    updated_at: datetime = created_field()


class IncidentArea(SQLModel, table=True):
    """Part of an incident's area: a whole district, or one street (matched by search key)."""

    __tablename__ = "incident_areas"

    id: uuid.UUID = id_field()
    incident_id: uuid.UUID = Field(foreign_key="incidents.id", index=True)
    district_id: uuid.UUID | None = Field(default=None, foreign_key="districts.id", index=True)
    street: str = Field(default="", max_length=160)
    street_key: str = Field(default="", max_length=160, index=True)


class IncidentEvent(SQLModel, table=True):
    """Declared, restoration time changed, message changed, closed: each kept with who and when."""

    __tablename__ = "incident_events"
    __table_args__ = (sa.Index("ix_incident_events_incident_at", "incident_id", "at"),)

    id: uuid.UUID = id_field()
    center_id: uuid.UUID = center_field()
    incident_id: uuid.UUID = Field(foreign_key="incidents.id")
    at: datetime = created_field()
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="agents.id")
    action: str = Field(max_length=24)
    note: str = Field(default="", max_length=1000)
    data: dict[str, Any] = json_field()
