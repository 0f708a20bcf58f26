"""The supervisor's wallboard: the center's live counts, and word of every change.

:func:`wallboard_counts` reads what a supervisor watches all day in a handful of aggregate
queries on the queue's indexes: calls and new requests this hour, open requests by status,
overdue, escalated, active incidents with their calls. :func:`at_risk_count` (requests whose
clock is in its warning share) reads clocks on calendars, so the screen asks for it less often.

On PostgreSQL every write transaction (:func:`db.engine.session`) sends a notification on
:data:`db.engine.CHANGES_CHANNEL`; :func:`listen_for_changes` waits for them on a connection of
its own, so a wallboard reads again within a second of a change and not otherwise. SQLite has no
such thing: its wallboard polls.
"""

import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from db.accounts import AgentView, require
from db.engine import CHANGES_CHANNEL
from db.followup.chase import _nearly_due
from db.followup.queue import _overdue_clause
from db.followup.records import _aware_now, _c
from db.followup.states import RUNNING_STATUSES
from db.jalali import TEHRAN
from db.models import OPEN_STATUSES, Call, Incident, IncidentStatus, Role, Ticket

__all__ = [
    "IncidentCount",
    "WallboardCounts",
    "at_risk_count",
    "listen_for_changes",
    "wallboard_counts",
]

WALLBOARD_ROLES = (Role.SUPERVISOR, Role.SURVEYOR)

_OPEN = tuple(sorted(s.value for s in OPEN_STATUSES))


@dataclass(frozen=True)
class IncidentCount:
    id: uuid.UUID
    title: str
    kind: str
    calls: int
    calls_this_hour: int


@dataclass(frozen=True)
class WallboardCounts:
    """The center at ``as_of``: ``hour_start`` is the start of this Tehran clock hour."""

    as_of: datetime
    hour_start: datetime
    calls_this_hour: int
    new_this_hour: int
    open_by_status: Mapping[str, int]
    overdue: int
    escalated: Mapping[int, int]
    """Open requests by escalation level (1-3)."""
    incidents: tuple[IncidentCount, ...]

    @property
    def open(self) -> int:
        return sum(self.open_by_status.values())


def hour_start(now: datetime) -> datetime:
    local = now.astimezone(TEHRAN)
    return local.replace(minute=0, second=0, microsecond=0).astimezone(now.tzinfo)


def wallboard_counts(
    session: Session, *, actor: AgentView, now: datetime | None = None
) -> WallboardCounts:
    """The live counts of the actor's center (see the module's docstring)."""
    require(actor, *WALLBOARD_ROLES, action="read the wallboard")
    now = _aware_now(now)
    center = actor.center_id
    since = hour_start(now)
    calls = session.exec(
        select(sa.func.count())
        .select_from(Call)
        .where(Call.center_id == center, col(Call.started_at) >= since)
    ).one()
    new = session.exec(
        select(sa.func.count())
        .select_from(Ticket)
        .where(Ticket.center_id == center, col(Ticket.opened_at) >= since)
    ).one()
    open_where = [_c.status.in_(_OPEN), _c.center_id == center]
    by_status = dict(
        session.execute(
            sa.select(_c.status, sa.func.count()).where(*open_where).group_by(_c.status)
        )
        .tuples()
        .all()
    )
    overdue = session.execute(
        sa.select(sa.func.count()).where(*open_where, _overdue_clause(now))
    ).scalar_one()
    escalated = dict(
        session.execute(
            sa.select(_c.escalation_level, sa.func.count())
            .where(*open_where, _c.escalation_level > 0)
            .group_by(_c.escalation_level)
        )
        .tuples()
        .all()
    )
    return WallboardCounts(
        as_of=now,
        hour_start=since,
        calls_this_hour=calls,
        new_this_hour=new,
        open_by_status=by_status,
        overdue=overdue,
        escalated=escalated,
        incidents=_incident_counts(session, center, since),
    )


def _incident_counts(
    session: Session, center: uuid.UUID, since: datetime
) -> tuple[IncidentCount, ...]:
    incidents = session.exec(
        select(Incident)
        .where(Incident.center_id == center, Incident.status == IncidentStatus.ACTIVE.value)
        .order_by(col(Incident.started_at).desc())
    ).all()
    if not incidents:
        return ()
    ids = [i.id for i in incidents]
    this_hour = sa.func.sum(sa.case((col(Call.started_at) >= since, 1), else_=0))
    counts = {
        incident_id: (total, hour or 0)
        for incident_id, total, hour in session.exec(
            select(Call.incident_id, sa.func.count(), this_hour)
            .where(col(Call.incident_id).in_(ids))
            .group_by(Call.incident_id)
        ).all()
    }
    return tuple(IncidentCount(i.id, i.title, i.kind, *counts.get(i.id, (0, 0))) for i in incidents)


def at_risk_count(session: Session, *, actor: AgentView, now: datetime | None = None) -> int:
    """Open requests not yet overdue whose citizen's or unit's clock is in its warning share."""
    require(actor, *WALLBOARD_ROLES, action="read the wallboard")
    now = _aware_now(now)
    waiting = session.exec(
        select(Ticket).where(
            _c.status.in_(RUNNING_STATUSES),
            _c.center_id == actor.center_id,
            _c.paused_at.is_(None),
            sa.not_(_overdue_clause(now)),
        )
    ).all()
    return len(_nearly_due(session, list(waiting), now))


def listen_for_changes(
    engine: Engine,
    on_change: Callable[[], None],
    stop: threading.Event,
    *,
    wait: float = 1.0,
    ready: Callable[[], None] | None = None,
) -> None:
    """Call ``on_change`` after each burst of change notifications on a PostgreSQL database,
    until ``stop`` is set (checked every ``wait`` seconds). Runs in the caller's thread on a
    connection of its own; ``ready`` is called once it listens. A burst (a campaign approved,
    a tick escalating twenty requests) coalesces into one call within a twentieth of a second.
    """
    import psycopg

    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"LISTEN {CHANGES_CHANNEL}")
        if ready is not None:
            ready()
        while not stop.is_set():
            if not list(conn.notifies(timeout=wait, stop_after=1)):
                continue
            for _more in conn.notifies(timeout=0.05):
                pass
            if not stop.is_set():
                on_change()
