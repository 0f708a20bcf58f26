"""The ready answers (F8) in the side column; one goes into the call's notes."""

import uuid

from textual import work

from console.i18n import _
from console.screens.intake.base import IntakeBase
from console.screens.intake.results import AnswersFound
from console.widgets.canned_answers import CannedAnswers, answer_text
from db import intake
from db.engine import session


class ReadyAnswers(IntakeBase):
    """F8 swaps the side column to the ready answers and back."""

    def action_canned_answers(self) -> None:
        """F8: the ready answers in the side column; F8 again goes back."""
        self._show_work()
        if self._side() == "side-canned":
            self._set_side(self._side_before_answers)
            target = self._focus_before_answers
            if target is not None and target.is_attached:
                target.focus()
            else:
                self.text_input("notes").focus()
            return
        self._side_before_answers = self._side()
        self._focus_before_answers = self.screen.focused
        self._set_side("side-canned")
        self.canned.search.focus()
        category = self.category_picker.category
        self.find_answers(self.canned.search.value, category.id if category else None)

    def on_canned_answers_searched(self, event: CannedAnswers.Searched) -> None:
        event.stop()
        category = self.category_picker.category
        self.find_answers(event.text, category.id if category else None)

    @work(thread=True, exclusive=True, group="answers", exit_on_error=False)
    def find_answers(self, text: str, category_id: uuid.UUID | None) -> None:
        with session(self._engine, write=False) as s:
            answers = intake.find_canned_answers(
                s, actor=self._agent, text=text, category_id=category_id
            )
        self.post_message(AnswersFound(text, answers))

    def on_intake_panel_answers_found(self, event: AnswersFound) -> None:
        if self.canned.search.value == event.text:
            self.canned.show_answers(event.answers)

    def on_canned_answers_used(self, event: CannedAnswers.Used) -> None:
        event.stop()
        notes = self.text_input("notes")
        text = answer_text(event.answer)
        notes.value = f"{notes.value.rstrip()}\n{text}".strip() if notes.value.strip() else text
        notes.cursor_position = len(notes.value)
        self._set_side(self._side_before_answers)
        notes.focus()
        self._say(_("The answer is in the notes."))
