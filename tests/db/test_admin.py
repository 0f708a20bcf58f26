"""The admin mode's rules: users, districts, units, categories, calendars and holidays, canned
answers, settings and the audit trail, each refused to non-admins, validated, audited, and never
deleting what history points to, on SQLite and PostgreSQL."""

from datetime import date, time, timedelta

import pytest
from sqlmodel import col, select

from db import accounts, admin, sla
from db.accounts import AccountError, PermissionDenied, SignInError, sign_in
from db.admin import AdminError
from db.engine import session
from db.followup import load_followup_settings
from db.intake import find_canned_answers, find_categories
from db.jalali import parse_jalali_date
from db.models import (
    AuditEntry,
    Category,
    CenterSetting,
    District,
    Subscriber,
    Unit,
    UnitDistrict,
    utcnow,
)

from .world import PASSWORD, World, add_center, build_world, cheap_password_hashes, register


@pytest.fixture
def world(engine, center_id) -> World:
    return build_world(engine, center_id)


@pytest.fixture
def boss(world):
    """The center's administrator."""
    return _agent(world, "admin", "admin")


def _agent(w: World, username: str, *roles: str, center: str = "ISF"):
    with cheap_password_hashes(), session(w.engine) as s:
        return accounts.add_agent(
            s,
            actor=None,
            username=username,
            full_name=username.title(),
            password=PASSWORD,
            roles=roles,
            center_code=center,
        )


def _audit(w: World, action: str) -> list[AuditEntry]:
    with session(w.engine, write=False) as s:
        return list(
            s.exec(
                select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.at))
            )
        )


def _error(fn, *args, **kw):
    """The AdminError or AccountError that ``fn`` raises (its transaction rolled back)."""
    with pytest.raises((AdminError, AccountError)) as caught:
        fn(*args, **kw)
    return caught.value


def call(w: World, fn, **kw):
    with session(w.engine) as s:
        return fn(s, **kw)


# Users -------------------------------------------------------------------------------------


def test_admin_disables_a_user_who_then_cannot_sign_in_and_enables_again(world, boss):
    view = call(world, admin.disable_agent, actor=boss, username="Maryam")
    assert view.active is False
    with pytest.raises(SignInError) as refused, session(world.engine) as s:
        sign_in(s, username="maryam", password=PASSWORD)
    assert refused.value.code == "disabled"
    (row,) = _audit(world, "user_disabled")
    assert row.actor_id == boss.id
    assert row.changes == {"active": [True, False]}
    assert call(world, admin.enable_agent, actor=boss, username="maryam").active is True
    with session(world.engine) as s:
        assert sign_in(s, username="maryam", password=PASSWORD).username == "maryam"


def test_admin_sees_failed_attempts_and_unlocks_a_locked_account(world, boss):
    now = utcnow()
    for _ in range(accounts.MAX_FAILED_ATTEMPTS - 1):
        with pytest.raises(SignInError), session(world.engine) as s:
            sign_in(s, username="reza", password="wrong-guess", now=now)
    listed = {a.username: a for a in call(world, accounts.list_agents, actor=boss)}
    assert listed["reza"].failed_attempts == accounts.MAX_FAILED_ATTEMPTS - 1
    with pytest.raises(SignInError), session(world.engine) as s:
        sign_in(s, username="reza", password="wrong-guess", now=now)
    locked = call(world, accounts.list_agents, actor=boss, center_code="ISF")
    assert next(a for a in locked if a.username == "reza").locked_until is not None
    unlocked = call(world, admin.unlock_agent, actor=boss, username="reza")
    assert unlocked.locked_until is None and unlocked.failed_attempts == 0
    with session(world.engine) as s:
        assert sign_in(s, username="reza", password=PASSWORD, now=now).username == "reza"
    assert "locked_until" in _audit(world, "user_unlocked")[0].changes


def test_admin_sets_roles_and_the_trail_keeps_before_and_after(world, boss):
    view = call(world, admin.set_roles, actor=boss, username="sara", roles=["surveyor", "agent"])
    assert {r.value for r in view.roles} == {"agent", "surveyor"}
    (row,) = _audit(world, "user_roles_set")
    assert row.changes == {"roles": [["surveyor"], ["agent", "surveyor"]]}
    assert _error(call, world, admin.set_roles, actor=boss, username="sara", roles=[]).code == (
        "no_role"
    )


def test_admin_resets_a_password_and_changes_name_and_language(world, boss):
    call(world, admin.reset_password, actor=boss, username="nima", password="brand-new-pass")
    with session(world.engine) as s:
        assert sign_in(s, username="nima", password="brand-new-pass").username == "nima"
    view = call(world, admin.update_agent, actor=boss, username="nima", full_name=" نیما  کریمی ")
    assert view.full_name == "نیما کریمی"
    view = call(world, admin.update_agent, actor=boss, username="nima", language="EN")
    assert view.language == "en"
    assert _error(
        call, world, admin.update_agent, actor=boss, username="nima", language="de"
    ).code == ("bad_language")


def test_an_admin_cannot_lock_themselves_or_the_center_out(world, boss):
    own = _error(call, world, admin.disable_agent, actor=boss, username="admin")
    assert own.code == "own_account"
    demote = _error(call, world, admin.set_roles, actor=boss, username="admin", roles=["agent"])
    assert demote.code == "own_account"
    # From the command line too, the last administrator of a center stays.
    last = _error(call, world, admin.disable_agent, actor=None, username="admin")
    assert last.code == "last_admin"
    _agent(world, "second", "admin")
    assert call(world, admin.disable_agent, actor=None, username="admin").active is False


def test_an_admin_manages_only_their_own_center(engine, world, boss):
    add_center(engine, "KSH", 132)
    outsider = _agent(world, "kashani", "agent", center="KSH")
    err = _error(call, world, admin.disable_agent, actor=boss, username=outsider.username)
    assert err.code == "other_center"
    moved = call(world, admin.update_agent, actor=boss, username="hamid", center_code="KSH")
    assert moved.center_code == "KSH"
    assert _audit(world, "user_changed")[0].changes == {"center": ["ISF", "KSH"]}


def test_a_demoted_admin_is_refused_at_once_with_the_view_they_signed_in_with(world, boss):
    _agent(world, "second", "admin")
    call(world, admin.set_roles, actor=None, username="admin", roles=["supervisor"])
    with pytest.raises(PermissionDenied), session(world.engine) as s:
        admin.disable_agent(s, actor=boss, username="maryam")
    with pytest.raises(PermissionDenied), session(world.engine) as s:
        admin.list_units(s, actor=boss)


@pytest.mark.parametrize(
    "operation",
    [
        lambda s, a: admin.disable_agent(s, actor=a, username="maryam"),
        lambda s, a: admin.set_roles(s, actor=a, username="maryam", roles=["admin"]),
        lambda s, a: admin.unlock_agent(s, actor=a, username="maryam"),
        lambda s, a: admin.list_units(s, actor=a),
        lambda s, a: admin.add_district(s, actor=a, code="D9", name_fa="منطقه ۹"),
        lambda s, a: admin.update_category(s, actor=a, code="pipe_burst", priority=2),
        lambda s, a: admin.list_calendars(s, actor=a),
        lambda s, a: admin.add_canned(s, actor=a, code="x", title_fa="x", body_fa="x"),
        lambda s, a: admin.set_setting(s, actor=a, key="sla.warning_share", value=0.5),
        lambda s, a: admin.read_audit(s, actor=a),
        lambda s, a: admin.import_subscribers(s, actor=a, path="/nonexistent.csv"),
    ],
)
def test_only_the_admin_role_reaches_admin_operations(world, operation):
    for person in (world.supervisor, world.desk):
        with pytest.raises(PermissionDenied), session(world.engine) as s:
            operation(s, person)


# Districts and units -----------------------------------------------------------------------


def test_admin_adds_a_unit_serving_districts_and_changes_its_phone(world, boss):
    unit = call(
        world,
        admin.add_unit,
        actor=boss,
        code="water3",
        kind="water_ops",
        name_fa="بهره‌برداری آب منطقه ۳",
        phone="۰۳۱-۳۲۲۲ ۴۴۵۵",
        district_codes=["D2", "D1"],
    )
    assert unit.district_codes == ("D1", "D2")
    assert unit.phone == "03132224455"
    assert unit.name_en == unit.name_fa
    changed = call(world, admin.update_unit, actor=boss, code="water3", phone="۲۳۱")
    assert changed.phone == "231"  # an internal extension
    cleared = call(world, admin.update_unit, actor=boss, code="water3", phone=None)
    assert cleared.phone is None
    served = call(world, admin.set_unit_districts, actor=boss, code="water3", district_codes=["D2"])
    assert served.district_codes == ("D2",)
    (row,) = _audit(world, "unit_districts_set")
    assert row.changes == {"districts": [["D1", "D2"], ["D2"]]}
    bad = _error(call, world, admin.update_unit, actor=boss, code="water3", phone="12-ab")
    assert (bad.reason, bad.params["field"]) == ("bad_value", "phone")
    kind = _error(call, world, admin.add_unit, actor=boss, code="x", kind="pilot", name_fa="x")
    assert kind.params["field"] == "kind"
    dup = _error(call, world, admin.add_unit, actor=boss, code="water3", kind="lab", name_fa="x")
    assert dup.reason == "duplicate"


def test_a_unit_in_use_is_deactivated_and_an_unused_one_deleted(world, boss):
    call(world, admin.add_unit, actor=boss, code="spare", kind="lab", name_fa="یدک")
    gone = call(world, admin.remove_unit, actor=boss, code="spare")
    assert gone.deleted
    register(world, "pipe_burst")  # the water unit now has a request
    kept = call(world, admin.remove_unit, actor=boss, code="water_ops")
    assert kept.deactivated
    assert {"categories", "tickets"} <= set(kept.tables)
    with session(world.engine, write=False) as s:
        unit = s.get(Unit, world.units["water_ops"])
        assert unit is not None and unit.active is False
        assert s.exec(select(Unit).where(Unit.code == "spare")).first() is None
    assert _audit(world, "unit_deactivated")[0].changes == {"active": [True, False]}
    assert _audit(world, "unit_removed")[0].changes["code"] == ["spare", None]


def test_districts_are_added_renamed_and_removed_only_when_unused(world, boss):
    call(world, admin.add_district, actor=boss, code="D3", name_fa="منطقه ٣ كوي")
    call(world, admin.add_unit, actor=boss, code="w3", kind="water_ops", name_fa="آب ۳")
    call(world, admin.set_unit_districts, actor=boss, code="w3", district_codes=["D3"])
    names = {d.code: d.name_fa for d in call(world, admin.list_districts, actor=boss)}
    assert names["D3"] == "منطقه ٣ کوی"  # Arabic letters folded, digits as typed
    # A unit serving it does not keep it: the link goes along.
    assert call(world, admin.remove_district, actor=boss, code="D3").deleted
    with session(world.engine, write=False) as s:
        assert s.exec(select(UnitDistrict)).all() == []
    # Subscribers live in D1: it stays, inactive.
    kept = call(world, admin.remove_district, actor=boss, code="D1")
    assert kept.deactivated and "subscribers" in kept.tables
    active = call(world, admin.list_districts, actor=boss, include_inactive=False)
    assert [d.code for d in active] == ["D2"]
    renamed = call(world, admin.update_district, actor=boss, code="D1", name_fa="مرکز", active=True)
    assert renamed.active and renamed.name_fa == "مرکز"
    assert _error(call, world, admin.add_district, actor=boss, code="D2", name_fa="x").reason == (
        "duplicate"
    )
    assert _error(
        call, world, admin.add_district, actor=boss, code="bad code", name_fa="x"
    ).reason == ("bad_code")


# Categories --------------------------------------------------------------------------------


def _add_category(w, boss, **kw):
    args = dict(
        code="meter_theft",
        name_fa="سرقت كنتور",
        name_en="Meter theft",
        group="metering",
        calendar_code="office",
        response_minutes=450,
        resolution_minutes=2250,
        unit_code="metering",
        required_fields=["subscriber", "address"],
    )
    args.update(kw)
    return call(w, admin.add_category, actor=boss, **args)


def test_admin_adds_a_category_that_intake_then_finds_by_arabic_letters(world, boss):
    view = _add_category(world, boss)
    assert view.name_fa == "سرقت کنتور"
    assert view.default_unit_code == "metering"
    assert view.calendar_code == "office"
    assert view.sort_order == len(world.categories) - 1 + 1
    with session(world.engine, write=False) as s:
        found = find_categories(s, actor=world.desk, text="كنتور")
    assert "meter_theft" in [c.code for c in found]


@pytest.mark.parametrize(
    ("change", "reason", "field"),
    [
        ({"group": "weather"}, "bad_value", "group"),
        ({"priority": 5}, "bad_value", "priority"),
        ({"response_minutes": -1}, "bad_value", "response_minutes"),
        ({"required_fields": ["subscriber", "shoe_size"]}, "bad_value", "required_fields"),
        ({"resolution_minutes": 100}, "resolution_before_response", None),
        ({"unit_code": "nope"}, "not_found", None),
        ({"calendar_code": "nope"}, "not_found", None),
        ({"name_fa": "  "}, "required", "name_fa"),
        ({"code": "x" * 33}, "too_long", "code"),
    ],
)
def test_a_bad_category_is_refused_with_a_reason(world, boss, change, reason, field):
    err = _error(_add_category, world, boss, **change)
    assert err.reason == reason
    if field:
        assert err.params["field"] == field
    with session(world.engine, write=False) as s:
        assert s.exec(select(Category).where(Category.code == "meter_theft")).first() is None


def test_editing_a_category_audits_codes_not_ids_and_refuses_a_stale_edit(world, boss):
    view = call(world, admin.update_category, actor=boss, code="pipe_burst")
    changed = call(
        world,
        admin.update_category,
        actor=boss,
        code="pipe_burst",
        unit_code="sewer_ops",
        calendar_code="office",
        response_minutes=60,
        name_fa="شکستگی لوله اصلی",
        expected_updated_at=view.updated_at,
    )
    assert (changed.default_unit_code, changed.calendar_code) == ("sewer_ops", "office")
    (row,) = _audit(world, "category_changed")
    assert row.changes["default_unit"] == ["water_ops", "sewer_ops"]
    assert row.changes["calendar"] == ["24x7", "office"]
    assert row.changes["response_minutes"] == [30, 60]
    with session(world.engine, write=False) as s:
        found = find_categories(s, actor=world.desk, text="لوله اصلی")
    assert found[0].code == "pipe_burst"
    stale = _error(
        call,
        world,
        admin.update_category,
        actor=boss,
        code="pipe_burst",
        priority=2,
        expected_updated_at=view.updated_at,
    )
    assert stale.reason == "stale"
    # An edit that changes nothing writes nothing.
    call(world, admin.update_category, actor=boss, code="pipe_burst", response_minutes=60)
    assert len(_audit(world, "category_changed")) == 1


def test_a_category_in_use_is_deactivated_and_leaves_intake(world, boss):
    register(world, "low_pressure")
    kept = call(world, admin.remove_category, actor=boss, code="low_pressure")
    assert kept.deactivated and "tickets" in kept.tables
    with session(world.engine, write=False) as s:
        assert "low_pressure" not in [c.code for c in find_categories(s, actor=world.desk, text="")]
    assert call(world, admin.remove_category, actor=boss, code="staff_complaint").deleted
    codes = [c.code for c in call(world, admin.list_categories, actor=boss)]
    assert "low_pressure" in codes and "staff_complaint" not in codes
    call(world, admin.update_category, actor=boss, code="low_pressure", active=True)
    assert "low_pressure" in [
        c.code for c in call(world, admin.list_categories, actor=boss, include_inactive=False)
    ]


def test_a_category_refuses_an_inactive_default_unit(world, boss):
    call(world, admin.update_unit, actor=boss, code="lab", active=False)
    err = _error(call, world, admin.update_category, actor=boss, code="pipe_burst", unit_code="lab")
    assert (err.reason, err.params["code"]) == ("inactive", "lab")
    none = call(world, admin.update_category, actor=boss, code="pipe_burst", unit_code=None)
    assert none.default_unit_code is None


# Calendars and holidays --------------------------------------------------------------------


def test_admin_sets_a_working_week_that_the_sla_clock_follows(world, boss):
    week = {d: (time(8), time(14)) for d in range(5)}  # Thursday off
    view = call(world, admin.set_hours, actor=boss, code="office", hours=week)
    assert view.hours[5] is None and view.hours[0] == (time(8), time(14))
    with session(world.engine, write=False) as s:
        calendar = sla.load_calendar(s, world.calendars["office"])
    assert calendar.hours[5] is None
    (row,) = _audit(world, "calendar_hours_set")
    assert row.changes["hours"][1]["0"] == "08:00-14:00"
    bad = _error(
        call, world, admin.set_hours, actor=boss, code="office", hours={1: (time(9), time(8))}
    )
    assert (bad.reason, bad.params["weekday"]) == ("bad_hours", 1)
    late = {6: (time(22), time(0))}  # until midnight
    night = call(world, admin.add_calendar, actor=boss, code="night", name_fa="شب", hours=late)
    assert night.hours[6] == (time(22), time(0))


def test_holidays_are_set_renamed_and_removed(world, boss):
    day = parse_jalali_date("1405/09/30")
    call(world, admin.set_holiday, actor=boss, code="office", day=day, name="شب يلدا")
    call(world, admin.set_holiday, actor=boss, code="office", day=day, name="یلدا")
    (holiday,) = [
        h
        for h in call(world, admin.list_holidays, actor=boss, code="office", year=1405)
        if h.day == day
    ]
    assert (holiday.jalali, holiday.name) == ("1405/09/30", "یلدا")
    assert _audit(world, "holiday_renamed")[0].changes == {
        "holiday": ["1405/09/30 شب یلدا", "1405/09/30 یلدا"]
    }
    assert call(world, admin.remove_holiday, actor=boss, code="office", day=day) is True
    assert call(world, admin.remove_holiday, actor=boss, code="office", day=day) is False


HOLIDAYS_CSV = "\n".join(
    [
        "تاریخ,عنوان",
        "۱۴۰۶/۰۱/۰۱,عید نوروز",
        "1406/1/2,عيد نوروز",
        "",
        "1406-01-12,روز جمهوری اسلامی",
        "1406/13/01,ماه سیزدهم",
        "1406/12/30,اسفند ۳۰ در سال غیر کبیسه",
        "فردا,نامعلوم",
        "1406/01/12,روز طبیعت",
    ]
)


def test_holiday_list_is_imported_from_csv_with_jalali_dates(world, boss, tmp_path):
    path = tmp_path / "holidays-1406.csv"
    path.write_text(HOLIDAYS_CSV, encoding="utf-8")
    dry = call(world, admin.import_holidays, actor=boss, code="office", path=path, dry_run=True)
    assert len(dry.added) == 3 and dry.dry_run
    assert [(b.line, b.reason, b.detail) for b in dry.bad_rows] == [
        (6, "bad_value", "bad_month"),
        (7, "bad_value", "bad_day"),
        (8, "bad_value", "bad_format"),
    ]
    assert call(world, admin.list_holidays, actor=boss, code="office", year=1406) == []
    report = call(world, admin.import_holidays, actor=boss, code="office", path=path)
    assert report.added == (date(2027, 3, 21), date(2027, 3, 22), date(2027, 4, 1))
    holidays = call(world, admin.list_holidays, actor=boss, code="office", year=1406)
    assert holidays[1].name == "عید نوروز"  # Arabic yeh folded
    assert holidays[2].name == "روز جمهوری اسلامی؛ روز طبیعت"  # coinciding holidays joined
    with session(world.engine, write=False) as s:
        calendar = sla.load_calendar(s, world.calendars["office"])
    assert date(2027, 3, 21) in calendar.holidays
    again = call(world, admin.import_holidays, actor=boss, code="office", path=path)
    assert (again.added, again.unchanged) == ((), 3)
    (row,) = _audit(world, "holidays_imported")
    assert row.changes["added"][1] == ["1406/01/01", "1406/01/02", "1406/01/12"]


def test_a_corrected_holiday_list_replaces_the_year_with_replace(world, boss, tmp_path):
    first = tmp_path / "first.csv"
    first.write_text("1406/01/01,نوروز\n1406/03/14,رحلت امام\n", encoding="utf-8")
    call(world, admin.import_holidays, actor=boss, code="office", path=first)
    corrected = tmp_path / "corrected.csv"
    corrected.write_text("1406/01/01,عید نوروز\n", encoding="utf-8")
    report = call(
        world, admin.import_holidays, actor=boss, code="office", path=corrected, replace=True
    )
    assert report.renamed == (date(2027, 3, 21),)
    assert report.removed == (parse_jalali_date("1406/03/14"),)
    # The 1405 holiday of the test world is in another year: untouched.
    years = {h.jalali[:4] for h in call(world, admin.list_holidays, actor=boss, code="office")}
    assert years == {"1405", "1406"}


def test_a_calendar_in_use_cannot_be_removed_but_an_unused_one_can(world, boss):
    err = _error(call, world, admin.remove_calendar, actor=boss, code="office")
    assert err.reason == "in_use" and "categories" in err.params["tables"]
    call(world, admin.add_calendar, actor=boss, code="spare", name_fa="یدک")
    call(world, admin.set_holiday, actor=boss, code="spare", day=date(2027, 1, 1), name="x")
    call(world, admin.remove_calendar, actor=boss, code="spare")
    assert [c.code for c in call(world, admin.list_calendars, actor=boss)] == ["24x7", "office"]


# Canned answers ----------------------------------------------------------------------------


def test_canned_answers_are_added_found_by_intake_edited_and_retired(world, boss):
    view = call(
        world,
        admin.add_canned,
        actor=boss,
        code="payment",
        title_fa="روشهاي پرداخت قبض",
        body_fa="از طريق درگاه بانكي",
        category_code="bill_dispute",
    )
    assert view.title_fa == "روشهای پرداخت قبض" and view.category_code == "bill_dispute"
    with session(world.engine, write=False) as s:
        found = find_canned_answers(s, actor=world.desk, text="پرداخت")
    assert [a.code for a in found] == ["payment"]
    edited = call(world, admin.update_canned, actor=boss, code="payment", category_code=None)
    assert edited.category_code is None
    assert _audit(world, "canned_answer_changed")[0].changes == {"category": ["bill_dispute", None]}
    assert call(world, admin.remove_canned, actor=boss, code="payment").deleted
    assert call(world, admin.list_canned, actor=boss) == []


# Settings ----------------------------------------------------------------------------------


def test_settings_list_their_defaults_and_a_checked_value_reaches_the_reader(world, boss):
    listed = {v.key: v for v in call(world, admin.list_settings, actor=boss)}
    assert listed["followup.claim_minutes"].default == 30
    assert listed["followup.claim_minutes"].is_set is False
    view = call(world, admin.set_setting, actor=boss, key="followup.claim_minutes", value=45)
    assert view.is_set and view.effective == 45
    with session(world.engine, write=False) as s:
        assert load_followup_settings(s, world.center_id).claim_minutes == 45
    (row,) = _audit(world, "setting_changed")
    assert row.changes == {"followup.claim_minutes": [None, 45]}
    assert row.entity_id == "followup.claim_minutes"
    cleared = call(world, admin.clear_setting, actor=boss, key="followup.claim_minutes")
    assert cleared.is_set is False and cleared.effective == 30
    with session(world.engine, write=False) as s:
        assert s.exec(select(CenterSetting)).all() == []


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("followup.claim_minutes", 0),
        ("followup.claim_minutes", "30"),
        ("sla.warning_share", 1.5),
        ("sla.escalation_after", [0, 1.5, 0.5]),
        ("sla.escalating_clocks", ["citizen", "moon"]),
        ("notices.retry", {"max_attempts": 0}),
        ("notices.gateway", {"kind": "pigeon"}),
    ],
)
def test_a_bad_setting_value_is_refused_with_the_problem(world, boss, key, value):
    err = _error(call, world, admin.set_setting, actor=boss, key=key, value=value)
    assert err.reason == "bad_setting" and err.params["key"] == key and err.params["problem"]


def test_an_unknown_setting_is_refused_and_a_unit_can_register_its_own(world, boss):
    err = _error(call, world, admin.set_setting, actor=boss, key="callbacks.tries", value=3)
    assert err.reason == "unknown_setting"
    admin.register_setting(
        "test.callbacks_tries", admin.settings.int_between(1, 9), default=3, description="test"
    )
    try:
        view = call(world, admin.set_setting, actor=boss, key="test.callbacks_tries", value=4)
        assert (view.value, view.default, view.known) == (4, 3, True)
        # A fallback never replaces the owner's registration.
        admin.register_setting("test.callbacks_tries", lambda v: v, fallback=True)
        bad = _error(
            call, world, admin.set_setting, actor=boss, key="test.callbacks_tries", value=10
        )
        assert bad.reason == "bad_setting"
    finally:
        admin.settings._REGISTRY.pop("test.callbacks_tries", None)
    # Stored but no longer registered: listed as unknown, and can be cleared.
    stale = {v.key: v for v in call(world, admin.list_settings, actor=boss)}["test.callbacks_tries"]
    assert stale.known is False and stale.value == 4
    assert call(world, admin.clear_setting, actor=boss, key="test.callbacks_tries").is_set is False


# The audit trail ---------------------------------------------------------------------------


def test_the_audit_trail_pages_newest_first_and_filters(engine, world, boss):
    for n in range(7):
        call(world, admin.add_district, actor=boss, code=f"N{n}", name_fa=f"ناحیه {n}")
    call(world, admin.disable_agent, actor=boss, username="maryam")
    seen, cursor = [], None
    while True:
        page = call(world, admin.read_audit, actor=boss, entity="district", limit=3, after=cursor)
        seen += [r.changes["code"][1] for r in page.rows]
        assert all(r.actor_username == "admin" for r in page.rows)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [f"N{n}" for n in reversed(range(7))]
    by_admin = call(world, admin.read_audit, actor=boss, actor_username="admin", limit=100)
    assert {r.action for r in by_admin.rows} == {"district_added", "user_disabled"}
    assert call(world, admin.read_audit, actor=None, action="user_disabled").rows[0].entity == (
        "agent"
    )
    assert "district" in call(world, admin.audit_entities, actor=boss)
    since = call(world, admin.read_audit, actor=boss, since=utcnow() + timedelta(minutes=1))
    assert since.rows == ()
    # Another center's administrator does not read this center's trail.
    add_center(engine, "KSH", 132)
    other = _agent(world, "kadmin", "admin", center="KSH")
    assert call(world, admin.read_audit, actor=other, entity="district").rows == ()
    err = _error(call, world, admin.read_audit, actor=boss, center_code="KSH")
    assert err.reason == "other_center"


def test_nothing_history_points_to_is_deleted(world, boss):
    """The whole rule at once: after removing everything removable, every row a request or a
    subscriber names is still there."""
    ticket = register(world, "pipe_burst")
    for code in ("water_ops", "billing"):
        call(world, admin.remove_unit, actor=boss, code=code)
    call(world, admin.remove_category, actor=boss, code="pipe_burst")
    call(world, admin.remove_district, actor=boss, code="D1")
    with session(world.engine, write=False) as s:
        assert s.get(Unit, world.units["water_ops"]) is not None
        assert s.get(Category, world.categories["pipe_burst"]) is not None
        assert s.get(District, world.districts["D1"]) is not None
        assert s.exec(select(Subscriber)).all()
    assert ticket.tracking_code
