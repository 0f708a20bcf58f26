"""Repeat callers: the numbers that called again and again in the period.

The list names phone numbers, so it is personal data (:mod:`db.reports.privacy`): masked unless
the actor may see them, and every output of it audited.
"""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from db.models import Call, Channel
from db.reports.privacy import mask_figure
from db.reports.views import COUNT, PHONE, TIME, Figure, Scope

__all__ = ["REPEAT_CALLERS_LIMIT", "RepeatCaller", "repeat_callers"]

C = Call.__table__
#: How many numbers the list shows, most calls first.
REPEAT_CALLERS_LIMIT = 50


@dataclass(frozen=True)
class RepeatCaller:
    phone: str | None = field(metadata=PHONE)
    calls: int = field(metadata=COUNT)
    categories: int | None = field(metadata=COUNT)
    first_at: datetime | None = field(metadata=TIME)
    last_at: datetime | None = field(metadata=TIME)


def repeat_callers(
    session: Session, scope: Scope, *, limit: int = REPEAT_CALLERS_LIMIT
) -> Figure[RepeatCaller]:
    """Repeat callers: phone numbers with two or more inbound contacts (any channel but
    outbound) started in the period, with their number of contacts, of distinct categories, and
    the first and last contact; the ``limit`` busiest numbers, most contacts first. The summary
    gives every repeat number in the period (``numbers``) and their contacts (``calls``), the
    total row the contacts of the numbers listed."""
    p = scope.period
    calls = sa.func.count()
    rows = session.execute(
        sa.select(
            C.c.phone,
            calls.label("calls"),
            sa.func.count(sa.distinct(C.c.category_id)).label("categories"),
            sa.func.min(C.c.started_at).label("first_at"),
            sa.func.max(C.c.started_at).label("last_at"),
            sa.func.count().over().label("numbers"),
            sa.func.sum(calls).over().label("all_calls"),
        )
        .where(
            C.c.center_id == scope.center_id,
            C.c.started_at >= p.start,
            C.c.started_at < p.end,
            C.c.phone.is_not(None),
            C.c.channel != Channel.OUTBOUND.value,
        )
        .group_by(C.c.phone)
        .having(calls >= 2)
        .order_by(calls.desc(), C.c.phone)
        .limit(limit)
    ).all()
    out = tuple(RepeatCaller(*r[:5]) for r in rows)
    numbers = rows[0].numbers if rows else 0
    all_calls = int(rows[0].all_calls) if rows else 0
    total = RepeatCaller(None, sum(r.calls for r in out), None, None, None)
    summary = (("numbers", numbers), ("calls", all_calls))
    figure = Figure("repeat_callers", RepeatCaller, scope, out, total, summary)
    return figure if scope.reveal_personal else mask_figure(figure)
