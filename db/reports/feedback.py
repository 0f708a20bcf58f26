"""Customer satisfaction (CSAT) from the surveys completed in the period, by unit, category
and agent.

CSAT is the share of top answers (4 or 5 of 5, DOMAIN.md) among every answer on a one-to-five
question of the surveys completed in the period (``completed_at`` in it, through the
``(center_id, completed_at)`` index): each such answer counts once, whichever question it is
(speed, staff, overall), because questionnaires are admin-edited and have no fixed "overall"
code. Yes/no and free-text answers are not in it. A survey is about one request, whose unit
(now) and category it is counted under; a survey about no request (after an incident) has no
unit or category.
"""

from dataclasses import dataclass, field, fields
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from db.models import (
    Agent,
    AnswerScale,
    Call,
    CallOutcome,
    Category,
    Question,
    Survey,
    Ticket,
    Unit,
)
from db.models import Answer as AnswerRow
from db.reports.privacy import mask_figure
from db.reports.sql import count_if, share, with_names
from db.reports.views import CODE, COUNT, PERSON, SHARE, TEXT, Figure, Scope, group_key

__all__ = [
    "AgentCsat",
    "CategoryCsat",
    "UnitCsat",
    "csat_by_agent",
    "csat_by_category",
    "csat_by_unit",
]

S, A, Q, T, C = (m.__table__ for m in (Survey, AnswerRow, Question, Ticket, Call))


def _inner(scope: Scope, key: Any, *, by_agent: bool = False) -> sa.Subquery:
    """The CSAT counts of the scope's surveys grouped by ``key``."""
    p = scope.period
    source = S.join(A, A.c.survey_id == S.c.id).join(Q, Q.c.id == A.c.question_id)
    source = source.outerjoin(T, T.c.id == S.c.ticket_id)
    if by_agent:
        source = source.outerjoin(
            C,
            (C.c.ticket_id == S.c.ticket_id)
            & (C.c.outcome == CallOutcome.REQUEST_REGISTERED.value),
        )
    where = [
        S.c.center_id == scope.center_id,
        S.c.completed_at >= p.start,
        S.c.completed_at < p.end,
        Q.c.scale == AnswerScale.ONE_TO_FIVE.value,
        A.c.value_int.between(1, 5),
    ]
    if scope.unit_id is not None:
        where.append(T.c.unit_id == scope.unit_id)
    return (
        sa.select(
            key.label("key"),
            sa.func.count(sa.distinct(S.c.id)).label("surveys"),
            sa.func.count().label("answers"),
            count_if(A.c.value_int >= 4).label("top_answers"),
        )
        .select_from(source)
        .where(*where)
        .group_by(key)
        .subquery()
    )


def _figure(name: str, row_type: type, scope: Scope, rows: list[tuple]) -> Figure:
    """Rows ``(*names, surveys, answers, top_answers)`` as a figure with its total."""
    out = [row_type(*names, s, a, t, share(t, a)) for *names, s, a, t in rows]
    out.sort(key=lambda r: (-r.answers, group_key(r)))
    n_names = len(fields(row_type)) - 4
    s, a, t = (sum(r[i] for r in rows) for i in (-3, -2, -1))
    total = row_type(*([None] * n_names), s, a, t, share(t, a))
    return Figure(name, row_type, scope, tuple(out), total)


@dataclass(frozen=True)
class UnitCsat:
    unit_code: str | None = field(metadata=CODE)
    unit_name_fa: str | None = field(metadata=TEXT)
    unit_name_en: str | None = field(metadata=TEXT)
    surveys: int = field(metadata=COUNT)
    answers: int = field(metadata=COUNT)
    top_answers: int = field(metadata=COUNT)
    csat: float | None = field(metadata=SHARE)


@dataclass(frozen=True)
class CategoryCsat:
    category_code: str | None = field(metadata=CODE)
    category_name_fa: str | None = field(metadata=TEXT)
    category_name_en: str | None = field(metadata=TEXT)
    surveys: int = field(metadata=COUNT)
    answers: int = field(metadata=COUNT)
    top_answers: int = field(metadata=COUNT)
    csat: float | None = field(metadata=SHARE)


@dataclass(frozen=True)
class AgentCsat:
    agent_username: str | None = field(metadata=PERSON)
    agent_name: str | None = field(metadata=PERSON)
    surveys: int = field(metadata=COUNT)
    answers: int = field(metadata=COUNT)
    top_answers: int = field(metadata=COUNT)
    csat: float | None = field(metadata=SHARE)


def csat_by_unit(session: Session, scope: Scope) -> Figure[UnitCsat]:
    """CSAT by unit (the unit the surveyed request is with now); see the module docstring."""
    rows = session.execute(with_names(_inner(scope, T.c.unit_id), Unit.__table__)).all()
    return _figure("csat_by_unit", UnitCsat, scope, [tuple(r) for r in rows])


def csat_by_category(session: Session, scope: Scope) -> Figure[CategoryCsat]:
    """CSAT by category of the surveyed request; see the module docstring."""
    rows = session.execute(with_names(_inner(scope, T.c.category_id), Category.__table__)).all()
    return _figure("csat_by_category", CategoryCsat, scope, [tuple(r) for r in rows])


def csat_by_agent(session: Session, scope: Scope) -> Figure[AgentCsat]:
    """CSAT by agent: the desk agent who took the call that registered the surveyed request
    (the one the caller first spoke to), not the surveyor who asked. Surveys about no request
    have no agent. Agents' names are personal data (:mod:`db.reports.privacy`)."""
    inner = _inner(scope, C.c.agent_id, by_agent=True)
    G = Agent.__table__
    rows = session.execute(
        sa.select(
            G.c.username, G.c.full_name, inner.c.surveys, inner.c.answers, inner.c.top_answers
        ).select_from(inner.outerjoin(G, G.c.id == inner.c.key))
    ).all()
    figure = _figure("csat_by_agent", AgentCsat, scope, [tuple(r) for r in rows])
    return figure if scope.reveal_personal else mask_figure(figure)
