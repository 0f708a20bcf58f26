"""The electronic survey: an SMS with a short code and the format to reply in.

:func:`send_electronic_survey` opens an SMS survey of a request (a Survey row with channel
``sms`` and a short numeric code, unique for ever, so an old reply can never answer a new
survey) and queues one SMS in the notices outbox (dedupe key ``survey:<id>:sms``) that gives
the reply format: the code, then one number per yes/no (1 or 0) and 1-5 question, in order,
then an optional comment. A request with an open SMS survey gets the same one again; one
surveyed since it was last reopened gets none. The replies are :mod:`db.feedback.replies`'.
"""

import secrets
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from db.accounts import AgentView, require
from db.feedback import texts
from db.feedback.errors import FeedbackError
from db.feedback.questionnaires import questionnaire_for
from db.feedback.records import SURVEY_ROLES, _aware_now, _uuid
from db.feedback.settings import MAX_CODE_LENGTH, load_feedback_settings
from db.feedback.surveys import category_group_of
from db.feedback.views import ElectronicSurveyView, QuestionnaireView
from db.followup.records import _fresh
from db.models import AnswerScale, Callback, OutboxMessage, Survey, Ticket, TicketEvent
from db.notices.outbox import NewMessage, is_mobile, queue_messages
from db.notices.settings import load_notice_settings
from db.notices.values import FALLBACK_NAME

SMS = "sms"
_CODE_TRIES = 20


def _new_code(session: Session, length: int) -> str:
    """A code no survey ever had: digits, no leading zero (a person may drop it)."""
    for attempt in range(_CODE_TRIES * 3):
        size = min(length + attempt // _CODE_TRIES, MAX_CODE_LENGTH)
        code = str(secrets.randbelow(9) + 1) + "".join(
            str(secrets.randbelow(10)) for _ in range(size - 1)
        )
        taken = session.exec(select(Survey.id).where(Survey.sms_code == code)).first()
        if taken is None:
            return code
    raise RuntimeError("no free survey code")  # pragma: no cover: 10^9 codes at the end


def _slots(questionnaire: QuestionnaireView) -> list[tuple[str, str]]:
    return [(q.code, q.scale) for q in questionnaire.questions]


def _already_surveyed(session: Session, ticket: Ticket) -> Survey | None:
    """A completed survey of this request since it was last reopened."""
    reopened = session.exec(
        select(sa.func.max(TicketEvent.at)).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.action == "reopened"
        )
    ).one()
    stmt = select(Survey).where(
        Survey.ticket_id == ticket.id, col(Survey.completed_at).is_not(None)
    )
    if reopened is not None:
        stmt = stmt.where(col(Survey.started_at) > reopened)
    return session.exec(stmt.limit(1)).first()


def _open_sms_survey(session: Session, ticket_id: uuid.UUID) -> Survey | None:
    return session.exec(
        select(Survey).where(
            Survey.ticket_id == ticket_id,
            Survey.channel == SMS,
            col(Survey.completed_at).is_(None),
        )
    ).first()


def _sent_to(session: Session, survey: Survey) -> str | None:
    return session.exec(
        select(OutboxMessage.recipient).where(OutboxMessage.dedupe_key == f"survey:{survey.id}:sms")
    ).first()


def _send(
    session: Session,
    actor: AgentView | None,
    ticket: Ticket,
    *,
    phone: str | None,
    callback_id: uuid.UUID | None,
    now: datetime,
) -> ElectronicSurveyView:
    questionnaire = questionnaire_for(
        session, ticket.center_id, category_group_of(session, ticket.id)
    )
    if questionnaire is None:
        raise FeedbackError(
            "no_questionnaire", category_group=category_group_of(session, ticket.id)
        )
    phone = phone or ticket.phone
    if not is_mobile(phone):
        raise FeedbackError("no_mobile", phone=phone)
    assert phone is not None
    open_survey = _open_sms_survey(session, ticket.id)
    if open_survey is not None:
        fmt = texts.reply_format(open_survey.sms_code or "", _slots(questionnaire))
        return ElectronicSurveyView(
            open_survey.id,
            open_survey.sms_code or "",
            _sent_to(session, open_survey) or phone,
            "",
            fmt,
            False,
        )
    done = _already_surveyed(session, ticket)
    if done is not None:
        raise FeedbackError("already_surveyed", survey_id=done.id)
    policy = load_feedback_settings(session, ticket.center_id).sms_survey
    code = _new_code(session, policy.code_length)
    survey = Survey(
        center_id=ticket.center_id,
        questionnaire_id=questionnaire.id,
        ticket_id=ticket.id,
        callback_id=callback_id,
        agent_id=actor.id if actor else None,
        channel=SMS,
        sms_code=code,
        started_at=now,
    )
    session.add(survey)
    session.flush()
    fmt = texts.reply_format(code, _slots(questionnaire))
    name = ticket.caller_name or FALLBACK_NAME
    body = texts.survey_sms(
        name=name,
        tracking_code=ticket.tracking_code,
        format_=fmt,
        comment=any(q.scale == AnswerScale.TEXT for q in questionnaire.questions),
        center=load_notice_settings(session, ticket.center_id).center_name,
    )
    message = NewMessage(
        recipient=phone,
        body=body,
        dedupe_key=f"survey:{survey.id}:sms",
        ticket_id=ticket.id,
        callback_id=callback_id,
    )
    queued = queue_messages(session, ticket.center_id, [message], now=now) == 1
    return ElectronicSurveyView(survey.id, code, phone, body, fmt, queued)


def send_electronic_survey(
    session: Session,
    *,
    actor: AgentView | None,
    ticket_id: uuid.UUID,
    now: datetime | None = None,
) -> ElectronicSurveyView:
    """Open an SMS survey of a request and queue its SMS; the open one again (``queued``
    False) when it has one. Errors: not_found; no_questionnaire; no_mobile; already_surveyed
    (a survey was completed since the request was last reopened)."""
    require(actor, *SURVEY_ROLES, action="send surveys")
    now = _aware_now(now)
    ticket = _fresh(session, _uuid(ticket_id, "ticket"))
    if ticket is None or (actor is not None and ticket.center_id != actor.center_id):
        raise FeedbackError("not_found", what="ticket", id=str(ticket_id))
    return _send(session, actor, ticket, phone=None, callback_id=None, now=now)


def send_survey_for(
    session: Session,
    actor: AgentView | None,
    callback: Callback,
    *,
    now: datetime,
    quiet: bool = False,
) -> ElectronicSurveyView | None:
    """The electronic survey after a callback's result went by SMS. ``quiet``: None instead of
    an error when there is nothing to send (no questionnaire, surveyed already)."""
    ticket = _fresh(session, callback.ticket_id) if callback.ticket_id else None
    if ticket is None:
        return None
    try:
        return _send(session, actor, ticket, phone=callback.phone, callback_id=callback.id, now=now)
    except FeedbackError:
        if quiet:
            return None
        raise
