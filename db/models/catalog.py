"""What callers ask for: request categories, SLA calendars and holidays, canned answers."""

import uuid
from datetime import date, datetime, time
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.models.base import center_field, created_field, id_field, json_field


class CategoryGroup(StrEnum):
    """Groups that questionnaires, reports and notices address categories by."""

    WATER_EMERGENCY = "water_emergency"
    SEWER_EMERGENCY = "sewer_emergency"
    BILLING = "billing"
    METERING = "metering"
    CONNECTION = "connection"
    SERVICE = "service"  # staff, street repair, suggestions
    INFORMATION = "information"


class Calendar(SQLModel, table=True):
    """When an SLA clock runs: 24/7 for emergencies, office hours otherwise."""

    __tablename__ = "calendars"
    __table_args__ = (sa.UniqueConstraint("center_id", "code"),)

    id: uuid.UUID = id_field()
    center_id: uuid.UUID = center_field()
    code: str = Field(max_length=16)
    name_fa: str = Field(max_length=120)
    name_en: str = Field(max_length=120)
    always_open: bool = False
    updated_at: datetime = created_field()


class CalendarHours(SQLModel, table=True):
    """Working hours of one weekday; weekday 0 is Saturday, the first day of the Iranian week.

    A weekday with no row is a day off (Friday; Thursday in many provinces).
    """

    __tablename__ = "calendar_hours"

    calendar_id: uuid.UUID = Field(foreign_key="calendars.id", primary_key=True)
    weekday: int = Field(primary_key=True, ge=0, le=6)
    opens: time
    closes: time


class Holiday(SQLModel, table=True):
    """An official day off; a list, not a rule, because half of them follow the lunar calendar."""

    __tablename__ = "holidays"
    __table_args__ = (sa.UniqueConstraint("calendar_id", "day"),)

    id: uuid.UUID = id_field()
    calendar_id: uuid.UUID = Field(foreign_key="calendars.id", index=True)
    day: date
    name: str = Field(default="", max_length=120)


class Category(SQLModel, table=True):
    """A kind of call. It decides priority, unit, clock and which fields intake must fill."""

    __tablename__ = "categories"
    __table_args__ = (sa.UniqueConstraint("center_id", "code"),)

    id: uuid.UUID = id_field()
    center_id: uuid.UUID = center_field()
    code: str = Field(max_length=32)
    name_fa: str = Field(max_length=120)
    name_en: str = Field(max_length=120)
    # Normalised Persian + English names, for type-ahead search at intake.
    search_key: str = Field(default="", max_length=400)
    group: str = Field(max_length=24)
    emergency: bool = False
    # 1 is most urgent.
    priority: int = Field(default=3, ge=1, le=4)
    # Information categories end the call with an answer; the others register a request.
    needs_request: bool = True
    default_unit_id: uuid.UUID | None = Field(default=None, foreign_key="units.id")
    calendar_id: uuid.UUID = Field(foreign_key="calendars.id")
    response_minutes: int = Field(ge=0)
    resolution_minutes: int = Field(ge=0)
    # Intake fields this category requires, e.g. ["subscriber", "address"].
    required_fields: list[str] = json_field(list)
    sort_order: int = 0
    active: bool = True
    updated_at: datetime = created_field()


class CannedAnswer(SQLModel, table=True):
    """A ready text for an information call (tariffs, payment ways, documents...)."""

    __tablename__ = "canned_answers"
    __table_args__ = (sa.UniqueConstraint("center_id", "code"),)

    id: uuid.UUID = id_field()
    center_id: uuid.UUID = center_field()
    code: str = Field(max_length=32)
    category_id: uuid.UUID | None = Field(default=None, foreign_key="categories.id")
    title_fa: str = Field(max_length=200)
    title_en: str = Field(max_length=200)
    body_fa: str = Field(max_length=2000)
    body_en: str = Field(default="", max_length=2000)
    search_key: str = Field(default="", max_length=600)
    active: bool = True
    updated_at: datetime = created_field()
