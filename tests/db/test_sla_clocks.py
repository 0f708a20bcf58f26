"""The clocks of a request: the citizen's, the unit's and the response clock, read on 24/7 and
office calendars across weekends, holidays, pauses and midnight in Tehran; warnings, overdue,
the escalation level a late clock calls for, and the center's SLA settings."""

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db import catalog_seed
from db.engine import session
from db.jalali import TEHRAN
from db.models import CenterSetting
from db.sla import (
    ALWAYS_OPEN,
    DEFAULT_SLA_SETTINGS,
    SETTING_ESCALATING_CLOCKS,
    SETTING_ESCALATION_AFTER,
    SETTING_WARNING_SHARE,
    ClockState,
    SlaSettings,
    WorkingCalendar,
    clock_state,
    due_at,
    escalation_level_reached,
    extend_for_pause,
    load_sla_settings,
    sla_settings_from,
    working_minutes_between,
)

# Saturday 14 November 2026 starts the week; Tuesday 17 is a holiday, Friday 20 the day off.
HOLIDAY = date(2026, 11, 17)
OFFICE = WorkingCalendar.office(catalog_seed.OFFICE_HOURS, [HOLIDAY], code="office")


def teh(day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Tehran wall-clock time in November 2026, as aware UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=TEHRAN).astimezone(UTC)


@dataclass(frozen=True)
class Req:
    """Just what the clocks read of a request."""

    opened_at: datetime
    referred_at: datetime | None = None
    response_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    unit_due_at: datetime | None = None
    responded_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    paused_at: datetime | None = None


def burst(opened: datetime) -> Req:
    """A pipe burst: 24/7, response 30 minutes, resolution 6 hours."""
    return Req(
        opened_at=opened,
        response_due_at=opened + timedelta(minutes=30),
        resolution_due_at=opened + timedelta(hours=6),
    )


def test_citizens_clock_warns_at_a_quarter_left_and_runs_out_at_due():
    r = burst(teh(18, 23))  # Wednesday 23:00 in Tehran: the 24/7 clock runs over midnight
    ok = clock_state(r, ALWAYS_OPEN, teh(19, 1), target_minutes=360)
    assert (ok.state, ok.minutes_left, ok.share_left) == (ClockState.OK, 240, 240 / 360)
    assert ok.running and not ok.late
    warning = clock_state(r, ALWAYS_OPEN, teh(19, 3, 30), target_minutes=360)
    assert (warning.state, warning.minutes_left) == (ClockState.WARNING, 90)
    at_due = clock_state(r, ALWAYS_OPEN, teh(19, 5), target_minutes=360)
    assert (at_due.state, at_due.minutes_left, at_due.late) == (ClockState.OVERDUE, 0, True)
    late = clock_state(r, ALWAYS_OPEN, teh(19, 8), target_minutes=360)
    assert (late.state, late.minutes_left, late.share_left) == (ClockState.OVERDUE, -180, -0.5)
    # Without the target, it is read from start to due (exact while never paused).
    assert clock_state(r, ALWAYS_OPEN, teh(19, 1)).target_minutes == 360


def test_warning_share_is_a_setting():
    r = burst(teh(18, 10))
    now = teh(18, 13)  # half the target left
    assert clock_state(r, ALWAYS_OPEN, now).state == ClockState.OK
    assert clock_state(r, ALWAYS_OPEN, now, SlaSettings(warning_share=0.5)).state == (
        ClockState.WARNING
    )


def test_office_clock_skips_the_holiday_the_weekend_and_the_night():
    # A bill dispute of one office day (450 working minutes), opened Monday 16 at 14:00.
    opened = teh(16, 14)
    due = due_at(OFFICE, opened, 450)
    assert due == teh(18, 14)  # 30 minutes on Monday, Tuesday is a holiday, 420 on Wednesday
    r = Req(opened_at=opened, resolution_due_at=due)
    holiday = clock_state(r, OFFICE, teh(17, 12), target_minutes=450)
    assert (holiday.minutes_left, holiday.state) == (420, ClockState.OK)
    wednesday = clock_state(r, OFFICE, teh(18, 13), target_minutes=450)
    assert (wednesday.minutes_left, wednesday.state) == (60, ClockState.WARNING)
    evening = clock_state(r, OFFICE, teh(18, 20), target_minutes=450)
    assert (evening.minutes_left, evening.state) == (-30, ClockState.OVERDUE)
    # Over Thursday's short day (5 h) and Friday off: late by 30 + 300 + 60 working minutes.
    saturday = clock_state(r, OFFICE, teh(21, 8), target_minutes=450)
    assert saturday.minutes_left == -(30 + 300 + 60)


def test_office_clock_started_just_before_midnight_in_tehran():
    opened = teh(18, 23, 50)  # Wednesday night: the clock waits for Thursday 07:00
    r = Req(opened_at=opened, resolution_due_at=due_at(OFFICE, opened, 360))
    # Thursday 07:00-12:00 gives 300, Saturday 07:00-08:00 the last 60.
    assert r.resolution_due_at == teh(21, 8)
    assert clock_state(r, OFFICE, teh(19, 0, 10)).minutes_left == 360
    assert clock_state(r, OFFICE, teh(20, 12)).minutes_left == 60


def test_a_paused_clock_is_read_where_it_stopped():
    r = replace(burst(teh(18, 10)), paused_at=teh(18, 11))
    view = clock_state(r, ALWAYS_OPEN, teh(18, 23), target_minutes=360)
    assert (view.state, view.minutes_left, view.late) == (ClockState.PAUSED, 300, False)
    assert view.running and view.paused_at == teh(18, 11)
    # Paused late: still paused, and late by what it was late when paused.
    late = replace(burst(teh(18, 10)), paused_at=teh(18, 17))
    view = clock_state(late, ALWAYS_OPEN, teh(19, 10), target_minutes=360)
    assert (view.state, view.minutes_left, view.late) == (ClockState.PAUSED, -60, True)
    assert escalation_level_reached(view, DEFAULT_SLA_SETTINGS) == 0


def test_pause_moves_due_dates_by_the_working_time_it_took():
    # 24/7: plain time.
    due = teh(18, 16)
    assert extend_for_pause(ALWAYS_OPEN, due, teh(18, 11), teh(18, 13, 30)) == teh(18, 18, 30)
    # Office: paused Wednesday 14:00 until Saturday 08:00 took 30 + 300 + 60 working minutes.
    due = teh(21, 10)
    moved = extend_for_pause(OFFICE, due, teh(18, 14), teh(21, 8))
    assert working_minutes_between(OFFICE, due, moved) == 390
    assert moved == teh(22, 9)  # Saturday 10:00 to 14:30 is 270; 120 more on Sunday
    # A pause over the night and the holiday only: no working time, no move.
    assert extend_for_pause(OFFICE, due, teh(16, 15), teh(18, 7)) == due


_minute = st.integers(0, 60 * 24 * 60).map(lambda m: teh(14) + timedelta(minutes=m))


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([OFFICE, ALWAYS_OPEN]), _minute, st.integers(0, 6000), _minute, _minute)
def test_pauses_are_excluded_exactly(calendar, start, target, a, b):
    paused, resumed = sorted((a, b))
    if paused < start:
        paused, resumed = start, max(start, resumed)
    due = due_at(calendar, start, target)
    paused_minutes = working_minutes_between(calendar, paused, resumed)
    assert extend_for_pause(calendar, due, paused, resumed) == due_at(
        calendar, start, target + paused_minutes
    )


def test_unit_clock_runs_from_the_latest_referral_until_its_answer():
    opened = teh(18, 10)
    r = burst(opened)
    assert clock_state(r, ALWAYS_OPEN, teh(18, 11), clock="unit") is None  # not referred yet
    referred = replace(r, referred_at=teh(18, 12), unit_due_at=teh(18, 18))
    unit = clock_state(referred, ALWAYS_OPEN, teh(18, 14), clock="unit", target_minutes=360)
    assert (unit.started_at, unit.minutes_left, unit.state) == (teh(18, 12), 240, ClockState.OK)
    answered = replace(referred, resolved_at=teh(18, 17), responded_at=teh(18, 13))
    stopped = clock_state(answered, ALWAYS_OPEN, teh(19, 10), clock="unit", target_minutes=360)
    assert not stopped.running and stopped.minutes_left == 60
    assert stopped.state == ClockState.WARNING  # a sixth of the target was left when it stopped
    citizen = clock_state(answered, ALWAYS_OPEN, teh(19, 10), target_minutes=360)
    assert citizen.stopped_at == teh(18, 17) and citizen.minutes_left == -60
    assert citizen.state == ClockState.OVERDUE  # answered late: stays late
    assert escalation_level_reached(citizen, DEFAULT_SLA_SETTINGS) == 0  # but it stopped
    # Referred again after an answer: the earlier answer does not stop the new unit's clock.
    again = replace(answered, resolved_at=None, referred_at=teh(19, 9), unit_due_at=teh(19, 15))
    unit = clock_state(again, ALWAYS_OPEN, teh(19, 10), clock="unit", target_minutes=360)
    assert unit.running and unit.minutes_left == 300
    old_answer = replace(again, resolved_at=teh(18, 17))  # as a row can hold it
    assert clock_state(old_answer, ALWAYS_OPEN, teh(19, 10), clock="unit").running


def test_response_clock_stops_when_the_unit_has_it():
    r = burst(teh(18, 10))
    running = clock_state(r, ALWAYS_OPEN, teh(18, 10, 40), clock="response", target_minutes=30)
    assert running.state == ClockState.OVERDUE and running.minutes_left == -10
    met = replace(r, responded_at=teh(18, 10, 20))
    view = clock_state(met, ALWAYS_OPEN, teh(18, 12), clock="response", target_minutes=30)
    assert (view.running, view.minutes_left, view.state) == (False, 10, ClockState.OK)


def test_closing_stops_every_clock_and_no_target_means_no_countdown():
    r = replace(burst(teh(18, 10)), closed_at=teh(18, 12))
    assert not clock_state(r, ALWAYS_OPEN, teh(20, 0)).running
    none = Req(opened_at=teh(18, 10))
    view = clock_state(none, ALWAYS_OPEN, teh(25, 0))
    assert (view.due_at, view.minutes_left, view.share_left, view.state) == (
        None, None, None, ClockState.OK,
    )  # fmt: skip
    with pytest.raises(ValueError, match="timezone-aware"):
        clock_state(none, ALWAYS_OPEN, datetime(2026, 11, 18, 10))


@pytest.mark.parametrize(
    ("hours_after_opening", "level"),
    [(5, 0), (6, 1), (8, 1), (9, 2), (14, 2), (15, 3), (40, 3)],
)
def test_a_late_clock_calls_for_levels_by_how_late_it_is(hours_after_opening, level):
    r = burst(teh(18, 0))  # due at 06:00; level 2 at 09:00 (half of 6 h), 3 at 15:00
    view = clock_state(r, ALWAYS_OPEN, teh(18, hours_after_opening % 24) + timedelta(
        days=hours_after_opening // 24), target_minutes=360)  # fmt: skip
    assert escalation_level_reached(view, DEFAULT_SLA_SETTINGS) == level
    eager = SlaSettings(escalation_after=(0.0, 0.1, 0.2))
    assert escalation_level_reached(view, eager) >= level


def test_settings_from_center_rows_with_defaults(engine, center_id):
    with session(engine) as s:
        assert load_sla_settings(s, center_id) == DEFAULT_SLA_SETTINGS
        s.add(CenterSetting(center_id=center_id, key=SETTING_WARNING_SHARE, value=0.4))
        s.add(CenterSetting(center_id=center_id, key=SETTING_ESCALATION_AFTER, value=[0, 1, 2]))
        s.add(CenterSetting(center_id=center_id, key=SETTING_ESCALATING_CLOCKS, value=["unit"]))
    with session(engine) as s:
        loaded = load_sla_settings(s, center_id)
        assert loaded == SlaSettings(0.4, (0.0, 1.0, 2.0), ("unit",))
        assert load_sla_settings(s, uuid.uuid4()) == DEFAULT_SLA_SETTINGS


@pytest.mark.parametrize(
    "values",
    [
        {SETTING_WARNING_SHARE: "a quarter"},
        {SETTING_WARNING_SHARE: 1.5},
        {SETTING_WARNING_SHARE: True},
        {SETTING_ESCALATION_AFTER: [1, 0.5, 2]},
        {SETTING_ESCALATION_AFTER: [0, 1]},
        {SETTING_ESCALATION_AFTER: [0, -1, 2]},
        {SETTING_ESCALATING_CLOCKS: ["citizen", "mayor"]},
        {SETTING_ESCALATING_CLOCKS: "citizen"},
    ],
)
def test_a_malformed_setting_keeps_its_default(values):
    assert sla_settings_from(values) == DEFAULT_SLA_SETTINGS


def test_impossible_settings_are_refused_in_code():
    with pytest.raises(ValueError):
        SlaSettings(warning_share=2)
    with pytest.raises(ValueError):
        SlaSettings(escalation_after=(1.0, 0.5, 2.0))
    with pytest.raises(ValueError):
        SlaSettings(escalating_clocks=("mayor",))
