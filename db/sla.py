"""Service-level clocks: when a request is due, and how much working time is left.

A category's response and resolution targets are counted on its calendar (DOMAIN.md):

- a 24/7 calendar counts plain minutes;
- an office calendar counts only working minutes: the hours of each weekday (0 = Saturday, in
  Asia/Tehran local time) minus the holidays, which are Gregorian dates of the Tehran-local day.

A calendar is loaded once into a frozen :class:`WorkingCalendar`, so computing many due dates or
clocks (a queue, a caller card) needs no further queries. All arithmetic happens on aware UTC
instants: each working interval is built in Tehran wall-clock time and converted to UTC, so a
historical daylight-saving change (Iran observed DST until 2022) only makes that day's interval
an hour shorter or longer, as it really was.
"""

import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from db.jalali import TEHRAN
from db.models import Calendar, CalendarHours, Holiday

__all__ = [
    "ALWAYS_OPEN",
    "CalendarNotFound",
    "WorkingCalendar",
    "due_at",
    "is_working_time",
    "load_calendar",
    "load_calendars",
    "next_working_time",
    "working_minutes_between",
]

# A calendar with hours on some weekday always opens again within a week unless holidays fill
# every working day; holidays are a finite list, so this bound only stops a corrupt calendar.
_MAX_DAYS = 3 * 366


class CalendarNotFound(LookupError):
    """No calendar with this id."""

    def __init__(self, calendar_id: uuid.UUID) -> None:
        self.calendar_id = calendar_id
        super().__init__(f"no SLA calendar {calendar_id}")


@dataclass(frozen=True)
class WorkingCalendar:
    """An SLA calendar as plain data.

    ``hours[weekday]`` is ``(opens, closes)`` or ``None`` for a day off; weekday 0 is Saturday.
    ``closes == time(0)`` means midnight at the end of the day. A day whose ``closes`` is not
    after ``opens`` (other than midnight) is a day off.
    """

    always_open: bool
    hours: tuple[tuple[time, time] | None, ...] = (None,) * 7
    holidays: frozenset[date] = field(default_factory=frozenset)
    id: uuid.UUID | None = None
    code: str = ""

    @classmethod
    def office(
        cls,
        hours: Mapping[int, tuple[time, time]],
        holidays: Iterable[date] = (),
        *,
        id: uuid.UUID | None = None,
        code: str = "",
    ) -> "WorkingCalendar":
        """An office-hours calendar from ``{weekday: (opens, closes)}`` and holiday dates."""
        for weekday in hours:
            if not 0 <= weekday <= 6:
                raise ValueError(f"weekday must be 0 (Saturday) .. 6 (Friday), got {weekday}")
        return cls(
            always_open=False,
            hours=tuple(hours.get(weekday) for weekday in range(7)),
            holidays=frozenset(holidays),
            id=id,
            code=code,
        )

    def __post_init__(self) -> None:
        if len(self.hours) != 7:
            raise ValueError("hours must have one entry per weekday (7)")


ALWAYS_OPEN = WorkingCalendar(always_open=True, code="24x7")


def load_calendar(session: Session, calendar_id: uuid.UUID) -> WorkingCalendar:
    """Read a calendar, its weekday hours and its holidays (three small queries)."""
    calendars = load_calendars(session, [calendar_id])
    return calendars[calendar_id]


def load_calendars(
    session: Session, calendar_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, WorkingCalendar]:
    """Read several calendars at once; raises :class:`CalendarNotFound` for a missing one."""
    ids = set(calendar_ids)
    if not ids:
        return {}
    rows = session.exec(select(Calendar).where(col(Calendar.id).in_(ids))).all()
    found = {row.id: row for row in rows}
    for calendar_id in ids:
        if calendar_id not in found:
            raise CalendarNotFound(calendar_id)
    office_ids = [row.id for row in rows if not row.always_open]
    hours: dict[uuid.UUID, dict[int, tuple[time, time]]] = {i: {} for i in office_ids}
    holidays: dict[uuid.UUID, set[date]] = {i: set() for i in office_ids}
    if office_ids:
        for h in session.exec(
            select(CalendarHours).where(col(CalendarHours.calendar_id).in_(office_ids))
        ):
            hours[h.calendar_id][h.weekday] = (h.opens, h.closes)
        for day in session.exec(select(Holiday).where(col(Holiday.calendar_id).in_(office_ids))):
            holidays[day.calendar_id].add(day.day)
    result = {}
    for row in rows:
        if row.always_open:
            result[row.id] = WorkingCalendar(always_open=True, id=row.id, code=row.code)
        else:
            result[row.id] = WorkingCalendar.office(
                hours[row.id], holidays[row.id], id=row.id, code=row.code
            )
    return result


def _resolve(calendar: "WorkingCalendar | Session", calendar_id: uuid.UUID | None):
    if isinstance(calendar, WorkingCalendar):
        return calendar
    if calendar_id is None:
        raise TypeError("give a WorkingCalendar, or a session and calendar_id=")
    return load_calendar(calendar, calendar_id)


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value.astimezone(UTC)


def _day_interval(calendar: WorkingCalendar, day: date) -> tuple[datetime, datetime] | None:
    """The working interval of a Tehran-local day, in UTC, or None for a day off."""
    if day in calendar.holidays:
        return None
    span = calendar.hours[(day.weekday() + 2) % 7]
    if span is None:
        return None
    opens, closes = span
    start = datetime.combine(day, opens, tzinfo=TEHRAN)
    if closes == time(0):
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=TEHRAN)
    elif closes > opens:
        end = datetime.combine(day, closes, tzinfo=TEHRAN)
    else:
        return None
    return start.astimezone(UTC), end.astimezone(UTC)


def _intervals(calendar: WorkingCalendar, since: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Working intervals (UTC) that end after ``since``, clipped to start no earlier than it."""
    day = since.astimezone(TEHRAN).date() - timedelta(days=1)  # an interval may run past midnight
    idle = 0
    while True:
        interval = _day_interval(calendar, day)
        day += timedelta(days=1)
        if interval is None or interval[1] <= since:
            idle += 1
            if idle > _MAX_DAYS:
                raise ValueError(f"calendar {calendar.code or calendar.id} is never open")
            continue
        idle = 0
        yield max(interval[0], since), interval[1]


def due_at(
    calendar: "WorkingCalendar | Session",
    start: datetime,
    minutes: int,
    *,
    calendar_id: uuid.UUID | None = None,
) -> datetime:
    """The instant at which ``minutes`` of the calendar's time have passed since ``start``.

    24/7: ``start + minutes``. Office hours: the earliest instant with that many working minutes
    since ``start``; a start outside working hours (evening, Friday, a holiday) counts from the
    next opening, and a target that fills a day exactly is due at that day's closing time.
    ``minutes == 0`` is ``start`` itself. Pass a loaded :class:`WorkingCalendar`, or a session
    with ``calendar_id=``. Returns aware UTC.
    """
    cal = _resolve(calendar, calendar_id)
    start = _aware(start, "start")
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    remaining = timedelta(minutes=minutes)
    if cal.always_open or not remaining:
        return start + remaining
    for begin, end in _intervals(cal, start):
        if remaining <= end - begin:
            return begin + remaining
        remaining -= end - begin
    raise AssertionError("unreachable")  # pragma: no cover - _intervals never ends


def working_minutes_between(
    calendar: "WorkingCalendar | Session",
    a: datetime,
    b: datetime,
    *,
    calendar_id: uuid.UUID | None = None,
) -> int:
    """Whole working minutes from ``a`` to ``b`` (negative when ``b`` is before ``a``).

    For "time left" pass ``(now, due)``: a negative answer is how late the request is. Partial
    minutes are dropped towards zero, so ``due_at(a, working_minutes_between(a, b)) <= b``.
    """
    cal = _resolve(calendar, calendar_id)
    a, b = _aware(a, "a"), _aware(b, "b")
    if b < a:
        return -working_minutes_between(cal, b, a)
    if cal.always_open:
        return int((b - a).total_seconds() // 60)
    total = timedelta(0)
    for begin, end in _intervals(cal, a):
        if begin >= b:
            break
        total += min(end, b) - begin
    return int(total.total_seconds() // 60)


def is_working_time(calendar: WorkingCalendar, at: datetime) -> bool:
    """Whether the clock runs at ``at``: opening instant included, closing instant excluded."""
    at = _aware(at, "at")
    if calendar.always_open:
        return True
    begin, _end = next(_intervals(calendar, at))
    return begin == at


def next_working_time(calendar: WorkingCalendar, at: datetime) -> datetime:
    """``at`` itself in working time, otherwise the next opening (aware UTC)."""
    at = _aware(at, "at")
    if calendar.always_open:
        return at
    return next(_intervals(calendar, at))[0]
