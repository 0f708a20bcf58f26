"""Small reads the follow-up screens need to fill an action in: units to refer to, and another
request named by its tracking code (the survivor of a duplicate, a parent).

Apart from :mod:`db.followup.queue` because they answer "which one?" for a dialog, not "what
is this request?": few rows, read when a dialog opens.
"""

import uuid
from dataclasses import dataclass

from sqlmodel import Session, col, select

from db.accounts import AgentView, require
from db.followup.errors import FollowupError
from db.followup.states import READ_ROLES
from db.followup.views import LinkedRequestView, _linked
from db.models import Ticket, Unit
from db.tracking import TrackingCodeError, parse_tracking_code

__all__ = ["UnitChoiceView", "find_request_by_code", "list_units"]


@dataclass(frozen=True)
class UnitChoiceView:
    """An operational unit a request can be referred to."""

    id: uuid.UUID
    code: str
    kind: str
    name_fa: str
    name_en: str
    phone: str


def list_units(session: Session, *, actor: AgentView) -> tuple[UnitChoiceView, ...]:
    """The active units of the actor's center, by Persian name: a center has a handful, so the
    screen filters them as the agent types."""
    require(actor, *READ_ROLES, action="read units")
    rows = session.exec(
        select(Unit)
        .where(Unit.center_id == actor.center_id, col(Unit.active).is_(True))
        .order_by(col(Unit.name_fa), col(Unit.code))
    ).all()
    return tuple(
        UnitChoiceView(
            id=u.id, code=u.code, kind=u.kind, name_fa=u.name_fa, name_en=u.name_en,
            phone=u.phone or "",
        )
        for u in rows
    )  # fmt: skip


def find_request_by_code(session: Session, *, actor: AgentView, code: str) -> LinkedRequestView:
    """The request of the actor's center with tracking code ``code``, typed in any digit script
    with spaces or dashes.

    Errors: ``bad_code`` (``problem``: a :class:`db.tracking.TrackingReason` value, ``value``)
    when ``code`` is not a tracking code; ``not_found`` (what="ticket", code) when no request of
    the center has it.
    """
    require(actor, *READ_ROLES, action="read requests")
    try:
        parsed = parse_tracking_code(code).code
    except TrackingCodeError as error:
        raise FollowupError("bad_code", problem=error.reason.value, value=code) from None
    ticket = session.exec(select(Ticket).where(Ticket.tracking_code == parsed)).first()
    # Codes are unique across centers; another center's request is not this agent's to see.
    if ticket is None or ticket.center_id != actor.center_id:
        raise FollowupError("not_found", what="ticket", code=parsed)
    return _linked(ticket)
