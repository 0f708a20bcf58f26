"""The words of notices on screen: channels, statuses, targets, SMS costs, warnings, refusals.

The screens of the notices mode (templates, campaigns, the outbox) show what `db.notices`
returns; this module says it in the agent's language. Sample values fill a template being
written, so its preview reads like a real message (the message itself is always Persian).
"""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from console.i18n import N_, _, lang_digits
from console.i18n.intake_words import local_name
from db.accounts import PermissionDenied
from db.jalali import format_date, format_time
from db.notices import PLACEHOLDERS, NoticeError, Preview, PreviewWarning, SmsCount

__all__ = [
    "CAMPAIGN_STATUS",
    "CHANNELS",
    "ENCODINGS",
    "OUTBOX_STATUS",
    "TARGETS",
    "campaign_status_name",
    "channel_name",
    "cost_text",
    "malformed_text",
    "names_text",
    "notice_error_field",
    "notice_error_text",
    "outbox_status_name",
    "placeholder_note",
    "preview_cost",
    "sample_values",
    "target_hint",
    "target_name",
    "warning_text",
]

CHANNELS: dict[str, str] = {
    "sms": N_("SMS"),
    "ivr": N_("Phone menu"),
    "web": N_("Website"),
}

CAMPAIGN_STATUS: dict[str, str] = {
    "draft": N_("Draft"),
    "approved": N_("Approved"),
    "sending": N_("Sending"),
    "done": N_("Done"),
    "cancelled": N_("Cancelled"),
}

OUTBOX_STATUS: dict[str, str] = {
    "queued": N_("Queued"),
    "sending": N_("Sending"),
    "sent": N_("Sent"),
    "delivered": N_("Delivered"),
    "failed": N_("Failed"),
}

#: Who a campaign goes to, short enough for one line of four choices.
TARGETS: dict[str, str] = {
    "districts": N_("Districts"),
    "incident_area": N_("Incident area"),
    "incident_callers": N_("Incident callers"),
    "open_requests_in_category": N_("Category"),
}

#: One sentence under the choice of target: who exactly receives the message.
TARGET_HINTS: dict[str, str] = {
    "districts": N_("Active subscribers of the districts marked, on their mobiles."),
    "incident_area": N_("Active subscribers whose address the incident's area covers."),
    "incident_callers": N_("Everyone who called about the incident."),
    "open_requests_in_category": N_(
        "Callers of the open requests in a category, each told their own tracking code."
    ),
}

ENCODINGS = {"gsm7": "GSM-7", "ucs2": "UCS-2"}

_WHAT: dict[str, str] = {
    "template": N_("template"),
    "campaign": N_("campaign"),
    "message": N_("message"),
    "incident": N_("incident"),
    "district": N_("district"),
    "category": N_("category"),
}

_ERRORS: dict[str, str] = {
    "not_found": N_("This {what} is no longer in this center."),
    "required": N_("This cannot be empty."),
    "too_long": N_("Too long: at most {max} characters."),
    "bad_code": N_("A code is a Latin letter, then Latin letters, digits or _ (at most 32)."),
    "bad_channel": N_("Choose SMS, phone menu or website."),
    "duplicate": N_("There is already a template with this code on this channel."),
    "inactive": N_("This template is not in use: turn it on first."),
    "not_sms": N_("A campaign sends an SMS template."),
    "bad_target": N_("Choose who receives it."),
    "bad_target_ref": N_("The chosen {what} is no longer in this center."),
    "bad_value": N_("This value cannot be used."),
    "not_draft": N_("This campaign is already {status}."),
    "no_recipients": N_("Nobody with a mobile number is in this target: nothing to send."),
    "not_failed": N_("Only a failed message can be sent again; this one is {status}."),
}

#: Which dialog field a NoticeError is about, for the message next to it.
_FIELDS: Mapping[str, str] = {
    "bad_code": "code",
    "duplicate": "code",
    "bad_channel": "channel",
    "bad_template": "body",
    "unknown_placeholder": "body",
    "stale": "body",
    "inactive": "template",
    "not_sms": "template",
    "bad_target": "target",
    "bad_target_ref": "target",
}


def _n(value: object) -> str:
    return lang_digits(str(value))


def channel_name(channel: str) -> str:
    return _(CHANNELS[channel]) if channel in CHANNELS else channel


def campaign_status_name(status: str) -> str:
    return _(CAMPAIGN_STATUS[status]) if status in CAMPAIGN_STATUS else status


def outbox_status_name(status: str) -> str:
    return _(OUTBOX_STATUS[status]) if status in OUTBOX_STATUS else status


def target_name(kind: str) -> str:
    return _(TARGETS[kind]) if kind in TARGETS else kind


def target_hint(kind: str) -> str:
    return _(TARGET_HINTS[kind]) if kind in TARGET_HINTS else ""


def placeholder_note(name: str) -> str:
    """What a placeholder stands for, in the agent's language."""
    fa, en = PLACEHOLDERS.get(name, ("", ""))
    return local_name(fa, en)


def names_text(names: object) -> str:
    """Placeholders as written in a template: `{eta}, {date}`."""
    if isinstance(names, str):
        names = (names,)
    return ", ".join("{" + str(n) + "}" for n in names or ())  # type: ignore[union-attr]


def sample_values(now: datetime, center: str) -> dict[str, str]:
    """Values a template being written is previewed with: realistic, Persian, today's."""
    return {
        "name": "علی رضایی",
        "tracking_code": "131050000127",
        "district": "منطقه ۳، خیابان سعدی",
        "eta": format_time(now + timedelta(hours=3), "fa"),
        "start": format_time(now - timedelta(hours=1), "fa"),
        "date": format_date(now, "fa"),
        "title": "شکستگی خط اصلی خیابان سعدی",
        "message": "آب خیابان سعدی به علت شکستگی خط اصلی قطع است.",
        "center": center,
        "result": "لوله آسیب‌دیده تعویض شد",
        "survey_code": "4821",
    }


def cost_text(count: SmsCount | None, characters: int) -> str:
    """`2 SMS, 118 characters, UCS-2`; a phone-menu or website text only counts characters."""
    if count is None:
        return _("{chars} characters").format(chars=_n(characters))
    return _("{parts} SMS, {chars} characters, {encoding}").format(
        parts=_n(count.parts),
        chars=_n(count.characters),
        encoding=ENCODINGS.get(count.encoding, count.encoding),
    )


def preview_cost(preview: Preview) -> str:
    return cost_text(preview.sms, preview.characters)


def warning_text(warning: PreviewWarning) -> str:
    p = warning.params
    if warning.code == "unknown_placeholder":
        return _("{name} is not a placeholder: it would be sent as typed.").format(
            name=names_text(p.get("name", ""))
        )
    if warning.code == "missing_value":
        return _("{name} has no value here: the message would show it as typed.").format(
            name=names_text(p.get("name", ""))
        )
    if warning.code == "too_many_parts":
        return _("{parts} SMS parts: more than the {max} this center sends.").format(
            parts=_n(p.get("parts", "")), max=_n(p.get("max", ""))
        )
    if warning.code == "mixed_encoding":
        return _(
            "{chars} made this Latin text UCS-2: 70 characters per SMS instead of 160."
        ).format(chars=str(p.get("chars", "")))
    if warning.code == "empty":
        return _("The text is empty.")
    return warning.code


def malformed_text(detail: str) -> str:
    """A template whose braces cannot be read (NoticeError bad_template)."""
    if detail == "unbalanced":
        return _(
            "A brace is not closed: write a placeholder as {{name}} and a brace as {{{{ or }}}}."
        ).format()
    return _(
        "Only a name goes between braces, such as {{name}}; write a brace as {{{{ or }}}}."
    ).format()


def notice_error_text(error: NoticeError | PermissionDenied) -> str:
    """One sentence for a refused notices operation, in the agent's language."""
    if isinstance(error, PermissionDenied):
        return _("You do not have permission for this.")
    params: dict[str, Any] = dict(error.params)
    reason = error.reason
    if reason == "unknown_placeholder":
        return _("Not a placeholder: {names}. Use one of the list below.").format(
            names=names_text(params.get("names", ()))
        )
    if reason == "bad_template":
        return malformed_text(str(params.get("detail", "")))
    if reason == "stale":
        return _(
            "Someone changed this template meanwhile. Your text is kept: save it to write over "
            "theirs, or close to keep theirs."
        )
    if reason == "needs_supervisor":
        return _(
            "{recipients} recipients: a campaign to more than {threshold} needs a supervisor's "
            "approval. Ask a supervisor to approve it."
        ).format(
            recipients=_n(params.get("recipients", "")), threshold=_n(params.get("threshold", ""))
        )
    if reason == "missing_values":
        return _(
            "{names} has no value for {recipients} recipients. Cancel this draft and create it "
            "again with the value typed."
        ).format(
            names=names_text(params.get("names", ())), recipients=_n(params.get("recipients", ""))
        )
    msgid = _ERRORS.get(reason)
    if msgid is None:
        return _("The change was refused ({reason}).").format(reason=reason)
    if "max" in params:
        params["max"] = _n(params["max"])
    if "what" in params:
        params["what"] = _(_WHAT[params["what"]]) if params["what"] in _WHAT else params["what"]
    if "status" in params:
        status = str(params["status"])
        params["status"] = (
            campaign_status_name(status) if reason == "not_draft" else outbox_status_name(status)
        )
    return _(msgid).format(**params)


def notice_error_field(error: NoticeError) -> str:
    """The dialog field an error is about: its own, else the one its ``field`` param names."""
    return _FIELDS.get(error.reason) or str(error.params.get("field", ""))
