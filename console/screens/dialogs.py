"""The small dialogs of a request's steps: a note, a unit, another request's code, a level, a
promised time.

Each dialog asks only for what its step needs, checks what it can without the database (a note
that is required, a tracking code's digits, a time of day), and dismisses with plain values, or
None on Esc. What only the database can refuse (a parent that is closed, a promise that passed
while the dialog was open) comes back to the screen, which opens the dialog again with what was
typed and the reason next to its field: nothing typed is ever lost.

Keys (`console.keys`, scope "request"): Enter goes to the next field, and saves in the last one;
in a note, where Enter starts a new line, Ctrl+O saves (nano's "write out"); Esc closes.
"""

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time

from textual.app import ComposeResult
from textual.widgets import TextArea

from console.i18n import _, lang_digits, ngettext
from console.i18n.intake_words import local_name, when_text
from console.screens.step_dialog import ChoiceLine, Refused, StepDialog, checked_code, note_text
from console.widgets.bidi import BidiText
from console.widgets.fields import FormInput
from console.widgets.picker import Choice, Picker
from db.followup import MAX_LEVEL, UnitChoiceView
from db.jalali import TEHRAN
from db.text import search_key, to_ascii_digits

__all__ = [
    "CancelDialog",
    "Cancellation",
    "EscalateDialog",
    "Escalation",
    "LinkDialog",
    "NoteDialog",
    "ReferDialog",
    "Referral",
    "UnitCalledDialog",
    "promised_time",
]


@dataclass(frozen=True)
class Referral:
    """Refer to this unit, with a note for it (may be empty)."""

    unit_id: uuid.UUID
    note: str


@dataclass(frozen=True)
class Cancellation:
    """Cancel as a duplicate of the request with tracking code `code`, or as invalid."""

    reason: str
    code: str
    note: str


@dataclass(frozen=True)
class Escalation:
    level: int
    note: str


def promised_time(text: str, now: datetime) -> datetime | None:
    """`HH:MM` today in Tehran (any digit script, `:` or `.` between) as aware UTC; None when
    empty. ValueError when it is not a time of day."""
    typed = to_ascii_digits(text).strip()
    if not typed:
        return None
    match = re.fullmatch(r"(\d{1,2})(?:\s*[:.٫/]\s*(\d{2}))?", typed)
    if match is None:
        raise ValueError(text)
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        raise ValueError(text)
    today = now.astimezone(TEHRAN).date()
    return datetime.combine(today, time(hour, minute), tzinfo=TEHRAN).astimezone(now.tzinfo)


class NoteDialog(StepDialog[str]):
    """A step that takes a note: required (the unit's answer, why it is rejected) or optional.
    Dismissed with the note (stripped), or None."""

    FIELDS = ("note",)

    def __init__(
        self,
        title: str,
        prompt: str,
        *,
        required: bool,
        context: str = "",
        note: str = "",
        error: str = "",
    ) -> None:
        super().__init__(title, error=error, error_field="note")
        self.prompt = prompt
        self.required = required
        self.context = context
        self.note = note

    def fields(self) -> ComposeResult:
        if self.context:
            yield BidiText(self.context, classes="dialog--muted")
        word = _("required") if self.required else _("optional")
        yield self.label(f"{self.prompt} ({word})")
        yield from self.note_area(self.note)

    def collect(self) -> str:
        return note_text(self.query_one("#note", TextArea), required=self.required)


class ReferDialog(StepDialog[Referral]):
    """Refer to a unit: type to filter the center's units, Up/Down and Enter to pick; an
    optional note for the unit. Dismissed with a `Referral`, or None."""

    FIELDS = ("unit", "note")

    def __init__(
        self,
        units: Sequence[UnitChoiceView],
        *,
        unit_id: uuid.UUID | None = None,
        note: str = "",
        error: str = "",
        error_field: str = "unit",
    ) -> None:
        super().__init__(_("Refer to a unit"), error=error, error_field=error_field)
        self.units = list(units)
        self.unit_id = unit_id
        self.note = note

    def _choice(self, unit: UnitChoiceView) -> Choice:
        return Choice(local_name(unit.name_fa, unit.name_en), unit.id)

    def fields(self) -> ComposeResult:
        yield self.label(_("Unit"))
        yield Picker(placeholder=_("type to search"), id="unit")
        yield self.error_line("unit")
        yield self.label(_("Note for the unit ({optional})").format(optional=_("optional")))
        yield from self.note_area(self.note)

    def on_mount(self) -> None:
        picker = self.query_one(Picker)
        chosen = next((u for u in self.units if u.id == self.unit_id), None)
        if chosen is not None:
            picker.choose(self._choice(chosen))
        # Every unit at once (a center has a handful), the one chosen first: Enter keeps it.
        picker.show_matches(self._matches(""))
        super().on_mount()

    def _matches(self, typed: str) -> list[Choice]:
        key = search_key(typed)
        units = sorted(self.units, key=lambda unit: unit.id != self.unit_id)
        return [
            self._choice(unit)
            for unit in units
            if key in search_key(f"{unit.name_fa} {unit.name_en} {unit.code}")
        ]

    def on_picker_searched(self, event: Picker.Searched) -> None:
        event.stop()
        event.picker.show_matches(self._matches(event.text))

    def on_picker_picked(self, event: Picker.Picked) -> None:
        event.stop()
        self.query_one("#note", TextArea).focus()

    def collect(self) -> Referral:
        unit_id = self.query_one(Picker).value
        if unit_id is None:
            raise Refused("unit", _("Pick a unit from the list."))
        return Referral(unit_id, note_text(self.query_one("#note", TextArea), required=False))


class LinkDialog(StepDialog[str]):
    """Make the request a child of another (one main break, many calls). Dismissed with the
    parent's tracking code (12 digits), or None."""

    FIELDS = ("code",)

    def __init__(self, *, code: str = "", error: str = "") -> None:
        super().__init__(_("Link to a parent request"), error=error, error_field="code")
        self.code = code

    def fields(self) -> ComposeResult:
        yield BidiText(
            _("Closing the parent request will close this one too."), classes="dialog--muted"
        )
        yield self.label(_("Tracking code of the parent request"))
        yield FormInput(
            self.code, id="code", max_length=40, placeholder=lang_digits("131 05 000123 4")
        )
        yield self.error_line("code")

    def collect(self) -> str:
        return checked_code(self.query_one("#code", FormInput).value)


class CancelDialog(StepDialog[Cancellation]):
    """Cancel as a duplicate (the other request's code) or as invalid (a note why).
    Dismissed with a `Cancellation`, or None."""

    FIELDS = ("reason", "code", "note")

    def __init__(
        self,
        *,
        reason: str = "duplicate",
        code: str = "",
        note: str = "",
        error: str = "",
        error_field: str = "code",
    ) -> None:
        super().__init__(_("Cancel the request"), error=error, error_field=error_field)
        self.reason = reason
        self.code = code
        self.note = note

    def fields(self) -> ComposeResult:
        yield self.label(_("Why"))
        yield ChoiceLine(
            [("duplicate", _("A duplicate of another request")), ("invalid", _("Invalid"))],
            self.reason,
            id="reason",
        )
        yield self.label(_("Tracking code of the request it repeats"))
        yield FormInput(
            self.code, id="code", max_length=40, placeholder=lang_digits("131 05 000123 4")
        )
        yield self.error_line("code")
        yield BidiText("", id="note-label", classes="dialog--label")
        yield from self.note_area(self.note)

    def on_mount(self) -> None:
        self._show_reason(self.query_one(ChoiceLine).value)
        super().on_mount()

    def first_field(self) -> str:
        # A duplicate is the usual case: straight to its code (Shift+Tab goes back to the why).
        return "code" if self.reason == "duplicate" else "note"

    def on_choice_line_changed(self, event: ChoiceLine.Changed) -> None:
        self._show_reason(event.value)

    def _show_reason(self, reason: str) -> None:
        code = self.query_one("#code", FormInput)
        code.disabled = reason != "duplicate"
        word = _("required") if reason == "invalid" else _("optional")
        self.query_one("#note-label", BidiText).text = _("Note ({required})").format(required=word)

    def collect(self) -> Cancellation:
        reason = self.query_one(ChoiceLine).value
        area = self.query_one("#note", TextArea)
        if reason == "duplicate":
            code = checked_code(self.query_one("#code", FormInput).value)
            return Cancellation(reason, code, note_text(area, required=False))
        return Cancellation(reason, "", note_text(area, required=True))


class EscalateDialog(StepDialog[Escalation]):
    """Raise the escalation level, with the reason. Level 3 (the managing director's office)
    is offered only to a supervisor. Dismissed with an `Escalation`, or None."""

    FIELDS = ("level", "note")

    def __init__(
        self,
        *,
        current: int,
        top_allowed: bool,
        level: int | None = None,
        note: str = "",
        error: str = "",
        error_field: str = "note",
    ) -> None:
        super().__init__(_("Escalate the request"), error=error, error_field=error_field)
        top = MAX_LEVEL if top_allowed else MAX_LEVEL - 1
        self.levels = list(range(current + 1, top + 1))
        self.current = current
        self.top_allowed = top_allowed
        self.level = level
        self.note = note

    def fields(self) -> ComposeResult:
        if self.current:
            now = _("Now at level {n}.").format(n=lang_digits(str(self.current)))
        else:
            now = _("Not escalated yet.")
        if not self.top_allowed:
            now += " " + _("Level 3 (the managing director's office) needs a supervisor.")
        yield BidiText(now, classes="dialog--muted")
        yield self.label(_("Level"))
        yield ChoiceLine(
            [(n, self.level_name(n)) for n in self.levels], self.level or self.levels[0], id="level"
        )
        yield self.error_line("level")
        yield self.label(_("Reason ({required})").format(required=_("required")))
        yield from self.note_area(self.note)

    @staticmethod
    def level_name(level: int) -> str:
        if level == MAX_LEVEL:
            return _("Level 3: managing director's office")
        return _("Level {n}").format(n=lang_digits(str(level)))

    def collect(self) -> Escalation:
        level = self.query_one(ChoiceLine).value
        return Escalation(level, note_text(self.query_one("#note", TextArea), required=True))


class UnitCalledDialog(StepDialog[tuple[datetime | None, str]]):
    """A call to a unit about `count` requests: the time it promised today (HH:MM, any digits)
    and what it said. Dismissed with `(promised_at, note)` (aware UTC or None), or None on Esc.

    Used from the request screen (one request) and the chase board (a unit's requests).
    """

    FIELDS = ("time", "note")

    def __init__(
        self,
        unit_name: str,
        count: int,
        now: datetime,
        *,
        time_text: str = "",
        note: str = "",
        error: str = "",
        error_field: str = "time",
    ) -> None:
        title = _("Call to {unit}").format(unit=unit_name) if unit_name else _("Call to the unit")
        super().__init__(title, error=error, error_field=error_field)
        self.count = count
        self.now = now
        self.time_text = time_text
        self.note = note

    def fields(self) -> ComposeResult:
        about = ngettext("About {n} request.", "About {n} requests.", self.count)
        yield BidiText(about.format(n=lang_digits(str(self.count))), classes="dialog--muted")
        yield self.label(
            _("Promised time today, HH:MM ({optional})").format(optional=_("optional"))
        )
        yield FormInput(self.time_text, id="time", max_length=8, placeholder=lang_digits("14:30"))
        yield self.error_line("time")
        yield self.label(_("What the unit said ({optional})").format(optional=_("optional")))
        yield from self.note_area(self.note)

    def collect(self) -> tuple[datetime | None, str]:
        typed = self.query_one("#time", FormInput).value
        try:
            promised = promised_time(typed, self.now)
        except ValueError:
            raise Refused("time", _("Type the time as HH:MM, for example 14:30.")) from None
        if promised is not None and promised <= self.now:
            raise Refused(
                "time",
                _("{time} has already passed today (it is {now}): type a later time.").format(
                    time=when_text(promised, now=self.now), now=when_text(self.now, now=self.now)
                ),
            )
        note = note_text(self.query_one("#note", TextArea), required=False)
        if promised is None and not note:
            raise Refused("time", _("Type the promised time or a note."))
        return promised, note
