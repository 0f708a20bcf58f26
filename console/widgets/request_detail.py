"""A request's detail as lines of text: the header, the fields, the clocks and the timeline.

The request screen shows each part in a `DetailBlock` (a `LineBlock`: wrapped, reordered and
mirrored for Persian). The builders are plain functions of a `db.followup.RequestDetail`, so
what an agent reads can be checked without a screen.
"""

from datetime import datetime
from typing import ClassVar

from rich.cells import cell_len

from console.i18n import N_, _, lang_digits, ngettext
from console.i18n.intake_words import grouped_code, isolate, local_name, status_name, when_text
from console.i18n.queue_words import arrow, clock_line, event_name, short_status
from console.i18n.rtl import has_rtl
from console.widgets.bidi import layout_rtl
from console.widgets.lines import Line, LineBlock
from db.accounts import AgentView
from db.followup import RequestDetail, RequestView, TimelineEventView

__all__ = [
    "DetailBlock",
    "clock_lines",
    "event_line",
    "field_lines",
    "head_lines",
    "timeline_lines",
    "unit_of",
]

ELLIPSIS = "…"

CALLBACK_STATUS: dict[str, str] = {
    "due": N_("to be made"),
    "done": N_("made"),
    "sms_sent": N_("result sent by SMS"),
    "cancelled": N_("cancelled"),
}

CLOCK_STYLES = {"overdue": "detail--overdue", "warning": "detail--warning"}


class DetailBlock(LineBlock):
    """Lines set by `show`; with `clip_rows`, a line wraps onto at most that many rows."""

    DEFAULT_CSS = """
    DetailBlock {
        height: auto;
        .detail--title {
            text-style: bold;
        }
        .detail--status {
            color: $text-accent;
            text-style: bold;
        }
        .detail--muted {
            color: $text-muted;
        }
        .detail--warning {
            color: $text-warning;
            text-style: bold;
        }
        .detail--overdue {
            color: $text-error;
            text-style: bold reverse;
        }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "detail--title",
        "detail--status",
        "detail--muted",
        "detail--warning",
        "detail--overdue",
    }

    def __init__(self, *, id: str | None = None, clip_rows: int | None = None) -> None:
        super().__init__(id=id)
        self.clip_rows = clip_rows
        self._lines: list[Line] = []

    def show(self, lines: list[Line]) -> None:
        self._lines = lines
        self.refresh(layout=True)

    def lines(self) -> list[Line]:
        return self._lines

    def rows(self, width: int) -> list[tuple[str, Line]]:
        rows = super().rows(width)
        if self.clip_rows is None:
            return rows
        kept: list[tuple[str, Line]] = []
        current, count = None, 0
        for text, line in rows:
            if line is not current:
                current, count = line, 0
            count += 1
            if count <= self.clip_rows:
                kept.append((text, line))
            elif count == self.clip_rows + 1:
                room = max(1, width - 2 * line.indent)
                kept[-1] = (_ellipsis(kept[-1][0], room, line), line)
        return kept


def _ellipsis(visual: str, width: int, line: Line) -> str:
    """Mark a clipped row: `…` where the text goes on (the left, in a right-to-left line)."""
    rtl = layout_rtl() or has_rtl(line.text)
    while visual and cell_len(visual) > width - 1:
        visual = visual[1:] if rtl else visual[:-1]
    return ELLIPSIS + visual if rtl else visual + ELLIPSIS


def unit_of(view: RequestView) -> str:
    return local_name(view.unit_name_fa, view.unit_name_en)


def head_lines(detail: RequestDetail, agent: AgentView, now: datetime) -> list[Line]:
    """The code and category; the status, complaint, escalation level, holder and age."""
    view = detail.request
    title = [
        _("Request {code}").format(code=grouped_code(view.tracking_code)),
        local_name(view.category_name_fa, view.category_name_en),
    ]
    if view.emergency:
        title.append(_("emergency"))
    status = [status_name(view.status)]
    if view.kind == "complaint":
        status.append(_("Complaint"))
    if view.escalation_level:
        status.append(_("Escalated: level {n}").format(n=lang_digits(str(view.escalation_level))))
    if view.claim_active and view.claimed_until is not None:
        until = when_text(view.claimed_until, now=now)
        if view.claimed_by_id == agent.id:
            status.append(_("You hold it until {time}").format(time=until))
        else:
            status.append(
                _("{name} holds it until {time}").format(name=view.claimed_by_name, time=until)
            )
    status.append(_("Registered {when}").format(when=when_text(view.opened_at, now=now)))
    return [Line(" · ".join(title), "detail--title"), Line(" · ".join(status), "detail--status")]


def _labelled(label: str, value: str) -> str:
    return f"{label}: {value or '-'}"


def field_lines(detail: RequestDetail, now: datetime) -> list[Line]:
    """Caller, address, unit and calls, description, links and the feedback call."""
    view = detail.request
    phone = isolate(lang_digits(view.phone)) if view.phone else ""
    district = local_name(view.district_name_fa, view.district_name_en)
    calls = ngettext("{n} call", "{n} calls", detail.contacts).format(
        n=lang_digits(str(detail.contacts))
    )
    unit = unit_of(view) or _("not referred yet")
    lines = [
        Line(_labelled(_("Caller"), " · ".join(p for p in (view.caller_name, phone) if p))),
        Line(_labelled(_("Address"), " · ".join(p for p in (view.address, district) if p))),
        Line(_labelled(_("Unit"), f"{unit} · {calls}")),
    ]
    if view.description:
        lines.append(Line(_labelled(_("Description"), view.description)))
    links = []
    if detail.parent is not None:
        links.append(_("child of {code}").format(code=grouped_code(detail.parent.tracking_code)))
    if detail.children_count:
        n = detail.children_count
        links.append(
            ngettext("{n} child request", "{n} child requests", n).format(n=lang_digits(str(n)))
        )
    if detail.duplicate_of is not None:
        code = grouped_code(detail.duplicate_of.tracking_code)
        links.append(_("duplicate of {code}").format(code=code))
    if detail.duplicates:
        n = len(detail.duplicates)
        links.append(
            ngettext("{n} duplicate merged in", "{n} duplicates merged in", n).format(
                n=lang_digits(str(n))
            )
        )
    if links:
        lines.append(Line(_labelled(_("Links"), " · ".join(links))))
    if detail.callbacks:
        callback = detail.callbacks[-1]
        status = CALLBACK_STATUS.get(callback.status)
        parts = [_(status) if status else callback.status]
        if callback.status == "due":
            parts.append(_("due {when}").format(when=when_text(callback.due_at, now=now)))
        parts.append(isolate(lang_digits(callback.phone)))
        lines.append(Line(_labelled(_("Feedback call"), " · ".join(parts))))
    return lines


def clock_lines(detail: RequestDetail, now: datetime) -> list[Line]:
    """The citizen's clock and the unit's, coloured when late or nearly late."""
    view = detail.request
    lines = []
    for name, clock in (("citizen", view.citizen_clock), ("unit", view.unit_clock)):
        style = "detail--muted" if clock is None or not clock.running else ""
        if clock is not None and clock.running:
            style = CLOCK_STYLES.get(clock.state, "")
        lines.append(Line(clock_line(name, clock, now=now), style))
    return lines


def _event_detail(event: TimelineEventView, now: datetime) -> list[str]:
    """What a step's data adds: the level, the other request, the promised time."""
    data = event.data
    parts = []
    if event.action == "escalated" and data.get("level"):
        parts.append(_("level {n}").format(n=lang_digits(str(data["level"]))))
        if data.get("auto"):
            parts.append(_("automatic"))
    elif event.action == "cancelled":
        if data.get("reason") == "duplicate" and data.get("duplicate_of"):
            parts.append(_("duplicate of {code}").format(code=grouped_code(data["duplicate_of"])))
        elif data.get("reason") == "invalid":
            parts.append(_("invalid"))
    elif event.action == "linked" and data.get("parent_code"):
        parts.append(_("child of {code}").format(code=grouped_code(data["parent_code"])))
    elif event.action == "closed" and data.get("via") == "parent" and data.get("parent_code"):
        parts.append(_("with its parent {code}").format(code=grouped_code(data["parent_code"])))
    elif event.action == "duplicate_merged" and data.get("duplicate_code"):
        parts.append(grouped_code(data["duplicate_code"]))
    elif event.action == "unit_called" and data.get("promised_at"):
        promised = datetime.fromisoformat(data["promised_at"])
        parts.append(_("promised by {when}").format(when=when_text(promised, now=now)))
    elif event.action == "accepted" and data.get("callback_id"):
        parts.append(_("feedback call queued"))
    return parts


def event_line(event: TimelineEventView, now: datetime) -> str:
    """`14:05 · Referred to the unit · New → Referred · Water operations 1 · Mina Rastegar`."""
    parts = [when_text(event.at, now=now), event_name(event.action, event.to_status)]
    if event.from_status and event.to_status and event.from_status != event.to_status:
        parts.append(arrow(short_status(event.from_status), short_status(event.to_status)))
    unit = local_name(event.unit_name_fa, event.unit_name_en)
    if unit:
        parts.append(unit)
    parts += _event_detail(event, now)
    parts.append(event.actor_name or _("the system"))
    return " · ".join(parts)


def timeline_lines(detail: RequestDetail, now: datetime) -> list[Line]:
    """Every step, oldest first, each with its note under it."""
    lines = []
    for event in detail.events:
        lines.append(Line(event_line(event, now)))
        if event.note:
            lines.append(Line(event.note, "detail--muted", indent=2))
    return lines
