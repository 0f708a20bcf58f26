"""Notices: SMS counting, templates and their placeholders, previews with real values, campaign
targeting and approval, the outbox, the sender (retries, back-off, leases) and a sender killed
mid-send by SIGKILL that resumes without sending twice, and the IVR/website export, on SQLite
and PostgreSQL."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from db import incidents, intake, notices
from db.accounts import PermissionDenied
from db.engine import session
from db.incidents import AreaInput
from db.models import (
    AuditEntry,
    Campaign,
    CenterSetting,
    Channel,
    IncidentEvent,
    NoticeTemplate,
    OutboxMessage,
    Subscriber,
    SubscriberPhone,
    utcnow,
)
from db.notices import NoticeError, SendResult, sms_count
from db.text import normalize, search_key

from .world import NOW, World, build_world, register

ROOT = Path(__file__).resolve().parents[2]
FA_70 = "آب" * 35


@pytest.fixture
def world(engine, center_id) -> World:
    w = build_world(engine, center_id)
    add_subscriber(w, "shb", "D1", "خیابان شیخ بهایی", ["09124444444", "03132224444"])
    add_subscriber(w, "gone", "D1", "خیابان سعدی", ["09127777777"], active=False)
    add_subscriber(w, "twophones", "D2", "خیابان نیما", ["09125555555", "09126666666"])
    with session(engine) as s:
        s.add(CenterSetting(center_id=center_id, key="notices.center_name", value="آبفا اصفهان"))
    return w


def add_subscriber(w: World, key, district, street, phones, *, active=True) -> uuid.UUID:
    with session(w.engine) as s:
        sub = Subscriber(
            center_id=w.center_id,
            subscription_no=str(30000000 + len(w.subscribers)),
            name=normalize(f"مشترک {key}"),
            name_key=search_key(f"مشترک {key}"),
            district_id=w.districts[district],
            street=street,
            street_key=search_key(street),
            active=active,
        )
        s.add(sub)
        s.flush()
        for phone in phones:
            s.add(SubscriberPhone(center_id=w.center_id, subscriber_id=sub.id, phone=phone))
        w.subscribers[key] = sub.id
    return sub.id


def set_setting(w: World, key, value):
    with session(w.engine) as s:
        row = s.get(CenterSetting, (w.center_id, key))
        if row is None:
            s.add(CenterSetting(center_id=w.center_id, key=key, value=value))
        else:
            row.value = value
            s.add(row)


def template(w: World, body, code="test", channel="sms", actor=None) -> notices.TemplateView:
    with session(w.engine) as s:
        return notices.create_template(
            s, actor=actor or w.notifier, code=code, channel=channel, name="آزمایشی", body=body,
            now=NOW,
        )  # fmt: skip


def declare(w: World, *areas, **kw) -> incidents.IncidentSummary:
    args = dict(
        kind="main_break",
        title="شکستگی خط اصلی",
        public_message="آب منطقه ۱ تا ساعت ۱۴ وصل می‌شود.",
        areas=list(areas) or [AreaInput(district_id=w.districts["D1"])],
        expected_restoration_at=NOW + timedelta(hours=4),
        started_at=NOW - timedelta(hours=1),
        now=NOW,
    )
    args.update(kw)
    with session(w.engine) as s:
        return incidents.declare_incident(s, actor=w.supervisor, **args)


def call_about(w: World, incident_id, phone, subscriber=None):
    with session(w.engine) as s:
        intake.link_to_incident(
            s, actor=w.desk, incident_id=incident_id, phone=phone,
            subscriber_id=w.subscribers[subscriber] if subscriber else None,
            category_id=None, channel=Channel.PHONE_122, started_at=NOW,
            ended_at=NOW + timedelta(minutes=1),
        )  # fmt: skip


def rows(w: World, **where) -> list[OutboxMessage]:
    with session(w.engine, write=False) as s:
        stmt = select(OutboxMessage)
        for k, v in where.items():
            stmt = stmt.where(getattr(OutboxMessage, k) == v)
        return list(s.exec(stmt.order_by(col(OutboxMessage.recipient))).all())


# -- SMS counting ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "units", "parts"),
    [
        ("", "gsm7", 0, 1),
        ("Water is back.", "gsm7", 14, 1),
        ("a" * 160, "gsm7", 160, 1),
        ("a" * 161, "gsm7", 161, 2),
        ("a" * 306, "gsm7", 306, 2),
        ("a" * 307, "gsm7", 307, 3),
        ("a" * 159 + "{", "gsm7", 161, 2),  # an extension character takes two septets
        ("a" * 159 + "é", "gsm7", 160, 1),  # é is in the basic set
        (FA_70, "ucs2", 70, 1),
        (FA_70 + "،", "ucs2", 71, 2),
        ("آ" * 134, "ucs2", 134, 2),
        ("آ" * 135, "ucs2", 135, 3),
        ("Water is back" + "!" * 56 + "ی", "ucs2", 70, 1),  # one Persian letter: all UCS-2
        ("😀" * 35, "ucs2", 70, 1),  # outside the BMP: two units each
        ("۱۲۳۴", "ucs2", 4, 1),
    ],
)
def test_sms_parts_are_counted_as_the_network_counts_them(text, encoding, units, parts):
    count = sms_count(text)
    assert (count.encoding, count.units, count.parts) == (encoding, units, parts)
    assert count.characters == len(text)
    assert count.left_in_part == count.parts * count.per_part - units


# -- templates and placeholders --------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason", "detail"),
    [
        ("{name} {foo}", "unknown_placeholder", ("foo",)),
        ("کد {0}", "bad_template", "positional"),
        ("کد {}", "bad_template", "positional"),
        ("{name.upper}", "bad_template", "expression"),
        ("{name[0]}", "bad_template", "expression"),
        ("{name!r}", "bad_template", "format"),
        ("{eta:>10}", "bad_template", "format"),
        ("کد {tracking_code", "bad_template", "unbalanced"),
        ("کد }", "bad_template", "unbalanced"),
    ],
)
def test_a_template_with_an_unknown_or_malformed_placeholder_is_refused(body, reason, detail):
    with pytest.raises(NoticeError) as error:
        notices.check_body(body)
    assert error.value.reason == reason
    assert detail in (error.value.params.get("names"), error.value.params.get("detail"))


def test_saving_a_template_checks_its_placeholders(engine, world):
    with pytest.raises(NoticeError) as error:
        template(world, "{name} گرامی، {foo}")
    assert (error.value.reason, error.value.params) == ("unknown_placeholder", {"names": ("foo",)})
    with session(engine, write=False) as s:
        assert s.exec(select(NoticeTemplate)).all() == []


def test_templates_are_written_listed_and_changed_with_a_stale_check(engine, world):
    w = world
    t = template(w, "{name} گرامی، کد رهگیری شما {tracking_code} است. {{آبفا}}")
    assert t.placeholders == ("name", "tracking_code") and t.active
    with pytest.raises(NoticeError) as error:
        template(w, "دیگری", code="test")
    assert (error.value.reason, error.value.params) == (
        "duplicate", {"code": "test", "channel": "sms"},
    )  # fmt: skip
    ivr = template(w, "حادثه در {district}", code="test", channel="ivr")
    for bad in (dict(code="Bad Code!"), dict(channel="fax")):
        with pytest.raises(NoticeError):
            template(w, "x", **bad)
    with pytest.raises(PermissionDenied):
        template(w, "x", code="desk", actor=w.desk)
    with session(engine) as s:
        changed = notices.update_template(
            s, actor=w.supervisor, template_id=t.id, expected_updated_at=t.updated_at,
            body="کد {tracking_code}", now=NOW + timedelta(minutes=1),
        )  # fmt: skip
    assert changed.placeholders == ("tracking_code",)
    with session(engine) as s, pytest.raises(NoticeError) as error:
        notices.update_template(
            s, actor=w.notifier, template_id=t.id, expected_updated_at=t.updated_at, active=False
        )
    assert error.value.reason == "stale"
    with session(engine) as s:
        notices.update_template(
            s, actor=w.notifier, template_id=t.id, expected_updated_at=changed.updated_at,
            active=False,
        )  # fmt: skip
        listed = notices.list_templates(s, actor=w.notifier)
        assert [(x.code, x.channel, x.active) for x in listed] == [
            ("test", "ivr", True), ("test", "sms", False),
        ]  # fmt: skip
        assert notices.list_templates(s, actor=w.notifier, active_only=True) == (ivr,)
        audit = s.exec(select(AuditEntry.action).where(AuditEntry.entity == "notice_template"))
        assert (
            sorted(audit.all()) == ["notice_template_added"] * 2 + ["notice_template_changed"] * 2
        )


def test_preview_fills_real_values_and_counts_the_sms(engine, world):
    w = world
    inc = declare(w)
    t = template(w, "مشترک گرامی، آب {district} تا {eta} وصل می‌شود. {center}")
    with session(engine, write=False) as s:
        p = notices.preview_template(s, actor=w.notifier, template_id=t.id, incident_id=inc.id,
                                     now=NOW)  # fmt: skip
    assert p.text == "مشترک گرامی، آب منطقه ۱ تا ۱۴:۰۰ وصل می‌شود. آبفا اصفهان"
    assert (p.encoding, p.parts, p.characters, p.warnings) == ("ucs2", 1, len(p.text), ())

    long_body = "{name} گرامی، درخواست {tracking_code} ثبت شد. " + "آ" * 150
    registered = register(w, "pipe_burst")
    with session(engine, write=False) as s:
        p = notices.preview_template(
            s, actor=w.notifier, body=long_body, channel="sms", ticket_id=registered.ticket.id,
            now=NOW,
        )  # fmt: skip
    assert p.text.startswith(f"علی رضایی گرامی، درخواست {registered.tracking_code} ثبت شد.")
    assert p.parts == 3
    assert [(x.code, x.params) for x in p.warnings] == [("too_many_parts", {"parts": 3, "max": 2})]

    with session(engine, write=False) as s:
        p = notices.preview_template(
            s, actor=w.notifier, body="{name}: {tracking_code} {eta}", channel="web",
            subscriber_id=w.subscribers["karim"], values={"eta": "فردا"}, now=NOW,
        )  # fmt: skip
    assert p.text == "کریم کاظمی: {tracking_code} فردا"
    assert p.sms is None and p.parts == 0
    assert [(x.code, x.params) for x in p.warnings] == [
        ("missing_value", {"name": "tracking_code"})
    ]


def test_preview_of_a_latin_text_says_which_characters_make_it_expensive():
    p = notices.preview_text("Water is back “soon”.", "sms", {})
    assert p.encoding == "ucs2"
    assert [(w.code, w.params) for w in p.warnings] == [("mixed_encoding", {"chars": "“”"})]
    p = notices.preview_text("{name} {nope}", "sms", {"name": "x"})
    assert [w.code for w in p.warnings] == ["unknown_placeholder"]


# -- campaigns -------------------------------------------------------------------------------


def campaign(w: World, template_id, kind, target, actor=None) -> notices.CampaignView:
    with session(w.engine) as s:
        return notices.create_campaign(
            s, actor=actor or w.notifier, name="اطلاع‌رسانی", template_id=template_id,
            target_kind=kind, target=target, now=NOW,
        )  # fmt: skip


def approve(w: World, campaign_id, actor=None, now=NOW) -> notices.CampaignView:
    with session(w.engine) as s:
        return notices.approve_campaign(
            s, actor=actor or w.notifier, campaign_id=campaign_id, now=now
        )


def test_campaign_to_districts_reaches_active_subscribers_mobiles_once(engine, world):
    w = world
    t = template(w, "{name} گرامی، آب {district} فردا قطع است. {center}")
    c = campaign(w, t.id, "districts", {"district_ids": [str(w.districts["D1"])]})
    assert c.status == "draft" and c.recipient_count == 2  # ali, shb (not gone, no landline)
    with session(engine, write=False) as s:
        p = notices.preview_campaign(s, actor=w.notifier, campaign_id=c.id, now=NOW)
    assert p.recipients == 2 and p.total_parts == 2 and p.missing == {}
    assert p.sample.text == "علی رضایی گرامی، آب منطقه ۱ فردا قطع است. آبفا اصفهان"
    approved = approve(w, c.id)
    assert approved.status == "approved" and approved.recipient_count == 2
    assert approved.approved_by_name == "Nima"
    messages = rows(w, campaign_id=c.id)
    assert [m.recipient for m in messages] == ["09121111111", "09124444444"]
    assert messages[1].body == "مشترک shb گرامی، آب منطقه ۱ فردا قطع است. آبفا اصفهان"
    assert {m.dedupe_key for m in messages} == {f"campaign:{c.id}:{m.recipient}" for m in messages}

    # Frozen: a subscriber who moves in later is not messaged, and nobody twice.
    add_subscriber(w, "new", "D1", "خیابان سعدی", ["09120000001"])
    with pytest.raises(NoticeError) as error:
        approve(w, c.id, actor=w.supervisor)
    assert error.value.reason == "not_draft"
    assert len(rows(w, campaign_id=c.id)) == 2
    with session(engine, write=False) as s:
        frozen = notices.preview_campaign(s, actor=w.notifier, campaign_id=c.id, now=NOW)
    assert frozen.recipients == 2 and frozen.sample.text == messages[0].body


def test_campaign_to_an_incidents_area_and_its_callers(engine, world):
    w = world
    inc = declare(w, AreaInput(street="خیابان نیما"))
    call_about(w, inc.id, "09129999999")
    call_about(w, inc.id, "09129999999")
    call_about(w, inc.id, "03132221111", subscriber="ali")
    t = template(w, "{name} گرامی، آب {district} تا {eta} وصل می‌شود.")
    area = campaign(w, t.id, "incident_area", {"incident_id": str(inc.id)})
    callers = campaign(w, t.id, "incident_callers", {"incident_id": str(inc.id)})
    assert (area.recipient_count, callers.recipient_count) == (2, 1)
    approve(w, area.id)
    approve(w, callers.id)
    assert [m.recipient for m in rows(w, campaign_id=area.id)] == ["09125555555", "09126666666"]
    [caller] = rows(w, campaign_id=callers.id)
    assert caller.body == "مشترک گرامی، آب خیابان نیما تا ۱۴:۰۰ وصل می‌شود."
    assert caller.incident_id == inc.id
    with session(engine, write=False) as s:
        events = s.exec(select(IncidentEvent).where(IncidentEvent.incident_id == inc.id)).all()
        version = incidents.list_incidents(s, actor=w.desk).items[0].version
    assert [e.action for e in events].count("campaign_approved") == 2
    assert version == 1  # a notice sent never makes the supervisor's edit stale


def test_campaign_to_open_requests_tells_each_caller_their_tracking_code(engine, world):
    w = world
    first = register(w, "pipe_burst")
    second = register(w, "pipe_burst", subscriber="karim", phone="03132223333")  # karim's mobile
    register(w, "bill_dispute", subscriber="karim", phone="09123333333")  # other category
    t = template(w, "{name} گرامی، درخواست {tracking_code} در دست اقدام است.")
    c = campaign(w, t.id, "open_requests_in_category", {"category_id": w.categories["pipe_burst"]})
    assert c.recipient_count == 2
    approve(w, c.id)
    bodies = {m.recipient: m.body for m in rows(w, campaign_id=c.id)}
    assert bodies == {
        "09121111111": f"علی رضایی گرامی، درخواست {first.tracking_code} در دست اقدام است.",
        "09123333333": f"علی رضایی گرامی، درخواست {second.tracking_code} در دست اقدام است.",
    }
    assert {m.ticket_id for m in rows(w, campaign_id=c.id)} == {first.ticket.id, second.ticket.id}


def test_a_big_campaign_needs_a_supervisor(engine, world):
    w = world
    set_setting(w, "notices.approval_threshold", 2)
    t = template(w, "آب {district} قطع است.")
    c = campaign(w, t.id, "districts", {"district_ids": list(w.districts.values())})
    assert c.recipient_count == 5
    with session(engine, write=False) as s:
        p = notices.preview_campaign(s, actor=w.notifier, campaign_id=c.id, now=NOW)
    assert p.needs_supervisor and p.threshold == 2
    with pytest.raises(NoticeError) as error:
        approve(w, c.id)
    assert (error.value.reason, error.value.params) == (
        "needs_supervisor", {"recipients": 5, "threshold": 2},
    )  # fmt: skip
    assert rows(w) == []
    assert approve(w, c.id, actor=w.supervisor).recipient_count == 5
    with session(engine, write=False) as s:
        audit = s.exec(select(AuditEntry).where(AuditEntry.action == "campaign_approved")).one()
    assert audit.actor_id == w.supervisor.id and audit.detail == "recipients 5"


def test_a_campaign_whose_text_would_have_holes_is_not_approved(engine, world):
    w = world
    t = template(w, "مشترک گرامی، آب از ساعت {start} تا {eta} قطع است.")
    c = campaign(w, t.id, "districts", {"district_ids": [w.districts["D2"]]})
    with session(engine, write=False) as s:
        p = notices.preview_campaign(s, actor=w.notifier, campaign_id=c.id, now=NOW)
    assert p.missing == {"start": 3, "eta": 3}
    assert "{start}" in p.sample.text
    with pytest.raises(NoticeError) as error:
        approve(w, c.id)
    assert error.value.params == {"names": ("eta", "start"), "recipients": 3}
    typed = campaign(
        w, t.id, "districts",
        {"district_ids": [w.districts["D2"]], "values": {"start": "۸:۰۰", "eta": "۱۴:۰۰"}},
    )  # fmt: skip
    approve(w, typed.id)
    assert {m.body for m in rows(w, campaign_id=typed.id)} == {
        "مشترک گرامی، آب از ساعت ۸:۰۰ تا ۱۴:۰۰ قطع است."
    }


def test_bad_targets_are_refused(engine, world):
    t = template(world, "آب قطع است.")
    d1 = str(world.districts["D1"])
    for kind, target, reason in (
        ("everyone", {}, "bad_target"),
        ("districts", {"district_ids": []}, "bad_target"),
        ("districts", {"district_ids": [str(uuid.uuid4())]}, "bad_target_ref"),
        ("districts", {"district_ids": ["D1"]}, "bad_target_ref"),
        ("incident_callers", {"incident_id": "nope"}, "bad_target_ref"),
        ("open_requests_in_category", {"category_id": str(uuid.uuid4())}, "bad_target_ref"),
        ("districts", {"district_ids": [d1], "values": {"foo": "x"}}, "bad_value"),
        ("districts", {"district_ids": [d1], "values": {"eta": 5}}, "bad_value"),
    ):
        with pytest.raises(NoticeError) as error:
            campaign(world, t.id, kind, target)
        assert error.value.reason == reason, (kind, target)


def test_only_an_active_sms_template_makes_a_campaign(engine, world):
    w = world
    ivr = template(w, "آب قطع است.", channel="ivr")
    with pytest.raises(NoticeError) as error:
        campaign(w, ivr.id, "districts", {"district_ids": [w.districts["D1"]]})
    assert error.value.reason == "not_sms"


def test_cancelling_fails_what_was_not_handed_over(engine, world):
    w = world
    t = template(w, "آب {district} قطع است.")
    c = campaign(w, t.id, "districts", {"district_ids": [w.districts["D1"]]})
    approve(w, c.id)
    with session(engine) as s:
        claimed = notices.claim_next(s, w.center_id, now=NOW, lease_seconds=60, max_attempts=5)
    with session(engine) as s:
        cancelled = notices.cancel_campaign(s, actor=w.notifier, campaign_id=c.id, now=NOW)
    assert cancelled.status == "cancelled"
    statuses = {m.id: (m.status, m.last_error) for m in rows(w, campaign_id=c.id)}
    assert statuses.pop(claimed.id) == ("sending", "")
    assert list(statuses.values()) == [("failed", "cancelled")]
    with session(engine) as s, pytest.raises(NoticeError):
        notices.cancel_campaign(s, actor=w.notifier, campaign_id=c.id, now=NOW)


# -- the outbox and the sender ---------------------------------------------------------------


class ScriptedGateway:
    """A provider whose answers are scripted, remembering every key it was given."""

    kind = "scripted"

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)
        self.keys: list[str] = []
        self.delivered: dict[str, str] = {}
        self.report_answers: dict[str, str] = {}

    def send(self, message):
        self.keys.append(message.key)
        outcome = self.outcomes.pop(0) if self.outcomes else "accepted"
        if outcome == "boom":
            raise RuntimeError("provider library crashed")
        if outcome == "accepted":
            duplicate = message.key in self.delivered
            self.delivered[message.key] = message.body
            return SendResult("accepted", f"P-{message.key[:8]}", duplicate=duplicate)
        return SendResult(outcome, error=f"{outcome} by script")

    def reports(self, keys):
        return [
            notices.DeliveryReport(k, self.report_answers[k], "no such number")
            for k in keys
            if k in self.report_answers
        ]


def queue(w: World, *phones, now=NOW) -> list[uuid.UUID]:
    with session(w.engine) as s:
        notices.queue_messages(
            s, w.center_id,
            [notices.NewMessage(p, f"پیام به {p}", f"test:{p}") for p in phones], now=now,
        )  # fmt: skip
    return [m.id for m in sorted(rows(w), key=lambda m: m.recipient)]


def test_queuing_the_same_message_twice_adds_nothing(engine, world):
    queue(world, "09121111111", "09122222222")
    with session(engine) as s:
        again = notices.queue_messages(
            s, world.center_id,
            [notices.NewMessage("09121111111", "x", "test:09121111111"),
             notices.NewMessage("09123333333", "y", "test:09123333333")], now=NOW,
        )  # fmt: skip
    assert again == 1 and len(rows(world)) == 3


def test_the_sender_retries_with_back_off_then_fails_with_the_reason(engine, world):
    w = world
    set_setting(w, "notices.retry", {"max_attempts": 3, "backoff_seconds": [60, 300]})
    ids = queue(w, "09121111111", "09122222222", "09123333333", "09124444444")
    gw = ScriptedGateway("accepted", "retry", "rejected", "boom")
    report = notices.send_outbox(engine, gateway=gw, now=NOW)
    assert (report.claimed, report.sent, report.retried, report.failed) == (4, 1, 2, 1)
    by_id = {m.id: m for m in rows(w)}
    in_order = sorted(ids, key=lambda i: gw.keys.index(str(i)))
    sent, retried, rejected, crashed = (by_id[i] for i in in_order)
    assert (sent.status, sent.provider_ref, sent.sent_at) == (
        "sent", f"P-{str(sent.id)[:8]}", NOW,
    )  # fmt: skip
    assert (retried.status, retried.attempts, retried.next_attempt_at) == (
        "queued", 1, NOW + timedelta(seconds=60),
    )  # fmt: skip
    assert (rejected.status, rejected.last_error) == ("failed", "rejected by script")
    assert crashed.status == "queued" and "provider library crashed" in crashed.last_error

    # Not due yet: nothing sent. Due: resent with the same key.
    assert notices.send_outbox(engine, gateway=gw, now=NOW + timedelta(seconds=30)).claimed == 0
    gw.outcomes = ["retry", "retry"]
    notices.send_outbox(engine, gateway=gw, now=NOW + timedelta(seconds=61))
    assert {m.next_attempt_at for m in rows(w, status="queued")} == {NOW + timedelta(seconds=361)}
    gw.outcomes = ["retry", "accepted"]
    report = notices.send_outbox(engine, gateway=gw, now=NOW + timedelta(seconds=400))
    assert (report.sent, report.failed) == (1, 1)
    assert gw.keys.count(str(retried.id)) == 3
    final = {m.id: m for m in rows(w)}
    assert {final[retried.id].status, final[crashed.id].status} == {"sent", "failed"}
    assert {final[i].attempts for i in (retried.id, crashed.id)} == {3}


def test_a_lease_keeps_other_senders_off_and_a_lost_lease_records_nothing(engine, world):
    w = world
    [message_id] = queue(w, "09121111111")
    with session(engine) as s:
        first = notices.claim_next(s, w.center_id, now=NOW, lease_seconds=60, max_attempts=5)
    assert first.attempt == 1 and first.lease_until == NOW + timedelta(seconds=60)
    with session(engine) as s:
        assert notices.claim_next(s, w.center_id, now=NOW, lease_seconds=60, max_attempts=5) is None
    later = NOW + timedelta(seconds=61)
    with session(engine) as s:
        second = notices.claim_next(s, w.center_id, now=later, lease_seconds=60, max_attempts=5)
    assert (second.id, second.attempt) == (message_id, 2)
    policy = notices.RetryPolicy()
    with session(engine) as s:
        lost = notices.record_result(
            s, first, SendResult("accepted", "OLD"), now=later, retry=policy
        )
        won = notices.record_result(
            s, second, SendResult("accepted", "NEW"), now=later, retry=policy
        )
    assert (lost, won) == ("lost", "sent")
    assert rows(w)[0].provider_ref == "NEW"


def test_a_message_that_keeps_killing_its_sender_fails_as_interrupted(engine, world):
    w = world
    set_setting(w, "notices.retry", {"max_attempts": 2, "backoff_seconds": [1]})
    queue(w, "09121111111")
    for k in range(3):
        with session(engine) as s:
            claimed = notices.claim_next(
                s, w.center_id, now=NOW + timedelta(minutes=10 * k), lease_seconds=60,
                max_attempts=2,
            )  # fmt: skip
        assert claimed.attempt == k + 1  # the sender "dies" holding it
    report = notices.send_outbox(engine, gateway=ScriptedGateway(), now=NOW + timedelta(hours=1))
    assert report.interrupted == 1 and report.claimed == 0
    [message] = rows(w)
    assert (message.status, message.last_error) == ("failed", "interrupted")


def test_delivery_reports_are_read_back_and_campaigns_settle(engine, world):
    w = world
    t = template(w, "آب {district} وصل شد.")
    c = campaign(w, t.id, "districts", {"district_ids": [w.districts["D1"]]})
    approve(w, c.id)
    gw = ScriptedGateway()
    report = notices.send_outbox(engine, gateway=gw, now=NOW, limit=1)
    assert report.claimed == 1
    with session(engine, write=False) as s:
        assert s.get(Campaign, c.id).status == "sending"
    notices.send_outbox(engine, gateway=gw, now=NOW)
    first, second = gw.keys
    gw.report_answers = {first: "delivered", second: "failed"}
    report = notices.send_outbox(engine, gateway=gw, now=NOW + timedelta(minutes=5))
    assert (report.delivered, report.delivery_failed) == (1, 1)
    with session(engine, write=False) as s:
        progress = notices.campaign_progress(s, actor=w.notifier, campaign_id=c.id)
    assert progress.campaign.status == "done"
    assert (progress.counts.delivered, progress.counts.failed, progress.counts.total) == (1, 1, 2)
    failed = next(m for m in rows(w) if m.status == "failed")
    assert failed.last_error == "no such number" and str(failed.id) == second

    with session(engine) as s:
        again = notices.retry_message(s, actor=w.notifier, message_id=failed.id, now=NOW)
        assert (again.status, again.attempts) == ("queued", 0)
        with pytest.raises(NoticeError) as error:
            notices.retry_message(s, actor=w.notifier, message_id=failed.id, now=NOW)
        assert error.value.reason == "not_failed"


def test_the_outbox_page_filters_and_continues(engine, world):
    w = world
    for k in range(7):
        queue(w, f"0912000000{k}", now=NOW + timedelta(seconds=k))
    with session(engine) as s:
        notices.claim_next(s, w.center_id, now=NOW + timedelta(minutes=1), lease_seconds=60,
                           max_attempts=5)  # fmt: skip
    with session(engine, write=False) as s:
        page = notices.list_outbox(s, actor=w.notifier, limit=3)
        assert [m.recipient for m in page.items] == ["09120000006", "09120000005", "09120000004"]
        page2 = notices.list_outbox(s, actor=w.notifier, limit=3, before=page.next_before)
        page3 = notices.list_outbox(s, actor=w.notifier, limit=3, before=page2.next_before)
        assert [m.recipient for m in page3.items] == ["09120000000"]
        assert page3.next_before is None
        sending = notices.list_outbox(s, actor=w.notifier, status="sending")
        assert [m.recipient for m in sending.items] == ["09120000000"]
        by_phone = notices.list_outbox(s, actor=w.notifier, recipient="۰۹۱۲۰۰۰۰۰۰۳")
        assert [m.recipient for m in by_phone.items] == ["09120000003"]
        counts = notices.outbox_counts(s, actor=w.notifier)
        assert (counts.queued, counts.sending, counts.total) == (6, 1, 7)
        with pytest.raises(PermissionDenied):
            notices.list_outbox(s, actor=w.desk)


# -- a sender killed mid-send ----------------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from db.engine import make_engine
    from db.notices import FileGateway, send_outbox

    url, spool, marker = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])

    class SlowFileGateway(FileGateway):
        def send(self, message):
            result = super().send(message)  # the provider has it...
            marker.write_text(message.key)
            time.sleep(120)  # ...and the sender dies before writing that down
            return result

    send_outbox(make_engine(url), gateway=SlowFileGateway(spool))
    """
)


def test_a_sender_killed_after_handing_over_resumes_without_sending_twice(
    engine, db_url, world, tmp_path
):
    w = world
    spool = tmp_path / "spool"
    set_setting(w, "notices.gateway", {"kind": "file", "spool_dir": str(spool)})
    set_setting(w, "notices.lease_seconds", 30)
    queue(w, "09121111111", "09122222222", now=utcnow() - timedelta(seconds=5))
    script, marker = tmp_path / "child.py", tmp_path / "handed-over"
    script.write_text(CHILD)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = subprocess.Popen(
        [sys.executable, str(script), db_url, str(spool), str(marker)], cwd=ROOT, env=env
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, "the sender died before sending"
            assert time.monotonic() < deadline, "the sender never sent"
            time.sleep(0.05)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL
    key = marker.read_text()
    held = {str(m.id): m for m in rows(w)}[key]
    assert (held.status, held.attempts) == ("sending", 1)
    assert [p.name for p in spool.glob("*.json")] == [f"{key}.json"]

    # Another sender at once: the lease keeps it off the held message; the other one goes.
    report = notices.send_outbox(engine)
    assert (report.claimed, report.sent, report.duplicates) == (1, 1, 0)
    assert {str(m.id): m.status for m in rows(w)}[key] == "sending"

    # After the lease: resent with the same key, which the spool already has.
    report = notices.send_outbox(engine, now=utcnow() + timedelta(seconds=31))
    assert (report.claimed, report.sent, report.duplicates) == (1, 1, 1)
    messages = rows(w)
    assert {m.status for m in messages} == {"sent"}
    assert sorted(m.attempts for m in messages) == [1, 2]
    files = sorted(spool.glob("*.json"))
    assert sorted(p.stem for p in files) == sorted(str(m.id) for m in messages)
    written = json.loads((spool / f"{key}.json").read_text(encoding="utf-8"))
    assert written["id"] == key and written["text"] == held.body
    assert not list(spool.glob(".*.tmp"))


# -- IVR and website texts -------------------------------------------------------------------


def test_export_writes_the_active_incidents_texts(engine, world, tmp_path):
    w = world
    template(w, "آب {district} قطع است و تا {eta} وصل می‌شود.", code="incident_cutoff",
             channel="ivr")  # fmt: skip
    declare(w)  # main break: the incident_cutoff template
    no_eta = declare(w, AreaInput(street="خیابان نیما"), expected_restoration_at=None,
                     started_at=NOW - timedelta(minutes=30))  # fmt: skip
    pressure = declare(w, kind="low_pressure", public_message="افت فشار در منطقه ۲.",
                       started_at=NOW - timedelta(minutes=10))  # fmt: skip
    with session(engine, write=False) as s:
        ivr = notices.current_texts(s, actor=None, center_id=w.center_id, channel="ivr", now=NOW)
        web = notices.current_texts(s, actor=w.notifier, channel="web", now=NOW)
        with pytest.raises(NoticeError):
            notices.current_texts(s, actor=w.notifier, channel="sms")
    assert [t.text for t in ivr] == [
        "آب منطقه ۱ قطع است و تا ۱۴:۰۰ وصل می‌شود.",
        no_eta.public_message,  # the template would leave {eta} empty
        pressure.public_message,  # no template for low pressure
    ]
    assert [t.template_code for t in ivr] == ["incident_cutoff", "", ""]
    assert [t.text for t in web] == [
        "آب منطقه ۱ تا ساعت ۱۴ وصل می‌شود.", no_eta.public_message, pressure.public_message,
    ]  # fmt: skip
    path = notices.write_texts(tmp_path / "out" / "ivr.txt", ivr)
    assert path.read_text(encoding="utf-8") == "\n\n".join(t.text for t in ivr) + "\n"
    path = notices.write_texts(tmp_path / "web.json", web, as_json=True)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert [d["incident_id"] for d in data] == [str(t.incident_id) for t in web]
    assert data[0]["expected_restoration_at"] == (NOW + timedelta(hours=4)).isoformat()
    assert notices.write_texts(tmp_path / "empty.txt", ()).read_text() == ""


def test_demo_like_outbox_rows_without_a_due_time_are_still_sent(engine, world):
    w = world
    queue(w, "09121111111")
    with session(engine) as s:
        s.execute(sa.update(OutboxMessage.__table__).values(next_attempt_at=None))
    assert notices.send_outbox(engine, gateway=ScriptedGateway(), now=NOW).sent == 1


def test_settings_fall_back_to_defaults(engine, world):
    w = world
    set_setting(w, "notices.retry", {"max_attempts": "lots", "backoff_seconds": [1, -5]})
    set_setting(w, "notices.approval_threshold", True)
    with session(engine, write=False) as s:
        settings = notices.load_notice_settings(s, w.center_id)
    assert settings.retry == notices.RetryPolicy()
    assert settings.approval_threshold == 500 and settings.gateway.kind == "file"
    assert settings.center_name == "آبفا اصفهان"
    assert settings.retry.delay(1) == 60 and settings.retry.delay(99) == 3600
