"""Repeat callers: the open request a call can be added to instead of a duplicate (^K, ^G)."""

import uuid
from dataclasses import dataclass
from typing import Any

from textual import work

from console.i18n import _, lang_digits
from console.i18n.intake_words import grouped_code, isolate, outcome_name, status_name, when_text
from console.screens.intake.base import IntakeBase
from console.screens.intake.results import RepeatChecked
from db import intake
from db.engine import session
from db.intake import IntakeError
from db.models import OPEN_STATUSES


@dataclass(frozen=True)
class LinkTarget:
    """The open request a repeat call would be added to, and why it is offered."""

    ticket_id: uuid.UUID
    tracking_code: str
    status: str
    repeat: bool


class RepeatOffer(IntakeBase):
    """Finds a repeat call, offers its open request, and enables the link keys."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "link_incident":
            return self._card_is_current() and bool(self.card_view.incidents)
        if action == "link_request":
            return self.link_target() is not None
        if action == "other_request":
            return self._request_choice()
        return True

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
        self.post_message(RepeatChecked(key, repeat))

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
