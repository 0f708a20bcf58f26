"""Feedback: the callbacks worklist, the retry policy on the office calendar, the result by SMS
after the last failed try, the phone survey that closes or reopens a request, questionnaires as
data, and the electronic survey with its replies (good, odd and bad), on SQLite and PostgreSQL."""

import json
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from db import feedback, followup
from db.accounts import PermissionDenied
from db.engine import make_engine, session
from db.feedback import FeedbackError, QuestionInput, WorklistCursor, read_answers
from db.models import (
    Answer,
    Callback,
    CallbackAttempt,
    CenterSetting,
    InboundMessage,
    OutboxMessage,
    Survey,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketStatus,
)

from .world import NOW, World, add_center, build_world, register, teh

S = TicketStatus
ANSWER = "لوله شکسته تعویض و آب‌رسانی برقرار شد"
GOOD = {"resolved": True, "on_time": 4, "staff": 5, "overall": 4}


@pytest.fixture
def world(engine, center_id) -> World:
    w = build_world(engine, center_id)
    with session(engine) as s:
        feedback.install_default_questionnaire(s, actor=None, center_id=center_id, now=NOW)
    return w


def step(w: World, tid, action, at, *, actor=None, **kw):
    with session(w.engine) as s:
        version = s.get(Ticket, tid).version
        return followup.transition(
            s, actor=actor or w.followup, ticket_id=tid, action=action,
            expected_version=version, now=at, **kw,
        )  # fmt: skip


def accepted(w: World, code="pipe_burst", *, at=NOW, phone="09121111111", queued=False, **kw):
    """A request whose unit's answer was accepted at ``at`` (so its callback is due then);
    returns (ticket id, callback id)."""
    tid = register(w, code, at=at - timedelta(hours=3), phone=phone, **kw).ticket.id
    step(w, tid, "referred", at - timedelta(hours=2, minutes=50))
    step(w, tid, "answered", at - timedelta(hours=1), note=ANSWER)
    step(w, tid, "accepted", at)
    if queued:
        step(w, tid, "feedback_queued", at + timedelta(minutes=1))
    with session(w.engine, write=False) as s:
        callback = s.exec(select(Callback).where(Callback.ticket_id == tid)).one()
    return tid, callback.id


def attempt(w: World, cid, outcome, at, *, actor=None, **kw):
    with session(w.engine) as s:
        return feedback.record_attempt(
            s, actor=actor or w.surveyor, callback_id=cid, outcome=outcome, now=at, **kw
        )


def survey(w: World, cid, answers, at, *, actor=None, **kw):
    with session(w.engine) as s:
        return feedback.record_survey(
            s, actor=actor or w.surveyor, callback_id=cid, answers=answers, now=at, **kw
        )


def worklist(w: World, at, **kw):
    with session(w.engine, write=False) as s:
        return feedback.due_callbacks(s, actor=w.surveyor, now=at, **kw)


def ticket(w: World, tid) -> Ticket:
    with session(w.engine, write=False) as s:
        return s.get(Ticket, tid)


def events(w: World, tid) -> list[TicketEvent]:
    with session(w.engine, write=False) as s:
        return list(
            s.exec(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == tid)
                .order_by(col(TicketEvent.at), col(TicketEvent.id))
            )
        )


def outbox(w: World) -> list[OutboxMessage]:
    with session(w.engine, write=False) as s:
        return list(s.exec(select(OutboxMessage).order_by(col(OutboxMessage.created_at))))


def set_setting(w: World, key, value) -> None:
    with session(w.engine) as s:
        s.add(CenterSetting(center_id=w.center_id, key=key, value=value))


# --- the worklist ----------------------------------------------------------------------------


def test_surveyor_sees_the_accepted_answer_with_its_script_oldest_first(world):
    w = world
    first, cb1 = accepted(w, at=NOW - timedelta(hours=2))
    _second, cb2 = accepted(w, "bill_dispute", at=NOW - timedelta(hours=1), subscriber="karim",
                           phone="09123333333", caller_name="کریم کاظمی")  # fmt: skip
    accepted(w, at=NOW + timedelta(hours=1))  # not due yet
    page = worklist(w, NOW)
    assert [r.id for r in page.rows] == [cb1, cb2] and page.total_due == 2
    row = page.rows[0]
    assert (row.script, row.phone, row.name, row.ticket_id) == (
        ANSWER, "09121111111", "علی رضایی", first,
    )  # fmt: skip
    assert row.tracking_code == ticket(w, first).tracking_code
    assert (row.category_code, row.category_group, row.ticket_status) == (
        "pipe_burst", "water_emergency", S.ACCEPTED,
    )  # fmt: skip
    assert row.attempts == () and row.status == "due"
    assert page.rows[1].category_code == "bill_dispute" and page.rows[1].name == "کریم کاظمی"


def test_worklist_pages_by_keyset_and_keeps_to_its_center_and_role(world, engine):
    w = world
    ids = [accepted(w, at=NOW - timedelta(minutes=10 * i))[1] for i in range(5)]
    ids.reverse()  # oldest due first
    seen, cursor = [], None
    while True:
        page = worklist(w, NOW, limit=2, after=cursor)
        seen += [r.id for r in page.rows]
        cursor = page.next_cursor
        if cursor is None:
            break
        assert isinstance(cursor, WorklistCursor)
    assert seen == ids
    other = build_world(engine, add_center(engine, "SHZ", 171), prefix="shz_")
    with session(engine, write=False) as s:
        assert feedback.due_callbacks(s, actor=other.surveyor, now=NOW).rows == ()
        with pytest.raises(PermissionDenied):
            feedback.due_callbacks(s, actor=w.desk, now=NOW)
        with pytest.raises(FeedbackError) as other_center:
            feedback.callback_detail(s, actor=other.surveyor, callback_id=ids[0])
        assert other_center.value.reason == "not_found"


# --- the retry policy ------------------------------------------------------------------------


def test_failed_tries_wait_two_office_hours_then_the_result_goes_by_sms(world):
    """Wednesday 10:00 no answer -> 12:00; 14:00 busy -> Thursday 08:30 (30 minutes before the
    14:30 closing, 90 after Thursday's 07:00 opening); the third failure sends the SMS."""
    w = world
    tid, cid = accepted(w, queued=True)
    first = attempt(w, cid, "no_answer", NOW, note="بوق آزاد")
    assert (first.final, first.sms_queued, first.callback.due_at) == (False, False, teh(18, 12))
    assert (
        first.callback.attempts[0].note == "بوق آزاد" and first.ticket_status == S.AWAITING_FEEDBACK
    )
    assert worklist(w, teh(18, 11, 59)).rows == ()
    assert [r.id for r in worklist(w, teh(18, 12)).rows] == [cid]
    second = attempt(w, cid, "busy", teh(18, 14))
    assert second.callback.due_at == teh(19, 8, 30)
    assert outbox(w) == []
    third = attempt(w, cid, "no_answer", teh(19, 9))
    assert (third.final, third.sms_queued, third.callback.status) == (True, True, "sms_sent")
    assert [a.outcome for a in third.callback.attempts] == ["no_answer", "busy", "no_answer"]
    assert third.ticket_status == S.CLOSED
    closing = events(w, tid)[-1]
    assert (closing.action, closing.data["via"], closing.actor_id) == (
        "closed",
        "sms",
        w.surveyor.id,
    )
    assert "۳" in closing.note
    result, poll = outbox(w)
    assert (result.dedupe_key, result.recipient) == (f"callback:{cid}:result", "09121111111")
    assert ANSWER in result.body and ticket(w, tid).tracking_code in result.body
    assert result.callback_id == cid and result.ticket_id == tid
    assert third.survey is not None and poll.dedupe_key == f"survey:{third.survey.survey_id}:sms"
    assert worklist(w, teh(20, 12)).rows == ()
    with pytest.raises(FeedbackError) as done:
        attempt(w, cid, "no_answer", teh(19, 10))
    assert (done.value.reason, done.value.params) == ("not_due", {"status": "sms_sent"})


def test_retry_policy_comes_from_the_center_setting(world):
    w = world
    set_setting(w, "callbacks.retry",
                {"max_attempts": 2, "gap_minutes": 30, "office_hours_only": False})  # fmt: skip
    set_setting(w, "surveys.sms", {"after_sms_result": False})
    _tid, cid = accepted(w, at=teh(18, 21))
    night = attempt(w, cid, "busy", teh(18, 22))
    assert night.callback.due_at == teh(18, 22, 30)
    last = attempt(w, cid, "busy", teh(18, 22, 40))
    assert last.final and last.sms_queued and last.survey is None
    assert [m.dedupe_key for m in outbox(w)] == [f"callback:{cid}:result"]
    with session(w.engine, write=False) as s:
        policy = feedback.load_feedback_settings(s, w.center_id).retry
    assert (policy.max_attempts, policy.gap_minutes, policy.office_hours_only) == (2, 30, False)


def test_a_malformed_setting_falls_back_to_the_defaults(world):
    w = world
    set_setting(w, "callbacks.retry", {"max_attempts": "three", "gap_minutes": -5})
    with session(w.engine, write=False) as s:
        policy = feedback.load_feedback_settings(s, w.center_id).retry
    assert (policy.max_attempts, policy.gap_minutes, policy.office_hours_only) == (3, 120, True)


def test_a_retry_never_falls_on_the_holiday_or_friday(world):
    """Monday 16 November 14:00 + 2 office hours: 30 minutes to the closing, then Tuesday 17
    is the center's holiday, so Wednesday 08:30."""
    w = world
    _tid, cid = accepted(w, at=teh(16, 13))
    assert attempt(w, cid, "no_answer", teh(16, 14)).callback.due_at == teh(18, 8, 30)
    _tid, cid = accepted(w, at=teh(19, 10))
    # Thursday 11:00: 60 minutes to the noon closing, Friday off, Saturday 08:00.
    assert attempt(w, cid, "busy", teh(19, 11)).callback.due_at == teh(21, 8)


def test_wrong_number_and_refusal_end_the_calls(world):
    w = world
    tid, cid = accepted(w)
    wrong = attempt(w, cid, "wrong_number", NOW)
    assert (wrong.final, wrong.sms_queued, wrong.callback.status) == (True, False, "cancelled")
    assert ticket(w, tid).status == S.CLOSED and events(w, tid)[-1].data["via"] == "wrong_number"
    assert outbox(w) == []
    tid2, cid2 = accepted(w)
    refused = attempt(w, cid2, "refused", NOW)
    assert (refused.final, refused.sms_queued, refused.callback.status) == (True, True, "sms_sent")
    assert events(w, tid2)[-1].data == {"via": "sms", "outcome": "refused"}


def test_a_landline_that_never_answers_cannot_get_an_sms(world):
    w = world
    tid, cid = accepted(w, phone="02188776655", subscriber=None)
    for hour in (10, 12, 14):
        result = attempt(w, cid, "no_answer", teh(18, hour))
    assert (result.final, result.sms_queued, result.callback.status) == (True, False, "cancelled")
    assert events(w, tid)[-1].data == {"via": "unreachable", "outcome": "no_answer"}
    assert outbox(w) == []


def test_two_surveyors_on_one_task_one_wins_the_other_is_told(world):
    w = world
    _tid, cid = accepted(w)
    version = worklist(w, NOW).rows[0].version
    attempt(w, cid, "busy", NOW, expected_version=version)
    with pytest.raises(FeedbackError) as late:
        attempt(w, cid, "no_answer", NOW, actor=w.supervisor, expected_version=version)
    assert late.value.reason == "stale"
    assert late.value.params["changed_by"] == w.surveyor.full_name
    with pytest.raises(FeedbackError) as late_survey:
        survey(w, cid, GOOD, NOW, actor=w.supervisor, expected_version=version)
    assert late_survey.value.reason == "stale"
    with session(w.engine, write=False) as s:
        assert s.exec(select(sa.func.count()).select_from(CallbackAttempt)).one() == 1


def test_surveyors_recording_at_once_never_both_win(world, db_url):
    """Two surveyors on their own connections record the task they both saw, at once."""
    w = world
    _tid, cid = accepted(w)
    seen = worklist(w, NOW).rows[0].version
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def surveyor(actor) -> None:
        engine = make_engine(db_url)
        try:
            barrier.wait(10)
            with session(engine) as s:
                feedback.record_attempt(
                    s, actor=actor, callback_id=cid, outcome="busy", now=NOW,
                    expected_version=seen,
                )  # fmt: skip
            outcomes.append("ok")
        except FeedbackError as exc:
            outcomes.append(exc.reason)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=surveyor, args=(a,)) for a in (w.surveyor, w.supervisor)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["ok", "stale"]
    with session(w.engine, write=False) as s:
        assert s.exec(select(sa.func.count()).select_from(CallbackAttempt)).one() == 1
        assert s.get(Callback, cid).attempts == 1


def test_a_bad_outcome_and_a_stranger_are_refused(world):
    w = world
    _tid, cid = accepted(w)
    with pytest.raises(FeedbackError) as odd:
        attempt(w, cid, "voicemail", NOW)
    assert odd.value.reason == "bad_outcome"
    with pytest.raises(PermissionDenied):
        attempt(w, cid, "busy", NOW, actor=w.desk)


# --- the phone survey ------------------------------------------------------------------------


def test_reached_and_resolved_closes_the_request_via_callback(world):
    w = world
    tid, cid = accepted(w, queued=True)
    attempt(w, cid, "no_answer", NOW)
    done = survey(w, cid, {**GOOD, "on_time": "۳"}, teh(18, 12, 5), comment="ممنون از پیگیری")
    assert (done.resolved, done.ticket_action, done.ticket_status) == (True, "closed", S.CLOSED)
    assert done.answers == {"resolved": 1, "on_time": 3, "staff": 5, "overall": 4,
                            "comment": "ممنون از پیگیری"}  # fmt: skip
    with session(w.engine, write=False) as s:
        cb = s.get(Callback, cid)
        row = s.get(Survey, done.id)
        answers = s.exec(select(Answer).where(Answer.survey_id == done.id)).all()
        tried = s.exec(select(CallbackAttempt.outcome).where(CallbackAttempt.callback_id == cid)
                       .order_by(col(CallbackAttempt.at))).all()  # fmt: skip
    assert (cb.status, cb.attempts, cb.closed_at) == ("done", 2, teh(18, 12, 5))
    assert tried == ["no_answer", "reached"]
    assert (row.channel, row.completed_at, row.callback_id, row.ticket_id) == (
        "phone", teh(18, 12, 5), cid, tid,
    )  # fmt: skip
    assert len(answers) == 5
    closing = events(w, tid)[-1]
    assert (closing.action, closing.data) == (
        "closed",
        {"via": "callback", "survey_id": str(done.id)},
    )


def test_not_resolved_reopens_the_request_as_a_complaint_with_the_answers(world):
    w = world
    tid, cid = accepted(w)  # still "accepted": follow-up had not handed it over yet
    answers = {"resolved": "خیر", "on_time": 2, "staff": 4, "overall": 1}
    done = survey(w, cid, answers, teh(18, 11), comment="هنوز آب گل‌آلود است")
    assert (done.resolved, done.ticket_action, done.ticket_status) == (
        False,
        "reopened",
        S.REFERRED,
    )
    t = ticket(w, tid)
    assert (t.kind, t.status, t.unit_id, t.closed_at) == (
        TicketKind.COMPLAINT, S.REFERRED, w.units["water_ops"], None,
    )  # fmt: skip
    handed, reopened = events(w, tid)[-2:]
    assert (handed.action, handed.actor_id, handed.to_status) == (
        "feedback_queued", None, S.AWAITING_FEEDBACK,
    )  # fmt: skip
    assert (reopened.action, reopened.actor_id) == ("reopened", w.surveyor.id)
    assert reopened.data == {
        "via": "callback",
        "survey_id": str(done.id),
        "answers": {"resolved": 0, "on_time": 2, "staff": 4, "overall": 1,
                    "comment": "هنوز آب گل‌آلود است"},
    }  # fmt: skip
    assert "هنوز آب گل‌آلود است" in reopened.note
    # Back in the follow-up queue, as a complaint for its unit.
    with session(w.engine, write=False) as s:
        queue = followup.list_queue(s, actor=w.followup, now=teh(18, 12))
    assert tid in [r.id for r in queue.rows]


def test_a_request_closed_meanwhile_is_reopened_by_a_later_not_resolved(world):
    w = world
    tid, cid = accepted(w, queued=True)
    step(w, tid, "closed", NOW + timedelta(minutes=5), via="in_person")
    done = survey(w, cid, {**GOOD, "resolved": 0}, NOW + timedelta(hours=1))
    assert done.ticket_action == "reopened" and ticket(w, tid).kind == TicketKind.COMPLAINT
    tid2, cid2 = accepted(w, queued=True)
    step(w, tid2, "closed", NOW + timedelta(minutes=5), via="in_person")
    kept = survey(w, cid2, GOOD, NOW + timedelta(hours=1))
    assert (kept.ticket_action, kept.ticket_status) == (None, S.CLOSED)


def test_answers_are_checked_against_the_questionnaire(world):
    w = world
    tid, cid = accepted(w)
    cases = [
        ({"resolved": 1, "on_time": 4}, "answer_required"),
        ({**GOOD, "staff": 6}, "bad_answer"),
        ({**GOOD, "staff": True}, "bad_answer"),
        ({**GOOD, "resolved": "شاید"}, "bad_answer"),
        ({**GOOD, "mood": 3}, "unknown_question"),
    ]
    for answers, reason in cases:
        with pytest.raises(FeedbackError) as refused:
            survey(w, cid, answers, NOW)
        assert refused.value.reason == reason, answers
    assert ticket(w, tid).status == S.ACCEPTED
    assert worklist(w, NOW).rows[0].attempts == ()
    # Hung up after the first question: kept unfinished, and the result was told.
    part = survey(w, cid, {"resolved": 1}, NOW, partial=True)
    assert (part.completed_at, part.ticket_action, part.answers) == (
        None,
        "closed",
        {"resolved": 1},
    )


def test_reached_without_a_survey_closes_the_request(world):
    w = world
    tid, cid = accepted(w, queued=True)
    told = attempt(w, cid, "reached", NOW, note="نظرسنجی را نپذیرفت")
    assert (told.final, told.callback.status, told.ticket_status) == (True, "done", S.CLOSED)
    assert events(w, tid)[-1].data == {"via": "callback"}


def test_an_incident_callback_is_made_once_and_due_in_office_hours(world):
    w = world
    with session(w.engine) as s:
        first = feedback.create_callback(s, center_id=w.center_id, phone="+98 912 444 5566",
                                         reason="incident_restored", script="آب وصل شد",
                                         now=teh(18, 22))  # fmt: skip
        again = feedback.create_callback(s, center_id=w.center_id, phone="09124445566",
                                         reason="incident_restored", now=teh(18, 23))  # fmt: skip
        with pytest.raises(FeedbackError) as bad:
            feedback.create_callback(s, center_id=w.center_id, phone="123", reason="x")
    assert bad.value.reason == "bad_phone"
    assert first.id == again.id and first.phone == "09124445566"
    assert first.due_at == teh(19, 7) and first.script == "آب وصل شد"
    told = attempt(w, first.id, "reached", teh(19, 8))
    assert (told.callback.status, told.ticket_status) == ("done", None)


# --- questionnaires --------------------------------------------------------------------------


def test_the_default_questionnaire_serves_every_group_but_information(world):
    w = world
    with session(w.engine, write=False) as s:
        q = feedback.questionnaire_for(s, w.center_id, "billing")
        assert feedback.questionnaire_for(s, w.center_id, "information") is None
    assert [x.code for x in q.questions] == ["resolved", "on_time", "staff", "overall", "comment"]
    assert [x.scale for x in q.questions] == ["yes_no", "one_to_five", "one_to_five",
                                              "one_to_five", "text"]  # fmt: skip
    assert [x.code for x in q.questions if x.reopens_on_no] == ["resolved"]


def test_admin_edits_questionnaires_and_nothing_answered_is_lost(world, engine):
    w = world
    with session(engine) as s:
        with pytest.raises(PermissionDenied):  # editing questionnaires is the admin's
            feedback.create_questionnaire(s, actor=w.surveyor, code="x", name_fa="x",
                                          name_en="x")  # fmt: skip
        billing = feedback.create_questionnaire(
            s, actor=None, center_id=w.center_id, code="billing", name_fa="نظرسنجی قبض",
            name_en="Billing survey", category_groups=["billing"],
            questions=[
                QuestionInput("resolved", "آیا مشکل قبض حل شد؟", "Was the bill fixed?",
                              "yes_no", reopens_on_no=True),
                QuestionInput("clear", "توضیحات روشن بود؟ (۱ تا ۵)", "Clear? (1-5)",
                              "one_to_five"),
            ],
            now=NOW,
        )  # fmt: skip
        listed = feedback.list_questionnaires(s, actor=None, center_id=w.center_id)
        assert [q.code for q in listed] == ["billing", "default"]
        for kwargs, reason in (
            (dict(code="billing"), "duplicate_code"),
            (dict(code="Bad Code"), "bad_code"),
            (dict(code="ok", category_groups=["weather"]), "bad_groups"),
            (dict(code="ok", questions=[QuestionInput("q", "x", "x", "stars")]), "bad_scale"),
            (dict(code="ok", questions=[QuestionInput("q", "x", "x", "text", True)]),
             "not_yes_no"),
        ):  # fmt: skip
            with pytest.raises(FeedbackError) as refused:
                feedback.create_questionnaire(s, actor=None, center_id=w.center_id,
                                              name_fa="x", name_en="x", **kwargs)  # fmt: skip
            assert refused.value.reason == reason
        assert feedback.questionnaire_for(s, w.center_id, "billing").id == billing.id
    _tid, cid = accepted(w, "bill_dispute")
    done = survey(w, cid, {"resolved": 1, "clear": 5}, NOW)
    assert done.questionnaire_id == billing.id
    clear = next(q for q in billing.questions if q.code == "clear")
    with session(engine) as s:
        with pytest.raises(FeedbackError) as frozen:
            feedback.update_question(s, actor=None, question_id=clear.id, scale="text")
        assert frozen.value.reason == "has_answers"
        reworded = feedback.update_question(s, actor=None, question_id=clear.id,
                                            text_en="Was it clear? (1-5)")  # fmt: skip
        assert reworded.questions[1].text_en == "Was it clear? (1-5)"
        added = feedback.add_question(
            s, actor=None, questionnaire_id=billing.id,
            question=QuestionInput("fast", "سریع بود؟ (۱ تا ۵)", "Fast? (1-5)", "one_to_five"),
        )  # fmt: skip
        assert [q.code for q in added.questions] == ["resolved", "clear", "fast"]
        fast = added.questions[2]
        retired = feedback.retire_question(s, actor=None, question_id=clear.id)
        assert [q.code for q in retired.questions] == ["resolved", "fast"]
        assert [q.position for q in retired.questions] == [1, 2]
        assert [(q.code, q.retired, q.answers) for q in retired.retired] == [("clear", True, 1)]
        removed = feedback.retire_question(s, actor=None, question_id=fast.id)
        assert [q.code for q in removed.questions] == ["resolved"] and len(removed.retired) == 1
        reordered = feedback.add_question(
            s, actor=None, questionnaire_id=billing.id,
            question=QuestionInput("note", "نکته؟", "Remark?", "text"),
        )  # fmt: skip
        back = feedback.reorder_questions(s, actor=None, questionnaire_id=billing.id,
                                          codes=["note", "resolved"])  # fmt: skip
        assert (
            [q.code for q in back.questions]
            == ["note", "resolved"]
            != [q.code for q in reordered.questions]
        )
        off = feedback.update_questionnaire(s, actor=None, questionnaire_id=billing.id,
                                            active=False)  # fmt: skip
        assert not off.active
        assert feedback.questionnaire_for(s, w.center_id, "billing").code == "default"
        assert s.get(Answer, s.exec(select(Answer.id)).first()) is not None


# --- the electronic survey -------------------------------------------------------------------


def send(w: World, tid, at=NOW):
    with session(w.engine) as s:
        return feedback.send_electronic_survey(s, actor=w.surveyor, ticket_id=tid, now=at)


def reply(w: World, sender, body, at=NOW + timedelta(hours=1), ref=None) -> None:
    with session(w.engine) as s:
        feedback.store_reply(s, center_id=w.center_id, sender=sender, body=body,
                             provider_ref=ref, received_at=at)  # fmt: skip


def read(w: World, at=NOW + timedelta(hours=2)):
    with session(w.engine) as s:
        return feedback.read_replies(s, actor=w.surveyor, now=at)


def test_the_survey_sms_carries_a_short_code_and_the_reply_format(world):
    w = world
    tid, _cid = accepted(w)
    sent = send(w, tid)
    assert sent.queued and len(sent.sms_code) == 6 and sent.sms_code.isdigit()
    (message,) = outbox(w)
    assert message.body == sent.body and message.recipient == "09121111111"
    assert message.dedupe_key == f"survey:{sent.survey_id}:sms"
    persian_code = sent.sms_code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert persian_code in message.body and "(۱-۵)" in message.body
    assert "(۱/۰)" in sent.reply_format
    again = send(w, tid)
    assert (again.survey_id, again.sms_code, again.queued) == (sent.survey_id, sent.sms_code, False)
    assert len(outbox(w)) == 1


@pytest.mark.parametrize(
    ("text", "numbers", "comment"),
    [
        ("1 4 5 4", [1, 4, 5, 4], ""),
        ("۱ ۴ ۵ ۴", [1, 4, 5, 4], ""),
        ("١،٤،٥،٤", [1, 4, 5, 4], ""),
        ("  1,  4 -5/4  ", [1, 4, 5, 4], ""),
        ("1454", [1, 4, 5, 4], ""),
        ("بله ۴ ۵ ۴ مأمور مؤدب بود", [1, 4, 5, 4], "مأمور مؤدب بود"),
        ("خیر 2 3 1 هنوز قطع است", [0, 2, 3, 1], "هنوز قطع است"),
        ("0\u200c1\u200c1\u200c1", [0, 1, 1, 1], ""),
        ("برطرف‌شد ۱ سرعت ۴ برخورد ۵ کلی ۴", [1, 4, 5, 4], ""),
    ],
)
def test_replies_are_read_whatever_the_digits_and_separators(text, numbers, comment):
    scales = ["yes_no", "one_to_five", "one_to_five", "one_to_five", "text"]
    assert read_answers(scales, text) == (numbers, comment)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1 4 5", "bad_format"),
        ("1 4 5 4 3", "bad_format"),
        ("14543", "bad_format"),
        ("2 4 5 4", "bad_value"),
        ("1 4 9 4", "bad_value"),
        ("1 4 0 4", "bad_value"),
        ("عالی بود", "bad_format"),
        ("", "bad_format"),
    ],
)
def test_malformed_replies_say_why(text, reason):
    scales = ["yes_no", "one_to_five", "one_to_five", "one_to_five", "text"]
    with pytest.raises(feedback.replies.ReplyProblem) as problem:
        read_answers(scales, text)
    assert problem.value.reason == reason


def test_replies_are_matched_stored_and_settle_their_requests(world):
    w = world
    resolved_tid, _ = accepted(w)
    unhappy_tid, _ = accepted(w)
    sent_ok = send(w, resolved_tid)
    sent_bad = send(w, unhappy_tid)
    fa = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    reply(w, "+989121111111", f"کد {sent_ok.sms_code.translate(fa)}، ۱ ۵ ۵ ۴ ممنون", ref="p1")
    reply(w, "989121111111", f"{sent_bad.sms_code}-0-2-3-1 هنوز آب قطع است", ref="p2")
    reply(w, "09121111111", "second copy", ref="p2")  # the same provider message again
    report = read(w)
    assert report.read == 2 and report.flagged == ()
    assert report.closed == (ticket(w, resolved_tid).tracking_code,)
    assert report.reopened == (ticket(w, unhappy_tid).tracking_code,)
    closed = events(w, resolved_tid)[-1]
    assert (closed.action, closed.data["via"], closed.actor_id) == (
        "closed",
        "sms_survey",
        w.surveyor.id,
    )
    reopened = events(w, unhappy_tid)[-1]
    assert reopened.action == "reopened" and reopened.data["answers"] == {
        "resolved": 0, "on_time": 2, "staff": 3, "overall": 1, "comment": "هنوز آب قطع است",
    }  # fmt: skip
    assert ticket(w, unhappy_tid).kind == TicketKind.COMPLAINT
    with session(w.engine, write=False) as s:
        done = s.get(Survey, sent_ok.survey_id)
        values = dict(
            s.exec(select(Answer.question_id, Answer.value_int)
                   .where(Answer.survey_id == done.id)).all()
        )  # fmt: skip
        statuses = s.exec(select(InboundMessage.status, InboundMessage.survey_id)).all()
    assert done.completed_at == NOW + timedelta(hours=1) and sorted(values.values(), key=str) == [
        1, 4, 5, 5, None,
    ]  # fmt: skip
    assert sorted(st for st, _ in statuses) == ["matched", "matched"]
    assert read(w).read == 0  # nothing left to read


def test_bad_replies_wait_for_a_person_with_the_reason(world):
    w = world
    tid, _ = accepted(w)
    other_tid, _ = accepted(w, subscriber="karim", phone="09123333333")
    sent = send(w, tid)
    other = send(w, other_tid)
    code = sent.sms_code
    later = NOW + timedelta(hours=1)
    reply(w, "09121111111", f"{code} 1 4", at=later)  # bad_format
    reply(w, "09121111111", f"{code} 1 4 7 4", at=later + timedelta(seconds=1))  # bad_value
    reply(w, "09129999999", f"{other.sms_code} 1 5 5 5", at=later + timedelta(seconds=2))
    reply(w, "09121111111", "987654 1 5 5 5", at=later + timedelta(seconds=3))  # unknown_code
    reply(w, "09128888888", "سلام کی وصل میشه", at=later + timedelta(seconds=4))  # no_code
    reply(w, "09121111111", f"{code} 1 4 4 4", at=later + timedelta(seconds=5))  # matched
    reply(w, "09121111111", f"{code} 0 1 1 1", at=later + timedelta(seconds=6))  # already_done
    report = read(w)
    assert [r.status for r in report.flagged] == [
        "bad_format", "bad_value", "wrong_sender", "unknown_code", "no_code", "already_done",
    ]  # fmt: skip
    assert [r.status for r in report.matched] == ["matched"]
    assert report.flagged[0].survey_id == sent.survey_id
    assert report.flagged[3].survey_id is None
    assert ticket(w, tid).status == S.CLOSED
    with session(w.engine, write=False) as s:
        waiting = feedback.replies_for_review(s, actor=w.surveyor)
    assert len(waiting) == 6 and waiting[0].status == "already_done"
    # A person reads the wrong sender's reply (the subscriber's son) and records it.
    wrong = next(r for r in waiting if r.status == "wrong_sender")
    with session(w.engine) as s:
        recorded = feedback.answer_reply(
            s, actor=w.surveyor, message_id=wrong.id, survey_id=other.survey_id,
            answers={"resolved": 1, "on_time": 5, "staff": 5, "overall": 5}, now=later,
        )  # fmt: skip
        gone = feedback.dismiss_reply(s, actor=w.surveyor, message_id=waiting[-1].id)
        with pytest.raises(FeedbackError) as twice:
            feedback.dismiss_reply(s, actor=w.surveyor, message_id=waiting[-1].id)
    assert recorded.ticket_action == "closed" and ticket(w, other_tid).status == S.CLOSED
    assert gone.status == "reviewed" and twice.value.reason == "not_flagged"
    with session(w.engine, write=False) as s:
        assert len(feedback.replies_for_review(s, actor=w.surveyor)) == 4


def test_a_reply_without_its_code_is_matched_by_the_only_open_survey_of_that_number(world):
    w = world
    tid, _ = accepted(w)
    send(w, tid)
    reply(w, "09121111111", "۱ ۵ ۵ ۵")
    report = read(w)
    assert [r.status for r in report.matched] == ["matched"] and ticket(w, tid).status == S.CLOSED


def test_no_mobile_no_electronic_survey_and_one_survey_is_enough(world):
    w = world
    tid, _cid = accepted(w, phone="02188776655", subscriber=None)
    with pytest.raises(FeedbackError) as landline:
        send(w, tid)
    assert landline.value.reason == "no_mobile"
    tid2, cid2 = accepted(w, queued=True)
    survey(w, cid2, GOOD, NOW)
    with pytest.raises(FeedbackError) as twice:
        send(w, tid2)
    assert twice.value.reason == "already_surveyed"


def test_replies_are_read_from_the_file_gateway_once(world, tmp_path):
    w = world
    set_setting(w, "notices.gateway", {"kind": "file", "spool_dir": str(tmp_path)})
    tid, _ = accepted(w)
    sent = send(w, tid)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "r1.json").write_text(json.dumps({
        "id": "r1", "from": "09121111111", "text": f"{sent.sms_code} 1 4 4 4",
        "received_at": (NOW + timedelta(hours=1)).isoformat(),
    }), encoding="utf-8")  # fmt: skip
    (inbox / "junk.json").write_text("{not json", encoding="utf-8")
    with session(w.engine) as s:
        batch = feedback.fetch_inbox(s, w.center_id, now=NOW + timedelta(hours=2))
    feedback.archive(batch)
    assert (batch.stored, batch.seen, len(batch.bad_files)) == (1, 1, 1)
    assert (inbox / "read" / "r1.json").exists() and (inbox / "bad" / "junk.json").exists()
    (inbox / "read" / "r1.json").rename(inbox / "r1.json")  # a crash before archiving
    with session(w.engine) as s:
        assert feedback.fetch_inbox(s, w.center_id, now=NOW).stored == 0
    assert read(w).matched[0].survey_id == sent.survey_id


def test_the_result_sms_uses_the_centers_template_when_it_has_one(world):
    from db.models import NoticeTemplate

    w = world
    with session(w.engine) as s:
        s.add(NoticeTemplate(center_id=w.center_id, code="ticket_result", channel="sms",
                             name="نتیجه", body="نتیجه {tracking_code}: {result}"))  # fmt: skip
    tid, cid = accepted(w)
    attempt(w, cid, "refused", NOW)
    result = next(m for m in outbox(w) if m.dedupe_key.endswith(":result"))
    assert result.body == f"نتیجه {ticket(w, tid).tracking_code}: {ANSWER}"


# --- the command line ------------------------------------------------------------------------


def test_the_cli_lists_the_worklist_and_reads_replies(world, db_url):
    from typer.testing import CliRunner

    from console.cli import app

    w = world
    tid, _cid = accepted(w, at=NOW - timedelta(days=30))
    sent = send(w, tid, at=NOW - timedelta(days=30))
    reply(w, "09121111111", f"{sent.sms_code} 1 5 5 5", at=NOW - timedelta(days=29))
    reply(w, "09128888888", "سلام", at=NOW - timedelta(days=29))
    runner = CliRunner()
    due = runner.invoke(app, ["--lang", "en", "callbacks", "due", "--db", db_url])
    assert due.exit_code == 0, due.output
    assert "Callbacks due: 1" in due.output and ticket(w, tid).tracking_code in due.output
    read_ = runner.invoke(app, ["--lang", "en", "surveys", "read-replies", "--no-fetch",
                                "--db", db_url])  # fmt: skip
    assert read_.exit_code == 0, read_.output
    assert "Matched: 1. Waiting for a person: 1." in read_.output
    assert "no survey code" in read_.output
    assert ticket(w, tid).status == S.CLOSED
