"""The phone survey: the subscriber was reached and told the result; now their answers.

All questions on one screen (the starting questionnaire's five fit 80x24 with room to spare), the
cursor on the first. The surveyor reads a question and keys the answer with one digit, and the
cursor moves on: 1 yes, 2 (or 0) no; 1 to 5 on a satisfaction scale. Persian and Arabic digits
count too, as a Persian keyboard types them. Up/Down and Enter move, Backspace clears an answer;
the free-text questions are ordinary fields, with a display-order preview of Persian.

When "was it resolved?" is answered no, a line says what saving will do: the request goes back
to follow-up as a complaint. Ctrl+O saves (`db.feedback.record_survey`: resolved closes the
request, not resolved reopens it), Ctrl+X saves what was answered when the subscriber hung up,
Ctrl+N saves the call as reached with no survey (the subscriber declined it), Esc goes back with
nothing saved.

`AnswersScreen` is the questionnaire form; `SurveyScreen` stores a phone survey with it and the
SMS replies screen (`console.screens.replies`) an SMS reply answered by hand.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlalchemy.engine import Engine
from sqlmodel import Session
from textual import events, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from console import keys
from console.i18n import _, lang_digits
from console.i18n.callback_words import attempt_text, feedback_error_text, survey_text
from console.i18n.intake_words import isolate, local_name
from console.i18n.queue_words import refusal_text, stale_text
from console.i18n.rtl import has_rtl
from console.screens.base import DeskScreen
from console.widgets.bidi import BidiText
from console.widgets.fields import FormInput
from console.widgets.keybar import KeyBar
from console.widgets.lines import Line
from console.widgets.request_detail import DetailBlock
from db.accounts import AgentView, PermissionDenied
from db.engine import session
from db.feedback import (
    CallbackView,
    FeedbackError,
    QuestionnaireView,
    QuestionView,
    record_attempt,
    record_survey,
)
from db.followup import FollowupError
from db.text import to_ascii_digits

__all__ = ["AnswersScreen", "QuestionBlock", "SurveyDone", "SurveyScreen"]

YES_NO = "yes_no"
ONE_TO_FIVE = "one_to_five"
TEXT = "text"
MAX_TEXT = 1000

#: FeedbackError reasons about one answer: shown on the form, next to nothing lost.
ANSWER_REASONS = frozenset({"bad_answer", "answer_required", "too_long", "unknown_question"})


@dataclass(frozen=True)
class SurveyDone:
    """What the survey screen did: the sentence to show, and whether it was refused (then
    nothing was saved and the callback must be read again)."""

    text: str
    error: bool = False


def question_text(question: QuestionView, number: int) -> str:
    return f"{lang_digits(str(number))}. {local_name(question.text_fa, question.text_en)}"


def digit_value(question: QuestionView, digit: int) -> int | None:
    """What a digit key means for a question: 1 yes, 2 or 0 no; 1 to 5 on a scale."""
    if question.scale == YES_NO:
        return {1: 1, 2: 0, 0: 0}.get(digit)
    return digit if 1 <= digit <= 5 else None


class QuestionBlock(DetailBlock, can_focus=True):
    """One yes/no or 1-5 question: its text and its options, the answer marked.

    A digit answers it (posting `Answered`); Backspace or Delete clears the answer.
    """

    DEFAULT_CSS = """
    QuestionBlock {
        padding: 0 1;
        &:focus {
            background: $accent 30%;
        }
    }
    """

    answer: reactive[int | None] = reactive(None, layout=True)

    @dataclass
    class Answered(Message):
        """The answer changed (None: cleared); handled as `on_question_block_answered`."""

        block: "QuestionBlock"
        value: int | None

    def __init__(self, question: QuestionView, number: int) -> None:
        super().__init__(id=f"q-{question.code}")
        self.question = question
        self.number = number

    def options_text(self) -> str:
        q, chosen = self.question, self.answer
        if q.scale == YES_NO:
            options = [(1, "1 " + _("Yes")), (0, "2 " + _("No"))]
        else:
            options = [(n, str(n)) for n in range(1, 6)]
        # Non-breaking spaces keep the gap between options (a line's runs of spaces collapse).
        return " \u00a0\u00a0 ".join(
            # ASCII only: the Linux console's fonts have no ◉.
            f"{'(•)' if value == chosen else '( )'} {lang_digits(label)}"
            for value, label in options
        )

    def lines(self) -> list[Line]:
        style = "detail--muted" if self.answer is None else "detail--status"
        if self.question.reopens_on_no and self.answer == 0:
            style = "detail--warning"
        # A marker as well as the highlight: a 16-colour console may not show the background.
        marker = "> " if self.has_focus else "\u00a0 "  # (a line's leading spaces collapse)
        return [
            Line(marker + question_text(self.question, self.number), "detail--title"),
            Line(self.options_text(), style, indent=4),
        ]

    def on_focus(self) -> None:
        self.refresh(layout=True)

    def on_blur(self) -> None:
        self.refresh(layout=True)

    def on_key(self, event: events.Key) -> None:
        character = to_ascii_digits(event.character or "")
        if len(character) == 1 and character.isdigit():
            event.stop()
            event.prevent_default()
            value = digit_value(self.question, int(character))
            if value is None:
                self.app.bell()
                return
            self.answer = value
            self.post_message(self.Answered(self, value))
        elif event.key in ("backspace", "delete"):
            event.stop()
            event.prevent_default()
            self.answer = None
            self.post_message(self.Answered(self, None))


class AnswersScreen(DeskScreen):
    """A questionnaire to fill in, one digit per answer, and the survey keys.

    Subclasses say what the form is about (`head_lines`) and store the answers (`store`, in a
    worker's write session, returning the sentence to show).
    """

    DEFAULT_CSS = """
    AnswersScreen {
        #survey-head {
            padding: 0 1;
            background: $primary 25%;
        }
        #survey-questions {
            height: 1fr;
            overflow-y: auto;
            scrollbar-size-vertical: 1;
        }
        .survey--label {
            padding: 0 1;
            text-style: bold;
        }
        .survey--preview {
            display: none;
            padding: 0 1 0 3;
            color: $text-muted;
            &.-shown {
                display: block;
            }
        }
        FormInput {
            margin: 0 1 0 3;
        }
        &.-rtl FormInput {
            margin: 0 3 0 1;
        }
        &.-rtl .survey--preview {
            padding: 0 3 0 1;
        }
        #survey-verdict {
            display: none;
            padding: 0 1;
            text-style: bold;
            &.-shown {
                display: block;
            }
            &.-reopen {
                color: $text-warning;
                text-style: bold reverse;
            }
        }
        #survey-message {
            padding: 0 1;
            &.-error {
                color: $text-error;
                text-style: bold;
            }
        }
    }
    """

    AUTO_FOCUS = "#survey-questions > *"

    #: Whether Ctrl+N (no survey) and Ctrl+X (hung up) make sense here.
    phone_call: ClassVar[bool] = True

    @dataclass
    class Problem(Message):
        """An answer was refused: the sentence, and the question it is about."""

        text: str
        code: str = ""

    @dataclass
    class Done(Message):
        """Saved, or refused for good: the screen closes with `result`."""

        result: SurveyDone

    def __init__(
        self,
        *,
        engine: Engine,
        agent: AgentView,
        clock: Callable[[], datetime],
        questionnaire: QuestionnaireView,
    ) -> None:
        super().__init__()
        keys.install(self, "survey")
        self._engine = engine
        self.agent = agent
        self._clock = clock
        self.questionnaire = questionnaire
        self.started_at = clock()
        self._busy = False

    # --- what subclasses say ------------------------------------------------------------------

    def head_lines(self) -> list[Line]:
        return []

    def store(self, s: Session, answers: dict[str, int | str], partial: bool, now: datetime) -> str:
        raise NotImplementedError

    # --- the form -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield DetailBlock(id="survey-head")
        with Vertical(id="survey-questions"):
            for number, q in enumerate(self.questionnaire.questions, start=1):
                if q.scale == TEXT:
                    label = "\u00a0 " + question_text(q, number)  # in line with the others
                    yield BidiText(label, classes="survey--label")
                    yield FormInput(id=f"q-{q.code}", max_length=MAX_TEXT)
                    yield BidiText("", id=f"q-{q.code}-preview", classes="survey--preview")
                else:
                    yield QuestionBlock(q, number)
        yield BidiText("", id="survey-verdict")
        yield BidiText("", id="survey-message")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#survey-head", DetailBlock).show(self.head_lines())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("no_survey", "hung_up"):
            return self.phone_call
        return True

    def blocks(self) -> list[QuestionBlock]:
        return list(self.query(QuestionBlock).results(QuestionBlock))

    def fields(self) -> list[Widget]:
        """The questions and text fields, in order."""
        return [w for w in self.query_one("#survey-questions").children if w.can_focus]

    def on_question_block_answered(self, event: QuestionBlock.Answered) -> None:
        event.stop()
        self._show_verdict()
        self._say("", error=False)
        if event.value is not None:
            self.action_next_field(save_at_end=False)

    def _show_verdict(self) -> None:
        verdict = self.query_one("#survey-verdict", BidiText)
        answers = [b.answer for b in self.blocks() if b.question.reopens_on_no]
        text = ""
        if 0 in answers:
            text = _("Not resolved: saving sends the request back to follow-up as a complaint.")
        elif answers and all(a == 1 for a in answers):
            text = _("Resolved: saving closes the request.")
        verdict.text = text
        verdict.set_class(bool(text), "-shown")
        verdict.set_class(0 in answers, "-reopen")

    def on_input_changed(self, event: FormInput.Changed) -> None:
        # A field edits logical order; the line under it shows the Persian as it reads.
        previews = self.query(f"#{event.input.id}-preview").results(BidiText)
        for preview in previews:
            preview.text = event.value if has_rtl(event.value) else ""
            preview.set_class(bool(preview.text), "-shown")

    def _say(self, text: str, *, error: bool) -> None:
        message = self.query_one("#survey-message", BidiText)
        message.text = text
        message.set_class(error and bool(text), "-error")

    # --- keys ---------------------------------------------------------------------------------

    def action_answer(self) -> None:
        """A digit away from the questions: go to the first one not answered."""
        missing = [b for b in self.blocks() if b.answer is None]
        (missing or self.blocks())[0].focus()

    def action_next_field(self, save_at_end: bool = True) -> None:
        fields = self.fields()
        if not fields:
            return
        if self.focused in fields:
            index = fields.index(self.focused)
            if index == len(fields) - 1:
                if save_at_end:
                    self.action_save()
                return
            fields[index + 1].focus()
        else:
            fields[0].focus()

    def action_previous_field(self) -> None:
        fields = self.fields()
        if self.focused in fields and fields.index(self.focused) > 0:
            fields[fields.index(self.focused) - 1].focus()

    def action_back(self) -> None:
        if not self._busy:
            self.dismiss(None)

    def action_save(self) -> None:
        self._save(partial=False)

    def action_hung_up(self) -> None:
        self._save(partial=True)

    def answers(self) -> dict[str, int | str]:
        found: dict[str, int | str] = {}
        for block in self.blocks():
            if block.answer is not None:
                found[block.question.code] = block.answer
        for field in self.query(FormInput).results(FormInput):
            if field.id and field.value.strip():
                found[field.id.removeprefix("q-")] = field.value.strip()
        return found

    def _save(self, *, partial: bool) -> None:
        if self._busy:
            return
        missing = [b for b in self.blocks() if b.answer is None]
        if missing and not partial:
            self._say(
                _("Answer every question, or press Ctrl+X if the subscriber hung up."), error=True
            )
            missing[0].focus()
            return
        self._busy = True
        self._say(_("Saving…"), error=False)
        self._write(self.answers(), partial)

    @work(thread=True, exclusive=True, group="survey-write", exit_on_error=False)
    def _write(self, answers: dict[str, int | str], partial: bool) -> None:
        now = self._clock()
        try:
            with session(self._engine) as s:
                text = self.store(s, answers, partial, now)
        except FeedbackError as error:
            text = feedback_error_text(error.reason, error.params, now=now)
            if error.reason in ANSWER_REASONS:
                codes = error.params.get("codes") or (
                    error.params.get("code") or error.params.get("field"),
                )
                self.post_message(self.Problem(text, str(codes[0] or "")))
            else:
                self.post_message(self.Done(SurveyDone(text, error=True)))
            return
        except FollowupError as error:
            # The request changed under the survey (somebody closed or reopened it).
            if error.reason == "stale":
                text = stale_text(error.params, now=now)
            else:
                text = refusal_text(error.reason, error.params)
            self.post_message(self.Done(SurveyDone(text, error=True)))
            return
        except PermissionDenied:
            self.post_message(self.Problem(refusal_text("permission")))
            return
        self.post_message(self.Done(SurveyDone(text)))

    def on_answers_screen_problem(self, event: Problem) -> None:
        self._busy = False
        self._say(event.text, error=True)
        targets = self.query(f"#q-{event.code}") if event.code else None
        if targets:
            targets.first().focus()

    def on_answers_screen_done(self, event: Done) -> None:
        self._busy = False
        self.dismiss(event.result)


class SurveyScreen(AnswersScreen):
    """The phone survey of one callback; dismissed with a `SurveyDone`, or None (Esc)."""

    def __init__(
        self,
        *,
        engine: Engine,
        agent: AgentView,
        clock: Callable[[], datetime],
        callback: CallbackView,
        questionnaire: QuestionnaireView,
    ) -> None:
        super().__init__(engine=engine, agent=agent, clock=clock, questionnaire=questionnaire)
        self.callback = callback

    def head_lines(self) -> list[Line]:
        cb = self.callback
        who = " · ".join(p for p in (cb.name, isolate(lang_digits(cb.phone))) if p)
        return [
            Line(_("Survey · {who}").format(who=who), "detail--title"),
            Line(
                _(
                    "Read each question and key the answer: 1 yes, 2 no; "
                    "1 (not at all satisfied) to 5 (very satisfied)."
                ),
                "detail--muted",
            ),
        ]

    def store(self, s: Session, answers: dict[str, int | str], partial: bool, now: datetime) -> str:
        view = record_survey(
            s,
            actor=self.agent,
            callback_id=self.callback.id,
            answers=answers,
            partial=partial,
            started_at=self.started_at,
            expected_version=self.callback.version,
            now=now,
        )
        return survey_text(view)

    def action_no_survey(self) -> None:
        if self._busy:
            return
        self._busy = True
        self._say(_("Saving…"), error=False)
        self._told_only()

    @work(thread=True, exclusive=True, group="survey-write", exit_on_error=False)
    def _told_only(self) -> None:
        now = self._clock()
        try:
            with session(self._engine) as s:
                result = record_attempt(
                    s,
                    actor=self.agent,
                    callback_id=self.callback.id,
                    outcome="reached",
                    expected_version=self.callback.version,
                    now=now,
                )
        except FeedbackError as error:
            text = feedback_error_text(error.reason, error.params, now=now)
            self.post_message(self.Done(SurveyDone(text, error=True)))
            return
        except FollowupError as error:
            text = refusal_text(error.reason, error.params)
            self.post_message(self.Done(SurveyDone(text, error=True)))
            return
        except PermissionDenied:
            self.post_message(self.Problem(refusal_text("permission")))
            return
        self.post_message(self.Done(SurveyDone(attempt_text(result, now))))
