"""The frozen views intake returns to the console: plain data, safe to hand to a worker thread.

Why a module of their own: the caller card, the request status and the draft are read by the
console's widgets (``db.intake.CallerCard`` and the rest), while the actions that build them live
in separate modules; the views are the contract between the two.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from db.views import CallView, IncidentView, TicketEventView, TicketView


class QueryKind(StrEnum):
    PHONE = "phone"
    TRACKING_CODE = "tracking_code"
    NATIONAL_CODE = "national_code"
    BILL_ID = "bill_id"
    SUBSCRIPTION_NO = "subscription_no"
    NAME = "name"


@dataclass(frozen=True)
class CallerQuery:
    """What the agent typed, read as ``kind``/``value`` (normalised), most likely first.

    ``alternatives`` are the other readings the lookup also tries, e.g. ten digits that are a
    valid national code may also be a subscription number.
    """

    kind: str
    value: str
    alternatives: tuple[tuple[str, str], ...] = ()

    @property
    def readings(self) -> tuple[tuple[str, str], ...]:
        return ((self.kind, self.value), *self.alternatives)


@dataclass(frozen=True)
class SubscriberCard:
    """A matching account. ``matched_by`` is the query kind that found it."""

    id: uuid.UUID
    subscription_no: str
    bill_id: str | None
    national_code: str | None
    name: str
    address: str
    district_id: uuid.UUID | None
    district_name_fa: str
    district_name_en: str
    street: str
    usage: str
    active: bool
    phones: tuple[str, ...]
    matched_by: str


@dataclass(frozen=True)
class ContactView:
    """One earlier call from this number or these accounts."""

    id: uuid.UUID
    started_at: datetime
    ended_at: datetime
    channel: str
    phone: str | None
    subscriber_id: uuid.UUID | None
    category_id: uuid.UUID | None
    category_name_fa: str
    category_name_en: str
    outcome: str
    agent_id: uuid.UUID
    agent_name: str
    ticket_id: uuid.UUID | None
    incident_id: uuid.UUID | None
    notes: str


@dataclass(frozen=True)
class OpenRequestView:
    """An open request with its clocks.

    ``*_minutes_left`` are working minutes on the category's calendar (plain minutes on 24/7),
    negative when overdue, None when there is no target (or the response was already given).
    A paused clock (pending on the subscriber) is read at the moment it was paused.
    """

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
    phone: str | None
    address: str
    opened_at: datetime
    response_due_at: datetime | None
    resolution_due_at: datetime | None
    response_minutes_left: int | None
    resolution_minutes_left: int | None
    clock_paused: bool
    overdue: bool


@dataclass(frozen=True)
class IncidentCard(IncidentView):
    """An active incident covering the address of ``subscriber_ids`` (of the card)."""

    subscriber_ids: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True)
class CallerCard:
    """Everything the agent needs to see as soon as the caller is known.

    ``phone`` is the normalised number when the query was one (recent contacts and open
    requests of that number are included even with no subscriber). ``more_subscribers`` says
    the list was cut at MAX_SUBSCRIBERS. ``tracked_ticket_id`` is the request a tracking-code
    query found.
    """

    query: CallerQuery
    phone: str | None
    subscribers: tuple[SubscriberCard, ...]
    more_subscribers: bool
    recent_contacts: tuple[ContactView, ...]
    open_requests: tuple[OpenRequestView, ...]
    incidents: tuple[IncidentCard, ...]
    tracked_ticket_id: uuid.UUID | None = None


@dataclass(frozen=True)
class RepeatView:
    """The caller called before about the same thing.

    ``kind`` is "open_request" (offer to link to ``ticket_id``) or "recent_call" (a call on the
    same category within REPEAT_WINDOW; ``ticket_id`` is set when that call had a request, which
    is then closed or cancelled). ``matched_by`` is "phone" or "subscriber".
    """

    kind: str
    matched_by: str
    ticket_id: uuid.UUID | None
    tracking_code: str | None
    ticket_status: str | None
    call_id: uuid.UUID | None
    call_outcome: str | None
    at: datetime


@dataclass(frozen=True)
class RegisteredView:
    """A registered request and the call that registered it."""

    call: CallView
    ticket: TicketView

    @property
    def tracking_code(self) -> str:
        return self.ticket.tracking_code


@dataclass(frozen=True)
class RequestStatusView:
    """A request as told to a caller asking about it.

    ``what_to_tell`` is a stable key (see WHAT_TO_TELL, plus "cancelled_duplicate") for the
    console to translate. ``events`` is the whole history, oldest first.
    """

    ticket: TicketView
    district_name_fa: str
    district_name_en: str
    responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    resolution_minutes_left: int | None
    clock_paused: bool
    overdue: bool
    what_to_tell: str
    events: tuple[TicketEventView, ...]
    contacts: int


@dataclass(frozen=True)
class DistrictView:
    """A district of the center, to pick for a request's address."""

    id: uuid.UUID
    code: str
    name_fa: str
    name_en: str


@dataclass(frozen=True)
class CannedAnswerView:
    """A ready answer for an information call; ``body_en`` may be empty (then use the Persian)."""

    id: uuid.UUID
    code: str
    category_id: uuid.UUID | None
    title_fa: str
    title_en: str
    body_fa: str
    body_en: str


@dataclass(frozen=True)
class DraftView:
    """The agent's half-typed call. ``fields`` is a private copy: change it freely."""

    fields: dict[str, Any]
    started_at: datetime
    updated_at: datetime
