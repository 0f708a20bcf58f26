"""Reading incidents: the list (active first), the detail, and the calls hour by hour.

Any signed-in person may read incidents (the desk reads them out); the CLI reads with no actor
and names the center. The hourly series is counted by the database, in Tehran clock hours (the
zone is +03:30, so UTC hours would cut every Tehran hour in two), behind one function with a
branch per engine.
"""

import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from db.accounts import AgentView
from db.incidents.areas import area_rows
from db.incidents.errors import IncidentError
from db.incidents.records import _aware_now, _center, _incident
from db.incidents.views import (
    HourCount,
    IncidentCursor,
    IncidentDetail,
    IncidentPage,
    _area_views,
    _event_views,
    _summaries,
)
from db.jalali import TEHRAN
from db.models import Call, Incident, IncidentEvent, IncidentStatus
from db.notices.outbox import count_outbox

PAGE_SIZE = 50
#: At most this many active incidents are listed (a center has a handful at a time).
MAX_ACTIVE = 200
#: The hourly series shows at most the last week of an incident's calls.
MAX_HOURS = 7 * 24


def list_incidents(
    session: Session,
    *,
    actor: AgentView | None,
    center_id: uuid.UUID | None = None,
    status: str | None = None,
    cursor: IncidentCursor | None = None,
    limit: int = PAGE_SIZE,
) -> IncidentPage:
    """The center's incidents: on the first page every active one (newest first), then closed
    ones, newest first, ``limit`` at a time (``cursor`` continues). ``status`` keeps one kind."""
    center = _center(actor, center_id)
    if status not in (None, IncidentStatus.ACTIVE, IncidentStatus.CLOSED):
        raise IncidentError("bad_status", status=str(status))
    limit = max(1, min(limit, 500))
    order = (col(Incident.started_at).desc(), col(Incident.id).desc())
    rows: list[Incident] = []
    if status in (None, IncidentStatus.ACTIVE) and cursor is None:
        stmt = select(Incident).where(
            Incident.center_id == center, Incident.status == IncidentStatus.ACTIVE.value
        )
        rows += session.exec(stmt.order_by(*order).limit(MAX_ACTIVE)).all()
    more = False
    if status in (None, IncidentStatus.CLOSED):
        stmt = select(Incident).where(
            Incident.center_id == center, Incident.status == IncidentStatus.CLOSED.value
        )
        if cursor is not None:
            stmt = stmt.where(
                sa.or_(
                    col(Incident.started_at) < cursor.started_at,
                    sa.and_(
                        col(Incident.started_at) == cursor.started_at,
                        col(Incident.id) < cursor.id,
                    ),
                )
            )
        closed = list(session.exec(stmt.order_by(*order).limit(limit + 1)).all())
        more = len(closed) > limit
        rows += closed[:limit]
    items = tuple(_summaries(session, rows))
    last = items[-1] if more else None
    return IncidentPage(items, IncidentCursor(last.started_at, last.id) if last else None)


def _hour_bucket(session: Session, offset: int) -> sa.ColumnElement:
    """The Tehran hour of a call's start, as hours since the epoch (engine-specific)."""
    if session.get_bind().dialect.name == "postgresql":
        epoch = sa.extract("epoch", Call.started_at)
        return sa.cast(sa.func.floor((epoch + offset) / 3600), sa.BigInteger)
    # SQLite keeps naive UTC text; strftime('%s') reads it as UTC.
    epoch = sa.cast(sa.func.strftime("%s", Call.started_at), sa.Integer)
    return (epoch + offset) // 3600


def calls_per_hour(
    session: Session, incident_id: uuid.UUID, *, now: datetime | None = None
) -> tuple[HourCount, ...]:
    """Calls linked to the incident per Tehran clock hour, from its first call's hour to its
    last's with the quiet hours as zeros (at most the last :data:`MAX_HOURS`)."""
    now = _aware_now(now)
    offset = int(now.astimezone(TEHRAN).utcoffset().total_seconds())  # type: ignore[union-attr]
    bucket = _hour_bucket(session, offset).label("bucket")
    stmt = (
        select(bucket, sa.func.count())
        .where(Call.incident_id == incident_id)
        .group_by(bucket)
        .order_by(bucket)
    )
    counts = {int(b): int(n) for b, n in session.exec(stmt).all()}
    if not counts:
        return ()
    last = max(counts)
    first = max(min(counts), last - MAX_HOURS + 1)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return tuple(
        HourCount(epoch + timedelta(seconds=b * 3600 - offset), counts.get(b, 0))
        for b in range(first, last + 1)
    )


def incident_detail(
    session: Session,
    *,
    actor: AgentView | None,
    incident_id: uuid.UUID,
    center_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> IncidentDetail:
    """One incident with its area, its history (oldest first), its calls per hour, how many
    numbers called and asked for a callback, and its messages per status. Errors: not_found."""
    center = _center(actor, center_id)
    incident = _incident(session, incident_id, center)
    events = session.exec(
        select(IncidentEvent)
        .where(IncidentEvent.incident_id == incident.id)
        .order_by(col(IncidentEvent.at), col(IncidentEvent.id))
    ).all()
    callers, callbacks = session.exec(
        select(
            sa.func.count(sa.distinct(Call.phone)),
            sa.func.count().filter(col(Call.wants_callback)),
        ).where(Call.incident_id == incident.id)
    ).one()
    return IncidentDetail(
        incident=_summaries(session, [incident])[0],
        areas=_area_views(session, area_rows(session, incident.id)),
        events=_event_views(session, events),
        calls_per_hour=calls_per_hour(session, incident.id, now=now),
        callers=int(callers or 0),
        callback_requests=int(callbacks or 0),
        notices=count_outbox(session, center, incident_id=incident.id),
    )
