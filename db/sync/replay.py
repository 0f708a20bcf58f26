"""A request's state recomputed from its event history, for requests changed on both sides.

The rule: the merged history (every event of both sides, none dropped) is read in time order,
``(at, id)``; each step is applied with the lifecycle table of :mod:`db.followup.states`, as
:func:`db.followup.transition` would have applied it, starting from "registered". A step the
table refuses in the merged order (the unit started work on a request the province had
already cancelled; the same escalation made by both sides' SLA tick) is skipped: it stays in
the history and is listed in the conflict event, but changes nothing. Log-only events change
nothing. A request closed together with its parent is closed from any open status. A step of
an action the table does not know follows its own recorded move when it starts from the
current status.

What the history decides: status, unit, escalation level, parent and duplicate links, the
referred / responded / resolved / closed / paused times and the paused seconds, and the claim
(dropped when the request ends). Everything else (description, address, due times) comes from
the newer of the two rows. A request once a complaint stays a complaint.
"""

import hashlib
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from db.followup.states import (
    _BEFORE_ANSWER,
    LOG_ONLY_ACTIONS,
    PREVIOUS,
    REFERRED_OR_REGISTERED,
    SAME,
    TRANSITIONS,
    Action,
)
from db.models import OPEN_STATUSES, TicketKind, TicketStatus
from db.text import to_persian_digits

_S = TicketStatus

CONFLICT_ACTION = "sync_conflict"

#: The conflict event's note, in the desk's language (like db/feedback/texts.py).
CONFLICT_NOTE = (
    "این درخواست هم در مرکز و هم در استان تغییر کرد. هر دو سابقه نگه داشته شد و وضعیت از روی "
    "ترتیب زمانی گام‌ها دوباره حساب شد."
)
CONFLICT_NOTE_SKIPPED = " گام‌هایی که در این ترتیب ممکن نبود اجرا نشد: {count}"

_ACTIONS = frozenset(a.value for a in Action)
_OPEN = frozenset(s.value for s in OPEN_STATUSES)


@dataclass
class Replayed:
    """A request's state after its history; ``skipped`` lists the refused steps."""

    status: str = _S.REGISTERED
    unit_id: uuid.UUID | None = None
    escalation_level: int = 0
    parent_id: uuid.UUID | None = None
    duplicate_of_id: uuid.UUID | None = None
    referred_at: datetime | None = None
    responded_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    paused_at: datetime | None = None
    paused_seconds: int = 0
    reopened: bool = False
    skipped: list[dict[str, Any]] = field(default_factory=list)
    # Fields the history cannot tell (a request closed with its parent takes the parent's
    # resolution time): left to the row.
    unknown: set[str] = field(default_factory=set)

    def fields(self) -> dict[str, Any]:
        """The ticket columns the history decides."""
        values = {
            "status": self.status,
            "unit_id": self.unit_id,
            "escalation_level": self.escalation_level,
            "parent_id": self.parent_id,
            "duplicate_of_id": self.duplicate_of_id,
            "referred_at": self.referred_at,
            "responded_at": self.responded_at,
            "resolved_at": self.resolved_at,
            "closed_at": self.closed_at,
            "paused_at": self.paused_at,
            "paused_seconds": self.paused_seconds,
        }
        if self.status in (_S.CLOSED, _S.CANCELLED):
            values.update(claimed_by_id=None, claimed_until=None)
        return {k: v for k, v in values.items() if k not in self.unknown}


def event_order(event: Mapping[str, Any]) -> tuple[datetime, uuid.UUID]:
    return event["at"], event["id"]


def _uuid(value: Any) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def replay(events: Iterable[Mapping[str, Any]], *, unit_id: uuid.UUID | None = None) -> Replayed:
    """The state after ``events`` (typed ticket_events rows, any order). ``unit_id``: the
    request's unit when no "registered" event names one."""
    state = Replayed(unit_id=unit_id)
    before_pause: str | None = None
    for event in sorted(events, key=event_order):
        action, at = event["action"], event["at"]
        data = event.get("data") or {}
        if action == "registered":
            state.status = event.get("to_status") or _S.REGISTERED
            state.unit_id = event.get("unit_id") or state.unit_id
            continue
        if action in LOG_ONLY_ACTIONS:
            continue
        target = TRANSITIONS.get((state.status, action))
        if action == Action.CLOSED and data.get("via") == "parent" and state.status in _OPEN:
            target = _S.CLOSED  # closed with its parent, from any open status
            if state.resolved_at is None:
                state.unknown.add("resolved_at")
        if target is None:
            if action not in _ACTIONS:
                moves_from = event.get("from_status")
                moves_to = event.get("to_status")
                if moves_from == moves_to:
                    continue
                if moves_from == state.status and moves_to:
                    state.status = moves_to
                    continue
            _skip(state, event)
            continue
        if target == SAME:
            to_status = state.status
        elif target == PREVIOUS:
            to_status = before_pause or (_S.REFERRED if state.referred_at else _S.REGISTERED)
        elif target == REFERRED_OR_REGISTERED:
            recorded = event.get("to_status")
            if recorded in (_S.REFERRED, _S.REGISTERED):
                to_status = recorded
            else:
                to_status = (
                    _S.REFERRED if (event.get("unit_id") or state.unit_id) else _S.REGISTERED
                )
        else:
            to_status = target

        if action == Action.ESCALATED:
            level = data.get("level", state.escalation_level + 1)
            if not isinstance(level, int) or level <= state.escalation_level:
                _skip(state, event)
                continue
            state.escalation_level = level
        if action == Action.UNLINKED and state.parent_id is None:
            _skip(state, event)
            continue
        if to_status == _S.REFERRED and action in (Action.REFERRED, Action.REOPENED):
            state.unit_id = event.get("unit_id") or state.unit_id
            state.referred_at = at
        if action == Action.STARTED and state.responded_at is None:
            state.responded_at = at
        if action == Action.ANSWERED:
            state.resolved_at = at
            state.unknown.discard("resolved_at")
            if state.responded_at is None:
                state.responded_at = at
        if action == Action.REJECTED:
            state.resolved_at = None
            state.unknown.discard("resolved_at")
        if action == Action.PAUSED:
            before_pause = state.status if state.status in _BEFORE_ANSWER else None
            state.paused_at = at
        if action in (Action.RESUMED, Action.CLOSED, Action.CANCELLED):
            _end_pause(state, at)
        if action in (Action.CLOSED, Action.CANCELLED):
            state.closed_at = at
        if action == Action.CANCELLED and data.get("reason") == "duplicate":
            state.duplicate_of_id = _uuid(data.get("duplicate_of_id"))
        if action == Action.REOPENED:
            state.reopened = True
            state.closed_at = state.resolved_at = None
            state.unknown.discard("resolved_at")
            if to_status == _S.REGISTERED:
                state.referred_at = None
        if action == Action.LINKED:
            state.parent_id = _uuid(data.get("parent_id"))
        if action == Action.UNLINKED:
            state.parent_id = None
        state.status = str(to_status)
    return state


def _skip(state: Replayed, event: Mapping[str, Any]) -> None:
    state.skipped.append(
        {"event_id": str(event["id"]), "action": event["action"], "status": state.status}
    )


def _end_pause(state: Replayed, at: datetime) -> None:
    if state.paused_at is not None:
        state.paused_seconds += max(0, int((at - state.paused_at).total_seconds()))
        state.paused_at = None


def merged_kind(*kinds: str, reopened: bool) -> str:
    """A request once a complaint stays one."""
    if reopened or TicketKind.COMPLAINT in kinds:
        return TicketKind.COMPLAINT
    return kinds[0] if kinds else TicketKind.REQUEST


def _time_ordered_id(at: datetime, seed: bytes) -> uuid.UUID:
    """A UUIDv7 made from a time and a seed: the same on every side that computes it."""
    raw = bytearray(int(at.timestamp() * 1000).to_bytes(6, "big") + hashlib.sha256(seed).digest())
    raw[6] = 0x70 | (raw[6] & 0x0F)
    raw[8] = 0x80 | (raw[8] & 0x3F)
    return uuid.UUID(bytes=bytes(raw[:16]))


def conflict_event(
    *,
    ticket: Mapping[str, Any],
    events: list[Mapping[str, Any]],
    center_events: Iterable[uuid.UUID],
    province_events: Iterable[uuid.UUID],
    replayed: Replayed,
) -> dict[str, Any]:
    """The log-only event that records a conflict (typed ticket_events row).

    Its id and content depend only on the merged history, so two sides that find the same
    conflict at once (bundles that crossed) write the same event, kept once."""
    center = sorted(str(i) for i in center_events)
    province = sorted(str(i) for i in province_events)
    divergent = set(center) | set(province)
    ordered = sorted(events, key=event_order)
    common = [e for e in ordered if str(e["id"]) not in divergent]
    at = ordered[-1]["at"] + timedelta(microseconds=1)
    seed = "|".join([str(ticket["id"]), *center, "/", *province]).encode()
    note = CONFLICT_NOTE
    if replayed.skipped:
        note += CONFLICT_NOTE_SKIPPED.format(count=to_persian_digits(str(len(replayed.skipped))))
    return {
        "id": _time_ordered_id(at, seed),
        "center_id": ticket["center_id"],
        "ticket_id": ticket["id"],
        "at": at,
        "actor_id": None,
        "action": CONFLICT_ACTION,
        "from_status": replayed.status,
        "to_status": replayed.status,
        "unit_id": None,
        "note": note,
        "data": {
            "since": str(common[-1]["id"]) if common else None,
            "center_events": center,
            "province_events": province,
            "skipped": replayed.skipped,
            "status": replayed.status,
        },
    }
