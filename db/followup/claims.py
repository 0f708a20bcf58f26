"""Claims: an agent holds a request for ``followup.claim_minutes`` (default 30).

Claiming is a guarded update, and on PostgreSQL the next request is locked with ``FOR UPDATE
SKIP LOCKED`` first, so two agents never hold one request and never wait on each other. A
claim is advisory for edits: versions, not claims, keep edits safe, so a supervisor can act on
a request someone holds. A claim writes no event and no new version.
"""

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from db.accounts import AgentView, PermissionDenied, require
from db.followup.errors import FollowupError
from db.followup.queue import _filter, _merged_keys, _where
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

    Candidates are read in queue order; on PostgreSQL each is locked with ``FOR UPDATE SKIP
    LOCKED`` (a request another agent is claiming right now is skipped, not waited for), then
    taken with the same guarded update SQLite uses alone (its writers are serialised).
    """
    agent = _require_person(actor)
    now = _aware_now(now)
    f = _filter(unit_id, category_id, district_id, status, escalation, overdue, False)
    where = _where(session, agent.center_id, f, agent, now, unclaimed=True)
    minutes = load_followup_settings(session, agent.center_id).claim_minutes
    until = now + timedelta(minutes=minutes)
    postgres = _is_postgres(session)
    after: QueueCursor | None = None
    while True:
        keys = _merged_keys(session, f, where, after, 10)
        if not keys:
            return None
        for key in keys[:10]:
            if postgres:
                locked = session.execute(
                    sa.select(_c.id)
                    .where(
                        _c.id == key.id,
                        _c.status.in_(f.statuses),
                        sa.or_(_c.claimed_by_id.is_(None), _c.claimed_until < now),
                    )
                    .with_for_update(skip_locked=True)
                ).first()
                if locked is None:
                    continue
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
