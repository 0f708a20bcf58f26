"""The answer to "what happened to my request?": status, clock, history, and what to say.

Fed a `db.intake.RequestStatusView` found by tracking code. The sentence to read out to the caller
comes first after the request's name and status, in plain words for its `what_to_tell` key; the
history follows, oldest first, with who did what and the unit's notes.
"""

from datetime import datetime
from typing import ClassVar

from console.i18n import _, lang_digits, ngettext
from console.i18n.intake_words import (
    action_name,
    grouped_code,
    local_name,
    status_name,
    tell_text,
    time_left_text,
    when_text,
)
from console.widgets.lines import Line, LineBlock
from db.intake import RequestStatusView

__all__ = ["RequestStatusPanel"]


class RequestStatusPanel(LineBlock):
    """A request's status as told to a caller asking about it."""

    DEFAULT_CSS = """
    RequestStatusPanel {
        height: auto;
        padding: 0 1;
        .request-status--heading {
            color: $text-accent;
            text-style: bold;
        }
        .request-status--tell {
            background: $success 30%;
            text-style: bold;
        }
        .request-status--muted {
            color: $text-muted;
        }
        .request-status--overdue {
            color: $text-error;
            text-style: bold;
        }
        &:ansi .request-status--tell {
            background: ansi_green;
            color: ansi_black;
        }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "request-status--heading",
        "request-status--tell",
        "request-status--muted",
        "request-status--overdue",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view: RequestStatusView | None = None
        self.now: datetime | None = None

    def show(self, view: RequestStatusView | None, *, now: datetime) -> None:
        self.view = view
        self.now = now
        self.refresh(layout=True)

    def lines(self) -> list[Line]:
        view = self.view
        if view is None:
            return []
        ticket = view.ticket
        unit = local_name(ticket.unit_name_fa, ticket.unit_name_en)
        category = local_name(ticket.category_name_fa, ticket.category_name_en)
        out = [
            Line(
                _("Request {code}").format(code=grouped_code(ticket.tracking_code)),
                "request-status--heading",
            ),
            Line(f"{category} · {status_name(ticket.status)}"),
        ]
        district = local_name(view.district_name_fa, view.district_name_en)
        if unit or district:
            out.append(Line(" · ".join(p for p in (unit, district) if p), "request-status--muted"))
        out.append(
            Line(
                _("Registered {when}").format(when=when_text(ticket.opened_at, now=self.now)),
                "request-status--muted",
            )
        )
        left = time_left_text(view.resolution_minutes_left, paused=view.clock_paused)
        if left and ticket.resolution_due_at is not None:
            due = when_text(ticket.resolution_due_at, now=self.now)
            out.append(
                Line(
                    _("Due {when} ({left})").format(when=due, left=left),
                    "request-status--overdue" if view.overdue else "",
                )
            )
        out.append(Line(""))
        out.append(Line(_("Tell the caller:"), "request-status--heading"))
        tell = tell_text(view.what_to_tell, unit=unit, status=ticket.status)
        out.append(Line(tell, "request-status--tell", fill=True))
        out.append(Line(""))
        out.append(Line(_("History"), "request-status--heading"))
        for event in view.events:
            event_unit = local_name(event.unit_name_fa, event.unit_name_en)
            what = action_name(event.action, event.to_status)
            parts = [when_text(event.at, now=self.now), what]
            if event_unit and event.action in ("referred", "registered"):
                parts.append(event_unit)
            out.append(Line(" · ".join(parts)))
            if event.note:
                out.append(Line(event.note, "request-status--muted", indent=1))
        if view.contacts > 1:
            out.append(Line(""))
            out.append(
                Line(
                    ngettext(
                        "The caller has called {n} time about it.",
                        "The caller has called {n} times about it.",
                        view.contacts,
                    ).format(n=lang_digits(str(view.contacts))),
                    "request-status--muted",
                )
            )
        return out
