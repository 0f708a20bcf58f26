"""Declaring, updating and closing an incident.

Each operation checks the actor's role (:data:`INCIDENT_ROLES`), the inputs, then writes the
incident's new state and one :class:`IncidentEvent` per change in the caller's transaction,
guarded by the version the supervisor read (:func:`db.incidents.records._write`): two people
moving the restoration time at once get a clear "stale", never a lost update. Declaring and
closing are audited. Closing queues the "service restored" notices and callbacks
(:mod:`db.incidents.restored`) in the same transaction, so an incident is never closed without
them, nor are they sent for an incident still open.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from sqlmodel import Session, col, delete

from db import audit
from db.accounts import AgentView, require
from db.incidents.areas import AreaInput, area_label, area_rows, clean_areas
from db.incidents.errors import IncidentError
from db.incidents.records import (
    INCIDENT_ROLES,
    _aware,
    _aware_now,
    _event,
    _fresh,
    _incident,
    _write,
)
from db.incidents.restored import queue_restored
from db.incidents.views import CloseReport, IncidentSummary, _summaries
from db.models import Incident, IncidentArea, IncidentKind, IncidentStatus, Unit
from db.text import normalize

KINDS = tuple(k.value for k in IncidentKind)
MAX_TITLE = 200
MAX_MESSAGE = 1000
MAX_NOTE = 1000


class _Keep:
    """Leave this field as it is (``None`` means "clear it")."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Final = _Keep()


def _text(value: str | None, field: str, limit: int, *, required: bool = True) -> str:
    text = normalize(value or "")
    if required and not text:
        raise IncidentError("required", field=field)
    if len(text) > limit:
        raise IncidentError("too_long", field=field, max=limit)
    return text


def _unit(session: Session, unit_id: uuid.UUID | None, center_id: uuid.UUID) -> uuid.UUID | None:
    if unit_id is None:
        return None
    unit = session.get(Unit, unit_id)
    if unit is None or unit.center_id != center_id:
        raise IncidentError("unit_not_found", id=str(unit_id))
    return unit.id


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def summary(session: Session, incident_id: uuid.UUID) -> IncidentSummary:
    incident = _fresh(session, incident_id)
    assert incident is not None
    return _summaries(session, [incident])[0]


def declare_incident(
    session: Session,
    *,
    actor: AgentView,
    kind: str,
    title: str,
    public_message: str,
    areas: Sequence[AreaInput],
    expected_restoration_at: datetime | None = None,
    started_at: datetime | None = None,
    unit_id: uuid.UUID | None = None,
    notify_area_on_close: bool = False,
    note: str = "",
    now: datetime | None = None,
) -> IncidentSummary:
    """Declare an incident: from now on every caller from its area hears ``public_message``.

    ``started_at`` defaults to now and may lie ahead (a planned cut-off announced days before);
    ``expected_restoration_at`` must come after it. Errors: bad_kind; required / too_long
    (title, public_message, note); naive_time; eta_before_start; unit_not_found; the area
    errors of :func:`db.incidents.areas.clean_areas`.
    """
    require(actor, *INCIDENT_ROLES, action="declare incidents")
    now = _aware_now(now)
    if kind not in KINDS:
        raise IncidentError("bad_kind", kind=str(kind))
    title = _text(title, "title", MAX_TITLE)
    message = _text(public_message, "public_message", MAX_MESSAGE)
    note = _text(note, "note", MAX_NOTE, required=False)
    started = _aware(started_at, "started_at") or now
    eta = _aware(expected_restoration_at, "expected_restoration_at")
    if eta is not None and eta <= started:
        raise IncidentError("eta_before_start")
    unit = _unit(session, unit_id, actor.center_id)
    parts = clean_areas(session, actor.center_id, areas)

    incident = Incident(
        center_id=actor.center_id,
        kind=kind,
        status=IncidentStatus.ACTIVE,
        title=title,
        public_message=message,
        unit_id=unit,
        declared_by_id=actor.id,
        started_at=started,
        expected_restoration_at=eta,
        notify_area_on_close=notify_area_on_close,
        version=1,
        updated_at=now,
    )
    session.add(incident)
    session.flush()
    rows = [IncidentArea(incident_id=incident.id, **part) for part in parts]
    session.add_all(rows)
    session.add(
        _event(
            incident,
            actor,
            at=now,
            action="declared",
            note=note,
            data={"eta": _iso(eta), "area": area_label(session, rows, "fa")},
        )
    )
    audit.record(
        session,
        action="incident_declared",
        actor_id=actor.id,
        center_id=actor.center_id,
        entity="incident",
        entity_id=incident.id,
        changes={"kind": [None, kind], "title": [None, title], "eta": [None, _iso(eta)]},
    )
    session.flush()
    return summary(session, incident.id)


def update_incident(
    session: Session,
    *,
    actor: AgentView,
    incident_id: uuid.UUID,
    expected_version: int,
    expected_restoration_at: datetime | _Keep | None = KEEP,
    public_message: str | None = None,
    title: str | None = None,
    unit_id: uuid.UUID | _Keep | None = KEEP,
    areas: Sequence[AreaInput] | None = None,
    notify_area_on_close: bool | None = None,
    note: str = "",
    now: datetime | None = None,
) -> IncidentSummary:
    """Change an active incident: one event per field that changed (eta_changed with from/to,
    message_changed, title_changed, unit_changed, area_changed, notify_changed), each raising the
    version by one. Fields left as ``None``/``KEEP`` stay; ``expected_restoration_at=None``
    clears the time ("not known yet"). Errors: not_found; closed; stale; nothing_changed; the
    checks of :func:`declare_incident`."""
    require(actor, *INCIDENT_ROLES, action="update incidents")
    now = _aware_now(now)
    incident = _incident(session, incident_id, actor.center_id)
    if incident.status != IncidentStatus.ACTIVE:
        raise IncidentError("closed", title=incident.title)
    note = _text(note, "note", MAX_NOTE, required=False)
    values: dict[str, Any] = {}
    events = []

    def change(field: str, action: str, old: Any, new: Any, data: dict[str, Any]) -> None:
        if new != old:
            values[field] = new
            events.append(_event(incident, actor, at=now, action=action, note=note, data=data))

    if not isinstance(expected_restoration_at, _Keep):
        eta = _aware(expected_restoration_at, "expected_restoration_at")
        if eta is not None and eta <= incident.started_at:
            raise IncidentError("eta_before_start")
        old = incident.expected_restoration_at
        change("expected_restoration_at", "eta_changed", old, eta,
               {"from": _iso(old), "to": _iso(eta)})  # fmt: skip
    if public_message is not None:
        message = _text(public_message, "public_message", MAX_MESSAGE)
        change("public_message", "message_changed", incident.public_message, message,
               {"from": incident.public_message})  # fmt: skip
    if title is not None:
        new_title = _text(title, "title", MAX_TITLE)
        change("title", "title_changed", incident.title, new_title, {"from": incident.title})
    if not isinstance(unit_id, _Keep):
        unit = _unit(session, unit_id, actor.center_id)
        change("unit_id", "unit_changed", incident.unit_id, unit,
               {"from": str(incident.unit_id) if incident.unit_id else None,
                "to": str(unit) if unit else None})  # fmt: skip
    if notify_area_on_close is not None:
        change("notify_area_on_close", "notify_changed", incident.notify_area_on_close,
               notify_area_on_close, {"to": notify_area_on_close})  # fmt: skip
    new_areas: list[IncidentArea] | None = None
    if areas is not None:
        parts = clean_areas(session, actor.center_id, areas)
        old_rows = area_rows(session, incident.id)
        old_set = {(a.district_id, a.street_key) for a in old_rows}
        if {(p["district_id"], p["street_key"]) for p in parts} != old_set:
            new_areas = [IncidentArea(incident_id=incident.id, **part) for part in parts]
            events.append(
                _event(incident, actor, at=now, action="area_changed", note=note,
                       data={"from": area_label(session, old_rows, "fa"),
                             "to": area_label(session, new_areas, "fa")})
            )  # fmt: skip
    if not events:
        raise IncidentError("nothing_changed")
    _write(
        session,
        incident,
        version=expected_version,
        values=values | {"updated_at": now},
        events=events,
    )
    if new_areas is not None:
        session.exec(delete(IncidentArea).where(col(IncidentArea.incident_id) == incident.id))
        session.add_all(new_areas)
        session.flush()
    return summary(session, incident.id)


def close_incident(
    session: Session,
    *,
    actor: AgentView,
    incident_id: uuid.UUID,
    expected_version: int,
    note: str = "",
    notify_area: bool | None = None,
    now: datetime | None = None,
) -> CloseReport:
    """Close an incident: service is back. Queues "service restored" to everyone who called
    about it (and to every subscriber of the area when ``notify_area``, by default the choice
    made at declaration) and a callback for each caller who asked for one, all in this
    transaction. Errors: not_found; closed; stale; too_long (note)."""
    require(actor, *INCIDENT_ROLES, action="close incidents")
    now = _aware_now(now)
    incident = _incident(session, incident_id, actor.center_id)
    if incident.status != IncidentStatus.ACTIVE:
        raise IncidentError("closed", title=incident.title)
    note = _text(note, "note", MAX_NOTE, required=False)
    area = incident.notify_area_on_close if notify_area is None else notify_area
    event = _event(incident, actor, at=now, action="closed", note=note)
    # The version is checked first, so a stale close queues nothing.
    _write(
        session,
        incident,
        version=expected_version,
        values={
            "status": IncidentStatus.CLOSED,
            "closed_at": now,
            "notify_area_on_close": area,
            "updated_at": now,
        },
        events=[event],
    )
    closed = _fresh(session, incident.id)
    assert closed is not None
    queued, callbacks = queue_restored(session, closed, notify_area=area, now=now)
    event.data = {"notices": queued, "callbacks": callbacks, "notify_area": area}
    audit.record(
        session,
        action="incident_closed",
        actor_id=actor.id,
        center_id=actor.center_id,
        entity="incident",
        entity_id=incident.id,
        changes={"status": [IncidentStatus.ACTIVE, IncidentStatus.CLOSED]},
        detail=f"notices {queued}, callbacks {callbacks}",
    )
    session.flush()
    return CloseReport(summary(session, incident.id), queued, callbacks)
