"""Callback tasks: made, listed for the surveyor oldest due first, and tried until done.

A task is made when a unit's answer is accepted (:func:`db.followup.transition` does it in the
same transaction) or by :func:`create_callback` (an incident closed for a caller who asked to be
called). :func:`due_callbacks` is the surveyor's worklist: due tasks, oldest first, each with
its script (what the unit did, to read out), the request, the caller and the attempts so far.

:func:`record_attempt` records one try, under the guarded write of :mod:`db.feedback.records`
(two surveyors on one task: one wins, the other hears who). What an outcome does:

- no_answer, busy: the next try is due ``gap_minutes`` later on the center's office calendar
  (``callbacks.retry``); after the last allowed try the result goes out by SMS instead.
- refused: no more calls; the result goes out by SMS.
- wrong_number: no more calls and no SMS (the number is not the subscriber's): the task is
  cancelled and the request closed with that said.
- reached: the result was told and the subscriber declined the survey: the task is done and
  the request closed. Reached *with* a survey is :func:`db.feedback.record_survey`.

"By SMS" queues the result in the notices outbox (the center's ``ticket_result`` template, or
the built-in sentence) under the dedupe key ``callback:<id>:result``, closes the request
(``via`` sms) and, when ``surveys.sms`` says so, sends the electronic survey. A phone that takes
no SMS (a landline) ends the task as cancelled and the request closed as unreachable.
"""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from db.accounts import AgentView, require
from db.feedback import texts
from db.feedback.electronic import send_survey_for
from db.feedback.errors import FeedbackError
from db.feedback.records import (
    SURVEY_ROLES,
    _aware_now,
    _callback,
    _center_of,
    _check_due,
    _fresh_callback,
    _stale,
    _write_callback,
    next_attempt_at,
    retry_calendar,
)
from db.feedback.settings import load_feedback_settings
from db.feedback.settle import close_request
from db.feedback.views import (
    AttemptResult,
    CallbackView,
    ElectronicSurveyView,
    WorklistCursor,
    WorklistPage,
    _callback_views,
)
from db.followup.records import _fresh
from db.models import (
    AttemptOutcome,
    Callback,
    CallbackAttempt,
    CallbackStatus,
    NoticeChannel,
)
from db.notices.outbox import NewMessage, is_mobile, queue_messages
from db.notices.placeholders import render
from db.notices.templates import active_template, real_values
from db.sla import next_working_time
from db.text import normalize
from db.validate import ValidationError, normalize_phone

OUTCOMES = tuple(o.value for o in AttemptOutcome)
#: Outcomes after which nobody calls again.
FINAL_OUTCOMES = frozenset(
    {AttemptOutcome.REACHED, AttemptOutcome.REFUSED, AttemptOutcome.WRONG_NUMBER}
)
MAX_NOTE = 1000
MAX_SCRIPT = 2000
MAX_REASON = 24
PAGE_SIZE = 50


def create_callback(
    session: Session,
    *,
    center_id: uuid.UUID,
    phone: str,
    reason: str,
    script: str = "",
    ticket_id: uuid.UUID | None = None,
    incident_id: uuid.UUID | None = None,
    subscriber_id: uuid.UUID | None = None,
    due_at: datetime | None = None,
    now: datetime | None = None,
) -> CallbackView:
    """A callback task, in the caller's transaction (no permission check: the operation that
    asks for it has checked its own). ``reason`` names why (``incident_restored``...),
    ``script`` what to read out. Due at ``due_at`` (default now), moved to the next office hour
    when retries keep to office hours. Asking twice for the same open task (same request or
    incident, phone and reason) returns the first. Errors: bad_phone; required / too_long."""
    now = _aware_now(now)
    try:
        _kind, number = normalize_phone(phone or "")
    except ValidationError:
        raise FeedbackError("bad_phone", phone=phone) from None
    reason = (reason or "").strip()
    if not reason:
        raise FeedbackError("required", field="reason")
    if len(reason) > MAX_REASON:
        raise FeedbackError("too_long", field="reason", max=MAX_REASON)
    script = normalize(script or "")
    if len(script) > MAX_SCRIPT:
        raise FeedbackError("too_long", field="script", max=MAX_SCRIPT)
    existing = session.exec(
        select(Callback).where(
            Callback.center_id == center_id,
            Callback.status == CallbackStatus.DUE,
            Callback.phone == number,
            Callback.reason == reason,
            Callback.ticket_id == ticket_id if ticket_id else col(Callback.ticket_id).is_(None),
            Callback.incident_id == incident_id
            if incident_id
            else col(Callback.incident_id).is_(None),
        )
    ).first()
    if existing is not None:
        return _callback_views(session, [existing])[0]
    policy = load_feedback_settings(session, center_id).retry
    due = next_working_time(retry_calendar(session, center_id, policy), due_at or now)
    callback = Callback(
        center_id=center_id,
        ticket_id=ticket_id,
        incident_id=incident_id,
        subscriber_id=subscriber_id,
        phone=number,
        reason=reason,
        script=script,
        status=CallbackStatus.DUE,
        due_at=due,
        created_at=now,
        updated_at=now,
    )
    session.add(callback)
    session.flush()
    return _callback_views(session, [callback])[0]


def due_callbacks(
    session: Session,
    *,
    actor: AgentView | None,
    now: datetime | None = None,
    limit: int = PAGE_SIZE,
    after: WorklistCursor | None = None,
    center_id: uuid.UUID | None = None,
) -> WorklistPage:
    """The surveyor's worklist: callbacks due at ``now``, oldest due first, keyset-paged after
    ``after`` (the last page's ``next_cursor``). The local CLI (no actor) names the center."""
    require(actor, *SURVEY_ROLES, action="read the callbacks worklist")
    now = _aware_now(now)
    center = _center_of(actor, center_id)
    limit = max(1, min(limit, 500))
    where = [
        Callback.center_id == center,
        Callback.status == CallbackStatus.DUE,
        col(Callback.due_at) <= now,
    ]
    total = session.exec(select(sa.func.count()).select_from(Callback).where(*where)).one()
    if after is not None:
        where.append(
            sa.or_(
                col(Callback.due_at) > after.due_at,
                sa.and_(col(Callback.due_at) == after.due_at, col(Callback.id) > after.id),
            )
        )
    rows = session.exec(
        select(Callback)
        .where(*where)
        .order_by(col(Callback.due_at), col(Callback.id))
        .limit(limit + 1)
        .execution_options(populate_existing=True)
    ).all()
    views = _callback_views(session, rows[:limit])
    cursor = WorklistCursor(views[-1].due_at, views[-1].id) if len(rows) > limit else None
    return WorklistPage(tuple(views), cursor, int(total), now)


def callback_detail(
    session: Session, *, actor: AgentView | None, callback_id: uuid.UUID
) -> CallbackView:
    """One callback task with its attempts, whatever its status. Errors: not_found."""
    require(actor, *SURVEY_ROLES, action="read callbacks")
    callback = _callback(session, callback_id, actor.center_id if actor else None)
    return _callback_views(session, [callback])[0]


def _queue_result(session: Session, callback: Callback, now: datetime) -> bool:
    """The result SMS in the outbox (True when newly queued)."""
    body = callback.script
    if callback.ticket_id is not None:
        template = active_template(
            session, callback.center_id, ["ticket_result"], NoticeChannel.SMS
        )
        values = real_values(session, callback.center_id, ticket_id=callback.ticket_id, now=now)
        values["result"] = texts.shorten(callback.script)
        body = render(template.body if template else texts.RESULT_SMS, values).text
    message = NewMessage(
        recipient=callback.phone,
        body=body,
        dedupe_key=f"callback:{callback.id}:result",
        ticket_id=callback.ticket_id,
        incident_id=callback.incident_id,
        callback_id=callback.id,
    )
    return queue_messages(session, callback.center_id, [message], now=now) == 1


def record_attempt(
    session: Session,
    *,
    actor: AgentView | None,
    callback_id: uuid.UUID,
    outcome: str,
    note: str = "",
    now: datetime | None = None,
    expected_version: int | None = None,
) -> AttemptResult:
    """Record one try at calling the subscriber back (see the module's note for what each
    outcome does). ``expected_version`` is the version the surveyor saw (default: the one in
    the database now; the write is guarded either way). Errors: not_found; not_due (status);
    stale (changed_by, changed_at, version); bad_outcome; too_long; FollowupError from the
    request."""
    require(actor, *SURVEY_ROLES, action="record callback attempts")
    now = _aware_now(now)
    try:
        result = AttemptOutcome(outcome)
    except ValueError:
        raise FeedbackError("bad_outcome", outcome=outcome, allowed=OUTCOMES) from None
    note = normalize(note or "")
    if len(note) > MAX_NOTE:
        raise FeedbackError("too_long", field="note", max=MAX_NOTE)
    callback = _callback(session, callback_id, actor.center_id if actor else None)
    version = _check_due(session, callback, expected_version)
    settings = load_feedback_settings(session, callback.center_id)
    policy = settings.retry
    at = max(now, callback.updated_at)
    tries = callback.attempts + 1
    agent_id = actor.id if actor else None
    values: dict = dict(
        attempts=tries, updated_at=at, assigned_to_id=agent_id or callback.assigned_to_id
    )

    by_sms = False
    if result == AttemptOutcome.REACHED:
        values.update(status=CallbackStatus.DONE, closed_at=at)
    elif result == AttemptOutcome.WRONG_NUMBER:
        values.update(status=CallbackStatus.CANCELLED, closed_at=at)
    elif result == AttemptOutcome.REFUSED or tries >= policy.max_attempts:
        by_sms = is_mobile(callback.phone)
        status = CallbackStatus.SMS_SENT if by_sms else CallbackStatus.CANCELLED
        values.update(status=status, closed_at=at)
    else:
        values["due_at"] = next_attempt_at(session, callback.center_id, policy, at)

    if not _write_callback(session, callback.id, version=version, values=values):
        raise _stale(session, callback.id)
    session.add(
        CallbackAttempt(
            center_id=callback.center_id,
            callback_id=callback.id,
            agent_id=agent_id,
            at=at,
            outcome=result,
            note=note,
        )
    )
    session.flush()

    final = "closed_at" in values
    sms_queued = False
    survey: ElectronicSurveyView | None = None
    ticket_status: str | None = None
    if result == AttemptOutcome.REACHED:
        ticket_status = close_request(
            session, actor, callback.ticket_id, via="callback", note=texts.NOTE_TOLD, now=at
        )
    elif result == AttemptOutcome.WRONG_NUMBER:
        ticket_status = close_request(
            session,
            actor,
            callback.ticket_id,
            via="wrong_number",
            note=texts.NOTE_WRONG_NUMBER,
            now=at,
        )
    elif final:
        if by_sms:
            sms_queued = _queue_result(session, callback, at)
        if result == AttemptOutcome.REFUSED:
            closing = texts.NOTE_REFUSED_SMS if by_sms else texts.NOTE_REFUSED
        else:
            closing = texts.note_after_failures(tries, by_sms)
        ticket_status = close_request(
            session,
            actor,
            callback.ticket_id,
            via="sms" if by_sms else "unreachable",
            note=closing,
            now=at,
            outcome=result.value,
        )
        if by_sms and settings.sms_survey.after_sms_result and callback.ticket_id:
            survey = send_survey_for(session, actor, callback, now=at, quiet=True)
    elif callback.ticket_id is not None:
        ticket_status = _ticket_status(session, callback.ticket_id)
    fresh = _fresh_callback(session, callback.id)
    assert fresh is not None
    return AttemptResult(
        callback=_callback_views(session, [fresh])[0],
        outcome=result.value,
        final=final,
        sms_queued=sms_queued,
        ticket_status=ticket_status,
        survey=survey,
    )


def _ticket_status(session: Session, ticket_id: uuid.UUID) -> str | None:
    ticket = _fresh(session, ticket_id)
    return ticket.status if ticket else None
