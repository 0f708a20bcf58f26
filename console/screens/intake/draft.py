"""The call's clock and its draft: every change is kept a moment later.

A crash, a closed terminal or a dropped SSH session loses nothing: after the next sign-in the
agent is offered (`DraftOfferScreen`) to resume the half-typed call.
"""

import uuid
from datetime import datetime
from typing import Any

from textual import work
from textual.widgets import ContentSwitcher

from console.i18n import _
from console.screens.intake.base import IntakeBase
from console.screens.intake.draft_offer import DraftOfferScreen
from console.screens.intake.form import TEXT_FIELDS
from console.screens.intake.line import LINES
from console.screens.intake.results import DraftLoaded
from db import intake
from db.engine import session
from db.intake import DistrictView

DRAFT_DELAY = 0.5
"""Seconds after the last change before the draft is saved."""
DRAFT_VERSION = 1


class CallDraft(IntakeBase):
    """Starts the call's clock at the first change, saves and restores the draft."""

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
        self.post_message(DraftLoaded(draft))

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


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None
