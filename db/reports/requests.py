"""Figures about requests: flow (opened, closed, backlog), SLA compliance, overdue now and
escalations, by the unit that does the work or by category.

Each figure is one aggregate statement grouped by the unit or category id, with names joined
to the grouped rows; ``--unit`` narrows every figure here to the requests now with that unit.
SLA compliance reads the requests opened in the period (the ``(center_id, opened_at)`` index),
overdue the open ones (the status index). Flow and escalations read the requests open at some
time in the period: the still open ones through the status index, and those closed since the
period's start by ``closed_at``, which has no index yet: until a ``(center_id, closed_at)``
index exists, that half reads every request of the center (about 0.5 s for 255,000 requests on
SQLite); with it, the cost follows the period, not the years of history.

SLA compliance is read from what the ticket stores (:mod:`db.sla` set the due instants and
moved them on after each pause): a clock is *met* when its stop time is at or before its due
instant, *missed* when it stopped after it or is still running past it at ``as_of``, and
*pending* (counted in neither) while it runs before its due instant or is paused.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from db.followup.queue import _overdue_clause
from db.models import OPEN_STATUSES, Category, Ticket, TicketEvent, TicketStatus, Unit
from db.reports.sql import count_if, dialect, share, with_names
from db.reports.views import CODE, COUNT, SHARE, TEXT, Figure, Scope, group_key

__all__ = [
    "CategoryFlow",
    "CategorySla",
    "UnitEscalations",
    "UnitFlow",
    "UnitOverdue",
    "UnitSla",
    "escalations",
    "overdue_by_unit",
    "requests_by_category",
    "requests_by_unit",
    "sla_by_category",
    "sla_by_unit",
]

T = Ticket.__table__
E = TicketEvent.__table__
_OPEN = tuple(sorted(s.value for s in OPEN_STATUSES))


def _of_scope(scope: Scope) -> list[Any]:
    where = [T.c.center_id == scope.center_id]
    if scope.unit_id is not None:
        where.append(T.c.unit_id == scope.unit_id)
    return where


def _grouped(
    session: Session, key: Any, names: sa.Table, metrics: Sequence[Any], where: Sequence[Any]
) -> Sequence[sa.Row]:
    """``metrics`` of the tickets matching ``where``, grouped by ``key``, with the group's
    code and names first."""
    inner = sa.select(key.label("key"), *metrics).where(*where).group_by(key).subquery()
    return session.execute(with_names(inner, names)).all()


def _sorted(rows: list, *keys: Callable[[Any], Any]) -> tuple:
    return tuple(sorted(rows, key=lambda r: tuple(k(r) for k in keys)))


# -- flow ---------------------------------------------------------------------------------------


def _touching(engine: str, scope: Scope, *columns: Any) -> sa.Subquery:
    """``columns`` of the requests that can count in the period: opened before its end, and
    still open or closed since its start (one opened in the period is one or the other).

    Two index-shaped parts instead of one scan of every request ever opened: the open ones
    through the status index, the closed ones by ``closed_at``, so the cost follows the period
    and not the years of history (see the module docstring on the index this wants).
    """
    p = scope.period
    # SQLite plans without statistics: keep it off the (center_id, opened_at) index, which
    # would read every request ever opened, so it takes the status and closing-time ones.
    opened_before_end = _plain(engine, T.c.opened_at) < p.end
    still_open = sa.select(*columns).where(
        _plain(engine, T.c.center_id) == scope.center_id,
        *_of_scope(scope)[1:],
        T.c.status.in_(_OPEN),
        T.c.closed_at.is_(None),
        opened_before_end,
    )
    closed_since = sa.select(*columns).where(
        *_of_scope(scope), T.c.closed_at >= p.start, opened_before_end
    )
    return sa.union_all(still_open, closed_since).subquery()


def _plain(engine: str, column: Any) -> Any:
    """``column`` as a plain value SQLite will not pick an index for (a unary ``+``)."""
    if engine == "sqlite":
        return sa.literal_column(f"+{column.table.name}.{column.name}", type_=column.type)
    return column


def _flow(session: Session, scope: Scope, key: Any, names: sa.Table) -> list[sa.Row]:
    p = scope.period
    columns = (key.label("key"), T.c.status, T.c.opened_at, T.c.closed_at)
    t = _touching(dialect(session), scope, *columns).c
    in_period = sa.and_(t.closed_at >= p.start, t.closed_at < p.end)
    inner = (
        sa.select(
            t.key,
            count_if(t.opened_at >= p.start).label("opened"),
            count_if(in_period & (t.status == TicketStatus.CLOSED.value)).label("closed"),
            count_if(in_period & (t.status == TicketStatus.CANCELLED.value)).label("cancelled"),
            count_if(t.closed_at.is_(None) | (t.closed_at >= p.end)).label("backlog"),
        )
        .group_by(t.key)
        .subquery()
    )
    rows = session.execute(with_names(inner, names)).all()
    return [r for r in rows if r.opened or r.closed or r.cancelled or r.backlog]


@dataclass(frozen=True)
class UnitFlow:
    unit_code: str | None = field(metadata=CODE)
    unit_name_fa: str | None = field(metadata=TEXT)
    unit_name_en: str | None = field(metadata=TEXT)
    opened: int = field(metadata=COUNT)
    closed: int = field(metadata=COUNT)
    cancelled: int = field(metadata=COUNT)
    backlog: int = field(metadata=COUNT)


@dataclass(frozen=True)
class CategoryFlow:
    category_code: str | None = field(metadata=CODE)
    category_name_fa: str | None = field(metadata=TEXT)
    category_name_en: str | None = field(metadata=TEXT)
    opened: int = field(metadata=COUNT)
    closed: int = field(metadata=COUNT)
    cancelled: int = field(metadata=COUNT)
    backlog: int = field(metadata=COUNT)


_FLOW_DOC = """Requests {by}: *opened* in the period (``opened_at`` in it); *closed* in it (status
    closed, ``closed_at`` in it); *cancelled* in it (duplicates and invalid ones, same test);
    *backlog*: opened before the period's end and not closed or cancelled by then (closing
    time unset or at or after the end). A request reopened after being closed is open again
    from the moment it was closed, so the backlog of an earlier period may count it."""


def _flow_figure(name: str, row_type: type, scope: Scope, rows: list[sa.Row]) -> Figure:
    out = [row_type(*r) for r in rows]
    total = row_type(None, None, None, *(sum(getattr(r, k) for r in out) for k in _FLOW_KEYS))
    return Figure(name, row_type, scope, _sorted(out, lambda r: -r.opened, group_key), total)


_FLOW_KEYS = ("opened", "closed", "cancelled", "backlog")


def requests_by_unit(session: Session, scope: Scope) -> Figure[UnitFlow]:
    rows = _flow(session, scope, T.c.unit_id, Unit.__table__)
    return _flow_figure("requests_by_unit", UnitFlow, scope, rows)


def requests_by_category(session: Session, scope: Scope) -> Figure[CategoryFlow]:
    rows = _flow(session, scope, T.c.category_id, Category.__table__)
    return _flow_figure("requests_by_category", CategoryFlow, scope, rows)


requests_by_unit.__doc__ = _FLOW_DOC.format(by="by unit (the unit a request is with now)")
requests_by_category.__doc__ = _FLOW_DOC.format(by="by category")


# -- SLA compliance -----------------------------------------------------------------------------


def _clock(stop: Any, due: Any, scope: Scope) -> tuple[Any, Any]:
    """(met, missed) conditions of one clock; paused requests are pending."""
    met = due.is_not(None) & stop.is_not(None) & (stop <= due)
    running_late = stop.is_(None) & T.c.paused_at.is_(None) & (due <= scope.as_of)
    missed = due.is_not(None) & ((stop.is_not(None) & (stop > due)) | running_late)
    return met, missed


def _sla(session: Session, scope: Scope, key: Any, names: sa.Table) -> list[sa.Row]:
    p = scope.period
    r_met, r_missed = _clock(T.c.responded_at, T.c.response_due_at, scope)
    s_met, s_missed = _clock(T.c.resolved_at, T.c.resolution_due_at, scope)
    metrics = [
        sa.func.count().label("requests"),
        count_if(r_met).label("response_met"),
        count_if(r_missed).label("response_missed"),
        count_if(s_met).label("resolution_met"),
        count_if(s_missed).label("resolution_missed"),
    ]
    where = [
        *_of_scope(scope),
        T.c.opened_at >= p.start,
        T.c.opened_at < p.end,
        T.c.status != TicketStatus.CANCELLED.value,
    ]
    return list(_grouped(session, key, names, metrics, where))


@dataclass(frozen=True)
class UnitSla:
    unit_code: str | None = field(metadata=CODE)
    unit_name_fa: str | None = field(metadata=TEXT)
    unit_name_en: str | None = field(metadata=TEXT)
    requests: int = field(metadata=COUNT)
    response_met: int = field(metadata=COUNT)
    response_missed: int = field(metadata=COUNT)
    response_share: float | None = field(metadata=SHARE)
    resolution_met: int = field(metadata=COUNT)
    resolution_missed: int = field(metadata=COUNT)
    resolution_share: float | None = field(metadata=SHARE)


@dataclass(frozen=True)
class CategorySla:
    category_code: str | None = field(metadata=CODE)
    category_name_fa: str | None = field(metadata=TEXT)
    category_name_en: str | None = field(metadata=TEXT)
    requests: int = field(metadata=COUNT)
    response_met: int = field(metadata=COUNT)
    response_missed: int = field(metadata=COUNT)
    response_share: float | None = field(metadata=SHARE)
    resolution_met: int = field(metadata=COUNT)
    resolution_missed: int = field(metadata=COUNT)
    resolution_share: float | None = field(metadata=SHARE)


def _sla_row(row_type: type, names: Sequence[Any], n: int, rm: int, rx: int, sm: int, sx: int):
    return row_type(*names, n, rm, rx, share(rm, rm + rx), sm, sx, share(sm, sm + sx))


def _sla_figure(name: str, row_type: type, scope: Scope, rows: list[sa.Row]) -> Figure:
    out = [_sla_row(row_type, r[:3], *r[3:]) for r in rows]
    sums = [sum(r[i] for r in rows) for i in range(3, 8)]
    total = _sla_row(row_type, (None, None, None), *sums)
    return Figure(name, row_type, scope, _sorted(out, lambda r: -r.requests, group_key), total)


_SLA_DOC = """SLA compliance {by}, of the requests opened in the period (cancelled ones left out).
    Response: met when ``responded_at <= response_due_at`` (the unit had it in time); missed when
    it responded later, or has not responded, is not paused and ``response_due_at`` has passed
    at ``as_of``. Resolution: the same with ``resolved_at`` (the unit's answer; cleared again
    when the answer is rejected or the request reopened) and ``resolution_due_at``. Each share
    is met / (met + missed); requests whose clock is still running in time are in neither."""


def sla_by_unit(session: Session, scope: Scope) -> Figure[UnitSla]:
    rows = _sla(session, scope, T.c.unit_id, Unit.__table__)
    return _sla_figure("sla_by_unit", UnitSla, scope, rows)


def sla_by_category(session: Session, scope: Scope) -> Figure[CategorySla]:
    rows = _sla(session, scope, T.c.category_id, Category.__table__)
    return _sla_figure("sla_by_category", CategorySla, scope, rows)


sla_by_unit.__doc__ = _SLA_DOC.format(by="by unit (the unit a request is with now)")
sla_by_category.__doc__ = _SLA_DOC.format(by="by category")


# -- overdue now --------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitOverdue:
    unit_code: str | None = field(metadata=CODE)
    unit_name_fa: str | None = field(metadata=TEXT)
    unit_name_en: str | None = field(metadata=TEXT)
    open: int = field(metadata=COUNT)
    overdue: int = field(metadata=COUNT)
    share: float | None = field(metadata=SHARE)


def overdue_by_unit(session: Session, scope: Scope) -> Figure[UnitOverdue]:
    """Overdue now, by unit: of the open requests at ``as_of`` (whatever the period), how many
    are overdue, exactly as the follow-up queue's "overdue" filter says
    (:func:`db.followup.queue._overdue_clause`): not paused, and the citizen's clock
    (``resolution_due_at``, no answer yet) or the unit's clock (``unit_due_at``, no answer since
    the latest referral) has run out."""
    metrics = [
        sa.func.count().label("open"),
        count_if(_overdue_clause(scope.as_of)).label("overdue"),
    ]
    where = [*_of_scope(scope), T.c.status.in_(_OPEN)]
    rows = _grouped(session, T.c.unit_id, Unit.__table__, metrics, where)
    out = [UnitOverdue(*r[:3], r.open, r.overdue, share(r.overdue, r.open)) for r in rows]
    n, late = sum(r.open for r in out), sum(r.overdue for r in out)
    return Figure(
        "overdue_by_unit", UnitOverdue, scope, _sorted(out, lambda r: -r.overdue, group_key),
        UnitOverdue(None, None, None, n, late, share(late, n)),
    )  # fmt: skip


# -- escalations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitEscalations:
    unit_code: str | None = field(metadata=CODE)
    unit_name_fa: str | None = field(metadata=TEXT)
    unit_name_en: str | None = field(metadata=TEXT)
    level_1: int = field(metadata=COUNT)
    level_2: int = field(metadata=COUNT)
    level_3: int = field(metadata=COUNT)
    automatic: int = field(metadata=COUNT)
    escalations: int = field(metadata=COUNT)
    requests: int = field(metadata=COUNT)


def escalations(session: Session, scope: Scope) -> Figure[UnitEscalations]:
    """Escalations, by unit (the unit the request is with now): the escalation steps taken in
    the period ("escalated" events with ``at`` in it), by the level each step reached (1 the
    follow-up agent, 2 the supervisor, 3 the managing director's office); *automatic* are those
    the SLA tick took; *requests* counts the distinct requests escalated."""
    p = scope.period
    level = E.c.data["level"].as_integer()
    metrics = [
        count_if(level == 1).label("level_1"),
        count_if(level == 2).label("level_2"),
        count_if(level == 3).label("level_3"),
        count_if(E.c.data["auto"].as_boolean()).label("automatic"),
        sa.func.count().label("escalations"),
        sa.func.count(sa.distinct(E.c.ticket_id)).label("requests"),
    ]
    # Only requests open at some time in the period can have been escalated in it, and a
    # request's level never goes down: read those at level 1 or more, then their events in
    # the period through the (ticket_id, at) index, not the whole event log.
    touching = _touching(dialect(session), scope, T.c.id, T.c.unit_id, T.c.escalation_level)
    t = touching.c
    inner = (
        sa.select(t.unit_id.label("key"), *metrics)
        .select_from(touching.join(E, E.c.ticket_id == t.id))
        .where(
            t.escalation_level >= 1,
            E.c.action == "escalated",
            E.c.at >= p.start,
            E.c.at < p.end,
        )
        .group_by(t.unit_id)
        .subquery()
    )
    rows = session.execute(with_names(inner, Unit.__table__)).all()
    out = [UnitEscalations(*r) for r in rows]
    sums = [sum(r[i] for r in rows) for i in range(3, 9)]
    return Figure(
        "escalations", UnitEscalations, scope, _sorted(out, lambda r: -r.escalations, group_key),
        UnitEscalations(None, None, None, *sums),
    )  # fmt: skip
