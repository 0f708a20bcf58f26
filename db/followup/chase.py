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

from sqlmodel import Session, col, select

from db.accounts import AgentView, require
from db.followup.errors import FollowupError
from db.followup.records import _aware_now, _c, _event, _names, _plain, _ticket
from db.followup.states import FOLLOWUP_ROLES, MAX_NOTE, READ_ROLES
from db.followup.views import RequestView, _views
from db.models import Agent, Ticket, TicketEvent, TicketStatus, Unit

#: The log-only event a call to a unit leaves on a request.
UNIT_CALLED = "unit_called"

#: The statuses in which a unit has the request: what there is to chase.
CHASED_STATUSES: tuple[str, ...] = (TicketStatus.REFERRED, TicketStatus.IN_PROGRESS)

#: At most this many referrals are read for one board (a center has far fewer open at once).
BOARD_CAP = 5000


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

    @property
    def overdue(self) -> int:
        return sum(1 for item in self.items if item.overdue)

    @property
    def at_risk(self) -> int:
        return len(self.items) - self.overdue


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


def _needs_chasing(view: RequestView) -> bool:
    return any(
        clock is not None and clock.running and clock.state in ("warning", "overdue")
        for clock in (view.unit_clock, view.citizen_clock)
    )


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
) -> ChaseBoard:
    """Referrals (referred, in progress) whose unit's or citizen's clock is overdue or in its
    warning share, grouped by unit: units with the most overdue first, each unit's requests
    most urgent first, each with the latest call logged to the unit about it."""
    require(actor, *READ_ROLES, action="read requests")
    now = _aware_now(now)
    stmt = (
        select(Ticket)
        .where(
            col(Ticket.status).in_(CHASED_STATUSES),
            _plain(session, _c.center_id) == actor.center_id,
            col(Ticket.unit_id).is_not(None),
            col(Ticket.paused_at).is_(None),
        )
        .order_by(col(Ticket.resolution_due_at), col(Ticket.id))
        .limit(BOARD_CAP)
    )
    if unit_id is not None:
        stmt = stmt.where(Ticket.unit_id == unit_id)
    views = [v for v in _views(session, list(session.exec(stmt).all()), now) if _needs_chasing(v)]
    calls = _last_calls(session, (v.id for v in views))
    units = _names(session, Unit, (v.unit_id for v in views))
    by_unit: dict[uuid.UUID, list[ChaseItem]] = {}
    for view in sorted(views, key=lambda v: (_urgency(v), v.tracking_code)):
        assert view.unit_id is not None
        by_unit.setdefault(view.unit_id, []).append(ChaseItem(view, calls.get(view.id)))
    groups = [
        ChaseGroup(
            unit_id=uid,
            unit_name_fa=units[uid].name_fa,
            unit_name_en=units[uid].name_en,
            phone=units[uid].phone or "",
            items=tuple(items),
        )
        for uid, items in by_unit.items()
    ]
    groups.sort(key=lambda g: (-g.overdue, -len(g.items), g.unit_name_fa))
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

    Errors: not_found; not_with_unit (a request no unit has now); promise_in_past; note_too_long;
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
        raise FollowupError("note_too_long", limit=MAX_NOTE)
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
