"""Incidents: the area and its Persian street names, the life of an incident (declare, move the
restoration time, close), what closing owes the callers, the list and the detail, and the
suggestion to declare one, on SQLite and PostgreSQL."""

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from db import incidents, intake
from db.accounts import PermissionDenied
from db.engine import session
from db.incidents import AreaInput, IncidentError
from db.models import (
    AuditEntry,
    Callback,
    CallOutcome,
    CenterSetting,
    Channel,
    District,
    Incident,
    IncidentEvent,
    NoticeTemplate,
    OutboxMessage,
    Subscriber,
    SubscriberPhone,
)
from db.text import normalize, search_key

from .world import NOW, World, add_center, build_world, teh


@pytest.fixture
def world(engine, center_id) -> World:
    w = build_world(engine, center_id)
    # More people: a street typed every way the billing data types it.
    for key, district, street, phones in (
        ("shb1", "D1", "خیابان شيخ‌بهايي", ["09124444444"]),  # Arabic yeh, ZWNJ
        ("shb2", "D2", "خیابان  شیخ بهایی", ["09125555555", "03132225555"]),  # double space
        ("nima", "D2", "خیابان نیما", ["09126666666"]),
        ("gone", "D1", "خیابان سعدی", ["09127777777"]),  # closed account
    ):
        add_subscriber(w, key, district, street, phones, active=key != "gone")
    return w


def add_subscriber(w: World, key, district, street, phones, *, active=True) -> uuid.UUID:
    with session(w.engine) as s:
        sub = Subscriber(
            center_id=w.center_id,
            subscription_no=str(20000000 + len(w.subscribers)),
            name=normalize(f"مشترک {key}"),
            name_key=search_key(f"مشترک {key}"),
            district_id=w.districts[district],
            street=normalize(street),
            street_key=search_key(street),
            address=street,
            active=active,
        )
        s.add(sub)
        s.flush()
        for phone in phones:
            s.add(SubscriberPhone(center_id=w.center_id, subscriber_id=sub.id, phone=phone))
        w.subscribers[key] = sub.id
    return sub.id


def declare(w: World, *areas: AreaInput, actor=None, **kw) -> incidents.IncidentSummary:
    args = dict(
        kind="main_break",
        title="شکستگی خط اصلی خیابان سعدی",
        public_message="آب تا ساعت ۱۴ وصل می‌شود. اکیپ در محل است.",
        areas=list(areas) or [AreaInput(district_id=w.districts["D1"])],
        expected_restoration_at=NOW + timedelta(hours=4),
        started_at=NOW - timedelta(hours=1),
        unit_id=w.units["water_ops"],
        now=NOW,
    )
    args.update(kw)
    with session(w.engine) as s:
        return incidents.declare_incident(s, actor=actor or w.supervisor, **args)


def call_about(w: World, incident_id, phone, *, at=NOW, subscriber=None, wants_callback=False):
    with session(w.engine) as s:
        return intake.link_to_incident(
            s,
            actor=w.desk,
            incident_id=incident_id,
            phone=phone,
            subscriber_id=w.subscribers[subscriber] if subscriber else None,
            category_id=w.categories["pipe_burst"],
            channel=Channel.PHONE_122,
            started_at=at,
            ended_at=at + timedelta(minutes=1),
            wants_callback=wants_callback,
        )


def card_incidents(w: World, query: str) -> dict[uuid.UUID, tuple]:
    with session(w.engine, write=False) as s:
        card = intake.lookup_caller(s, actor=w.desk, query=query, now=NOW)
    return {i.id: i.subscriber_ids for i in card.incidents}


def outbox(w: World, incident_id) -> list[OutboxMessage]:
    with session(w.engine, write=False) as s:
        stmt = select(OutboxMessage).where(OutboxMessage.incident_id == incident_id)
        return list(s.exec(stmt.order_by(col(OutboxMessage.recipient))).all())


# -- the area --------------------------------------------------------------------------------


def test_street_typed_with_arabic_letters_and_zwnj_matches_every_spelling(engine, world):
    w = world
    inc = declare(w, AreaInput(street="خيابان شیخ‌بهایی"))  # Arabic yeh, ZWNJ
    assert card_incidents(w, "09124444444") == {inc.id: (w.subscribers["shb1"],)}
    assert card_incidents(w, "09125555555") == {inc.id: (w.subscribers["shb2"],)}
    # Another street of the same districts is not in it.
    assert card_incidents(w, "09126666666") == {}
    assert incidents.street_key("خیابان  شيخ بهايي") == incidents.street_key("خیابان شیخ‌بهایی")


def test_street_within_a_district_covers_only_that_district(engine, world):
    w = world
    inc = declare(w, AreaInput(district_id=w.districts["D2"], street="خیابان سعدی"))
    assert card_incidents(w, "09123333333") == {inc.id: (w.subscribers["karim"],)}
    assert card_incidents(w, "09121111111") == {}  # the same street name in D1
    detail = incident_detail(w, inc.id)
    assert [(a.district_name_fa, a.street) for a in detail.areas] == [("منطقه ۲", "خیابان سعدی")]
    assert detail.incident.area_fa == "خیابان سعدی (منطقه ۲)"


def test_whole_district_and_a_street_elsewhere(engine, world):
    w = world
    inc = declare(
        w, AreaInput(district_id=w.districts["D1"]), AreaInput(street="خیابان نیما"),
        AreaInput(district_id=w.districts["D1"]),  # given twice: kept once
    )  # fmt: skip
    assert set(card_incidents(w, "09121111111")) == {inc.id}
    assert set(card_incidents(w, "09126666666")) == {inc.id}
    assert card_incidents(w, "09123333333") == {}
    assert len(incident_detail(w, inc.id).areas) == 2
    assert inc.area_fa == "منطقه ۱، خیابان نیما"
    assert inc.area_en == "District 1, خیابان نیما"


def test_covers_is_the_one_definition():
    d1, d2 = uuid.uuid4(), uuid.uuid4()

    class Part:
        def __init__(self, district_id, key):
            self.district_id, self.street_key = district_id, key

    key = search_key("کوچه بهار")
    assert incidents.covers(Part(d1, ""), d1, "")
    assert not incidents.covers(Part(d1, ""), d2, key)
    assert incidents.covers(Part(None, key), d2, key)
    assert incidents.covers(Part(d1, key), d1, key)
    assert not incidents.covers(Part(d1, key), d2, key)
    assert not incidents.covers(Part(None, ""), None, "")


# -- declaring -------------------------------------------------------------------------------


def test_declaring_is_for_supervisors_and_information_officers(engine, world):
    w = world
    with pytest.raises(PermissionDenied):
        declare(w, actor=w.desk)
    inc = declare(w, actor=w.notifier)
    assert inc.declared_by_name == "Nima" and inc.version == 1 and inc.active
    with session(engine, write=False) as s:
        audit = s.exec(select(AuditEntry).where(AuditEntry.action == "incident_declared")).all()
        event = s.exec(select(IncidentEvent).where(IncidentEvent.incident_id == inc.id)).one()
    assert [a.entity_id for a in audit] == [str(inc.id)]
    assert event.action == "declared"
    assert event.data["eta"] == (NOW + timedelta(hours=4)).isoformat()


def test_declaring_refuses_bad_input_and_writes_nothing(engine, world):
    for change, reason in (
        (dict(kind="flood"), "bad_kind"),
        (dict(title="  "), "required"),
        (dict(public_message=""), "required"),
        (dict(areas=[]), "no_area"),
        (dict(areas=[AreaInput()]), "bad_area"),
        (dict(areas=[AreaInput(street="\u200c ")]), "bad_area"),
        (dict(areas=[AreaInput(district_id=uuid.uuid4())]), "district_not_found"),
        (dict(expected_restoration_at=NOW - timedelta(hours=2)), "eta_before_start"),
        (dict(expected_restoration_at=NOW.replace(tzinfo=None)), "naive_time"),
        (dict(unit_id=uuid.uuid4()), "unit_not_found"),
        (dict(title="x" * 201), "too_long"),
    ):
        with pytest.raises(IncidentError) as error:
            declare(world, **change)
        assert error.value.reason == reason, change
    with session(engine, write=False) as s:
        assert s.exec(select(sa.func.count()).select_from(Incident)).one() == 0


def test_a_district_of_another_center_is_not_in_the_area(engine, world):
    other = add_center(engine, "KSH", 132)
    with session(engine) as s:
        district = District(center_id=other, code="K1", name_fa="کاشان ۱", name_en="K1")
        s.add(district)
    with pytest.raises(IncidentError) as error:
        declare(world, AreaInput(district_id=district.id))
    assert error.value.reason == "district_not_found"


def test_a_planned_cut_off_may_be_announced_before_it_starts(engine, world):
    w = world
    inc = declare(
        w, kind="planned_cutoff", started_at=NOW + timedelta(days=2),
        expected_restoration_at=NOW + timedelta(days=2, hours=6),
    )  # fmt: skip
    assert inc.started_at == NOW + timedelta(days=2)
    assert set(card_incidents(w, "09121111111")) == {inc.id}


# -- updating --------------------------------------------------------------------------------


def update(w: World, incident_id, version, actor=None, **kw):
    with session(w.engine) as s:
        return incidents.update_incident(
            s, actor=actor or w.supervisor, incident_id=incident_id, expected_version=version,
            now=kw.pop("now", NOW + timedelta(minutes=30)), **kw,
        )  # fmt: skip


def test_every_change_of_the_restoration_time_is_kept(engine, world):
    w = world
    inc = declare(w)
    first_eta = inc.expected_restoration_at
    later = NOW + timedelta(hours=6)
    inc2 = update(w, inc.id, 1, expected_restoration_at=later, note="قطعه لوله نرسیده")
    assert (inc2.version, inc2.expected_restoration_at) == (2, later)
    inc3 = update(
        w, inc.id, 2, actor=w.notifier, expected_restoration_at=None,
        public_message="زمان وصل هنوز معلوم نیست.",
    )  # fmt: skip
    assert inc3.version == 4 and inc3.expected_restoration_at is None
    detail = incident_detail(w, inc.id)
    assert [e.action for e in detail.events] == [
        "declared", "eta_changed", "eta_changed", "message_changed",
    ]  # fmt: skip
    eta1, eta2 = detail.events[1], detail.events[2]
    assert eta1.data == {"from": first_eta.isoformat(), "to": later.isoformat()}
    assert eta1.note == "قطعه لوله نرسیده" and eta1.actor_name == "Reza"
    assert eta2.data == {"from": later.isoformat(), "to": None}
    assert detail.events[3].data["from"] == inc.public_message
    assert detail.incident.public_message == "زمان وصل هنوز معلوم نیست."


def test_two_people_moving_the_time_at_once_one_is_told_who_was_first(engine, world):
    w = world
    inc = declare(w)
    update(w, inc.id, 1, expected_restoration_at=NOW + timedelta(hours=5))
    with pytest.raises(IncidentError) as error:
        update(w, inc.id, 1, actor=w.notifier, expected_restoration_at=NOW + timedelta(hours=9))
    assert error.value.reason == "stale"
    assert error.value.params["changed_by"] == "Reza"
    assert error.value.params["action"] == "eta_changed"
    assert error.value.params["version"] == 2
    assert incident_detail(w, inc.id).incident.expected_restoration_at == NOW + timedelta(hours=5)


def test_update_area_title_unit_and_nothing_changed(engine, world):
    w = world
    inc = declare(w)
    with pytest.raises(IncidentError) as error:
        update(w, inc.id, 1, title=inc.title, areas=[AreaInput(district_id=w.districts["D1"])])
    assert error.value.reason == "nothing_changed"
    changed = update(
        w, inc.id, 1, areas=[AreaInput(district_id=w.districts["D2"])], title="شکستگی منطقه ۲",
        unit_id=None,
    )  # fmt: skip
    assert changed.version == 4 and changed.area_fa == "منطقه ۲" and changed.unit_id is None
    assert set(card_incidents(w, "09123333333")) == {inc.id}
    assert card_incidents(w, "09121111111") == {}
    actions = [e.action for e in incident_detail(w, inc.id).events]
    assert actions == ["declared", "title_changed", "unit_changed", "area_changed"]


# -- closing ---------------------------------------------------------------------------------


def close(w: World, incident_id, version, actor=None, **kw) -> incidents.CloseReport:
    with session(w.engine) as s:
        return incidents.close_incident(
            s, actor=actor or w.supervisor, incident_id=incident_id, expected_version=version,
            now=kw.pop("now", NOW + timedelta(hours=3)), **kw,
        )  # fmt: skip


def test_closing_tells_everyone_who_called_once_and_calls_back_who_asked(engine, world):
    w = world
    inc = declare(w)
    call_about(w, inc.id, "09121111111", subscriber="ali", wants_callback=True)
    call_about(w, inc.id, "09121111111", at=NOW + timedelta(minutes=5))  # again, same number
    call_about(w, inc.id, "09129999999")  # a passer-by, no account
    call_about(w, inc.id, "03132221111", subscriber="ali", wants_callback=True)  # a landline
    call_about(w, inc.id, None)  # number withheld
    report = close(w, inc.id, 1, note="لوله تعویض شد")
    assert (report.notices_queued, report.callbacks_created) == (2, 2)
    assert report.incident.status == "closed" and report.incident.version == 2
    assert report.incident.closed_at == NOW + timedelta(hours=3)

    messages = outbox(w, inc.id)
    assert [m.recipient for m in messages] == ["09121111111", "09129999999"]
    assert {m.dedupe_key for m in messages} == {
        f"incident:{inc.id}:restored:09121111111", f"incident:{inc.id}:restored:09129999999",
    }  # fmt: skip
    assert all(m.status == "queued" and "منطقه ۱" in m.body for m in messages)
    assert "وصل شد" in messages[0].body
    with session(engine, write=False) as s:
        callbacks = s.exec(select(Callback).where(Callback.incident_id == inc.id)).all()
        audit = s.exec(select(AuditEntry.action).where(AuditEntry.entity_id == str(inc.id))).all()
    assert sorted(c.phone for c in callbacks) == ["03132221111", "09121111111"]
    assert {c.reason for c in callbacks} == {"incident_restored"}
    assert all(c.subscriber_id == w.subscribers["ali"] and c.status == "due" for c in callbacks)
    assert sorted(audit) == ["incident_closed", "incident_declared"]
    closed = incident_detail(w, inc.id).events[-1]
    assert (closed.action, closed.note) == ("closed", "لوله تعویض شد")
    assert closed.data == {"notices": 2, "callbacks": 2, "notify_area": False}

    # The desk no longer shows it, and nobody can close it twice.
    assert card_incidents(w, "09121111111") == {}
    with pytest.raises(IncidentError) as error:
        close(w, inc.id, 2)
    assert error.value.reason == "closed"
    with pytest.raises(IncidentError) as error:
        update(w, inc.id, 2, title="دوباره")
    assert error.value.reason == "closed"


def test_closing_with_the_area_tells_every_active_subscriber_there(engine, world):
    w = world
    inc = declare(w, AreaInput(street="خیابان سعدی"), notify_area_on_close=True)
    call_about(w, inc.id, "09121111111", subscriber="ali")
    call_about(w, inc.id, "09128888888")
    report = close(w, inc.id, 1)
    # ali (caller and subscriber: once), karim (D2, same street), the passer-by; not the
    # closed account, not a landline.
    assert [m.recipient for m in outbox(w, inc.id)] == ["09121111111", "09123333333", "09128888888"]
    assert report.notices_queued == 3
    karim = next(m for m in outbox(w, inc.id) if m.recipient == "09123333333")
    assert "خیابان سعدی" in karim.body


def test_the_supervisor_may_choose_at_closing_not_to_tell_the_area(engine, world):
    w = world
    inc = declare(w, notify_area_on_close=True)
    report = close(w, inc.id, 1, notify_area=False)
    assert report.notices_queued == 0 and not report.incident.notify_area_on_close


def test_the_centers_restored_template_is_used(engine, world):
    w = world
    with session(engine) as s:
        s.add(NoticeTemplate(
            center_id=w.center_id, code="incident_restored", channel="sms", name="وصل",
            body="{name} گرامی، آب {district} از ساعت {eta} وصل است. {center}",
        ))  # fmt: skip
        s.add(CenterSetting(center_id=w.center_id, key="notices.center_name", value="آبفا اصفهان"))
    inc = declare(w)
    call_about(w, inc.id, "09121111111", subscriber="ali")
    close(w, inc.id, 1)
    [message] = outbox(w, inc.id)
    assert message.body == "علی رضایی گرامی، آب منطقه ۱ از ساعت ۱۴:۰۰ وصل است. آبفا اصفهان"


def test_a_stale_close_queues_nothing(engine, world):
    w = world
    inc = declare(w)
    call_about(w, inc.id, "09121111111", wants_callback=True)
    update(w, inc.id, 1, expected_restoration_at=NOW + timedelta(hours=8))
    with pytest.raises(IncidentError) as error:
        close(w, inc.id, 1)
    assert error.value.reason == "stale"
    assert outbox(w, inc.id) == []
    with session(engine, write=False) as s:
        assert s.exec(select(Callback)).all() == []


def test_a_desk_agent_cannot_close(engine, world):
    inc = declare(world)
    with pytest.raises(PermissionDenied):
        close(world, inc.id, 1, actor=world.desk)


# -- the list and the detail -----------------------------------------------------------------


def incident_detail(w: World, incident_id, now=NOW + timedelta(hours=3)):
    with session(w.engine, write=False) as s:
        return incidents.incident_detail(s, actor=w.desk, incident_id=incident_id, now=now)


def test_the_list_shows_active_incidents_first_with_their_calls(engine, world):
    w = world
    old = [declare(w, title=f"قطعی {k}", started_at=NOW - timedelta(days=k + 1),
                   expected_restoration_at=NOW) for k in range(5)]  # fmt: skip
    for inc in old:
        close(w, inc.id, 1)
    active = declare(w, title="شکستگی امروز")
    older_active = declare(w, title="افت فشار", kind="low_pressure",
                           started_at=NOW - timedelta(days=30))  # fmt: skip
    for _ in range(3):
        call_about(w, active.id, "09121111111")
    with session(engine, write=False) as s:
        page = incidents.list_incidents(s, actor=w.desk, limit=2)
        assert [i.id for i in page.items] == [active.id, older_active.id, old[0].id, old[1].id]
        assert [i.call_count for i in page.items] == [3, 0, 0, 0]
        page2 = incidents.list_incidents(s, actor=w.desk, limit=2, cursor=page.next_cursor)
        assert [i.id for i in page2.items] == [old[2].id, old[3].id]
        page3 = incidents.list_incidents(s, actor=w.desk, limit=2, cursor=page2.next_cursor)
        assert [i.id for i in page3.items] == [old[4].id] and page3.next_cursor is None
        only_active = incidents.list_incidents(s, actor=None, center_id=w.center_id,
                                               status="active")  # fmt: skip
        assert [i.id for i in only_active.items] == [active.id, older_active.id]
        with pytest.raises(IncidentError):
            incidents.list_incidents(s, actor=None)


def test_the_detail_counts_calls_per_tehran_hour(engine, world):
    w = world
    inc = declare(w, started_at=teh(18, 9, 50))
    for at in (teh(18, 10, 5), teh(18, 10, 40), teh(18, 10, 59), teh(18, 12, 10)):
        call_about(w, inc.id, "09121111111", at=at, wants_callback=at == teh(18, 12, 10))
    call_about(w, inc.id, "09129999999", at=teh(18, 12, 30))
    detail = incident_detail(w, inc.id, now=teh(18, 13))
    assert [(h.hour, h.calls) for h in detail.calls_per_hour] == [
        (teh(18, 10), 3), (teh(18, 11), 0), (teh(18, 12), 2),
    ]  # fmt: skip
    assert (detail.callers, detail.callback_requests) == (2, 1)
    assert detail.incident.call_count == 5
    assert detail.notices.total == 0


def test_the_detail_of_another_centers_incident_is_not_found(engine, world):
    other = add_center(engine, "KSH", 132)
    inc = declare(world)
    with session(engine, write=False) as s, pytest.raises(IncidentError) as error:
        incidents.incident_detail(s, actor=None, center_id=other, incident_id=inc.id)
    assert error.value.reason == "not_found"


# -- suggestions -----------------------------------------------------------------------------


def contact(w: World, subscriber: str, at, code="low_pressure"):
    with session(w.engine) as s:
        intake.record_contact(
            s, actor=w.desk, phone=None, subscriber_id=w.subscribers[subscriber],
            category_id=w.categories[code], channel=Channel.PHONE_122,
            outcome=CallOutcome.ANSWERED, started_at=at, ended_at=at + timedelta(minutes=1),
        )  # fmt: skip


def suggestions(w: World, now=NOW, actor=None):
    with session(w.engine, write=False) as s:
        return incidents.suggest_incidents(s, actor=actor or w.supervisor, now=now)


def test_a_burst_of_calls_from_one_district_suggests_an_incident(engine, world):
    w = world
    with session(engine) as s:
        s.add(CenterSetting(center_id=w.center_id, key="incidents.suggest_calls", value=3))
        s.add(CenterSetting(center_id=w.center_id, key="incidents.suggest_minutes", value=20))
    for minutes, who in ((25, "ali"), (15, "shb1"), (10, "ali"), (2, "karim"), (1, "nima")):
        contact(w, who, NOW - timedelta(minutes=minutes))
    contact(w, "shb1", NOW - timedelta(minutes=3), code="bill_dispute")
    assert suggestions(w) == ()  # D1: two low-pressure calls in the window, D2: two
    contact(w, "gone", NOW - timedelta(minutes=1))
    [s1] = suggestions(w)
    assert (s1.district_id, s1.category_id, s1.calls) == (
        w.districts["D1"], w.categories["low_pressure"], 3,
    )  # fmt: skip
    assert (s1.first_at, s1.last_at) == (NOW - timedelta(minutes=15), NOW - timedelta(minutes=1))
    assert s1.district_name_fa == "منطقه ۱" and s1.window_minutes == 20
    # Twenty minutes later the burst is over.
    assert suggestions(w, now=NOW + timedelta(minutes=20)) == ()

    with pytest.raises(PermissionDenied):
        suggestions(w, actor=w.desk)
    # Dismissed: hidden for the window; declared: hidden while active.
    with session(engine) as s:
        incidents.dismiss_suggestion(
            s, actor=w.supervisor, district_id=s1.district_id, category_id=s1.category_id, now=NOW
        )
    assert suggestions(w) == ()
    with session(engine) as s:
        s.execute(sa.delete(AuditEntry).where(AuditEntry.action == "incident_suggestion_dismissed"))
    assert len(suggestions(w)) == 1
    declare(w, AreaInput(district_id=w.districts["D1"], street="خیابان سعدی"), kind="low_pressure")
    assert suggestions(w) == ()


def test_calls_linked_to_an_incident_suggest_nothing(engine, world):
    w = world
    inc = declare(w, AreaInput(district_id=w.districts["D2"]))
    for k in range(6):
        call_about(w, inc.id, "09121111111", subscriber="ali", at=NOW - timedelta(minutes=k))
    assert suggestions(w) == ()


# -- the demo keeps these rules --------------------------------------------------------------


def test_the_demo_incidents_read_as_these_rules_write_them(engine):
    from db.demo import build_demo
    from db.models import Call

    build_demo(engine, seed=7, subscribers=60, calls=400, now=NOW)
    with session(engine, write=False) as s:
        center_id = s.exec(select(Incident.center_id)).first()
        page = incidents.list_incidents(s, actor=None, center_id=center_id)
        active, closed = page.items[0], page.items[-1]
        assert (active.status, closed.status) == ("active", "closed")
        details = {
            i.id: incidents.incident_detail(
                s, actor=None, center_id=center_id, incident_id=i.id, now=NOW
            )
            for i in page.items
        }
        callers = set(s.exec(select(Call.phone).where(Call.incident_id == closed.id)).all())
        restored = s.exec(
            select(OutboxMessage.recipient, OutboxMessage.dedupe_key).where(
                OutboxMessage.incident_id == closed.id, col(OutboxMessage.campaign_id).is_(None)
            )
        ).all()
    for inc in page.items:
        detail = details[inc.id]
        changes = [e for e in detail.events if e.action not in incidents.LOG_ONLY_ACTIONS]
        assert inc.version == len(changes)
        assert inc.call_count == sum(h.calls for h in detail.calls_per_hour)
    assert {p for p in callers if p and p.startswith("09")} <= {r for r, _k in restored}
    assert all(k == f"incident:{closed.id}:restored:{r}" for r, k in restored)
    assert len({r for r, _k in restored}) == len(restored)
    [closing] = [e for e in details[closed.id].events if e.action == "closed"]
    assert closing.data == {"notices": len(restored), "callbacks": 0, "notify_area": True}
