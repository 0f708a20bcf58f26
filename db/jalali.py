"""Jalali dates: shown in Persian, stored in UTC (ARCHITECTURE.md).

Times are stored timezone-aware in UTC and shown in Asia/Tehran. A naive ``datetime`` is taken
as UTC, because that is what SQLite hands back for a UTC column. Plain ``date`` values are
calendar days and are never shifted. Persian output uses the Jalali calendar and Persian
digits; English output uses the Gregorian calendar and ASCII digits.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import jdatetime

from db.text import to_ascii_digits, to_persian_digits

__all__ = [
    "MONTH_NAMES_EN",
    "MONTH_NAMES_FA",
    "TEHRAN",
    "WEEKDAY_NAMES_EN",
    "WEEKDAY_NAMES_FA",
    "JalaliParseError",
    "Lang",
    "format_date",
    "format_date_long",
    "format_datetime",
    "format_time",
    "jalali_days_in_month",
    "jalali_month_range",
    "jalali_year",
    "now_utc",
    "parse_jalali_date",
    "parse_jalali_datetime",
    "weekday_index",
    "weekday_name",
]

Lang = Literal["fa", "en"]

TEHRAN = ZoneInfo("Asia/Tehran")

#: Jalali month names, index 0 = Farvardin.
MONTH_NAMES_FA: tuple[str, ...] = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)
#: Gregorian month names, index 0 = January (for English long dates).
MONTH_NAMES_EN: tuple[str, ...] = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
#: Weekday names, index 0 = Saturday, the first day of the Iranian week.
WEEKDAY_NAMES_FA: tuple[str, ...] = (
    "شنبه",
    "یکشنبه",
    "دوشنبه",
    "سه‌شنبه",
    "چهارشنبه",
    "پنجشنبه",
    "جمعه",
)
WEEKDAY_NAMES_EN: tuple[str, ...] = (
    "Saturday",
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
)


class JalaliParseError(ValueError):
    """A Jalali date or time could not be read; ``reason`` is a stable code to translate:
    ``bad_format``, ``bad_year``, ``bad_month``, ``bad_day`` or ``bad_time``."""

    def __init__(self, reason: str, text: str) -> None:
        self.reason = reason
        self.text = text
        super().__init__(f"{reason.replace('_', ' ')}: {text!r}")


def now_utc() -> datetime:
    """The current time, timezone-aware in UTC (the only form times are stored in)."""
    return datetime.now(UTC)


def _local(value: date | datetime) -> date | datetime:
    """A datetime in Tehran local time (naive taken as UTC); a date unchanged."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(TEHRAN)
    return value


def _local_date(value: date | datetime) -> date:
    v = _local(value)
    return v.date() if isinstance(v, datetime) else v


def _jdate(value: date | datetime) -> jdatetime.date:
    return jdatetime.date.fromgregorian(date=_local_date(value))


def format_date(value: date | datetime, lang: Lang = "fa") -> str:
    """``۱۴۰۵/۰۹/۰۶`` (Jalali, Persian digits) for fa, ``2026-11-27`` (ISO) for en."""
    if lang == "fa":
        j = _jdate(value)
        return to_persian_digits(f"{j.year:04d}/{j.month:02d}/{j.day:02d}")
    return _local_date(value).isoformat()


def format_time(value: datetime, lang: Lang = "fa") -> str:
    """``HH:MM`` in Tehran time; Persian digits for fa."""
    text = _local(value).strftime("%H:%M")
    return to_persian_digits(text) if lang == "fa" else text


def format_datetime(value: datetime, lang: Lang = "fa") -> str:
    """Date and ``HH:MM`` in Tehran time: ``۱۴۰۵/۰۹/۰۶ ۱۴:۳۰`` or ``2026-11-27 14:30``."""
    return f"{format_date(value, lang)} {format_time(value, lang)}"


def format_date_long(value: date | datetime, lang: Lang = "fa") -> str:
    """``۶ آذر ۱۴۰۵`` for fa, ``27 November 2026`` for en."""
    if lang == "fa":
        j = _jdate(value)
        return to_persian_digits(f"{j.day} {MONTH_NAMES_FA[j.month - 1]} {j.year}")
    d = _local_date(value)
    return f"{d.day} {MONTH_NAMES_EN[d.month - 1]} {d.year}"


def weekday_index(value: date | datetime) -> int:
    """Day of the Iranian week: 0 = Saturday ... 6 = Friday."""
    return (_local_date(value).weekday() + 2) % 7


def weekday_name(value: date | datetime, lang: Lang = "fa") -> str:
    names = WEEKDAY_NAMES_FA if lang == "fa" else WEEKDAY_NAMES_EN
    return names[weekday_index(value)]


def jalali_days_in_month(year: int, month: int) -> int:
    """31 for months 1–6, 30 for 7–11, 29 for Esfand (30 in a leap year)."""
    if month < 12:
        return 31 if month <= 6 else 30
    return 30 if jdatetime.date(year, 1, 1).isleap() else 29


_DATE = re.compile(r"(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def _to_gregorian(y: int, m: int, d: int, text: str) -> date:
    if not jdatetime.MINYEAR <= y <= jdatetime.MAXYEAR:
        raise JalaliParseError("bad_year", text)
    if not 1 <= m <= 12:
        raise JalaliParseError("bad_month", text)
    if not 1 <= d <= jalali_days_in_month(y, m):
        raise JalaliParseError("bad_day", text)
    return jdatetime.date(y, m, d).togregorian()


def parse_jalali_date(s: str) -> date:
    """The Gregorian ``date`` of a Jalali date typed as ``1405/09/06``, ``۱۴۰۵/۹/۶``,
    ``1405-09-06`` or ``1405.09.06`` (any digit script, four-digit year)."""
    text = to_ascii_digits(s).strip()
    match = _DATE.fullmatch(text)
    if match is None:
        raise JalaliParseError("bad_format", s)
    return _to_gregorian(*(int(g) for g in match.groups()), s)


def parse_jalali_datetime(s: str) -> datetime:
    """An aware UTC datetime from ``1405/09/06 14:30`` (seconds optional) read in Tehran time."""
    parts = to_ascii_digits(s).split()
    if len(parts) != 2:
        raise JalaliParseError("bad_format", s)
    try:
        day = parse_jalali_date(parts[0])
    except JalaliParseError as e:
        raise JalaliParseError(e.reason, s) from None
    match = _TIME.fullmatch(parts[1])
    if match is None:
        raise JalaliParseError("bad_format", s)
    hh, mm, ss = (int(g or 0) for g in match.groups())
    if hh > 23 or mm > 59 or ss > 59:
        raise JalaliParseError("bad_time", s)
    return datetime.combine(day, time(hh, mm, ss), tzinfo=TEHRAN).astimezone(UTC)


def jalali_year(value: date | datetime) -> int:
    """The Jalali year of the Tehran-local date (e.g. for tracking codes and reports)."""
    return _jdate(value).year


def jalali_month_range(year: int, month: int) -> tuple[datetime, datetime]:
    """``[start, end)`` in aware UTC of a Jalali month in Tehran time, for report queries."""
    first = _to_gregorian(year, month, 1, f"{year}/{month}")
    after = first + timedelta(days=jalali_days_in_month(year, month))
    return _midnight_utc(first), _midnight_utc(after)


def _midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=TEHRAN).astimezone(UTC)
