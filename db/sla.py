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

A request runs three clocks on its category's calendar (the citizen's, the unit's and the
response clock; see "the clocks of a request" below): :func:`clock_state` reads one as a
:class:`ClockView` (ok, warning, overdue or paused), :func:`extend_for_pause` moves a due date on
by the working time a pause took, :func:`escalation_level_reached` says which level a late clock
calls for, and :func:`load_sla_settings` reads a center's thresholds (``sla.*`` CenterSetting
rows, defaults in :class:`SlaSettings`).
"""

import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlmodel import Session, col, select

from db.jalali import TEHRAN
from db.models import Calendar, CalendarHours, CenterSetting, Holiday

__all__ = [
    "ALWAYS_OPEN",
    "DEFAULT_SLA_SETTINGS",
    "SETTING_ESCALATING_CLOCKS",
    "SETTING_ESCALATION_AFTER",
    "SETTING_WARNING_SHARE",
    "CalendarNotFound",
    "ClockName",
    "ClockState",
    "ClockView",
    "ClockedTicket",
    "SlaSettings",
    "WorkingCalendar",
    "clock_bounds",
    "clock_state",
    "due_at",
    "escalation_level_reached",
    "extend_for_pause",
    "is_working_time",
    "load_calendar",
    "load_calendars",
    "load_center_settings",
    "load_sla_settings",
    "next_working_time",
    "sla_settings_from",
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
    _days: dict[date, tuple[datetime, datetime] | None] = field(
        default_factory=dict, init=False, compare=False, hash=False, repr=False
    )
    """Each day's working interval once worked out (see `_day_interval`)."""

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
    """The working interval of a Tehran-local day, in UTC, or None for a day off.

    Remembered on the calendar itself: a screen reads the clocks of thousands of requests over
    the same few weeks, and a lookup keyed by the calendar's value would hash and compare its
    holidays on every day of every clock.
    """
    try:
        return calendar._days[day]
    except KeyError:
        interval = calendar._days[day] = _work_out_day(calendar, day)
        return interval


def _work_out_day(calendar: WorkingCalendar, day: date) -> tuple[datetime, datetime] | None:
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
    return int(_working_time(cal, a, b).total_seconds() // 60)


# Iran has kept standard time all year since September 2022: from then on a local day's
# working hours last as long in UTC, and whole weeks can be counted instead of walked.
_NO_DST_SINCE = date(2022, 10, 1)


def _walked(cal: WorkingCalendar, a: datetime, b: datetime) -> timedelta:
    """Working time from ``a`` to ``b`` (``a <= b``), one working interval at a time."""
    total = timedelta(0)
    for begin, end in _intervals(cal, a):
        if begin >= b:
            break
        total += min(end, b) - begin
    return total


def _day_length(cal: WorkingCalendar, weekday: int) -> timedelta:
    """How long a working day of ``weekday`` (0 = Saturday) is open, holidays aside."""
    span = cal.hours[weekday]
    if span is None:
        return timedelta(0)
    opens, closes = span
    if closes == time(0):
        return timedelta(days=1) - timedelta(hours=opens.hour, minutes=opens.minute)
    if closes <= opens:
        return timedelta(0)
    return datetime.combine(date.min, closes) - datetime.combine(date.min, opens)


def _whole_days(cal: WorkingCalendar, first: date, stop: date) -> timedelta:
    """Working time of the local days ``first`` up to (not including) ``stop``."""
    days = (stop - first).days
    weeks = days // 7
    lengths = [_day_length(cal, w) for w in range(7)]
    total = sum(lengths, timedelta(0)) * weeks
    for i in range(weeks * 7, days):
        total += lengths[((first + timedelta(days=i)).weekday() + 2) % 7]
    for holiday in cal.holidays:
        if first <= holiday < stop:
            total -= lengths[(holiday.weekday() + 2) % 7]
    return total


def _working_time(cal: WorkingCalendar, a: datetime, b: datetime) -> timedelta:
    """Working time from ``a`` to ``b`` (``a <= b``) on an office calendar.

    A long span (a request late by months) is counted in three parts: the rest of ``a``'s day
    and the start of ``b``'s day walked, the whole days between counted by weekday, so a
    clock's reading costs the same for a request late by an hour or by a year.
    """
    first = a.astimezone(TEHRAN).date() + timedelta(days=1)
    stop = b.astimezone(TEHRAN).date()
    if (stop - first).days < 7 or first < _NO_DST_SINCE:
        return _walked(cal, a, b)
    first_midnight = datetime.combine(first, time(0), tzinfo=TEHRAN).astimezone(UTC)
    stop_midnight = datetime.combine(stop, time(0), tzinfo=TEHRAN).astimezone(UTC)
    return (
        _walked(cal, a, first_midnight)
        + _whole_days(cal, first, stop)
        + _walked(cal, stop_midnight, b)
    )


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


# --- the two clocks of a request -------------------------------------------------------------
#
# Every request runs two clocks on its category's calendar (DOMAIN.md, issue 4), and a third
# that only lives until a unit has the request:
#
# - the citizen's clock (``citizen``): from the first call (``opened_at``) to the category's
#   resolution target (``resolution_due_at``). It stops at the unit's answer (``resolved_at``)
#   or when the request is closed or cancelled. A rejected answer clears ``resolved_at``: the
#   answer did not count, so the clock runs on as if it had never stopped.
# - the unit's clock (``unit``): from the latest referral (``referred_at``) to the category's
#   resolution target counted again from that referral (``unit_due_at``): each referral gives
#   the unit the whole target, and the chase board measures the unit by it. It stops at the
#   unit's answer given after that referral, or at closing. No referral, no unit clock.
# - the response clock (``response``): from the first call to the category's response target
#   (``response_due_at``), "until a unit has it": it stops at the first unit action
#   (``responded_at``: started or answered).
#
# While the request waits on the subscriber (``paused_at`` set) every running clock is read at
# the moment it was paused; on resuming, each running clock's due date moves on by the working
# time the pause took (:func:`extend_for_pause`), so stored due dates stay true and the queue
# index (status, resolution_due_at, id) keeps sorting by real urgency.


class ClockName(StrEnum):
    CITIZEN = "citizen"
    UNIT = "unit"
    RESPONSE = "response"


class ClockState(StrEnum):
    OK = "ok"
    WARNING = "warning"  # at most ``warning_share`` of the target left
    OVERDUE = "overdue"  # the due instant has come
    PAUSED = "paused"  # waiting on the subscriber


_CLOCK_NAMES = frozenset(c.value for c in ClockName)

#: CenterSetting keys read by :func:`load_sla_settings`, with their defaults in SlaSettings.
SETTING_WARNING_SHARE = "sla.warning_share"
SETTING_ESCALATION_AFTER = "sla.escalation_after"
SETTING_ESCALATING_CLOCKS = "sla.escalating_clocks"


@dataclass(frozen=True)
class SlaSettings:
    """A center's SLA thresholds.

    ``warning_share``: a running clock with at most this share of its target left warns
    (default 0.25). ``escalation_after``: for levels 1, 2, 3, how far past due (as a share of the
    clock's target, in working time) a running clock must be for automatic escalation to reach
    that level (default 0, 0.5, 1.5: level 1 as soon as the clock runs out, level 2 when it is
    late by half its target, level 3 by one and a half). ``escalating_clocks``: which clocks
    escalate automatically (default the citizen's and the unit's; the response clock is shown
    but escalates only when listed).
    """

    warning_share: float = 0.25
    escalation_after: tuple[float, float, float] = (0.0, 0.5, 1.5)
    escalating_clocks: tuple[str, ...] = ("citizen", "unit")

    def __post_init__(self) -> None:
        if not 0 <= self.warning_share <= 1:
            raise ValueError("warning_share must be between 0 and 1")
        after = self.escalation_after
        if len(after) != 3 or any(a < 0 for a in after) or list(after) != sorted(after):
            raise ValueError("escalation_after: three non-negative, non-decreasing shares")
        unknown = set(self.escalating_clocks) - _CLOCK_NAMES
        if unknown:
            raise ValueError(f"unknown clocks {sorted(unknown)}")


DEFAULT_SLA_SETTINGS = SlaSettings()


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def sla_settings_from(values: Mapping[str, Any]) -> SlaSettings:
    """SlaSettings from CenterSetting values by key; a missing or malformed value keeps its
    default (a typo in one setting must not stop the clocks)."""
    share = _number(values.get(SETTING_WARNING_SHARE))
    if share is None or not 0 <= share <= 1:
        share = DEFAULT_SLA_SETTINGS.warning_share
    after: tuple[float, float, float] = DEFAULT_SLA_SETTINGS.escalation_after
    raw = values.get(SETTING_ESCALATION_AFTER)
    if isinstance(raw, list | tuple) and len(raw) == 3:
        numbers = [_number(v) for v in raw]
        if all(n is not None and n >= 0 for n in numbers):
            a, b, c = (float(n or 0) for n in numbers)
            if a <= b <= c:
                after = (a, b, c)
    clocks = DEFAULT_SLA_SETTINGS.escalating_clocks
    raw = values.get(SETTING_ESCALATING_CLOCKS)
    if isinstance(raw, list | tuple) and all(c in _CLOCK_NAMES for c in raw):
        clocks = tuple(dict.fromkeys(str(c) for c in raw))
    return SlaSettings(warning_share=share, escalation_after=after, escalating_clocks=clocks)


def load_center_settings(
    session: Session, center_id: uuid.UUID, keys: Iterable[str]
) -> dict[str, Any]:
    """The center's CenterSetting values for ``keys`` (missing keys are left out)."""
    wanted = list(keys)
    rows = session.exec(
        select(CenterSetting).where(
            CenterSetting.center_id == center_id, col(CenterSetting.key).in_(wanted)
        )
    ).all()
    return {row.key: row.value for row in rows}


def load_sla_settings(session: Session, center_id: uuid.UUID) -> SlaSettings:
    """The center's SLA settings (CenterSetting rows ``sla.*``), defaults where unset."""
    return sla_settings_from(
        load_center_settings(
            session,
            center_id,
            (SETTING_WARNING_SHARE, SETTING_ESCALATION_AFTER, SETTING_ESCALATING_CLOCKS),
        )
    )


class ClockedTicket(Protocol):
    """What the clocks read from a request: a Ticket row or any view with these attributes."""

    opened_at: datetime
    referred_at: datetime | None
    response_due_at: datetime | None
    resolution_due_at: datetime | None
    unit_due_at: datetime | None
    responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    paused_at: datetime | None


@dataclass(frozen=True)
class ClockView:
    """One clock of a request, read at ``as_of``.

    ``minutes_left`` are working minutes on the calendar (plain minutes on 24/7) from the reading
    instant to ``due_at``: negative when late, None when the category sets no target. The reading
    instant is ``as_of`` for a running clock, ``paused_at`` for a paused one, ``stopped_at`` for
    a stopped one. ``share_left`` is ``minutes_left / target_minutes`` (negative when late).
    ``late`` says the due instant had come at the reading instant (a paused or stopped clock may
    be late while its state is paused, or overdue forever after it stopped late).
    """

    clock: str
    started_at: datetime
    due_at: datetime | None
    stopped_at: datetime | None
    paused_at: datetime | None
    target_minutes: int | None
    minutes_left: int | None
    share_left: float | None
    late: bool
    state: str
    as_of: datetime

    @property
    def running(self) -> bool:
        return self.stopped_at is None

    @property
    def overdue(self) -> bool:
        return self.state == ClockState.OVERDUE


def _earliest(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def clock_bounds(
    ticket: ClockedTicket, clock: str = ClockName.CITIZEN
) -> tuple[datetime, datetime | None, datetime | None] | None:
    """``(started_at, due_at, stopped_at)`` of one clock, or None when it does not exist."""
    if clock == ClockName.CITIZEN:
        return (
            ticket.opened_at,
            ticket.resolution_due_at,
            _earliest(ticket.resolved_at, ticket.closed_at),
        )
    if clock == ClockName.UNIT:
        if ticket.referred_at is None:
            return None
        answered = ticket.resolved_at
        if answered is not None and answered < ticket.referred_at:
            answered = None  # an answer before the latest referral is an earlier unit's
        return ticket.referred_at, ticket.unit_due_at, _earliest(answered, ticket.closed_at)
    if clock == ClockName.RESPONSE:
        return (
            ticket.opened_at,
            ticket.response_due_at,
            _earliest(ticket.responded_at, ticket.closed_at),
        )
    raise ValueError(f"unknown clock {clock!r}")


def clock_state(
    ticket: ClockedTicket,
    calendar: WorkingCalendar,
    now: datetime,
    settings: SlaSettings = DEFAULT_SLA_SETTINGS,
    *,
    clock: str = ClockName.CITIZEN,
    target_minutes: int | None = None,
) -> ClockView | None:
    """Read one clock of ``ticket`` at ``now`` on its category's ``calendar``.

    ``target_minutes`` is the category's target for this clock (resolution for the citizen's
    and the unit's, response for the response clock); without it the target is taken as the
    working minutes from start to due, which is exact unless the request was ever paused.
    Returns None for a clock that does not exist (the unit's before any referral).
    """
    bounds = clock_bounds(ticket, clock)
    if bounds is None:
        return None
    started, due, stopped = bounds
    now = _aware(now, "now")
    paused = ticket.paused_at if stopped is None else None
    reading = stopped or paused or now
    if due is None:
        return ClockView(
            clock=str(clock), started_at=started, due_at=None, stopped_at=stopped,
            paused_at=paused, target_minutes=target_minutes, minutes_left=None,
            share_left=None, late=False,
            state=ClockState.PAUSED if paused is not None else ClockState.OK, as_of=now,
        )  # fmt: skip
    left = working_minutes_between(calendar, reading, due)
    target = (
        target_minutes
        if target_minutes is not None
        else max(0, working_minutes_between(calendar, started, due))
    )
    share = left / target if target > 0 else (1.0 if left > 0 else 0.0)
    late = reading >= due
    if paused is not None:
        state = ClockState.PAUSED
    elif late:
        state = ClockState.OVERDUE
    elif share <= settings.warning_share:
        state = ClockState.WARNING
    else:
        state = ClockState.OK
    return ClockView(
        clock=str(clock),
        started_at=started,
        due_at=due,
        stopped_at=stopped,
        paused_at=paused,
        target_minutes=target,
        minutes_left=left,
        share_left=share,
        late=late,
        state=state,
        as_of=now,
    )


def escalation_level_reached(view: ClockView | None, settings: SlaSettings) -> int:
    """The escalation level (0-3) a clock calls for: only a running, unpaused, late clock
    escalates, to the highest level whose ``escalation_after`` share it is late by."""
    if view is None or not view.running or view.paused_at is not None or not view.late:
        return 0
    share = view.share_left if view.share_left is not None else 0.0
    level = 0
    for k, after in enumerate(settings.escalation_after, start=1):
        if share <= -after:
            level = k
    return level


def _working_time(calendar: WorkingCalendar, a: datetime, b: datetime) -> timedelta:
    """Exact working time from ``a`` to ``b`` (zero when ``b`` is not after ``a``)."""
    if b <= a:
        return timedelta(0)
    if calendar.always_open:
        return b - a
    total = timedelta(0)
    for begin, end in _intervals(calendar, a):
        if begin >= b:
            break
        total += min(end, b) - begin
    return total


def _add_working_time(calendar: WorkingCalendar, start: datetime, amount: timedelta) -> datetime:
    if calendar.always_open or not amount:
        return start + amount
    for begin, end in _intervals(calendar, start):
        if amount <= end - begin:
            return begin + amount
        amount -= end - begin
    raise AssertionError("unreachable")  # pragma: no cover - _intervals never ends


def extend_for_pause(
    calendar: WorkingCalendar, due: datetime, paused_at: datetime, resumed_at: datetime
) -> datetime:
    """``due`` moved on by the working time between ``paused_at`` and ``resumed_at``.

    Working time adds up, so this is the due date the clock would have had if its target had
    been that much longer from the start: the pause is excluded to the second.
    """
    due, paused_at, resumed_at = (
        _aware(due, "due"),
        _aware(paused_at, "paused_at"),
        _aware(resumed_at, "resumed_at"),
    )
    return _add_working_time(calendar, due, _working_time(calendar, paused_at, resumed_at))
