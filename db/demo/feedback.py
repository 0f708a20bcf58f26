"""Feedback (اعلام نتیجه و نظرسنجی): the callbacks that tell a caller how their request ended,
the attempts to reach them, and the surveys taken when they answer.

Callbacks are planned as part of a request's story (`db.demo.story`); here are the records
they fill, the survey a reached caller answers, the center's questionnaire, and the rows.
After three failed attempts the result goes by SMS; a caller who says the problem is not
solved reopens the request as a complaint.
"""

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from db import catalog_seed
from db.demo.bulk import insert, insert_many
from db.demo.city import City
from db.demo.context import Demo, ReferenceIds, utc, uuid7_from
from db.demo.people import Subscribers
from db.demo.staff import Staff
from db.models import (
    Answer,
    AttemptOutcome,
    Callback,
    CallbackAttempt,
    CallbackStatus,
    Question,
    Questionnaire,
    Survey,
)

SURVEY_COMMENTS = [
    "از پیگیری شما ممنونم",
    "اکیپ دیر رسید ولی کار را خوب انجام داد",
    "برخورد مأمور بسیار محترمانه بود",
    "آسفالت کوچه هنوز ترمیم نشده است",
    "لطفاً قطعی‌ها را زودتر اطلاع دهید",
    "کارشناس تلفنی صبور و مؤدب بود",
    "چند بار تماس گرفتم تا رسیدگی شد",
]
_ATTEMPT_NOTES = {
    AttemptOutcome.NO_ANSWER: "پاسخ نداد",
    AttemptOutcome.BUSY: "مشغول بود",
    AttemptOutcome.REACHED: "نتیجه اعلام شد",
}


@dataclass(slots=True)
class AttemptPlan:
    ts: float
    outcome: str
    agent: int


@dataclass(slots=True)
class SurveyPlan:
    started: float
    completed: float | None
    agent: int
    answers: list[tuple[str, int | None, str]]  # (question code, value, text)


@dataclass(slots=True)
class CallbackPlan:
    ticket: int
    sub: int  # the request's caller, to call back
    phone: str | None
    created: float
    due: float
    agent: int
    script: str
    opened_by: int  # index of the feedback_queued event
    closed_by: int  # index of the event that ends it (closed / reopened), -1 if none yet
    attempts: list[AttemptPlan]
    survey: SurveyPlan | None = None
    status: str = CallbackStatus.DUE
    closed: float | None = None
    id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class QuestionnairePlan:
    id: uuid.UUID
    question_ids: dict[str, uuid.UUID]  # by question code


def plan_questionnaire(ids: ReferenceIds) -> QuestionnairePlan:
    questionnaire_id, _at = ids()
    questions = catalog_seed.DEFAULT_QUESTIONNAIRE.questions
    return QuestionnairePlan(questionnaire_id, {q.code: ids()[0] for q in questions})


def write_questionnaire(s: Session, city: City, questionnaire: QuestionnairePlan) -> None:
    q = catalog_seed.DEFAULT_QUESTIONNAIRE
    insert(
        s,
        Questionnaire,
        [
            dict(id=questionnaire.id, center_id=city.center_id, code=q.code, name_fa=q.name_fa,
                 name_en=q.name_en, category_groups=list(q.category_groups), active=True,
                 updated_at=city.setup_at)
        ],
    )  # fmt: skip
    insert(
        s,
        Question,
        [
            dict(id=questionnaire.question_ids[qs.code], questionnaire_id=questionnaire.id,
                 position=i + 1, code=qs.code, text_fa=qs.text_fa, text_en=qs.text_en,
                 scale=qs.scale.value, reopens_on_no=qs.reopens_on_no)
            for i, qs in enumerate(q.questions)
        ],
    )  # fmt: skip


def draw_survey(
    rng: random.Random, ts: float, agent: int, resolved: bool, emergency: bool
) -> SurveyPlan:
    """The answers of a caller reached at ``ts``: content when the problem was solved,
    a little kinder to emergencies about time."""

    def score(base: float) -> int:
        return max(1, min(5, round(rng.gauss(base, 0.9))))

    good = 4.3 if resolved else 2.2
    answers: list[tuple[str, int | None, str]] = [("resolved", int(resolved), "")]
    if rng.random() < 0.05:  # hung up after the first question
        return SurveyPlan(ts, None, agent, answers)
    answers.append(("on_time", score(good - (0.3 if emergency else 0.6)), ""))
    answers.append(("staff", score(4.5 if resolved else 3.5), ""))
    answers.append(("overall", score(good), ""))
    if rng.random() < 0.25:
        answers.append(("comment", None, rng.choice(SURVEY_COMMENTS)))
    return SurveyPlan(ts, ts + 60 + rng.random() * 180, agent, answers)


def write_feedback(
    s: Session,
    demo: Demo,
    callbacks: list[CallbackPlan],
    *,
    city: City,
    staff: Staff,
    subscribers: Subscribers,
    questionnaire: QuestionnairePlan,
    ticket_ids: list[uuid.UUID],
) -> None:
    """Callbacks, their attempts, surveys and answers, each in time order."""
    rng = demo.rng("feedback-ids")
    callbacks = sorted(callbacks, key=lambda cb: cb.created)
    for cb in callbacks:
        cb.id = uuid7_from(rng, cb.created)
    cid = city.center_id
    agent_ids = staff.ids
    sub_ids = subscribers.ids

    def callback_rows() -> Iterator[dict[str, Any]]:
        for cb in callbacks:
            last = cb.attempts[-1].ts if cb.attempts else cb.created
            yield dict(
                id=cb.id,
                center_id=cid,
                ticket_id=ticket_ids[cb.ticket],
                incident_id=None,
                subscriber_id=sub_ids[cb.sub] if cb.sub >= 0 else None,
                phone=cb.phone,
                reason="ticket_result",
                script=cb.script,
                status=cb.status,
                due_at=utc(cb.due),
                attempts=len(cb.attempts),
                assigned_to_id=agent_ids[cb.agent],
                created_at=utc(cb.created),
                closed_at=utc(cb.closed) if cb.closed else None,
                version=1 + len(cb.attempts),
                updated_at=utc(max(last, cb.closed or 0)),
            )

    report = demo.report
    insert_many(
        s, Callback, callback_rows(), report=report, stage="callbacks", total=len(callbacks)
    )
    attempts = sorted(
        (a.ts, i, k) for i, cb in enumerate(callbacks) for k, a in enumerate(cb.attempts)
    )

    def attempt_rows() -> Iterator[dict[str, Any]]:
        for ts, i, k in attempts:
            cb = callbacks[i]
            a = cb.attempts[k]
            yield dict(
                id=uuid7_from(rng, ts),
                center_id=cid,
                callback_id=cb.id,
                agent_id=agent_ids[a.agent],
                at=utc(ts),
                outcome=a.outcome,
                note=_ATTEMPT_NOTES.get(a.outcome, ""),
            )

    insert_many(
        s,
        CallbackAttempt,
        attempt_rows(),
        report=report,
        stage="callback attempts",
        total=len(attempts),
    )
    surveyed = [cb for cb in callbacks if cb.survey is not None]
    surveyed.sort(key=lambda cb: cb.survey.started)
    surveys = [(uuid7_from(rng, cb.survey.started), cb, cb.survey) for cb in surveyed]
    insert_many(
        s,
        Survey,
        (
            dict(
                id=survey_id,
                center_id=cid,
                questionnaire_id=questionnaire.id,
                ticket_id=ticket_ids[cb.ticket],
                callback_id=cb.id,
                agent_id=agent_ids[survey.agent],
                channel="phone",
                sms_code=None,
                started_at=utc(survey.started),
                completed_at=utc(survey.completed) if survey.completed else None,
            )
            for survey_id, cb, survey in surveys
        ),
        report=report,
        stage="surveys",
        total=len(surveys),
    )
    insert_many(
        s,
        Answer,
        (
            dict(
                id=uuid7_from(rng, survey.started + 20 * (q + 1)),
                survey_id=survey_id,
                question_id=questionnaire.question_ids[code],
                value_int=value,
                value_text=text,
            )
            for survey_id, _cb, survey in surveys
            for q, (code, value, text) in enumerate(survey.answers)
        ),
        report=report,
        stage="survey answers",
    )
