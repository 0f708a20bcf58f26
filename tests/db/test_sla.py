"""SLA clocks: due dates and time left on 24/7 and office-hours calendars, in Tehran time."""

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db import catalog_seed
from db.engine import session
from db.jalali import TEHRAN
from db.models import Calendar, CalendarHours, Holiday
from db.sla import (
    ALWAYS_OPEN,
    CalendarNotFound,
    WorkingCalendar,
    due_at,
    is_working_time,
    load_calendar,
    next_working_time,
    working_minutes_between,
)

# Saturday 14 November 2026 (23 Aban 1405) starts the week used below; Tuesday 17 is made a
# holiday, Friday 20 is the weekly day off.
HOLIDAY = date(2026, 11, 17)
OFFICE = WorkingCalendar.office(catalog_seed.OFFICE_HOURS, [HOLIDAY], code="office")


def teh(day: int, hour: int = 0, minute: int = 0, month: int = 11, year: int = 2026) -> datetime:
    """A Tehran wall-clock time as aware UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=TEHRAN).astimezone(UTC)


def test_24x7_clock_is_plain_addition():
    start = teh(20, 23, 50)
    assert due_at(ALWAYS_OPEN, start, 30) == start + timedelta(minutes=30)
    assert working_minutes_between(ALWAYS_OPEN, start, start + timedelta(hours=2)) == 120


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        pytest.param(teh(14, 7), 450, teh(14, 14, 30), id="a full Saturday ends at closing"),
        pytest.param(teh(14, 13), 120, teh(15, 7, 30), id="overnight to Sunday morning"),
        pytest.param(teh(18, 14), 60, teh(19, 7, 30), id="Wednesday into short Thursday"),
        pytest.param(teh(19, 11, 30), 60, teh(21, 7, 30), id="Thursday over Friday"),
        pytest.param(teh(16, 14), 60, teh(18, 7, 30), id="Monday over the Tuesday holiday"),
        pytest.param(teh(20, 10), 30, teh(21, 7, 30), id="Friday start waits for Saturday"),
        pytest.param(teh(17, 9), 30, teh(18, 7, 30), id="holiday start waits for Wednesday"),
        pytest.param(teh(14, 20), 0, teh(14, 20), id="zero minutes is the start itself"),
        pytest.param(teh(18, 10), 900, teh(21, 12, 30), id="two office days from Wednesday"),
    ],
)
def test_office_clock_counts_working_minutes_only(start, minutes, due):
    assert due_at(OFFICE, start, minutes) == due
    assert working_minutes_between(OFFICE, start, due) == minutes


def test_time_left_is_negative_when_overdue():
    due = teh(15, 8)
    assert working_minutes_between(OFFICE, teh(14, 14), due) == 30 + 60
    assert working_minutes_between(OFFICE, teh(15, 9), due) == -60
    # Late over a night and a weekend counts working time only.
    assert working_minutes_between(OFFICE, teh(21, 8), teh(19, 11)) == -(60 + 60)


def test_working_time_edges():
    assert is_working_time(OFFICE, teh(14, 7))
    assert not is_working_time(OFFICE, teh(14, 14, 30))
    assert not is_working_time(OFFICE, teh(17, 10))  # holiday
    assert not is_working_time(OFFICE, teh(20, 10))  # Friday
    assert next_working_time(OFFICE, teh(19, 12, 5)) == teh(21, 7)
    assert is_working_time(ALWAYS_OPEN, teh(20, 3))


def test_calendar_open_until_midnight_and_never_open():
    late = WorkingCalendar.office({d: (time(16, 0), time(0)) for d in range(7)})
    assert due_at(late, teh(14, 23), 90) == teh(15, 16, 30)
    never = WorkingCalendar.office({})
    with pytest.raises(ValueError, match="never open"):
        due_at(never, teh(14), 10)


def test_naive_and_negative_inputs_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        due_at(OFFICE, datetime(2026, 11, 14, 8), 10)
    with pytest.raises(ValueError, match="negative"):
        due_at(OFFICE, teh(14, 8), -1)


def test_an_hour_of_historic_daylight_saving_is_a_real_hour():
    # 1 June 2021 Tehran was on UTC+04:30 (Iran dropped DST in 2022): 08:00 local is 03:30 UTC.
    start = datetime(2021, 6, 1, 7, 0, tzinfo=TEHRAN)
    assert due_at(OFFICE, start, 60) == datetime(2021, 6, 1, 3, 30, tzinfo=UTC)


# --- properties ------------------------------------------------------------------------------

_starts = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)


@st.composite
def _calendars(draw) -> WorkingCalendar:
    hours = {}
    for weekday in range(7):
        if draw(st.booleans()):
            opens = draw(st.integers(0, 46)) * 30
            closes = opens + draw(st.integers(1, 48 - opens // 30)) * 30
            hours[weekday] = (
                time(opens // 60, opens % 60),
                time(0) if closes == 1440 else time(closes // 60, closes % 60),
            )
    if not hours:
        hours[0] = (time(7), time(14, 30))
    holidays = draw(st.sets(st.dates(date(2026, 1, 1), date(2027, 2, 1)), max_size=40))
    return WorkingCalendar.office(hours, holidays)


_any_calendar = st.one_of(st.just(OFFICE), st.just(ALWAYS_OPEN), _calendars())


@settings(max_examples=150, deadline=None)
@given(_any_calendar, _starts, st.integers(0, 9000), st.integers(0, 9000))
def test_due_date_grows_with_minutes(calendar, start, a, b):
    low, high = sorted((a, b))
    assert due_at(calendar, start, low) <= due_at(calendar, start, high)


@settings(max_examples=150, deadline=None)
@given(_any_calendar, _starts, st.integers(0, 5000), st.integers(0, 5000))
def test_due_dates_add_up(calendar, start, a, b):
    assert due_at(calendar, due_at(calendar, start, a), b) == due_at(calendar, start, a + b)


@settings(max_examples=150, deadline=None)
@given(_any_calendar, _starts, st.timedeltas(timedelta(0), timedelta(days=40)))
def test_counting_back_lands_at_or_before_and_inside_working_time(calendar, start, span):
    end = start + span
    minutes = working_minutes_between(calendar, start, end)
    due = due_at(calendar, start, minutes)
    assert start <= due <= end
    assert working_minutes_between(calendar, start, due) == minutes
    if minutes:
        # The clock ran up to the due instant: the moment before it is working time.
        assert is_working_time(calendar, due - timedelta(microseconds=1))


@settings(max_examples=150, deadline=None)
@given(_calendars() | st.just(OFFICE), _starts, st.timedeltas(timedelta(0), timedelta(days=400)))
def test_long_spans_counted_by_weeks_equal_the_walk_day_by_day(calendar, start, span):
    """Months of lateness are counted by whole weeks; the answer is the walk's, to the minute."""
    from db.sla import _walked

    end = start + span
    walked = int(_walked(calendar, start, end).total_seconds() // 60)
    assert working_minutes_between(calendar, start, end) == walked
    assert working_minutes_between(calendar, end, start) == -walked


@settings(max_examples=100, deadline=None)
@given(_starts, st.integers(0, 20000))
def test_24x7_equals_plain_addition(start, minutes):
    assert due_at(ALWAYS_OPEN, start, minutes) == start + timedelta(minutes=minutes)
    assert working_minutes_between(ALWAYS_OPEN, start, start + timedelta(minutes=minutes)) == (
        minutes
    )


@settings(max_examples=100, deadline=None)
@given(
    st.dates(date(2026, 1, 3), date(2026, 12, 25)).filter(
        lambda d: d.weekday() == 4 or d in OFFICE.holidays
    ),
    st.times(),
    st.integers(1, 3000),
)
def test_a_start_on_a_day_off_moves_to_the_next_working_morning(day, at, minutes):
    start = datetime.combine(day, at, tzinfo=TEHRAN).astimezone(UTC)
    morning = next_working_time(OFFICE, start)
    local = morning.astimezone(TEHRAN)
    assert local.date() > day
    assert local.time() == time(7, 0)
    assert due_at(OFFICE, start, minutes) == due_at(OFFICE, morning, minutes)


# --- calendars stored in the database --------------------------------------------------------


def test_load_calendar_reads_hours_and_holidays(engine, center_id):
    with session(engine) as s:
        office = Calendar(center_id=center_id, code="office", name_fa="اداری", name_en="Office")
        always = Calendar(
            center_id=center_id, code="24x7", name_fa="شبانه‌روزی", name_en="24/7", always_open=True
        )
        s.add_all([office, always])
        s.flush()
        for weekday, (opens, closes) in catalog_seed.OFFICE_HOURS.items():
            s.add(CalendarHours(calendar_id=office.id, weekday=weekday, opens=opens, closes=closes))
        s.add(Holiday(calendar_id=office.id, day=HOLIDAY, name="تعطیل"))
    with session(engine) as s:
        loaded = load_calendar(s, office.id)
        assert loaded.hours == OFFICE.hours
        assert loaded.holidays == {HOLIDAY}
        assert loaded.code == "office"
        assert load_calendar(s, always.id).always_open
        assert due_at(s, teh(16, 14), 60, calendar_id=office.id) == teh(18, 7, 30)
        with pytest.raises(CalendarNotFound):
            load_calendar(s, uuid.uuid4())
