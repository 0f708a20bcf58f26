"""One callback: the number to dial, the result to read out, and one key per outcome.

Top to bottom at 80x24: who to call and on which number, the request (category, tracking code,
which try this is, when it fell due), the unit's answer to read to the subscriber in a bold box,
the request in brief, the tries so far, a line for what just happened, and the key bar.

The surveyor dials and presses the outcome's digit (Persian digits too):

- 1 reached: the survey opens (`console.screens.survey`); saving it closes the request, or
  reopens it as a complaint when the subscriber says it was not resolved.
- 2 no answer, 3 busy: the try is saved and the next one is due later ("Next try 16:30"); after
  the last try the result goes by SMS instead.
- 4 wrong number, 5 refused: no more calls, so each asks for a second press first.

After each saved outcome the screen goes straight on to the next due callback, saying what
became of the last one; when none is left it returns to the worklist. Another surveyor who saved
the same callback first is named with the time, and the callback is read again.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.worker import Worker, WorkerState

from console import keys
from console.i18n import _, lang_digits
from console.i18n.callback_words import (
    attempt_text,
    callback_status_name,
    category_text,
    feedback_error_text,
    last_attempt_text,
    outcome_name,
)
from console.i18n.intake_words import grouped_code, isolate, local_name, status_name, when_text
from console.i18n.queue_words import refusal_text, stale_text
from console.i18n.rtl import display
from console.screens.base import DeskScreen
from console.screens.survey import SurveyDone, SurveyScreen
from console.widgets.bidi import BidiText, layout_rtl
from console.widgets.keybar import KeyBar
from console.widgets.lines import Line
from console.widgets.request_detail import DetailBlock
from db.accounts import AgentView, PermissionDenied
from db.engine import session
from db.feedback import (
    CallbackView,
    FeedbackError,
    QuestionnaireView,
    callback_detail,
    due_callbacks,
    load_feedback_settings,
    questionnaire_for,
    record_attempt,
)
from db.followup import FollowupError, RequestDetail, request_detail

__all__ = ["CallbackScreen", "head_lines", "request_lines", "try_lines"]

#: Outcomes that end the calls for good: a second press confirms them.
CONFIRMED = frozenset({"wrong_number", "refused"})


def head_lines(view: CallbackView, max_attempts: int, now: datetime) -> list[Line]:
    """Who to call and on which number; what about, which try, since when."""
    phone = isolate(lang_digits(view.phone))
    who = " · ".join(p for p in (view.name, phone) if p)
    about = [_("Callback"), who]
    status = []
    if view.tracking_code:
        status += [
            category_text(view),
            _("request {code}").format(code=grouped_code(view.tracking_code)),
        ]
    elif view.incident_title:
        status.append(_("incident “{title}”").format(title=view.incident_title))
    if view.status == "due":
        tries = _("try {n} of {max}").format(
            n=lang_digits(str(min(view.attempt_count + 1, max_attempts))),
            max=lang_digits(str(max_attempts)),
        )
        status += [tries, _("due {when}").format(when=when_text(view.due_at, now=now))]
    else:
        status.append(callback_status_name(view.status))
    return [Line(" · ".join(about), "detail--title"), Line(" · ".join(status), "detail--status")]


def script_lines(view: CallbackView) -> list[Line]:
    if not view.script:
        return [Line(_("No answer was written down: tell the subscriber the request's status."))]
    return [Line(view.script, "detail--title")]


def request_lines(detail: RequestDetail | None, now: datetime) -> list[Line]:
    """The request in brief: status, unit and age; address; description."""
    if detail is None:
        return []
    r = detail.request
    unit = local_name(r.unit_name_fa, r.unit_name_en)
    head = [status_name(r.status)]
    if r.kind == "complaint":
        head.append(_("Complaint"))
    if unit:
        head.append(unit)
    head.append(_("Registered {when}").format(when=when_text(r.opened_at, now=now)))
    lines = [Line(" · ".join(head), "detail--muted")]
    district = local_name(r.district_name_fa, r.district_name_en)
    address = " · ".join(p for p in (r.address, district) if p)
    if address:
        lines.append(Line(_("Address: {address}").format(address=address), "detail--muted"))
    if r.description:
        lines.append(Line(_("Description: {text}").format(text=r.description), "detail--muted"))
    return lines


def try_lines(view: CallbackView, max_attempts: int, now: datetime) -> list[Line]:
    """The tries so far, oldest first; a warning before the last one."""
    lines = []
    for a in view.attempts:
        parts = [when_text(a.at, now=now), outcome_name(a.outcome)]
        if a.agent_name:
            parts.append(a.agent_name)
        lines.append(Line(" · ".join(parts)))
        if a.note:
            lines.append(Line(a.note, "detail--muted", indent=2))
    if not view.attempts:
        lines.append(Line(_("No try yet."), "detail--muted"))
    if view.status == "due" and view.attempt_count + 1 >= max_attempts:
        lines.append(
            Line(
                _("Last try: if nobody answers now, the result goes by SMS instead."),
                "detail--warning",
            )
        )
    return lines


class CallbackScreen(DeskScreen):
    """One callback and its outcome keys; dismissed with what the last saved outcome did."""

    DEFAULT_CSS = """
    CallbackScreen {
        #callback-head {
            padding: 0 1;
            background: $primary 25%;
        }
        #callback-script {
            height: auto;
            max-height: 10;
            margin: 1 0 0 0;
            padding: 1 2;
            border: heavy $accent;
            border-title-color: $text;
            border-title-style: bold;
            background: $boost;
            &:ansi {
                border: double $accent;
            }
        }
        &.-rtl #callback-script, &.-rtl #callback-tries-box {
            border-title-align: right;
        }
        #callback-request {
            padding: 0 1;
        }
        #callback-tries-box {
            height: 1fr;
            min-height: 3;
            padding: 0 1;
            border-top: solid $primary;
            border-title-color: $text;
            border-title-style: bold;
            scrollbar-size-vertical: 1;
            &:ansi {
                border-top: ascii $primary;
            }
        }
        #callback-message {
            padding: 0 1;
            &.-error {
                color: $text-error;
                text-style: bold;
            }
            &.-warning {
                color: $text-warning;
                text-style: bold reverse;
            }
            &.-done {
                color: $text-success;
                text-style: bold;
            }
        }
    }
    """

    AUTO_FOCUS = None  # the digits are the screen's; nothing here takes typing

    @dataclass
    class Loaded(Message):
        """A worker read the callback, its request, its questionnaire and the retry limit."""

        view: CallbackView
        request: RequestDetail | None
        questionnaire: QuestionnaireView | None
        max_attempts: int
        now: datetime

    @dataclass
    class Unreadable(Message):
        """The callback cannot be read (gone from this center, or no permission)."""

        text: str

    @dataclass
    class Saved(Message):
        """An outcome (or a survey) was saved: what it did, and the next due callback."""

        text: str
        next_id: uuid.UUID | None

    @dataclass
    class Refused(Message):
        """Nothing was saved: why. The callback is read again."""

        text: str

    def __init__(
        self,
        *,
        engine: Engine,
        agent: AgentView,
        clock: Callable[[], datetime],
        callback_id: uuid.UUID,
    ) -> None:
        super().__init__(id="callback")
        keys.install(self, "callback")
        self._engine = engine
        self.agent = agent
        self._clock = clock
        self.callback_id = callback_id
        self.view: CallbackView | None = None
        self.questionnaire: QuestionnaireView | None = None
        self.last_saved: str | None = None
        """What the last outcome saved here did: the dismiss result."""
        self._armed: str | None = None
        self._busy = False

    def compose(self) -> ComposeResult:
        rtl = True if layout_rtl() else None
        yield DetailBlock(id="callback-head")
        with Vertical(id="callback-script") as box:
            box.border_title = Content(display(_("Read to the subscriber"), base_rtl=rtl))
            yield DetailBlock(id="callback-script-text")
        yield DetailBlock(id="callback-request", clip_rows=1)
        with VerticalScroll(id="callback-tries-box") as tries:
            tries.border_title = Content(display(_("Tries"), base_rtl=rtl))
            tries.can_focus = False
            yield DetailBlock(id="callback-tries")
        yield BidiText(_("Reading the callback…"), id="callback-message")
        yield KeyBar()

    def on_mount(self) -> None:
        self.load()

    # --- reading ------------------------------------------------------------------------------

    def load(self) -> None:
        self._read(self.callback_id)

    @work(thread=True, exclusive=True, group="callback-read", exit_on_error=False)
    def _read(self, callback_id: uuid.UUID) -> None:
        now = self._clock()
        try:
            with session(self._engine, write=False) as s:
                view = callback_detail(s, actor=self.agent, callback_id=callback_id)
                request = None
                if view.ticket_id is not None:
                    try:
                        request = request_detail(
                            s, actor=self.agent, ticket_id=view.ticket_id, now=now
                        )
                    except (FollowupError, PermissionDenied):
                        request = None  # the callback is still worth making without it
                questionnaire = questionnaire_for(s, view.center_id, view.category_group or None)
                max_attempts = load_feedback_settings(s, view.center_id).retry.max_attempts
        except FeedbackError as error:
            self.post_message(
                self.Unreadable(feedback_error_text(error.reason, error.params, now=now))
            )
            return
        except PermissionDenied:
            self.post_message(self.Unreadable(refusal_text("permission")))
            return
        self.post_message(self.Loaded(view, request, questionnaire, max_attempts, now))

    def on_callback_screen_loaded(self, event: Loaded) -> None:
        if event.view.id != self.callback_id:
            return  # read before the screen went on to the next callback
        self.view, self.questionnaire = event.view, event.questionnaire
        message = self.query_one("#callback-message", BidiText)
        if message.text == _("Reading the callback…"):
            self._say("")
        self._show(event)

    def on_callback_screen_unreadable(self, event: Unreadable) -> None:
        self._say(event.text, style="error")

    def _show(self, event: Loaded) -> None:
        view, now = event.view, event.now
        self.query_one("#callback-head", DetailBlock).show(
            head_lines(view, event.max_attempts, now)
        )
        self.query_one("#callback-script-text", DetailBlock).show(script_lines(view))
        self.query_one("#callback-request", DetailBlock).show(request_lines(event.request, now))
        self.query_one("#callback-tries", DetailBlock).show(
            try_lines(view, event.max_attempts, now)
        )
        tries = self.query_one("#callback-tries-box", VerticalScroll)
        self.call_after_refresh(tries.scroll_end, animate=False)

    def _say(self, text: str, *, style: str = "done") -> None:
        message = self.query_one("#callback-message", BidiText)
        message.text = text
        for name in ("error", "warning", "done"):
            message.set_class(bool(text) and name == style, f"-{name}")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        super().on_worker_state_changed(event)
        if event.state is WorkerState.ERROR and event.worker.group == "callback-write":
            self._busy = False
            self._say(_("The outcome was not saved. Try again."), style="error")

    # --- the outcome keys ---------------------------------------------------------------------

    def _key_of(self, action: str) -> str:
        """The key the surveyor presses for `action` (as remapped), for a sentence."""
        for _key, binding in self._bindings:
            if binding.action == action:
                return lang_digits(self.app.get_key_display(binding))
        return ""

    def action_outcome(self, outcome: str) -> None:
        armed, self._armed = self._armed, None
        if self._busy:
            return
        view = self.view
        if view is None:
            self._say(_("Reading the callback…"))
            return
        if view.status != "due":
            text = feedback_error_text("not_due", {"status": view.status}, now=self._clock())
            last = last_attempt_text(view, self._clock())
            self._say(f"{text} {last}" if last else text, style="warning")
            return
        if outcome == "reached" and self.questionnaire is not None:
            self._open_survey(view, self.questionnaire)
            return
        if (outcome in CONFIRMED or outcome == "reached") and armed != outcome:
            self._armed = outcome
            self._say(self._confirm_text(outcome), style="warning")
            return
        self._busy = True
        self._say(_("Saving…"))
        self._record(view, outcome)

    def _confirm_text(self, outcome: str) -> str:
        again = _("Press {key} again to confirm.").format(key=self._key_of(f"outcome('{outcome}')"))
        what = {
            "wrong_number": _(
                "Wrong number: no more calls, and the request is closed without the result told."
            ),
            "refused": _("Refused: no more calls; the result goes by SMS instead."),
            "reached": _(
                "No questionnaire fits this request: the call is saved as told, with no survey."
            ),
        }[outcome]
        return f"{what} {again}"

    @work(thread=True, exclusive=True, group="callback-write", exit_on_error=False)
    def _record(self, view: CallbackView, outcome: str) -> None:
        now = self._clock()
        try:
            with session(self._engine) as s:
                result = record_attempt(
                    s,
                    actor=self.agent,
                    callback_id=view.id,
                    outcome=outcome,
                    expected_version=view.version,
                    now=now,
                )
        except FeedbackError as error:
            text = feedback_error_text(error.reason, error.params, now=now)
            if error.reason == "not_due":
                text = " ".join(filter(None, (text, self._last_try(view.id, now))))
            self.post_message(self.Refused(text))
            return
        except FollowupError as error:
            text = (
                stale_text(error.params, now=now)
                if error.reason == "stale"
                else refusal_text(error.reason, error.params)
            )
            self.post_message(self.Refused(text))
            return
        except PermissionDenied:
            self.post_message(self.Refused(refusal_text("permission")))
            return
        self._saved(view, attempt_text(result, now))

    def _last_try(self, callback_id: uuid.UUID, now: datetime) -> str:
        """In a worker: who tried the callback last, and when (after it was closed under us)."""
        with session(self._engine, write=False) as s:
            view = callback_detail(s, actor=self.agent, callback_id=callback_id)
        return last_attempt_text(view, now)

    def _saved(self, view: CallbackView, what: str) -> None:
        """In a worker: say what was saved, and find the next due callback."""
        with session(self._engine, write=False) as s:
            page = due_callbacks(s, actor=self.agent, now=self._clock(), limit=2)
        next_id = next((row.id for row in page.rows if row.id != view.id), None)
        who = view.name or lang_digits(view.phone)
        self.post_message(
            self.Saved(_("Saved for {who}. {what}").format(who=who, what=what), next_id)
        )

    def on_callback_screen_saved(self, event: Saved) -> None:
        self._busy = False
        self.last_saved = event.text
        if event.next_id is None:
            self.dismiss(event.text)
            return
        self.callback_id = event.next_id
        self.view = None
        self._say(event.text + " " + _("Here is the next due callback."))
        self.load()

    def on_callback_screen_refused(self, event: Refused) -> None:
        self._busy = False
        self._say(event.text, style="error")
        self.load()

    # --- the survey ---------------------------------------------------------------------------

    def _open_survey(self, view: CallbackView, questionnaire: QuestionnaireView) -> None:
        screen = SurveyScreen(
            engine=self._engine,
            agent=self.agent,
            clock=self._clock,
            callback=view,
            questionnaire=questionnaire,
        )

        def surveyed(result: SurveyDone | None) -> None:
            if result is None:
                self._say(_("Survey not saved: the callback is still to be made."), style="warning")
            elif result.error:
                self._say(result.text, style="error")
                self.load()
            else:
                self._busy = True
                self._after_survey(view, result.text)

        self.app.push_screen(screen, surveyed)

    @work(thread=True, exclusive=True, group="callback-write", exit_on_error=False)
    def _after_survey(self, view: CallbackView, text: str) -> None:
        self._saved(view, text)

    # --- other keys ---------------------------------------------------------------------------

    def action_back(self) -> None:
        self._armed = None
        self.dismiss(self.last_saved)

    def action_refresh(self) -> None:
        self._armed = None
        self.load()
