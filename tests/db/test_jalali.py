"""Jalali dates: known vectors and round trips (pure, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from db.jalali import (
    MONTH_NAMES_FA,
    TEHRAN,
    WEEKDAY_NAMES_FA,
    JalaliParseError,
    format_date,
    format_date_long,
    format_datetime,
    format_time,
    jalali_days_in_month,
    jalali_month_range,
    jalali_year,
    now_utc,
    parse_jalali_date,
    parse_jalali_datetime,
    weekday_index,
    weekday_name,
)
from db.text import to_persian_digits

# Jalali 1300/01/01 .. 1499/12/29 (1499 is not a leap year).
FIRST = date(1921, 3, 21)
LAST = date(2121, 3, 20)


def test_known_dates():
    assert parse_jalali_date("1405/09/06") == date(2026, 11, 27)
    assert parse_jalali_date("1405/01/01") == date(2026, 3, 21)  # Nowruz
    assert parse_jalali_date("1403/12/30") == date(2025, 3, 20)  # 1403 is leap
    assert parse_jalali_date("1300/01/01") == FIRST
    assert parse_jalali_date("1499/12/29") == LAST


@pytest.mark.parametrize(
    "s", ["1405/09/06", "۱۴۰۵/۹/۶", "١٤٠٥/٠٩/٠٦", "1405-09-06", "1405.9.6", " 1405/09/06 "]
)
def test_parse_forms(s):
    assert parse_jalali_date(s) == date(2026, 11, 27)


@pytest.mark.parametrize(
    ("s", "reason"),
    [
        ("1404/12/30", "bad_day"),
        ("1405/07/31", "bad_day"),
        ("1405/01/32", "bad_day"),
        ("1405/01/00", "bad_day"),
        ("1405/13/01", "bad_month"),
        ("1405/00/01", "bad_month"),
        ("0000/01/01", "bad_year"),
        ("05/09/06", "bad_format"),
        ("1405/09", "bad_format"),
        ("1405/09/06/1", "bad_format"),
        ("", "bad_format"),
        ("۶ آذر ۱۴۰۵", "bad_format"),
    ],
)
def test_parse_errors(s, reason):
    with pytest.raises(JalaliParseError) as info:
        parse_jalali_date(s)
    assert info.value.reason == reason
    assert isinstance(info.value, ValueError)
    assert reason.replace("_", " ") in str(info.value)


def test_days_in_month():
    assert [jalali_days_in_month(1405, m) for m in range(1, 13)] == [31] * 6 + [30] * 5 + [29]
    assert jalali_days_in_month(1403, 12) == 30
    assert jalali_days_in_month(1399, 12) == 30


def test_format_date():
    d = date(2026, 11, 27)
    assert format_date(d) == "۱۴۰۵/۰۹/۰۶"
    assert format_date(d, "en") == "2026-11-27"
    assert format_date_long(d) == "۶ آذر ۱۴۰۵"
    assert format_date_long(d, "en") == "27 November 2026"


def test_utc_datetimes_shown_in_tehran():
    # 21:00 UTC is 00:30 the next day in Tehran (UTC+03:30)
    dt = datetime(2026, 11, 26, 21, 0, tzinfo=UTC)
    assert format_date(dt) == "۱۴۰۵/۰۹/۰۶"
    assert format_date(dt, "en") == "2026-11-27"
    assert format_datetime(dt) == "۱۴۰۵/۰۹/۰۶ ۰۰:۳۰"
    assert format_datetime(dt, "en") == "2026-11-27 00:30"
    assert format_time(dt) == "۰۰:۳۰"
    assert format_time(dt, "en") == "00:30"
    assert jalali_year(dt) == 1405
    # a naive datetime is taken as UTC (what SQLite returns)
    assert format_datetime(dt.replace(tzinfo=None), "en") == "2026-11-27 00:30"


def test_nowruz_boundary_year():
    # 1405/01/01 00:00 Tehran is 2026-03-20 20:30 UTC
    assert jalali_year(datetime(2026, 3, 20, 20, 29, tzinfo=UTC)) == 1404
    assert jalali_year(datetime(2026, 3, 20, 20, 30, tzinfo=UTC)) == 1405
    assert jalali_year(date(2026, 3, 21)) == 1405


def test_parse_datetime():
    dt = parse_jalali_datetime("1405/09/06 14:30")
    assert dt == datetime(2026, 11, 27, 11, 0, tzinfo=UTC)
    assert dt.tzinfo is UTC
    assert parse_jalali_datetime("۱۴۰۵/۹/۶  ۱۴:۳۰:۱۵") == dt + timedelta(seconds=15)
    for s, reason in [
        ("1405/09/06", "bad_format"),
        ("1405/09/06 14", "bad_format"),
        ("1405/09/06 24:00", "bad_time"),
        ("1405/09/06 12:60", "bad_time"),
        ("1404/12/30 10:00", "bad_day"),
    ]:
        with pytest.raises(JalaliParseError) as info:
            parse_jalali_datetime(s)
        assert info.value.reason == reason, s


def test_month_range():
    start, end = jalali_month_range(1405, 1)
    assert start == datetime(2026, 3, 20, 20, 30, tzinfo=UTC)
    assert end == datetime(2026, 4, 20, 20, 30, tzinfo=UTC)
    start, end = jalali_month_range(1403, 12)
    assert end - start == timedelta(days=30)
    assert jalali_month_range(1405, 12)[1] == jalali_month_range(1406, 1)[0]
    with pytest.raises(JalaliParseError):
        jalali_month_range(1405, 13)


def test_names():
    assert len(MONTH_NAMES_FA) == 12 and MONTH_NAMES_FA[0] == "فروردین"
    assert MONTH_NAMES_FA[8] == "آذر"
    assert WEEKDAY_NAMES_FA[0] == "شنبه" and WEEKDAY_NAMES_FA[6] == "جمعه"
    assert weekday_index(date(2026, 11, 28)) == 0  # a Saturday
    assert weekday_name(date(2026, 11, 27)) == "جمعه"
    assert weekday_name(date(2026, 11, 27), "en") == "Friday"


def test_now_utc_is_aware():
    now = now_utc()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)


@given(st.dates(min_value=FIRST, max_value=LAST))
def test_format_parse_round_trip(d):
    text = format_date(d)
    assert text == to_persian_digits(text)  # Persian digits only
    assert parse_jalali_date(text) == d
    assert 1300 <= jalali_year(d) <= 1499


@given(st.integers(1300, 1499), st.integers(1, 12), st.integers(1, 31))
def test_parse_format_round_trip(y, m, d):
    s = f"{y}/{m}/{d}"
    if d > jalali_days_in_month(y, m):
        with pytest.raises(JalaliParseError):
            parse_jalali_date(s)
        return
    assert format_date(parse_jalali_date(s)) == to_persian_digits(f"{y:04d}/{m:02d}/{d:02d}")
    assert format_date_long(parse_jalali_date(s)) == to_persian_digits(
        f"{d} {MONTH_NAMES_FA[m - 1]} {y}"
    )


@given(
    st.datetimes(
        min_value=datetime(2023, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    )
)
def test_datetime_round_trip_to_the_minute(dt):
    """Since 1401 Tehran has no daylight saving, so local minutes map back one to one."""
    assert parse_jalali_datetime(format_datetime(dt)) == dt.replace(second=0, microsecond=0)


@given(st.integers(1300, 1498), st.integers(1, 12))
def test_month_range_is_first_to_last_instant(y, m):
    """Start is the first instant of day 1 in Tehran (01:00 when a DST switch skipped midnight,
    as on 1359/01/01), end the first instant of the next month."""
    start, end = jalali_month_range(y, m)
    assert start.tzinfo is not None
    one = timedelta(microseconds=1)
    assert format_date(start) == to_persian_digits(f"{y:04d}/{m:02d}/01")
    assert format_date(start - one) != format_date(start)
    last = f"{y:04d}/{m:02d}/{jalali_days_in_month(y, m):02d}"
    assert format_date(end - one) == to_persian_digits(last)
    assert format_date(end)[-2:] == "۰۱"


def test_month_range_when_dst_skipped_midnight():
    start, _ = jalali_month_range(1359, 1)
    assert start.astimezone(TEHRAN).hour == 1
    assert start == datetime(1980, 3, 20, 20, 30, tzinfo=UTC)
