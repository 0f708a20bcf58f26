"""A report's period: whole Jalali days, from Tehran midnight to Tehran midnight.

People ask for "Azar" or "from the 1st to the 15th", never for UTC instants, so a period is
made from Jalali dates and kept as both: the Gregorian dates of its first and last day (to show
back as Jalali) and the ``[start, end)`` UTC instants every query compares stored times with.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import jdatetime

from db.jalali import TEHRAN, JalaliParseError, jalali_days_in_month, parse_jalali_date
from db.reports.errors import ReportError

__all__ = ["Period", "month_of", "parse_period", "period_between"]


@dataclass(frozen=True)
class Period:
    """Whole Tehran days ``first_day`` .. ``last_day`` (inclusive, Gregorian ``date`` values).

    ``start`` is Tehran midnight at the start of ``first_day`` and ``end`` Tehran midnight after
    ``last_day``, both aware UTC: a stored time ``t`` is in the period when
    ``start <= t < end``.
    """

    first_day: date
    last_day: date
    start: datetime
    end: datetime


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=TEHRAN).astimezone(UTC)


def period_between(first_day: date, last_day: date) -> Period:
    """The period of whole days ``first_day`` .. ``last_day``; refused when they are reversed."""
    if last_day < first_day:
        raise ReportError("bad_period", first=first_day, last=last_day)
    return Period(first_day, last_day, _midnight(first_day), _midnight(last_day + timedelta(1)))


def _tehran_today(now: datetime) -> date:
    return now.astimezone(TEHRAN).date()


def month_of(now: datetime) -> Period:
    """The whole Jalali month that ``now`` falls in (Tehran time), to its last day."""
    today = jdatetime.date.fromgregorian(date=_tehran_today(now))
    first = jdatetime.date(today.year, today.month, 1).togregorian()
    days = jalali_days_in_month(today.year, today.month)
    return period_between(first, first + timedelta(days - 1))


def _parse(text: str, field: str) -> date:
    try:
        return parse_jalali_date(text)
    except JalaliParseError as exc:
        raise ReportError("bad_date", field=field, problem=exc.reason, text=text) from None


def parse_period(from_text: str | None, to_text: str | None, *, now: datetime) -> Period:
    """The period the CLI and the reports screen ask for, from typed Jalali dates.

    Neither date: the Jalali month of ``now``. Only ``from``: from that day to today. Only
    ``to``: from the first of that day's Jalali month to that day. Digits may be Persian.
    """
    if not from_text and not to_text:
        return month_of(now)
    if from_text and to_text:
        return period_between(_parse(from_text, "from"), _parse(to_text, "to"))
    if from_text:
        return period_between(_parse(from_text, "from"), _tehran_today(now))
    assert to_text
    last = _parse(to_text, "to")
    jlast = jdatetime.date.fromgregorian(date=last)
    return period_between(jdatetime.date(jlast.year, jlast.month, 1).togregorian(), last)
