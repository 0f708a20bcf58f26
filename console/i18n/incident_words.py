"""The words of incidents on screen: event names, refusals, restoration times as typed."""

import re
from collections.abc import Mapping
from datetime import datetime, time
from typing import Any

from console.i18n import N_, _, lang_digits
from console.i18n.intake_words import when_text
from db.incidents import IncidentError
from db.jalali import TEHRAN, JalaliParseError, parse_jalali_datetime
from db.text import to_ascii_digits

__all__ = ["KIND_SHORT", "event_name", "incident_error_text", "restoration_time"]

#: Incident kinds short enough for one line of six choices.
KIND_SHORT: dict[str, str] = {
    "main_break": N_("Main break"),
    "planned_cutoff": N_("Planned"),
    "unplanned_cutoff": N_("Cut-off"),
    "low_pressure": N_("Pressure"),
    "water_quality": N_("Quality"),
    "sewer": N_("Sewer"),
}

EVENTS: dict[str, str] = {
    "declared": N_("Declared"),
    "eta_changed": N_("Restoration time changed"),
    "message_changed": N_("Message changed"),
    "title_changed": N_("Title changed"),
    "unit_changed": N_("Unit changed"),
    "area_changed": N_("Area changed"),
    "notify_changed": N_("Notice on closing changed"),
    "closed": N_("Closed"),
}

ERRORS: dict[str, str] = {
    "not_found": N_("This incident is not in this center."),
    "closed": N_("This incident has been closed."),
    "required": N_("This cannot be empty."),
    "too_long": N_("Too long: at most {max} characters."),
    "no_area": N_("Choose at least one district or type a street."),
    "bad_area": N_("Choose at least one district or type a street."),
    "district_not_found": N_("A chosen district is no longer in this center."),
    "unit_not_found": N_("The chosen unit is no longer in this center."),
    "eta_before_start": N_("The restoration time must come after the start."),
    "nothing_changed": N_("Nothing was changed."),
    "bad_kind": N_("Choose what happened."),
}

#: Which dialog field an IncidentError is about, for the message next to it.
ERROR_FIELDS: Mapping[str, str] = {
    "no_area": "districts",
    "bad_area": "districts",
    "district_not_found": "districts",
    "unit_not_found": "unit",
    "eta_before_start": "eta",
    "bad_kind": "kind",
}


def event_name(action: str) -> str:
    return _(EVENTS[action]) if action in EVENTS else action


def incident_error_text(error: IncidentError) -> str:
    """One sentence for a refused incident operation, in the agent's language."""
    params: dict[str, Any] = dict(error.params)
    if error.reason == "stale":
        at = params.get("changed_at")
        return _("{name} changed this incident at {time}; it was read again: check it and try "
                 "again.").format(
            name=params.get("changed_by") or _("Another agent"),
            time=when_text(at) if isinstance(at, datetime) else "",
        )  # fmt: skip
    msgid = ERRORS.get(error.reason)
    if msgid is None:
        return _("The change was refused ({reason}).").format(reason=error.reason)
    if "max" in params:
        params["max"] = lang_digits(str(params["max"]))
    return _(msgid).format(**params)


def error_field(error: IncidentError) -> str:
    """The field an error is about: its own, else the one its ``field`` param names."""
    return ERROR_FIELDS.get(error.reason) or str(error.params.get("field", ""))


def restoration_time(text: str, now: datetime) -> datetime | None:
    """When service should be back, as typed: ``18:30`` (today, Tehran), ``1405/09/07 08:00``
    (any digit script), or nothing (not known yet). ValueError with a sentence to show."""
    typed = to_ascii_digits(text).strip()
    if not typed:
        return None
    if " " in typed:
        try:
            return parse_jalali_datetime(typed)
        except JalaliParseError:
            raise ValueError(
                _("Type a time as 18:30, or a date and time as 1405/09/07 08:00.")
            ) from None
    match = re.fullmatch(r"(\d{1,2})\s*[:.٫]\s*(\d{2})", typed)
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError(_("Type a time as 18:30, or a date and time as 1405/09/07 08:00."))
    today = now.astimezone(TEHRAN).date()
    at = datetime.combine(today, time(int(match.group(1)), int(match.group(2))), tzinfo=TEHRAN)
    if at <= now:
        raise ValueError(
            _("{time} has passed today: type a later time, or a date and time.").format(
                time=lang_digits(typed)
            )
        )
    return at.astimezone(now.tzinfo)
