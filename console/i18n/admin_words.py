"""The admin's words: db.admin's reason codes, the names of roles, kinds, groups and records,
and the audit trail's actions, for the command line (console.cli_admin) and the admin mode (F7).

`db.admin` refuses with an `AdminError(reason, **params)`, `db.accounts` with an `AccountError`
(code, params) or `PermissionDenied`; :func:`admin_error_text` says any of the three in the
admin's language and :func:`admin_error_field` names the dialog field it is about, so a screen
shows the reason next to the field and keeps what was typed.
"""

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from console.i18n import N_, _, current_language, lang_digits

if TYPE_CHECKING:  # db.admin imports every unit's settings: the command line loads it late
    from db.admin import AdminError, Removal

__all__ = [
    "ACCOUNT_MESSAGES",
    "ACTIONS",
    "CATEGORY_GROUPS",
    "DETAILS",
    "ENTITIES",
    "FIELDS",
    "REQUIRED_FIELD_NAMES",
    "ROLES",
    "ROW_REASONS",
    "UNIT_KINDS",
    "WHAT",
    "action_name",
    "admin_error_field",
    "admin_error_text",
    "change_text",
    "describe_admin_error",
    "entity_name",
    "field_label",
    "listed",
    "removal_text",
    "role_name",
    "row_reason",
    "value_text",
]

WHAT: dict[str, str] = {
    "unit": N_("unit"),
    "district": N_("district"),
    "category": N_("category"),
    "calendar": N_("calendar"),
    "canned_answer": N_("canned answer"),
    "user": N_("user"),
    "center": N_("center"),
}
FIELDS: dict[str, str] = {
    "code": N_("Code"),
    "name": N_("Name"),
    "name_fa": N_("Persian name"),
    "name_en": N_("English name"),
    "title_fa": N_("Persian title"),
    "title_en": N_("English title"),
    "body_fa": N_("Persian text"),
    "body_en": N_("English text"),
    "kind": N_("Kind"),
    "phone": N_("Phone"),
    "group": N_("Group"),
    "priority": N_("Priority"),
    "response_minutes": N_("Response target"),
    "resolution_minutes": N_("Resolution target"),
    "required_fields": N_("Required fields"),
    "sort_order": N_("Order"),
}
#: More field names the audit trail shows (FIELDS first).
MORE_FIELDS: dict[str, str] = {
    "username": N_("Username"),
    "full_name": N_("Full name"),
    "roles": N_("Roles"),
    "language": N_("Language"),
    "center": N_("Center"),
    "active": N_("Active"),
    "locked_until": N_("Locked until"),
    "failed_attempts": N_("Failed attempts"),
    "districts": N_("Districts"),
    "default_unit": N_("Default unit"),
    "calendar": N_("Calendar"),
    "emergency": N_("Emergency"),
    "needs_request": N_("Needs a request"),
    "always_open": N_("Open 24/7"),
    "hours": N_("Working hours"),
    "holiday": N_("Holiday"),
    "added": N_("Added"),
    "renamed": N_("Renamed"),
    "removed": N_("Removed"),
    "category": N_("Category"),
    "inserted": N_("Added"),
    "updated": N_("Updated"),
    "unchanged": N_("Unchanged"),
    "skipped": N_("Skipped"),
    "phones_added": N_("Phones added"),
    "text_fa": N_("Persian text"),
    "text_en": N_("English text"),
    # A subscriber's, as the billing export names them.
    "subscription_no": N_("Subscription"),
    "bill_id": N_("Bill ID"),
    "national_code": N_("National code"),
    "mobile": N_("Mobile"),
    "district_code": N_("District"),
    "district": N_("District"),
    "street": N_("Street"),
    "address": N_("Address"),
    "postal_code": N_("Postal code"),
    "usage": N_("Usage"),
}
ROW_REASONS: dict[str, str] = {
    "missing_value": N_("missing"),
    "bad_value": N_("not valid"),
    "too_long": N_("too long"),
    "unknown_district": N_("no such district"),
    "duplicate_in_file": N_("repeats line {detail}"),
    "bad_row": N_("wrong number of cells ({detail})"),
    "wrong_length": N_("not 10 digits (warning)"),
    "not_water_bill": N_("bill of another service (warning)"),
}
DETAILS: dict[str, str] = {
    "bad_checksum": N_("wrong check digit"),
    "too_short": N_("too few digits"),
    "too_long": N_("too many digits"),
    "not_digits": N_("not digits"),
    "empty": N_("empty"),
    "bad_prefix": N_("unexpected prefix"),
    "bad_area_code": N_("unknown area code"),
    "identical_digits": N_("ten identical digits"),
    "unknown": N_("unknown value"),
    "bad_format": N_("not a date like 1405/01/01"),
    "bad_year": N_("bad year"),
    "bad_month": N_("bad month"),
    "bad_day": N_("no such day in that month"),
}
ROLES: dict[str, str] = {
    "agent": N_("Desk agent"),
    "followup": N_("Follow-up agent"),
    "surveyor": N_("Surveyor"),
    "notifier": N_("Information officer"),
    "supervisor": N_("Supervisor"),
    "admin": N_("Administrator"),
}
UNIT_KINDS: dict[str, str] = {
    "water_ops": N_("Water operations"),
    "sewer_ops": N_("Sewer operations"),
    "billing": N_("Billing and revenue"),
    "subscriber_affairs": N_("Subscriber affairs"),
    "metering": N_("Metering"),
    "lab": N_("Water-quality lab"),
    "public_relations": N_("Public relations"),
}
CATEGORY_GROUPS: dict[str, str] = {
    "water_emergency": N_("Water emergency"),
    "sewer_emergency": N_("Sewer emergency"),
    "billing": N_("Billing"),
    "metering": N_("Metering"),
    "connection": N_("Connections"),
    "service": N_("Service"),
    "information": N_("Information"),
}
REQUIRED_FIELD_NAMES: dict[str, str] = {
    "subscriber": N_("Subscriber"),
    "address": N_("Address"),
    "district": N_("District"),
    "phone": N_("Phone"),
    "caller_name": N_("Caller's name"),
    "description": N_("Description"),
}
#: Kinds of record in the audit trail (AuditEntry.entity).
ENTITIES: dict[str, str] = {
    "agent": N_("users"),
    "unit": N_("units"),
    "district": N_("districts"),
    "category": N_("categories"),
    "calendar": N_("calendars"),
    "canned_answer": N_("canned answers"),
    "center_setting": N_("settings"),
    "subscriber": N_("subscribers"),
    "questionnaire": N_("questionnaires"),
    "question": N_("questions"),
}
#: Tables that keep a record from being deleted (Removal.tables), as the admin reads them.
TABLES: dict[str, str] = {
    "tickets": N_("requests"),
    "calls": N_("calls"),
    "categories": N_("categories"),
    "incidents": N_("incidents"),
    "incident_areas": N_("incidents"),
    "subscribers": N_("subscribers"),
    "canned_answers": N_("canned answers"),
    "questionnaires": N_("questionnaires"),
}
ACTIONS: dict[str, str] = {
    "user_added": N_("user added"),
    "user_changed": N_("user changed"),
    "user_disabled": N_("user disabled"),
    "user_enabled": N_("user enabled"),
    "user_roles_set": N_("roles set"),
    "user_unlocked": N_("user unlocked"),
    "password_set": N_("password set"),
    "sign_in": N_("signed in"),
    "sign_in_failed": N_("sign-in failed"),
    "account_locked": N_("account locked"),
    "unit_added": N_("unit added"),
    "unit_changed": N_("unit changed"),
    "unit_districts_set": N_("districts served set"),
    "unit_deactivated": N_("unit made inactive"),
    "unit_removed": N_("unit removed"),
    "district_added": N_("district added"),
    "district_changed": N_("district changed"),
    "district_deactivated": N_("district made inactive"),
    "district_removed": N_("district removed"),
    "category_added": N_("category added"),
    "category_changed": N_("category changed"),
    "category_deactivated": N_("category made inactive"),
    "category_removed": N_("category removed"),
    "calendar_added": N_("calendar added"),
    "calendar_changed": N_("calendar changed"),
    "calendar_hours_set": N_("working hours set"),
    "calendar_removed": N_("calendar removed"),
    "holiday_added": N_("holiday added"),
    "holiday_renamed": N_("holiday renamed"),
    "holiday_removed": N_("holiday removed"),
    "holidays_imported": N_("holidays imported"),
    "canned_answer_added": N_("canned answer added"),
    "canned_answer_changed": N_("canned answer changed"),
    "canned_answer_deactivated": N_("canned answer made inactive"),
    "canned_answer_removed": N_("canned answer removed"),
    "setting_changed": N_("setting changed"),
    "setting_cleared": N_("setting back to default"),
    "subscribers_imported": N_("subscribers imported"),
    "subscriber_updated": N_("subscriber updated"),
    "questionnaire_changed": N_("questionnaire changed"),
    "question_changed": N_("question changed"),
}


def _name(words: Mapping[str, str], code: str) -> str:
    return _(words[code]) if code in words else code


def role_name(role: str) -> str:
    return _name(ROLES, role)


def entity_name(entity: str) -> str:
    return _name(ENTITIES, entity) if entity else "-"


def action_name(action: str) -> str:
    return _(ACTIONS[action]) if action in ACTIONS else action.replace("_", " ")


def field_label(field: str) -> str:
    """A field of a record as the admin reads it (a setting's key stays as it is)."""
    if field in FIELDS:
        return _(FIELDS[field])
    return _(MORE_FIELDS[field]) if field in MORE_FIELDS else field


def _what(params: Mapping[str, Any]) -> str:
    return _name(WHAT, str(params.get("what", "")))


def _field(params: Mapping[str, Any]) -> str:
    return field_label(str(params.get("field", "")))


def describe_admin_error(exc: "AdminError") -> str:
    """An AdminError in the admin's words."""
    p = exc.params
    messages: dict[str, Callable[[], str]] = {
        "not_found": lambda: _("No {what} with code {code}.").format(what=_what(p), code=p["code"]),
        "duplicate": lambda: _("A {what} with code {code} already exists.").format(
            what=_what(p), code=p["code"]
        ),
        "bad_code": lambda: _("Code {code}: use letters, digits, '_', '.' or '-'.").format(
            code=p["code"]
        ),
        "required": lambda: _("{field} is required.").format(field=_field(p)),
        "too_long": lambda: _("{field} is too long (at most {max} characters).").format(
            field=_field(p), max=lang_digits(str(p["max"]))
        ),
        "bad_value": lambda: _bad_value(p),
        "unknown_center": lambda: _("No center with code {code}.").format(code=p["code"]),
        "center_required": lambda: _("This database holds several centers: give --center CODE."),
        "other_center": lambda: _("That belongs to another center."),
        "inactive": lambda: _("The {what} {code} is not active.").format(
            what=_what(p), code=p["code"]
        ),
        "in_use": lambda: _("The {what} {code} is in use ({tables}) and cannot be removed.").format(
            what=_what(p), code=p["code"], tables=tables_text(p.get("tables", ()))
        ),
        "stale": lambda: _("Someone else changed this {what} meanwhile: read it again.").format(
            what=_what(p)
        ),
        "resolution_before_response": lambda: _(
            "The resolution target ({resolution} min) cannot be shorter than the response "
            "target ({response} min)."
        ).format(
            resolution=lang_digits(str(p["resolution"])), response=lang_digits(str(p["response"]))
        ),
        "bad_hours": lambda: _(
            "Working hours of weekday {weekday}: opening must come first."
        ).format(weekday=lang_digits(str(p["weekday"]))),
        "unknown_setting": lambda: _("No setting named {key}. See: abfa-desk setting list").format(
            key=p["key"]
        ),
        "bad_setting": lambda: _("Setting {key} refused: {problem}.").format(
            key=p["key"], problem=p["problem"]
        ),
        "bad_file": lambda: _("Cannot read {path}: {problem}.").format(
            path=p.get("path", ""), problem=p.get("problem", "")
        ),
        "missing_columns": lambda: _(
            "The file lacks the column(s) {columns}. Columns: {expected}."
        ).format(columns=", ".join(p["columns"]), expected=", ".join(p.get("expected", ()))),
    }
    return messages.get(exc.reason, lambda: str(exc))()


def _bad_value(p: Mapping[str, Any]) -> str:
    if "low" in p:
        return _("{field} must be a whole number from {low} to {high}.").format(
            field=_field(p), low=lang_digits(str(p["low"])), high=lang_digits(str(p["high"]))
        )
    text = _("{field}: {value} is not allowed.").format(field=_field(p), value=p.get("value"))
    if p.get("allowed"):
        text += " " + _("Allowed: {allowed}.").format(allowed=", ".join(map(str, p["allowed"])))
    return text


ACCOUNT_MESSAGES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "other_center": lambda p: _("User {username} belongs to another center.").format(**p),
    "own_account": lambda p: _("You may not do this to your own account."),
    "last_admin": lambda p: _(
        "{username} is the last active administrator of the center: add another first."
    ).format(**p),
    "bad_language": lambda p: _("The language must be fa or en."),
    "bad_full_name": lambda p: _("Give a name of 1 to 120 characters."),
}
#: The older account codes, as a screen says them (the command line has its own words).
SCREEN_ACCOUNT_MESSAGES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "bad_username": lambda p: _("Username: use letters, digits, '.', '_' or '-' only."),
    "username_taken": lambda p: _("User {username} already exists.").format(**p),
    "unknown_role": lambda p: _("Choose at least one role."),
    "no_role": lambda p: _("Choose at least one role."),
    "password_too_short": lambda p: _(
        "The password must have at least {minimum} characters."
    ).format(minimum=lang_digits(str(p.get("minimum", "")))),
    "unknown_user": lambda p: _("No user named {username}.").format(**p),
    "unknown_center": lambda p: _("No center with code {code}.").format(code=p.get("code", "")),
    "permission_denied": lambda p: _("You do not have permission for this."),
}

#: The dialog field an AccountError code is about.
ACCOUNT_FIELDS: dict[str, str] = {
    "bad_username": "username",
    "username_taken": "username",
    "unknown_role": "roles",
    "no_role": "roles",
    "password_too_short": "password",
    "bad_full_name": "full_name",
    "bad_language": "language",
    "unknown_center": "center",
}
#: The dialog field an AdminError reason is about, when its params name none.
ADMIN_FIELDS: dict[str, str] = {
    "duplicate": "code",
    "bad_code": "code",
    "resolution_before_response": "resolution_minutes",
    "bad_setting": "value",
    "unknown_setting": "value",
    "bad_file": "path",
    "missing_columns": "path",
}
#: A record named by a not_found / inactive refusal, as the field that chose it.
WHAT_FIELDS: dict[str, str] = {
    "unit": "unit",
    "calendar": "calendar",
    "category": "category",
    "district": "districts",
}


def admin_error_text(exc: Exception) -> str:
    """A refusal of db.admin or db.accounts in the admin's words."""
    from db.accounts import AccountError
    from db.admin import AdminError

    if isinstance(exc, AdminError):
        return describe_admin_error(exc)
    if isinstance(exc, AccountError):
        messages = {**SCREEN_ACCOUNT_MESSAGES, **ACCOUNT_MESSAGES}
        if exc.code in messages:
            return messages[exc.code](exc.params)
    return str(exc)


def admin_error_field(exc: Exception) -> str:
    """The dialog field a refusal is about ("" when it is about the whole record)."""
    from db.accounts import AccountError
    from db.admin import AdminError

    if isinstance(exc, AdminError):
        if exc.reason in ADMIN_FIELDS:
            return ADMIN_FIELDS[exc.reason]
        if exc.reason in ("not_found", "inactive"):
            return WHAT_FIELDS.get(str(exc.params.get("what", "")), "")
        if exc.reason == "bad_hours":
            return f"day{exc.params.get('weekday', 0)}"
        return str(exc.params.get("field", ""))
    if isinstance(exc, AccountError):
        return ACCOUNT_FIELDS.get(exc.code, "")
    return ""


def listed(items) -> str:
    """Names in a row, with the Persian comma in Persian."""
    return ("، " if current_language() == "fa" else ", ").join(items)


def tables_text(tables) -> str:
    return listed(dict.fromkeys(_name(TABLES, str(t)) for t in tables))


def removal_text(removal: "Removal") -> str:
    """What Ctrl+D did: deleted, or kept inactive because history points to it."""
    what = _name(WHAT, removal.what)
    if removal.deleted:
        return _("The {what} {code} was deleted: nothing referred to it.").format(
            what=what, code=removal.code
        )
    return _(
        "The {what} {code} is kept, made inactive: {tables} refer to it, so it cannot be deleted."
    ).format(what=what, code=removal.code, tables=tables_text(removal.tables))


def row_reason(reason: str, detail: str) -> str:
    """Why a line of an imported file was skipped."""
    text = (
        _(ROW_REASONS[reason]).format(detail=lang_digits(detail))
        if reason in ROW_REASONS
        else reason
    )
    if detail and "{detail}" not in ROW_REASONS.get(reason, "{detail}"):
        text += ": " + (_(DETAILS[detail]) if detail in DETAILS else detail)
    return text


def value_text(value: Any) -> str:
    """A before or after value of the audit trail, short: - for nothing, lists joined."""
    if value is None or value == "" or value == []:
        return "-"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return listed(value_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float):
        return lang_digits(str(value))
    return str(value)


def change_text(field: str, change: Any) -> str:
    """`field: before → after`, as one audit row shows a change."""
    if isinstance(change, list | tuple) and len(change) == 2:
        before, after = change
        if before is None:  # a record added, a count of an import: only what it is
            return f"{field_label(field)}: {value_text(after)}"
        return f"{field_label(field)}: {value_text(before)} → {value_text(after)}"
    return f"{field_label(field)}: {value_text(change)}"
