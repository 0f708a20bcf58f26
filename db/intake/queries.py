"""Shared reads of intake: the center filter, batched name lookups, a caller's open requests and
recent calls, a request by tracking code, and a request as a view with its clocks.

Why shared: the caller card, the repeat check and the request status all read the same rows the
same way; each query is an index lookup with a limit, so none of them grows with the database.
"""

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from db import sla
from db.models import OPEN_STATUSES, Call, Category, Ticket, TicketStatus
from db.views import TicketView

MAX_SUBSCRIBERS = 10
MAX_CONTACTS = 5
MAX_OPEN_REQUESTS = 10
CLOSED_STATUSES = frozenset(TicketStatus) - OPEN_STATUSES
_OPEN = sorted(s.value for s in OPEN_STATUSES)


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


def _names(session: Session, model: Any, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, Any]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {row.id: row for row in session.exec(select(model).where(col(model.id).in_(wanted)))}


def _fa_en(row: Any) -> tuple[str, str]:
    """A named row's Persian and English names, or two empty strings when there is no row."""
    return (row.name_fa, row.name_en) if row else ("", "")


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


def _ticket_fields(ticket: Ticket, category: Category, unit: Any) -> dict[str, Any]:
    """The fields a request shows wherever it is listed: the request card and the open list."""
    unit_name_fa, unit_name_en = _fa_en(unit)
    return {
        "id": ticket.id,
        "tracking_code": ticket.tracking_code,
        "status": ticket.status,
        "kind": ticket.kind,
        "priority": ticket.priority,
        "escalation_level": ticket.escalation_level,
        "category_id": ticket.category_id,
        "category_name_fa": category.name_fa,
        "category_name_en": category.name_en,
        "unit_id": ticket.unit_id,
        "unit_name_fa": unit_name_fa,
        "unit_name_en": unit_name_en,
        "subscriber_id": ticket.subscriber_id,
        "phone": ticket.phone,
        "address": ticket.address,
        "opened_at": ticket.opened_at,
        "response_due_at": ticket.response_due_at,
        "resolution_due_at": ticket.resolution_due_at,
    }


def _ticket_view(ticket: Ticket, category: Category, unit: Any) -> TicketView:
    return TicketView(
        **_ticket_fields(ticket, category, unit),
        district_id=ticket.district_id,
        caller_name=ticket.caller_name,
        description=ticket.description,
        version=ticket.version,
    )


def _minutes_left(
    calendar: sla.WorkingCalendar, ticket: Ticket, due: datetime | None, now: datetime
) -> int | None:
    if due is None:
        return None
    clock = ticket.paused_at if ticket.paused_at is not None else now
    return sla.working_minutes_between(calendar, clock, due)
