"""What every dialog of a request's steps shares: a titled box over the request, fields with
their error lines, a note area with its Persian preview, and the dialog keys.

A dialog checks what it can without the database in `collect()` and raises `Refused` with the
field to mark; the text typed stays where it is. `ChoiceLine` is the one-line choice (a reason,
a level) that reads from the right in Persian.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult, RenderResult
from textual.binding import BindingsMap
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import TextArea

from console import keys
from console.i18n import _, lang_digits
from console.i18n.intake_words import error_text
from console.i18n.rtl import display, has_rtl
from console.widgets.bidi import BidiText, layout_rtl
from console.widgets.fields import JOINERS
from console.widgets.keybar import KeyBar
from console.widgets.picker import Picker
from db.followup import MAX_NOTE
from db.tracking import TrackingCodeError, parse_tracking_code

__all__ = [
    "DIALOG_KEYS",
    "ChoiceLine",
    "NoteArea",
    "Refused",
    "StepDialog",
    "checked_code",
    "note_text",
]

DIALOG_KEYS = frozenset({"request_dialog_save", "request_dialog_next", "request_dialog_close"})

Result = TypeVar("Result")


class Refused(Exception):
    """What was typed cannot be saved: the field to mark and why."""

    def __init__(self, field: str, text: str) -> None:
        super().__init__(text)
        self.field = field
        self.text = text


def checked_code(code: str) -> str:
    """A typed tracking code as its 12 digits; Refused("code") with the reason otherwise."""
    try:
        return parse_tracking_code(code).code
    except TrackingCodeError as error:
        raise Refused("code", error_text("tracking_code", error.reason.value)) from None


def note_text(area: TextArea, *, required: bool) -> str:
    """The note typed in `area`, stripped; Refused("note") when required and empty, or long."""
    text = area.text.strip()
    if required and not text:
        raise Refused("note", _("Write a note: this step needs one."))
    if len(text) > MAX_NOTE:
        too_long = _("Too long: at most {max} characters.")
        raise Refused("note", too_long.format(max=lang_digits(str(MAX_NOTE))))
    return text


class NoteArea(TextArea):
    """A multi-line note that keeps the Persian half-space (ZWNJ, Shift+Space on a Persian
    keyboard): `TextArea` drops it as unprintable, and words like می‌رسد need it."""

    async def _on_key(self, event: events.Key) -> None:
        # Textual runs TextArea's own handler next, unless this one took the key.
        joiner = JOINERS.get(event.key) or (
            event.character if event.character in JOINERS.values() else None
        )
        if joiner is None or self.read_only:
            return
        event.stop()
        event.prevent_default()
        start, end = self.selection
        self._replace_via_keyboard(joiner, start, end)


class ChoiceLine(Widget, can_focus=True):
    """One line of options, one chosen: arrows or Space move the choice, read from the right in
    Persian (Left goes on to the next option there, as the eye does)."""

    DEFAULT_CSS = """
    ChoiceLine {
        height: 1;
        &:focus {
            background: $accent 30%;
            text-style: bold;
        }
        &.-rtl {
            text-align: right;
        }
    }
    """

    value: reactive[Any] = reactive(None)

    @dataclass
    class Changed(Message):
        """The choice moved; handled as `on_choice_line_changed`."""

        choice_line: "ChoiceLine"
        value: Any

    def __init__(self, options: Sequence[tuple[Any, str]], value: Any, *, id: str) -> None:
        super().__init__(id=id, classes="-rtl" if layout_rtl() else None)
        self.options = list(options)
        self.set_reactive(ChoiceLine.value, value if value in self.values else self.values[0])

    @property
    def values(self) -> list[Any]:
        return [value for value, _label in self.options]

    def render(self) -> RenderResult:
        logical = "   ".join(
            # ASCII and CP437 only: the Linux console's fonts have no ◉.
            f"{'(•)' if value == self.value else '( )'} {label}"
            for value, label in self.options
        )
        return Text(display(logical, base_rtl=True if layout_rtl() else None), no_wrap=True)

    def on_key(self, event: events.Key) -> None:
        forward = {"down": 1, "up": -1, "space": 1, "right": 1, "left": -1}
        if layout_rtl():
            forward.update(right=-1, left=1)
        step = forward.get(event.key)
        if step is None:
            return
        event.stop()
        event.prevent_default()
        index = (self.values.index(self.value) + step) % len(self.options)
        self.value = self.values[index]

    def watch_value(self, value: Any) -> None:
        self.post_message(self.Changed(self, value))


class StepDialog(ModalScreen[Result], Generic[Result]):
    """A titled box of fields over the request, and the dialog keys in the key bar.

    Subclasses yield their fields from `fields()` (each field's error line is
    `self.error_line(id)`) and turn them into a result in `collect()`, raising `Refused`.
    """

    DEFAULT_CSS = """
    StepDialog {
        align: center middle;
        #dialog {
            width: 72;
            max-width: 100%;
            height: auto;
            max-height: 100%;
            padding: 0 1;
            border: round $primary;
            border-title-color: $text;
            border-title-style: bold;
            background: $surface;
            &:ansi {
                border: solid $primary;
            }
        }
        &.-rtl #dialog {
            border-title-align: right;
        }
        .dialog--label {
            margin-top: 1;
            text-style: bold;
        }
        .dialog--muted {
            color: $text-muted;
        }
        .dialog--error {
            display: none;
            color: $text-error;
            text-style: bold;
            &.-shown {
                display: block;
            }
        }
        .dialog--preview {
            display: none;
            max-height: 2;
            color: $text-muted;
            &.-shown {
                display: block;
            }
        }
        TextArea {
            height: 5;
        }
    }
    """

    #: Field ids in order; Enter in the last one saves.
    FIELDS: ClassVar[tuple[str, ...]] = ()

    AUTO_FOCUS = None  # `on_mount` focuses the first field, or the one an error is about

    def __init__(self, title: str, *, error: str = "", error_field: str = "") -> None:
        super().__init__(classes="-rtl" if layout_rtl() else None)
        self._bindings = BindingsMap.merge(
            [
                self._bindings,
                BindingsMap(b for b in keys.bindings("request") if b.id in DIALOG_KEYS),
            ]
        )
        self.title_text = title
        self._first_error = (error_field or (self.FIELDS[0] if self.FIELDS else ""), error)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            box.border_title = Content(
                display(self.title_text, base_rtl=True if layout_rtl() else None)
            )
            yield from self.fields()
        yield KeyBar()

    def fields(self) -> ComposeResult:
        yield from ()

    def collect(self) -> Result:
        raise NotImplementedError

    def on_mount(self) -> None:
        field, text = self._first_error
        if text:
            self.show_error(field, text)
        elif self.FIELDS:
            self._focus_field(self.first_field())

    def first_field(self) -> str:
        """The field the cursor starts in."""
        return self.FIELDS[0]

    def _focus_field(self, field: str) -> None:
        widgets = self.query(f"#{field}")
        if widgets:
            target = widgets.first()
            (target.input if isinstance(target, Picker) else target).focus()

    @staticmethod
    def label(text: str) -> BidiText:
        return BidiText(text, classes="dialog--label")

    @staticmethod
    def error_line(field: str) -> BidiText:
        return BidiText("", id=f"{field}-error", classes="dialog--error")

    def note_area(self, note: str) -> ComposeResult:
        """A multi-line note, with its display-order preview when it holds Persian."""
        yield NoteArea(note, id="note", soft_wrap=True, tab_behavior="focus")
        yield BidiText("", id="note-preview", classes="dialog--preview")
        yield self.error_line("note")

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        # The note area shows logical order; the preview shows the line being typed as it reads.
        area = event.text_area
        row = area.cursor_location[0]
        line = area.document.get_line(row) if row < area.document.line_count else ""
        # Each text area has its preview under it, named after it ("note-preview").
        preview = self.query_one(f"#{area.id}-preview", BidiText)
        preview.text = line if has_rtl(line) else ""
        preview.set_class(bool(preview.text), "-shown")

    def show_error(self, field: str, text: str) -> None:
        """Say what is wrong next to `field` and put the cursor there; the text stays."""
        lines = list(self.query(".dialog--error").results(BidiText))
        if not any(line.id == f"{field}-error" for line in lines) and lines:
            field = (lines[-1].id or "").removesuffix("-error")  # a field without its own line
        for line in lines:
            line.text = text if line.id == f"{field}-error" else ""
            line.set_class(line.id == f"{field}-error", "-shown")
        self._focus_field(field)

    def action_save(self) -> None:
        try:
            result = self.collect()
        except Refused as refused:
            self.show_error(refused.field, refused.text)
            return
        self.dismiss(result)

    def action_next_field(self) -> None:
        """Enter: the next field; in the last one (a tracking code, a time), save."""
        focused = self.focused
        ids = {focused.id, focused.parent.id if focused.parent else None} if focused else set()
        if self.FIELDS and self.FIELDS[-1] in ids:
            self.action_save()
        else:
            self.focus_next()

    def action_close_dialog(self) -> None:
        self.dismiss(None)
