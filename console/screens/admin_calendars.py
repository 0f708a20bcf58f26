"""Admin mode (F7), calendars: the working week, office hours and official holidays the request
clocks run on.

Calendars first (code, name, week, how many holidays); Ctrl+E lists the highlighted calendar's
holidays (Jalali dates), Ctrl+E again the calendars. Enter changes a calendar's names and week
(one line per weekday, "07:30-14:30", empty for a day off) or a holiday's name; Ctrl+R adds one;
Ctrl+D removes a holiday, or a calendar no category uses (one in use is refused: a calendar has
no inactive state). Ctrl+L imports a published holiday list (CSV: Jalali date, name), with a
dry run first if wanted. Changes apply to clocks computed afterwards.
"""

import re
from dataclasses import dataclass, replace
from datetime import date, time
from pathlib import Path

from rich.text import Text
from sqlmodel import Session
from textual.app import ComposeResult

from console.i18n import N_, _, current_language, lang_digits
from console.i18n.admin_words import listed, row_reason
from console.i18n.intake_words import local_name
from console.screens.admin_dialog import AdminDialog, Refused
from console.screens.admin_view import AdminView
from console.widgets.lines import Line
from db.admin import (
    CalendarView,
    HolidayImport,
    HolidayView,
    add_calendar,
    import_holidays,
    list_calendars,
    list_holidays,
    remove_calendar,
    remove_holiday,
    set_holiday,
    set_hours,
    update_calendar,
)
from db.jalali import WEEKDAY_NAMES_EN, WEEKDAY_NAMES_FA, JalaliParseError, parse_jalali_date
from db.text import to_ascii_digits

__all__ = ["CalendarDialog", "CalendarsView", "HolidayDialog", "ImportHolidaysDialog"]

Hours = tuple[time, time]
_SPAN = re.compile(r"(\d{1,2})[:.](\d{2})\s*[-–]\s*(\d{1,2})[:.](\d{2})")
#: Bad lines of a holiday import named under the list; the rest are counted.
SHOWN_BAD_LINES = 3


def weekday(index: int, *, short: bool = False) -> str:
    """Saturday is 0; in English `short` is its first three letters (Sat)."""
    if current_language() == "fa":
        return WEEKDAY_NAMES_FA[index]
    return WEEKDAY_NAMES_EN[index][:3] if short else WEEKDAY_NAMES_EN[index]


def span_text(span: Hours | None) -> str:
    if span is None:
        return ""
    opens, closes = span
    end = "24:00" if closes == time(0) else f"{closes:%H:%M}"
    return f"{opens:%H:%M}-{end}"


def parse_span(text: str, field: str) -> Hours | None:
    """ "07:30-14:30" in any digits; empty is a day off; 24:00 is midnight at the day's end."""
    text = to_ascii_digits(text.strip())
    if not text:
        return None
    match = _SPAN.fullmatch(text)
    refused = Refused(field, _("Type the hours as 07:30-14:30, or leave empty for a day off."))
    if match is None:
        raise refused
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h2 == 24 and m2 == 0:
        h2 = 0
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise refused
    opens, closes = time(h1, m1), time(h2, m2)
    if closes != time(0) and closes <= opens:
        raise Refused(field, _("The closing time must come after the opening time."))
    return opens, closes


def week_text(c: CalendarView) -> str:
    """The week in a line: days with the same hours together (Sat-Wed 07:30-14:30)."""
    if c.always_open:
        return _("24/7")
    groups: list[tuple[int, int, Hours]] = []
    for day, span in enumerate(c.hours):
        if span is None:
            continue
        if groups and groups[-1][2] == span and groups[-1][1] == day - 1:
            groups[-1] = (groups[-1][0], day, span)
        else:
            groups.append((day, day, span))
    parts = []
    for first, last, span in groups:
        days = weekday(first, short=True)
        if first != last:
            days += "-" + weekday(last, short=True)
        parts.append(f"{days} {lang_digits(span_text(span))}")
    return listed(parts) or _("no working hours")


@dataclass
class CalendarDraft:
    code: str = ""
    name_fa: str = ""
    name_en: str = ""
    always_open: bool = False
    days: tuple[str, ...] = ("",) * 7
    new: bool = True

    @classmethod
    def of(cls, c: CalendarView) -> "CalendarDraft":
        days = tuple(span_text(span) for span in c.hours)
        return cls(c.code, c.name_fa, c.name_en, c.always_open, days, False)


class CalendarDialog(AdminDialog[CalendarDraft]):
    """Add or change a calendar: names, 24/7 or not, and the hours of each weekday."""

    def __init__(self, draft: CalendarDraft, *, error: str = "", error_field: str = "") -> None:
        self.draft = draft
        days = tuple(f"day{n}" for n in range(7))
        fields = ("name_fa", "name_en", "always_open", *days)
        self.FIELDS = ("code", *fields) if draft.new else fields
        title = _("New calendar") if draft.new else _("Calendar {code}").format(code=draft.code)
        super().__init__(title, error=error, error_field=error_field)

    def fields(self) -> ComposeResult:
        d = self.draft
        if d.new:
            yield from self.text_field(
                _("Code (Latin letters, digits, _ . -)"), "code", d.code, max_length=16
            )
        else:
            yield self.note(_("Code {code} (a code does not change)").format(code=d.code))
        yield from self.text_field(_("Persian name"), "name_fa", d.name_fa, max_length=120)
        yield from self.text_field(_("English name"), "name_en", d.name_en, max_length=120)
        options = [(False, _("office hours and holidays")), (True, _("24/7, every day"))]
        yield from self.choice_field(_("Clock"), "always_open", options, d.always_open)
        yield self.note(_("Working hours, e.g. 07:30-14:30; empty: a day off."))
        for n in range(7):
            yield from self.text_field(weekday(n), f"day{n}", d.days[n], max_length=13)

    def current(self) -> CalendarDraft:
        d = self.draft
        return replace(
            d,
            code=self.typed("code") if d.new else d.code,
            name_fa=self.typed("name_fa"),
            name_en=self.typed("name_en"),
            always_open=self.chosen("always_open"),
            days=tuple(self.typed(f"day{n}") for n in range(7)),
        )

    def collect(self) -> CalendarDraft:
        d = self.current()
        if d.new and not d.code.strip():
            raise Refused("code", _("Give the calendar a code."))
        for n, text in enumerate(d.days):
            parse_span(text, f"day{n}")
        return d


@dataclass
class HolidayDraft:
    day: str = ""
    name: str = ""
    new: bool = True


class HolidayDialog(AdminDialog[HolidayDraft]):
    """A holiday: its Jalali date (fixed once added) and its name."""

    def __init__(
        self, calendar: str, draft: HolidayDraft, *, error: str = "", error_field: str = ""
    ) -> None:
        self.draft = draft
        self.FIELDS = ("day", "name") if draft.new else ("name",)
        super().__init__(
            _("Holiday of calendar {code}").format(code=calendar),
            error=error,
            error_field=error_field,
        )

    def fields(self) -> ComposeResult:
        d = self.draft
        if d.new:
            yield from self.text_field(
                _("Date (Jalali, e.g. 1405/01/01)"), "day", d.day, max_length=12
            )
        else:
            yield self.note(_("Date {day}").format(day=lang_digits(d.day)))
        yield from self.text_field(_("Name"), "name", d.name, max_length=120)

    def current(self) -> HolidayDraft:
        d = self.draft
        return replace(d, day=self.typed("day") if d.new else d.day, name=self.typed("name"))

    def collect(self) -> HolidayDraft:
        d = self.current()
        holiday_date(d.day)
        return d


def holiday_date(text: str) -> date:
    try:
        return parse_jalali_date(to_ascii_digits(text.strip()))
    except JalaliParseError:
        raise Refused("day", _("Type a Jalali date such as 1405/01/01.")) from None


@dataclass
class HolidayFile:
    path: str = ""
    replace: bool = False
    dry_run: bool = True


class ImportHolidaysDialog(AdminDialog[HolidayFile]):
    """Import a holiday list into a calendar, checked first if wanted."""

    FIELDS = ("path", "replace", "dry_run")

    def __init__(
        self, calendar: str, draft: HolidayFile, *, error: str = "", error_field: str = ""
    ) -> None:
        self.draft = draft
        super().__init__(
            _("Import holidays into calendar {code}").format(code=calendar),
            error=error,
            error_field=error_field,
        )

    def fields(self) -> ComposeResult:
        d = self.draft
        yield self.note(_("One holiday a line: Jalali date, name (1405/01/01,نوروز)."))
        yield from self.text_field(_("CSV file"), "path", d.path, max_length=400)
        options = [
            (False, _("add and rename")),
            (True, _("replace the years in the file")),
        ]
        yield from self.choice_field(_("Holidays already there"), "replace", options, d.replace)
        runs = [(True, _("check only (dry run)")), (False, _("import"))]
        yield from self.choice_field(_("Run"), "dry_run", runs, d.dry_run)

    def current(self) -> HolidayFile:
        return HolidayFile(self.typed("path"), self.chosen("replace"), self.chosen("dry_run"))

    def collect(self) -> HolidayFile:
        d = self.current()
        if not d.path.strip():
            raise Refused("path", _("Type the path of the file."))
        return d


def import_text(report: HolidayImport) -> str:
    n = lang_digits
    text = _(
        "Holidays: {added} added, {renamed} renamed, {removed} removed, {unchanged} unchanged."
    ).format(
        added=n(str(len(report.added))),
        renamed=n(str(len(report.renamed))),
        removed=n(str(len(report.removed))),
        unchanged=n(str(report.unchanged)),
    )
    for b in report.bad_rows[:SHOWN_BAD_LINES]:
        text += " " + _("Line {line} skipped: {reason} ({value}).").format(
            line=n(str(b.line)), reason=row_reason(b.reason, b.detail), value=b.value
        )
    if len(report.bad_rows) > SHOWN_BAD_LINES:
        text += " " + _("{count} more lines skipped.").format(
            count=n(str(len(report.bad_rows) - SHOWN_BAD_LINES))
        )
    if report.dry_run:
        text += " " + _("Dry run: nothing was written.")
    return text


class CalendarsView(AdminView):
    """The center's calendars, or (Ctrl+E) one calendar's holidays."""

    SCOPE = "admin_calendars"
    LISTINGS = {
        "calendars": (
            ("code", N_("Code"), 10),
            ("name", N_("Name"), 18),
            ("week", N_("Week"), 41),
            ("holidays", N_("Holidays"), 10),
        ),
        "holidays": (
            ("day", N_("Date"), 12),
            ("weekday", N_("Day"), 12),
            ("name", N_("Holiday"), 55),
        ),
    }
    DETAIL_ROWS = 4

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.calendar_code = ""
        self.last_file = HolidayFile()

    def read(self, s: Session, listing: str):
        if listing == "holidays":
            return list_holidays(s, actor=self.agent, code=self.calendar_code), None
        return list_calendars(s, actor=self.agent), None

    def key(self, row: CalendarView | HolidayView) -> str:
        return row.day.isoformat() if isinstance(row, HolidayView) else row.code

    def cells(self, row: CalendarView | HolidayView) -> list[Text]:
        if isinstance(row, HolidayView):
            values = {
                "day": lang_digits(row.jalali),
                "weekday": weekday((row.day.weekday() + 2) % 7),
                "name": row.name,
            }
        else:
            values = {
                "code": row.code,
                "name": local_name(row.name_fa, row.name_en),
                "week": week_text(row),
                "holidays": lang_digits(str(row.holidays)),
            }
        return self.values_cells(values)

    def detail(self, row: CalendarView | HolidayView) -> list[Line]:
        if isinstance(row, HolidayView) or row.always_open:
            return []
        off = _("day off")
        days = [
            f"{weekday(n, short=True)} {lang_digits(span_text(span)) or off}"
            for n, span in enumerate(row.hours)
        ]
        return [Line(" · ".join(days))]

    def count_text(self) -> str:
        n = lang_digits(str(len(self.rows)))
        if self.listing == "holidays":
            return _("Holidays of calendar {code}: {n}").format(code=self.calendar_code, n=n)
        return _("Calendars: {n}").format(n=n)

    # --- actions ------------------------------------------------------------------------------

    def action_switch_list(self) -> None:
        self.say("")
        if self.listing == "holidays":
            self.switch_to("calendars")
            return
        c = self.current()
        if c is not None:
            self.calendar_code = c.code
            self.switch_to("holidays")

    def action_new_row(self) -> None:
        if self.listing == "holidays":
            self.open_holiday(HolidayDraft())
        else:
            self.open_calendar(CalendarDraft())

    def action_edit_row(self) -> None:
        row = self.current()
        if isinstance(row, HolidayView):
            self.open_holiday(HolidayDraft(row.jalali, row.name, new=False))
        elif isinstance(row, CalendarView):
            self.open_calendar(CalendarDraft.of(row))

    def open_calendar(self, draft: CalendarDraft, error: str = "", field: str = "") -> None:
        dialog = CalendarDialog(draft, error=error, error_field=field)
        self.open(dialog, lambda d: self._save_calendar(d, dialog.current()))

    def _save_calendar(self, d: CalendarDraft, typed: CalendarDraft) -> None:
        actor = self.agent
        spans = [parse_span(text, f"day{n}") for n, text in enumerate(d.days)]
        hours = {n: span for n, span in enumerate(spans) if span is not None}

        def job(s: Session) -> CalendarView:
            if d.new:
                return add_calendar(
                    s,
                    actor=actor,
                    code=d.code,
                    name_fa=d.name_fa,
                    name_en=d.name_en,
                    always_open=d.always_open,
                    hours=hours,
                )
            update_calendar(
                s,
                actor=actor,
                code=d.code,
                name_fa=d.name_fa,
                name_en=d.name_en,
                always_open=d.always_open,
            )
            return set_hours(s, actor=actor, code=d.code, hours=hours)

        def done(c: CalendarView) -> tuple[str, str | None]:
            return _("Calendar {code} saved.").format(code=c.code), c.code

        self.write(job, done, lambda text, field: self.open_calendar(typed, text, field))

    def open_holiday(self, draft: HolidayDraft, error: str = "", field: str = "") -> None:
        dialog = HolidayDialog(self.calendar_code, draft, error=error, error_field=field)
        self.open(dialog, lambda d: self._save_holiday(d, dialog.current()))

    def _save_holiday(self, d: HolidayDraft, typed: HolidayDraft) -> None:
        actor, code, day = self.agent, self.calendar_code, holiday_date(d.day)

        def done(h: HolidayView) -> tuple[str, str | None]:
            return _("Holiday {day} saved.").format(day=lang_digits(h.jalali)), h.day.isoformat()

        self.write(
            lambda s: set_holiday(s, actor=actor, code=code, day=day, name=d.name),
            done,
            lambda text, field: self.open_holiday(typed, text, field),
        )

    def action_remove_row(self) -> None:
        row = self.current()
        actor = self.agent
        if isinstance(row, HolidayView):
            code, day = self.calendar_code, row.day
            self.write(
                lambda s: remove_holiday(s, actor=actor, code=code, day=day),
                lambda _gone: (
                    _("Holiday {day} removed.").format(day=lang_digits(row.jalali)),
                    None,
                ),
            )
        elif isinstance(row, CalendarView):
            code = row.code
            text = _("{code} {name}, with its week and holidays.").format(
                code=code, name=local_name(row.name_fa, row.name_en)
            )
            self.confirm(
                _("Remove the calendar?"),
                text,
                lambda: self.write(
                    lambda s: remove_calendar(s, actor=actor, code=code),
                    lambda _none: (_("Calendar {code} deleted.").format(code=code), None),
                ),
            )

    def action_import_holidays(self) -> None:
        if self.listing == "calendars":
            c = self.current()
            if c is None:
                return
            self.calendar_code = c.code
        self.open_import(self.last_file)

    def open_import(self, draft: HolidayFile, error: str = "", field: str = "") -> None:
        code = self.calendar_code
        dialog = ImportHolidaysDialog(code, draft, error=error, error_field=field)

        def chosen(d: HolidayFile) -> None:
            self.last_file = d
            actor, path = self.agent, Path(d.path.strip()).expanduser()
            self.write(
                lambda s: import_holidays(
                    s, actor=actor, code=code, path=path, replace=d.replace, dry_run=d.dry_run
                ),
                lambda report: (import_text(report), code),
                lambda text, field: self.open_import(d, text, field),
            )

        self.open(dialog, chosen)
