"""Reading and writing incidents: the helpers every incident operation shares.

The guarded write (:func:`_write`: new state plus its events only if the version is still the
one the supervisor read) and the refusal that explains a lost race (:func:`_stale`) live here,
so declaring, updating and closing write the same way as follow-up writes requests.
"""

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from db.accounts import AgentView
from db.incidents.errors import IncidentError
from db.models import Agent, Incident, IncidentEvent, Role, utcnow

#: Who declares, updates and closes incidents: the supervisor and the information officer.
INCIDENT_ROLES = (Role.NOTIFIER, Role.SUPERVISOR)
#: Events that note something about an incident without changing it: they leave its version
#: alone, so a notice sent meanwhile never makes a supervisor's edit stale.
LOG_ONLY_ACTIONS = frozenset({"campaign_approved", "notice_sent"})

_T = Incident.__table__


def _aware_now(now: datetime | None) -> datetime:
    if now is None:
        return utcnow()
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


def _aware(value: datetime | None, field: str) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise IncidentError("naive_time", field=field)
    return value.astimezone(UTC)


def _center(actor: AgentView | None, center_id: uuid.UUID | None) -> uuid.UUID:
    """The center an operation reads: the actor's, or the one the CLI names."""
    if actor is not None:
        return actor.center_id
    if center_id is None:
        raise IncidentError("center_required")
    return center_id


def _fresh(session: Session, incident_id: uuid.UUID) -> Incident | None:
    stmt = (
        select(Incident).where(Incident.id == incident_id).execution_options(populate_existing=True)
    )
    return session.exec(stmt).first()


def _incident(session: Session, incident_id: Any, center_id: uuid.UUID) -> Incident:
    try:
        key = incident_id if isinstance(incident_id, uuid.UUID) else uuid.UUID(str(incident_id))
    except ValueError:
        raise IncidentError("not_found", what="incident", id=str(incident_id)) from None
    incident = _fresh(session, key)
    if incident is None or incident.center_id != center_id:
        raise IncidentError("not_found", what="incident", id=str(incident_id))
    return incident


def _stale(session: Session, incident_id: uuid.UUID) -> IncidentError:
    incident = _fresh(session, incident_id)
    stmt = (
        select(IncidentEvent)
        .where(
            IncidentEvent.incident_id == incident_id,
            col(IncidentEvent.action).not_in(sorted(LOG_ONLY_ACTIONS)),
        )
        .order_by(col(IncidentEvent.at).desc(), col(IncidentEvent.id).desc())
        .limit(1)
    )
    event = session.exec(stmt).first()
    agent = session.get(Agent, event.actor_id) if event and event.actor_id else None
    return IncidentError(
        "stale",
        "another person changed this incident first",
        changed_by=agent.full_name if agent else "",
        changed_by_id=agent.id if agent else None,
        changed_at=event.at if event else None,
        action=event.action if event else None,
        version=incident.version if incident else None,
    )


def _event(
    incident: Incident,
    actor: AgentView | None,
    *,
    at: datetime,
    action: str,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> IncidentEvent:
    return IncidentEvent(
        center_id=incident.center_id,
        incident_id=incident.id,
        at=at,
        actor_id=actor.id if actor else None,
        action=action,
        note=note,
        data=data or {},
    )


def _write(
    session: Session,
    incident: Incident,
    *,
    version: int,
    values: dict[str, Any],
    events: list[IncidentEvent],
) -> None:
    """The guarded write: the new state only if the incident is still active at ``version``,
    plus its events (each state-changing one raises the version by one). Raises ``stale`` or
    ``closed`` and writes nothing when it is not."""
    changes = sum(1 for e in events if e.action not in LOG_ONLY_ACTIONS)
    result = session.execute(
        sa.update(_T)
        .where(_T.c.id == incident.id, _T.c.version == version, _T.c.status == "active")
        .values(version=version + changes, **values)
    )
    if result.rowcount != 1:
        fresh = _fresh(session, incident.id)
        if fresh is not None and fresh.status != "active":
            raise IncidentError("closed", title=fresh.title)
        raise _stale(session, incident.id)
    session.add_all(events)
    session.flush()


def log_event(
    session: Session,
    incident_id: uuid.UUID,
    actor: AgentView | None,
    *,
    action: str,
    at: datetime,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    """Note a log-only event (a campaign about the incident approved...) in the caller's
    transaction; the incident's version and state are left alone."""
    if action not in LOG_ONLY_ACTIONS:
        raise ValueError(f"{action!r} changes an incident: use the guarded write")
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise IncidentError("not_found", what="incident", id=str(incident_id))
    session.add(_event(incident, actor, at=at, action=action, note=note, data=data))
