"""How a call ends: exactly one outcome per call, saved with the draft discarded in the same
transaction.

:func:`record_contact` (answered, transferred, dropped), :func:`register_request` (a new
request, its first event and its call together), :func:`link_to_incident` and
:func:`link_to_request` (a repeat call noted in the request's history). Every outcome checks its
inputs first (:func:`db.intake.errors._call_inputs`) and writes nothing when one is refused.
"""

import uuid
from datetime import datetime

from sqlmodel import Session

from db import sla
from db.accounts import AgentView
from db.catalog_seed import CATEGORIES as SEED_CATEGORIES
from db.intake.drafts import _discard
from db.intake.errors import (
    IntakeError,
    _call_inputs,
    _CallInputs,
    _category,
    _in_center,
    _require_caller,
    _subscriber,
)
from db.intake.queries import CLOSED_STATUSES, _ticket_view
from db.intake.views import RegisteredView
from db.models import (
    Call,
    CallOutcome,
    Center,
    District,
    Incident,
    IncidentStatus,
    Subscriber,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketStatus,
    Unit,
)
from db.tracking import next_tracking_code
from db.views import CallView, call_view

#: Outcomes of a call that ends without a request or a link.
CONTACT_OUTCOMES = frozenset({CallOutcome.ANSWERED, CallOutcome.TRANSFERRED, CallOutcome.DROPPED})

# Complaints are a kind of request (DOMAIN.md); the category table has no flag for it yet, so
# the starting catalog's complaint categories are recognised by code.
_COMPLAINT_CODES = frozenset(seed.code for seed in SEED_CATEGORIES if seed.complaint)


def _check_refs(
    session: Session,
    actor: AgentView,
    category_id: uuid.UUID | None,
    subscriber_id: uuid.UUID | None,
    *,
    category_required: bool = False,
) -> Subscriber | None:
    """The call's category (when given or required) and subscriber exist in the actor's center."""
    if category_id is not None or category_required:
        _category(session, category_id, actor)
    return _subscriber(session, subscriber_id, actor)


def _new_call(
    actor: AgentView,
    given: _CallInputs,
    *,
    subscriber_id: uuid.UUID | None,
    category_id: uuid.UUID | None,
    outcome: str,
    wants_callback: bool = False,
    ticket_id: uuid.UUID | None = None,
    incident_id: uuid.UUID | None = None,
) -> Call:
    return Call(
        center_id=actor.center_id,
        channel=given.channel,
        phone=given.phone,
        subscriber_id=subscriber_id,
        agent_id=actor.id,
        category_id=category_id,
        outcome=outcome,
        ticket_id=ticket_id,
        incident_id=incident_id,
        wants_callback=wants_callback,
        notes=given.texts["notes"],
        started_at=given.started_at,
        ended_at=given.ended_at,
    )


def _call_event(
    actor: AgentView,
    ticket: Ticket,
    call: Call,
    action: str,
    from_status: str | None,
    to_status: str,
    *,
    unit_id: uuid.UUID | None = None,
) -> TicketEvent:
    """The request's history entry for ``call``: at its end, with its notes and channel."""
    return TicketEvent(
        center_id=actor.center_id,
        ticket_id=ticket.id,
        at=call.ended_at,
        actor_id=actor.id,
        action=action,
        from_status=from_status,
        to_status=to_status,
        unit_id=unit_id,
        note=call.notes,
        data={"call_id": str(call.id), "channel": call.channel},
    )


def _save(session: Session, actor: AgentView, *rows: object, discard_draft: bool) -> None:
    """Add the call (and its request event), drop the agent's draft with it, and flush."""
    for row in rows:
        session.add(row)
    if discard_draft:
        _discard(session, actor)
    session.flush()


def record_contact(
    session: Session,
    *,
    actor: AgentView,
    phone: str | None,
    subscriber_id: uuid.UUID | None,
    category_id: uuid.UUID | None,
    channel: str,
    outcome: str,
    notes: str = "",
    started_at: datetime,
    ended_at: datetime,
    wants_callback: bool = False,
    discard_draft: bool = True,
    default_area: str | None = None,
) -> CallView:
    """Save a call that ends without a request: answered (information given), transferred or
    dropped. An answered call needs its category (the information given is counted by it).

    Errors: outcome not_allowed; category required | not_found | inactive; subscriber not_found;
    phone (validator reasons); channel unknown; notes too_long; started_at/ended_at required |
    naive | in_future; ended_at before_start.
    """
    _require_caller(actor, "take calls")
    if outcome not in CONTACT_OUTCOMES:
        raise IntakeError("outcome", "not_allowed", outcome=str(outcome))
    given = _call_inputs(
        started_at=started_at,
        ended_at=ended_at,
        channel=channel,
        phone=phone,
        default_area=default_area,
        notes=notes,
    )
    answered = outcome == CallOutcome.ANSWERED
    _check_refs(session, actor, category_id, subscriber_id, category_required=answered)

    call = _new_call(
        actor,
        given,
        subscriber_id=subscriber_id,
        category_id=category_id,
        outcome=CallOutcome(outcome).value,
        wants_callback=wants_callback,
    )
    _save(session, actor, call, discard_draft=discard_draft)
    return call_view(call)


def register_request(
    session: Session,
    *,
    actor: AgentView,
    phone: str | None,
    subscriber_id: uuid.UUID | None,
    category_id: uuid.UUID | None,
    channel: str,
    address: str = "",
    district_id: uuid.UUID | None = None,
    description: str = "",
    caller_name: str = "",
    started_at: datetime,
    ended_at: datetime,
    notes: str = "",
    wants_callback: bool = False,
    discard_draft: bool = True,
    default_area: str | None = None,
) -> RegisteredView:
    """Register a request: ticket + first event + call, in the session's transaction.

    The category decides priority, unit (its default unit), kind (complaint categories) and
    the due dates: response and resolution targets counted from ``started_at`` (the citizen's
    clock starts with the call) on the category's calendar; a target of 0 minutes means none.
    The district is the one given, else the subscriber's. The tracking code is drawn last, so a
    refused request uses no number.

    Errors: category required | not_found | inactive | information_only; the category's
    required fields: address | subscriber | description | caller_name | phone | district
    required; subscriber/district not_found; phone (validator reasons); channel unknown;
    address/description/caller_name/notes too_long; times as in :func:`record_contact`.
    """
    _require_caller(actor, "register requests")
    given = _call_inputs(
        started_at=started_at,
        ended_at=ended_at,
        channel=channel,
        phone=phone,
        default_area=default_area,
        address=address,
        description=description,
        caller_name=caller_name,
        notes=notes,
    )
    started_at, phone = given.started_at, given.phone
    address = given.texts["address"]
    description = given.texts["description"]
    caller_name = given.texts["caller_name"]
    category = _category(session, category_id, actor)
    if not category.needs_request:
        raise IntakeError("category", "information_only", code=category.code)
    subscriber = _subscriber(session, subscriber_id, actor)
    if district_id is not None:
        _in_center(session, District, district_id, "district", actor)
    elif subscriber is not None:
        district_id = subscriber.district_id
    filled = {
        "address": address,
        "subscriber": subscriber_id,
        "description": description,
        "caller_name": caller_name,
        "phone": phone,
        "district": district_id,
    }
    for required in category.required_fields or ():
        if required in filled and not filled[required]:
            raise IntakeError(required, "required", category=category.code)

    calendar = sla.load_calendar(session, category.calendar_id)
    response_due = (
        sla.due_at(calendar, started_at, category.response_minutes)
        if category.response_minutes
        else None
    )
    resolution_due = (
        sla.due_at(calendar, started_at, category.resolution_minutes)
        if category.resolution_minutes
        else None
    )
    unit = session.get(Unit, category.default_unit_id) if category.default_unit_id else None
    center = session.get(Center, actor.center_id)
    assert center is not None

    code, year, seq = next_tracking_code(
        session, center_id=center.id, center_number=center.number, at=started_at
    )
    ticket = Ticket(
        center_id=actor.center_id,
        tracking_code=code,
        year=year,
        seq=seq,
        kind=TicketKind.COMPLAINT if category.code in _COMPLAINT_CODES else TicketKind.REQUEST,
        status=TicketStatus.REGISTERED,
        priority=category.priority,
        category_id=category.id,
        unit_id=unit.id if unit else None,
        subscriber_id=subscriber_id,
        district_id=district_id,
        phone=phone,
        caller_name=caller_name,
        address=address,
        description=description,
        opened_at=started_at,
        response_due_at=response_due,
        resolution_due_at=resolution_due,
        updated_at=given.ended_at,
    )
    session.add(ticket)
    session.flush()
    call = _new_call(
        actor,
        given,
        subscriber_id=subscriber_id,
        category_id=category.id,
        outcome=CallOutcome.REQUEST_REGISTERED,
        ticket_id=ticket.id,
        wants_callback=wants_callback,
    )
    event = _call_event(
        actor, ticket, call, "registered", None, TicketStatus.REGISTERED, unit_id=ticket.unit_id
    )
    _save(session, actor, call, event, discard_draft=discard_draft)
    return RegisteredView(call=call_view(call), ticket=_ticket_view(ticket, category, unit))


def link_to_incident(
    session: Session,
    *,
    actor: AgentView,
    incident_id: uuid.UUID,
    phone: str | None,
    subscriber_id: uuid.UUID | None,
    category_id: uuid.UUID | None,
    channel: str,
    notes: str = "",
    started_at: datetime,
    ended_at: datetime,
    wants_callback: bool = False,
    discard_draft: bool = True,
    default_area: str | None = None,
) -> CallView:
    """Save a call about a known incident, linked to it instead of a duplicate request.

    ``wants_callback`` marks the caller for the notice when the incident closes.
    Errors: incident not_found | closed; category not_found | inactive; the rest as in
    :func:`record_contact`.
    """
    _require_caller(actor, "take calls")
    given = _call_inputs(
        started_at=started_at,
        ended_at=ended_at,
        channel=channel,
        phone=phone,
        default_area=default_area,
        notes=notes,
    )
    incident = _in_center(session, Incident, incident_id, "incident", actor)
    if incident.status != IncidentStatus.ACTIVE:
        raise IntakeError("incident", "closed", title=incident.title)
    _check_refs(session, actor, category_id, subscriber_id)

    call = _new_call(
        actor,
        given,
        subscriber_id=subscriber_id,
        category_id=category_id,
        outcome=CallOutcome.LINKED_INCIDENT,
        wants_callback=wants_callback,
        incident_id=incident.id,
    )
    _save(session, actor, call, discard_draft=discard_draft)
    return call_view(call)


def link_to_request(
    session: Session,
    *,
    actor: AgentView,
    ticket_id: uuid.UUID,
    phone: str | None,
    subscriber_id: uuid.UUID | None = None,
    category_id: uuid.UUID | None = None,
    channel: str,
    notes: str = "",
    started_at: datetime,
    ended_at: datetime,
    wants_callback: bool = False,
    discard_draft: bool = True,
    default_area: str | None = None,
) -> CallView:
    """Save a repeat call on an open request, and note it in the request's history.

    Appends a "caller_called_again" event (from and to the current status: no status change,
    no version change, so nobody's edit of the request is refused because of it). The call's
    category and subscriber default to the request's.
    Errors: ticket not_found | closed | cancelled; the rest as in :func:`record_contact`.
    """
    _require_caller(actor, "take calls")
    given = _call_inputs(
        started_at=started_at,
        ended_at=ended_at,
        channel=channel,
        phone=phone,
        default_area=default_area,
        notes=notes,
    )
    ticket = _in_center(session, Ticket, ticket_id, "ticket", actor)
    if ticket.status in CLOSED_STATUSES:
        raise IntakeError(
            "ticket", ticket.status, f"request {ticket.tracking_code} is {ticket.status}",
            tracking_code=ticket.tracking_code,
        )  # fmt: skip
    _check_refs(session, actor, category_id, subscriber_id)

    call = _new_call(
        actor,
        given,
        subscriber_id=subscriber_id or ticket.subscriber_id,
        category_id=category_id or ticket.category_id,
        outcome=CallOutcome.LINKED_REQUEST,
        wants_callback=wants_callback,
        ticket_id=ticket.id,
    )
    event = _call_event(actor, ticket, call, "caller_called_again", ticket.status, ticket.status)
    _save(session, actor, call, event, discard_draft=discard_draft)
    return call_view(call)
