"""Canned answers: a searchable list of ready texts for information calls.

Most calls need no request, only the right information (tariffs, ways to pay, documents for a new
connection, the cut-off schedule). The agent types a few letters, moves with Up/Down, reads the
highlighted answer's text below the list, and Enter puts that text into the call's notes. The
owner searches (`db.intake.find_canned_answers`, the call's category first) and fills the list.
"""

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input

from console import keys
from console.i18n import _
from console.i18n.intake_words import local_name
from console.widgets.bidi import BidiText
from console.widgets.fields import FormInput
from console.widgets.lines import Line, LineBlock
from db.intake import CannedAnswerView

__all__ = ["CannedAnswers", "answer_text"]


def answer_text(answer: CannedAnswerView) -> str:
    """The answer's text in the agent's language (Persian when it has no English)."""
    return local_name(answer.body_fa, answer.body_en)


class _Titles(LineBlock):
    """The titles of the answers found, one highlighted."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"canned--highlight"}

    def __init__(self) -> None:
        super().__init__(classes="canned--titles")
        self.answers: list[CannedAnswerView] = []
        self.highlighted = 0

    def lines(self) -> list[Line]:
        return [
            Line(
                local_name(a.title_fa, a.title_en),
                "canned--highlight" if i == self.highlighted else "",
                fill=i == self.highlighted,
            )
            for i, a in enumerate(self.answers)
        ]


class CannedAnswers(Vertical):
    """Search field, matching titles, and the highlighted answer's text."""

    DEFAULT_CSS = """
    CannedAnswers {
        height: auto;
        padding: 0 1;
        & > .canned--heading {
            text-style: bold;
            color: $text-accent;
        }
        & > .canned--titles {
            max-height: 6;
            .canned--highlight {
                background: $accent 40%;
                text-style: bold;
            }
            &:ansi .canned--highlight {
                text-style: bold reverse;
            }
        }
        & > .canned--body {
            color: $text-muted;
            margin-top: 1;
        }
        & > .canned--none {
            color: $text-warning;
        }
    }
    """

    BINDINGS: ClassVar[list[Binding]] = []  # from console.keys, scope "canned"

    @dataclass
    class Searched(Message):
        """The search text changed (handled as `on_canned_answers_searched`)."""

        text: str

    @dataclass
    class Used(Message):
        """Enter on an answer: its text goes into the notes (`on_canned_answers_used`)."""

        answer: CannedAnswerView

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        keys.install(self, "canned")

    def compose(self) -> ComposeResult:
        yield BidiText(
            _("Ready answers: type to search, Enter puts one into the notes."),
            classes="canned--heading",
        )
        yield FormInput(
            placeholder=_("Search answers"), compact=True, max_length=80, select_on_focus=False
        )
        yield _Titles()
        yield BidiText("", classes="canned--none")
        yield BidiText("", classes="canned--body")

    @property
    def search(self) -> FormInput:
        return self.query_one(FormInput)

    @property
    def highlighted(self) -> CannedAnswerView | None:
        titles = self.query_one(_Titles)
        if not titles.answers:
            return None
        return titles.answers[min(titles.highlighted, len(titles.answers) - 1)]

    def show_answers(self, answers: list[CannedAnswerView]) -> None:
        titles = self.query_one(_Titles)
        titles.answers = list(answers)
        titles.highlighted = 0
        titles.refresh(layout=True)
        none = self.query_one(".canned--none", BidiText)
        none.text = "" if answers else _("No ready answer matches.")
        none.display = not answers
        self._show_body()

    def _show_body(self) -> None:
        answer = self.highlighted
        self.query_one(".canned--body", BidiText).text = answer_text(answer) if answer else ""

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Searched(event.value))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("use", "move"):
            return self.highlighted is not None
        return True

    def action_move(self, step: int) -> None:
        titles = self.query_one(_Titles)
        titles.highlighted = (titles.highlighted + step) % len(titles.answers)
        titles.refresh()
        self._show_body()

    def action_use(self) -> None:
        answer = self.highlighted
        if answer is not None:
            self.post_message(self.Used(answer))
