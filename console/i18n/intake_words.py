"""The intake screen's words for what `db.intake` says in codes: statuses, outcomes, reasons.

`db/` speaks in stable codes (`IntakeError(field, reason)`, a status, a `what_to_tell` key); this
module turns each into a sentence in the agent's language. A code with no sentence here still gets
a generic one, so a new reason in `db/` shows up as something readable, never as a crash.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from console.i18n import N_, _, current_language, lang_digits, ngettext
from db.jalali import format_date, format_datetime, format_time

__all__ = [
    "ERROR_FIELDS_ON_CALLER",
    "action_name",
    "code_groups",
    "error_text",
    "field_name",
    "grouped_code",
    "incident_kind_name",
    "isolate",
    "label",
    "local_name",
    "outcome_name",
    "status_name",
    "tell_text",
    "time_left_text",
    "when_text",
]

LRI, PDI = "\u2066", "\u2069"

#: Fields whose errors are shown on the caller row (what was typed to find the caller).
ERROR_FIELDS_ON_CALLER = frozenset({"query", "phone", "tracking_code", "subscriber"})

#: The form's labels: short, to leave the field its width at 80 columns.
LABELS: dict[str, str] = {
    "query": N_("Caller"),
    "category": N_("Category"),
    "address": N_("Address"),
    "district": N_("District"),
    "description": N_("Description"),
    "caller_name": N_("Name"),
    "notes": N_("Notes"),
}

FIELD_NAMES: dict[str, str] = {
    "query": N_("Caller"),
    "phone": N_("Phone"),
    "tracking_code": N_("Tracking code"),
    "category": N_("Category"),
    "subscriber": N_("Subscriber"),
    "district": N_("District"),
    "address": N_("Address"),
    "description": N_("Description"),
    "caller_name": N_("Caller's name"),
    "notes": N_("Notes"),
    "channel": N_("Line"),
    "outcome": N_("Outcome"),
    "started_at": N_("Call start"),
    "ended_at": N_("Call end"),
    "incident": N_("Incident"),
    "ticket": N_("Request"),
    "draft": N_("Draft"),
}

# The line a call came in on (`db.models.Channel`), short enough for the caller row.
CHANNEL_NAMES: dict[str, str] = {
    "phone_122": "122",  # numbers, not words: only their digits change with the language
    "phone_1523": "1523",
    "sms": N_("SMS"),
    "web": N_("Web"),
    "app": N_("App"),
    "messenger": N_("Messenger"),
    "walk_in": N_("Walk-in"),
    "outbound": N_("Outbound"),
}

# (field, reason) first, then reason alone. Shown next to the field, so most need not name it.
_ERRORS: dict[tuple[str, str] | str, str] = {
    ("query", "empty"): N_("Type a phone number, a code or a name."),
    ("query", "too_short"): N_("Type at least two letters of the name."),
    ("query", "too_long"): N_("Too many digits for any number or code."),
    ("query", "unrecognised"): N_("Type digits or letters."),
    ("phone", "empty"): N_("Type the phone number."),
    ("phone", "not_digits"): N_("A phone number has digits only."),
    ("phone", "too_short"): N_("Too few digits for a phone number."),
    ("phone", "too_long"): N_("Too many digits for a phone number."),
    ("phone", "bad_prefix"): N_("Not an Iranian number: a mobile starts with 09."),
    ("phone", "bad_area_code"): N_("Unknown area code."),
    ("tracking_code", "empty"): N_("Type the tracking code."),
    ("tracking_code", "not_digits"): N_("A tracking code has digits only."),
    ("tracking_code", "wrong_length"): N_("A tracking code has 12 digits."),
    ("tracking_code", "bad_checksum"): N_(
        "The check digit does not match: a digit is probably misheard."
    ),
    ("tracking_code", "bad_center"): N_("This is not a tracking code of any center."),
    ("tracking_code", "bad_sequence"): N_("This is not a tracking code of any center."),
    ("tracking_code", "not_found"): N_("No request of this center has this tracking code."),
    ("category", "required"): N_("Pick a category first."),
    ("category", "not_found"): N_("This category does not exist in this center."),
    ("category", "inactive"): N_("This category is no longer used: pick another."),
    ("category", "information_only"): N_(
        "An information category: no request. End the call as answered."
    ),
    ("subscriber", "required"): N_(
        "This category needs the subscriber: look them up and pick one."
    ),
    ("subscriber", "not_found"): N_("This subscriber is not in this center."),
    ("district", "not_found"): N_("Pick a district from the list."),
    ("incident", "not_found"): N_("This incident is not in this center."),
    ("incident", "closed"): N_("This incident has been closed: register a request if needed."),
    ("ticket", "not_found"): N_("This request is not in this center."),
    ("ticket", "closed"): N_("This request is closed: register a new one if needed."),
    ("ticket", "cancelled"): N_("This request was cancelled: register a new one if needed."),
    ("started_at", "in_future"): N_(
        "This computer's clock is ahead of the server's. Tell an administrator."
    ),
    ("ended_at", "in_future"): N_(
        "This computer's clock is ahead of the server's. Tell an administrator."
    ),
    ("ended_at", "before_start"): N_(
        "This computer's clock went back during the call. Tell an administrator."
    ),
    ("draft", "too_large"): N_("Too much text to keep as a draft: shorten the notes."),
    "required": N_("Required for this category."),
    "too_long": N_("Too long: at most {max} characters."),
    "not_found": N_("Not found."),
}

_GENERIC = N_("{field} was refused ({reason}).")

STATUS_NAMES: dict[str, str] = {
    "registered": N_("Registered"),
    "referred": N_("Referred to the unit"),
    "in_progress": N_("Unit working on it"),
    "unit_answered": N_("Unit answered"),
    "accepted": N_("Answer accepted"),
    "awaiting_feedback": N_("Awaiting feedback"),
    "closed": N_("Closed"),
    "rejected": N_("Sent back to the unit"),
    "pending_subscriber": N_("Waiting for the subscriber"),
    "cancelled": N_("Cancelled"),
}

OUTCOME_NAMES: dict[str, str] = {
    "answered": N_("Answered"),
    "request_registered": N_("Request registered"),
    "linked_incident": N_("Linked to incident"),
    "linked_request": N_("Linked to request"),
    "transferred": N_("Transferred"),
    "dropped": N_("Dropped"),
}

INCIDENT_KINDS: dict[str, str] = {
    "main_break": N_("Main break"),
    "planned_cutoff": N_("Planned cut-off"),
    "unplanned_cutoff": N_("Unplanned cut-off"),
    "low_pressure": N_("Low pressure"),
    "water_quality": N_("Water quality"),
    "sewer": N_("Sewer"),
}

EVENT_ACTIONS: dict[str, str] = {
    "registered": N_("Registered"),
    "referred": N_("Referred to the unit"),
    "started": N_("Unit started work"),
    "paused": N_("Paused: waiting for the subscriber"),
    "resumed": N_("Resumed"),
    "answered": N_("Unit answered"),
    "accepted": N_("Answer accepted"),
    "rejected": N_("Sent back to the unit"),
    "feedback_queued": N_("Queued for a callback"),
    "closed": N_("Closed"),
    "reopened": N_("Reopened"),
    "escalated": N_("Escalated"),
    "cancelled": N_("Cancelled"),
    "caller_called_again": N_("Caller called again"),
}

# What the agent reads out to a caller asking about a request (db.intake.WHAT_TO_TELL keys).
WHAT_TO_TELL: dict[str, str] = {
    "registered_being_referred": N_(
        "Your request is registered and is being sent to the unit in charge."
    ),
    "with_unit": N_("Your request has been sent to {unit}, which will act on it."),
    "unit_working": N_("{unit} is working on your request now."),
    "answer_under_review": N_("{unit} has reported back; we are checking the result."),
    "done_feedback_pending": N_(
        "The work is reported done; we will contact you to confirm the result."
    ),
    "awaiting_your_confirmation": N_(
        "The work is reported done; we are waiting to hear from you whether it is solved."
    ),
    "sent_back_to_unit": N_("The result was not good enough, so {unit} is working on it again."),
    "waiting_for_you": N_(
        "The unit needs you (for example to open the door or bring a document); "
        "please get in touch with them."
    ),
    "closed": N_("Your request has been dealt with and closed."),
    "cancelled": N_("This request was cancelled."),
    "cancelled_duplicate": N_(
        "This request was merged into an earlier request about the same problem."
    ),
}
_TELL_FALLBACK = N_("The request is at this step: {status}.")


def local_name(fa: str, en: str) -> str:
    """The name in the agent's language (Persian when there is no English)."""
    return fa if current_language() == "fa" or not en else en


def label(field: str) -> str:
    return _(LABELS[field]) if field in LABELS else field_name(field)


def field_name(field: str) -> str:
    return _(FIELD_NAMES[field]) if field in FIELD_NAMES else field


def error_text(field: str, reason: str, params: Mapping[str, Any] | None = None) -> str:
    """A refused input (`IntakeError`) in the agent's words, to show next to the field."""
    params = params or {}
    msgid = _ERRORS.get((field, reason)) or _ERRORS.get(reason)
    if msgid is None:
        return _(_GENERIC).format(field=field_name(field), reason=reason)
    limit = params.get("max")
    return _(msgid).format(max=lang_digits(str(limit)) if limit is not None else "")


def status_name(status: str) -> str:
    return _(STATUS_NAMES[status]) if status in STATUS_NAMES else status


def channel_name(channel: str) -> str:
    """The line's short name in the agent's language and digits (122, 1523, SMS...)."""
    return lang_digits(_(CHANNEL_NAMES[channel])) if channel in CHANNEL_NAMES else channel


def outcome_name(outcome: str) -> str:
    return _(OUTCOME_NAMES[outcome]) if outcome in OUTCOME_NAMES else outcome


def incident_kind_name(kind: str) -> str:
    return _(INCIDENT_KINDS[kind]) if kind in INCIDENT_KINDS else kind


def action_name(action: str, to_status: str | None = None) -> str:
    if action in EVENT_ACTIONS:
        return _(EVENT_ACTIONS[action])
    return status_name(to_status) if to_status else action


def tell_text(key: str, *, unit: str, status: str) -> str:
    """The sentence an agent reads out for a `what_to_tell` key."""
    unit = unit or _("the unit in charge")
    if key in WHAT_TO_TELL:
        return _(WHAT_TO_TELL[key]).format(unit=unit)
    return _(_TELL_FALLBACK).format(status=status_name(status))


def isolate(text: str) -> str:
    """Keep a left-to-right run (a code, a phone) in one piece inside a Persian sentence."""
    return f"{LRI}{text}{PDI}"


def code_groups(code: str) -> list[str]:
    """A tracking code as read aloud: center, year, sequence, check digit (131 05 000123 4)."""
    if len(code) == 12 and code.isdigit():
        return [code[:3], code[3:5], code[5:11], code[11:]]
    return [code]


def grouped_code(code: str) -> str:
    """`131 05 000123 4`, in Persian digits in Persian, kept left to right in a sentence."""
    return isolate(lang_digits(" ".join(code_groups(code))))


def when_text(at: datetime, *, now: datetime | None = None, date_only: bool = False) -> str:
    """A time in Tehran: just the time when it is today, else the date (and time unless
    `date_only`); Jalali with Persian digits in Persian."""
    lang = current_language()
    if now is not None and format_date(at, lang) == format_date(now, lang):
        return format_time(at, lang)
    return format_date(at, lang) if date_only else format_datetime(at, lang)


def _duration(minutes: int) -> str:
    hours, mins = divmod(abs(minutes), 60)
    days, hours = divmod(hours, 24)
    if days:
        text = ngettext("{n} day", "{n} days", days).format(n=days)
        if hours:
            text = _("{a} {b}").format(
                a=text, b=ngettext("{n} hour", "{n} hours", hours).format(n=hours)
            )
    elif hours:
        text = ngettext("{n} hour", "{n} hours", hours).format(n=hours)
        if mins:
            text = _("{a} {b}").format(a=text, b=_("{n} min").format(n=mins))
    else:
        text = _("{n} min").format(n=mins)
    return lang_digits(text)


def time_left_text(minutes: int | None, *, paused: bool = False) -> str:
    """ "3 hours 20 min left", "overdue 2 hours", "clock paused"; empty when there is no target."""
    if paused:
        return _("clock paused")
    if minutes is None:
        return ""
    if minutes < 0:
        return _("overdue {time}").format(time=_duration(minutes))
    return _("{time} left").format(time=_duration(minutes))
