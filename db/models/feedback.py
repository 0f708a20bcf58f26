"""Unit (c): callbacks to tell subscribers the result, and the surveys that measure it."""

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.models.base import center_field, created_field, id_field, json_field, time_field


class CallbackStatus(StrEnum):
    DUE = "due"
    DONE = "done"  # reached and told
    SMS_SENT = "sms_sent"  # every attempt failed; the result went out by SMS
    CANCELLED = "cancelled"


class AttemptOutcome(StrEnum):
    REACHED = "reached"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    WRONG_NUMBER = "wrong_number"
    REFUSED = "refused"


class AnswerScale(StrEnum):
    YES_NO = "yes_no"
    ONE_TO_FIVE = "one_to_five"
    TEXT = "text"


class Callback(SQLModel, table=True):
    """A task to call a subscriber back: after an accepted unit answer or a closed incident."""

    __tablename__ = "callbacks"
    __table_args__ = (sa.Index("ix_callbacks_status_due", "center_id", "status", "due_at"),)

    id: uuid.UUID = id_field()
    center_id: uuid.UUID = Field(foreign_key="centers.id")
    ticket_id: uuid.UUID | None = Field(default=None, foreign_key="tickets.id", index=True)
    incident_id: uuid.UUID | None = Field(default=None, foreign_key="incidents.id", index=True)
    subscriber_id: uuid.UUID | None = Field(default=None, foreign_key="subscribers.id")
    phone: str = Field(max_length=11)
    reason: str = Field(max_length=24)
    # What the unit did, in words to read to the subscriber.
    script: str = Field(default="", max_length=2000)
    status: str = Field(default=CallbackStatus.DUE, max_length=12)
    due_at: datetime = created_field()
    attempts: int = 0
    assigned_to_id: uuid.UUID | None = Field(default=None, foreign_key="agents.id")
    created_at: datetime = created_field()
    closed_at: datetime | None = time_field()
    version: int = 1
    updated_at: datetime = created_field()


class CallbackAttempt(SQLModel, table=True):
    __tablename__ = "callback_attempts"

    id: uuid.UUID = id_field()
    center_id: uuid.UUID = center_field()
    callback_id: uuid.UUID = Field(foreign_key="callbacks.id", index=True)
    agent_id: uuid.UUID | None = Field(default=None, foreign_key="agents.id")
    at: datetime = created_field()
    outcome: str = Field(max_length=16)
    note: str = Field(default="", max_length=1000)


class Questionnaire(SQLModel, table=True):
    """A survey's questions, as data an admin edits; applies to some category groups."""

    __tablename__ = "questionnaires"
    __table_args__ = (sa.UniqueConstraint("center_id", "code"),)

    id: uuid.UUID = id_field()
    center_id: uuid.UUID = center_field()
    code: str = Field(max_length=32)
    name_fa: str = Field(max_length=120)
    name_en: str = Field(max_length=120)
    category_groups: list[str] = json_field(list)
    active: bool = True
    updated_at: datetime = created_field()


class Question(SQLModel, table=True):
    __tablename__ = "questions"
    __table_args__ = (sa.UniqueConstraint("questionnaire_id", "position"),)

    id: uuid.UUID = id_field()
    questionnaire_id: uuid.UUID = Field(foreign_key="questionnaires.id", index=True)
    position: int
    code: str = Field(max_length=32)
    text_fa: str = Field(max_length=400)
    text_en: str = Field(max_length=400)
    scale: str = Field(max_length=16)
    # Answering "no" to a resolved-question reopens the request as a complaint.
    reopens_on_no: bool = False


class Survey(SQLModel, table=True):
    """One filled (or started) questionnaire about one request, by phone or by SMS."""

    __tablename__ = "surveys"
    __table_args__ = (sa.Index("ix_surveys_center_completed", "center_id", "completed_at"),)

    id: uuid.UUID = id_field()
    center_id: uuid.UUID = Field(foreign_key="centers.id")
    questionnaire_id: uuid.UUID = Field(foreign_key="questionnaires.id")
    ticket_id: uuid.UUID | None = Field(default=None, foreign_key="tickets.id", index=True)
    callback_id: uuid.UUID | None = Field(default=None, foreign_key="callbacks.id")
    agent_id: uuid.UUID | None = Field(default=None, foreign_key="agents.id")
    channel: str = Field(default="phone", max_length=8)
    # The short code an electronic (SMS) survey reply quotes.
    sms_code: str | None = Field(default=None, max_length=12, unique=True)
    started_at: datetime = created_field()
    completed_at: datetime | None = time_field()


class Answer(SQLModel, table=True):
    __tablename__ = "answers"
    __table_args__ = (sa.UniqueConstraint("survey_id", "question_id"),)

    id: uuid.UUID = id_field()
    survey_id: uuid.UUID = Field(foreign_key="surveys.id")
    question_id: uuid.UUID = Field(foreign_key="questions.id")
    value_int: int | None = None
    value_text: str = Field(default="", max_length=1000)
