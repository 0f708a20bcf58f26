"""Answer "what happened to my request?": a request found by its tracking code, with its whole
history and the sentence the agent reads out (:data:`WHAT_TO_TELL`, a key the console translates).

Why apart: it is the one intake read keyed by tracking code rather than by caller, and the only
place that turns a request's status into what to tell the caller.
"""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from db import sla
from db.accounts import AgentView
from db.intake.errors import IntakeError, _aware_now, _require_caller
from db.intake.queries import _fa_en, _minutes_left, _names, _ticket_by_code, _ticket_view
from db.intake.views import RequestStatusView
from db.models import (
    OPEN_STATUSES,
    Agent,
    Call,
    Category,
    District,
    Ticket,
    TicketEvent,
    TicketStatus,
    Unit,
)
from db.tracking import TrackingCodeError, parse_tracking_code
from db.views import TicketEventView

#: What the agent tells a caller asking about a request, by status: a stable key to translate.
WHAT_TO_TELL: dict[str, str] = {
    TicketStatus.REGISTERED: "registered_being_referred",
    TicketStatus.REFERRED: "with_unit",
    TicketStatus.IN_PROGRESS: "unit_working",
    TicketStatus.UNIT_ANSWERED: "answer_under_review",
    TicketStatus.ACCEPTED: "done_feedback_pending",
    TicketStatus.AWAITING_FEEDBACK: "awaiting_your_confirmation",
    TicketStatus.REJECTED: "sent_back_to_unit",
    TicketStatus.PENDING_SUBSCRIBER: "waiting_for_you",
    TicketStatus.CLOSED: "closed",
    TicketStatus.CANCELLED: "cancelled",
}
_CANCELLED_DUPLICATE = "cancelled_duplicate"


def _what_to_tell(ticket: Ticket) -> str:
    """What to tell a caller about ``ticket`` (a duplicate's cancellation has its own key)."""
    if ticket.status == TicketStatus.CANCELLED and ticket.duplicate_of_id is not None:
        return _CANCELLED_DUPLICATE
    return WHAT_TO_TELL.get(ticket.status, ticket.status)


def find_request(
    session: Session, *, actor: AgentView, tracking_code: str, now: datetime | None = None
) -> RequestStatusView:
    """A request by its tracking code (any digit script, spaces, dashes), with its history.

    Errors (field "tracking_code"): the reasons of db.tracking.TrackingReason (empty,
    not_digits, wrong_length, bad_checksum, bad_center, bad_sequence), or not_found.
    """
    _require_caller(actor, "look up requests")
    now = _aware_now(now)
    try:
        code = parse_tracking_code(tracking_code).code
    except TrackingCodeError as e:
        raise IntakeError("tracking_code", e.reason.value, str(e), value=tracking_code) from None
    ticket = _ticket_by_code(session, code, actor.center_id)
    if ticket is None:
        raise IntakeError("tracking_code", "not_found", code=code)
    category = session.get(Category, ticket.category_id)
    assert category is not None
    events = session.exec(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id)
        .order_by(col(TicketEvent.at), col(TicketEvent.id))
    ).all()
    agents = _names(session, Agent, (e.actor_id for e in events))
    units = _names(session, Unit, [ticket.unit_id, *(e.unit_id for e in events)])
    district = session.get(District, ticket.district_id) if ticket.district_id else None
    contacts = session.exec(
        select(sa.func.count()).select_from(Call).where(Call.ticket_id == ticket.id)
    ).one()

    is_open = ticket.status in OPEN_STATUSES
    left = None
    if is_open:
        calendar = sla.load_calendar(session, category.calendar_id)
        left = _minutes_left(calendar, ticket, ticket.resolution_due_at, now)
    district_fa, district_en = _fa_en(district)

    def unit_names(unit_id: uuid.UUID | None) -> tuple[str, str]:
        return _fa_en(units.get(unit_id) if unit_id else None)

    return RequestStatusView(
        ticket=_ticket_view(
            ticket, category, units.get(ticket.unit_id) if ticket.unit_id else None
        ),
        district_name_fa=district_fa,
        district_name_en=district_en,
        responded_at=ticket.responded_at,
        resolved_at=ticket.resolved_at,
        closed_at=ticket.closed_at,
        resolution_minutes_left=left,
        clock_paused=ticket.paused_at is not None,
        overdue=left is not None and left < 0,
        what_to_tell=_what_to_tell(ticket),
        events=tuple(
            TicketEventView(
                id=e.id,
                at=e.at,
                actor_id=e.actor_id,
                actor_name=agents[e.actor_id].full_name if e.actor_id in agents else "",
                action=e.action,
                from_status=e.from_status,
                to_status=e.to_status,
                unit_id=e.unit_id,
                unit_name_fa=unit_names(e.unit_id)[0],
                unit_name_en=unit_names(e.unit_id)[1],
                note=e.note,
            )
            for e in events
        ),
        contacts=contacts,
    )
