"""What a callback or a survey does to its request, through :func:`db.followup.transition` only.

- The result was told (by phone, or by SMS after the last failed attempt), or a survey said
  "resolved": the request is *closed* (``via`` callback, sms, sms_survey, wrong_number...),
  when it is still waiting for its feedback (accepted or awaiting_feedback). A request somebody
  already closed or reopened is left as it is.
- A survey said "not resolved": the request is *reopened*, which makes it a complaint and sends
  it back to its unit (the follow-up queue), with the survey's answers in the event's data.
  The table reopens from awaiting_feedback or closed; a request still "accepted" (the follow-up
  agent had not yet handed it over) is first moved to awaiting_feedback by the system (no
  actor: surveyors do not take that step themselves), so its timeline tells what happened.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session

from db.accounts import AgentView
from db.feedback.texts import NOTE_HANDED_TO_CALLBACKS
from db.followup import transition
from db.followup.records import _fresh
from db.models import TicketStatus

_S = TicketStatus
AWAITING = frozenset({_S.ACCEPTED, _S.AWAITING_FEEDBACK})


def close_request(
    session: Session,
    actor: AgentView | None,
    ticket_id: uuid.UUID | None,
    *,
    via: str,
    note: str,
    now: datetime,
    **data: Any,
) -> str | None:
    """Close a request that waits for its feedback; its status afterwards (None: no request)."""
    if ticket_id is None:
        return None
    ticket = _fresh(session, ticket_id)
    if ticket is None:
        return None
    if ticket.status not in AWAITING:
        return ticket.status
    view = transition(
        session,
        actor=actor,
        ticket_id=ticket.id,
        action="closed",
        expected_version=ticket.version,
        note=note,
        now=now,
        via=via,
        **data,
    )
    return view.status


def reopen_request(
    session: Session,
    actor: AgentView | None,
    ticket_id: uuid.UUID | None,
    *,
    note: str,
    now: datetime,
    **data: Any,
) -> tuple[str | None, bool]:
    """Reopen a request as a complaint; (its status afterwards, whether it was reopened)."""
    if ticket_id is None:
        return None, False
    ticket = _fresh(session, ticket_id)
    if ticket is None:
        return None, False
    if ticket.status == _S.ACCEPTED:
        transition(
            session,
            actor=None,
            ticket_id=ticket.id,
            action="feedback_queued",
            expected_version=ticket.version,
            note=NOTE_HANDED_TO_CALLBACKS,
            now=now,
            via="callback",
        )
        ticket = _fresh(session, ticket_id)
        assert ticket is not None
    if ticket.status not in (_S.AWAITING_FEEDBACK, _S.CLOSED):
        return ticket.status, False
    view = transition(
        session,
        actor=actor,
        ticket_id=ticket.id,
        action="reopened",
        expected_version=ticket.version,
        note=note,
        now=now,
        **data,
    )
    return view.status, True
