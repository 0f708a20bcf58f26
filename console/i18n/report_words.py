"""How a report's figure reads, for the CLI (``abfa-desk report``) and the reports screen (F6).

One definition of the words and the numbers: a figure's title and one-line definition, its
columns' headings, which columns a person reads (a group's name in the console's language, not
its code and both names), how each value is written (Persian digits and separators, shares as
percentages, seconds as minutes:seconds, Jalali times), channels and incident kinds in words,
the period line and the summary lines. Machine formats (csv, json, the xlsx data sheet) keep
raw values and live in :mod:`console.cli_reports`.

Everything returns logical-order text: displaying Persian is :mod:`console.i18n.rtl`'s job.
"""

from datetime import date, datetime, timedelta
from typing import Any

from console.i18n import N_, _, current_language, lang_digits
from console.i18n.intake_words import CHANNEL_NAMES, incident_kind_name

__all__ = [
    "DEFINITIONS",
    "HEADINGS",
    "JALALI_MONTHS",
    "SHORT_HEADINGS",
    "SUMMARY_LABELS",
    "TITLES",
    "code_label",
    "definition",
    "display_value",
    "heading",
    "month_name",
    "number",
    "period_line",
    "period_words",
    "short_heading",
    "shown_columns",
    "summary_text",
    "title",
    "when",
]

TITLES: dict[str, str] = {
    "calls_by_channel": N_("Calls by channel"),
    "calls_by_category": N_("Calls by category"),
    "calls_by_hour": N_("Calls by hour of day"),
    "calls_by_district": N_("Calls by district"),
    "answered_without_request": N_("Calls answered without a request"),
    "aht": N_("Average handle time"),
    "fcr": N_("First-contact resolution"),
    "repeat_callers": N_("Repeat callers"),
    "calls_per_incident": N_("Calls per incident"),
    "requests_by_unit": N_("Requests by unit"),
    "requests_by_category": N_("Requests by category"),
    "sla_by_unit": N_("SLA compliance by unit"),
    "sla_by_category": N_("SLA compliance by category"),
    "overdue_by_unit": N_("Overdue requests by unit"),
    "escalations": N_("Escalations by unit"),
    "csat_by_unit": N_("Customer satisfaction by unit"),
    "csat_by_category": N_("Customer satisfaction by category"),
    "csat_by_agent": N_("Customer satisfaction by agent"),
}

#: A figure's definition in one line of a screen (the whole one is its function's docstring).
DEFINITIONS: dict[str, str] = {
    "calls_by_channel": N_("Calls started in the period on each channel, and each one's share."),
    "calls_by_category": N_("Calls started in the period about each category, and its share."),
    "calls_by_hour": N_("Calls started in the period in each hour of the day, Tehran time."),
    "calls_by_district": N_(
        "Calls started in the period by district: the request's, else the subscriber's."
    ),
    "answered_without_request": N_(
        "Share of the period's calls answered with information only, no request."
    ),
    "aht": N_("Average time from taking a call to saving its outcome; dropped calls left out."),
    "fcr": N_("Share of contacts not repeated (same number and category) within 7 days."),
    "repeat_callers": N_("Numbers that called two or more times in the period, busiest first."),
    "calls_per_incident": N_("Calls and requests linked to each incident active in the period."),
    "requests_by_unit": N_(
        "Requests opened, closed and cancelled in the period, and still open at its end."
    ),
    "requests_by_category": N_(
        "Requests opened, closed and cancelled in the period, and still open at its end."
    ),
    "sla_by_unit": N_(
        "Requests opened in the period that met their response and resolution targets."
    ),
    "sla_by_category": N_(
        "Requests opened in the period that met their response and resolution targets."
    ),
    "overdue_by_unit": N_("Open requests now, and those whose citizen's or unit's clock ran out."),
    "escalations": N_("Escalations in the period by the level reached; automatic: by the clock."),
    "csat_by_unit": N_("Share of answers 4-5 on the 1-5 questions of the period's surveys."),
    "csat_by_category": N_("Share of answers 4-5 on the 1-5 questions of the period's surveys."),
    "csat_by_agent": N_("CSAT of the surveys about the requests each desk agent registered."),
}

HEADINGS: dict[str, str] = {
    "channel": N_("Channel"),
    "calls": N_("Calls"),
    "share": N_("Share"),
    "category_code": N_("Category code"),
    "category_name_fa": N_("Category"),
    "category_name_en": N_("Category"),
    "hour": N_("Hour"),
    "district_code": N_("District code"),
    "district_name_fa": N_("District"),
    "district_name_en": N_("District"),
    "answered": N_("Answered, no request"),
    "handled": N_("Handled"),
    "aht_seconds": N_("AHT"),
    "contacts": N_("Contacts"),
    "repeated": N_("Repeated"),
    "fcr": N_("FCR"),
    "phone": N_("Phone"),
    "categories": N_("Categories"),
    "first_at": N_("First call"),
    "last_at": N_("Last call"),
    "title": N_("Incident"),
    "incident_kind": N_("Kind"),
    "started_at": N_("Started"),
    "closed_at": N_("Closed at"),
    "requests": N_("Requests"),
    "unit_code": N_("Unit code"),
    "unit_name_fa": N_("Unit"),
    "unit_name_en": N_("Unit"),
    "opened": N_("Opened"),
    "closed": N_("Closed requests"),
    "cancelled": N_("Cancelled requests"),
    "backlog": N_("Backlog"),
    "response_met": N_("Response met"),
    "response_missed": N_("Response missed"),
    "response_share": N_("Response SLA"),
    "resolution_met": N_("Resolution met"),
    "resolution_missed": N_("Resolution missed"),
    "resolution_share": N_("Resolution SLA"),
    "open": N_("Open requests"),
    "overdue": N_("Overdue"),
    "level_1": N_("Level 1"),
    "level_2": N_("Level 2"),
    "level_3": N_("Level 3"),
    "automatic": N_("Automatic"),
    "escalations": N_("Escalations"),
    "surveys": N_("Surveys"),
    "answers": N_("Answers 1-5"),
    "top_answers": N_("Answers 4-5"),
    "csat": N_("CSAT"),
    "agent_username": N_("Username"),
    "agent_name": N_("Agent"),
}

#: Headings short enough for a narrow column of the reports screen (the CLI has room).
SHORT_HEADINGS: dict[str, str] = {
    "answered": N_("No request"),
    "closed": N_("Closed"),
    "cancelled": N_("Cancelled"),
    "open": N_("Open"),
    "response_share": N_("Response"),
    "resolution_share": N_("Resolution"),
    "categories": N_("Kinds"),
    "escalations": N_("Steps"),
}

SUMMARY_LABELS: dict[str, str] = {
    "numbers": N_("Numbers that called more than once"),
    "calls": N_("Their calls"),
    "incidents": N_("Incidents"),
    "calls_per_incident": N_("Calls per incident"),
}

#: Jalali month names for English text (db.jalali.MONTH_NAMES_FA are the Persian ones).
JALALI_MONTHS: tuple[str, ...] = (
    N_("Farvardin"),
    N_("Ordibehesht"),
    N_("Khordad"),
    N_("Tir"),
    N_("Mordad"),
    N_("Shahrivar"),
    N_("Mehr"),
    N_("Aban"),
    N_("Azar"),
    N_("Dey"),
    N_("Bahman"),
    N_("Esfand"),
)


def title(name: str) -> str:
    return _(TITLES[name]) if name in TITLES else name


def definition(name: str) -> str:
    """The figure's definition in one line, in the console's language."""
    return _(DEFINITIONS[name]) if name in DEFINITIONS else ""


def heading(key: str) -> str:
    return _(HEADINGS[key]) if key in HEADINGS else key


def short_heading(key: str) -> str:
    """A heading for a narrow column: the short one when there is one."""
    return _(SHORT_HEADINGS[key]) if key in SHORT_HEADINGS else heading(key)


def shown_columns(figure) -> list:
    """The columns a person reads: a group's name in the console's language, not its code and
    both names."""
    keys = {c.key for c in figure.columns}
    own = f"_name_{current_language()}"
    shown = []
    for column in figure.columns:
        key = column.key
        if key.endswith("_code") and key.removesuffix("_code") + "_name_fa" in keys:
            continue
        if (key.endswith("_name_fa") or key.endswith("_name_en")) and not key.endswith(own):
            continue
        shown.append(column)
    return shown


def number(value: float, digits: int = 0) -> str:
    """``1,234.5`` in English, ``۱٬۲۳۴٫۵`` in Persian."""
    text = f"{value:,.{digits}f}"
    if current_language() == "fa":
        text = text.replace(",", "٬").replace(".", "٫")
    return lang_digits(text)


def display_value(column, value: Any, row: Any = None) -> str:
    """A value as a person reads it, in the console's language."""
    from db.jalali import format_datetime
    from db.reports import Kind

    if value is None:
        if row is not None and column.key.endswith(f"_name_{current_language()}"):
            code = getattr(row, column.key.rsplit("_name_", 1)[0] + "_code", None)
            if code is not None:
                return code
        return "-"
    kind = column.kind
    if kind == Kind.COUNT:
        return number(value)
    if kind == Kind.SHARE:
        text = number(value * 100, 1) + "%"
        return text.replace("%", "٪") if current_language() == "fa" else text
    if kind == Kind.SECONDS:
        minutes, seconds = divmod(round(value), 60)
        return lang_digits(f"{minutes}:{seconds:02d}")
    if kind == Kind.HOUR:
        return lang_digits(f"{value:02d}:00")
    if kind == Kind.TIME:
        return format_datetime(value, current_language())
    return code_label(column, value)


def code_label(column, value: Any, *, latin: bool = False) -> str:
    """A code, a name or a phone as shown: channels and incident kinds in words."""
    if column.key == "channel" and value in CHANNEL_NAMES:
        text = _(CHANNEL_NAMES[value])
        return text if latin else lang_digits(text)
    if column.key == "incident_kind":
        return incident_kind_name(value)
    return str(value)


def when(value: date | datetime, *, latin: bool = False) -> str:
    """A day or a time in the console's language (Jalali in Persian), Latin digits if asked."""
    from db.jalali import format_date, format_datetime
    from db.text import to_ascii_digits

    lang = current_language()
    text = format_datetime(value, lang) if isinstance(value, datetime) else format_date(value, lang)
    return to_ascii_digits(text) if latin else text


def period_words(
    period, *, as_of: datetime | None = None, about_now: bool = False, latin: bool = False
) -> str:
    """``From 1405/09/01 to 1405/09/30``, or ``As of ...`` for a figure about the present."""
    if about_now:
        assert as_of is not None
        return _("As of {time}").format(time=when(as_of, latin=latin))
    return _("From {first} to {last}").format(
        first=when(period.first_day, latin=latin), last=when(period.last_day, latin=latin)
    )


def period_line(figure, *, about_now: bool, latin: bool = False) -> str:
    scope = figure.scope
    return period_words(scope.period, as_of=scope.as_of, about_now=about_now, latin=latin)


def month_name(period) -> str | None:
    """``Azar 1405`` (``آذر ۱۴۰۵``) when the period is one whole Jalali month, else None."""
    import jdatetime

    from db.jalali import MONTH_NAMES_FA

    first = jdatetime.date.fromgregorian(date=period.first_day)
    after = jdatetime.date.fromgregorian(date=period.last_day + timedelta(days=1))
    whole = first.day == 1 and after.day == 1 and (after.month - first.month) % 12 == 1
    if not whole:
        return None
    if current_language() == "fa":
        return lang_digits(f"{MONTH_NAMES_FA[first.month - 1]} {first.year}")
    return f"{_(JALALI_MONTHS[first.month - 1])} {first.year}"


def summary_text(key: str, value: Any) -> str:
    label = _(SUMMARY_LABELS[key]) if key in SUMMARY_LABELS else key
    shown_value = "-" if value is None else number(value, 0 if isinstance(value, int) else 1)
    return f"{label}: {shown_value}"
