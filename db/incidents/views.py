"""What incidents return: frozen views the console shows, and their building from rows.

:func:`_summaries` builds any number of incident summaries (names, area in words, call counts)
in a handful of queries, so the incident list costs the same with one incident or fifty.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from db.incidents.areas import area_label
from db.models import Agent, Call, District, Incident, IncidentArea, IncidentEvent, Unit
from db.notices.outbox import OutboxCounts
from db.views import IncidentView


@dataclass(frozen=True)
class AreaView:
    """One part of an incident's area: a district, a street, or a street within a district."""

    id: uuid.UUID
    district_id: uuid.UUID | None
    district_name_fa: str
    district_name_en: str
    street: str


@dataclass(frozen=True)
class IncidentSummary(IncidentView):
    """An incident as the list and the detail show it. ``area_fa``/``area_en`` are the area in
    words; ``call_count`` the calls linked to it; ``version`` what an edit must quote."""

    closed_at: datetime | None
    unit_id: uuid.UUID | None
    unit_name_fa: str
    unit_name_en: str
    declared_by_id: uuid.UUID | None
    declared_by_name: str
    notify_area_on_close: bool
    version: int
    updated_at: datetime
    area_fa: str
    area_en: str
    call_count: int

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True)
class IncidentEventView:
    """One step of an incident's history: declared, eta_changed, message_changed, closed..."""

    id: uuid.UUID
    at: datetime
    actor_id: uuid.UUID | None
    actor_name: str
    action: str
    note: str
    data: dict[str, Any] = field(hash=False, compare=True)


@dataclass(frozen=True)
class HourCount:
    """Calls in one Tehran clock hour; ``hour`` is its start as aware UTC."""

    hour: datetime
    calls: int


@dataclass(frozen=True)
class IncidentDetail:
    """An incident with its area, its history, its calls hour by hour (zeros included, oldest
    first), how many distinct numbers called, how many asked for a callback, and its notices."""

    incident: IncidentSummary
    areas: tuple[AreaView, ...]
    events: tuple[IncidentEventView, ...]
    calls_per_hour: tuple[HourCount, ...]
    callers: int
    callback_requests: int
    notices: OutboxCounts


@dataclass(frozen=True)
class IncidentCursor:
    """Where a page of closed incidents ended (newest first)."""

    started_at: datetime
    id: uuid.UUID


@dataclass(frozen=True)
class IncidentPage:
    """Active incidents first (on the first page), then closed ones, newest first."""

    items: tuple[IncidentSummary, ...]
    next_cursor: IncidentCursor | None


@dataclass(frozen=True)
class IncidentSuggestion:
    """A burst of calls that no incident explains: ``calls`` calls in one category from one
    district between ``first_at`` and ``last_at`` (within ``window_minutes``)."""

    district_id: uuid.UUID
    district_name_fa: str
    district_name_en: str
    category_id: uuid.UUID
    category_code: str
    category_name_fa: str
    category_name_en: str
    emergency: bool
    calls: int
    first_at: datetime
    last_at: datetime
    window_minutes: int


@dataclass(frozen=True)
class CloseReport:
    """A closed incident, the "service restored" messages queued and the callbacks created."""

    incident: IncidentSummary
    notices_queued: int
    callbacks_created: int


def _by_id(session: Session, model: Any, ids: set[uuid.UUID]) -> dict[uuid.UUID, Any]:
    if not ids:
        return {}
    rows = session.exec(select(model).where(col(model.id).in_(ids))).all()
    return {row.id: row for row in rows}


def call_counts(session: Session, incident_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not incident_ids:
        return {}
    stmt = (
        select(Call.incident_id, sa.func.count())
        .where(col(Call.incident_id).in_(list(incident_ids)))
        .group_by(Call.incident_id)
    )
    return {i: int(n) for i, n in session.exec(stmt).all()}


def _summaries(session: Session, incidents: Sequence[Incident]) -> list[IncidentSummary]:
    ids = [i.id for i in incidents]
    areas: dict[uuid.UUID, list[IncidentArea]] = {i: [] for i in ids}
    if ids:
        stmt = select(IncidentArea).where(col(IncidentArea.incident_id).in_(ids))
        for area in session.exec(stmt.order_by(col(IncidentArea.id))).all():
            areas[area.incident_id].append(area)
    units = _by_id(session, Unit, {i.unit_id for i in incidents if i.unit_id})
    agents = _by_id(session, Agent, {i.declared_by_id for i in incidents if i.declared_by_id})
    districts = _by_id(
        session,
        District,
        {a.district_id for parts in areas.values() for a in parts if a.district_id},
    )
    counts = call_counts(session, ids)
    out = []
    for i in incidents:
        unit = units.get(i.unit_id) if i.unit_id else None
        agent = agents.get(i.declared_by_id) if i.declared_by_id else None
        out.append(
            IncidentSummary(
                id=i.id,
                kind=i.kind,
                status=i.status,
                title=i.title,
                public_message=i.public_message,
                started_at=i.started_at,
                expected_restoration_at=i.expected_restoration_at,
                closed_at=i.closed_at,
                unit_id=i.unit_id,
                unit_name_fa=unit.name_fa if unit else "",
                unit_name_en=unit.name_en if unit else "",
                declared_by_id=i.declared_by_id,
                declared_by_name=agent.full_name if agent else "",
                notify_area_on_close=i.notify_area_on_close,
                version=i.version,
                updated_at=i.updated_at,
                area_fa=area_label(session, areas[i.id], "fa", districts),
                area_en=area_label(session, areas[i.id], "en", districts),
                call_count=counts.get(i.id, 0),
            )
        )
    return out


def _area_views(session: Session, areas: Sequence[IncidentArea]) -> tuple[AreaView, ...]:
    districts = _by_id(session, District, {a.district_id for a in areas if a.district_id})
    out = []
    for a in areas:
        d = districts.get(a.district_id) if a.district_id else None
        out.append(
            AreaView(
                id=a.id,
                district_id=a.district_id,
                district_name_fa=d.name_fa if d else "",
                district_name_en=d.name_en if d else "",
                street=a.street,
            )
        )
    return tuple(out)


def _event_views(
    session: Session, events: Sequence[IncidentEvent]
) -> tuple[IncidentEventView, ...]:
    agents = _by_id(session, Agent, {e.actor_id for e in events if e.actor_id})
    return tuple(
        IncidentEventView(
            id=e.id,
            at=e.at,
            actor_id=e.actor_id,
            actor_name=agents[e.actor_id].full_name if e.actor_id in agents else "",
            action=e.action,
            note=e.note,
            data=dict(e.data or {}),
        )
        for e in events
    )
