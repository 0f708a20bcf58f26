"""The phone survey: the subscriber was reached, told the result, and answered the questions.

:func:`record_survey` is one step for the surveyor's "reached" with answers: it records the
reached attempt, checks the answers against the questionnaire of the request's category group
(every yes/no and 1-5 question answered, on its scale; text is free), stores the survey, closes
the callback, and settles the request (:mod:`db.feedback.settle`): closed when resolved (or
when the resolved-question was not reached), reopened as a complaint when not, the answers in
the event's data. The callback's guarded write comes first, so of two surveyors recording the
same task one wins and the other is told who did (``stale``), with nothing written.

Reached without a survey (the subscriber declined it) is :func:`db.feedback.record_attempt`
with outcome ``reached``.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from db.accounts import AgentView, require
from db.feedback.errors import FeedbackError
from db.feedback.questionnaires import questionnaire_for
from db.feedback.records import (
    SURVEY_ROLES,
    _aware_now,
    _callback,
    _check_due,
    _stale,
    _write_callback,
)
from db.feedback.settle import close_request, reopen_request
from db.feedback.texts import NOTE_SURVEY_REOPENED, NOTE_TOLD, with_comment
from db.feedback.views import QuestionnaireView, QuestionView, SurveyView
from db.models import (
    Answer,
    AnswerScale,
    AttemptOutcome,
    CallbackAttempt,
    CallbackStatus,
    Category,
    Survey,
    Ticket,
)
from db.text import normalize, to_ascii_digits

MAX_ANSWER_TEXT = 1000
_YES = frozenset({"1", "yes", "y", "true", "بله", "بلی", "آره", "اره"})
_NO = frozenset({"0", "no", "n", "false", "خیر", "نه"})


@dataclass(frozen=True)
class CheckedAnswers:
    """Answers that passed the questionnaire: by question, with the resolved verdict."""

    values: tuple[tuple[QuestionView, int | None, str], ...]  # (question, number, text)
    resolved: bool | None
    complete: bool

    def by_code(self) -> dict[str, int | str]:
        return {q.code: (text if number is None else number) for q, number, text in self.values}


def _number(question: QuestionView, value: object) -> int:
    """A yes/no (1/0) or 1-5 answer as an int; FeedbackError("bad_answer") otherwise."""
    bad = FeedbackError("bad_answer", code=question.code, scale=question.scale, value=value)
    if question.scale == AnswerScale.YES_NO:
        if isinstance(value, bool):
            return int(value)
        key = to_ascii_digits(normalize(str(value))).casefold()
        if key in _YES:
            return 1
        if key in _NO:
            return 0
        raise bad
    if isinstance(value, bool):
        raise bad
    if isinstance(value, str):
        text = to_ascii_digits(normalize(value))
        if not text.isdigit():
            raise bad
        value = int(text)
    if not isinstance(value, int) or not 1 <= value <= 5:
        raise bad
    return value


def check_answers(
    questionnaire: QuestionnaireView,
    answers: Mapping[str, object],
    comment: str = "",
    *,
    partial: bool = False,
) -> CheckedAnswers:
    """Check ``answers`` ({question code: value}) against the asked questions. ``comment``
    fills the first text question nobody answered. ``partial``: the subscriber hung up, so
    unanswered questions are allowed. Errors: unknown_question (code); bad_answer (code,
    scale, value); too_long (field, max); answer_required (codes)."""
    by_code = {q.code: q for q in questionnaire.questions}
    for code in answers:
        if code not in by_code:
            raise FeedbackError("unknown_question", code=code)
    comment = normalize(comment or "")
    values: list[tuple[QuestionView, int | None, str]] = []
    missing: list[str] = []
    for q in questionnaire.questions:
        given = answers.get(q.code)
        if q.scale == AnswerScale.TEXT:
            text = normalize(str(given)) if given is not None else ""
            if not text and comment:
                text, comment = comment, ""
            if len(text) > MAX_ANSWER_TEXT:
                raise FeedbackError("too_long", field=q.code, max=MAX_ANSWER_TEXT)
            if text:
                values.append((q, None, text))
            continue
        if given is None or given == "":
            missing.append(q.code)
            continue
        values.append((q, _number(q, given), ""))
    if missing and not partial:
        raise FeedbackError("answer_required", codes=tuple(missing))
    verdicts = [number for q, number, _ in values if q.reopens_on_no and number is not None]
    resolved = None if not verdicts else all(verdicts)
    return CheckedAnswers(tuple(values), resolved, complete=not missing)


def store_survey(
    session: Session,
    *,
    center_id: uuid.UUID,
    questionnaire_id: uuid.UUID,
    checked: CheckedAnswers,
    ticket_id: uuid.UUID | None,
    callback_id: uuid.UUID | None,
    agent_id: uuid.UUID | None,
    channel: str,
    started_at: datetime,
    completed_at: datetime | None,
    survey: Survey | None = None,
) -> Survey:
    """A new survey row (or the given SMS survey) with one Answer per answered question."""
    if survey is None:
        survey = Survey(
            center_id=center_id,
            questionnaire_id=questionnaire_id,
            ticket_id=ticket_id,
            callback_id=callback_id,
            agent_id=agent_id,
            channel=channel,
            started_at=started_at,
        )
    survey.completed_at = completed_at
    session.add(survey)
    session.flush()
    for q, number, text in checked.values:
        session.add(
            Answer(survey_id=survey.id, question_id=q.id, value_int=number, value_text=text)
        )
    session.flush()
    return survey


def category_group_of(session: Session, ticket_id: uuid.UUID | None) -> str | None:
    ticket = session.get(Ticket, ticket_id) if ticket_id else None
    category = session.get(Category, ticket.category_id) if ticket else None
    return category.group if category else None


def settle_after_survey(
    session: Session,
    actor: AgentView | None,
    ticket_id: uuid.UUID | None,
    survey: Survey,
    checked: CheckedAnswers,
    *,
    now: datetime,
    via: str,
    reopen_note: str,
    close_note: str,
    comment: str = "",
) -> tuple[str | None, str | None]:
    """Close or reopen the request after a survey: (action taken or None, status after)."""
    answers = checked.by_code()
    if checked.resolved is False:
        status, reopened = reopen_request(
            session,
            actor,
            ticket_id,
            note=with_comment(reopen_note, comment),
            now=now,
            via=via,
            survey_id=str(survey.id),
            answers=answers,
        )
        return ("reopened" if reopened else None), status
    before = session.get(Ticket, ticket_id) if ticket_id else None
    before_status = before.status if before else None
    status = close_request(
        session, actor, ticket_id, via=via, note=close_note, now=now, survey_id=str(survey.id)
    )
    closed = status == "closed" and before_status != "closed"
    return ("closed" if closed else None), status


def survey_view(
    survey: Survey, checked: CheckedAnswers, action: str | None, status: str | None
) -> SurveyView:
    return SurveyView(
        id=survey.id,
        questionnaire_id=survey.questionnaire_id,
        ticket_id=survey.ticket_id,
        callback_id=survey.callback_id,
        channel=survey.channel,
        sms_code=survey.sms_code,
        started_at=survey.started_at,
        completed_at=survey.completed_at,
        answers=checked.by_code(),
        resolved=checked.resolved,
        ticket_action=action,
        ticket_status=status,
    )


def record_survey(
    session: Session,
    *,
    actor: AgentView | None,
    callback_id: uuid.UUID,
    answers: Mapping[str, object],
    comment: str = "",
    note: str = "",
    partial: bool = False,
    started_at: datetime | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> SurveyView:
    """The subscriber was reached, told the result and surveyed: record it all at once.

    ``answers``: {question code: value} (yes/no as bool, 1/0 or بله/خیر; 1-5 as int or
    digits in any script); ``comment`` goes to the text question. ``partial``: the subscriber
    hung up before the end (the survey is kept without ``completed_at``). ``note``: the
    attempt's note. Errors: not_found; not_due (status); stale; no_questionnaire
    (category_group); the errors of :func:`check_answers`; FollowupError from the request."""
    require(actor, *SURVEY_ROLES, action="record surveys")
    now = _aware_now(now)
    callback = _callback(session, callback_id, actor.center_id if actor else None)
    version = _check_due(session, callback, expected_version)
    group = category_group_of(session, callback.ticket_id)
    questionnaire = questionnaire_for(session, callback.center_id, group)
    if questionnaire is None:
        raise FeedbackError("no_questionnaire", category_group=group)
    checked = check_answers(questionnaire, answers, comment, partial=partial)
    note = normalize(note or "")
    if len(note) > 1000:
        raise FeedbackError("too_long", field="note", max=1000)
    at = max(now, callback.updated_at)
    started = min(started_at or at, at)
    agent_id = actor.id if actor else None
    if not _write_callback(
        session,
        callback.id,
        version=version,
        values=dict(
            status=CallbackStatus.DONE,
            attempts=callback.attempts + 1,
            closed_at=at,
            updated_at=at,
            assigned_to_id=agent_id or callback.assigned_to_id,
        ),
    ):
        raise _stale(session, callback.id)
    session.add(
        CallbackAttempt(
            center_id=callback.center_id,
            callback_id=callback.id,
            agent_id=agent_id,
            at=started,
            outcome=AttemptOutcome.REACHED,
            note=note,
        )
    )
    survey = store_survey(
        session,
        center_id=callback.center_id,
        questionnaire_id=questionnaire.id,
        checked=checked,
        ticket_id=callback.ticket_id,
        callback_id=callback.id,
        agent_id=agent_id,
        channel="phone",
        started_at=started,
        completed_at=at if checked.complete else None,
    )
    comment_text = next((text for q, n, text in checked.values if n is None), "")
    action, status = settle_after_survey(
        session,
        actor,
        callback.ticket_id,
        survey,
        checked,
        now=at,
        via="callback",
        reopen_note=NOTE_SURVEY_REOPENED,
        close_note=NOTE_TOLD,
        comment=comment_text,
    )
    return survey_view(survey, checked, action, status)


def surveys_of_ticket(session: Session, ticket_id: uuid.UUID) -> list[Survey]:
    return list(
        session.exec(
            select(Survey).where(Survey.ticket_id == ticket_id).order_by(col(Survey.started_at))
        ).all()
    )
