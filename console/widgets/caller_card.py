"""The caller card: who is calling, what is going on at their address, and what they asked before.

Fed a `db.intake.CallerCard` (plain data from a worker), it shows, top to bottom:

1. an active incident covering the picked subscriber's address, as a banner with its expected
   restoration time and the public message to read out: the first thing the agent must see,
   because during a main break hundreds of callers ask the same question;
2. the matching subscribers (the highlighted one is picked for the call: Up/Down or 1-9 choose,
   Enter confirms), with the address, district and phones of the picked one;
3. the open requests of this number or account, with status and time left on their clock;
4. the last contacts.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from textual import events
from textual.binding import Binding
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive

from console import keys
from console.i18n import _, lang_digits, ngettext
from console.i18n.intake_words import (
    grouped_code,
    incident_kind_name,
    isolate,
    local_name,
    outcome_name,
    status_name,
    time_left_text,
    when_text,
)
from console.widgets.bidi import layout_rtl
from console.widgets.lines import Line, LineBlock
from db.intake import CallerCard, IncidentCard, SubscriberCard
from db.text import to_ascii_digits

__all__ = ["MAX_CONTACTS", "CallerCardView"]

MAX_CONTACTS = 3
"""Last contacts shown: enough to spot a repeat caller, few enough for 80x24."""


class CallerCardView(LineBlock, can_focus=True):
    """The card of the caller being served; focusable to pick among several subscribers."""

    DEFAULT_CSS = """
    CallerCardView {
        height: auto;
        padding: 0 1;
        .caller-card--banner {
            background: $warning;
            color: $background;
            text-style: bold;
        }
        .caller-card--banner-text {
            background: $warning;
            color: $background;
        }
        .caller-card--heading {
            color: $text-accent;
            text-style: bold;
        }
        .caller-card--selected {
            text-style: bold;
        }
        .caller-card--muted {
            color: $text-muted;
        }
        .caller-card--overdue {
            color: $text-error;
            text-style: bold;
        }
        &:focus .caller-card--selected {
            background: $accent 40%;
        }
        &:ansi {
            .caller-card--banner, .caller-card--banner-text {
                background: ansi_yellow;
                color: ansi_black;
            }
            &:focus .caller-card--selected {
                text-style: bold reverse;
            }
        }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "caller-card--banner",
        "caller-card--banner-text",
        "caller-card--heading",
        "caller-card--selected",
        "caller-card--muted",
        "caller-card--overdue",
    }

    BINDINGS: ClassVar[list[Binding]] = []  # from console.keys, scope "card"

    selected: reactive[int] = reactive(0)
    """Index of the highlighted (picked) subscriber."""

    @dataclass
    class Picked(Message):
        """A subscriber was highlighted (`confirmed` when picked with Enter or a digit).

        Handled by the intake panel as `on_caller_card_view_picked`: it pre-fills the address.
        """

        subscriber: SubscriberCard
        confirmed: bool

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        keys.install(self, "card")
        self.card: CallerCard | None = None
        self.now: datetime | None = None
        self.can_focus = False

    # --- data --------------------------------------------------------------------------------

    def show(
        self, card: CallerCard | None, *, now: datetime, picked: uuid.UUID | None = None
    ) -> None:
        """Show a new card; `picked` keeps a subscriber picked (a resumed draft)."""
        self.card = card
        self.now = now
        index = 0
        if card is not None and picked is not None:
            ids = [s.id for s in card.subscribers]
            index = ids.index(picked) if picked in ids else 0
        self.can_focus = card is not None
        self.set_reactive(CallerCardView.selected, index)
        self.refresh(layout=True)
        self.refresh_bindings()

    @property
    def subscriber(self) -> SubscriberCard | None:
        """The picked subscriber, if the card has any."""
        if self.card is None or not self.card.subscribers:
            return None
        return self.card.subscribers[min(self.selected, len(self.card.subscribers) - 1)]

    @property
    def incidents(self) -> list[IncidentCard]:
        """Active incidents at the picked subscriber's address (all of the card's, if none)."""
        if self.card is None:
            return []
        picked = self.subscriber
        if picked is None:
            return list(self.card.incidents)
        return [i for i in self.card.incidents if picked.id in i.subscriber_ids]

    # --- keys --------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("pick", "move"):
            return self.card is not None and len(self.card.subscribers) > 0
        return True

    def action_move(self, step: int) -> None:
        """Up/Down: highlight another subscriber, or scroll when there is only one."""
        count = len(self.card.subscribers) if self.card else 0
        if count > 1:
            self._select((self.selected + step) % count, confirmed=False)
        elif self.parent is not None:
            self.parent.scroll_relative(y=step, animate=False)

    def action_pick(self) -> None:
        """Enter: take the highlighted subscriber for the call."""
        self._select(self.selected, confirmed=True)

    def on_key(self, event: events.Key) -> None:
        # Digits in any script: a Persian keyboard's top row types ۱ ۲ ۳.
        character = to_ascii_digits(event.character or "")
        if self.card is None or not (len(character) == 1 and character in "123456789"):
            return
        index = int(character) - 1
        if index < len(self.card.subscribers):
            event.stop()
            event.prevent_default()
            self._select(index, confirmed=True)

    def _select(self, index: int, *, confirmed: bool) -> None:
        self.selected = index
        picked = self.subscriber
        if picked is not None:
            self.post_message(self.Picked(picked, confirmed))

    def watch_selected(self) -> None:
        self.refresh(layout=True)
        if self.card is not None and self.card.subscribers and self.parent is not None:
            row = self.row_of(self._subscriber_line)
            region = Region(0, self.virtual_region.y + row, self.size.width, 3)
            self.parent.scroll_to_region(region, animate=False, immediate=True)

    # --- what it shows -----------------------------------------------------------------------

    _subscriber_line = 0

    def lines(self) -> list[Line]:
        card = self.card
        if card is None:
            return []
        out: list[Line] = []
        for incident in self.incidents:
            out += self._banner(incident)
            out.append(Line(""))
        out += self._subscribers(card)
        if card.open_requests:
            out.append(Line(""))
            count = len(card.open_requests)
            out.append(
                Line(
                    ngettext("{n} open request", "{n} open requests", count).format(
                        n=lang_digits(str(count))
                    ),
                    "caller-card--heading",
                )
            )
            for request in card.open_requests:
                left = time_left_text(request.resolution_minutes_left, paused=request.clock_paused)
                out.append(
                    Line(f"{grouped_code(request.tracking_code)}  {status_name(request.status)}")
                )
                name = local_name(request.category_name_fa, request.category_name_en)
                out.append(
                    Line(
                        f"{name} · {left}" if left else name,
                        "caller-card--overdue" if request.overdue else "caller-card--muted",
                        indent=1,
                    )
                )
        if card.recent_contacts:
            out.append(Line(""))
            out.append(Line(_("Last calls"), "caller-card--heading"))
            for contact in card.recent_contacts[:MAX_CONTACTS]:
                name = local_name(contact.category_name_fa, contact.category_name_en)
                when = when_text(contact.started_at, now=self.now, date_only=True)
                parts = [when, outcome_name(contact.outcome)]
                if name:
                    parts.append(name)
                out.append(Line(" · ".join(parts), "caller-card--muted"))
        return out

    def _banner(self, incident: IncidentCard) -> list[Line]:
        kind = incident_kind_name(incident.kind)
        if incident.expected_restoration_at is not None:
            head = _("Active incident: {kind} · back by {when}").format(
                kind=kind, when=when_text(incident.expected_restoration_at, now=self.now)
            )
        else:
            head = _("Active incident: {kind} · no restoration time yet").format(kind=kind)
        # The public message is what the agent reads out; the title only when there is none.
        words = incident.public_message or incident.title
        return [
            Line(head, "caller-card--banner", fill=True),
            Line(words, "caller-card--banner-text", fill=True),
        ]

    def _subscribers(self, card: CallerCard) -> list[Line]:
        out: list[Line] = []
        if not card.subscribers:
            self._subscriber_line = 0
            if card.phone:
                out.append(Line(_("No subscriber has this number."), "caller-card--heading"))
                out.append(Line(isolate(lang_digits(card.phone)), "caller-card--muted"))
            else:
                out.append(Line(_("No subscriber found."), "caller-card--heading"))
            return out
        count = len(card.subscribers)
        if count > 1:
            heading = ngettext(
                "{n} subscriber: pick with Up/Down or 1-9",
                "{n} subscribers: pick with Up/Down or 1-9",
                count,
            ).format(n=lang_digits(str(count)))
            out.append(Line(heading, "caller-card--heading"))
        for index, subscriber in enumerate(card.subscribers):
            chosen = index == self.selected
            mark = ("◂" if layout_rtl() else "▸") if chosen and count > 1 else " "
            number = f"{mark}{lang_digits(str(index + 1))} " if count > 1 else ""
            name = subscriber.name
            if not subscriber.active:
                name = _("{name} (inactive)").format(name=name)
            if chosen:
                self._subscriber_line = len(out)
            code = isolate(lang_digits(subscriber.subscription_no))
            out.append(
                Line(
                    f"{number}{name} · {code}",
                    "caller-card--selected" if chosen else "",
                )
            )
            if chosen:
                out += self._details(subscriber, indent=1 if count > 1 else 0)
        if card.more_subscribers:
            out.append(Line(_("More matches: type more of the name."), "caller-card--muted"))
        return out

    def _details(self, subscriber: SubscriberCard, *, indent: int) -> list[Line]:
        out = []
        if subscriber.address:
            out.append(Line(subscriber.address, indent=indent))
        district = local_name(subscriber.district_name_fa, subscriber.district_name_en)
        phones = [isolate(lang_digits(p)) for p in subscriber.phones[:3]]
        if district or phones:
            parts = [district] if district else []
            out.append(Line(" · ".join(parts + phones), "caller-card--muted", indent=indent))
        return out
