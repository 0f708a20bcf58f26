"""Shared reads of intake: the center filter, batched name lookups, a caller's open requests and
recent calls, a request by tracking code, and a request as a view with its clocks.

Why shared: the caller card, the repeat check and the request status all read the same rows the
same way; each query is an index lookup with a limit, so none of them grows with the database.
"""

import functools
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, col, select

from db import sla
from db.models import OPEN_STATUSES, Agent, Call, Category, Ticket, TicketStatus, Unit
from db.models.tickets import OPEN_STATUS_SQL
from db.views import TicketView

MAX_SUBSCRIBERS = 10
MAX_CONTACTS = 5
MAX_OPEN_REQUESTS = 10
CLOSED_STATUSES = frozenset(TicketStatus) - OPEN_STATUSES

_CALLS = Call.__table__
_TICKETS = Ticket.__table__
_CATEGORIES = Category.__table__
_AGENTS = Agent.__table__
_UNITS = Unit.__table__


@dataclass(frozen=True)
class _Named:
    """A joined row's names, shaped like the named row itself for :func:`_fa_en`."""

    name_fa: str
    name_en: str


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


def _center_test(dialect: str, column: Any) -> Any:
    """:func:`_center_is` with the center as the bound parameter ``center_id``."""
    if dialect == "sqlite":
        column = sa.literal_column(f"+{column.table.name}.{column.name}", type_=column.type)
    return column == sa.bindparam("center_id", type_=column.type)


def _newest_per_caller(
    dialect: str,
    table: Any,
    columns: Sequence[Any],
    newest_first: Any,
    limit: int,
    extra: Sequence[Any],
    *,
    phone: bool,
    subscribers: int,
    by_id: bool = False,
) -> Any:
    """One statement for several "newest ``limit`` rows of one caller" reads (a phone, each of
    ``subscribers`` accounts), and the row ``ticket_id`` if ``by_id``, as a subquery of
    ``columns`` (only what the card shows: PostgreSQL parses and plans every column named).

    Each read keeps its own ORDER BY and LIMIT, so its own index range. Not a window function:
    ``row_number()`` would number every row of every caller, their whole history, to keep the
    newest few. On SQLite the reads are put together with UNION ALL, each a subquery (SQLite
    takes ORDER BY/LIMIT only on a compound's last member). On PostgreSQL several accounts are
    read by one LATERAL subquery over the array of their ids: planning a UNION of ten reads
    costs it more than running them (about 2 ms against 0.2 ms); one read plans once.
    """
    center = _center_test(dialect, table.c.center_id)

    def newest(key: Any) -> Any:
        return sa.select(*columns).where(key, center, *extra).order_by(newest_first).limit(limit)

    def param(name: str, column: str) -> Any:
        return sa.bindparam(name, type_=table.c[column].type)

    branches = []
    if phone:
        branches.append(newest(table.c.phone == param("phone", "phone")))
    if subscribers > 1 and dialect == "postgresql":
        ids = sa.bindparam("subscriber_ids", type_=postgresql.ARRAY(table.c.subscriber_id.type))
        caller = sa.func.unnest(ids).table_valued("subscriber_id").render_derived(name="caller")
        each = newest(table.c.subscriber_id == caller.c.subscriber_id).lateral("each_caller")
        branches.append(sa.select(each).select_from(caller.join(each, sa.true())))
    else:
        branches.extend(
            newest(table.c.subscriber_id == param(f"subscriber_{i}", "subscriber_id"))
            for i in range(subscribers)
        )
    if by_id:
        # By its key alone: with a status test a planner may rather walk a small partial index;
        # the caller checks that this one is open.
        branches.append(sa.select(*columns).where(table.c.id == param("ticket_id", "id")))
    if len(branches) == 1:
        return branches[0].subquery("newest")
    if dialect != "sqlite":
        return sa.union_all(*branches).subquery("newest")
    return sa.union_all(*(sa.select(b.subquery()) for b in branches)).subquery("newest")


def _caller_params(
    dialect: str,
    center_id: uuid.UUID,
    phone: str | None,
    subscriber_ids: Sequence[uuid.UUID],
    ticket_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    params: dict[str, Any] = {"center_id": center_id, "phone": phone, "ticket_id": ticket_id}
    if dialect == "postgresql" and len(subscriber_ids) > 1:
        params["subscriber_ids"] = list(subscriber_ids)
    else:
        params.update((f"subscriber_{i}", sid) for i, sid in enumerate(subscriber_ids))
    return {k: v for k, v in params.items() if v is not None}


# What an open request on the card needs (db.intake.callers, _ticket_fields, _minutes_left).
_CARD_TICKET_COLUMNS = (
    "id", "tracking_code", "status", "kind", "priority", "escalation_level", "category_id",
    "unit_id", "subscriber_id", "phone", "address", "opened_at", "response_due_at",
    "resolution_due_at", "responded_at", "paused_at",
)  # fmt: skip

# The statements below are built once per shape (engine, phone or not, how many accounts) and
# kept: building a UNION of whole-row subqueries costs SQLAlchemy more than running it.


@functools.lru_cache(maxsize=64)
def _recent_calls_statement(dialect: str, phone: bool, subscribers: int) -> Any:
    order = _CALLS.c.started_at.desc()
    newest = _newest_per_caller(
        dialect, _CALLS, _CALLS.c, order, MAX_CONTACTS, (), phone=phone, subscribers=subscribers
    )
    return sa.select(
        newest,
        _CATEGORIES.c.name_fa.label("category_name_fa"),
        _CATEGORIES.c.name_en.label("category_name_en"),
        _AGENTS.c.full_name.label("agent_name"),
    ).select_from(
        newest.outerjoin(_CATEGORIES, _CATEGORIES.c.id == newest.c.category_id).outerjoin(
            _AGENTS, _AGENTS.c.id == newest.c.agent_id
        )
    )


def _recent_call_rows(
    session: Session,
    center_id: uuid.UUID,
    *,
    phone: str | None,
    subscriber_ids: Sequence[uuid.UUID],
) -> list[Any]:
    """The last MAX_CONTACTS calls from ``phone`` and from each account, with their category's
    and agent's names, in one statement (rows; a call may come twice)."""
    if phone is None and not subscriber_ids:
        return []
    dialect = session.get_bind().dialect.name
    stmt = _recent_calls_statement(dialect, phone is not None, len(subscriber_ids))
    params = _caller_params(dialect, center_id, phone, subscriber_ids)
    return list(session.execute(stmt, params).all())


@functools.lru_cache(maxsize=64)
def _open_tickets_statement(dialect: str, phone: bool, subscribers: int, by_id: bool) -> Any:
    # The literal predicate of the partial indexes, so both planners may read them.
    open_only = sa.text(OPEN_STATUS_SQL)
    order = _TICKETS.c.opened_at.desc()
    newest = _newest_per_caller(
        dialect,
        _TICKETS,
        [_TICKETS.c[name] for name in _CARD_TICKET_COLUMNS],
        order,
        MAX_OPEN_REQUESTS,
        (open_only,),
        phone=phone,
        subscribers=subscribers,
        by_id=by_id,
    )
    return sa.select(
        newest,
        _CATEGORIES.c.name_fa.label("category_name_fa"),
        _CATEGORIES.c.name_en.label("category_name_en"),
        _CATEGORIES.c.calendar_id.label("category_calendar_id"),
        _UNITS.c.name_fa.label("unit_name_fa"),
        _UNITS.c.name_en.label("unit_name_en"),
    ).select_from(
        newest.join(_CATEGORIES, _CATEGORIES.c.id == newest.c.category_id).outerjoin(
            _UNITS, _UNITS.c.id == newest.c.unit_id
        )
    )


def _open_ticket_rows(
    session: Session,
    center_id: uuid.UUID,
    *,
    phone: str | None,
    subscriber_ids: Sequence[uuid.UUID],
    ticket_id: uuid.UUID | None = None,
) -> list[Any]:
    """The newest MAX_OPEN_REQUESTS open requests of ``phone`` and of each account, and the
    request ``ticket_id`` whatever its status, with their category's names and calendar and
    their unit's names, in one statement (rows; a request may come twice)."""
    if phone is None and not subscriber_ids and ticket_id is None:
        return []
    dialect = session.get_bind().dialect.name
    shape = (phone is not None, len(subscriber_ids), ticket_id is not None)
    stmt = _open_tickets_statement(dialect, *shape)
    params = _caller_params(dialect, center_id, phone, subscriber_ids, ticket_id)
    return list(session.execute(stmt, params).all())


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
            # The partial indexes' own predicate: the caller's open requests only.
            sa.text(OPEN_STATUS_SQL),
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
