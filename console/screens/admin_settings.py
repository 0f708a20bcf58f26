"""Admin mode (F7), settings: the center's values of the keys the units read (SLA warnings and
escalation, the follow-up hold, incident suggestions, the SMS gateway and its retries...).

One row per registered key with this center's value ("-": the default applies) and the
default; what the key does below. Enter sets a value (typed as JSON: 45, 0.3, [0, 1], {...},
or a bare word for a text), checked by the key's own validator before it is kept; Ctrl+D
removes the center's value so the default applies again. Notice templates are not settings:
they are written in F5, Incidents & notices, view Templates.
"""

import json
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from sqlmodel import Session
from textual.app import ComposeResult

from console.i18n import N_, _, lang_digits
from console.screens.admin_dialog import AdminDialog, Refused
from console.screens.admin_view import AdminView
from console.widgets.lines import Line
from db.admin import SettingView, clear_setting, list_settings, set_setting

__all__ = ["SettingDialog", "SettingsView"]

#: The registered keys' descriptions (db.admin.setting_keys), marked so they are translated.
NOTES: tuple[str, ...] = (
    N_("Minutes a follow-up agent holds a claimed request."),
    N_("Calls in one category and district that suggest declaring an incident."),
    N_("Within how many minutes those calls must come."),
    N_("Campaigns with more recipients need a supervisor's approval."),
    N_("The center's name in notices; its Persian name when empty."),
    N_("The SMS gateway: file spool or HTTP."),
    N_("Seconds a sender holds a claimed message."),
    N_("Attempts before a message fails, and the waits between them."),
    N_("A preview warns when an SMS needs more parts than this."),
    N_("Which clocks escalate automatically: citizen, unit, response."),
    N_("How late (as a share of the target) a clock must be to reach escalation levels 1-3."),
    N_("A running clock warns when at most this share of its target is left."),
)


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def parsed(text: str) -> Any:
    """A typed value: JSON when it reads as JSON, else the text itself (a bare word)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text.strip()


@dataclass
class SettingDraft:
    key: str
    value: str
    default: str
    description: str


class SettingDialog(AdminDialog[SettingDraft]):
    """A setting's value for this center, as JSON."""

    FIELDS = ("value",)

    def __init__(self, draft: SettingDraft, *, error: str = "", error_field: str = "") -> None:
        self.draft = draft
        super().__init__(
            _("Setting {key}").format(key=draft.key), error=error, error_field=error_field
        )

    def fields(self) -> ComposeResult:
        d = self.draft
        if d.description:
            yield self.note(_(d.description))
        yield self.note(_("Default: {value}").format(value=d.default))
        yield from self.text_field(
            _("Value (JSON: 45, 0.3, [0, 1], {...}; a bare word is a text)"),
            "value",
            d.value,
            max_length=2000,
        )

    def collect(self) -> SettingDraft:
        value = self.typed("value")
        if not value.strip():
            raise Refused("value", _("Type a value."))
        return SettingDraft(self.draft.key, value, self.draft.default, self.draft.description)


class SettingsView(AdminView):
    """The center's settings: value, default and what each does."""

    SCOPE = "admin_settings"
    LISTINGS = {
        "settings": (
            ("key", N_("Setting"), 28),
            ("value", N_("Value"), 26),
            ("default", N_("Default"), 25),
        )
    }
    DETAIL_ROWS = 2

    def read(self, s: Session, listing: str):
        return list_settings(s, actor=self.agent), None

    def key(self, row: SettingView) -> str:
        return row.key

    def cells(self, v: SettingView) -> list[Text]:
        values = {
            "key": v.key,
            "value": json_text(v.value) if v.is_set else "-",
            "default": json_text(v.default),
        }
        return self.values_cells(values, value="bold" if v.is_set else "dim")

    def detail(self, v: SettingView) -> list[Line]:
        lines = [Line(_(v.description) if v.description else v.key)]
        if not v.known:
            lines.append(Line(_("No unit reads this key any more."), "detail--warning"))
        return lines

    def count_text(self) -> str:
        kept = sum(1 for v in self.rows if v.is_set)
        return _("Settings: {n}, set for this center {set} · Notice templates: F5").format(
            n=lang_digits(str(len(self.rows))), set=lang_digits(str(kept))
        )

    def action_edit_row(self) -> None:
        v = self.current()
        if v is None:
            return
        value = json_text(v.value) if v.is_set else json_text(v.default)
        self.open_setting(SettingDraft(v.key, value, json_text(v.default), v.description))

    def open_setting(self, draft: SettingDraft, error: str = "", field: str = "") -> None:
        actor = self.agent

        def typed(d: SettingDraft) -> None:
            self.write(
                lambda s: set_setting(s, actor=actor, key=d.key, value=parsed(d.value)),
                lambda v: (
                    _("{key} = {value}").format(key=v.key, value=json_text(v.value)),
                    v.key,
                ),
                lambda text, field: self.open_setting(d, text, field),
            )

        self.open(SettingDialog(draft, error=error, error_field=field), typed)

    def action_remove_row(self) -> None:
        v = self.current()
        if v is None:
            return
        if not v.is_set:
            self.say(_("{key} already has its default.").format(key=v.key))
            return
        actor, key = self.agent, v.key
        self.write(
            lambda s: clear_setting(s, actor=actor, key=key),
            lambda c: (
                _("{key} is back to its default: {value}").format(
                    key=c.key, value=json_text(c.default)
                ),
                c.key,
            ),
        )
