"""A request's detail (follow-up): everything about one request, and every step of its life on
a key.

Top to bottom at 80x24: the header (tracking code, category, status, complaint, escalation level,
holder), the fields (caller, address, unit, description, links, the feedback call), the citizen's
and the unit's clocks, the timeline (oldest first, scrolled to the newest; Up/Down and Page Up
read back), a line for what just happened, and the key bar with the steps the request's status
and the agent's roles allow. A key for a step they do not allow says why instead of doing
nothing.

A step's key opens a small dialog (`console.screens.dialogs`); a worker takes the step in one
transaction with the version the agent saw, then reads the request again. When another agent
changed it first, the agent is told who, when and what, the request is read again, and what
they typed comes back the next time they open that step. A refusal that belongs to a field (a
parent that is closed) reopens the dialog with the text kept and the reason next to the field.

While no dialog covers it, the request is read again every `poll_seconds * 10` seconds, so the
clocks and what others do stay current. Escape dismisses the screen with True when anything was
changed here, so the queue knows to read itself again.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy.engine import Engine
from textual import events, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from console import keys
from console.i18n import _
from console.i18n.queue_words import not_now_text, refusal_text, stale_text
from console.i18n.rtl import display
from console.screens.base import DeskScreen
from console.screens.request_steps import (
    DIALOG_ACTIONS,
    FIELD_OF_REASON,
    KEY_STEPS,
    STEP_ACTIONS,
    Step,
    done_text,
    step_dialog,
    take_step,
)
from console.widgets.bidi import BidiText, layout_rtl
from console.widgets.keybar import KeyBar
from console.widgets.request_detail import (
    DetailBlock,
    clock_lines,
    field_lines,
    head_lines,
    timeline_lines,
)
from db.accounts import AgentView, PermissionDenied
from db.engine import session
from db.followup import (
    FOLLOWUP_ROLES,
    MAX_LEVEL,
    FollowupError,
    RequestDetail,
    UnitChoiceView,
    allowed_actions,
    list_units,
    request_detail,
)
from db.followup.chase import CHASED_STATUSES
from db.models import Role

__all__ = ["RequestScreen"]


class RequestScreen(DeskScreen):
    """One request in full, with its steps on keys. Dismissed with True if a step was taken."""

    DEFAULT_CSS = """
    RequestScreen {
        #request-head {
            padding: 0 1;
            background: $primary 25%;
        }
        #request-fields, #request-clocks {
            padding: 0 1;
        }
        #request-timeline {
            height: 1fr;
            padding: 0 1;
            border-top: solid $primary;
            border-title-color: $text;
            border-title-style: bold;
            scrollbar-size-vertical: 1;
            &:focus {
                border-top: solid $accent;
            }
        }
        &.-rtl #request-timeline {
            border-title-align: right;
        }
        #request-message {
            padding: 0 1;
            &.-error {
                color: $text-error;
                text-style: bold;
            }
            &.-done {
                color: $text-success;
                text-style: bold;
            }
        }
    }
    """

    AUTO_FOCUS = "#request-timeline"

    @dataclass
    class Loaded(Message):
        """A worker read the request (and the center's units, the first time)."""

        detail: RequestDetail
        units: tuple[UnitChoiceView, ...] | None = None

    @dataclass
    class Unreadable(Message):
        """The request cannot be read (gone from this center, or no permission)."""

        text: str

    @dataclass
    class StepDone(Message):
        """A step was saved; the worker reads the request again next."""

        step: Step

    @dataclass
    class StepRefused(Message):
        """`db.followup` refused the step: its reason and params (reason "permission" for a
        missing role)."""

        step: Step
        reason: str
        params: dict[str, Any] = field(default_factory=dict)

    poll_factor: ClassVar[float] = 10.0
    """The request is read again every `poll_seconds * poll_factor` seconds."""

    def __init__(
        self,
        *,
        engine: Engine,
        agent: AgentView,
        clock: Callable[[], datetime],
        ticket_id: uuid.UUID,
        poll_seconds: float | None = None,
    ) -> None:
        super().__init__()
        keys.install(self, "request")
        self._engine = engine
        self.agent = agent
        self._clock = clock
        self.ticket_id = ticket_id
        self._poll_seconds = poll_seconds
        self.detail: RequestDetail | None = None
        self.units: tuple[UnitChoiceView, ...] = ()
        self.changed = False
        """Whether a step was taken here (the dismiss result)."""
        self._drafts: dict[str, Any] = {}
        self._busy = False
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield DetailBlock(id="request-head")
        yield DetailBlock(id="request-fields", clip_rows=2)
        yield DetailBlock(id="request-clocks")
        with VerticalScroll(id="request-timeline") as timeline:
            timeline.border_title = Content(
                display(_("History"), base_rtl=True if layout_rtl() else None)
            )
            yield DetailBlock(id="request-events")
        yield BidiText(_("Reading the request…"), id="request-message")
        yield KeyBar()

    def on_mount(self) -> None:
        self.load()

    @property
    def poll_interval(self) -> float:
        seconds = self._poll_seconds
        if seconds is None:
            settings = getattr(self.app, "settings", None)
            seconds = getattr(settings, "poll_seconds", 2.0)
        return seconds * self.poll_factor

    # --- reading ------------------------------------------------------------------------------

    def load(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._read()

    @work(thread=True, exclusive=True, group="request-read", exit_on_error=False)
    def _read(self) -> None:
        self._read_now()

    def _read_now(self) -> None:
        """In a worker: read the request (and the units once) and post `Loaded`."""
        try:
            with session(self._engine, write=False) as s:
                detail = request_detail(
                    s, actor=self.agent, ticket_id=self.ticket_id, now=self._clock()
                )
                units = None
                if not self.units and self.agent.has_role(*FOLLOWUP_ROLES):
                    units = list_units(s, actor=self.agent)
        except FollowupError as error:
            self.post_message(self.Unreadable(refusal_text(error.reason, error.params)))
        except PermissionDenied:
            self.post_message(self.Unreadable(refusal_text("permission")))
        else:
            self.post_message(self.Loaded(detail, units))

    def on_request_screen_loaded(self, event: Loaded) -> None:
        if self.detail is not None and _staler(event.detail, self.detail):
            return  # a poll that started before a step finished after it
        grew = self.detail is None or len(event.detail.events) != len(self.detail.events)
        self.detail = event.detail
        if event.units is not None:
            self.units = event.units
        if self.query_one("#request-message", BidiText).text == _("Reading the request…"):
            self._say("", error=False)
        self._show(event.detail)
        if grew:
            timeline = self.query_one("#request-timeline", VerticalScroll)
            self.call_after_refresh(timeline.scroll_end, animate=False)
        self.refresh_bindings()
        self._schedule_poll()

    def on_request_screen_unreadable(self, event: Unreadable) -> None:
        self._say(event.text, error=True)

    def _show(self, detail: RequestDetail) -> None:
        now = detail.request.as_of
        self.query_one("#request-head", DetailBlock).show(head_lines(detail, self.agent, now))
        self.query_one("#request-fields", DetailBlock).show(field_lines(detail, now))
        self.query_one("#request-clocks", DetailBlock).show(clock_lines(detail, now))
        self.query_one("#request-events", DetailBlock).show(timeline_lines(detail, now))

    def _schedule_poll(self) -> None:
        if self._timer is None and self.is_mounted:
            self._timer = self.set_timer(self.poll_interval, self._poll)

    def _poll(self) -> None:
        self._timer = None
        if self.is_active and not self._busy:
            self._read()
        else:
            # A dialog is open: reading now would change the version the agent is acting on.
            self._schedule_poll()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        super().on_worker_state_changed(event)
        if event.state is not WorkerState.ERROR:
            return
        if event.worker.group == "request-step":
            self._busy = False
            self._say(_("The step was not saved. Try again."), error=True)
        self._schedule_poll()

    def _say(self, text: str, *, error: bool) -> None:
        message = self.query_one("#request-message", BidiText)
        message.text = text
        message.set_class(error and bool(text), "-error")
        message.set_class(not error and bool(text), "-done")

    # --- which steps the keys may take --------------------------------------------------------

    def _step_for(self, action: str) -> str | None:
        """The transition a key action stands for now (pause and link toggle)."""
        if self.detail is None:
            return None
        view = self.detail.request
        if action == "pause":
            return "resumed" if view.status == "pending_subscriber" else "paused"
        if action == "link":
            return "unlinked" if view.parent_id is not None else "linked"
        return KEY_STEPS.get(action)

    def refusal(self, action: str) -> str | None:
        """Why the key `action` cannot take its step now; None when it can."""
        if self.detail is None:
            return _("Reading the request…")
        view = self.detail.request
        permission = refusal_text("permission")
        if action in ("claim", "unit_called"):
            if not self.agent.has_role(*FOLLOWUP_ROLES):
                return permission
            if action == "claim" and not view.is_open:
                return not_now_text(action, view.status)
            if action == "unit_called" and (
                view.status not in CHASED_STATUSES or view.unit_id is None
            ):
                return refusal_text("not_with_unit")
            return None
        step = self._step_for(action)
        if step in self.detail.actions:
            if step == "escalated":
                if view.escalation_level >= MAX_LEVEL:
                    return refusal_text("max_level")
                if view.escalation_level == MAX_LEVEL - 1 and not self.agent.has_role(
                    Role.SUPERVISOR
                ):
                    return _("Only a supervisor can escalate to level 3.")
            return None
        if step in allowed_actions(view.status, None):
            return permission  # the lifecycle allows it; this agent's roles do not
        return not_now_text(action, view.status)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in DIALOG_ACTIONS:
            return False  # the dialogs' own keys, installed here only to share the scope
        if action in STEP_ACTIONS:
            # False hides the key from the key bar; `on_key` still explains it when pressed.
            return self.refusal(action) is None
        return True

    def on_key(self, event: events.Key) -> None:
        """A step's key the request does not allow now: say why (Textual would stay silent).

        Keys reach the screen before the bindings are looked up, so this sees them first; the
        binding chain is read for this screen's keys as the agent remapped them.
        """
        for namespace, bindings in self._binding_chain:
            if namespace is not self:
                continue
            for binding in bindings.key_to_bindings.get(event.key, ()):
                if binding.action in STEP_ACTIONS:
                    reason = self.refusal(binding.action)
                    if reason is not None:
                        event.stop()
                        event.prevent_default()
                        self._say(reason, error=True)
                    return

    # --- the keys -----------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(self.changed)

    def action_refresh(self) -> None:
        self.load()

    def action_claim(self) -> None:
        assert self.detail is not None
        view = self.detail.request
        mine = view.claim_active and view.claimed_by_id == self.agent.id
        self._take(Step("release" if mine else "claim", view.version))

    def action_refer(self) -> None:
        self.open_step("referred")

    def action_started(self) -> None:
        self.open_step("started")

    def action_answered(self) -> None:
        self.open_step("answered")

    def action_accept(self) -> None:
        self.open_step("accepted")

    def action_reject(self) -> None:
        self.open_step("rejected")

    def action_pause(self) -> None:
        self.open_step(self._step_for("pause") or "paused")

    def action_escalate(self) -> None:
        self.open_step("escalated")

    def action_cancel(self) -> None:
        self.open_step("cancelled")

    def action_close_request(self) -> None:
        self.open_step("closed")

    def action_reopen(self) -> None:
        self.open_step("reopened")

    def action_link(self) -> None:
        self.open_step(self._step_for("link") or "linked")

    def action_unit_called(self) -> None:
        self.open_step("unit_called")

    # --- dialogs and steps --------------------------------------------------------------------

    def open_step(self, kind: str, result: Any = None, *, error: str = "", field: str = "") -> None:
        """Open `kind`'s dialog, filled with `result` (or what the agent typed last time)."""
        if self.detail is None or self._busy:
            return
        version = self.detail.request.version
        values = result if result is not None else self._drafts.get(kind)
        dialog = step_dialog(
            kind,
            self.detail,
            agent=self.agent,
            units=self.units,
            now=self._clock(),
            values=values,
            error=error,
            field=field,
        )

        def answered(answer: Any) -> None:
            if answer is None:
                self._drafts.pop(kind, None)
                return
            self._take(Step(kind, version, answer))

        self.app.push_screen(dialog, answered)

    def _take(self, step: Step) -> None:
        self._busy = True
        self._say(_("Saving…"), error=False)
        self._run(step)

    @work(thread=True, exclusive=True, group="request-step", exit_on_error=False)
    def _run(self, step: Step) -> None:
        """In a thread: take the step in one transaction, then read the request again."""
        try:
            with session(self._engine) as s:
                take_step(s, self.agent, self.ticket_id, step, self._clock())
        except FollowupError as error:
            self.post_message(self.StepRefused(step, error.reason, dict(error.params)))
            return
        except PermissionDenied:
            self.post_message(self.StepRefused(step, "permission"))
            return
        self.post_message(self.StepDone(step))
        self._read_now()

    def on_request_screen_step_done(self, event: StepDone) -> None:
        self._busy = False
        self.changed = True
        self._drafts.pop(event.step.kind, None)
        self._say(done_text(event.step.kind), error=False)

    def on_request_screen_step_refused(self, event: StepRefused) -> None:
        self._busy = False
        step, reason, params = event.step, event.reason, event.params
        if reason == "stale":
            # Keep what was typed for the next try, after the agent has seen what changed.
            if step.result is not None:
                self._drafts[step.kind] = step.result
            self._say(stale_text(params, now=self._clock()), error=True)
            self.load()
            return
        text = refusal_text(reason, params)
        where = FIELD_OF_REASON.get(reason)
        if reason == "not_found":
            # Another request named by its code, or the unit picked; not this request itself.
            where = "code" if "code" in params else "unit" if params.get("what") == "unit" else None
        if where is not None and step.result is not None:
            self._say("", error=False)
            self.open_step(step.kind, step.result, error=text, field=where)
            return
        self._say(text, error=True)
        self.load()


def _staler(read: RequestDetail, shown: RequestDetail) -> bool:
    """Whether `read` is older than what is on show (versions and timelines only grow)."""
    return (read.request.version, len(read.events)) < (shown.request.version, len(shown.events))
