"""What the admin mode's dialogs share: a scrolling `StepDialog`, fields with their error lines,
a one-line choice among many, a check-box list, and the confirmation before removing a row.

Built on the request dialogs' `StepDialog`, so an administrator meets the keys of every other
dialog: Enter goes to the next field, Ctrl+O saves, Esc closes. A dialog checks what it can
without the database in `collect()` (`Refused` marks the field); what the database refuses
comes back to the view, which opens the dialog again with everything typed and the reason next
to its field.
"""

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, TypeVar

from rich.segment import Segment
from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.strip import Strip
from textual.widgets import SelectionList, TextArea

from console.i18n import _, lang_digits
from console.i18n.rtl import display
from console.screens.step_dialog import ChoiceLine, NoteArea, Refused, StepDialog
from console.widgets.bidi import BidiText, layout_rtl
from console.widgets.fields import FormInput
from console.widgets.keybar import KeyBar
from db.text import to_ascii_digits

__all__ = [
    "AdminDialog",
    "CheckList",
    "ChoiceSpinner",
    "ConfirmDialog",
    "Refused",
    "checks",
    "whole_number",
]

Result = TypeVar("Result")


class ChoiceSpinner(ChoiceLine):
    """One of many options (a unit, a calendar, a kind) on one line: only the chosen one shows,
    between arrows; Left/Right or Space step through them, as in a `ChoiceLine`."""

    def render(self) -> RenderResult:
        label = next((text for value, text in self.options if value == self.value), "")
        shown = display(label, base_rtl=True if layout_rtl() else None)
        # ASCII and CP437 only, as ChoiceLine: the Linux console's fonts have these two.
        return Text(f"◄ {shown} ►", no_wrap=True)


class CheckList(SelectionList[str]):
    """A `SelectionList` whose boxes say X only when marked: Textual's show X in both states,
    told apart by colour alone, which a 16-colour or monochrome terminal may not show.
    Space marks; Enter is the dialog's (the next field, or save from the last), as elsewhere."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._bindings.key_to_bindings.pop("enter", None)

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        index = self.scroll_offset.y + y
        if index >= self.option_count:
            return strip
        segments = list(strip)
        if len(segments) < 3:
            return strip
        marked = self.get_option_at_index(index).value in self._selected
        left, inner, right, gap, *line = segments
        box = [left, Segment("X" if marked else " ", inner.style), right]
        if layout_rtl():
            # Mirrored: the words read from the right, their box at the right edge.
            return Strip([*line, gap, *box])
        return Strip([*box, gap, *line])


class AdminDialog(StepDialog[Result]):
    """A `StepDialog` whose box scrolls (most admin records have more fields than 24 lines
    hold), with the admin's kinds of field."""

    DEFAULT_CSS = """
    AdminDialog {
        #dialog {
            width: 78;
        }
        .dialog--label {
            margin-top: 0;
        }
        SelectionList {
            height: auto;
            max-height: 7;
        }
        &.-rtl SelectionList {
            text-align: right;
        }
        TextArea {
            height: 4;
            border: none;
            padding: 0;
            background: $boost;
        }
    }
    """

    FIELDS: ClassVar[tuple[str, ...]] = ()

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog") as box:
            box.border_title = Content(
                display(self.title_text, base_rtl=True if layout_rtl() else None)
            )
            yield from self.fields()
        yield KeyBar()

    def note(self, text: str) -> BidiText:
        """A line of explanation (what cannot change, where else a thing is edited)."""
        return BidiText(text, classes="dialog--muted")

    def text_field(
        self, label: str, id: str, value: str, *, max_length: int, password: bool = False
    ) -> ComposeResult:
        yield self.label(label)
        yield FormInput(value, id=id, max_length=max_length, password=password, compact=True)
        yield self.error_line(id)

    def area_field(self, label: str, id: str, value: str) -> ComposeResult:
        """Several lines of text, with the display-order preview of the line being typed."""
        yield self.label(label)
        yield NoteArea(value, id=id, soft_wrap=True, tab_behavior="focus")
        yield BidiText("", id=f"{id}-preview", classes="dialog--preview")
        yield self.error_line(id)

    def choice_field(
        self, label: str, id: str, options: Sequence[tuple[Any, str]], value: Any
    ) -> ComposeResult:
        """A few options on one line; many (more than fit) as a spinner."""
        yield self.label(label)
        width = sum(len(text) + 7 for _value, text in options)
        line = ChoiceLine if width <= 70 else ChoiceSpinner
        yield line(options, value, id=id)
        yield self.error_line(id)

    def checks_field(
        self, label: str, id: str, options: Sequence[tuple[str, str]], chosen: Iterable[str]
    ) -> ComposeResult:
        """Check boxes (Space marks one): roles, districts, required fields."""
        chosen = set(chosen)
        yield self.label(label)
        base = True if layout_rtl() else None
        yield CheckList(
            *((display(text, base_rtl=base), value, value in chosen) for value, text in options),
            id=id,
            compact=True,
        )
        yield self.error_line(id)

    def typed(self, id: str) -> str:
        return self.query_one(f"#{id}", FormInput).value

    def chosen(self, id: str) -> Any:
        return self.query_one(f"#{id}", ChoiceLine).value

    def marked(self, id: str) -> tuple[str, ...]:
        return tuple(self.query_one(f"#{id}", SelectionList).selected)

    def written(self, id: str) -> str:
        return self.query_one(f"#{id}", TextArea).text


def checks(options: dict[str, str]) -> list[tuple[str, str]]:
    """Check-box options from a dict of msgids, translated."""
    return [(value, _(msgid)) for value, msgid in options.items()]


def whole_number(text: str, field: str, *, low: int = 0, high: int = 10**9) -> int:
    """A whole number typed in any digits; Refused(field) otherwise."""
    digits = to_ascii_digits(text.strip())
    if not digits.isdigit() or not low <= int(digits) <= high:
        raise Refused(
            field,
            _("Type a whole number from {low} to {high}.").format(
                low=lang_digits(str(low)), high=lang_digits(str(high))
            ),
        )
    return int(digits)


class ConfirmDialog(StepDialog[bool]):
    """Ask before removing a row: Ctrl+O (or Enter) goes ahead, Esc leaves it as it is."""

    def __init__(self, title: str, text: str) -> None:
        super().__init__(title)
        self.text = text

    def fields(self) -> ComposeResult:
        yield BidiText(self.text)
        yield BidiText(
            _("Save goes ahead; Back leaves everything as it is."), classes="dialog--muted"
        )

    def collect(self) -> bool:
        return True

    def action_next_field(self) -> None:
        self.action_save()
