"""Calls per incident: how many callers each incident brought to the desk in the period.

During a main break the same question arrives hundreds of times (DOMAIN.md); this shows which
incidents drove the load, and how much an announcement could have saved.
"""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from db.models import Call, Incident, Ticket
from db.reports.sql import share
from db.reports.views import CODE, COUNT, TEXT, TIME, Figure, Scope

__all__ = ["IncidentCalls", "calls_per_incident"]

N, C, T = Incident.__table__, Call.__table__, Ticket.__table__


@dataclass(frozen=True)
class IncidentCalls:
    title: str | None = field(metadata=TEXT)
    incident_kind: str | None = field(metadata=CODE)
    started_at: datetime | None = field(metadata=TIME)
    closed_at: datetime | None = field(metadata=TIME)
    calls: int = field(metadata=COUNT)
    requests: int = field(metadata=COUNT)


def calls_per_incident(session: Session, scope: Scope) -> Figure[IncidentCalls]:
    """Calls per incident: for each incident active at some time in the period (started before
    its end, not closed before its start; with ``--unit``, that unit's incidents), the calls
    linked to it that started in the period and the requests linked to it that were opened in
    the period. The summary gives the number of incidents and ``calls_per_incident``, the
    linked calls divided by the incidents (None when there was none)."""
    p = scope.period
    calls = (
        sa.select(sa.func.count())
        .where(C.c.incident_id == N.c.id, C.c.started_at >= p.start, C.c.started_at < p.end)
        .scalar_subquery()
    )
    requests = (
        sa.select(sa.func.count())
        .where(T.c.incident_id == N.c.id, T.c.opened_at >= p.start, T.c.opened_at < p.end)
        .scalar_subquery()
    )
    where = [
        N.c.center_id == scope.center_id,
        N.c.started_at < p.end,
        sa.or_(N.c.closed_at.is_(None), N.c.closed_at >= p.start),
    ]
    if scope.unit_id is not None:
        where.append(N.c.unit_id == scope.unit_id)
    rows = session.execute(
        sa.select(
            N.c.title,
            N.c.kind,
            N.c.started_at,
            N.c.closed_at,
            calls.label("calls"),
            requests.label("requests"),
        )
        .where(*where)
        .order_by(sa.desc("calls"), N.c.started_at)
    ).all()
    out = tuple(IncidentCalls(*r) for r in rows)
    n_calls = sum(r.calls for r in out)
    total = IncidentCalls(None, None, None, None, n_calls, sum(r.requests for r in out))
    summary = (("incidents", len(out)), ("calls_per_incident", share(n_calls, len(out))))
    return Figure("calls_per_incident", IncidentCalls, scope, out, total, summary)
