"""Reading the audit trail on screen: newest first, a page at a time, filtered.

Pages are keyset-paginated on ``(at, id)`` descending, which ``ix_audit_at`` serves (and
``ix_audit_actor_at`` when filtered by person), so the hundredth page costs what the first does
however long the trail grows. An administrator reads their own center's rows; the command line
reads every center's unless it names one.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from db.accounts import AgentView
from db.admin.errors import AdminError
from db.admin.scope import admin_center
from db.models import Agent, AuditEntry

MAX_PAGE = 500


@dataclass(frozen=True)
class AuditRow:
    """One audited action. ``changes`` maps a field to ``[before, after]``; ``actor_username``
    is "" for the command line and the system, and for sign-ins by an unknown name."""

    id: uuid.UUID
    at: datetime
    center_id: uuid.UUID | None
    actor_id: uuid.UUID | None
    actor_username: str
    actor_name: str
    action: str
    entity: str
    entity_id: str
    changes: Mapping[str, Any]
    detail: str


@dataclass(frozen=True)
class AuditCursor:
    """Where a page ended: the last row's time and id."""

    at: datetime
    id: uuid.UUID


@dataclass(frozen=True)
class AuditPage:
    rows: tuple[AuditRow, ...]
    next_cursor: AuditCursor | None


def _center_id(
    session: Session, actor: AgentView | None, center_code: str | None
) -> uuid.UUID | None:
    """The center whose rows the reader sees; None (every center) for the command line."""
    if actor is None and not center_code:
        return None
    return admin_center(session, actor, center_code, action="read the audit trail").id


def read_audit(
    session: Session,
    *,
    actor: AgentView | None,
    center_code: str | None = None,
    entity: str | None = None,
    entity_id: object | None = None,
    actor_username: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after: AuditCursor | None = None,
    limit: int = 50,
) -> AuditPage:
    """A page of the trail, newest first. ``entity`` is the kind of record ("category",
    "unit", "agent", "subscriber", "center_setting"...), ``since``/``until`` bound ``at``
    (``until`` excluded), ``after`` is the previous page's ``next_cursor``.
    Errors: not_found (what="user") for an unknown ``actor_username``."""
    center_id = _center_id(session, actor, center_code)
    limit = max(1, min(limit, MAX_PAGE))
    query = select(AuditEntry, Agent.username, Agent.full_name).outerjoin(
        Agent, col(Agent.id) == col(AuditEntry.actor_id)
    )
    if center_id is not None:
        query = query.where(AuditEntry.center_id == center_id)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == str(entity_id))
    if action:
        query = query.where(AuditEntry.action == action)
    if actor_username:
        person = session.exec(
            select(Agent.id).where(Agent.username == actor_username.strip().lower())
        ).first()
        if person is None:
            raise AdminError("not_found", what="user", code=actor_username)
        query = query.where(AuditEntry.actor_id == person)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    if after is not None:
        query = query.where(
            sa.or_(
                col(AuditEntry.at) < after.at,
                sa.and_(col(AuditEntry.at) == after.at, col(AuditEntry.id) < after.id),
            )
        )
    query = query.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc()).limit(limit + 1)
    found = session.exec(query).all()
    rows = tuple(
        AuditRow(
            id=e.id,
            at=e.at,
            center_id=e.center_id,
            actor_id=e.actor_id,
            actor_username=username or "",
            actor_name=full_name or "",
            action=e.action,
            entity=e.entity,
            entity_id=e.entity_id,
            changes=dict(e.changes or {}),
            detail=e.detail,
        )
        for e, username, full_name in found[:limit]
    )
    more = len(found) > limit
    return AuditPage(rows, AuditCursor(rows[-1].at, rows[-1].id) if more and rows else None)


def audit_entities(session: Session, *, actor: AgentView | None) -> list[str]:
    """The kinds of record the trail holds, for a filter list."""
    query = select(AuditEntry.entity).distinct().order_by(col(AuditEntry.entity))
    center_id = _center_id(session, actor, None)
    if center_id is not None:
        query = query.where(AuditEntry.center_id == center_id)
    return [e for e in session.exec(query) if e]
