"""Reading and writing tickets for follow-up: the helpers every operation shares.

The guarded write (:func:`_write`: new state plus its event only if the version is still the
one read) and the refusal that explains a lost race (:func:`_stale`) live here, with the small
readers (a ticket as the database has it now, names by id) and the building of an event, so
transitions, claims and the SLA tick all write the same way.
"""

import json
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from db.accounts import AgentView
from db.followup.errors import FollowupError
from db.followup.states import LOG_ONLY_ACTIONS
from db.models import Agent, Ticket, TicketEvent, utcnow

_T = Ticket.__table__

_c = _T.c


def _aware_now(now: datetime | None) -> datetime:
    if now is None:
        return utcnow()
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


def _plain(session: Session, column: Any) -> Any:
    """``column`` kept out of SQLite's index choice (see db.intake._center_is): without
    statistics SQLite may prefer a center or category index to the queue's ordered index."""
    if session.get_bind().dialect.name == "sqlite":
        return sa.literal_column(f"+{column.table.name}.{column.name}", type_=column.type)
    return column


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _fresh(session: Session, ticket_id: uuid.UUID) -> Ticket | None:
    """The ticket as the database has it now (not as this session last saw it)."""
    return session.exec(
        select(Ticket).where(Ticket.id == ticket_id).execution_options(populate_existing=True)
    ).first()


def _uuid(value: Any, what: str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise FollowupError("not_found", what=what, id=str(value)) from None


def _ticket(
    session: Session, ticket_id: Any, actor: AgentView | None, what: str = "ticket"
) -> Ticket:
    ticket = _fresh(session, _uuid(ticket_id, what))
    if ticket is None or (actor is not None and ticket.center_id != actor.center_id):
        raise FollowupError("not_found", what=what, id=str(ticket_id))
    return ticket


def _names(session: Session, model: Any, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, Any]:
    """Rows of ``model`` by id, as the database has them now: read-only Core rows (attributes
    named as the columns), since every caller only builds a view from them; no ORM object is
    made, and none left stale by a guarded update earlier in the session is reused."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    table = model.__table__
    return {row.id: row for row in session.execute(sa.select(table).where(table.c.id.in_(wanted)))}


def _json_safe(key: str, value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_json_safe(key, v) for v in value]
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        raise FollowupError("bad_data", key=key) from None
    return value


def _latest_event(
    session: Session, ticket_id: uuid.UUID, *, action: str | None = None
) -> TicketEvent | None:
    stmt = select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)
    if action is not None:
        stmt = stmt.where(TicketEvent.action == action)
    else:
        stmt = stmt.where(col(TicketEvent.action).not_in(sorted(LOG_ONLY_ACTIONS)))
    stmt = stmt.order_by(col(TicketEvent.at).desc(), col(TicketEvent.id).desc()).limit(1)
    return session.exec(stmt).first()


def _stale(session: Session, ticket_id: uuid.UUID) -> FollowupError:
    ticket = _fresh(session, ticket_id)
    event = _latest_event(session, ticket_id)
    agent = session.get(Agent, event.actor_id) if event and event.actor_id else None
    return FollowupError(
        "stale",
        "another agent changed this request first",
        changed_by=agent.full_name if agent else "",
        changed_by_id=agent.id if agent else None,
        changed_at=event.at if event else None,
        action=event.action if event else None,
        version=ticket.version if ticket else None,
    )


def _write(
    session: Session,
    ticket_id: uuid.UUID,
    *,
    version: int,
    values: dict[str, Any],
    event: TicketEvent,
) -> bool:
    """The guarded write: the new state only if nobody changed the ticket since ``version``
    was read, plus its event. False (and nothing written) when somebody did."""
    result = session.execute(
        sa.update(_T)
        .where(_c.id == ticket_id, _c.version == version)
        .values(version=version + 1, **values)
    )
    if result.rowcount != 1:
        return False
    session.add(event)
    session.flush()
    return True


def _event(
    ticket: Ticket,
    actor: AgentView | None,
    *,
    at: datetime,
    action: str,
    to_status: str,
    unit_id: uuid.UUID | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    return TicketEvent(
        center_id=ticket.center_id,
        ticket_id=ticket.id,
        at=at,
        actor_id=actor.id if actor else None,
        action=str(action),
        from_status=ticket.status,
        to_status=str(to_status),
        unit_id=unit_id,
        note=note,
        data=data or {},
    )


def _end_pause(ticket: Ticket, at: datetime) -> dict[str, Any]:
    if ticket.paused_at is None:
        return {}
    seconds = max(0, int((at - ticket.paused_at).total_seconds()))
    return {"paused_at": None, "paused_seconds": ticket.paused_seconds + seconds}
