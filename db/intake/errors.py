"""Refusals and input checks shared by every intake action.

Why one module: each outcome of a call validates the same things (the actor may take calls, the
times, the channel, the phone, the free texts, that a referenced row is in the actor's center)
and must refuse them the same way, with an :class:`IntakeError` whose stable ``field`` and
``reason`` the console translates. Keeping the checks here keeps those codes in one place.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session

from db.accounts import AgentView, PermissionDenied, require
from db.models import Category, Channel, Role, Subscriber, utcnow
from db.text import normalize
from db.validate import ValidationError, normalize_phone

#: Who may take calls.
CALL_ROLES = (Role.AGENT, Role.SUPERVISOR)
#: How far a terminal's clock may run ahead of the database host before a time is refused.
CLOCK_SKEW = timedelta(minutes=5)

_LIMITS = {"notes": 2000, "address": 400, "description": 2000, "caller_name": 160}


class IntakeError(Exception):
    """Refused intake input. ``field`` and ``reason`` are stable codes the console translates.

    Fields: query, phone, tracking_code, category, subscriber, district, address,
    description, caller_name, notes, channel, outcome, started_at, ended_at, incident,
    ticket, draft. Reasons: see the report in each function's docstring; identifier reasons
    are those of :class:`db.validate.Reason` and :class:`db.tracking.TrackingReason`.
    """

    def __init__(self, field: str, reason: str, message: str = "", **params: Any) -> None:
        self.field = field
        self.reason = reason
        self.params = params
        super().__init__(message or f"{field}: {reason}")


def _require_caller(actor: AgentView, action: str) -> None:
    if actor is None:
        raise PermissionDenied("permission_denied", "a call needs a signed-in agent", action=action)
    require(actor, *CALL_ROLES, action=action)


def _aware_now(now: datetime | None) -> datetime:
    if now is None:
        return utcnow()
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


def _phone(value: str | None, default_area: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return normalize_phone(value, default_area)[1]
    except ValidationError as e:
        raise IntakeError("phone", e.reason.value, str(e), value=value) from None


def _text(name: str, value: str | None) -> str:
    text = normalize(value or "")
    limit = _LIMITS[name]
    if len(text) > limit:
        raise IntakeError(name, "too_long", f"{name} is longer than {limit}", max=limit)
    return text


def _times(started_at: datetime | None, ended_at: datetime | None) -> tuple[datetime, datetime]:
    latest = utcnow() + CLOCK_SKEW
    for name, value in (("started_at", started_at), ("ended_at", ended_at)):
        if value is None:
            raise IntakeError(name, "required")
        if value.tzinfo is None or value.utcoffset() is None:
            raise IntakeError(name, "naive", f"{name} must be timezone-aware")
        if value > latest:
            raise IntakeError(name, "in_future")
    assert started_at is not None and ended_at is not None
    if ended_at < started_at:
        raise IntakeError("ended_at", "before_start")
    return started_at.astimezone(UTC), ended_at.astimezone(UTC)


def _channel(channel: str) -> str:
    try:
        return Channel(channel).value
    except ValueError:
        raise IntakeError("channel", "unknown", channel=str(channel)) from None


def _in_center(session: Session, model: Any, id_: Any, field: str, actor: AgentView) -> Any:
    row = session.get(model, id_) if id_ is not None else None
    if row is None or row.center_id != actor.center_id:
        raise IntakeError(field, "not_found", id=str(id_))
    return row


def _category(session: Session, category_id: uuid.UUID | None, actor: AgentView) -> Category:
    if category_id is None:
        raise IntakeError("category", "required")
    category = _in_center(session, Category, category_id, "category", actor)
    if not category.active:
        raise IntakeError("category", "inactive", code=category.code)
    return category


def _subscriber(
    session: Session, subscriber_id: uuid.UUID | None, actor: AgentView
) -> Subscriber | None:
    if subscriber_id is None:
        return None
    return _in_center(session, Subscriber, subscriber_id, "subscriber", actor)


@dataclass(frozen=True)
class _CallInputs:
    """The checked inputs every outcome of a call has: times, channel, phone and free texts."""

    started_at: datetime
    ended_at: datetime
    channel: str
    phone: str | None
    texts: dict[str, str]


def _call_inputs(
    *,
    started_at: datetime | None,
    ended_at: datetime | None,
    channel: str,
    phone: str | None,
    default_area: str | None,
    **texts: str | None,
) -> _CallInputs:
    """Check what every call outcome is given, in this order: times, channel, phone, then the
    free texts in the order passed (so the first refused input is reported first)."""
    started, ended = _times(started_at, ended_at)
    return _CallInputs(
        started_at=started,
        ended_at=ended,
        channel=_channel(channel),
        phone=_phone(phone, default_area),
        texts={name: _text(name, value) for name, value in texts.items()},
    )
