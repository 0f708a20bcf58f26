"""The dialogs of an incident: declare it, move its restoration time or message, close it.

Built on the request dialogs' `StepDialog` (Enter to the next field, Ctrl+O saves from a note,
Esc closes), so a supervisor meets the same keys everywhere. Each checks what it can without
the database (a time typed, a message not empty); what the database refuses comes back to the
screen, which opens the dialog again with everything typed and the reason next to its field.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import SelectionList, TextArea

from console.i18n import _
from console.i18n.incident_words import KIND_SHORT, restoration_time
from console.i18n.intake_words import local_name, when_text
from console.i18n.rtl import display
from console.screens.step_dialog import ChoiceLine, Refused, StepDialog
from console.widgets.bidi import BidiText, layout_rtl
from console.widgets.fields import FormInput
from console.widgets.keybar import KeyBar
from console.widgets.picker import Choice, Picker
from db.followup.choices import Choice as NamedChoice
from db.text import search_key

__all__ = ["CloseDialog", "Closing", "Declaration", "DeclareDialog", "Restoration", "RestoreDialog"]

MESSAGE_LIMIT = 1000
TITLE_LIMIT = 200


@dataclass(frozen=True)
class Declaration:
    """What the supervisor typed to declare an incident."""

    kind: str
    title: str
    district_ids: tuple[uuid.UUID, ...]
    streets: tuple[str, ...]
    eta_text: str
    expected_restoration_at: datetime | None
    unit_id: uuid.UUID | None
    public_message: str
    notify_area: bool


@dataclass(frozen=True)
class Restoration:
    """A new restoration time and message for an active incident."""

    eta_text: str
    expected_restoration_at: datetime | None
    public_message: str
    note: str


@dataclass(frozen=True)
class Closing:
    note: str
    notify_area: bool


def _streets(text: str) -> tuple[str, ...]:
    # Persian keyboards type the Arabic comma; people also separate with semicolons.
    parts = text.replace("،", ",").replace("؛", ",").replace(";", ",").split(",")
    return tuple(p.strip() for p in parts if p.strip())


def _eta(typed: str, now: datetime) -> datetime | None:
    try:
        return restoration_time(typed, now)
    except ValueError as error:
        raise Refused("eta", str(error)) from None


class _MessageDialog(StepDialog):
    """A dialog with the message read to callers: a text area with its own preview."""

    def message_area(self, message: str) -> ComposeResult:
        yield TextArea(message, id="message", soft_wrap=True, tab_behavior="focus")
        yield BidiText("", id="message-preview", classes="dialog--preview")
        yield self.error_line("message")


def _message(area: TextArea) -> str:
    text = area.text.strip()
    if not text:
        raise Refused("message", _("Write the message agents read to callers."))
    if len(text) > MESSAGE_LIMIT:
        raise Refused("message", _("Too long: at most {max} characters.").format(max=MESSAGE_LIMIT))
    return text


@dataclass
class DeclareDraft:
    """What the declare dialog starts with: empty, a suggestion's, or what was typed before."""

    kind: str = "main_break"
    title: str = ""
    district_ids: tuple[uuid.UUID, ...] = ()
    streets: str = ""
    eta_text: str = ""
    unit_id: uuid.UUID | None = None
    public_message: str = ""
    notify_area: bool = False


class DeclareDialog(_MessageDialog, StepDialog[Declaration]):
    """Declare an incident: what, where (districts and streets), until when, who fixes it, and
    the words every agent reads to callers. Scrolls on a 24-line terminal."""

    FIELDS = ("kind", "title", "districts", "streets", "eta", "unit", "message", "notify")

    DEFAULT_CSS = """
    DeclareDialog {
        #dialog {
            width: 78;
        }
        .dialog--label {
            margin-top: 0;
        }
        SelectionList {
            height: 5;
        }
        TextArea {
            height: 3;
            border: none;
            padding: 0;
            background: $boost;
        }
    }
    """

    def __init__(
        self,
        *,
        districts: Sequence[NamedChoice],
        units: Sequence[NamedChoice],
        now: datetime,
        draft: DeclareDraft | None = None,
        error: str = "",
        error_field: str = "",
    ) -> None:
        super().__init__(_("Declare an incident"), error=error, error_field=error_field)
        self.districts = [d for d in districts if d.active]
        self.units = list(units)
        self.now = now
        self.draft = draft or DeclareDraft()

    def compose(self) -> ComposeResult:
        # As StepDialog's, but scrolling: eight fields do not fit 24 lines.
        with VerticalScroll(id="dialog") as box:
            box.border_title = Content(
                display(self.title_text, base_rtl=True if layout_rtl() else None)
            )
            yield from self.fields()
        yield KeyBar()

    def fields(self) -> ComposeResult:
        d = self.draft
        yield self.label(_("What happened"))
        kinds = [(kind, _(name)) for kind, name in KIND_SHORT.items()]
        yield ChoiceLine(kinds, d.kind, id="kind")
        yield self.label(_("Title (for the incident list)"))
        yield FormInput(d.title, id="title", max_length=TITLE_LIMIT, compact=True)
        yield self.error_line("title")
        yield self.label(_("Districts (Space marks)"))
        yield SelectionList[uuid.UUID](
            *(
                (display(local_name(c.name_fa, c.name_en)), c.id, c.id in d.district_ids)
                for c in self.districts
            ),
            id="districts",
            compact=True,
        )
        yield self.error_line("districts")
        yield self.label(_("Streets, separated by commas ({optional})").format(
            optional=_("optional")
        ))  # fmt: skip
        yield FormInput(d.streets, id="streets", max_length=600, compact=True)
        yield self.label(
            _("Service back by: 18:30 or 1405/09/07 08:00 ({optional})").format(
                optional=_("optional")
            )
        )
        yield FormInput(d.eta_text, id="eta", max_length=24, compact=True)
        yield self.error_line("eta")
        yield self.label(_("Unit in charge ({optional})").format(optional=_("optional")))
        yield Picker(placeholder=_("type to search"), id="unit")
        yield self.error_line("unit")
        yield self.label(_("Message agents read to callers"))
        yield from self.message_area(d.public_message)
        yield self.label(_("When it closes, tell"))
        yield ChoiceLine(
            [(False, _("those who called")), (True, _("everyone in the area"))],
            d.notify_area,
            id="notify",
        )

    def on_mount(self) -> None:
        chosen = next((u for u in self.units if u.id == self.draft.unit_id), None)
        if chosen is not None:
            self.query_one(Picker).choose(self._choice(chosen))
        super().on_mount()

    def _choice(self, unit: NamedChoice) -> Choice:
        return Choice(local_name(unit.name_fa, unit.name_en), unit.id)

    def on_picker_searched(self, event: Picker.Searched) -> None:
        event.stop()
        typed = search_key(event.text)
        event.picker.show_matches(
            [
                self._choice(unit)
                for unit in self.units
                if typed in search_key(f"{unit.name_fa} {unit.name_en} {unit.code}")
            ]
        )

    def on_picker_picked(self, event: Picker.Picked) -> None:
        event.stop()
        self.query_one("#message", TextArea).focus()

    def typed(self) -> DeclareDraft:
        """Everything as typed, to open the dialog again after a refusal."""
        return DeclareDraft(
            kind=self.query_one("#kind", ChoiceLine).value,
            title=self.query_one("#title", FormInput).value,
            district_ids=tuple(self.query_one(SelectionList).selected),
            streets=self.query_one("#streets", FormInput).value,
            eta_text=self.query_one("#eta", FormInput).value,
            unit_id=self.query_one(Picker).value,
            public_message=self.query_one("#message", TextArea).text,
            notify_area=self.query_one("#notify", ChoiceLine).value,
        )

    def collect(self) -> Declaration:
        d = self.typed()
        title = d.title.strip()
        if not title:
            raise Refused("title", _("Give the incident a short title."))
        streets = _streets(d.streets)
        if not d.district_ids and not streets:
            raise Refused("districts", _("Choose at least one district or type a street."))
        eta = _eta(d.eta_text, self.now)
        message = _message(self.query_one("#message", TextArea))
        return Declaration(
            kind=d.kind,
            title=title,
            district_ids=d.district_ids,
            streets=streets,
            eta_text=d.eta_text,
            expected_restoration_at=eta,
            unit_id=d.unit_id,
            public_message=message,
            notify_area=d.notify_area,
        )


class RestoreDialog(_MessageDialog, StepDialog[Restoration]):
    """Move the restoration time (or clear it: not known) and the message read to callers."""

    FIELDS = ("eta", "message", "note")

    def __init__(
        self,
        *,
        eta: datetime | None,
        message: str,
        now: datetime,
        eta_text: str | None = None,
        note: str = "",
        error: str = "",
        error_field: str = "",
    ) -> None:
        super().__init__(_("New restoration time"), error=error, error_field=error_field)
        self.now = now
        self.eta_text = eta_text if eta_text is not None else (when_text(eta) if eta else "")
        self.message = message
        self.note = note

    def fields(self) -> ComposeResult:
        yield self.label(_("Service back by: 18:30 or 1405/09/07 08:00 (empty: not known)"))
        yield FormInput(self.eta_text, id="eta", max_length=24)
        yield self.error_line("eta")
        yield self.label(_("Message agents read to callers"))
        yield from self.message_area(self.message)
        yield self.label(_("Why ({optional})").format(optional=_("optional")))
        yield from self.note_area(self.note)

    def collect(self) -> Restoration:
        typed = self.query_one("#eta", FormInput).value
        return Restoration(
            eta_text=typed,
            expected_restoration_at=_eta(typed, self.now),
            public_message=_message(self.query_one("#message", TextArea)),
            note=self.query_one("#note", TextArea).text.strip(),
        )


class CloseDialog(StepDialog[Closing]):
    """Close an incident: service is back. Those who called are told by SMS; optionally the
    whole area too; those who asked for a call back get one."""

    FIELDS = ("notify", "note")

    def __init__(self, *, notify_area: bool, note: str = "", error: str = "") -> None:
        super().__init__(_("Close the incident: service restored"), error=error)
        self.notify_area = notify_area
        self.note = note

    def fields(self) -> ComposeResult:
        yield self.label(_("Tell by SMS"))
        yield ChoiceLine(
            [(False, _("those who called")), (True, _("everyone in the area"))],
            self.notify_area,
            id="notify",
        )
        yield self.label(_("Note ({optional})").format(optional=_("optional")))
        yield from self.note_area(self.note)

    def collect(self) -> Closing:
        return Closing(
            note=self.query_one("#note", TextArea).text.strip(),
            notify_area=self.query_one("#notify", ChoiceLine).value,
        )
