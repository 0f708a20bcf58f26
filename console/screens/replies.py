"""SMS survey replies the system could not read, for a person (Ctrl+R on the callbacks worklist).

Subscribers answer the SMS survey as they can ("ممنون، عالی بود", the code and one number too
few, a number from another phone); `db.feedback` keeps what it cannot match with the reason. The
surveyor reads each here, newest first, the whole text under the table, and either sets it aside
(Ctrl+X: a thank-you, a question for the center) or answers it by hand (Enter: the survey's
questions, filled in from what the reply meant), which closes or reopens the request as the phone
survey does. A reply that names no survey can only be set aside.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from sqlalchemy.engine import Engine
from sqlmodel import Session
from textual import work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable

from console import keys
from console.i18n import N_, _, lang_digits
from console.i18n.callback_words import FLAG_NAMES, feedback_error_text, survey_text
from console.i18n.intake_words import isolate, when_text
from console.i18n.queue_words import refusal_text
from console.screens.base import DeskScreen
from console.screens.survey import AnswersScreen, SurveyDone
from console.widgets.bidi import BidiText, layout_rtl
from console.widgets.keybar import KeyBar
from console.widgets.lines import Line
from console.widgets.mirrored_table import Column, MirroredTable, cell
from console.widgets.request_detail import DetailBlock
from db.accounts import AgentView, PermissionDenied
from db.engine import session
from db.feedback import (
    FeedbackError,
    QuestionnaireView,
    ReplyView,
    answer_reply,
    dismiss_reply,
    list_questionnaires,
    replies_for_review,
)

__all__ = ["RepliesScreen", "ReplyAnswerScreen"]

COLUMNS: tuple[Column, ...] = (
    ("received", N_("Received"), 17),
    ("sender", N_("From"), 12),
    ("why", N_("Why"), 28),
    ("text", N_("Text"), 22),
)

#: Replies listed at once: the newest; those set aside make room for older ones.
SHOWN = 100


def reply_cells(reply: ReplyView, now: datetime, *, rtl: bool) -> list[Text]:
    why = _(FLAG_NAMES[reply.status]) if reply.status in FLAG_NAMES else reply.status
    values = {
        "received": when_text(reply.received_at, now=now),
        "sender": lang_digits(reply.sender),
        "why": why,
        "text": " ".join(reply.body.split()),
    }
    return [cell(values[key], width, rtl=rtl) for key, _msgid, width in COLUMNS]


def chosen_questionnaire(
    questionnaires: tuple[QuestionnaireView, ...],
) -> QuestionnaireView | None:
    """The questionnaire a reply answers: the center's active one (the first by code).

    `db.feedback` names no survey's questionnaire to the console; a center runs one active
    questionnaire for its SMS survey, and `answer_reply` refuses answers that do not fit it.
    """
    return next((q for q in questionnaires if q.active), None)


class ReplyAnswerScreen(AnswersScreen):
    """A reply answered by hand: its text on top, the survey's questions under it."""

    phone_call = False

    def __init__(
        self,
        *,
        engine: Engine,
        agent: AgentView,
        clock: Callable[[], datetime],
        reply: ReplyView,
        questionnaire: QuestionnaireView,
    ) -> None:
        super().__init__(engine=engine, agent=agent, clock=clock, questionnaire=questionnaire)
        self.reply = reply

    def head_lines(self) -> list[Line]:
        r = self.reply
        sender = isolate(lang_digits(r.sender))
        when = when_text(r.received_at, now=self._clock())
        return [
            Line(_("SMS reply from {sender} · {when}").format(sender=sender, when=when)),
            Line(r.body, "detail--title"),
            Line(_("Key what the reply means: 1 yes, 2 no; 1 to 5 on a scale."), "detail--muted"),
        ]

    def store(self, s: Session, answers: dict[str, int | str], partial: bool, now: datetime) -> str:
        assert self.reply.survey_id is not None
        view = answer_reply(
            s,
            actor=self.agent,
            message_id=self.reply.id,
            survey_id=self.reply.survey_id,
            answers=answers,
            now=now,
        )
        return survey_text(view)


class RepliesScreen(DeskScreen):
    """The replies waiting for a person; dismissed with True when any was dealt with."""

    DEFAULT_CSS = """
    RepliesScreen {
        #replies-head {
            padding: 0 1;
            background: $primary 25%;
        }
        #replies-table {
            height: 1fr;
            scrollbar-size-vertical: 1;
        }
        #replies-body {
            height: auto;
            max-height: 5;
            padding: 0 1;
            border-top: solid $primary;
            &:ansi {
                border-top: ascii $primary;
            }
        }
        #replies-message {
            padding: 0 1;
            color: $text-success;
            text-style: bold;
            &.-error {
                color: $text-error;
            }
        }
    }
    """

    AUTO_FOCUS = "#replies-table"

    @dataclass
    class Loaded(Message):
        replies: tuple[ReplyView, ...]
        questionnaires: tuple[QuestionnaireView, ...]
        now: datetime

    @dataclass
    class Said(Message):
        """A reply was dealt with, or refused: the sentence; the list is read again."""

        text: str
        error: bool = False

    def __init__(self, *, engine: Engine, agent: AgentView, clock: Callable[[], datetime]) -> None:
        super().__init__(id="replies")
        keys.install(self, "replies")
        self._engine = engine
        self.agent = agent
        self._clock = clock
        self.replies: tuple[ReplyView, ...] = ()
        self.questionnaires: tuple[QuestionnaireView, ...] = ()
        self.handled = False
        self._now = clock()
        self._rtl = layout_rtl()

    def compose(self) -> ComposeResult:
        yield DetailBlock(id="replies-head")
        yield MirroredTable(COLUMNS, rtl=self._rtl, id="replies-table")
        yield DetailBlock(id="replies-body")
        yield BidiText("", id="replies-message")
        yield KeyBar()

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        self._read()

    @work(thread=True, exclusive=True, group="replies-read", exit_on_error=False)
    def _read(self) -> None:
        now = self._clock()
        with session(self._engine, write=False) as s:
            replies = replies_for_review(s, actor=self.agent, limit=SHOWN)
            questionnaires = list_questionnaires(s, actor=self.agent)
        self.post_message(self.Loaded(replies, questionnaires, now))

    def on_replies_screen_loaded(self, event: Loaded) -> None:
        self.replies, self.questionnaires, self._now = (
            event.replies,
            event.questionnaires,
            event.now,
        )
        table = self.query_one(MirroredTable)
        keep = table.cursor_row
        table.clear()
        for reply in event.replies:
            table.add_cells(reply_cells(reply, event.now, rtl=self._rtl), str(reply.id))
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        n = len(event.replies)
        count = lang_digits(str(n)) + ("+" if n >= SHOWN else "")
        head = [
            Line(_("SMS survey replies waiting for a person: {n}").format(n=count), "detail--title")
        ]
        if not n:
            head.append(Line(_("Nothing to read: every reply was matched."), "detail--muted"))
        self.query_one("#replies-head", DetailBlock).show(head)
        self._show_body()

    def highlighted(self) -> ReplyView | None:
        key = self.query_one(MirroredTable).highlighted_key()
        return next((r for r in self.replies if str(r.id) == key), None)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_body()

    def _show_body(self) -> None:
        reply = self.highlighted()
        self.query_one("#replies-body", DetailBlock).show(
            [Line(reply.body, "detail--title")] if reply else []
        )

    def _say(self, text: str, *, error: bool = False) -> None:
        line = self.query_one("#replies-message", BidiText)
        line.text = text
        line.set_class(error, "-error")

    # --- keys ---------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(self.handled)

    def action_refresh(self) -> None:
        self.load()

    def action_dismiss_reply(self) -> None:
        reply = self.highlighted()
        if reply is None:
            self.app.bell()
            return
        self._set_aside(reply)

    @work(thread=True, exclusive=True, group="replies-write", exit_on_error=False)
    def _set_aside(self, reply: ReplyView) -> None:
        now = self._clock()
        try:
            with session(self._engine) as s:
                dismiss_reply(s, actor=self.agent, message_id=reply.id)
        except FeedbackError as error:
            text = feedback_error_text(error.reason, error.params, now=now)
            self.post_message(self.Said(text, error=True))
            return
        except PermissionDenied:
            self.post_message(self.Said(refusal_text("permission"), error=True))
            return
        self.handled = True
        sender = isolate(lang_digits(reply.sender))
        self.post_message(
            self.Said(_("The reply from {sender} was set aside.").format(sender=sender))
        )

    def on_replies_screen_said(self, event: Said) -> None:
        self._say(event.text, error=event.error)
        self.load()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_answer_reply()

    def action_answer_reply(self) -> None:
        reply = self.highlighted()
        if reply is None:
            self.app.bell()
            return
        if reply.survey_id is None:
            self._say(
                _("This reply names no survey we can find: it can only be set aside."), error=True
            )
            return
        questionnaire = chosen_questionnaire(self.questionnaires)
        if questionnaire is None:
            self._say(_("No questionnaire fits this request."), error=True)
            return
        screen = ReplyAnswerScreen(
            engine=self._engine,
            agent=self.agent,
            clock=self._clock,
            reply=reply,
            questionnaire=questionnaire,
        )

        def answered(result: SurveyDone | None) -> None:
            if result is not None:
                self.handled = self.handled or not result.error
                self._say(result.text, error=result.error)
                self.load()

        self.app.push_screen(screen, answered)
