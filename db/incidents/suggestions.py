"""Suggestions to declare an incident: a burst of calls that no incident explains.

When ``incidents.suggest_calls`` calls (N) in one category come from one district within
``incidents.suggest_minutes`` minutes (M), none linked to an incident, and no active incident's
area touches that district, the supervisor is offered to declare one. A call's district is its
subscriber's, else its request's. Dismissing a suggestion hides it for M minutes (an audit entry
remembers who dismissed it and when), so a known non-event does not nag all shift.
"""

import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from db.accounts import AgentView, require
from db.incidents.errors import IncidentError
from db.incidents.records import INCIDENT_ROLES, _aware_now
from db.incidents.settings import load_incident_settings
from db.incidents.views import IncidentSuggestion, _by_id
from db.models import (
    AuditEntry,
    Call,
    Category,
    District,
    Incident,
    IncidentArea,
    IncidentStatus,
    Subscriber,
    Ticket,
)

DISMISSED = "incident_suggestion_dismissed"


def suggest_incidents(
    session: Session, *, actor: AgentView, now: datetime | None = None
) -> tuple[IncidentSuggestion, ...]:
    """The bursts of the last M minutes worth an incident, most calls first."""
    require(actor, *INCIDENT_ROLES, action="see incident suggestions")
    now = _aware_now(now)
    settings = load_incident_settings(session, actor.center_id)
    since = now - timedelta(minutes=settings.suggest_minutes)
    district = sa.func.coalesce(Subscriber.district_id, Ticket.district_id).label("district")
    stmt = (
        select(
            Call.category_id,
            district,
            sa.func.count(),
            sa.func.min(Call.started_at),
            sa.func.max(Call.started_at),
        )
        .select_from(Call)
        .outerjoin(Subscriber, col(Subscriber.id) == col(Call.subscriber_id))
        .outerjoin(Ticket, col(Ticket.id) == col(Call.ticket_id))
        .where(
            Call.center_id == actor.center_id,
            col(Call.started_at) >= since,
            col(Call.started_at) <= now,
            col(Call.incident_id).is_(None),
            col(Call.category_id).is_not(None),
        )
        .group_by(Call.category_id, district)
        .having(sa.func.count() >= settings.suggest_calls)
    )
    bursts = [row for row in session.exec(stmt).all() if row[1] is not None]
    if not bursts:
        return ()
    covered = set(
        session.exec(
            select(IncidentArea.district_id)
            .join(Incident, col(Incident.id) == col(IncidentArea.incident_id))
            .where(
                Incident.center_id == actor.center_id,
                Incident.status == IncidentStatus.ACTIVE.value,
                col(IncidentArea.district_id).in_({row[1] for row in bursts}),
            )
        ).all()
    )
    dismissed = {
        (entry.entity_id, (entry.changes.get("category_id") or [None, None])[1])
        for entry in session.exec(
            select(AuditEntry).where(
                AuditEntry.action == DISMISSED,
                col(AuditEntry.at) >= since,
                AuditEntry.center_id == actor.center_id,
            )
        ).all()
    }
    districts = _by_id(session, District, {row[1] for row in bursts})
    categories = _by_id(session, Category, {row[0] for row in bursts})
    out = []
    for category_id, district_id, calls, first_at, last_at in bursts:
        if district_id in covered or (str(district_id), str(category_id)) in dismissed:
            continue
        d, c = districts[district_id], categories[category_id]
        out.append(
            IncidentSuggestion(
                district_id=district_id,
                district_name_fa=d.name_fa,
                district_name_en=d.name_en,
                category_id=category_id,
                category_code=c.code,
                category_name_fa=c.name_fa,
                category_name_en=c.name_en,
                emergency=c.emergency,
                calls=int(calls),
                first_at=first_at,
                last_at=last_at,
                window_minutes=settings.suggest_minutes,
            )
        )
    out.sort(key=lambda s: (-s.calls, not s.emergency, s.district_name_fa, s.category_code))
    return tuple(out)


def dismiss_suggestion(
    session: Session,
    *,
    actor: AgentView,
    district_id: uuid.UUID,
    category_id: uuid.UUID,
    now: datetime | None = None,
) -> None:
    """Hide a suggestion for the next M minutes (no incident: e.g. a known bill run).
    Errors: not_found (what district or category)."""
    require(actor, *INCIDENT_ROLES, action="dismiss incident suggestions")
    now = _aware_now(now)
    district = session.get(District, district_id)
    if district is None or district.center_id != actor.center_id:
        raise IncidentError("not_found", what="district", id=str(district_id))
    category = session.get(Category, category_id)
    if category is None or category.center_id != actor.center_id:
        raise IncidentError("not_found", what="category", id=str(category_id))
    # Stamped with ``now`` (not the wall clock, as audit.record would): the window it hides
    # the suggestion for is measured from the same clock the suggestions are read with.
    session.add(
        AuditEntry(
            at=now,
            action=DISMISSED,
            actor_id=actor.id,
            center_id=actor.center_id,
            entity="district",
            entity_id=str(district_id),
            changes={"category_id": [None, str(category_id)]},
        )
    )
    session.flush()
