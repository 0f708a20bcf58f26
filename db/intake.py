"""Intake (unit a): who is calling, what about, and how the call ends.

The flow of one call (ARCHITECTURE.md): the agent keys what the caller gives (a phone, a code, a
name) -> :func:`lookup_caller` shows the caller card -> the agent picks a category
(:func:`find_categories`, :func:`recent_categories`) -> :func:`find_repeat` warns of a repeat
caller -> the call ends with one outcome: :func:`record_contact` (answered, transferred,
dropped), :func:`register_request`, :func:`link_to_incident` or :func:`link_to_request`.
:func:`find_request` answers "what happened to my request?". The half-typed call lives in a
draft (:func:`save_draft`), discarded in the same transaction as the saved outcome.

Every function checks the actor's permission, validates everything before writing anything, and
returns frozen views. A refused input raises :class:`IntakeError` with a stable ``field`` and
``reason`` the console translates. Writes join the caller's transaction (``db.engine.session``
commits it), so a request, its first event and its call land together or not at all.
"""

import contextlib
import json
import re
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from db import sla
from db.accounts import AgentView, PermissionDenied, require
from db.catalog_seed import CATEGORIES as SEED_CATEGORIES
from db.models import (
    OPEN_STATUSES,
    Agent,
    Call,
    CallDraft,
    CallOutcome,
    CannedAnswer,
    Category,
    Center,
    Channel,
    District,
    Incident,
    IncidentArea,
    IncidentStatus,
    Role,
    Subscriber,
    SubscriberPhone,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketStatus,
    Unit,
    utcnow,
)
from db.text import normalize, search_key, to_ascii_digits
from db.tracking import (
    TrackingCodeError,
    is_valid_tracking_code,
    next_tracking_code,
    parse_tracking_code,
)
from db.validate import (
    ValidationError,
    normalize_bill_id,
    normalize_landline,
    normalize_mobile,
    normalize_national_code,
    normalize_phone,
)
from db.views import (
    CallView,
    CategoryView,
    IncidentView,
    TicketEventView,
    TicketView,
    call_view,
    category_view,
)

__all__ = [
    "CALL_ROLES",
    "CLOSED_STATUSES",
    "CONTACT_OUTCOMES",
    "MAX_CONTACTS",
    "MAX_OPEN_REQUESTS",
    "MAX_SUBSCRIBERS",
    "REPEAT_WINDOW",
    "WHAT_TO_TELL",
    "CallView",
    "CallerCard",
    "CallerQuery",
    "CannedAnswerView",
    "CategoryView",
    "ContactView",
    "DistrictView",
    "DraftView",
    "IncidentCard",
    "IncidentView",
    "IntakeError",
    "OpenRequestView",
    "QueryKind",
    "RegisteredView",
    "RepeatView",
    "RequestStatusView",
    "SubscriberCard",
    "TicketEventView",
    "TicketView",
    "discard_draft",
    "find_canned_answers",
    "find_categories",
    "find_repeat",
    "find_request",
    "get_category",
    "link_to_incident",
    "link_to_request",
    "list_districts",
    "load_draft",
    "lookup_caller",
    "parse_caller_query",
    "recent_categories",
    "record_contact",
    "register_request",
    "save_draft",
]

#: Who may take calls.
CALL_ROLES = (Role.AGENT, Role.SUPERVISOR)
MAX_SUBSCRIBERS = 10
MAX_CONTACTS = 5
MAX_OPEN_REQUESTS = 10
#: A call on the same number or account and category within this window is a repeat (FCR).
REPEAT_WINDOW = timedelta(days=7)
#: How far a terminal's clock may run ahead of the database host before a time is refused.
CLOCK_SKEW = timedelta(minutes=5)
#: Outcomes of a call that ends without a request or a link.
CONTACT_OUTCOMES = frozenset({CallOutcome.ANSWERED, CallOutcome.TRANSFERRED, CallOutcome.DROPPED})
CLOSED_STATUSES = frozenset(TicketStatus) - OPEN_STATUSES
_OPEN = sorted(s.value for s in OPEN_STATUSES)
MAX_DRAFT_CHARS = 20_000

# Complaints are a kind of request (DOMAIN.md); the category table has no flag for it yet, so
# the starting catalog's complaint categories are recognised by code.
_COMPLAINT_CODES = frozenset(seed.code for seed in SEED_CATEGORIES if seed.complaint)

#: What the agent tells a caller asking about a request, by status: a stable key to translate.
WHAT_TO_TELL: dict[str, str] = {
    TicketStatus.REGISTERED: "registered_being_referred",
    TicketStatus.REFERRED: "with_unit",
    TicketStatus.IN_PROGRESS: "unit_working",
    TicketStatus.UNIT_ANSWERED: "answer_under_review",
    TicketStatus.ACCEPTED: "done_feedback_pending",
    TicketStatus.AWAITING_FEEDBACK: "awaiting_your_confirmation",
    TicketStatus.REJECTED: "sent_back_to_unit",
    TicketStatus.PENDING_SUBSCRIBER: "waiting_for_you",
    TicketStatus.CLOSED: "closed",
    TicketStatus.CANCELLED: "cancelled",
}
_CANCELLED_DUPLICATE = "cancelled_duplicate"

# What people put between digits (as db.validate): spaces, ZWNJ, bidi marks, dashes, dots...
_SEPARATORS = re.compile(r"[\s\u200c\u200e\u200f\u202a-\u202e\u2066-\u2069\-\u2010-\u2015_./()]+")
# Upper bound of a prefix range: above every character a search key can hold.
_PREFIX_END = chr(0x10FFFF)
# Word boundaries in a category's search key: spaces, punctuation, brackets, "_" of codes.
_WORDS = re.compile(r"[\W_]+")

_LIMITS = {"notes": 2000, "address": 400, "description": 2000, "caller_name": 160}


class IntakeError(Exception):
    """Refused intake input. ``field`` and ``reason`` are stable codes the console translates.

    Fields: query, phone, tracking_code, category, subscriber, district, address,
    description, caller_name, notes, channel, outcome, started_at, ended_at, incident,
    ticket, draft. Reasons: see the report in each function's docstring; identifier reasons
    are those of :class:`db.validate.Reason` and :class:`db.tracking.TrackingReason`.
    """

    def __init__(self, field: str, reason: str, message: str = "", **params: Any) -> None:
        self.field = field
        self.reason = reason
        self.params = params
        super().__init__(message or f"{field}: {reason}")


# --- views -----------------------------------------------------------------------------------


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


# --- helpers ---------------------------------------------------------------------------------


def _require_caller(actor: AgentView, action: str) -> None:
    if actor is None:
        raise PermissionDenied("permission_denied", "a call needs a signed-in agent", action=action)
    require(actor, *CALL_ROLES, action=action)


def _center_is(session: Session, column: Any, center_id: uuid.UUID) -> Any:
    """``column == center_id``, kept out of SQLite's index choice.

    Without statistics SQLite rates an equality on the center index as selective as one on the
    phone or name index and may pick it, which on a one-center database reads every row. A
    unary ``+`` makes the test a plain filter. PostgreSQL plans by statistics and needs nothing.
    """
    if session.get_bind().dialect.name == "sqlite":
        plain = sa.literal_column(f"+{column.table.name}.{column.name}", type_=column.type)
        return plain == center_id
    return column == center_id


def _aware_now(now: datetime | None) -> datetime:
    if now is None:
        return utcnow()
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


def _phone(value: str | None, default_area: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return normalize_phone(value, default_area)[1]
    except ValidationError as e:
        raise IntakeError("phone", e.reason.value, str(e), value=value) from None


def _text(name: str, value: str | None) -> str:
    text = normalize(value or "")
    limit = _LIMITS[name]
    if len(text) > limit:
        raise IntakeError(name, "too_long", f"{name} is longer than {limit}", max=limit)
    return text


def _times(started_at: datetime | None, ended_at: datetime | None) -> tuple[datetime, datetime]:
    latest = utcnow() + CLOCK_SKEW
    for name, value in (("started_at", started_at), ("ended_at", ended_at)):
        if value is None:
            raise IntakeError(name, "required")
        if value.tzinfo is None or value.utcoffset() is None:
            raise IntakeError(name, "naive", f"{name} must be timezone-aware")
        if value > latest:
            raise IntakeError(name, "in_future")
    assert started_at is not None and ended_at is not None
    if ended_at < started_at:
        raise IntakeError("ended_at", "before_start")
    return started_at.astimezone(UTC), ended_at.astimezone(UTC)


def _channel(channel: str) -> str:
    try:
        return Channel(channel).value
    except ValueError:
        raise IntakeError("channel", "unknown", channel=str(channel)) from None


def _in_center(session: Session, model: Any, id_: Any, field: str, actor: AgentView) -> Any:
    row = session.get(model, id_) if id_ is not None else None
    if row is None or row.center_id != actor.center_id:
        raise IntakeError(field, "not_found", id=str(id_))
    return row


def _category(session: Session, category_id: uuid.UUID | None, actor: AgentView) -> Category:
    if category_id is None:
        raise IntakeError("category", "required")
    category = _in_center(session, Category, category_id, "category", actor)
    if not category.active:
        raise IntakeError("category", "inactive", code=category.code)
    return category


def _subscriber(
    session: Session, subscriber_id: uuid.UUID | None, actor: AgentView
) -> Subscriber | None:
    if subscriber_id is None:
        return None
    return _in_center(session, Subscriber, subscriber_id, "subscriber", actor)


def _names(session: Session, model: Any, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, Any]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {row.id: row for row in session.exec(select(model).where(col(model.id).in_(wanted)))}


def _discard(session: Session, actor: AgentView) -> bool:
    table = CallDraft.__table__
    result = session.execute(sa.delete(table).where(table.c.agent_id == actor.id))
    return bool(result.rowcount)


def _new_call(
    actor: AgentView,
    *,
    channel: str,
    phone: str | None,
    subscriber_id: uuid.UUID | None,
    category_id: uuid.UUID | None,
    outcome: str,
    notes: str,
    started_at: datetime,
    ended_at: datetime,
    wants_callback: bool = False,
    ticket_id: uuid.UUID | None = None,
    incident_id: uuid.UUID | None = None,
) -> Call:
    return Call(
        center_id=actor.center_id,
        channel=channel,
        phone=phone,
        subscriber_id=subscriber_id,
        agent_id=actor.id,
        category_id=category_id,
        outcome=outcome,
        ticket_id=ticket_id,
        incident_id=incident_id,
        wants_callback=wants_callback,
        notes=notes,
        started_at=started_at,
        ended_at=ended_at,
    )


def _ticket_view(ticket: Ticket, category: Category, unit: Any) -> TicketView:
    return TicketView(
        id=ticket.id,
        tracking_code=ticket.tracking_code,
        status=ticket.status,
        kind=ticket.kind,
        priority=ticket.priority,
        escalation_level=ticket.escalation_level,
        category_id=ticket.category_id,
        category_name_fa=category.name_fa,
        category_name_en=category.name_en,
        unit_id=ticket.unit_id,
        unit_name_fa=unit.name_fa if unit else "",
        unit_name_en=unit.name_en if unit else "",
        subscriber_id=ticket.subscriber_id,
        district_id=ticket.district_id,
        phone=ticket.phone,
        caller_name=ticket.caller_name,
        address=ticket.address,
        description=ticket.description,
        opened_at=ticket.opened_at,
        response_due_at=ticket.response_due_at,
        resolution_due_at=ticket.resolution_due_at,
        version=ticket.version,
    )


def _minutes_left(
    calendar: sla.WorkingCalendar, ticket: Ticket, due: datetime | None, now: datetime
) -> int | None:
    if due is None:
        return None
    clock = ticket.paused_at if ticket.paused_at is not None else now
    return sla.working_minutes_between(calendar, clock, due)


# --- what the agent typed --------------------------------------------------------------------


def _digit_readings(d: str, default_area: str | None) -> list[tuple[str, str]]:
    readings: list[tuple[str, str]] = []
    n = len(d)
    if n == 12 and is_valid_tracking_code(d):
        readings.append((QueryKind.TRACKING_CODE, d))
    if n == 12 and d.startswith("98"):
        with contextlib.suppress(ValidationError):
            readings.append((QueryKind.PHONE, normalize_phone("+" + d)[1]))
    if n == 10 and d.startswith("9"):
        with contextlib.suppress(ValidationError):
            readings.append((QueryKind.PHONE, normalize_mobile(d)))
    if n == 8 and default_area and d[0] not in "01":
        with contextlib.suppress(ValidationError):
            readings.append((QueryKind.PHONE, normalize_landline(d, default_area)))
    if 8 <= n <= 10:
        with contextlib.suppress(ValidationError):
            readings.append((QueryKind.NATIONAL_CODE, normalize_national_code(d)))
    if 6 <= len(d.lstrip("0")) <= 13:
        with contextlib.suppress(ValidationError):
            readings.append((QueryKind.BILL_ID, normalize_bill_id(d)))
    if n <= 20:
        readings.append((QueryKind.SUBSCRIPTION_NO, d))
    return readings


def parse_caller_query(text: str, *, default_area: str | None = None) -> CallerQuery:
    """Read what the agent typed to find a caller.

    Any digit script, spaces and dashes. A leading ``+`` or ``0098``, eleven digits from ``0``,
    or ``09`` that is not a national code mean a phone (mobile or landline; errors are
    IntakeError("phone", validator reason)). Other digits (national codes often start with 0)
    are read every way they validate, most likely first: a 12-digit tracking code, a mobile typed
    without its 0 (ten digits from 9), an 8-digit local landline when ``default_area`` (the
    center's area code, e.g. "31") is given, a national code, a bill ID (mod11), and always a
    subscription number. Text with letters is a name: its search key, searched by prefix.

    Errors (field "query"): empty, too_short (a name under two characters), too_long (more
    than 20 digits), unrecognised (no digit and no letter).
    """
    raw = normalize(text or "")
    if not raw:
        raise IntakeError("query", "empty")
    ascii_text = to_ascii_digits(unicodedata.normalize("NFKC", raw)).strip()
    plus = ascii_text.startswith("+")
    compact = _SEPARATORS.sub("", ascii_text.removeprefix("+"))
    if compact and compact.isascii() and compact.isdigit():
        readings = _digit_readings(compact, default_area)
        phone_only = (
            plus or compact.startswith("0098") or (compact.startswith("0") and len(compact) == 11)
        )
        # "09" and not eleven digits: a mistyped mobile, unless it is a national code.
        bad_mobile = compact.startswith("09") and not any(
            kind == QueryKind.NATIONAL_CODE for kind, _ in readings
        )
        if phone_only or bad_mobile:
            try:
                return CallerQuery(QueryKind.PHONE, normalize_phone(ascii_text, default_area)[1])
            except ValidationError as e:
                raise IntakeError("phone", e.reason.value, str(e), value=text) from None
        if not readings:
            raise IntakeError("query", "too_long", value=text)
        return CallerQuery(readings[0][0], readings[0][1], tuple(readings[1:]))
    if any(ch.isalpha() for ch in raw):
        key = search_key(raw)
        if len(key) < 2:
            raise IntakeError("query", "too_short", value=text)
        return CallerQuery(QueryKind.NAME, key)
    raise IntakeError("query", "unrecognised", value=text)


# --- the caller card -------------------------------------------------------------------------


def _subscriber_ids(
    session: Session, kind: str, value: str, center_id: uuid.UUID, limit: int
) -> list[uuid.UUID]:
    if kind == QueryKind.PHONE:
        stmt = (
            select(SubscriberPhone.subscriber_id)
            .where(
                SubscriberPhone.phone == value,
                _center_is(session, SubscriberPhone.__table__.c.center_id, center_id),
            )
            .limit(limit)
        )
        return list(dict.fromkeys(session.exec(stmt).all()))
    table = Subscriber.__table__.c
    center = _center_is(session, table.center_id, center_id)
    if kind == QueryKind.SUBSCRIPTION_NO:
        # The unique (center_id, subscription_no) index serves this one as it is.
        where = [Subscriber.center_id == center_id, Subscriber.subscription_no == value]
        order = [col(Subscriber.id)]
    elif kind == QueryKind.BILL_ID:
        where, order = [center, Subscriber.bill_id == value], [col(Subscriber.id)]
    elif kind == QueryKind.NATIONAL_CODE:
        where, order = [center, Subscriber.national_code == value], [col(Subscriber.id)]
    elif kind == QueryKind.NAME:
        # A range, not LIKE: both engines use the plain index on name_key for it.
        where = [
            center,
            col(Subscriber.name_key) >= value,
            col(Subscriber.name_key) < value + _PREFIX_END,
        ]
        order = [col(Subscriber.name_key), col(Subscriber.id)]
    else:
        return []
    stmt = select(Subscriber.id).where(*where).order_by(*order).limit(limit)
    return list(session.exec(stmt).all())


def _recent_calls(session: Session, column: Any, value: Any, center_id: uuid.UUID) -> list[Call]:
    stmt = (
        select(Call)
        .where(column == value, _center_is(session, Call.__table__.c.center_id, center_id))
        .order_by(col(Call.started_at).desc())
        .limit(MAX_CONTACTS)
    )
    return list(session.exec(stmt).all())


def _open_tickets(
    session: Session,
    column: Any,
    value: Any,
    center_id: uuid.UUID,
    *,
    limit: int = MAX_OPEN_REQUESTS,
    extra: Sequence[Any] = (),
) -> list[Ticket]:
    stmt = (
        select(Ticket)
        .where(
            column == value,
            _center_is(session, Ticket.__table__.c.center_id, center_id),
            col(Ticket.status).in_(_OPEN),
            *extra,
        )
        .order_by(col(Ticket.opened_at).desc())
        .limit(limit)
    )
    return list(session.exec(stmt).all())


def _ticket_by_code(session: Session, code: str, center_id: uuid.UUID) -> Ticket | None:
    # Codes are unique across centers; the center is checked here so no planner is tempted to
    # read the center's index instead of the code's.
    ticket = session.exec(select(Ticket).where(Ticket.tracking_code == code)).first()
    return ticket if ticket is not None and ticket.center_id == center_id else None


def _covers(area: IncidentArea, sub: Subscriber) -> bool:
    if area.street_key:
        return area.street_key == sub.street_key and area.district_id in (None, sub.district_id)
    return area.district_id is not None and area.district_id == sub.district_id


def _incident_cards(
    session: Session, subscribers: Sequence[Subscriber], center_id: uuid.UUID
) -> list[IncidentCard]:
    districts = {s.district_id for s in subscribers if s.district_id is not None}
    streets = {s.street_key for s in subscribers if s.street_key}
    if not districts and not streets:
        return []
    conditions = []
    if districts:
        conditions.append(col(IncidentArea.district_id).in_(districts))
    if streets:
        conditions.append(col(IncidentArea.street_key).in_(streets))
    stmt = (
        select(IncidentArea, Incident)
        .join(Incident, col(Incident.id) == col(IncidentArea.incident_id))
        .where(
            Incident.center_id == center_id,
            Incident.status == IncidentStatus.ACTIVE.value,
            sa.or_(*conditions),
        )
    )
    incidents: dict[uuid.UUID, Incident] = {}
    covered: dict[uuid.UUID, dict[uuid.UUID, None]] = {}
    for area, incident in session.exec(stmt).all():
        hits = [s.id for s in subscribers if _covers(area, s)]
        if hits:
            incidents[incident.id] = incident
            covered.setdefault(incident.id, {}).update(dict.fromkeys(hits))
    ordered = sorted(incidents.values(), key=lambda i: (i.started_at, i.id), reverse=True)
    return [
        IncidentCard(
            id=i.id,
            kind=i.kind,
            status=i.status,
            title=i.title,
            public_message=i.public_message,
            started_at=i.started_at,
            expected_restoration_at=i.expected_restoration_at,
            subscriber_ids=tuple(covered[i.id]),
        )
        for i in ordered
    ]


def lookup_caller(
    session: Session,
    *,
    actor: AgentView,
    query: str,
    default_area: str | None = None,
    now: datetime | None = None,
) -> CallerCard:
    """The caller card for what the agent typed (see :func:`parse_caller_query`).

    Subscribers found by every reading of the query (at most MAX_SUBSCRIBERS), their phones and
    districts; the last MAX_CONTACTS calls from the number or the accounts; their open requests
    with the minutes left on each clock; and the active incidents whose area (a district, or a
    street by search key) covers a subscriber's address. Every query is an index lookup with a
    limit, so the card costs the same on a database of any size.
    """
    _require_caller(actor, "take calls")
    now = _aware_now(now)
    q = parse_caller_query(query, default_area=default_area)
    center_id = actor.center_id

    matched: dict[uuid.UUID, str] = {}
    phone: str | None = None
    tracked: Ticket | None = None
    more = False
    for kind, value in q.readings:
        if kind == QueryKind.PHONE and phone is None:
            phone = value
        if kind == QueryKind.TRACKING_CODE:
            tracked = _ticket_by_code(session, value, center_id)
            ids = [tracked.subscriber_id] if tracked and tracked.subscriber_id else []
        else:
            ids = _subscriber_ids(session, kind, value, center_id, MAX_SUBSCRIBERS + 1)
        for sid in ids:
            if sid not in matched:
                if len(matched) == MAX_SUBSCRIBERS:
                    more = True
                    break
                matched[sid] = kind
        more = more or len(ids) > MAX_SUBSCRIBERS

    rows = _names(session, Subscriber, matched)
    subscribers = [rows[sid] for sid in matched if sid in rows]
    sub_ids = [s.id for s in subscribers]
    phones: dict[uuid.UUID, list[str]] = {sid: [] for sid in sub_ids}
    if sub_ids:
        # Sorted here: an ORDER BY tempts PostgreSQL to walk the whole phone index instead.
        phone_rows = session.exec(
            select(SubscriberPhone).where(col(SubscriberPhone.subscriber_id).in_(sub_ids))
        ).all()
        for p in sorted(phone_rows, key=lambda p: p.phone):
            phones[p.subscriber_id].append(p.phone)
    districts = _names(session, District, (s.district_id for s in subscribers))

    calls: dict[uuid.UUID, Call] = {}
    if phone is not None:
        calls.update((c.id, c) for c in _recent_calls(session, Call.phone, phone, center_id))
    for sid in sub_ids:
        calls.update((c.id, c) for c in _recent_calls(session, Call.subscriber_id, sid, center_id))
    recent = sorted(calls.values(), key=lambda c: (c.started_at, c.id), reverse=True)
    recent = recent[:MAX_CONTACTS]

    tickets: dict[uuid.UUID, Ticket] = {}
    if phone is not None:
        tickets.update((t.id, t) for t in _open_tickets(session, Ticket.phone, phone, center_id))
    for sid in sub_ids:
        tickets.update(
            (t.id, t) for t in _open_tickets(session, Ticket.subscriber_id, sid, center_id)
        )
    if tracked is not None and tracked.status in OPEN_STATUSES:
        tickets[tracked.id] = tracked
    open_tickets = sorted(tickets.values(), key=lambda t: (t.opened_at, t.id), reverse=True)
    open_tickets = open_tickets[:MAX_OPEN_REQUESTS]

    categories = _names(
        session,
        Category,
        [c.category_id for c in recent] + [t.category_id for t in open_tickets],
    )
    agents = _names(session, Agent, (c.agent_id for c in recent))
    units = _names(session, Unit, (t.unit_id for t in open_tickets))
    calendars = sla.load_calendars(
        session, {categories[t.category_id].calendar_id for t in open_tickets}
    )

    def category_names(category_id: uuid.UUID | None) -> tuple[str, str]:
        category = categories.get(category_id) if category_id else None
        return (category.name_fa, category.name_en) if category else ("", "")

    contact_views = []
    for c in recent:
        name_fa, name_en = category_names(c.category_id)
        agent = agents.get(c.agent_id)
        contact_views.append(
            ContactView(
                id=c.id,
                started_at=c.started_at,
                ended_at=c.ended_at,
                channel=c.channel,
                phone=c.phone,
                subscriber_id=c.subscriber_id,
                category_id=c.category_id,
                category_name_fa=name_fa,
                category_name_en=name_en,
                outcome=c.outcome,
                agent_id=c.agent_id,
                agent_name=agent.full_name if agent else "",
                ticket_id=c.ticket_id,
                incident_id=c.incident_id,
                notes=c.notes,
            )
        )

    request_views = []
    for t in open_tickets:
        category = categories[t.category_id]
        calendar = calendars[category.calendar_id]
        unit = units.get(t.unit_id) if t.unit_id else None
        response_due = t.response_due_at if t.responded_at is None else None
        resolution_left = _minutes_left(calendar, t, t.resolution_due_at, now)
        response_left = _minutes_left(calendar, t, response_due, now)
        request_views.append(
            OpenRequestView(
                id=t.id,
                tracking_code=t.tracking_code,
                status=t.status,
                kind=t.kind,
                priority=t.priority,
                escalation_level=t.escalation_level,
                category_id=t.category_id,
                category_name_fa=category.name_fa,
                category_name_en=category.name_en,
                unit_id=t.unit_id,
                unit_name_fa=unit.name_fa if unit else "",
                unit_name_en=unit.name_en if unit else "",
                subscriber_id=t.subscriber_id,
                phone=t.phone,
                address=t.address,
                opened_at=t.opened_at,
                response_due_at=t.response_due_at,
                resolution_due_at=t.resolution_due_at,
                response_minutes_left=response_left,
                resolution_minutes_left=resolution_left,
                clock_paused=t.paused_at is not None,
                overdue=any(m is not None and m < 0 for m in (resolution_left, response_left)),
            )
        )

    subscriber_cards = []
    for s in subscribers:
        district = districts.get(s.district_id) if s.district_id else None
        subscriber_cards.append(
            SubscriberCard(
                id=s.id,
                subscription_no=s.subscription_no,
                bill_id=s.bill_id,
                national_code=s.national_code,
                name=s.name,
                address=s.address,
                district_id=s.district_id,
                district_name_fa=district.name_fa if district else "",
                district_name_en=district.name_en if district else "",
                street=s.street,
                usage=s.usage,
                active=s.active,
                phones=tuple(phones[s.id]),
                matched_by=matched[s.id],
            )
        )

    return CallerCard(
        query=q,
        phone=phone,
        subscribers=tuple(subscriber_cards),
        more_subscribers=more,
        recent_contacts=tuple(contact_views),
        open_requests=tuple(request_views),
        incidents=tuple(_incident_cards(session, subscribers, center_id)),
        tracked_ticket_id=tracked.id if tracked else None,
    )


# --- categories ------------------------------------------------------------------------------


def _category_key(category: Category) -> str:
    return category.search_key or search_key(
        f"{category.name_fa} {category.name_en} {category.code}"
    )


def find_categories(
    session: Session, *, actor: AgentView, text: str, limit: int = 10
) -> list[CategoryView]:
    """Type-ahead over the center's active categories, Persian or English.

    Matched on :func:`db.text.search_key` (so ي/ی, ك/ک and digit scripts do not matter): first
    categories where every typed word starts a word of the name, then those containing the
    typed text anywhere; each group in catalog order. Empty text lists the catalog.
    """
    _require_caller(actor, "take calls")
    rows = session.exec(
        select(Category)
        .where(Category.center_id == actor.center_id, col(Category.active).is_(True))
        .order_by(col(Category.sort_order), col(Category.code))
    ).all()
    key = search_key(text or "")
    if not key:
        return [category_view(c) for c in rows[:limit]]
    typed = _WORDS.split(key)
    typed = [t for t in typed if t]
    ranked: list[tuple[int, int, Category]] = []
    for i, category in enumerate(rows):
        ckey = _category_key(category)
        words = [w for w in _WORDS.split(ckey) if w]
        if typed and all(any(w.startswith(t) for w in words) for t in typed):
            ranked.append((0, i, category))
        elif key in ckey:
            ranked.append((1, i, category))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return [category_view(c) for _, _, c in ranked[:limit]]


def recent_categories(session: Session, *, actor: AgentView, limit: int = 5) -> list[CategoryView]:
    """The active categories of the actor's own latest calls, most recent first, no repeats."""
    _require_caller(actor, "take calls")
    ids = session.exec(
        select(Call.category_id)
        .where(Call.agent_id == actor.id, col(Call.category_id).is_not(None))
        .order_by(col(Call.started_at).desc())
        .limit(max(50, limit * 10))
    ).all()
    ordered = list(dict.fromkeys(ids))
    rows = _names(session, Category, ordered)
    result = []
    for category_id in ordered:
        category = rows.get(category_id)
        if category and category.active and category.center_id == actor.center_id:
            result.append(category_view(category))
            if len(result) == limit:
                break
    return result


def get_category(session: Session, *, actor: AgentView, category_id: uuid.UUID) -> CategoryView:
    """One category of the actor's center, active or not (a resumed draft names it by id).

    Errors: category not_found.
    """
    _require_caller(actor, "take calls")
    return category_view(_in_center(session, Category, category_id, "category", actor))


def list_districts(session: Session, *, actor: AgentView) -> list[DistrictView]:
    """The center's active districts, by code: few, so the screen filters them itself."""
    _require_caller(actor, "take calls")
    rows = session.exec(
        select(District)
        .where(District.center_id == actor.center_id, col(District.active).is_(True))
        .order_by(col(District.code))
    ).all()
    return [DistrictView(id=d.id, code=d.code, name_fa=d.name_fa, name_en=d.name_en) for d in rows]


def _canned_key(answer: CannedAnswer) -> str:
    return answer.search_key or search_key(f"{answer.title_fa} {answer.title_en} {answer.code}")


def find_canned_answers(
    session: Session,
    *,
    actor: AgentView,
    text: str,
    category_id: uuid.UUID | None = None,
    limit: int = 20,
) -> list[CannedAnswerView]:
    """Search the center's active canned answers, Persian or English, for an information call.

    Matched on :func:`db.text.search_key` like :func:`find_categories`: answers whose title
    words start with every typed word first, then titles containing the typed text, then
    answers whose text contains it. With ``category_id``, that category's answers come first
    in each group (the others still follow: a caller asking about a bill may need the payment
    ways too). Empty text lists them all. Ties keep the catalog order (creation order).
    """
    _require_caller(actor, "take calls")
    rows = session.exec(
        select(CannedAnswer)
        .where(CannedAnswer.center_id == actor.center_id, col(CannedAnswer.active).is_(True))
        .order_by(col(CannedAnswer.id))
    ).all()
    key = search_key(text or "")
    typed = [t for t in _WORDS.split(key) if t]
    ranked: list[tuple[int, int, int, CannedAnswer]] = []
    for i, answer in enumerate(rows):
        other = 0 if category_id is None or answer.category_id == category_id else 1
        if not key:
            ranked.append((other, 0, i, answer))
            continue
        title = _canned_key(answer)
        words = [w for w in _WORDS.split(title) if w]
        if typed and all(any(w.startswith(t) for w in words) for t in typed):
            ranked.append((other, 0, i, answer))
        elif key in title:
            ranked.append((other, 1, i, answer))
        elif key in search_key(f"{answer.body_fa} {answer.body_en}"):
            ranked.append((other, 2, i, answer))
    ranked.sort(key=lambda r: (r[1], r[0], r[2]))
    return [
        CannedAnswerView(
            id=a.id,
            code=a.code,
            category_id=a.category_id,
            title_fa=a.title_fa,
            title_en=a.title_en,
            body_fa=a.body_fa,
            body_en=a.body_en,
        )
        for *_, a in ranked[:limit]
    ]


# --- repeat callers --------------------------------------------------------------------------


def find_repeat(
    session: Session,
    *,
    actor: AgentView,
    phone: str | None,
    subscriber_id: uuid.UUID | None,
    category_id: uuid.UUID,
    now: datetime | None = None,
    default_area: str | None = None,
) -> RepeatView | None:
    """Whether this caller already called about this category.

    An open request on the same number or account and category (of any age) comes first: the
    screen offers to link to it instead of registering a duplicate. Otherwise the latest call on
    the same number or account and category within REPEAT_WINDOW before ``now``. None if
    neither. Errors: phone (validator reasons).
    """
    _require_caller(actor, "take calls")
    now = _aware_now(now)
    phone = _phone(phone, default_area)
    center_id = actor.center_id
    keys: list[tuple[str, Any, Any]] = []
    if phone is not None:
        keys.append(("phone", Ticket.phone, phone))
    if subscriber_id is not None:
        keys.append(("subscriber", Ticket.subscriber_id, subscriber_id))

    best_ticket: tuple[Ticket, str] | None = None
    for matched_by, column, value in keys:
        # Open tickets of one caller are few: filter the category here rather than let the
        # category index compete with the caller's.
        for t in _open_tickets(session, column, value, center_id, limit=200):
            if t.category_id == category_id and (
                best_ticket is None or t.opened_at > best_ticket[0].opened_at
            ):
                best_ticket = (t, matched_by)
    if best_ticket is not None:
        t, matched_by = best_ticket
        return RepeatView(
            kind="open_request",
            matched_by=matched_by,
            ticket_id=t.id,
            tracking_code=t.tracking_code,
            ticket_status=t.status,
            call_id=None,
            call_outcome=None,
            at=t.opened_at,
        )

    since = now - REPEAT_WINDOW
    best_call: tuple[Call, str] | None = None
    for matched_by, _column, value in keys:
        column = Call.phone if matched_by == "phone" else Call.subscriber_id
        call = session.exec(
            select(Call)
            .where(
                column == value,
                col(Call.started_at) >= since,
                col(Call.started_at) <= now,
                _center_is(session, Call.__table__.c.center_id, center_id),
                Call.category_id == category_id,
            )
            .order_by(col(Call.started_at).desc())
            .limit(1)
        ).first()
        if call is not None and (best_call is None or call.started_at > best_call[0].started_at):
            best_call = (call, matched_by)
    if best_call is None:
        return None
    call, matched_by = best_call
    ticket = session.get(Ticket, call.ticket_id) if call.ticket_id else None
    return RepeatView(
        kind="recent_call",
        matched_by=matched_by,
        ticket_id=ticket.id if ticket else None,
        tracking_code=ticket.tracking_code if ticket else None,
        ticket_status=ticket.status if ticket else None,
        call_id=call.id,
        call_outcome=call.outcome,
        at=call.started_at,
    )


# --- outcomes --------------------------------------------------------------------------------


def record_contact(
    session: Session,
    *,
    actor: AgentView,
    phone: str | None,
    subscriber_id: uuid.UUID | None,
    category_id: uuid.UUID | None,
    channel: str,
    outcome: str,
    notes: str = "",
    started_at: datetime,
    ended_at: datetime,
    wants_callback: bool = False,
    discard_draft: bool = True,
    default_area: str | None = None,
) -> CallView:
    """Save a call that ends without a request: answered (information given), transferred or
    dropped. An answered call needs its category (the information given is counted by it).

    Errors: outcome not_allowed; category required | not_found | inactive; subscriber not_found;
    phone (validator reasons); channel unknown; notes too_long; started_at/ended_at required |
    naive | in_future; ended_at before_start.
    """
    _require_caller(actor, "take calls")
    if outcome not in CONTACT_OUTCOMES:
        raise IntakeError("outcome", "not_allowed", outcome=str(outcome))
    started_at, ended_at = _times(started_at, ended_at)
    channel = _channel(channel)
    phone = _phone(phone, default_area)
    notes = _text("notes", notes)
    if category_id is not None or outcome == CallOutcome.ANSWERED:
        _category(session, category_id, actor)
    _subscriber(session, subscriber_id, actor)

    call = _new_call(
        actor,
        channel=channel,
        phone=phone,
        subscriber_id=subscriber_id,
        category_id=category_id,
        outcome=CallOutcome(outcome).value,
        notes=notes,
        started_at=started_at,
        ended_at=ended_at,
        wants_callback=wants_callback,
    )
    session.add(call)
    if discard_draft:
        _discard(session, actor)
    session.flush()
    return call_view(call)


def register_request(
    session: Session,
    *,
    actor: AgentView,
    phone: str | None,
    subscriber_id: uuid.UUID | None,
    category_id: uuid.UUID | None,
    channel: str,
    address: str = "",
    district_id: uuid.UUID | None = None,
    description: str = "",
    caller_name: str = "",
    started_at: datetime,
    ended_at: datetime,
    notes: str = "",
    discard_draft: bool = True,
    default_area: str | None = None,
) -> RegisteredView:
    """Register a request: ticket + first event + call, in the session's transaction.

    The category decides priority, unit (its default unit), kind (complaint categories) and
    the due dates: response and resolution targets counted from ``started_at`` (the citizen's
    clock starts with the call) on the category's calendar; a target of 0 minutes means none.
    The district is the one given, else the subscriber's. The tracking code is drawn last, so a
    refused request uses no number.

    Errors: category required | not_found | inactive | information_only; the category's
    required fields: address | subscriber | description | caller_name | phone | district
    required; subscriber/district not_found; phone (validator reasons); channel unknown;
    address/description/caller_name/notes too_long; times as in :func:`record_contact`.
    """
    _require_caller(actor, "register requests")
    started_at, ended_at = _times(started_at, ended_at)
    channel = _channel(channel)
    phone = _phone(phone, default_area)
    address = _text("address", address)
    description = _text("description", description)
    caller_name = _text("caller_name", caller_name)
    notes = _text("notes", notes)
    category = _category(session, category_id, actor)
    if not category.needs_request:
        raise IntakeError("category", "information_only", code=category.code)
    subscriber = _subscriber(session, subscriber_id, actor)
    if district_id is not None:
        _in_center(session, District, district_id, "district", actor)
    elif subscriber is not None:
        district_id = subscriber.district_id
    given = {
        "address": address,
        "subscriber": subscriber_id,
        "description": description,
        "caller_name": caller_name,
        "phone": phone,
        "district": district_id,
    }
    for required in category.required_fields or ():
        if required in given and not given[required]:
            raise IntakeError(required, "required", category=category.code)

    calendar = sla.load_calendar(session, category.calendar_id)
    response_due = (
        sla.due_at(calendar, started_at, category.response_minutes)
        if category.response_minutes
        else None
    )
    resolution_due = (
        sla.due_at(calendar, started_at, category.resolution_minutes)
        if category.resolution_minutes
        else None
    )
    unit = session.get(Unit, category.default_unit_id) if category.default_unit_id else None
    center = session.get(Center, actor.center_id)
    assert center is not None

    code, year, seq = next_tracking_code(
        session, center_id=center.id, center_number=center.number, at=started_at
    )
    ticket = Ticket(
        center_id=actor.center_id,
        tracking_code=code,
        year=year,
        seq=seq,
        kind=TicketKind.COMPLAINT if category.code in _COMPLAINT_CODES else TicketKind.REQUEST,
        status=TicketStatus.REGISTERED,
        priority=category.priority,
        category_id=category.id,
        unit_id=unit.id if unit else None,
        subscriber_id=subscriber_id,
        district_id=district_id,
        phone=phone,
        caller_name=caller_name,
        address=address,
        description=description,
        opened_at=started_at,
        response_due_at=response_due,
        resolution_due_at=resolution_due,
        updated_at=ended_at,
    )
    session.add(ticket)
    session.flush()
    call = _new_call(
        actor,
        channel=channel,
        phone=phone,
        subscriber_id=subscriber_id,
        category_id=category.id,
        outcome=CallOutcome.REQUEST_REGISTERED,
        notes=notes,
        started_at=started_at,
        ended_at=ended_at,
        ticket_id=ticket.id,
    )
    session.add(call)
    session.add(
        TicketEvent(
            center_id=actor.center_id,
            ticket_id=ticket.id,
            at=ended_at,
            actor_id=actor.id,
            action="registered",
            from_status=None,
            to_status=TicketStatus.REGISTERED,
            unit_id=ticket.unit_id,
            note=notes,
            data={"call_id": str(call.id), "channel": channel},
        )
    )
    if discard_draft:
        _discard(session, actor)
    session.flush()
    return RegisteredView(call=call_view(call), ticket=_ticket_view(ticket, category, unit))


def link_to_incident(
    session: Session,
    *,
    actor: AgentView,
    incident_id: uuid.UUID,
    phone: str | None,
    subscriber_id: uuid.UUID | None,
    category_id: uuid.UUID | None,
    channel: str,
    notes: str = "",
    started_at: datetime,
    ended_at: datetime,
    wants_callback: bool = False,
    discard_draft: bool = True,
    default_area: str | None = None,
) -> CallView:
    """Save a call about a known incident, linked to it instead of a duplicate request.

    ``wants_callback`` marks the caller for the notice when the incident closes.
    Errors: incident not_found | closed; category not_found | inactive; the rest as in
    :func:`record_contact`.
    """
    _require_caller(actor, "take calls")
    started_at, ended_at = _times(started_at, ended_at)
    channel = _channel(channel)
    phone = _phone(phone, default_area)
    notes = _text("notes", notes)
    incident = _in_center(session, Incident, incident_id, "incident", actor)
    if incident.status != IncidentStatus.ACTIVE:
        raise IntakeError("incident", "closed", title=incident.title)
    if category_id is not None:
        _category(session, category_id, actor)
    _subscriber(session, subscriber_id, actor)

    call = _new_call(
        actor,
        channel=channel,
        phone=phone,
        subscriber_id=subscriber_id,
        category_id=category_id,
        outcome=CallOutcome.LINKED_INCIDENT,
        notes=notes,
        started_at=started_at,
        ended_at=ended_at,
        wants_callback=wants_callback,
        incident_id=incident.id,
    )
    session.add(call)
    if discard_draft:
        _discard(session, actor)
    session.flush()
    return call_view(call)


def link_to_request(
    session: Session,
    *,
    actor: AgentView,
    ticket_id: uuid.UUID,
    phone: str | None,
    subscriber_id: uuid.UUID | None = None,
    category_id: uuid.UUID | None = None,
    channel: str,
    notes: str = "",
    started_at: datetime,
    ended_at: datetime,
    wants_callback: bool = False,
    discard_draft: bool = True,
    default_area: str | None = None,
) -> CallView:
    """Save a repeat call on an open request, and note it in the request's history.

    Appends a "caller_called_again" event (from and to the current status: no status change,
    no version change, so nobody's edit of the request is refused because of it). The call's
    category and subscriber default to the request's.
    Errors: ticket not_found | closed | cancelled; the rest as in :func:`record_contact`.
    """
    _require_caller(actor, "take calls")
    started_at, ended_at = _times(started_at, ended_at)
    channel = _channel(channel)
    phone = _phone(phone, default_area)
    notes = _text("notes", notes)
    ticket = _in_center(session, Ticket, ticket_id, "ticket", actor)
    if ticket.status in CLOSED_STATUSES:
        raise IntakeError(
            "ticket", ticket.status, f"request {ticket.tracking_code} is {ticket.status}",
            tracking_code=ticket.tracking_code,
        )  # fmt: skip
    if category_id is not None:
        _category(session, category_id, actor)
    _subscriber(session, subscriber_id, actor)

    call = _new_call(
        actor,
        channel=channel,
        phone=phone,
        subscriber_id=subscriber_id or ticket.subscriber_id,
        category_id=category_id or ticket.category_id,
        outcome=CallOutcome.LINKED_REQUEST,
        notes=notes,
        started_at=started_at,
        ended_at=ended_at,
        wants_callback=wants_callback,
        ticket_id=ticket.id,
    )
    session.add(call)
    session.add(
        TicketEvent(
            center_id=actor.center_id,
            ticket_id=ticket.id,
            at=ended_at,
            actor_id=actor.id,
            action="caller_called_again",
            from_status=ticket.status,
            to_status=ticket.status,
            note=notes,
            data={"call_id": str(call.id), "channel": channel},
        )
    )
    if discard_draft:
        _discard(session, actor)
    session.flush()
    return call_view(call)


# --- "what happened to my request?" ----------------------------------------------------------


def find_request(
    session: Session, *, actor: AgentView, tracking_code: str, now: datetime | None = None
) -> RequestStatusView:
    """A request by its tracking code (any digit script, spaces, dashes), with its history.

    Errors (field "tracking_code"): the reasons of db.tracking.TrackingReason (empty,
    not_digits, wrong_length, bad_checksum, bad_center, bad_sequence), or not_found.
    """
    _require_caller(actor, "look up requests")
    now = _aware_now(now)
    try:
        code = parse_tracking_code(tracking_code).code
    except TrackingCodeError as e:
        raise IntakeError("tracking_code", e.reason.value, str(e), value=tracking_code) from None
    ticket = _ticket_by_code(session, code, actor.center_id)
    if ticket is None:
        raise IntakeError("tracking_code", "not_found", code=code)
    category = session.get(Category, ticket.category_id)
    assert category is not None
    events = session.exec(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id)
        .order_by(col(TicketEvent.at), col(TicketEvent.id))
    ).all()
    agents = _names(session, Agent, (e.actor_id for e in events))
    units = _names(session, Unit, [ticket.unit_id, *(e.unit_id for e in events)])
    district = session.get(District, ticket.district_id) if ticket.district_id else None
    contacts = session.exec(
        select(sa.func.count()).select_from(Call).where(Call.ticket_id == ticket.id)
    ).one()

    is_open = ticket.status in OPEN_STATUSES
    left = None
    if is_open:
        calendar = sla.load_calendar(session, category.calendar_id)
        left = _minutes_left(calendar, ticket, ticket.resolution_due_at, now)
    what = WHAT_TO_TELL.get(ticket.status, ticket.status)
    if ticket.status == TicketStatus.CANCELLED and ticket.duplicate_of_id is not None:
        what = _CANCELLED_DUPLICATE

    def unit_name(unit_id: uuid.UUID | None, attr: str) -> str:
        unit = units.get(unit_id) if unit_id else None
        return getattr(unit, attr) if unit else ""

    return RequestStatusView(
        ticket=_ticket_view(
            ticket, category, units.get(ticket.unit_id) if ticket.unit_id else None
        ),
        district_name_fa=district.name_fa if district else "",
        district_name_en=district.name_en if district else "",
        responded_at=ticket.responded_at,
        resolved_at=ticket.resolved_at,
        closed_at=ticket.closed_at,
        resolution_minutes_left=left,
        clock_paused=ticket.paused_at is not None,
        overdue=left is not None and left < 0,
        what_to_tell=what,
        events=tuple(
            TicketEventView(
                id=e.id,
                at=e.at,
                actor_id=e.actor_id,
                actor_name=agents[e.actor_id].full_name if e.actor_id in agents else "",
                action=e.action,
                from_status=e.from_status,
                to_status=e.to_status,
                unit_id=e.unit_id,
                unit_name_fa=unit_name(e.unit_id, "name_fa"),
                unit_name_en=unit_name(e.unit_id, "name_en"),
                note=e.note,
            )
            for e in events
        ),
        contacts=contacts,
    )


# --- drafts ----------------------------------------------------------------------------------


def _draft_json(fields: dict[str, Any]) -> str:
    if not isinstance(fields, dict):
        raise IntakeError("draft", "not_json")
    try:
        text = json.dumps(fields, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        raise IntakeError("draft", "not_json") from None
    if len(text) > MAX_DRAFT_CHARS:
        raise IntakeError("draft", "too_large", max=MAX_DRAFT_CHARS)
    return text


def save_draft(
    session: Session, *, actor: AgentView, fields: dict[str, Any], now: datetime | None = None
) -> DraftView:
    """Keep the agent's half-typed call (one per agent), replacing the previous one.

    ``fields`` is any JSON object (the screen decides its keys). An update, else an insert in a
    savepoint; if another session inserted first, the update is retried, so the upsert is safe
    on both engines. Errors (field "draft"): not_json, too_large.
    """
    _require_caller(actor, "take calls")
    now = _aware_now(now)
    copy = json.loads(_draft_json(fields))
    table = CallDraft.__table__

    def update() -> int:
        result = session.execute(
            sa.update(table)
            .where(table.c.agent_id == actor.id)
            .values(fields=copy, updated_at=now, center_id=actor.center_id)
        )
        return result.rowcount

    if not update():
        try:
            with session.begin_nested():
                session.execute(
                    sa.insert(table).values(
                        agent_id=actor.id,
                        center_id=actor.center_id,
                        fields=copy,
                        started_at=now,
                        updated_at=now,
                    )
                )
        except IntegrityError:
            if not update():  # pragma: no cover - the row cannot vanish once inserted
                raise
    draft = load_draft(session, actor=actor)
    assert draft is not None
    return draft


def load_draft(session: Session, *, actor: AgentView) -> DraftView | None:
    """The agent's saved draft, or None (offer to resume it after sign-in)."""
    _require_caller(actor, "take calls")
    table = CallDraft.__table__
    row = session.execute(
        sa.select(table.c.fields, table.c.started_at, table.c.updated_at).where(
            table.c.agent_id == actor.id
        )
    ).first()
    if row is None:
        return None
    return DraftView(
        fields=json.loads(json.dumps(row.fields)),
        started_at=row.started_at,
        updated_at=row.updated_at,
    )


def discard_draft(session: Session, *, actor: AgentView) -> bool:
    """Drop the agent's draft; True if there was one."""
    _require_caller(actor, "take calls")
    return _discard(session, actor)
