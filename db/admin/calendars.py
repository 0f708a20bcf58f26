"""SLA calendars: the working week, office hours and the official holidays.

Iran's working week and holidays vary by province and year (Thursday short or off; half the
holidays follow the lunar calendar, announced each year), so they are data an admin keeps, not
rules in code. A published holiday list can be imported from CSV with Jalali dates
(:func:`import_holidays`). Changes apply to clocks computed afterwards (db.sla reads calendars
on every use); due dates already set stay as they were.
"""

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from sqlmodel import Session, col, func, select

from db.accounts import AgentView
from db.admin.changes import apply_changes, record_change
from db.admin.csvfile import BadRow, cell, open_csv
from db.admin.errors import AdminError
from db.admin.scope import UNSET, admin_center, check_code, check_text, references
from db.jalali import JalaliParseError, format_date, jalali_year, parse_jalali_date
from db.models import Calendar, CalendarHours, Holiday, utcnow
from db.text import normalize, to_ascii_digits

Hours = tuple[time, time]


@dataclass(frozen=True)
class CalendarView:
    """``hours[weekday]`` is (opens, closes) or None for a day off; weekday 0 is Saturday and
    ``closes == 00:00`` means midnight at the end of the day."""

    id: uuid.UUID
    code: str
    name_fa: str
    name_en: str
    always_open: bool
    hours: tuple[Hours | None, ...]
    holidays: int
    updated_at: datetime


@dataclass(frozen=True)
class HolidayView:
    day: date
    jalali: str  # 1405/01/01, ASCII digits
    name: str


@dataclass(frozen=True)
class HolidayImport:
    """What a holiday import did (or would do, on a dry run)."""

    calendar_code: str
    added: tuple[date, ...]
    renamed: tuple[date, ...]
    unchanged: int
    removed: tuple[date, ...]
    bad_rows: tuple[BadRow, ...]
    dry_run: bool


def find_calendar(session: Session, center_id: uuid.UUID, code: str) -> Calendar:
    row = session.exec(
        select(Calendar).where(Calendar.center_id == center_id, Calendar.code == code.strip())
    ).first()
    if row is None:
        raise AdminError("not_found", what="calendar", code=code.strip())
    return row


def _views(session: Session, calendars: Iterable[Calendar]) -> list[CalendarView]:
    calendars = list(calendars)
    ids = [c.id for c in calendars]
    hours: dict[uuid.UUID, dict[int, Hours]] = {i: {} for i in ids}
    counts: dict[uuid.UUID, int] = {}
    if ids:
        for h in session.exec(select(CalendarHours).where(col(CalendarHours.calendar_id).in_(ids))):
            hours[h.calendar_id][h.weekday] = (h.opens, h.closes)
        counts = dict(
            session.exec(
                select(Holiday.calendar_id, func.count())
                .where(col(Holiday.calendar_id).in_(ids))
                .group_by(col(Holiday.calendar_id))
            ).all()
        )
    return [
        CalendarView(
            id=c.id,
            code=c.code,
            name_fa=c.name_fa,
            name_en=c.name_en,
            always_open=c.always_open,
            hours=tuple(hours[c.id].get(weekday) for weekday in range(7)),
            holidays=counts.get(c.id, 0),
            updated_at=c.updated_at,
        )
        for c in calendars
    ]


def _check_hours(hours: Mapping[int, Hours | None]) -> dict[int, Hours]:
    checked: dict[int, Hours] = {}
    for weekday, span in hours.items():
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise AdminError("bad_hours", weekday=weekday)
        if span is None:
            continue
        opens, closes = span
        if not (isinstance(opens, time) and isinstance(closes, time)):
            raise AdminError("bad_hours", weekday=weekday)
        if closes != time(0) and not opens < closes:
            raise AdminError("bad_hours", weekday=weekday)
        checked[weekday] = (opens, closes)
    return checked


def _hours_text(hours: Mapping[int, Hours]) -> dict[str, str]:
    return {str(d): f"{o:%H:%M}-{c:%H:%M}" for d, (o, c) in sorted(hours.items())}


def list_calendars(
    session: Session, *, actor: AgentView | None, center_code: str | None = None
) -> list[CalendarView]:
    """The center's calendars by code, with their week and how many holidays they hold."""
    center = admin_center(session, actor, center_code, action="list calendars")
    query = select(Calendar).where(Calendar.center_id == center.id).order_by(col(Calendar.code))
    return _views(session, session.exec(query))


def add_calendar(
    session: Session,
    *,
    actor: AgentView | None,
    code: str,
    name_fa: str,
    name_en: str = "",
    always_open: bool = False,
    hours: Mapping[int, Hours | None] | None = None,
    center_code: str | None = None,
) -> CalendarView:
    """A new calendar: 24/7, or office hours by weekday. Errors: duplicate, bad_code,
    required, too_long, bad_hours (weekday)."""
    center = admin_center(session, actor, center_code, action="add calendars")
    code = check_code("calendar", code, 16)
    if session.exec(
        select(Calendar.id).where(Calendar.center_id == center.id, Calendar.code == code)
    ).first():
        raise AdminError("duplicate", what="calendar", code=code)
    week = _check_hours(hours or {})
    name_fa = check_text("name_fa", name_fa, 120)
    calendar = Calendar(
        center_id=center.id,
        code=code,
        name_fa=name_fa,
        name_en=check_text("name_en", name_en, 120, required=False) or name_fa,
        always_open=bool(always_open),
    )
    session.add(calendar)
    session.flush()
    session.add_all(
        CalendarHours(calendar_id=calendar.id, weekday=d, opens=o, closes=c)
        for d, (o, c) in week.items()
    )
    record_change(
        session,
        actor=actor,
        action="calendar_added",
        entity="calendar",
        entity_id=calendar.id,
        center_id=center.id,
        changes={
            "code": [None, code],
            "always_open": [None, calendar.always_open],
            "hours": [None, _hours_text(week)],
        },
    )
    session.flush()
    return _views(session, [calendar])[0]


def update_calendar(
    session: Session,
    *,
    actor: AgentView | None,
    code: str,
    center_code: str | None = None,
    name_fa: str | object = UNSET,
    name_en: str | object = UNSET,
    always_open: bool | object = UNSET,
) -> CalendarView:
    """Rename a calendar or switch it between 24/7 and office hours (its week is kept)."""
    center = admin_center(session, actor, center_code, action="change calendars")
    calendar = find_calendar(session, center.id, code)
    values: dict[str, object] = {}
    if name_fa is not UNSET:
        values["name_fa"] = check_text("name_fa", name_fa, 120)  # type: ignore[arg-type]
    if name_en is not UNSET:
        values["name_en"] = check_text("name_en", name_en, 120)  # type: ignore[arg-type]
    if always_open is not UNSET:
        values["always_open"] = bool(always_open)
    changes = apply_changes(calendar, values)
    if changes:
        _touch(session, actor, calendar, "calendar_changed", changes)
    return _views(session, [calendar])[0]


def _touch(
    session: Session,
    actor: AgentView | None,
    calendar: Calendar,
    action: str,
    changes: dict,
    detail: str = "",
) -> None:
    calendar.updated_at = utcnow()
    session.add(calendar)
    record_change(
        session,
        actor=actor,
        action=action,
        entity="calendar",
        entity_id=calendar.id,
        center_id=calendar.center_id,
        changes=changes,
        detail=detail,
    )
    session.flush()


def set_hours(
    session: Session,
    *,
    actor: AgentView | None,
    code: str,
    hours: Mapping[int, Hours | None],
    center_code: str | None = None,
) -> CalendarView:
    """Replace the working week: ``{weekday: (opens, closes)}``, a weekday missing or None is
    a day off. Errors: not_found, bad_hours (weekday)."""
    center = admin_center(session, actor, center_code, action="change calendars")
    calendar = find_calendar(session, center.id, code)
    week = _check_hours(hours)
    rows = session.exec(select(CalendarHours).where(CalendarHours.calendar_id == calendar.id)).all()
    before = {r.weekday: (r.opens, r.closes) for r in rows}
    if before == week:
        return _views(session, [calendar])[0]
    for row in rows:
        session.delete(row)
    session.flush()
    session.add_all(
        CalendarHours(calendar_id=calendar.id, weekday=d, opens=o, closes=c)
        for d, (o, c) in week.items()
    )
    _touch(
        session,
        actor,
        calendar,
        "calendar_hours_set",
        {"hours": [_hours_text(before), _hours_text(week)]},
    )
    return _views(session, [calendar])[0]


def remove_calendar(
    session: Session, *, actor: AgentView | None, code: str, center_code: str | None = None
) -> None:
    """Delete a calendar no category uses, with its week and holidays. A calendar has no
    inactive state, so one in use is refused: in_use (what, code, tables)."""
    center = admin_center(session, actor, center_code, action="remove calendars")
    calendar = find_calendar(session, center.id, code)
    used = references(
        session, Calendar.__table__, calendar.id, owned=("calendar_hours", "holidays")
    )
    if used:
        raise AdminError("in_use", what="calendar", code=calendar.code, tables=list(used))
    for model in (CalendarHours, Holiday):
        for row in session.exec(select(model).where(model.calendar_id == calendar.id)):
            session.delete(row)
    session.flush()
    session.delete(calendar)
    record_change(
        session,
        actor=actor,
        action="calendar_removed",
        entity="calendar",
        entity_id=calendar.id,
        center_id=center.id,
        changes={"code": [calendar.code, None]},
    )
    session.flush()


def _holiday_view(h: Holiday) -> HolidayView:
    return HolidayView(h.day, _jalali_text(h.day), h.name)


def _jalali_text(day: date) -> str:
    """1405/01/01 in ASCII digits: what the audit trail and the CSV files hold."""
    return to_ascii_digits(format_date(day, "fa"))


def list_holidays(
    session: Session,
    *,
    actor: AgentView | None,
    code: str,
    year: int | None = None,
    center_code: str | None = None,
) -> list[HolidayView]:
    """A calendar's holidays by day; of one Jalali ``year`` when given."""
    center = admin_center(session, actor, center_code, action="list holidays")
    calendar = find_calendar(session, center.id, code)
    query = select(Holiday).where(Holiday.calendar_id == calendar.id).order_by(col(Holiday.day))
    rows = session.exec(query).all()
    return [_holiday_view(h) for h in rows if year is None or jalali_year(h.day) == year]


def set_holiday(
    session: Session,
    *,
    actor: AgentView | None,
    code: str,
    day: date,
    name: str,
    center_code: str | None = None,
) -> HolidayView:
    """Add a holiday, or rename the one on that day. Errors: not_found, too_long."""
    center = admin_center(session, actor, center_code, action="change holidays")
    calendar = find_calendar(session, center.id, code)
    name = check_text("name", name, 120, required=False)
    row = session.exec(
        select(Holiday).where(Holiday.calendar_id == calendar.id, Holiday.day == day)
    ).first()
    if row is None:
        row = Holiday(calendar_id=calendar.id, day=day, name=name)
        changes = {"holiday": [None, f"{_jalali_text(day)} {name}".strip()]}
        action = "holiday_added"
    elif row.name != name:
        changes = {"holiday": [f"{_jalali_text(day)} {row.name}", f"{_jalali_text(day)} {name}"]}
        row.name = name
        action = "holiday_renamed"
    else:
        return _holiday_view(row)
    session.add(row)
    _touch(session, actor, calendar, action, changes)
    return _holiday_view(row)


def remove_holiday(
    session: Session,
    *,
    actor: AgentView | None,
    code: str,
    day: date,
    center_code: str | None = None,
) -> bool:
    """Remove the holiday on ``day``; False when there was none."""
    center = admin_center(session, actor, center_code, action="change holidays")
    calendar = find_calendar(session, center.id, code)
    row = session.exec(
        select(Holiday).where(Holiday.calendar_id == calendar.id, Holiday.day == day)
    ).first()
    if row is None:
        return False
    session.delete(row)
    _touch(
        session,
        actor,
        calendar,
        "holiday_removed",
        {"holiday": [f"{_jalali_text(day)} {row.name}".strip(), None]},
    )
    return True


def read_holiday_csv(path: str | Path, encoding: str | None = None):
    """``(days {date: name}, bad rows)`` of a holiday list: one holiday per line, ``date,name``
    with a Jalali date (``1405/01/01``, ``۱۴۰۵/۱/۱``, ``1405-01-01``); an optional header line
    (``date,name`` or ``تاریخ,عنوان``) and blank lines are skipped. Two lines for one day join
    their names, as the official calendar does when holidays coincide."""
    days: dict[date, str] = {}
    bad: list[BadRow] = []
    with open_csv(path, encoding) as (reader, _):
        previous = 0
        for record in reader:
            line, previous = previous + 1, reader.line_num
            cells = [c.strip() for c in record]
            if not any(cells):
                continue
            text = normalize(cells[0])
            try:
                day = parse_jalali_date(text)
            except JalaliParseError as error:
                if line == 1 and not any(ch.isdigit() for ch in text):
                    continue  # the header
                bad.append(BadRow(line, "bad_value", "date", error.reason, cell(cells[0])))
                continue
            name = normalize(" ".join(c for c in cells[1:] if c))
            if len(name) > 120:
                bad.append(BadRow(line, "too_long", "name", "120", cell(name), _jalali_text(day)))
                continue
            known = days.get(day, "")
            if not known:
                days[day] = name
            elif name and name not in known.split("؛ "):
                days[day] = f"{known}؛ {name}"
    return days, bad


def import_holidays(
    session: Session,
    *,
    actor: AgentView | None,
    code: str,
    path: str | Path,
    replace: bool = False,
    dry_run: bool = False,
    encoding: str | None = None,
    center_code: str | None = None,
) -> HolidayImport:
    """Import a holiday list (see :func:`read_holiday_csv`) into a calendar: new days added,
    names updated, bad lines reported and skipped. With ``replace``, the calendar's other
    holidays in the Jalali years the file covers are removed, so a corrected list replaces the
    year's. One audit row lists the days added, renamed and removed."""
    center = admin_center(session, actor, center_code, action="import holidays")
    calendar = find_calendar(session, center.id, code)
    days, bad = read_holiday_csv(path, encoding)
    existing = {
        h.day: h
        for h in session.exec(select(Holiday).where(Holiday.calendar_id == calendar.id)).all()
    }
    added = sorted(d for d in days if d not in existing)
    renamed = sorted(d for d in days if d in existing and existing[d].name != days[d])
    years = {jalali_year(d) for d in days}
    removed = (
        sorted(d for d in existing if d not in days and jalali_year(d) in years) if replace else []
    )
    report = HolidayImport(
        calendar_code=calendar.code,
        added=tuple(added),
        renamed=tuple(renamed),
        unchanged=len(days) - len(added) - len(renamed),
        removed=tuple(removed),
        bad_rows=tuple(bad),
        dry_run=dry_run,
    )
    if dry_run or not (added or renamed or removed):
        return report
    for day in removed:
        session.delete(existing[day])
    session.flush()
    for day in renamed:
        existing[day].name = days[day]
        session.add(existing[day])
    session.add_all(Holiday(calendar_id=calendar.id, day=d, name=days[d]) for d in added)
    _touch(
        session,
        actor,
        calendar,
        "holidays_imported",
        {
            "added": [None, [_jalali_text(d) for d in added]],
            "renamed": [None, [_jalali_text(d) for d in renamed]],
            "removed": [[_jalali_text(d) for d in removed], None],
        },
        detail=f"{Path(path).name}: {len(bad)} bad lines",
    )
    return report
