"""Intake (unit a): take a call, find the caller, pick a category, end the call with one key.

The panel the main screen shows for the intake mode. Top to bottom at 80x24:

- the caller row: what the caller gives (a phone in any digit script, a subscription number,
  bill ID, national code, name or tracking code); 300 ms after typing stops, or at Enter, a
  worker runs `db.intake.lookup_caller`;
- the side column (on the left in English, on the right in Persian): the caller card with any
  active incident at the caller's address, or a request's status for a tracking code, or the
  ready answers (F8);
- the form: category (type-ahead), address, district, description, caller's name, notes; the
  category marks which of them it requires, and a repeat caller is offered a link instead of a
  duplicate;
- one line for what just happened (saved, refused, offered).

A call ends with one key (`console.keys`, scope "intake"): answered, registered (the tracking code
is then shown large for read-back), linked to the incident, linked to the open request,
transferred, or dropped. Handle time runs from the first change of the call to the save, on the
app's clock. Every change is kept as a draft a moment later, so a crash, a closed terminal or a
dropped SSH session loses nothing: after the next sign-in the agent is offered to resume it.

No SQL and no rule here: every question goes to `db.intake` in a thread worker with its own
session, and comes back as a message with plain data.
"""

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy.engine import Engine
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Input
from textual.worker import Worker, WorkerState

from console import keys
from console.i18n import N_, _, lang_digits
from console.i18n.intake_words import (
    ERROR_FIELDS_ON_CALLER,
    channel_name,
    error_text,
    field_name,
    grouped_code,
    isolate,
    label,
    local_name,
    outcome_name,
    status_name,
    when_text,
)
from console.i18n.rtl import display, has_rtl
from console.messages import CallSaved
from console.widgets.bidi import BidiText, layout_rtl
from console.widgets.caller_card import CallerCardView
from console.widgets.canned_answers import CannedAnswers, answer_text
from console.widgets.category_picker import CategoryPicker
from console.widgets.fields import FormInput
from console.widgets.keybar import KeyBar
from console.widgets.picker import Choice, Picker
from console.widgets.request_status import RequestStatusPanel
from console.widgets.tracking_code import TrackingCodeBanner
from db import intake
from db.accounts import AccountError, AgentView
from db.engine import session
from db.intake import (
    CallerCard,
    CannedAnswerView,
    CategoryView,
    DistrictView,
    DraftView,
    IntakeError,
    QueryKind,
    RegisteredView,
    RepeatView,
    RequestStatusView,
)
from db.models import OPEN_STATUSES, CallOutcome, Channel
from db.text import search_key
from db.tracking import CODE_LENGTH

__all__ = ["DRAFT_VERSION", "DraftOfferScreen", "IntakePanel"]

LOOKUP_DELAY = 0.3
"""Seconds after the last key in the caller field before the card is looked up."""
DRAFT_DELAY = 0.5
"""Seconds after the last change before the draft is saved."""
DRAFT_VERSION = 1

LINES: tuple[str, ...] = tuple(channel.value for channel in Channel)
"""The lines F9 cycles through: 122 (emergencies), 1523 (everything else), then the rest."""

TEXT_FIELDS = ("address", "description", "caller_name", "notes")
# The fields stop typing where `db.intake` would refuse; a paste can still go over, and then
# the refusal shows next to the field.
MAX_LENGTHS = {"address": 400, "description": 2000, "caller_name": 160, "notes": 2000}

# What each outcome key saves, and the confirmation it leaves.
SAVED_WORDS = {
    CallOutcome.ANSWERED: N_("Call saved: answered."),
    CallOutcome.TRANSFERRED: N_("Call saved: transferred."),
    CallOutcome.DROPPED: N_("Call saved: dropped."),
    CallOutcome.LINKED_INCIDENT: N_("Call saved and linked to the incident."),
}


@dataclass(frozen=True)
class LinkTarget:
    """The open request a repeat call would be added to, and why it is offered."""

    ticket_id: uuid.UUID
    tracking_code: str
    status: str
    repeat: bool


class IntakePanel(Vertical):
    """The intake mode: caller row, side column (card, status, answers), form, message line."""

    DEFAULT_CSS = """
    IntakePanel {
        height: 1fr;
        & .intake-label {
            dock: left;
            width: 12;
            padding-right: 1;
            text-style: bold;
            color: $text-muted;
            &.-required {
                color: $text;
            }
        }
        &.-rtl .intake-label {
            dock: right;
            padding-right: 0;
            padding-left: 1;
        }
        & .intake-row {
            height: auto;
        }
        & .intake-error {
            color: $text-error;
            text-style: bold;
        }
        & FormInput.-textual-compact {
            background: $panel;
            padding: 0 1;
            &:focus {
                background: $primary 50%;
            }
            &:ansi {
                background: ansi_default;
                text-style: underline;
                &:focus {
                    background: ansi_blue;
                    text-style: none;
                }
            }
        }
        #intake-caller {
            height: auto;
            padding: 0 1;
        }
        #intake-caller .intake-label {
            color: $text;
        }
        #intake-query {
            width: 1fr;
        }
        #intake-query-status {
            dock: right;
            width: auto;
            max-width: 24;
            padding-left: 1;
            color: $text-muted;
        }
        &.-rtl #intake-query-status {
            dock: left;
            padding-left: 0;
            padding-right: 1;
        }
        #intake-line {
            width: auto;
            padding: 0 1;
            margin-left: 1;
            background: $secondary 30%;
            text-style: bold;
            &:ansi {
                background: ansi_default;
                text-style: bold reverse;
            }
        }
        &.-rtl #intake-line {
            margin-left: 0;
            margin-right: 1;
        }
        #intake-query-error {
            padding: 0 1;
        }
        #intake-body, #intake-work {
            height: 1fr;
        }
        #intake-side {
            dock: left;
            width: 38;
            height: 1fr;
            border: round $primary 60%;
            border-title-color: $text;
            &:focus-within {
                border: round $accent;
            }
            &:ansi {
                border: solid ansi_blue;
                &:focus-within {
                    border: double ansi_bright_blue;
                }
            }
        }
        &.-rtl #intake-side {
            dock: right;
            border-title-align: right;
        }
        #intake-side > VerticalScroll {
            height: 1fr;
            scrollbar-size-vertical: 1;
        }
        #side-idle BidiText {
            color: $text-muted;
            padding: 0 1;
        }
        #intake-form {
            height: 1fr;
            padding: 0 1;
            scrollbar-size-vertical: 1;
        }
        #intake-preview {
            color: $text-accent;
            max-height: 3;
        }
        #intake-offer {
            background: $warning 25%;
            text-style: bold;
            margin-top: 1;
            &:ansi {
                background: ansi_yellow;
                color: ansi_black;
            }
        }
        #intake-message {
            dock: bottom;
            padding: 0 1;
            &.-ok {
                color: $text-success;
                text-style: bold;
            }
            &.-error {
                color: $text-error;
                text-style: bold;
            }
        }
        #intake-registered {
            height: 1fr;
            align: center middle;
        }
    }
    """

    BINDINGS: ClassVar[list[Binding]] = []  # from console.keys, scope "intake"

    # --- worker results (plain data, posted from threads) --------------------------------------

    @dataclass
    class LookedUp(Message):
        """`lookup_caller` (and `find_request` for a tracking code) answered for `query`."""

        query: str
        card: CallerCard | None
        status: RequestStatusView | None
        error: IntakeError | None
        focus: bool
        hint: IntakeError | None = None
        """Nothing found for twelve digits: why they are not a tracking code (a misheard digit)."""

    @dataclass
    class CategoriesFound(Message):
        """Matches for the typed text, or the agent's recent categories for an empty field."""

        text: str
        categories: list[CategoryView]
        recent: bool

    @dataclass
    class CategoryLoaded(Message):
        """The category a resumed draft names."""

        category: CategoryView

    @dataclass
    class DistrictsLoaded(Message):
        """The center's districts, filtered in memory as the agent types."""

        districts: list[DistrictView]

    @dataclass
    class RepeatChecked(Message):
        """`find_repeat` for (phone, subscriber, category) = `key`."""

        key: tuple[Any, ...]
        repeat: RepeatView | None

    @dataclass
    class AnswersFound(Message):
        """Canned answers for the search text."""

        text: str
        answers: list[CannedAnswerView]

    @dataclass
    class DraftLoaded(Message):
        """The agent's saved half-typed call after sign-in, if any."""

        draft: DraftView | None

    @dataclass
    class LineLoaded(Message):
        """The line of the agent's last call: the default for the next one."""

        channel: str | None

    @dataclass
    class Saved(Message):
        """An outcome was committed; the form starts the next call."""

        outcome: str
        result: Any

    @dataclass
    class Refused(Message):
        """An outcome was refused (`IntakeError` or a permission): nothing typed is lost."""

        field: str
        reason: str
        params: dict[str, Any] = field(default_factory=dict)

    # --- construction --------------------------------------------------------------------------

    def __init__(
        self,
        *,
        engine: Engine,
        agent: AgentView,
        clock: Callable[[], datetime],
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="-rtl" if layout_rtl() else None)
        keys.install(self, "intake")
        self._engine = engine
        self._agent = agent
        self._clock = clock
        self._card: CallerCard | None = None
        self._looked_up = ""
        self._status: RequestStatusView | None = None
        self._repeat: RepeatView | None = None
        self._repeat_key: tuple[Any, ...] = ()
        self._register_confirmed = False
        self._districts: list[DistrictView] = []
        self._pending_district: uuid.UUID | None = None
        self._pending_subscriber: uuid.UUID | None = None
        self._pending_outcome: str | None = None
        self._prefilled_address = ""
        self._prefilled_district: uuid.UUID | None = None
        self._started_at: datetime | None = None
        self._side_before_answers = "side-idle"
        self._focus_before_answers: Widget | None = None
        self._lookup_timer: Timer | None = None
        self._draft_timer: Timer | None = None
        self._saving = False
        self._draft_dirty = False
        self._draft_saved = False
        # A draft save and an outcome save never interleave: the outcome's transaction
        # discards the draft, and a draft worker that comes after it must not bring it back.
        self._draft_lock = threading.Lock()
        self._call_token = 0
        self._channel: str = Channel.PHONE_122.value
        self._line_chosen = False  # by F9 or a resumed draft: the last call's line must not win
        self._wants_callback = False
        self._request_index = 0  # which of the card's open requests Ctrl+K adds the call to

    def compose(self) -> ComposeResult:
        with Horizontal(id="intake-caller", classes="intake-row"):
            yield BidiText(label("query"), classes="intake-label")
            yield BidiText("", id="intake-query-status")
            # In the flow, not docked: two docks on one edge would overlap. At the line's end
            # side, between the caller field and the lookup status.
            line = BidiText("", id="intake-line")
            if layout_rtl():
                yield line
            yield FormInput(
                id="intake-query",
                compact=True,
                max_length=80,
                select_on_focus=False,
                placeholder=_("phone, subscription, bill ID, national code, name, tracking code"),
            )
            if not layout_rtl():
                yield line
        yield BidiText("", id="intake-query-error", classes="intake-error")
        yield BidiText("", id="intake-message")
        with ContentSwitcher(id="intake-body", initial="intake-work"):
            with Container(id="intake-work"):
                with ContentSwitcher(id="intake-side", initial="side-idle"):
                    with VerticalScroll(id="side-idle", can_focus=False):
                        yield BidiText(
                            _(
                                "Key what the caller gives: a phone number, subscription "
                                "number, bill ID, national code, name or tracking code. The "
                                "caller card shows here."
                            )
                        )
                    with VerticalScroll(id="side-card", can_focus=False):
                        yield CallerCardView(id="intake-card")
                    # Focusable: a long history scrolls with Up/Down and Page Up/Down.
                    with VerticalScroll(id="side-status"):
                        yield RequestStatusPanel(id="intake-status")
                    with VerticalScroll(id="side-canned", can_focus=False):
                        yield CannedAnswers(id="intake-canned")
                with VerticalScroll(id="intake-form", can_focus=False):
                    yield from self._row(
                        "category",
                        CategoryPicker(id="intake-category", placeholder=_("type to search")),
                    )
                    yield from self._text_row("address")
                    yield from self._row("district", Picker(id="intake-district"))
                    for name in ("description", "caller_name", "notes"):
                        yield from self._text_row(name)
                    yield BidiText("", id="intake-preview")
                    yield BidiText("", id="intake-offer")
            with Vertical(id="intake-registered"):
                yield TrackingCodeBanner(id="intake-code")

    def _text_row(self, name: str) -> ComposeResult:
        """A one-line text field of the call form, labelled, with its error line."""
        field = FormInput(
            id=f"intake-{name}", compact=True, max_length=MAX_LENGTHS[name], select_on_focus=False
        )
        yield from self._row(name, field)

    def _row(self, name: str, widget: Widget) -> ComposeResult:
        with Horizontal(classes="intake-row", id=f"row-{name}"):
            yield BidiText(label(name), classes="intake-label", id=f"label-{name}")
            yield widget
        yield BidiText("", classes="intake-error", id=f"error-{name}")

    def on_mount(self) -> None:
        for quiet in ("#intake-query-error", "#intake-preview", "#intake-offer", ".intake-error"):
            for widget in self.query(quiet):
                widget.display = False
        self._say("", kind="")
        self._set_side("side-idle")
        self._show_line()
        self.load_districts()
        self.load_last_line()
        self.load_draft()

    # --- widgets -------------------------------------------------------------------------------

    @property
    def query_input(self) -> FormInput:
        return self.query_one("#intake-query", FormInput)

    @property
    def category_picker(self) -> CategoryPicker:
        return self.query_one("#intake-category", CategoryPicker)

    @property
    def district_picker(self) -> Picker:
        return self.query_one("#intake-district", Picker)

    @property
    def card_view(self) -> CallerCardView:
        return self.query_one("#intake-card", CallerCardView)

    @property
    def canned(self) -> CannedAnswers:
        return self.query_one("#intake-canned", CannedAnswers)

    def text_input(self, name: str) -> FormInput:
        return self.query_one(f"#intake-{name}", FormInput)

    def focus_first(self) -> None:
        """Where the next call starts (the main screen calls this when intake opens)."""
        self.query_input.focus()

    def _say(self, text: str, *, kind: str = "ok") -> None:
        """The message line: a confirmation (`ok`), a refusal (`error`) or nothing."""
        message = self.query_one("#intake-message", BidiText)
        message.text = text
        message.display = bool(text)
        message.set_class(kind == "ok", "-ok")
        message.set_class(kind == "error", "-error")

    def _set_text(self, selector: str, text: str) -> None:
        widget = self.query_one(selector, BidiText)
        widget.text = text
        widget.display = bool(text)

    def _set_side(self, name: str) -> None:
        self.query_one("#intake-side", ContentSwitcher).current = name
        titles = {
            "side-idle": _("Caller card"),
            "side-card": _("Caller card"),
            "side-status": _("Request status"),
            "side-canned": _("Ready answers"),
        }
        side = self.query_one("#intake-side")
        side.border_title = Content(display(titles[name], base_rtl=True if layout_rtl() else None))

    def _side(self) -> str:
        return self.query_one("#intake-side", ContentSwitcher).current or "side-idle"

    def _show_work(self) -> None:
        self.query_one("#intake-body", ContentSwitcher).current = "intake-work"

    # --- the call's clock and draft ------------------------------------------------------------

    def _touched(self, *, has_text: bool) -> None:
        """A field changed: the call has started (first change), and the draft is due."""
        if has_text and self._started_at is None:
            self._started_at = self._clock()
            self._say("", kind="")  # the last call's confirmation, now that a new one starts
        if has_text and self.query_one("#intake-body", ContentSwitcher).current != "intake-work":
            self._show_work()
        self._schedule_draft()

    def _schedule_draft(self) -> None:
        if self._saving:
            self._draft_dirty = True
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DELAY, self._save_draft_now)

    def draft_fields(self) -> dict[str, Any]:
        """Everything typed for this call, as JSON for `db.intake.save_draft`."""
        category = self.category_picker.category
        district = self.district_picker.value
        subscriber = self.card_view.subscriber if self._card_is_current() else None
        return {
            "version": DRAFT_VERSION,
            "query": self.query_input.value,
            "subscriber_id": str(subscriber.id) if subscriber else None,
            "category_id": str(category.id) if category else None,
            "category_text": self.category_picker.text,
            "district_id": str(district.id) if isinstance(district, DistrictView) else None,
            "district_text": self.district_picker.text,
            **{name: self.text_input(name).value for name in TEXT_FIELDS},
            "started_at": self._started_at.isoformat() if self._started_at else None,
            "channel": self._channel,
            "wants_callback": self._wants_callback,
        }

    @staticmethod
    def _is_empty(fields: dict[str, Any]) -> bool:
        typed = ("query", "category_text", "district_text", *TEXT_FIELDS)
        return not any(str(fields.get(name) or "").strip() for name in typed) and not (
            fields.get("category_id") or fields.get("district_id")
        )

    def _save_draft_now(self) -> None:
        if self._saving:
            self._draft_dirty = True
            return
        fields = self.draft_fields()
        if self._is_empty(fields):
            if self._draft_saved:
                self._draft_saved = False
                self.discard_draft_worker(self._call_token)
            return
        self._draft_saved = True
        self.save_draft_worker(fields, self._call_token)

    @work(thread=True, exclusive=True, group="draft", exit_on_error=False)
    def save_draft_worker(self, fields: dict[str, Any], token: int) -> None:
        """Keep the half-typed call (`db.intake.save_draft`), unless that call already ended."""
        with self._draft_lock:
            if token != self._call_token:
                return
            with session(self._engine) as s:
                intake.save_draft(s, actor=self._agent, fields=fields, now=self._clock())

    @work(thread=True, exclusive=True, group="draft", exit_on_error=False)
    def discard_draft_worker(self, token: int | None = None) -> None:
        with self._draft_lock:
            if token is not None and token != self._call_token:
                return
            with session(self._engine) as s:
                intake.discard_draft(s, actor=self._agent)

    @work(thread=True, exclusive=True, group="load_draft", exit_on_error=False)
    def load_draft(self) -> None:
        with session(self._engine, write=False) as s:
            draft = intake.load_draft(s, actor=self._agent)
        self.post_message(self.DraftLoaded(draft))

    def on_intake_panel_draft_loaded(self, event: DraftLoaded) -> None:
        draft = event.draft
        if draft is None or self._is_empty(draft.fields):
            return

        def answered(resume: bool | None) -> None:
            if resume:
                self.restore(draft.fields)
                self._say(_("The unfinished call is back: go on where you stopped."))
            else:
                self._draft_saved = False
                self.discard_draft_worker()
                self._say(_("The unfinished call was discarded."))
            self.focus_first()

        self.app.push_screen(DraftOfferScreen(draft), answered)

    def restore(self, fields: dict[str, Any]) -> None:
        """Put a draft back in every field (the card and category are looked up again)."""
        started = fields.get("started_at")
        try:
            self._started_at = datetime.fromisoformat(started) if started else self._clock()
        except ValueError:
            self._started_at = self._clock()
        self._pending_subscriber = _uuid(fields.get("subscriber_id"))
        channel = fields.get("channel")
        if channel in LINES:
            self._channel = str(channel)
            self._line_chosen = True
        self._wants_callback = bool(fields.get("wants_callback"))
        self._show_line()
        for name in TEXT_FIELDS:
            self.text_input(name).value = str(fields.get(name) or "")
        self._prefilled_address = ""
        category_id = _uuid(fields.get("category_id"))
        if category_id is not None:
            self.load_category(category_id)
        else:
            self.category_picker.input.value = str(fields.get("category_text") or "")
        district_id = _uuid(fields.get("district_id"))
        if district_id is not None:
            self._pending_district = district_id
            self._apply_pending_district()
        else:
            self.district_picker.input.value = str(fields.get("district_text") or "")
        query = str(fields.get("query") or "")
        self.query_input.value = query
        if query.strip():
            self._lookup_now(query.strip(), focus=False)
        self._draft_saved = True

    @work(thread=True, exclusive=True, group="category", exit_on_error=False)
    def load_category(self, category_id: uuid.UUID) -> None:
        try:
            with session(self._engine, write=False) as s:
                category = intake.get_category(s, actor=self._agent, category_id=category_id)
        except IntakeError:
            return
        self.post_message(self.CategoryLoaded(category))

    def on_intake_panel_category_loaded(self, event: CategoryLoaded) -> None:
        self.category_picker.choose_category(event.category)
        self._category_changed(event.category)

    # --- the caller ----------------------------------------------------------------------------

    @on(Input.Changed, "#intake-query")
    def _query_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._set_text("#intake-query-error", "")
        self._touched(has_text=bool(event.value.strip()))
        if self._lookup_timer is not None:
            self._lookup_timer.stop()
        text = event.value.strip()
        if not text:
            self._forget_caller()
            return
        self._lookup_timer = self.set_timer(LOOKUP_DELAY, lambda: self._lookup_if_ready(text))

    def _forget_caller(self) -> None:
        self._request_index = 0
        self._card = None
        self._status = None
        self._looked_up = ""
        self._repeat = None
        self.card_view.show(None, now=self._clock())
        self._set_text("#intake-query-status", "")
        if self._side() in ("side-card", "side-status"):
            self._set_side("side-idle")
        self._update_offer()

    def _lookup_if_ready(self, text: str) -> None:
        """After a pause in typing: look up only what already reads as a phone, code or name."""
        if self.query_input.value.strip() != text or text == self._looked_up:
            return
        try:
            intake.parse_caller_query(text)
        except IntakeError:
            return  # still typing: no error until Enter
        self._lookup_now(text, focus=False)

    def _lookup_now(self, text: str, *, focus: bool) -> None:
        self._set_text("#intake-query-status", _("Looking up…"))
        self.lookup(text, focus)

    @work(thread=True, exclusive=True, group="lookup", exit_on_error=False)
    def lookup(self, text: str, focus: bool) -> None:
        """In a thread: the caller card, and the request's status for a tracking code."""
        now = self._clock()
        status = None
        hint = None
        try:
            with session(self._engine, write=False) as s:
                card = intake.lookup_caller(s, actor=self._agent, query=text, now=now)
                if card.query.kind == QueryKind.TRACKING_CODE and card.tracked_ticket_id:
                    status = intake.find_request(
                        s, actor=self._agent, tracking_code=card.query.value, now=now
                    )
                elif _looks_like_a_code(card):
                    try:
                        intake.find_request(s, actor=self._agent, tracking_code=text, now=now)
                    except IntakeError as why:
                        hint = why
        except IntakeError as error:
            self.post_message(self.LookedUp(text, None, None, error, focus))
            return
        self.post_message(self.LookedUp(text, card, status, None, focus, hint))

    def on_intake_panel_looked_up(self, event: LookedUp) -> None:
        if self.query_input.value.strip() != event.query:
            return  # the agent typed on: a newer lookup is coming
        self._set_text("#intake-query-status", "")
        if event.error is not None:
            self._show_error(event.error.field, event.error.reason, event.error.params)
            self._pending_outcome = None
            return
        card = event.card
        assert card is not None
        if card is not self._card:
            self._request_index = 0
        self._card = card
        self._looked_up = event.query
        self._status = event.status
        picked = self._pending_subscriber
        self._pending_subscriber = None
        now = self._clock()
        self.card_view.show(card, now=now, picked=picked)
        restored = self.card_view.subscriber if picked is not None else None
        if restored is not None and restored.address == self.text_input("address").value:
            self._prefilled_address = restored.address  # a resumed draft's own pre-fill
        if restored is not None and restored.district_id is not None:
            district = self.district_picker.value
            if isinstance(district, DistrictView) and district.id == restored.district_id:
                self._prefilled_district = district.id
        if event.status is not None:
            self.query_one("#intake-status", RequestStatusPanel).show(event.status, now=now)
        if self._side() != "side-canned":
            self._set_side("side-status" if event.status is not None else "side-card")
        else:
            self._side_before_answers = "side-status" if event.status is not None else "side-card"
        self._set_text("#intake-query-status", self._query_kind_text(card))
        if event.hint is not None:
            self._set_text(
                "#intake-query-error",
                error_text(event.hint.field, event.hint.reason, event.hint.params),
            )
        subscriber = self.card_view.subscriber
        if subscriber is not None:
            self._prefill(subscriber)
        self._check_repeat()
        self._update_offer()
        self.refresh_bindings()
        if event.focus:
            if card.subscribers and len(card.subscribers) > 1:
                self.card_view.focus()
            else:
                self.category_picker.input.focus()
        pending, self._pending_outcome = self._pending_outcome, None
        if pending is not None:
            self._end_call(pending)

    def _query_kind_text(self, card: CallerCard) -> str:
        kinds = {
            QueryKind.PHONE: _("phone"),
            QueryKind.TRACKING_CODE: _("tracking code"),
            QueryKind.NATIONAL_CODE: _("national code"),
            QueryKind.BILL_ID: _("bill ID"),
            QueryKind.SUBSCRIPTION_NO: _("subscription"),
            QueryKind.NAME: _("name"),
        }
        return kinds.get(card.query.kind, "")

    def _card_is_current(self) -> bool:
        return self._card is not None and self._looked_up == self.query_input.value.strip()

    def on_caller_card_view_picked(self, event: CallerCardView.Picked) -> None:
        self._prefill(event.subscriber)
        self._check_repeat()
        self._update_offer()
        self.refresh_bindings()
        self._schedule_draft()
        if event.confirmed:
            self.category_picker.input.focus()

    def _prefill(self, subscriber: intake.SubscriberCard) -> None:
        """Address and district from the picked subscriber, unless the agent typed others."""
        address = self.text_input("address")
        if not address.value.strip() or address.value == self._prefilled_address:
            address.value = subscriber.address
            self._prefilled_address = subscriber.address
        district = self.district_picker.value
        current = district.id if isinstance(district, DistrictView) else None
        if subscriber.district_id and (current is None or current == self._prefilled_district):
            self._pending_district = subscriber.district_id
            self._prefilled_district = subscriber.district_id
            self._apply_pending_district()

    # --- districts -----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="districts", exit_on_error=False)
    def load_districts(self) -> None:
        with session(self._engine, write=False) as s:
            districts = intake.list_districts(s, actor=self._agent)
        self.post_message(self.DistrictsLoaded(districts))

    def on_intake_panel_districts_loaded(self, event: DistrictsLoaded) -> None:
        self._districts = event.districts
        self._apply_pending_district()

    def _district_choice(self, district: DistrictView) -> Choice:
        return Choice(local_name(district.name_fa, district.name_en), district)

    def _apply_pending_district(self) -> None:
        wanted = self._pending_district
        if wanted is None or not self._districts:
            return
        for district in self._districts:
            if district.id == wanted:
                self.district_picker.choose(self._district_choice(district))
                break
        self._pending_district = None

    @on(Picker.Searched, "#intake-district")
    def _district_searched(self, event: Picker.Searched) -> None:
        event.stop()
        if event.typed:
            self._set_text("#error-district", "")
        key = search_key(event.text)
        found = [
            d
            for d in self._districts
            if not key or key in search_key(f"{d.name_fa} {d.name_en} {d.code}")
        ]
        event.picker.show_matches([self._district_choice(d) for d in found])
        if event.typed:
            self._touched(has_text=bool(event.text.strip()))

    @on(Picker.Picked, "#intake-district")
    def _district_picked(self, event: Picker.Picked) -> None:
        event.stop()
        self._schedule_draft()
        self._focus_after("district")

    # --- categories ----------------------------------------------------------------------------

    @on(Picker.Searched, "#intake-category")
    def _category_searched(self, event: Picker.Searched) -> None:
        event.stop()
        if event.typed:
            self._set_text("#error-category", "")
            self._category_changed(None)
            self._touched(has_text=bool(event.text.strip()))
        self.find_categories(event.text)

    @work(thread=True, exclusive=True, group="categories", exit_on_error=False)
    def find_categories(self, text: str) -> None:
        with session(self._engine, write=False) as s:
            if text.strip():
                found = intake.find_categories(s, actor=self._agent, text=text, limit=6)
                recent = False
            else:
                found = intake.recent_categories(s, actor=self._agent, limit=6)
                recent = True
        self.post_message(self.CategoriesFound(text, found, recent))

    def on_intake_panel_categories_found(self, event: CategoriesFound) -> None:
        picker = self.category_picker
        if picker.text != event.text or picker.category is not None:
            return
        picker.show_categories(event.categories, recent=event.recent)

    @on(Picker.Picked, "#intake-category")
    def _category_picked(self, event: Picker.Picked) -> None:
        event.stop()
        category = event.choice.value
        self._category_changed(category)
        self._schedule_draft()
        if self._side() == "side-canned":
            self.find_answers(self.canned.search.value, category.id)
        if not category.needs_request:
            self.text_input("notes").focus()
        else:
            self._focus_after("category")

    def _category_changed(self, category: CategoryView | None) -> None:
        """Mark the fields this category requires; look for a repeat call."""
        required = set(category.required_fields) if category else set()
        for name in ("address", "district", "description", "caller_name"):
            shown = self.query_one(f"#label-{name}", BidiText)
            shown.set_class(name in required, "-required")
            shown.text = label(name) + (" *" if name in required else "")
        self._register_confirmed = False
        self._check_repeat()
        self._update_offer()
        self.refresh_bindings()

    def _focus_after(self, name: str) -> None:
        """Enter on a picked value: the next empty required field, else the next field."""
        order = ["category", "address", "district", "description", "caller_name", "notes"]
        category = self.category_picker.category
        required = set(category.required_fields) if category else set()
        later = order[order.index(name) + 1 :]
        for candidate in later:
            if candidate in required and not self._field_value(candidate):
                self._field_widget(candidate).focus()
                return
        self._field_widget(later[0] if later else "notes").focus()

    def _field_value(self, name: str) -> Any:
        if name == "district":
            return self.district_picker.value
        if name == "category":
            return self.category_picker.category
        return self.text_input(name).value.strip()

    def _field_widget(self, name: str) -> Widget:
        if name == "category":
            return self.category_picker.input
        if name == "district":
            return self.district_picker.input
        return self.text_input(name)

    # --- repeat callers ------------------------------------------------------------------------

    def _caller_keys(self) -> tuple[str | None, uuid.UUID | None]:
        """The caller's phone and picked subscriber, as far as the card knows them."""
        if not self._card_is_current():
            return None, None
        assert self._card is not None
        subscriber = self.card_view.subscriber
        return self._card.phone, subscriber.id if subscriber else None

    def _check_repeat(self) -> None:
        category = self.category_picker.category
        phone, subscriber_id = self._caller_keys()
        key = (phone, subscriber_id, category.id if category else None)
        if key == self._repeat_key:
            return
        self._repeat_key = key
        self._repeat = None
        if category is None or (phone is None and subscriber_id is None):
            self._update_offer()
            return
        self.find_repeat(key)

    @work(thread=True, exclusive=True, group="repeat", exit_on_error=False)
    def find_repeat(self, key: tuple[Any, ...]) -> None:
        phone, subscriber_id, category_id = key
        try:
            with session(self._engine, write=False) as s:
                repeat = intake.find_repeat(
                    s,
                    actor=self._agent,
                    phone=phone,
                    subscriber_id=subscriber_id,
                    category_id=category_id,
                    now=self._clock(),
                )
        except IntakeError:
            repeat = None
        self.post_message(self.RepeatChecked(key, repeat))

    def on_intake_panel_repeat_checked(self, event: RepeatChecked) -> None:
        if event.key != self._repeat_key:
            return
        self._repeat = event.repeat
        self._update_offer()
        self.refresh_bindings()

    def link_target(self) -> LinkTarget | None:
        """The open request Ctrl+K would add this call to: the repeat, the tracked one, or the
        caller's latest open request."""
        repeat = self._repeat
        if repeat is not None and repeat.kind == "open_request" and repeat.ticket_id:
            return LinkTarget(
                repeat.ticket_id, repeat.tracking_code or "", repeat.ticket_status or "", True
            )
        if self._status is not None and self._card_is_current():
            ticket = self._status.ticket
            if ticket.status in OPEN_STATUSES:
                return LinkTarget(ticket.id, ticket.tracking_code, ticket.status, False)
        if self._card_is_current() and self._card is not None and self._card.open_requests:
            requests = self._card.open_requests
            request = requests[self._request_index % len(requests)]
            return LinkTarget(request.id, request.tracking_code, request.status, False)
        return None

    def _request_choice(self) -> bool:
        """Whether ^G chooses among the caller's open requests (no repeat or tracked one wins)."""
        target = self.link_target()
        return (
            target is not None
            and not target.repeat
            and self._status is None
            and self._card is not None
            and len(self._card.open_requests) > 1
        )

    def action_other_request(self) -> None:
        """^G: the next of the caller's open requests becomes the one ^K adds the call to."""
        if not self._request_choice():
            return
        self._request_index += 1
        self._update_offer()

    def _key(self, key_id: str) -> str:
        """How the key bar shows the key of `key_id` now (remaps included)."""
        for active in self.screen.active_bindings.values():
            if active.binding.id == key_id:
                return self.app.get_key_display(active.binding)
        default = next(k for k in keys.KEYS if k.id == key_id)
        return keys.key_display(default.key)

    def _update_offer(self) -> None:
        repeat = self._repeat
        text = ""
        if repeat is not None and repeat.kind == "open_request":
            text = _(
                "This caller already has request {code} ({status}) about this. "
                "{key}: add this call to it instead of a duplicate."
            ).format(
                code=grouped_code(repeat.tracking_code or ""),
                status=status_name(repeat.ticket_status or ""),
                key=isolate(self._key("intake_link_request")),
            )
        elif repeat is not None:
            when = when_text(repeat.at, now=self._clock())
            if repeat.tracking_code:
                text = _(
                    "The caller called about this on {when}: request {code}, {status}."
                ).format(
                    when=when,
                    code=grouped_code(repeat.tracking_code),
                    status=status_name(repeat.ticket_status or ""),
                )
            else:
                text = _("The caller called about this on {when} ({outcome}).").format(
                    when=when, outcome=outcome_name(repeat.call_outcome or "")
                )
        if self._request_choice():
            target = self.link_target()
            assert target is not None and self._card is not None
            total = len(self._card.open_requests)
            choice = _(
                "{key}: add this call to request {code} ({status}), {n} of {total}. "
                "{other}: another open request."
            ).format(
                key=isolate(self._key("intake_link_request")),
                code=grouped_code(target.tracking_code),
                status=status_name(target.status),
                n=lang_digits(str(self._request_index % total + 1)),
                total=lang_digits(str(total)),
                other=isolate(self._key("intake_other_request")),
            )
            text = f"{text}\n{choice}" if text else choice
        self._set_text("#intake-offer", text)

    # --- canned answers ------------------------------------------------------------------------

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
        self.post_message(self.AnswersFound(text, answers))

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

    # --- form fields ---------------------------------------------------------------------------

    @on(Input.Changed, ".intake-row FormInput")
    def _field_changed(self, event: Input.Changed) -> None:
        if event.input.id == "intake-query":
            return
        event.stop()
        name = (event.input.id or "").removeprefix("intake-")
        if name in TEXT_FIELDS:
            self._set_text(f"#error-{name}", "")
            if name == "address":
                self._register_confirmed = False
        self._touched(has_text=bool(event.value.strip()))
        self._update_preview()

    def on_descendant_focus(self) -> None:
        self._update_preview()

    def _update_preview(self) -> None:
        """The focused field in display order, when it holds right-to-left text."""
        focused = self.screen.focused
        text = ""
        if isinstance(focused, FormInput) and focused.value and has_rtl(focused.value):
            text = focused.value
        self._set_text("#intake-preview", text)

    # --- keys ----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "link_incident":
            return self._card_is_current() and bool(self.card_view.incidents)
        if action == "link_request":
            return self.link_target() is not None
        if action == "other_request":
            return self._request_choice()
        return True

    def action_enter(self) -> None:
        """Enter: look up now in the caller field; elsewhere go to the next field."""
        focused = self.screen.focused
        if focused is self.query_input:
            text = self.query_input.value.strip()
            if self._lookup_timer is not None:
                self._lookup_timer.stop()
            if not text:
                self._show_error("query", "empty")
                return
            try:
                intake.parse_caller_query(text)
            except IntakeError as error:
                self._show_error(error.field, error.reason, error.params)
                return
            if text == self._looked_up and self._card is not None:
                subscribers = self._card.subscribers
                (self.card_view if len(subscribers) > 1 else self.category_picker.input).focus()
                return
            self._lookup_now(text, focus=True)
            return
        self.screen.focus_next()

    def action_register(self) -> None:
        """Ctrl+R: register a request (a second press registers beside a repeat's request)."""
        target = self.link_target()
        if target is not None and target.repeat and not self._register_confirmed:
            self._register_confirmed = True
            self._say(
                _(
                    "Request {code} is already open for this. Press {register} again to "
                    "register a new one anyway, or {link} to add this call to it."
                ).format(
                    code=grouped_code(target.tracking_code),
                    register=isolate(self._key("intake_register")),
                    link=isolate(self._key("intake_link_request")),
                ),
                kind="error",
            )
            return
        self._end_call("register")

    # --- the line and the call back ----------------------------------------------------------

    @work(thread=True, exclusive=True, group="line", exit_on_error=False)
    def load_last_line(self) -> None:
        with session(self._engine, write=False) as s:
            channel = intake.last_channel(s, actor=self._agent)
        self.post_message(self.LineLoaded(channel))

    def on_intake_panel_line_loaded(self, event: LineLoaded) -> None:
        if not self._line_chosen and event.channel in LINES:
            self._channel = str(event.channel)
            self._show_line()

    def _show_line(self) -> None:
        """The caller row's badge: the line, and whether the caller wants a call back."""
        text = _("Line {line}").format(line=channel_name(self._channel))
        if self._wants_callback:
            back = _("call back")
            text = f"{text} · {back}"
        self.query_one("#intake-line", BidiText).text = text

    def action_cycle_line(self) -> None:
        """F9: the next line (122, 1523, then the other channels), kept for the next calls."""
        self._channel = LINES[(LINES.index(self._channel) + 1) % len(LINES)]
        self._line_chosen = True
        self._show_line()
        self._schedule_draft()

    def action_toggle_callback(self) -> None:
        """^N: the caller wants a call back when the service is restored (or not, again)."""
        self._wants_callback = not self._wants_callback
        self._show_line()
        self._say(
            _("The caller will be called back.")
            if self._wants_callback
            else _("No call back for this caller."),
            kind="",
        )
        self._schedule_draft()

    def action_answered(self) -> None:
        self._end_call(CallOutcome.ANSWERED)

    def action_transferred(self) -> None:
        self._end_call(CallOutcome.TRANSFERRED)

    def action_dropped(self) -> None:
        self._end_call(CallOutcome.DROPPED)

    def action_link_incident(self) -> None:
        self._end_call(CallOutcome.LINKED_INCIDENT)

    def action_link_request(self) -> None:
        self._end_call(CallOutcome.LINKED_REQUEST)

    # --- ending the call -----------------------------------------------------------------------

    def _end_call(self, outcome: str) -> None:
        """Gather the form and save it with `outcome` in a worker; errors come back by field."""
        if self._saving:
            return
        self._clear_errors()
        text = self.query_input.value.strip()
        phone = None
        if text:
            try:
                query = intake.parse_caller_query(text)
            except IntakeError as error:
                self._show_error(error.field, error.reason, error.params)
                return
            if not self._card_is_current():
                # Typed faster than the lookup: look up first, then save.
                self._pending_outcome = outcome
                if self._lookup_timer is not None:
                    self._lookup_timer.stop()
                self._lookup_now(text, focus=False)
                return
            phone = query.value if query.kind == QueryKind.PHONE else None
        subscriber = self.card_view.subscriber if self._card_is_current() else None
        category = self.category_picker.category
        if category is None and self.category_picker.text.strip():
            self._show_error("category", "required")
            return
        district = self.district_picker.value
        if district is None and self.district_picker.text.strip():
            self._show_error("district", "not_found")
            return
        ended_at = self._clock()
        common: dict[str, Any] = {
            "phone": phone,
            "subscriber_id": subscriber.id if subscriber else None,
            "category_id": category.id if category else None,
            "channel": self._channel,
            "notes": self.text_input("notes").value,
            "started_at": self._started_at or ended_at,
            "ended_at": ended_at,
        }
        if outcome == "register":
            payload = {
                **common,
                "address": self.text_input("address").value,
                "district_id": district.id if isinstance(district, DistrictView) else None,
                "description": self.text_input("description").value,
                "caller_name": self.text_input("caller_name").value,
                "wants_callback": self._wants_callback,
            }
        elif outcome == CallOutcome.LINKED_INCIDENT:
            incidents = self.card_view.incidents if self._card_is_current() else []
            if not incidents:
                return
            payload = {
                **common,
                "incident_id": incidents[0].id,
                "wants_callback": self._wants_callback,
            }
        elif outcome == CallOutcome.LINKED_REQUEST:
            target = self.link_target()
            if target is None:
                return
            payload = {
                **common,
                "ticket_id": target.ticket_id,
                "wants_callback": self._wants_callback,
            }
        elif outcome == CallOutcome.ANSWERED:
            payload = {**common, "outcome": outcome, "wants_callback": self._wants_callback}
        else:
            payload = {**common, "outcome": outcome}
        self._saving = True
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_dirty = True
        self._say(_("Saving…"), kind="")
        self.save_outcome(outcome, payload, self._call_token)

    @work(thread=True, exclusive=False, group="save", exit_on_error=False)
    def save_outcome(self, outcome: str, payload: dict[str, Any], token: int) -> None:
        """In a thread: one transaction for the call (and its request), draft discarded."""
        try:
            with self._draft_lock:
                with session(self._engine) as s:
                    if outcome == "register":
                        result: Any = intake.register_request(s, actor=self._agent, **payload)
                    elif outcome == CallOutcome.LINKED_INCIDENT:
                        result = intake.link_to_incident(s, actor=self._agent, **payload)
                    elif outcome == CallOutcome.LINKED_REQUEST:
                        result = intake.link_to_request(s, actor=self._agent, **payload)
                    else:
                        result = intake.record_contact(s, actor=self._agent, **payload)
                if token == self._call_token:
                    self._call_token = token + 1  # later draft saves of this call are stale
        except IntakeError as error:
            self.post_message(self.Refused(error.field, error.reason, dict(error.params)))
        except AccountError as error:
            self.post_message(self.Refused("permission", error.code))
        else:
            self.post_message(self.Saved(outcome, result))

    def on_intake_panel_saved(self, event: Saved) -> None:
        self._saving = False
        self._draft_dirty = False
        self._draft_saved = False
        result = event.result
        if isinstance(result, RegisteredView):
            code = result.tracking_code
            call = result.call
            ticket = result.ticket
            notes = [_("Read the code back to the caller, group by group.")]
            if ticket.resolution_due_at is not None:
                notes.append(
                    _("Due {when}.").format(
                        when=when_text(ticket.resolution_due_at, now=self._clock())
                    )
                )
            unit = local_name(ticket.unit_name_fa, ticket.unit_name_en)
            title = _("Request registered: {category}").format(
                category=local_name(ticket.category_name_fa, ticket.category_name_en)
            )
            if unit:
                title = f"{title} · {unit}"
            self.clear_form()
            self.query_one("#intake-code", TrackingCodeBanner).show(
                code, title=title, notes=tuple(notes)
            )
            self.query_one("#intake-body", ContentSwitcher).current = "intake-registered"
            self._say(_("Request registered: {code}").format(code=grouped_code(code)))
            self.post_message(CallSaved(call, code))
        else:
            if event.outcome == CallOutcome.LINKED_REQUEST:
                target = self.link_target()
                code = target.tracking_code if target else ""
                message = _("Call saved and added to request {code}.").format(
                    code=grouped_code(code)
                )
            else:
                message = _(SAVED_WORDS[CallOutcome(event.outcome)])
            self.clear_form()
            self._say(message)
            self.post_message(CallSaved(result))
        self.focus_first()

    def on_intake_panel_refused(self, event: Refused) -> None:
        self._saving = False
        if event.field == "permission":
            self._say(_("You do not have permission for this."), kind="error")
        else:
            self._show_error(event.field, event.reason, event.params)
        if self._draft_dirty:
            self._draft_dirty = False
            self._schedule_draft()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR or event.worker.error is None:
            return
        report = getattr(self.app, "report_error", None)
        if report is not None:
            report(event.worker.error)
        if event.worker.group == "save":
            self._saving = False
            self._say(
                _("The call was not saved. Everything typed is kept: try again."), kind="error"
            )
        elif event.worker.group == "lookup":
            self._set_text("#intake-query-status", "")
            self._pending_outcome = None

    def _show_error(self, field: str, reason: str, params: dict[str, Any] | None = None) -> None:
        """A refusal next to its field (the caller row for the caller's fields)."""
        text = error_text(field, reason, params)
        if field in ERROR_FIELDS_ON_CALLER:
            self._set_text("#intake-query-error", text)
            self.query_input.focus()
        elif field in ("category", "address", "district", "description", "caller_name", "notes"):
            self._set_text(f"#error-{field}", text)
            self._show_work()
            self._field_widget(field).focus()
        else:
            self._say(f"{field_name(field)}: {text}", kind="error")
            return
        self._say("", kind="")

    def _clear_errors(self) -> None:
        self._set_text("#intake-query-error", "")
        for widget in self.query(".intake-error"):
            if isinstance(widget, BidiText):
                widget.text = ""
                widget.display = False

    def clear_form(self) -> None:
        """Start the next call: every field empty, the clock stopped, the card gone."""
        if self._lookup_timer is not None:
            self._lookup_timer.stop()
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._pending_outcome = None
        self._pending_subscriber = None
        self._pending_district = None
        self._register_confirmed = False
        self._repeat = None
        self._repeat_key = ()
        self._wants_callback = False  # the line stays: the next call likely comes on it too
        self._show_line()
        self._prefilled_address = ""
        self._prefilled_district = None
        self.query_input.value = ""
        for name in TEXT_FIELDS:
            self.text_input(name).value = ""
        self.category_picker.clear()
        self.district_picker.clear()
        self._category_changed(None)
        self._forget_caller()
        self._clear_errors()
        self._set_text("#intake-preview", "")
        if self._side() == "side-canned":
            self._set_side("side-idle")
        self._started_at = None
        self.refresh_bindings()


def _looks_like_a_code(card: CallerCard) -> bool:
    """Twelve digits that found nobody: probably a tracking code with a misheard digit."""
    digits = [value for kind, value in card.query.readings if kind == QueryKind.SUBSCRIPTION_NO]
    return (
        not card.subscribers
        and card.phone is None
        and card.tracked_ticket_id is None
        and any(len(value) == CODE_LENGTH for value in digits)
    )


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


class DraftOfferScreen(ModalScreen[bool]):
    """After sign-in: a call was left half-typed (a crash, a closed terminal). Resume it?

    Dismissed with True to resume (every field comes back), False to discard it.
    """

    DEFAULT_CSS = """
    DraftOfferScreen {
        align: center middle;
        #draft-offer {
            width: 60;
            height: auto;
            padding: 1 2;
            border: round $warning;
            border-title-style: bold;
            background: $surface;
            &:ansi {
                border: solid ansi_yellow;
            }
        }
        &.-rtl #draft-offer {
            border-title-align: right;
        }
        .draft-offer--detail {
            color: $text-muted;
        }
        .draft-offer--hint {
            margin-top: 1;
            text-style: bold;
        }
    }
    """

    def __init__(self, draft: DraftView) -> None:
        super().__init__(classes="-rtl" if layout_rtl() else None)
        keys.install(self, "draft")
        self.draft = draft

    def compose(self) -> ComposeResult:
        fields = self.draft.fields
        with Vertical(id="draft-offer") as box:
            box.border_title = Content(
                display(_("Unfinished call"), base_rtl=True if layout_rtl() else None)
            )
            yield BidiText(
                _("A call you were taking at {when} was not finished. Resume it?").format(
                    when=when_text(self.draft.updated_at)
                )
            )
            details = [
                str(fields.get(name) or "").strip()
                for name in ("query", "category_text", "address", "notes")
            ]
            for detail in filter(None, details):
                yield BidiText(
                    lang_digits(detail) if detail.isdigit() else detail,
                    classes="draft-offer--detail",
                )
            yield BidiText("", classes="draft-offer--hint")
        yield KeyBar()

    def on_mount(self) -> None:
        shown = {}
        for active in self.active_bindings.values():
            if active.binding.id in ("draft_resume", "draft_discard"):
                shown.setdefault(active.binding.id, self.app.get_key_display(active.binding))
        self.query_one(".draft-offer--hint", BidiText).text = _(
            "{resume}: resume it · {discard}: discard it"
        ).format(
            resume=isolate(shown.get("draft_resume", "Enter")),
            discard=isolate(shown.get("draft_discard", "^D")),
        )

    def action_resume(self) -> None:
        self.dismiss(True)

    def action_discard(self) -> None:
        self.dismiss(False)
