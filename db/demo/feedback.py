"""Feedback (اعلام نتیجه و نظرسنجی): the callbacks that tell a caller how their request ended,
the attempts to reach them, and the surveys taken when they answer.

Callbacks are planned as part of a request's story (`db.demo.story`); here are the records
they fill, the survey a reached caller answers, the center's questionnaire, and the rows.
After three failed attempts the result goes by SMS, followed by the electronic survey (as
`db.feedback` does: the same dedupe keys, texts and reply format); most subscribers reply, a few
in a way nobody can read, which waits for a person. A caller who says the problem is not solved
reopens the request as a complaint.
"""

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from db import catalog_seed
from db.demo.bulk import insert, insert_many
from db.demo.city import CITY_FA, City
from db.demo.context import Demo, ReferenceIds, utc, uuid7_from
from db.demo.people import Subscribers
from db.demo.staff import Staff
from db.feedback import texts
from db.models import (
    Answer,
    AttemptOutcome,
    Callback,
    CallbackAttempt,
    CallbackStatus,
    InboundMessage,
    OutboxMessage,
    OutboxStatus,
    Question,
    Questionnaire,
    Survey,
    Ticket,
)
from db.notices.outbox import is_mobile

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
                reason="ticket_answer",
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
    write_sms_results(
        s, demo, callbacks, city=city, questionnaire=questionnaire, ticket_ids=ticket_ids
    )


#: Replies the electronic survey got that nobody could read (and why).
_ODD_REPLIES = [("ممنون، عالی بود", "no_code"), ("{code} 1 5", "bad_format")]


def write_sms_results(
    s: Session,
    demo: Demo,
    callbacks: list[CallbackPlan],
    *,
    city: City,
    questionnaire: QuestionnairePlan,
    ticket_ids: list[uuid.UUID],
) -> None:
    """For every callback that ended by SMS to a mobile: the result in the outbox, the
    electronic survey and its SMS, and (for most) the subscriber's reply, read and matched; two
    replies are unreadable and wait for a person. Replies all say "resolved": those requests
    stay closed."""
    ended = sorted(
        (
            cb
            for cb in callbacks
            if cb.status == CallbackStatus.SMS_SENT and cb.closed and is_mobile(cb.phone)
        ),
        key=lambda cb: cb.closed or 0,
    )
    if not ended:
        return
    rng = demo.rng("feedback-sms")
    cid = city.center_id
    wanted = [ticket_ids[cb.ticket] for cb in ended]
    tickets = {
        t.id: t
        for t in s.exec(select(Ticket).where(col(Ticket.id).in_(wanted)))  # few hundred at most
    }
    seed = catalog_seed.DEFAULT_QUESTIONNAIRE
    slots = [(q.code, q.scale.value) for q in seed.questions]
    outbox: list[dict[str, Any]] = []
    surveys: list[dict[str, Any]] = []
    inbound: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    codes: set[str] = set()
    odd = list(_ODD_REPLIES)

    def message(at: float, key: str, cb: CallbackPlan, body: str) -> dict[str, Any]:
        return dict(
            id=uuid7_from(rng, at), center_id=cid, channel="sms", recipient=cb.phone,
            body=body, campaign_id=None, ticket_id=ticket_ids[cb.ticket], incident_id=None,
            callback_id=cb.id, dedupe_key=key, status=OutboxStatus.DELIVERED, attempts=1,
            next_attempt_at=None, last_error="", provider_ref=f"DEMO{rng.randrange(10**10):010d}",
            created_at=utc(at), sent_at=utc(at + 3), delivered_at=utc(at + 9),
        )  # fmt: skip

    for cb in ended:
        ticket = tickets[ticket_ids[cb.ticket]]
        at = (cb.closed or 0) - 30
        name = ticket.caller_name or "مشترک"
        result = texts.RESULT_SMS.format(
            name=name,
            tracking_code=ticket.tracking_code,
            result=texts.shorten(cb.script),
            center=CITY_FA,
        )
        outbox.append(message(at, f"callback:{cb.id}:result", cb, result))
        code = str(rng.randrange(100_000, 1_000_000))
        while code in codes:
            code = str(rng.randrange(100_000, 1_000_000))
        codes.add(code)
        survey_id = uuid7_from(rng, at + 1)
        body = texts.survey_sms(name=name, tracking_code=ticket.tracking_code,
                                format_=texts.reply_format(code, slots), comment=True,
                                center=CITY_FA)  # fmt: skip
        outbox.append(message(at + 1, f"survey:{survey_id}:sms", cb, body))
        replied = at + 600 + rng.random() * 6 * 3600
        answered = rng.random() < 0.6 and replied < demo.now_ts - 60
        surveys.append(
            dict(id=survey_id, center_id=cid, questionnaire_id=questionnaire.id,
                 ticket_id=ticket.id, callback_id=cb.id, agent_id=None, channel="sms",
                 sms_code=code, started_at=utc(at + 1),
                 completed_at=utc(replied) if answered else None)
        )  # fmt: skip
        if answered:
            values = [1, rng.choice([3, 4, 4, 5]), rng.choice([4, 5, 5]), rng.choice([3, 4, 5])]
            inbound.append(
                dict(id=uuid7_from(rng, replied), center_id=cid, sender=cb.phone,
                     body=f"{code} {' '.join(map(str, values))}", provider_ref=None,
                     received_at=utc(replied), survey_id=survey_id, status="matched")
            )  # fmt: skip
            answers += [
                dict(id=uuid7_from(rng, replied), survey_id=survey_id,
                     question_id=questionnaire.question_ids[q.code], value_int=v, value_text="")
                for q, v in zip(seed.questions, values, strict=False)
            ]  # fmt: skip
        elif odd and replied < demo.now_ts - 60:
            text, reason = odd.pop(0)
            inbound.append(
                dict(id=uuid7_from(rng, replied), center_id=cid, sender=cb.phone,
                     body=text.format(code=code), provider_ref=None, received_at=utc(replied),
                     survey_id=survey_id if reason != "no_code" else None, status=reason)
            )  # fmt: skip
    outbox.sort(key=lambda r: r["created_at"])
    insert_many(s, OutboxMessage, outbox, report=demo.report, stage="result SMS")
    insert_many(s, Survey, surveys, report=demo.report, stage="SMS surveys")
    insert(s, InboundMessage, sorted(inbound, key=lambda r: r["received_at"]))
    insert_many(s, Answer, answers, report=demo.report, stage="SMS survey answers")
