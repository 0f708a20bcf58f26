"""What feedback returns: callback tasks with their script, attempts, questionnaires, surveys.

Frozen dataclasses the console reads, and :func:`_callback_views`, which builds the worklist's
rows (request, category, caller's name, attempts so far) for any number of callbacks in a
handful of queries.
"""

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from db.models import (
    Agent,
    Callback,
    CallbackAttempt,
    Category,
    Incident,
    Subscriber,
    Ticket,
    TicketEvent,
)


@dataclass(frozen=True)
class AttemptView:
    """One try at reaching the subscriber."""

    id: uuid.UUID
    at: datetime
    outcome: str
    agent_id: uuid.UUID | None
    agent_name: str
    note: str


@dataclass(frozen=True)
class CallbackView:
    """A callback task as the surveyor's worklist shows it.

    ``script`` is what to read to the subscriber: the unit's accepted answer (or the incident's
    notice). ``name`` is the caller's name on the request, else the subscriber's. A callback
    about an incident has no request: ``ticket_id`` and the category fields are empty.
    """

    id: uuid.UUID
    center_id: uuid.UUID
    reason: str
    status: str
    phone: str
    name: str
    script: str
    ticket_id: uuid.UUID | None
    tracking_code: str
    ticket_status: str
    category_code: str
    category_name_fa: str
    category_name_en: str
    category_group: str
    incident_id: uuid.UUID | None
    incident_title: str
    due_at: datetime
    created_at: datetime
    closed_at: datetime | None
    attempts: tuple[AttemptView, ...]
    assigned_to_id: uuid.UUID | None
    assigned_to_name: str
    version: int

    @property
    def attempt_count(self) -> int:
        return len(self.attempts)


@dataclass(frozen=True, order=True)
class WorklistCursor:
    """Where a worklist page ended: the last row's (due_at, id)."""

    due_at: datetime
    id: uuid.UUID


@dataclass(frozen=True)
class WorklistPage:
    """Due callbacks, oldest due first; ``next_cursor`` is None on the last page. ``total_due``
    counts every callback due at ``as_of`` in the center."""

    rows: tuple[CallbackView, ...]
    next_cursor: WorklistCursor | None
    total_due: int
    as_of: datetime


@dataclass(frozen=True)
class AttemptResult:
    """What recording an attempt did.

    ``final``: no further call will be made. ``sms_queued``: the result went to the outbox.
    ``ticket_status``: the request's status afterwards (None for an incident's callback).
    ``survey``: the electronic survey sent after the result SMS, if any.
    """

    callback: CallbackView
    outcome: str
    final: bool
    sms_queued: bool
    ticket_status: str | None
    survey: "ElectronicSurveyView | None" = None


@dataclass(frozen=True)
class QuestionView:
    id: uuid.UUID
    position: int
    code: str
    text_fa: str
    text_en: str
    scale: str
    reopens_on_no: bool
    retired: bool
    answers: int  # how many answers point at it (0: it may still be removed)


@dataclass(frozen=True)
class QuestionnaireView:
    """A questionnaire; ``questions`` are the asked ones in order (retired ones only in
    ``retired``, kept for the answers that point at them)."""

    id: uuid.UUID
    center_id: uuid.UUID
    code: str
    name_fa: str
    name_en: str
    category_groups: tuple[str, ...]
    active: bool
    updated_at: datetime
    questions: tuple[QuestionView, ...]
    retired: tuple[QuestionView, ...] = ()


@dataclass(frozen=True)
class SurveyView:
    """A recorded survey. ``answers`` by question code (an int, or the text of a text
    question); ``resolved`` is the answer to the question that reopens on "no", if asked."""

    id: uuid.UUID
    questionnaire_id: uuid.UUID
    ticket_id: uuid.UUID | None
    callback_id: uuid.UUID | None
    channel: str
    sms_code: str | None
    started_at: datetime
    completed_at: datetime | None
    answers: Mapping[str, int | str]
    resolved: bool | None
    ticket_action: str | None  # "closed", "reopened" or None (the request was left as it was)
    ticket_status: str | None


@dataclass(frozen=True)
class ElectronicSurveyView:
    """An SMS survey sent: its short code, the text queued and whether it was new."""

    survey_id: uuid.UUID
    sms_code: str
    recipient: str
    body: str
    reply_format: str
    queued: bool


@dataclass(frozen=True)
class ReplyView:
    """An inbound SMS as a person reads it: ``status`` is "matched", "reviewed" or the reason
    it waits for a person (no_code, unknown_code, already_done, bad_format, bad_value,
    wrong_sender)."""

    id: uuid.UUID
    sender: str
    body: str
    received_at: datetime
    status: str
    survey_id: uuid.UUID | None


@dataclass(frozen=True)
class ReplyReport:
    """What one pass of :func:`read_replies` did."""

    read: int
    matched: tuple[ReplyView, ...]
    flagged: tuple[ReplyView, ...]
    reopened: tuple[str, ...]  # tracking codes reopened as complaints
    closed: tuple[str, ...]  # tracking codes closed


def _names(session: Session, model, ids) -> dict[uuid.UUID, object]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    stmt = select(model).where(col(model.id).in_(wanted)).execution_options(populate_existing=True)
    return {row.id: row for row in session.exec(stmt)}


def _answer_notes(session: Session, ticket_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The latest unit answer of each request: the script when a callback has none."""
    if not ticket_ids:
        return {}
    rows = session.exec(
        select(TicketEvent.ticket_id, TicketEvent.note)
        .where(col(TicketEvent.ticket_id).in_(ticket_ids), TicketEvent.action == "answered")
        .order_by(col(TicketEvent.at), col(TicketEvent.id))
    ).all()
    return {ticket_id: note for ticket_id, note in rows}


def _callback_views(session: Session, callbacks: Sequence[Callback]) -> list[CallbackView]:
    if not callbacks:
        return []
    ids = [cb.id for cb in callbacks]
    attempts: dict[uuid.UUID, list[CallbackAttempt]] = defaultdict(list)
    for a in session.exec(
        select(CallbackAttempt)
        .where(col(CallbackAttempt.callback_id).in_(ids))
        .order_by(col(CallbackAttempt.at), col(CallbackAttempt.id))
    ):
        attempts[a.callback_id].append(a)
    tickets = _names(session, Ticket, (cb.ticket_id for cb in callbacks))
    categories = _names(session, Category, (t.category_id for t in tickets.values()))
    incidents = _names(session, Incident, (cb.incident_id for cb in callbacks))
    subscribers = _names(session, Subscriber, (cb.subscriber_id for cb in callbacks))
    agents = _names(
        session,
        Agent,
        [cb.assigned_to_id for cb in callbacks]
        + [a.agent_id for group in attempts.values() for a in group],
    )
    notes = _answer_notes(
        session, {cb.ticket_id for cb in callbacks if cb.ticket_id and not cb.script}
    )

    def agent_name(agent_id: uuid.UUID | None) -> str:
        agent = agents.get(agent_id) if agent_id else None
        return agent.full_name if agent else ""

    views = []
    for cb in callbacks:
        ticket = tickets.get(cb.ticket_id) if cb.ticket_id else None
        category = categories.get(ticket.category_id) if ticket else None
        incident = incidents.get(cb.incident_id) if cb.incident_id else None
        subscriber = subscribers.get(cb.subscriber_id) if cb.subscriber_id else None
        name = (ticket.caller_name if ticket else "") or (subscriber.name if subscriber else "")
        views.append(
            CallbackView(
                id=cb.id,
                center_id=cb.center_id,
                reason=cb.reason,
                status=cb.status,
                phone=cb.phone,
                name=name,
                script=cb.script or (notes.get(cb.ticket_id, "") if cb.ticket_id else ""),
                ticket_id=cb.ticket_id,
                tracking_code=ticket.tracking_code if ticket else "",
                ticket_status=ticket.status if ticket else "",
                category_code=category.code if category else "",
                category_name_fa=category.name_fa if category else "",
                category_name_en=category.name_en if category else "",
                category_group=category.group if category else "",
                incident_id=cb.incident_id,
                incident_title=incident.title if incident else "",
                due_at=cb.due_at,
                created_at=cb.created_at,
                closed_at=cb.closed_at,
                attempts=tuple(
                    AttemptView(
                        id=a.id,
                        at=a.at,
                        outcome=a.outcome,
                        agent_id=a.agent_id,
                        agent_name=agent_name(a.agent_id),
                        note=a.note,
                    )
                    for a in attempts[cb.id]
                ),
                assigned_to_id=cb.assigned_to_id,
                assigned_to_name=agent_name(cb.assigned_to_id),
                version=cb.version,
            )
        )
    return views
