"""The chase board: overdue and at-risk referrals grouped by unit, and the calls made to units.

A follow-up agent's day starts with a round of calls to the operational units: "your three
bursts in Jolfa are late, when?". :func:`chase_board` lists what to ask about, unit by unit;
:func:`log_unit_call` keeps what the unit said ("called the Jolfa crew, promised by 14:30") as
a log-only "unit_called" event on each request discussed, so the next agent (and the
subscriber calling again) knows. A promise that has passed with no answer shows as broken.
"""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from db import sla
from db.accounts import AgentView, require
from db.followup.errors import FollowupError
from db.followup.queue import _overdue_clause
from db.followup.records import _aware_now, _c, _event, _names, _ticket
from db.followup.settings import load_followup_settings
from db.followup.states import FOLLOWUP_ROLES, MAX_NOTE, READ_ROLES
from db.followup.views import RequestView, _clock_targets, _views
from db.models import Agent, Category, Ticket, TicketEvent, TicketStatus, Unit

#: The log-only event a call to a unit leaves on a request.
UNIT_CALLED = "unit_called"

#: The statuses in which a unit has the request: what there is to chase.
CHASED_STATUSES: tuple[str, ...] = (TicketStatus.REFERRED, TicketStatus.IN_PROGRESS)

#: Requests shown under each unit: more than a round of calls gets through; the counts say
#: how many there are in all.
PER_UNIT = 20


@dataclass(frozen=True)
class UnitCallView:
    """The latest call to the unit about one request."""

    at: datetime
    actor_name: str
    promised_at: datetime | None
    note: str

    def broken(self, now: datetime) -> bool:
        """The unit promised a time that has passed (the request is still with the unit)."""
        return self.promised_at is not None and self.promised_at < now


@dataclass(frozen=True)
class ChaseItem:
    request: RequestView
    last_call: UnitCallView | None

    @property
    def overdue(self) -> bool:
        return self.request.overdue


@dataclass(frozen=True)
class ChaseGroup:
    """One unit's late and nearly late referrals, most urgent first."""

    unit_id: uuid.UUID
    unit_name_fa: str
    unit_name_en: str
    phone: str
    items: tuple[ChaseItem, ...]
    """The most urgent of them, at most the board's ``per_unit``."""
    overdue: int
    at_risk: int

    @property
    def total(self) -> int:
        return self.overdue + self.at_risk


@dataclass(frozen=True)
class ChaseBoard:
    groups: tuple[ChaseGroup, ...]
    as_of: datetime


def _urgency(view: RequestView) -> tuple[int, float]:
    """Sort key: the clock with the least working time left, of the unit's and the citizen's."""
    lefts = [
        clock.minutes_left
        for clock in (view.unit_clock, view.citizen_clock)
        if clock is not None and clock.minutes_left is not None
    ]
    return (0 if lefts else 1, min(lefts) if lefts else 0)


def _nearly_due(session: Session, tickets: list[Ticket], now: datetime) -> list[Ticket]:
    """The tickets whose citizen's or unit's clock is in its warning share: only those two
    clocks are read (the board may weigh thousands of requests not yet due)."""
    categories = _names(session, Category, (t.category_id for t in tickets))
    calendars = sla.load_calendars(session, {c.calendar_id for c in categories.values()})
    settings = {c: load_followup_settings(session, c).sla for c in {t.center_id for t in tickets}}
    found = []
    for t in tickets:
        category = categories[t.category_id]
        targets = _clock_targets(category)
        for name in (sla.ClockName.UNIT, sla.ClockName.CITIZEN):
            clock = sla.clock_state(
                t,
                calendars[category.calendar_id],
                now,
                settings[t.center_id],
                clock=name,
                target_minutes=targets[name],
            )
            if clock is not None and clock.running and clock.state in ("warning", "overdue"):
                found.append(t)
                break
    return found


def _last_calls(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, UnitCallView]:
    wanted = list(ids)
    if not wanted:
        return {}
    events = session.exec(
        select(TicketEvent)
        .where(col(TicketEvent.ticket_id).in_(wanted), TicketEvent.action == UNIT_CALLED)
        .order_by(col(TicketEvent.at), col(TicketEvent.id))
    ).all()
    agents = _names(session, Agent, (e.actor_id for e in events))
    calls: dict[uuid.UUID, UnitCallView] = {}
    for e in events:  # oldest first: the latest call of each request wins
        promised = (e.data or {}).get("promised_at")
        calls[e.ticket_id] = UnitCallView(
            at=e.at,
            actor_name=agents[e.actor_id].full_name if e.actor_id in agents else "",
            promised_at=datetime.fromisoformat(promised) if promised else None,
            note=e.note,
        )
    return calls


def chase_board(
    session: Session,
    *,
    actor: AgentView,
    now: datetime | None = None,
    unit_id: uuid.UUID | None = None,
    per_unit: int = PER_UNIT,
) -> ChaseBoard:
    """Referrals (referred, in progress) whose unit's or citizen's clock is overdue or in its
    warning share, grouped by unit: units with the most overdue first, each with its counts and
    its ``per_unit`` most urgent requests, each with the latest call logged to the unit.

    What is overdue is counted in SQL; clocks (working time on calendars) are computed only
    for the requests shown and for those not yet due (to find the warnings), so a center with
    thousands of long-late requests gets its board in the time of a few dozen.
    """
    require(actor, *READ_ROLES, action="read requests")
    now = _aware_now(now)
    base = [
        _c.status.in_(CHASED_STATUSES),
        _c.center_id == actor.center_id,
        _c.unit_id.is_not(None),
        _c.paused_at.is_(None),
    ]
    if unit_id is not None:
        base.append(_c.unit_id == unit_id)
    late = _overdue_clause(now)
    overdue_counts: dict[uuid.UUID, int] = dict(
        session.execute(
            sa.select(_c.unit_id, sa.func.count()).where(*base, late).group_by(_c.unit_id)
        ).all()
    )
    tickets: list[Ticket] = []
    for unit in overdue_counts:
        tickets += session.exec(
            select(Ticket)
            .where(*base, late, _c.unit_id == unit)
            .order_by(_c.resolution_due_at, _c.id)
            .limit(per_unit)
        ).all()
    shown_late = _views(session, tickets, now)
    waiting = list(session.exec(select(Ticket).where(*base, sa.not_(late))).all())
    warnings = _views(session, _nearly_due(session, waiting, now), now)
    risk_counts: dict[uuid.UUID, int] = {}
    for view in warnings:
        assert view.unit_id is not None
        risk_counts[view.unit_id] = risk_counts.get(view.unit_id, 0) + 1

    by_unit: dict[uuid.UUID, list[RequestView]] = {}
    for view in sorted([*shown_late, *warnings], key=lambda v: (_urgency(v), v.tracking_code)):
        assert view.unit_id is not None
        by_unit.setdefault(view.unit_id, []).append(view)
    shown = {uid: views[:per_unit] for uid, views in by_unit.items()}
    calls = _last_calls(session, (v.id for views in shown.values() for v in views))
    units = _names(session, Unit, shown)
    groups = [
        ChaseGroup(
            unit_id=uid,
            unit_name_fa=units[uid].name_fa,
            unit_name_en=units[uid].name_en,
            phone=units[uid].phone or "",
            items=tuple(ChaseItem(v, calls.get(v.id)) for v in views),
            overdue=overdue_counts.get(uid, 0),
            at_risk=risk_counts.get(uid, 0),
        )
        for uid, views in shown.items()
    ]
    groups.sort(key=lambda g: (-g.overdue, -g.total, g.unit_name_fa))
    return ChaseBoard(groups=tuple(groups), as_of=now)


def log_unit_call(
    session: Session,
    *,
    actor: AgentView,
    ticket_ids: Sequence[uuid.UUID],
    promised_at: datetime | None = None,
    note: str = "",
    now: datetime | None = None,
) -> int:
    """Log a call to the unit about each of ``ticket_ids`` (one "unit_called" event each, with
    the promised time), all or nothing. The request's status and version do not change.

    Errors: not_found; not_with_unit (a request no unit has now); promise_in_past; too_long;
    nothing_to_log (no promise and no note).
    """
    require(actor, *FOLLOWUP_ROLES, action="log calls to units")
    now = _aware_now(now)
    note = note.strip()
    if promised_at is not None:
        promised_at = _aware_now(promised_at)
        if promised_at <= now:
            raise FollowupError("promise_in_past", promised_at=promised_at)
    if len(note) > MAX_NOTE:
        raise FollowupError("too_long", max=MAX_NOTE)
    if promised_at is None and not note:
        raise FollowupError("nothing_to_log")
    tickets = [_ticket(session, ticket_id, actor) for ticket_id in dict.fromkeys(ticket_ids)]
    for ticket in tickets:
        if ticket.status not in CHASED_STATUSES or ticket.unit_id is None:
            raise FollowupError(
                "not_with_unit", tracking_code=ticket.tracking_code, status=ticket.status
            )
    for ticket in tickets:
        session.add(
            _event(
                ticket,
                actor,
                at=max(now, ticket.updated_at),
                action=UNIT_CALLED,
                to_status=ticket.status,
                unit_id=ticket.unit_id,
                note=note,
                data={"promised_at": promised_at.isoformat()} if promised_at else {},
            )
        )
    session.flush()
    return len(tickets)
