"""The caller row: what the caller gives, looked up a moment after typing stops or at Enter.

The answer fills the caller card (and the request's status for a tracking code) in the side
column, and pre-fills the address and district from the picked subscriber.
"""

from textual import on, work
from textual.widgets import Input

from console.i18n import _
from console.i18n.intake_words import error_text
from console.screens.intake.base import IntakeBase
from console.screens.intake.results import LookedUp
from console.widgets.caller_card import CallerCardView
from console.widgets.request_status import RequestStatusPanel
from db import intake
from db.engine import session
from db.intake import CallerCard, DistrictView, IntakeError, QueryKind
from db.tracking import CODE_LENGTH

LOOKUP_DELAY = 0.3
"""Seconds after the last key in the caller field before the card is looked up."""


class CallerLookup(IntakeBase):
    """The caller field, its lookup worker and the caller card it fills."""

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
            self.post_message(LookedUp(text, None, None, error, focus))
            return
        self.post_message(LookedUp(text, card, status, None, focus, hint))

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


def _looks_like_a_code(card: CallerCard) -> bool:
    """Twelve digits that found nobody: probably a tracking code with a misheard digit."""
    digits = [value for kind, value in card.query.readings if kind == QueryKind.SUBSCRIPTION_NO]
    return (
        not card.subscribers
        and card.phone is None
        and card.tracked_ticket_id is None
        and any(len(value) == CODE_LENGTH for value in digits)
    )
