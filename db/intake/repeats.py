"""Repeat callers: whether this caller already called about this category (first-call
resolution).

Why apart from the outcomes: it is a read the screen runs once the category is picked, before
the call ends, so the agent can link to the open request instead of registering a duplicate.
"""

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from db.accounts import AgentView
from db.intake.errors import _aware_now, _phone, _require_caller
from db.intake.queries import _center_is, _open_tickets
from db.intake.views import RepeatView
from db.models import Call, Ticket

#: A call on the same number or account and category within this window is a repeat (FCR).
REPEAT_WINDOW = timedelta(days=7)


def find_repeat(
    session: Session,
    *,
    actor: AgentView,
    phone: str | None,
    subscriber_id: uuid.UUID | None,
    category_id: uuid.UUID,
    now: datetime | None = None,
    default_area: str | None = None,
) -> RepeatView | None:
    """Whether this caller already called about this category.

    An open request on the same number or account and category (of any age) comes first: the
    screen offers to link to it instead of registering a duplicate. Otherwise the latest call on
    the same number or account and category within REPEAT_WINDOW before ``now``. None if
    neither. Errors: phone (validator reasons).
    """
    _require_caller(actor, "take calls")
    now = _aware_now(now)
    phone = _phone(phone, default_area)
    center_id = actor.center_id
    keys: list[tuple[str, Any, Any]] = []
    if phone is not None:
        keys.append(("phone", Ticket.phone, phone))
    if subscriber_id is not None:
        keys.append(("subscriber", Ticket.subscriber_id, subscriber_id))

    best_ticket: tuple[Ticket, str] | None = None
    for matched_by, column, value in keys:
        # Open tickets of one caller are few: filter the category here rather than let the
        # category index compete with the caller's.
        for t in _open_tickets(session, column, value, center_id, limit=200):
            if t.category_id == category_id and (
                best_ticket is None or t.opened_at > best_ticket[0].opened_at
            ):
                best_ticket = (t, matched_by)
    if best_ticket is not None:
        t, matched_by = best_ticket
        return RepeatView(
            kind="open_request",
            matched_by=matched_by,
            ticket_id=t.id,
            tracking_code=t.tracking_code,
            ticket_status=t.status,
            call_id=None,
            call_outcome=None,
            at=t.opened_at,
        )

    since = now - REPEAT_WINDOW
    best_call: tuple[Call, str] | None = None
    for matched_by, _column, value in keys:
        column = Call.phone if matched_by == "phone" else Call.subscriber_id
        call = session.exec(
            select(Call)
            .where(
                column == value,
                col(Call.started_at) >= since,
                col(Call.started_at) <= now,
                _center_is(session, Call.__table__.c.center_id, center_id),
                Call.category_id == category_id,
            )
            .order_by(col(Call.started_at).desc())
            .limit(1)
        ).first()
        if call is not None and (best_call is None or call.started_at > best_call[0].started_at):
            best_call = (call, matched_by)
    if best_call is None:
        return None
    call, matched_by = best_call
    ticket = session.get(Ticket, call.ticket_id) if call.ticket_id else None
    return RepeatView(
        kind="recent_call",
        matched_by=matched_by,
        ticket_id=ticket.id if ticket else None,
        tracking_code=ticket.tracking_code if ticket else None,
        ticket_status=ticket.status if ticket else None,
        call_id=call.id,
        call_outcome=call.outcome,
        at=call.started_at,
    )
