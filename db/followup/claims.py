"""Claims: an agent holds a request for ``followup.claim_minutes`` (default 30).

Claiming is a guarded update, and on PostgreSQL the next request is locked with ``FOR UPDATE
SKIP LOCKED`` first, by the very read that finds it, so two agents never hold one request,
never wait on each other and never race for the same head of the queue. A
claim is advisory for edits: versions, not claims, keep edits safe, so a supervisor can act on
a request someone holds. A claim writes no event and no new version.
"""

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from db.accounts import AgentView, PermissionDenied, require
from db.followup.errors import FollowupError
from db.followup.queue import _Filter, _filter, _merged_keys, _where
from db.followup.records import _T, _aware_now, _c, _fresh, _is_postgres, _ticket
from db.followup.settings import load_followup_settings
from db.followup.states import _OPEN, FOLLOWUP_ROLES
from db.followup.views import QueueCursor, RequestView, _view_of
from db.models import OPEN_STATUSES, Agent, Role


def _claim_holder(session: Session, ticket_id: uuid.UUID) -> FollowupError:
    ticket = _fresh(session, ticket_id)
    assert ticket is not None
    if ticket.status not in OPEN_STATUSES:
        return FollowupError("not_open", status=ticket.status)
    agent = session.get(Agent, ticket.claimed_by_id) if ticket.claimed_by_id else None
    return FollowupError(
        "claimed",
        "another agent holds this request",
        by=agent.full_name if agent else "",
        by_id=ticket.claimed_by_id,
        until=ticket.claimed_until,
    )


def _take(
    session: Session,
    ticket_id: uuid.UUID,
    me: uuid.UUID,
    until: datetime,
    now: datetime,
    statuses: Iterable[str] = _OPEN,
) -> bool:
    """The guarded claim: only an open request nobody else holds (or whose claim expired)."""
    open_ = [s for s in statuses if s in OPEN_STATUSES]
    result = session.execute(
        sa.update(_T)
        .where(
            _c.id == ticket_id,
            _c.status.in_(open_),
            sa.or_(_c.claimed_by_id.is_(None), _c.claimed_by_id == me, _c.claimed_until < now),
        )
        .values(claimed_by_id=me, claimed_until=until)
    )
    return result.rowcount == 1


def _require_person(actor: AgentView | None) -> AgentView:
    if actor is None:
        raise PermissionDenied("permission_denied", "claims need a signed-in agent", action="claim")
    require(actor, *FOLLOWUP_ROLES, action="claim requests")
    return actor


def claim(
    session: Session, *, actor: AgentView, ticket_id: uuid.UUID, now: datetime | None = None
) -> RequestView:
    """Hold a chosen request for ``followup.claim_minutes`` (claiming it again extends it).

    A claim is not a change of the request: no event, no new version. Errors: not_found,
    not_open (status), claimed (by, by_id, until) when another agent holds it.
    """
    agent = _require_person(actor)
    now = _aware_now(now)
    ticket = _ticket(session, ticket_id, agent)
    if ticket.status not in OPEN_STATUSES:
        raise FollowupError("not_open", status=ticket.status)
    minutes = load_followup_settings(session, ticket.center_id).claim_minutes
    if not _take(session, ticket.id, agent.id, now + timedelta(minutes=minutes), now):
        raise _claim_holder(session, ticket.id)
    return _view_of(session, ticket.id, now)


def _locked_heads(
    session: Session,
    statuses: Sequence[str],
    where: list[Any],
    *,
    dated: bool,
    passed: Sequence[uuid.UUID],
) -> list[QueueCursor]:
    """PostgreSQL: the first free request of each status, locked, in one statement.

    Each status is its own ordered range of the queue's index, read with ``LIMIT 1 FOR UPDATE
    SKIP LOCKED``: a row another agent is claiming is stepped over by the read itself, so
    concurrent claims spread over the next rows instead of all trying the same few heads one by
    one. The heads stay locked to the end of the transaction; the caller takes the most urgent.
    Dated rows (``dated``) or undated ones, which come after every dated row.
    """
    due = _c.resolution_due_at
    branches = []
    for status in statuses:
        cond = [_c.status == status, due.is_not(None) if dated else due.is_(None), *where]
        if passed:
            cond.append(_c.id.not_in(passed))
        branches.append(
            sa.select(due, _c.id)
            .where(*cond)
            .order_by(due, _c.id)
            .limit(1)
            .with_for_update(skip_locked=True)
            .subquery()
        )
    stmt = sa.union_all(*(sa.select(b) for b in branches))
    return [QueueCursor(due_at, id_) for due_at, id_ in session.execute(stmt).all()]


def _claim_locked(
    session: Session,
    f: _Filter,
    where: list[Any],
    me: uuid.UUID,
    until: datetime,
    now: datetime,
) -> uuid.UUID | None:
    """PostgreSQL's claim_next: lock the heads, take the most urgent with the guarded update."""
    # A status that is not open can be listed, never claimed.
    statuses = [s for s in f.statuses if s in OPEN_STATUSES]
    passed: list[uuid.UUID] = []
    while statuses:
        heads = _locked_heads(session, statuses, where, dated=True, passed=passed)
        heads = heads or _locked_heads(session, statuses, where, dated=False, passed=passed)
        if not heads:
            return None
        best = min(heads, key=QueueCursor.key)
        if _take(session, best.id, me, until, now, statuses):
            return best.id
        # Held by this transaction, so the next read would find it again: step over it.
        passed.append(best.id)
    return None


def claim_next(
    session: Session,
    *,
    actor: AgentView,
    unit_id: uuid.UUID | None = None,
    category_id: uuid.UUID | None = None,
    district_id: uuid.UUID | None = None,
    status: str | Iterable[str] | None = None,
    escalation: int | None = None,
    overdue: bool = False,
    now: datetime | None = None,
) -> RequestView | None:
    """Hold the most urgent request of the queue (same filters as :func:`list_queue`) that
    nobody holds, or None when there is none.

    On PostgreSQL the first free request of each status is read and locked in one statement
    (``FOR UPDATE SKIP LOCKED``: a request another agent is claiming right now is skipped, not
    waited for) and the most urgent taken with the guarded update. SQLite, whose writers are
    serialised, reads candidates in queue order and takes the first the guarded update allows.
    """
    agent = _require_person(actor)
    now = _aware_now(now)
    f = _filter(unit_id, category_id, district_id, status, escalation, overdue, False)
    where = _where(session, agent.center_id, f, agent, now, unclaimed=True)
    minutes = load_followup_settings(session, agent.center_id).claim_minutes
    until = now + timedelta(minutes=minutes)
    if _is_postgres(session):
        taken = _claim_locked(session, f, where, agent.id, until, now)
        return _view_of(session, taken, now) if taken is not None else None
    after: QueueCursor | None = None
    while True:
        keys = _merged_keys(session, f, where, after, 10)
        if not keys:
            return None
        for key in keys[:10]:
            if _take(session, key.id, agent.id, until, now, f.statuses):
                return _view_of(session, key.id, now)
        after = keys[min(len(keys), 10) - 1]


def release(session: Session, *, actor: AgentView, ticket_id: uuid.UUID) -> bool:
    """Give a request back. Only its holder may, or a supervisor. True if a claim was dropped.

    Errors: not_found.
    """
    agent = _require_person(actor)
    ticket = _ticket(session, ticket_id, agent)
    cond = [_c.id == ticket.id, _c.claimed_by_id.is_not(None)]
    if not agent.has_role(Role.SUPERVISOR):
        cond.append(_c.claimed_by_id == agent.id)
    result = session.execute(
        sa.update(_T).where(*cond).values(claimed_by_id=None, claimed_until=None)
    )
    return result.rowcount == 1
