"""Reading requests: the follow-up queue (:func:`list_queue`) and one request's detail.

The queue is paged with a keyset cursor, most urgent citizen's clock first: each status is read
as an ordered range of the status/due index and the ranges merged, so a page costs the same
with a hundred or a million requests. The filters and key merging are shared with
:func:`db.followup.claims.claim_next`, which takes the first free request in the same order.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session, col, select

from db.accounts import AgentView, require
from db.followup.errors import FollowupError
from db.followup.links import _count_calls, _duplicate_tree
from db.followup.records import _aware_now, _c, _fresh, _is_postgres, _names, _plain, _ticket
from db.followup.states import (
    _OPEN,
    MAX_CHILDREN_SHOWN,
    QUEUE_STATUSES,
    READ_ROLES,
    allowed_actions,
)
from db.followup.views import (
    CallbackSummary,
    QueueCursor,
    QueuePage,
    RequestDetail,
    TimelineEventView,
    _linked,
    _views,
    _views_by_id,
)
from db.models import Agent, Callback, Ticket, TicketEvent, TicketStatus, Unit


def request_detail(
    session: Session, *, actor: AgentView | None, ticket_id: uuid.UUID, now: datetime | None = None
) -> RequestDetail:
    """One request with its whole timeline, links, callbacks and the actions open to the actor.

    Errors: not_found.
    """
    require(actor, *READ_ROLES, action="read requests")
    now = _aware_now(now)
    ticket = _ticket(session, ticket_id, actor)
    view = _views(session, [ticket], now)[0]
    events = session.exec(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id)
        .order_by(col(TicketEvent.at), col(TicketEvent.id))
    ).all()
    agents = _names(session, Agent, (e.actor_id for e in events))
    units = _names(session, Unit, (e.unit_id for e in events))

    def unit_name(unit_id: uuid.UUID | None, attr: str) -> str:
        unit = units.get(unit_id) if unit_id else None
        return getattr(unit, attr) if unit else ""

    timeline = tuple(
        TimelineEventView(
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
            data=dict(e.data or {}),
        )
        for e in events
    )
    tree = _duplicate_tree(session, ticket.id)
    duplicates = _names(session, Ticket, tree[1:])
    children_count = session.exec(
        select(sa.func.count()).select_from(Ticket).where(Ticket.parent_id == ticket.id)
    ).one()
    children = session.exec(
        select(Ticket)
        .where(Ticket.parent_id == ticket.id)
        .order_by(col(Ticket.id))
        .limit(MAX_CHILDREN_SHOWN)
    ).all()
    parent = _fresh(session, ticket.parent_id) if ticket.parent_id else None
    survivor = _fresh(session, ticket.duplicate_of_id) if ticket.duplicate_of_id else None
    callbacks = session.exec(
        select(Callback).where(Callback.ticket_id == ticket.id).order_by(col(Callback.created_at))
    ).all()
    return RequestDetail(
        request=view,
        events=timeline,
        contacts=_count_calls(session, tree),
        parent=_linked(parent) if parent else None,
        children=tuple(_linked(c) for c in children),
        children_count=children_count,
        duplicate_of=_linked(survivor) if survivor else None,
        duplicates=tuple(_linked(duplicates[i]) for i in tree[1:] if i in duplicates),
        callbacks=tuple(
            CallbackSummary(
                id=cb.id,
                status=cb.status,
                reason=cb.reason,
                phone=cb.phone,
                script=cb.script,
                due_at=cb.due_at,
                attempts=cb.attempts,
            )
            for cb in callbacks
        ),
        actions=allowed_actions(ticket.status, actor),
    )


@dataclass(frozen=True)
class _Filter:
    unit_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None
    district_id: uuid.UUID | None = None
    statuses: tuple[str, ...] = QUEUE_STATUSES
    escalation: int | None = None
    overdue: bool = False
    mine: bool = False


def _statuses(status: str | Iterable[str] | None) -> tuple[str, ...]:
    if status is None:
        return QUEUE_STATUSES
    wanted = [status] if isinstance(status, str) else list(status)
    known = {s.value for s in TicketStatus}
    for s in wanted:
        if s not in known:
            raise FollowupError("unknown_status", status=str(s))
    return tuple(dict.fromkeys(str(s) for s in wanted))


def _overdue_clause(now: datetime) -> Any:
    """A running (unpaused, unstopped) citizen's or unit's clock whose due instant has come."""
    unit_running = sa.or_(_c.resolved_at.is_(None), _c.resolved_at < _c.referred_at)
    return sa.and_(
        _c.paused_at.is_(None),
        _c.closed_at.is_(None),
        sa.or_(
            sa.and_(_c.resolution_due_at <= now, _c.resolved_at.is_(None)),
            sa.and_(_c.unit_due_at <= now, _c.referred_at.is_not(None), unit_running),
        ),
    )


def _where(
    session: Session,
    center_id: uuid.UUID | None,
    f: _Filter,
    actor: AgentView | None,
    now: datetime,
    *,
    unclaimed: bool = False,
) -> list[Any]:
    where: list[Any] = []
    if center_id is not None:
        where.append(_c.center_id == center_id)  # the queue's status index holds it
    if f.unit_id is not None:
        where.append(_c.unit_id == f.unit_id)  # the unit's queue index leads with it
    if f.category_id is not None:
        where.append(_plain(session, _c.category_id) == f.category_id)
    if f.district_id is not None:
        where.append(_plain(session, _c.district_id) == f.district_id)
    if f.escalation is not None:
        where.append(_c.escalation_level >= f.escalation)
    if f.mine and actor is not None:
        where.append(_plain(session, _c.claimed_by_id) == actor.id)
        where.append(_c.claimed_until >= now)
    if f.overdue:
        where.append(_overdue_clause(now))
    if unclaimed:
        where.append(sa.or_(_c.claimed_by_id.is_(None), _c.claimed_until < now))
    return where


def _status_ranges(status: Any, where: list[Any], after: QueueCursor | None, n: int) -> list[Any]:
    """The reads of one status's first ``n`` queue keys after ``after``, by (resolution_due_at,
    id), undated rows last: each an ordered range of the (unit,) status, due, id index. The
    status is a value, or the column of a list of statuses the reads are made LATERAL to. The
    undated range is read even when the dated one fills ``n`` (the caller keeps what it needs):
    one statement for every range costs less than a second round trip."""
    ranges = []
    if after is None or after.due is not None:
        cond = [_c.status == status, _c.resolution_due_at.is_not(None), *where]
        if after is not None:
            cond.append(
                sa.tuple_(_c.resolution_due_at, _c.id)
                > sa.tuple_(
                    sa.literal(after.due, type_=_c.resolution_due_at.type),
                    sa.literal(after.id, type_=_c.id.type),
                )
            )
        ranges.append(
            sa.select(_c.status, _c.resolution_due_at, _c.id)
            .where(*cond)
            .order_by(_c.resolution_due_at, _c.id)
            .limit(n)
        )
    cond = [_c.status == status, _c.resolution_due_at.is_(None), *where]
    if after is not None and after.due is None:
        cond.append(_c.id > after.id)
    # Ordered by the (all NULL) due date too, so the order is the index's own.
    ranges.append(
        sa.select(_c.status, _c.resolution_due_at, _c.id)
        .where(*cond)
        .order_by(_c.resolution_due_at, _c.id)
        .limit(n)
    )
    return ranges


def _merged_keys(
    session: Session,
    f: _Filter,
    where: list[Any],
    after: QueueCursor | None,
    n: int,
) -> list[QueueCursor]:
    """Up to ``n`` keys per status, merged into one queue order (most urgent first): every
    status's ranges in one statement (UNION ALL, each range its own subquery, as SQLite wants
    for a member with ORDER BY and LIMIT)."""
    if _is_postgres(session):
        # One read per range for every status, LATERAL to the list of statuses: PostgreSQL
        # plans a UNION of a dozen reads for longer than it takes to run them.
        statuses = sa.bindparam("statuses", list(f.statuses), type_=ARRAY(_c.status.type))
        each = sa.func.unnest(statuses).table_valued("status").render_derived(name="queue_status")
        ranges = []
        for r in _status_ranges(each.c.status, where, after, n):
            keys = r.lateral()
            ranges.append(sa.select(keys).select_from(each.join(keys, sa.true())))
    else:
        ranges = [r for status in f.statuses for r in _status_ranges(status, where, after, n)]
    stmt = sa.union_all(*(sa.select(r.subquery()) for r in ranges))
    per_status: dict[str, list[QueueCursor]] = {}
    for status, due, id_ in session.execute(stmt).all():
        per_status.setdefault(status, []).append(QueueCursor(due, id_))
    # A UNION ALL promises no order: each status is sorted here and cut to its first n.
    keys = [k for got in per_status.values() for k in sorted(got, key=QueueCursor.key)[:n]]
    keys.sort(key=QueueCursor.key)
    return keys


def _filter(
    unit_id: uuid.UUID | None,
    category_id: uuid.UUID | None,
    district_id: uuid.UUID | None,
    status: str | Iterable[str] | None,
    escalation: int | None,
    overdue: bool,
    mine: bool,
) -> _Filter:
    return _Filter(
        unit_id=unit_id,
        category_id=category_id,
        district_id=district_id,
        statuses=_statuses(status),
        escalation=escalation,
        overdue=overdue,
        mine=mine,
    )


def list_queue(
    session: Session,
    *,
    actor: AgentView | None,
    unit_id: uuid.UUID | None = None,
    category_id: uuid.UUID | None = None,
    district_id: uuid.UUID | None = None,
    status: str | Iterable[str] | None = None,
    escalation: int | None = None,
    overdue: bool = False,
    mine: bool = False,
    after: QueueCursor | None = None,
    limit: int = 50,
    now: datetime | None = None,
) -> QueuePage:
    """A page of the follow-up queue of the actor's center, most urgent citizen's clock first
    (resolution_due_at, id), after the keyset cursor ``after``.

    Filters: ``unit_id``, ``category_id``, ``district_id``; ``status`` (one or several; default
    QUEUE_STATUSES, the statuses that need the follow-up agent); ``escalation`` (at least this
    level); ``overdue`` (a running clock has run out); ``mine`` (claimed by the actor, claim
    active). Each status is read as an ordered range of ix_tickets_status_center_due (or
    ix_tickets_unit_status_due with a unit) and the ranges merged, so a page costs the same
    with a hundred or a million requests; no OFFSET. ``counts_by_status`` counts every open
    status under the other filters. Errors: unknown_status.
    """
    require(actor, *READ_ROLES, action="read the follow-up queue")
    now = _aware_now(now)
    limit = max(1, min(limit, 500))
    f = _filter(unit_id, category_id, district_id, status, escalation, overdue, mine)
    center = actor.center_id if actor is not None else None
    where = _where(session, center, f, actor, now)
    keys = _merged_keys(session, f, where, after, limit + 1)
    page = keys[:limit]
    views = _views_by_id(session, [k.id for k in page], now)
    counts = dict.fromkeys(_OPEN, 0)
    for status_, count in session.execute(
        sa.select(_c.status, sa.func.count())
        .where(_c.status.in_(_OPEN), *where)
        .group_by(_c.status)
    ).all():
        counts[status_] = count
    return QueuePage(
        rows=tuple(views),
        next_cursor=page[-1] if len(keys) > limit else None,
        counts_by_status=counts,
    )
