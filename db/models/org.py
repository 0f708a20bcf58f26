"""The organisation: centers, their districts and units, agents and their roles."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.models.base import (
    center_field,
    created_field,
    id_field,
    json_field,
    time_field,
)


class Role(StrEnum):
    """What a person may do; one agent may hold several (a rural center has one or two people)."""

    AGENT = "agent"  # desk agent, unit (a)
    FOLLOWUP = "followup"  # follow-up agent, unit (b)
    SURVEYOR = "surveyor"  # callbacks and surveys, unit (c)
    NOTIFIER = "notifier"  # information officer, unit (d)
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class CenterKind(StrEnum):
    PROVINCIAL = "provincial"
    CITY = "city"
    RURAL = "rural"


class UnitKind(StrEnum):
    WATER_OPS = "water_ops"
    SEWER_OPS = "sewer_ops"
    BILLING = "billing"
    SUBSCRIBER_AFFAIRS = "subscriber_affairs"
    METERING = "metering"
    LAB = "lab"
    PUBLIC_RELATIONS = "public_relations"


class Center(SQLModel, table=True):
    """One 122/1523 center. `number` is the 3-digit prefix of its tracking codes."""

    __tablename__ = "centers"

    id: uuid.UUID = id_field()
    code: str = Field(max_length=16, unique=True)
    number: int = Field(unique=True, ge=1, le=999)
    name_fa: str = Field(max_length=120)
    name_en: str = Field(max_length=120)
    kind: str = Field(default=CenterKind.CITY, max_length=16)
    active: bool = True
    created_at: datetime = created_field()
    updated_at: datetime = created_field()


class District(SQLModel, table=True):
    """A named part of the city; subscribers live in one, units and incidents cover several."""

    __tablename__ = "districts"
    __table_args__ = (sa.UniqueConstraint("center_id", "code"),)

    id: uuid.UUID = id_field()
    center_id: uuid.UUID = center_field()
    code: str = Field(max_length=16)
    name_fa: str = Field(max_length=120)
    name_en: str = Field(max_length=120)
    active: bool = True
    updated_at: datetime = created_field()


class Unit(SQLModel, table=True):
    """An operational unit that does the work a request asks for."""

    __tablename__ = "units"
    __table_args__ = (sa.UniqueConstraint("center_id", "code"),)

    id: uuid.UUID = id_field()
    center_id: uuid.UUID = center_field()
    code: str = Field(max_length=16)
    kind: str = Field(max_length=24)
    name_fa: str = Field(max_length=120)
    name_en: str = Field(max_length=120)
    phone: str | None = Field(default=None, max_length=16)
    active: bool = True
    updated_at: datetime = created_field()


class UnitDistrict(SQLModel, table=True):
    """Which districts a unit serves (a water-operations unit per district, one sewer unit...)."""

    __tablename__ = "unit_districts"

    unit_id: uuid.UUID = Field(foreign_key="units.id", primary_key=True)
    district_id: uuid.UUID = Field(foreign_key="districts.id", primary_key=True, index=True)


class Agent(SQLModel, table=True):
    """A person who signs in to the console."""

    __tablename__ = "agents"

    id: uuid.UUID = id_field()
    center_id: uuid.UUID = center_field()
    username: str = Field(max_length=64, unique=True)
    full_name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    active: bool = True
    failed_attempts: int = 0
    locked_until: datetime | None = time_field()
    last_sign_in_at: datetime | None = time_field()
    language: str | None = Field(default=None, max_length=2)
    created_at: datetime = created_field()
    updated_at: datetime = created_field()


class AgentRole(SQLModel, table=True):
    __tablename__ = "agent_roles"

    agent_id: uuid.UUID = Field(foreign_key="agents.id", primary_key=True)
    role: str = Field(max_length=16, primary_key=True)


class CenterSetting(SQLModel, table=True):
    """A center's own setting (gateway, retry policy, thresholds), kept as JSON per key."""

    __tablename__ = "center_settings"

    center_id: uuid.UUID = Field(foreign_key="centers.id", primary_key=True)
    key: str = Field(max_length=64, primary_key=True)
    value: Any = json_field()
    updated_at: datetime = created_field()
