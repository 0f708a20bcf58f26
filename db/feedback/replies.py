"""Replies to the electronic survey: read, matched to their survey, stored, or kept for a person.

:func:`read_replies` reads the inbound messages nobody has read (see :mod:`db.feedback.inbox`
for how they arrive), matches each to its survey by the code it quotes and stores the answers,
which close or reopen the request as a phone survey does (:mod:`db.feedback.settle`).

People reply as they can: Persian, Arabic or Latin digits, any spaces, Persian or Latin commas,
dashes, the numbers glued together ("۱۲۳۴۵۶ ۱۵۴۵"), "بله"/"خیر" for yes/no, a word before the
code, no code at all from the one number that has an open survey. Whatever cannot be read stays
in the inbound table for a person, its ``status`` naming why: ``no_code`` (no code, and not
exactly one open survey for that number), ``unknown_code``, ``already_done`` (the survey was
answered), ``bad_format`` (too few or too many numbers), ``bad_value`` (a number off its
scale), ``wrong_sender`` (the code came from another phone than the one it was sent to). A
person may then record what it meant (:func:`answer_reply`) or set it aside
(:func:`dismiss_reply`). The inbound table has no column for a note, so the status is the
reason; "new" is unread, "matched" and "reviewed" are done.
"""

import re
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from db.accounts import AgentView, require
from db.feedback import texts
from db.feedback.electronic import SMS, _sent_to
from db.feedback.errors import FeedbackError
from db.feedback.questionnaires import questionnaire_view
from db.feedback.records import SURVEY_ROLES, _aware_now, _center_of, _uuid
from db.feedback.settings import MAX_CODE_LENGTH, MIN_CODE_LENGTH
from db.feedback.surveys import (
    CheckedAnswers,
    check_answers,
    settle_after_survey,
    store_survey,
    survey_view,
)
from db.feedback.views import QuestionnaireView, ReplyReport, ReplyView, SurveyView
from db.followup.records import _fresh
from db.models import (
    AnswerScale,
    InboundMessage,
    Questionnaire,
    Survey,
    Ticket,
    new_id,
)
from db.text import normalize, to_ascii_digits
from db.validate import ValidationError, normalize_mobile

NEW = "new"
MATCHED = "matched"
REVIEWED = "reviewed"
#: Why a reply waits for a person (its inbound ``status``).
FLAG_REASONS = (
    "no_code",
    "unknown_code",
    "already_done",
    "bad_format",
    "bad_value",
    "wrong_sender",
)
MAX_BODY = 2000
_YES = frozenset({"بله", "بلی", "آره", "اره", "yes", "y"})
_NO = frozenset({"خیر", "نه", "no", "n"})
# The SMS's own labels, which some copy into their reply ("برطرف‌شد 1 سرعت 5").
_LABELS = frozenset(
    w for label in texts.SHORT_LABELS.values() for w in re.split(r"[\s\u200c]+", label)
)
_DIGITS = re.compile(r"[0-9]+")
_TOKEN = re.compile(r"[0-9]+|[^\W\d_]+")


class ReplyProblem(Exception):
    """A reply that cannot be read; ``reason`` is one of FLAG_REASONS."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _plain(body: str) -> str:
    """One form to read: NFKC (presentation forms, full-width digits), ASCII digits."""
    return to_ascii_digits(unicodedata.normalize("NFKC", normalize(body or "")))


def code_candidates(body: str) -> tuple[list[str], int]:
    """The codes a reply may quote (prefixes of its first run of digits, longest first) and
    where its first digit is; no candidates when that run is too short to be a code."""
    text = _plain(body)
    match = _DIGITS.search(text)
    if match is None or len(match.group()) < MIN_CODE_LENGTH:
        return [], -1
    run = match.group()
    sizes = range(min(len(run), MAX_CODE_LENGTH), MIN_CODE_LENGTH - 1, -1)
    return [run[:n] for n in sizes], match.start()


def read_answers(scales: Sequence[str], text: str) -> tuple[list[int], str]:
    """The numbers for ``scales`` (yes/no and 1-5 questions in order; text ones are skipped)
    read from ``text`` (what follows the code), and the comment after them. One digit per
    answer, so "1545" is four answers. Raises ReplyProblem("bad_format" | "bad_value")."""
    text = _plain(text)
    tokens = list(_TOKEN.finditer(text))
    i, pending, numbers = 0, "", []
    for scale in scales:
        if scale == AnswerScale.TEXT:
            continue
        while not pending and i < len(tokens) and tokens[i].group() in _LABELS:
            i += 1
        if not pending:
            if i >= len(tokens):
                raise ReplyProblem("bad_format")
            token = tokens[i].group()
            i += 1
            word = token.casefold()
            if token.isdigit():
                pending = token
            elif scale == AnswerScale.YES_NO and (word in _YES or word in _NO):
                numbers.append(1 if word in _YES else 0)
                continue
            else:
                raise ReplyProblem("bad_format")
        digit, pending = int(pending[0]), pending[1:]
        allowed = (0, 1) if scale == AnswerScale.YES_NO else (1, 2, 3, 4, 5)
        if digit not in allowed:
            raise ReplyProblem("bad_value")
        numbers.append(digit)
    if pending or (i < len(tokens) and tokens[i].group().isdigit()):
        raise ReplyProblem("bad_format")
    comment = text[tokens[i].start() :].strip() if i < len(tokens) else ""
    return numbers, normalize(comment)


def _as_answers(
    questionnaire: QuestionnaireView, numbers: Sequence[int], comment: str
) -> CheckedAnswers:
    values = iter(numbers)
    answers = {q.code: next(values) for q in questionnaire.questions if q.scale != AnswerScale.TEXT}
    return check_answers(questionnaire, answers, comment[:1000])


def _sender(phone: str) -> str:
    try:
        return normalize_mobile(phone)
    except ValidationError:
        return to_ascii_digits(phone).strip()


def _survey_by_code(session: Session, center_id: uuid.UUID, codes: list[str]) -> Survey | None:
    if not codes:
        return None
    rows = session.exec(
        select(Survey).where(
            Survey.center_id == center_id, Survey.channel == SMS, col(Survey.sms_code).in_(codes)
        )
    ).all()
    by_code = {s.sms_code: s for s in rows}
    return next((by_code[c] for c in codes if c in by_code), None)


def _open_survey_of_sender(session: Session, center_id: uuid.UUID, sender: str) -> Survey | None:
    """The one open SMS survey of a request from ``sender`` (None when none, or several)."""
    rows = session.exec(
        select(Survey)
        .join(Ticket, col(Ticket.id) == Survey.ticket_id)
        .where(
            Ticket.phone == sender,
            Survey.center_id == center_id,
            Survey.channel == SMS,
            col(Survey.completed_at).is_(None),
        )
        .limit(2)
    ).all()
    return rows[0] if len(rows) == 1 else None


@dataclass
class _Outcome:
    status: str
    survey_id: uuid.UUID | None = None
    action: str | None = None
    tracking_code: str = ""


def _match(
    session: Session, actor: AgentView | None, message: InboundMessage, now: datetime
) -> _Outcome:
    sender = _sender(message.sender)
    codes, start = code_candidates(message.body)
    survey = _survey_by_code(session, message.center_id, codes)
    if survey is None and codes:
        return _Outcome("unknown_code")
    if survey is None:
        survey = _open_survey_of_sender(session, message.center_id, sender)
        if survey is None:
            return _Outcome("no_code")
        rest = message.body
    else:
        assert survey.sms_code is not None
        rest = _plain(message.body)[start + len(survey.sms_code) :]
    if survey.completed_at is not None:
        return _Outcome("already_done", survey.id)
    sent_to = _sent_to(session, survey)
    if sent_to is not None and sent_to != sender:
        return _Outcome("wrong_sender", survey.id)
    questionnaire_row = session.get(Questionnaire, survey.questionnaire_id)
    assert questionnaire_row is not None
    questionnaire = questionnaire_view(session, questionnaire_row)
    try:
        numbers, comment = read_answers([q.scale for q in questionnaire.questions], rest)
        checked = _as_answers(questionnaire, numbers, comment)
    except ReplyProblem as problem:
        return _Outcome(problem.reason, survey.id)
    except FeedbackError:
        return _Outcome("bad_value", survey.id)
    action, code = _complete(
        session,
        actor,
        survey,
        checked,
        at=max(message.received_at, survey.started_at),
        now=now,
        comment=comment,
    )
    if action is None and code is None:
        return _Outcome("already_done", survey.id)
    return _Outcome(MATCHED, survey.id, action, code or "")


def _complete(
    session: Session,
    actor: AgentView | None,
    survey: Survey,
    checked: CheckedAnswers,
    *,
    at: datetime,
    now: datetime,
    comment: str,
) -> tuple[str | None, str | None]:
    """Store the answers of an SMS survey once (guarded on ``completed_at``) and settle its
    request: (action taken, tracking code); (None, None) when somebody completed it first."""
    table = Survey.__table__
    done = session.execute(
        sa.update(table)
        .where(table.c.id == survey.id, table.c.completed_at.is_(None))
        .values(completed_at=at)
    )
    if done.rowcount != 1:
        return None, None
    session.refresh(survey)
    store_survey(
        session,
        center_id=survey.center_id,
        questionnaire_id=survey.questionnaire_id,
        checked=checked,
        ticket_id=survey.ticket_id,
        callback_id=survey.callback_id,
        agent_id=survey.agent_id,
        channel=SMS,
        started_at=survey.started_at,
        completed_at=at,
        survey=survey,
    )
    action, _status = settle_after_survey(
        session,
        actor,
        survey.ticket_id,
        survey,
        checked,
        now=max(now, at),
        via="sms_survey",
        reopen_note=texts.NOTE_SMS_SURVEY_REOPENED,
        close_note=texts.NOTE_SMS_SURVEY_RESOLVED,
        comment=comment,
    )
    ticket = session.get(Ticket, survey.ticket_id) if survey.ticket_id else None
    return action, ticket.tracking_code if ticket else ""


def _reply_view(m: InboundMessage) -> ReplyView:
    return ReplyView(m.id, m.sender, m.body, m.received_at, m.status, m.survey_id)


def read_replies(
    session: Session,
    *,
    actor: AgentView | None = None,
    now: datetime | None = None,
    center_id: uuid.UUID | None = None,
    limit: int = 500,
) -> ReplyReport:
    """Read up to ``limit`` unread inbound messages of the center (all centers for the local
    CLI without one), oldest first: match, store, settle, or flag for a person. Each message is
    claimed with a guarded update, so two readers never both handle one."""
    require(actor, *SURVEY_ROLES, action="read survey replies")
    now = _aware_now(now)
    center = actor.center_id if actor else center_id
    table = InboundMessage.__table__
    stmt = select(InboundMessage).where(InboundMessage.status == NEW)
    if center is not None:
        stmt = stmt.where(InboundMessage.center_id == center)
    rows = session.exec(
        stmt.order_by(col(InboundMessage.received_at), col(InboundMessage.id)).limit(limit)
    ).all()
    matched: list[ReplyView] = []
    flagged: list[ReplyView] = []
    reopened: list[str] = []
    closed: list[str] = []
    for message in rows:
        claim = session.execute(
            sa.update(table)
            .where(table.c.id == message.id, table.c.status == NEW)
            .values(status="reading")
        )
        if claim.rowcount != 1:
            continue
        outcome = _match(session, actor, message, now)
        session.execute(
            sa.update(table)
            .where(table.c.id == message.id)
            .values(status=outcome.status, survey_id=outcome.survey_id)
        )
        session.flush()
        session.refresh(message)
        view = _reply_view(message)
        (matched if outcome.status == MATCHED else flagged).append(view)
        if outcome.action == "reopened":
            reopened.append(outcome.tracking_code)
        elif outcome.action == "closed":
            closed.append(outcome.tracking_code)
    return ReplyReport(
        len(matched) + len(flagged), tuple(matched), tuple(flagged), tuple(reopened), tuple(closed)
    )


def store_reply(
    session: Session,
    *,
    center_id: uuid.UUID,
    sender: str,
    body: str,
    provider_ref: str | None = None,
    received_at: datetime | None = None,
) -> bool:
    """Keep one inbound SMS to read (True when new; a ``provider_ref`` seen before is skipped,
    so reading a gateway's inbox twice stores nothing twice)."""
    at = _aware_now(received_at)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = InboundMessage.__table__
    row = dict(
        id=new_id(),
        center_id=center_id,
        sender=to_ascii_digits(sender or "").strip()[:32],
        body=(body or "")[:MAX_BODY],
        provider_ref=(provider_ref or None) and provider_ref[:64],
        received_at=at,
        survey_id=None,
        status=NEW,
    )
    stmt = insert(table).values(row).on_conflict_do_nothing(index_elements=["provider_ref"])
    return len(session.execute(stmt.returning(table.c.id)).all()) == 1


def replies_for_review(
    session: Session,
    *,
    actor: AgentView | None,
    center_id: uuid.UUID | None = None,
    limit: int = 50,
    before: uuid.UUID | None = None,
) -> tuple[ReplyView, ...]:
    """Replies waiting for a person, newest first (keyset on the time-ordered id)."""
    require(actor, *SURVEY_ROLES, action="read survey replies")
    center = _center_of(actor, center_id)
    stmt = select(InboundMessage).where(
        InboundMessage.center_id == center, col(InboundMessage.status).in_(FLAG_REASONS)
    )
    if before is not None:
        stmt = stmt.where(col(InboundMessage.id) < before)
    rows = session.exec(stmt.order_by(col(InboundMessage.id).desc()).limit(max(1, limit))).all()
    return tuple(_reply_view(m) for m in rows)


def _flagged(session: Session, actor: AgentView | None, message_id: uuid.UUID) -> InboundMessage:
    message = session.get(InboundMessage, _uuid(message_id, "reply"))
    if message is None or (actor is not None and message.center_id != actor.center_id):
        raise FeedbackError("not_found", what="reply", id=str(message_id))
    if message.status not in FLAG_REASONS:
        raise FeedbackError("not_flagged", status=message.status)
    return message


def dismiss_reply(session: Session, *, actor: AgentView | None, message_id: uuid.UUID) -> ReplyView:
    """A person read a flagged reply and set it aside. Errors: not_found; not_flagged."""
    require(actor, *SURVEY_ROLES, action="handle survey replies")
    message = _flagged(session, actor, message_id)
    message.status = REVIEWED
    session.add(message)
    session.flush()
    return _reply_view(message)


def answer_reply(
    session: Session,
    *,
    actor: AgentView | None,
    message_id: uuid.UUID,
    survey_id: uuid.UUID,
    answers: dict[str, object],
    comment: str = "",
    now: datetime | None = None,
) -> SurveyView:
    """A person read a flagged reply and records what it meant for an open SMS survey.
    Errors: not_found; not_flagged; already_surveyed; the errors of check_answers."""
    require(actor, *SURVEY_ROLES, action="handle survey replies")
    now = _aware_now(now)
    message = _flagged(session, actor, message_id)
    survey = session.get(Survey, _uuid(survey_id, "survey"))
    if survey is None or survey.center_id != message.center_id or survey.channel != SMS:
        raise FeedbackError("not_found", what="survey", id=str(survey_id))
    row = session.get(Questionnaire, survey.questionnaire_id)
    assert row is not None
    checked = check_answers(questionnaire_view(session, row), answers, comment)
    at = max(message.received_at, survey.started_at)
    action, code = _complete(
        session, actor, survey, checked, at=at, now=now, comment=normalize(comment or "")
    )
    if action is None and code is None:
        raise FeedbackError("already_surveyed", survey_id=survey.id)
    message.status = REVIEWED
    message.survey_id = survey.id
    session.add(message)
    session.flush()
    status = _fresh(session, survey.ticket_id).status if survey.ticket_id else None
    return survey_view(survey, checked, action, status)
