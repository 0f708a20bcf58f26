"""A field with type-ahead: type a few letters, a list of matches opens below, Enter takes one.

The picker does not search: it posts `Picker.Searched` with the typed text and its owner (a
screen with a database worker, or a list in memory) answers with `show_matches`. The list is
shown while the field has focus; Up/Down move the highlight without leaving the field, so the
agent keeps typing. A picked value shows its label in the field; typing over it forgets it.
"""

from dataclasses import dataclass
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input

from console import keys
from console.widgets.fields import FormInput
from console.widgets.lines import Line, LineBlock

__all__ = ["Choice", "Picker"]


@dataclass(frozen=True)
class Choice:
    """One match: the words shown (logical order) and the value it stands for."""

    label: str
    value: Any
    note: str = ""
    """A short remark shown after the label (e.g. "emergency")."""


class _Matches(LineBlock):
    """The list under the field: an optional heading, then the matches, one highlighted."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "picker--heading",
        "picker--highlight",
        "picker--note",
    }

    def __init__(self) -> None:
        super().__init__(classes="picker--matches")
        self.heading = ""
        self.choices: list[Choice] = []
        self.highlighted = 0

    def lines(self) -> list[Line]:
        out = [Line(self.heading, "picker--heading")] if self.heading else []
        for index, choice in enumerate(self.choices):
            text = f"{choice.label} · {choice.note}" if choice.note else choice.label
            style = "picker--highlight" if index == self.highlighted else ""
            out.append(Line(text, style, fill=index == self.highlighted))
        return out


class Picker(Vertical):
    """A text field plus its list of matches; posts `Searched` as the agent types, `Picked`."""

    DEFAULT_CSS = """
    Picker {
        height: auto;
        & > .picker--matches {
            display: none;
            max-height: 7;
            background: $surface;
            .picker--heading {
                color: $text-muted;
                text-style: italic;
            }
            .picker--highlight {
                background: $accent 40%;
                text-style: bold;
            }
            &:ansi .picker--highlight {
                text-style: bold reverse;
            }
        }
        &:focus-within > .picker--matches.-open {
            display: block;
        }
    }
    """

    BINDINGS: ClassVar[list[Binding]] = []  # from console.keys, scope "picker"

    value: reactive[Any] = reactive(None, init=False)
    """The picked value, or None while nothing (or something new) is typed."""

    @dataclass
    class Searched(Message):
        """The typed text changed: the owner should answer with `show_matches`.

        Handled as `on_picker_searched` (or the subclass's name for it).
        """

        picker: "Picker"
        text: str
        typed: bool = True
        """False when the field just got focus (an owner may list recent values)."""

        @property
        def control(self) -> "Picker":
            return self.picker

    @dataclass
    class Picked(Message):
        """The agent took a match with Enter (`value` is the choice's value)."""

        picker: "Picker"
        choice: Choice

        @property
        def control(self) -> "Picker":
            return self.picker

    def __init__(
        self,
        *,
        placeholder: str = "",
        max_length: int = 200,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        keys.install(self, "picker")
        self._placeholder = placeholder
        self._max_length = max_length
        self.label = ""

    def compose(self) -> ComposeResult:
        yield FormInput(
            placeholder=self._placeholder,
            max_length=self._max_length,
            compact=True,
            select_on_focus=False,
        )
        yield _Matches()

    @property
    def input(self) -> FormInput:
        return self.query_one(FormInput)

    @property
    def matches(self) -> list[Choice]:
        return list(self.query_one(_Matches).choices)

    @property
    def text(self) -> str:
        return self.input.value

    def show_matches(self, choices: list[Choice], *, heading: str = "") -> None:
        """Fill the list; the first match is highlighted."""
        matches = self.query_one(_Matches)
        matches.choices = list(choices)
        matches.heading = heading
        matches.highlighted = 0
        matches.set_class(bool(choices), "-open")
        matches.refresh(layout=True)
        self.refresh_bindings()

    def choose(self, choice: Choice | None) -> None:
        """Set the picked value from the program (a resumed draft, a pre-filled district)."""
        self.label = choice.label if choice else ""
        self.set_reactive(Picker.value, choice.value if choice else None)
        self.input.value = self.label
        self.input.cursor_position = len(self.label)

    def clear(self) -> None:
        self.choose(None)
        self.show_matches([])

    def on_descendant_focus(self) -> None:
        if not self.text and self.value is None:
            self.post_message(self.Searched(self, "", typed=False))  # e.g. recent categories

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input is not self.input:
            return
        event.stop()
        if self.label and event.value == self.label:
            return  # the label of what was picked, not typing
        if self.value is not None:
            self.label = ""
            self.value = None
        self.post_message(self.Searched(self, event.value))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("pick", "move"):
            # With nothing listed, Enter and the arrows belong to the form.
            return bool(self.query_one(_Matches).choices) and self.input.has_focus
        return True

    def action_move(self, step: int) -> None:
        matches = self.query_one(_Matches)
        if matches.choices:
            matches.highlighted = (matches.highlighted + step) % len(matches.choices)
            matches.refresh()

    def action_pick(self) -> None:
        matches = self.query_one(_Matches)
        choice = matches.choices[min(matches.highlighted, len(matches.choices) - 1)]
        self.choose(choice)
        self.show_matches([])
        self.post_message(self.Picked(self, choice))
