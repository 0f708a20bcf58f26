"""What every part of the intake panel shares: the call's state, the widgets, the message line.

`IntakePanel` is composed of parts (the caller, the form, the repeat offer, the ready answers, the
line, the draft, the end of the call), each a subclass of `IntakeBase` in its own module. They
are Widget subclasses, not plain mixins, because Textual collects `@on` handlers only on classes
its metaclass builds.
"""

import threading
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine
from textual.containers import Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import ContentSwitcher

from console import keys
from console.i18n import _
from console.i18n.intake_words import ERROR_FIELDS_ON_CALLER, error_text, field_name
from console.i18n.rtl import display
from console.widgets.bidi import BidiText, layout_rtl
from console.widgets.caller_card import CallerCardView
from console.widgets.canned_answers import CannedAnswers
from console.widgets.category_picker import CategoryPicker
from console.widgets.fields import FormInput
from console.widgets.picker import Picker
from db.accounts import AgentView
from db.intake import CallerCard, CategoryView, DistrictView, RepeatView, RequestStatusView
from db.models import Channel

if TYPE_CHECKING:
    from textual.worker import Worker

    from console.screens.intake.repeat import LinkTarget


class IntakeBase(Vertical):
    """The state of the call being taken and the helpers every part of the panel uses."""

    if TYPE_CHECKING:
        # What the parts ask of each other. Each is defined once, in the part named; only the
        # composed `IntakePanel` has them all.

        def _touched(self, *, has_text: bool) -> None: ...  # draft
        def _schedule_draft(self) -> None: ...  # draft
        def _lookup_now(self, text: str, *, focus: bool) -> None: ...  # caller
        def _forget_caller(self) -> None: ...  # caller
        def load_category(self, category_id: uuid.UUID) -> Worker[None]: ...  # form
        def _apply_pending_district(self) -> None: ...  # form
        def _category_changed(self, category: CategoryView | None) -> None: ...  # form
        def _check_repeat(self) -> None: ...  # repeat
        def _update_offer(self) -> None: ...  # repeat
        def link_target(self) -> LinkTarget | None: ...  # repeat
        def find_answers(  # answers
            self, text: str, category_id: uuid.UUID | None
        ) -> Worker[None]: ...
        def _show_line(self) -> None: ...  # line
        def _end_call(self, outcome: str) -> None: ...  # ending

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

    def _card_is_current(self) -> bool:
        return self._card is not None and self._looked_up == self.query_input.value.strip()

    def _key(self, key_id: str) -> str:
        """How the key bar shows the key of `key_id` now (remaps included)."""
        for active in self.screen.active_bindings.values():
            if active.binding.id == key_id:
                return self.app.get_key_display(active.binding)
        default = next(k for k in keys.KEYS if k.id == key_id)
        return keys.key_display(default.key)

    def _field_widget(self, name: str) -> Widget:
        if name == "category":
            return self.category_picker.input
        if name == "district":
            return self.district_picker.input
        return self.text_input(name)

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
