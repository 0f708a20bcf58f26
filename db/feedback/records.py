"""Reading and writing callbacks: the helpers every feedback operation shares.

The guarded write (:func:`_write_callback`: the new state only if the task is still the version
that was read, and still due) is what keeps two surveyors on the same task from both recording
it: the second one gets ``stale`` with who was first. The center's calendar for retry timing,
and the center a CLI command works in, are found here too.
"""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from db import sla
from db.accounts import MODE_ROLES, AgentView
from db.feedback.errors import FeedbackError
from db.feedback.settings import RetryPolicy
from db.models import Agent, Calendar, Callback, CallbackAttempt, CallbackStatus, Center, utcnow

#: Who works the callbacks desk: the surveyor and the supervisor.
SURVEY_ROLES = tuple(sorted(MODE_ROLES["callbacks"]))

_CB = Callback.__table__


def _aware_now(now: datetime | None) -> datetime:
    if now is None:
        return utcnow()
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


def _uuid(value: Any, what: str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise FeedbackError("not_found", what=what, id=str(value)) from None


def _center_of(actor: AgentView | None, center_id: uuid.UUID | None) -> uuid.UUID:
    """The actor's center; the local CLI (no actor) names one."""
    if actor is not None:
        return actor.center_id
    if center_id is None:
        raise FeedbackError("center_required")
    return center_id


def center_for(session: Session, code: str | None) -> uuid.UUID:
    """The center of a code, or the only center when no code is given (for the CLI).
    Errors: unknown_center (code); center_required (several centers, no code)."""
    if code:
        center = session.exec(select(Center).where(Center.code == code.strip())).first()
        if center is None:
            raise FeedbackError("unknown_center", code=code)
        return center.id
    ids = session.exec(select(Center.id).limit(2)).all()
    if len(ids) != 1:
        raise FeedbackError("center_required")
    return ids[0]


def _fresh_callback(session: Session, callback_id: uuid.UUID) -> Callback | None:
    return session.exec(
        select(Callback).where(Callback.id == callback_id).execution_options(populate_existing=True)
    ).first()


def _callback(session: Session, callback_id: Any, center_id: uuid.UUID | None) -> Callback:
    callback = _fresh_callback(session, _uuid(callback_id, "callback"))
    if callback is None or (center_id is not None and callback.center_id != center_id):
        raise FeedbackError("not_found", what="callback", id=str(callback_id))
    return callback


def _stale(session: Session, callback_id: uuid.UUID) -> FeedbackError:
    """Why a guarded write lost: the attempt somebody else recorded first."""
    callback = _fresh_callback(session, callback_id)
    last = session.exec(
        select(CallbackAttempt)
        .where(CallbackAttempt.callback_id == callback_id)
        .order_by(col(CallbackAttempt.at).desc(), col(CallbackAttempt.id).desc())
        .limit(1)
    ).first()
    agent = session.get(Agent, last.agent_id) if last and last.agent_id else None
    return FeedbackError(
        "stale",
        "another surveyor recorded this callback first",
        changed_by=agent.full_name if agent else "",
        changed_at=last.at if last else None,
        version=callback.version if callback else None,
        status=callback.status if callback else None,
    )


def _write_callback(
    session: Session, callback_id: uuid.UUID, *, version: int, values: dict[str, Any]
) -> bool:
    """The guarded write: ``values`` only if the callback is still due at ``version``."""
    result = session.execute(
        sa.update(_CB)
        .where(_CB.c.id == callback_id, _CB.c.version == version, _CB.c.status == "due")
        .values(version=version + 1, **values)
    )
    return result.rowcount == 1


def _check_due(session: Session, callback: Callback, expected_version: int | None) -> int:
    """The version to write against; refuses a task that is no longer due or was changed
    since the surveyor saw it."""
    if callback.status != CallbackStatus.DUE:
        raise FeedbackError("not_due", status=callback.status)
    if expected_version is not None and expected_version != callback.version:
        raise _stale(session, callback.id)
    return callback.version


def retry_calendar(
    session: Session, center_id: uuid.UUID, policy: RetryPolicy
) -> sla.WorkingCalendar:
    """The calendar retries are timed on: the center's calendar named in the policy (the office
    calendar), else its first office-hours calendar, else round the clock."""
    if not policy.office_hours_only:
        return sla.WorkingCalendar(always_open=True)
    rows = session.exec(
        select(Calendar).where(Calendar.center_id == center_id).order_by(col(Calendar.code))
    ).all()
    chosen = next((c for c in rows if c.code == policy.calendar), None) or next(
        (c for c in rows if not c.always_open), None
    )
    if chosen is None:
        return sla.WorkingCalendar(always_open=True)
    return sla.load_calendar(session, chosen.id)


def next_attempt_at(
    session: Session, center_id: uuid.UUID, policy: RetryPolicy, after: datetime
) -> datetime:
    """When the next attempt is due: ``gap_minutes`` of the retry calendar after ``after``
    (and never outside its hours, even with a gap of zero)."""
    calendar = retry_calendar(session, center_id, policy)
    if calendar.always_open:
        return after + timedelta(minutes=policy.gap_minutes)
    if policy.gap_minutes == 0:
        return sla.next_working_time(calendar, after)
    return sla.due_at(calendar, after, policy.gap_minutes)
