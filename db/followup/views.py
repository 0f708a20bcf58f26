"""What follow-up returns: requests with their clocks, the detail, queue pages, tick reports.

Frozen dataclasses the console reads, and :func:`_views` / :func:`_views_by_id`, which build
request views with their names and clocks for any number of tickets in a handful of queries.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from db import sla
from db.followup.records import _fresh, _names
from db.followup.settings import load_followup_settings
from db.models import OPEN_STATUSES, Agent, Category, District, Ticket, Unit
from db.views import TicketEventView


@dataclass(frozen=True)
class RequestView:
    """A request as the follow-up screens show it, with its clocks read at ``as_of``.

    Times are aware UTC. ``claimed_by_*`` name the last holder even when the claim expired;
    ``claim_active`` says whether it still holds at ``as_of``. ``unit_clock`` is None before the
    first referral; ``response_clock`` is the "until a unit has it" target.
    """

    id: uuid.UUID
    center_id: uuid.UUID
    tracking_code: str
    status: str
    kind: str
    priority: int
    escalation_level: int
    category_id: uuid.UUID
    category_code: str
    category_name_fa: str
    category_name_en: str
    emergency: bool
    unit_id: uuid.UUID | None
    unit_name_fa: str
    unit_name_en: str
    district_id: uuid.UUID | None
    district_name_fa: str
    district_name_en: str
    subscriber_id: uuid.UUID | None
    phone: str | None
    caller_name: str
    address: str
    description: str
    opened_at: datetime
    referred_at: datetime | None
    response_due_at: datetime | None
    resolution_due_at: datetime | None
    unit_due_at: datetime | None
    responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    paused_at: datetime | None
    paused_seconds: int
    parent_id: uuid.UUID | None
    duplicate_of_id: uuid.UUID | None
    claimed_by_id: uuid.UUID | None
    claimed_by_name: str
    claimed_until: datetime | None
    claim_active: bool
    version: int
    updated_at: datetime
    citizen_clock: sla.ClockView
    unit_clock: sla.ClockView | None
    response_clock: sla.ClockView | None
    as_of: datetime

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def overdue(self) -> bool:
        """A running clock (the citizen's or the unit's) has run out: what the queue's
        ``overdue`` filter selects. A clock that stopped late is late, not overdue."""
        return any(
            clock is not None and clock.running and clock.overdue
            for clock in (self.citizen_clock, self.unit_clock)
        )


@dataclass(frozen=True)
class TimelineEventView(TicketEventView):
    """One step of the timeline, with its ``data`` (escalation level and clock, callback id,
    duplicate, parent...)."""

    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LinkedRequestView:
    """Another request this one points at or is pointed at by."""

    id: uuid.UUID
    tracking_code: str
    status: str
    kind: str


@dataclass(frozen=True)
class CallbackSummary:
    """A feedback callback made for this request."""

    id: uuid.UUID
    status: str
    reason: str
    phone: str
    script: str
    due_at: datetime
    attempts: int


@dataclass(frozen=True)
class RequestDetail:
    """Everything about one request. ``events`` is the whole timeline, oldest first.

    ``contacts`` counts the calls on this request and on every request cancelled as its
    duplicate. ``children`` lists at most MAX_CHILDREN_SHOWN (``children_count`` has them all).
    ``actions`` are the actions the table allows from the current status and the actor may take.
    """

    request: RequestView
    events: tuple[TimelineEventView, ...]
    contacts: int
    parent: LinkedRequestView | None
    children: tuple[LinkedRequestView, ...]
    children_count: int
    duplicate_of: LinkedRequestView | None
    duplicates: tuple[LinkedRequestView, ...]
    callbacks: tuple[CallbackSummary, ...]
    actions: tuple[str, ...]


@dataclass(frozen=True, order=True)
class QueueCursor:
    """Where a queue page ended: the last row's (resolution_due_at, id). Rows with no due date
    come after every dated row."""

    due: datetime | None
    id: uuid.UUID

    def key(self) -> tuple[bool, datetime, uuid.UUID]:
        return (self.due is None, self.due or _MIN_TIME, self.id)


_MIN_TIME = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue, most urgent first, and the counts per open status under the same
    filters (except the status filter). ``next_cursor`` is None on the last page."""

    rows: tuple[RequestView, ...]
    next_cursor: QueueCursor | None
    counts_by_status: Mapping[str, int]


@dataclass(frozen=True)
class EscalationView:
    """One automatic escalation made by :func:`sla_tick`."""

    ticket_id: uuid.UUID
    tracking_code: str
    center_id: uuid.UUID
    unit_id: uuid.UUID | None
    from_level: int
    to_level: int
    clock: str
    minutes_late: int


@dataclass(frozen=True)
class TickReport:
    """What one :func:`sla_tick` did."""

    escalated: tuple[EscalationView, ...]
    expired_claims: int
    now: datetime


@dataclass(frozen=True)
class _Shown:
    """What a request view shows besides the ticket's own columns: its category (with what its
    clocks need), unit, district and holder, by name."""

    category_code: str
    category_name_fa: str
    category_name_en: str
    emergency: bool
    calendar_id: uuid.UUID
    resolution_minutes: int
    response_minutes: int
    unit_name_fa: str = ""
    unit_name_en: str = ""
    district_name_fa: str = ""
    district_name_en: str = ""
    claimed_by_name: str = ""


def _clock_targets(category: Any) -> dict[str, int]:
    """Each clock's target in minutes for a request of ``category``."""
    return {
        sla.ClockName.CITIZEN: category.resolution_minutes,
        sla.ClockName.UNIT: category.resolution_minutes,
        sla.ClockName.RESPONSE: category.response_minutes,
    }


def _views(session: Session, tickets: list[Any], now: datetime) -> list[RequestView]:
    """Views of ``tickets`` with names and clocks, in a handful of queries for any number."""
    if not tickets:
        return []
    categories = _names(session, Category, (t.category_id for t in tickets))
    units = _names(session, Unit, (t.unit_id for t in tickets))
    districts = _names(session, District, (t.district_id for t in tickets))
    agents = _names(session, Agent, (t.claimed_by_id for t in tickets))
    shown = []
    for t in tickets:
        c = categories[t.category_id]
        unit = units.get(t.unit_id) if t.unit_id else None
        district = districts.get(t.district_id) if t.district_id else None
        agent = agents.get(t.claimed_by_id) if t.claimed_by_id else None
        shown.append(
            _Shown(
                category_code=c.code,
                category_name_fa=c.name_fa,
                category_name_en=c.name_en,
                emergency=c.emergency,
                calendar_id=c.calendar_id,
                resolution_minutes=c.resolution_minutes,
                response_minutes=c.response_minutes,
                unit_name_fa=unit.name_fa if unit else "",
                unit_name_en=unit.name_en if unit else "",
                district_name_fa=district.name_fa if district else "",
                district_name_en=district.name_en if district else "",
                claimed_by_name=agent.full_name if agent else "",
            )
        )
    return _build_views(session, list(zip(tickets, shown, strict=True)), now)


_T = Ticket.__table__
_CATEGORY = Category.__table__
_UNIT = Unit.__table__
_DISTRICT = District.__table__
_AGENT = Agent.__table__


def _views_by_id(session: Session, ids: list[uuid.UUID], now: datetime) -> list[RequestView]:
    """Views of the tickets ``ids`` (in that order; a missing id is left out) as the database
    has them now: each ticket and its names in one statement, for a queue page."""
    if not ids:
        return []
    stmt = (
        sa.select(
            _T,
            _CATEGORY.c.code.label("category_code"),
            _CATEGORY.c.name_fa.label("category_name_fa"),
            _CATEGORY.c.name_en.label("category_name_en"),
            _CATEGORY.c.emergency.label("category_emergency"),
            _CATEGORY.c.calendar_id.label("category_calendar_id"),
            _CATEGORY.c.resolution_minutes.label("category_resolution_minutes"),
            _CATEGORY.c.response_minutes.label("category_response_minutes"),
            _UNIT.c.name_fa.label("unit_name_fa"),
            _UNIT.c.name_en.label("unit_name_en"),
            _DISTRICT.c.name_fa.label("district_name_fa"),
            _DISTRICT.c.name_en.label("district_name_en"),
            _AGENT.c.full_name.label("claimed_by_name"),
        )
        .select_from(
            _T.join(_CATEGORY, _CATEGORY.c.id == _T.c.category_id)
            .outerjoin(_UNIT, _UNIT.c.id == _T.c.unit_id)
            .outerjoin(_DISTRICT, _DISTRICT.c.id == _T.c.district_id)
            .outerjoin(_AGENT, _AGENT.c.id == _T.c.claimed_by_id)
        )
        .where(_T.c.id.in_(ids))
    )
    rows = {row.id: row for row in session.execute(stmt)}
    pairs = [
        (
            row,
            _Shown(
                category_code=row.category_code,
                category_name_fa=row.category_name_fa,
                category_name_en=row.category_name_en,
                emergency=row.category_emergency,
                calendar_id=row.category_calendar_id,
                resolution_minutes=row.category_resolution_minutes,
                response_minutes=row.category_response_minutes,
                unit_name_fa=row.unit_name_fa or "",
                unit_name_en=row.unit_name_en or "",
                district_name_fa=row.district_name_fa or "",
                district_name_en=row.district_name_en or "",
                claimed_by_name=row.claimed_by_name or "",
            ),
        )
        for row in (rows.get(i) for i in ids)
        if row is not None
    ]
    return _build_views(session, pairs, now)


def _build_views(
    session: Session, pairs: list[tuple[Any, _Shown]], now: datetime
) -> list[RequestView]:
    """The views of (ticket, what it shows) pairs, with their clocks."""
    if not pairs:
        return []
    calendars = sla.load_calendars(session, {shown.calendar_id for _t, shown in pairs})
    settings = {
        center: load_followup_settings(session, center).sla
        for center in {t.center_id for t, _shown in pairs}
    }
    views = []
    for t, shown in pairs:
        calendar = calendars[shown.calendar_id]
        conf = settings[t.center_id]
        clocks = {
            name: sla.clock_state(t, calendar, now, conf, clock=name, target_minutes=minutes)
            for name, minutes in _clock_targets(shown).items()
        }
        citizen = clocks[sla.ClockName.CITIZEN]
        assert citizen is not None
        views.append(
            RequestView(
                id=t.id,
                center_id=t.center_id,
                tracking_code=t.tracking_code,
                status=t.status,
                kind=t.kind,
                priority=t.priority,
                escalation_level=t.escalation_level,
                category_id=t.category_id,
                category_code=shown.category_code,
                category_name_fa=shown.category_name_fa,
                category_name_en=shown.category_name_en,
                emergency=shown.emergency,
                unit_id=t.unit_id,
                unit_name_fa=shown.unit_name_fa,
                unit_name_en=shown.unit_name_en,
                district_id=t.district_id,
                district_name_fa=shown.district_name_fa,
                district_name_en=shown.district_name_en,
                subscriber_id=t.subscriber_id,
                phone=t.phone,
                caller_name=t.caller_name,
                address=t.address,
                description=t.description,
                opened_at=t.opened_at,
                referred_at=t.referred_at,
                response_due_at=t.response_due_at,
                resolution_due_at=t.resolution_due_at,
                unit_due_at=t.unit_due_at,
                responded_at=t.responded_at,
                resolved_at=t.resolved_at,
                closed_at=t.closed_at,
                paused_at=t.paused_at,
                paused_seconds=t.paused_seconds,
                parent_id=t.parent_id,
                duplicate_of_id=t.duplicate_of_id,
                claimed_by_id=t.claimed_by_id,
                claimed_by_name=shown.claimed_by_name if t.claimed_by_id else "",
                claimed_until=t.claimed_until,
                claim_active=t.claimed_by_id is not None
                and t.claimed_until is not None
                and t.claimed_until >= now,
                version=t.version,
                updated_at=t.updated_at,
                citizen_clock=citizen,
                unit_clock=clocks[sla.ClockName.UNIT],
                response_clock=clocks[sla.ClockName.RESPONSE],
                as_of=now,
            )
        )
    return views


def _view_of(session: Session, ticket_id: uuid.UUID, now: datetime) -> RequestView:
    """The view of a ticket as the database has it now."""
    fresh = _fresh(session, ticket_id)
    assert fresh is not None
    return _views(session, [fresh], now)[0]


def _linked(ticket: Ticket) -> LinkedRequestView:
    return LinkedRequestView(
        id=ticket.id, tracking_code=ticket.tracking_code, status=ticket.status, kind=ticket.kind
    )
