"""Duplicates and parents: the requests a request points at, and what follows from them.

A duplicate is cancelled into its survivor (following earlier merges); its calls count as the
survivor's contacts. A child is linked to an open parent (never in a cycle), and closing a
parent closes its open children too, whatever their step, one "closed" event each
(``data.via = "parent"``).
"""

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from db.accounts import AgentView
from db.followup.errors import FollowupError
from db.followup.records import _end_pause, _event, _fresh, _json_safe, _uuid, _write
from db.followup.states import _OPEN, _S, Action
from db.models import OPEN_STATUSES, Call, Ticket


def _related(session: Session, ticket: Ticket, ref: Any, what: str) -> Ticket:
    """The request ``ref`` names, in ``ticket``'s center; not_found (what, id) otherwise."""
    other = _fresh(session, _uuid(ref, what))
    if other is None or other.center_id != ticket.center_id:
        raise FollowupError("not_found", what=what, id=str(ref))
    return other


def _survivor(session: Session, ticket: Ticket, duplicate_of: Any) -> Ticket:
    """The request a duplicate merges into: the one named, or the one it was merged into."""
    if duplicate_of is None:
        raise FollowupError("duplicate_of_required")
    survivor = _related(session, ticket, duplicate_of, "duplicate_of")
    seen: set[uuid.UUID] = set()
    while survivor.status == _S.CANCELLED and survivor.id not in seen:
        seen.add(survivor.id)
        if survivor.duplicate_of_id is None:
            raise FollowupError("duplicate_of_invalid", tracking_code=survivor.tracking_code)
        following = _fresh(session, survivor.duplicate_of_id)
        assert following is not None  # a foreign key
        survivor = following
    if survivor.id == ticket.id:
        raise FollowupError("duplicate_of_self")
    return survivor


def _duplicate_tree(session: Session, root_id: uuid.UUID) -> list[uuid.UUID]:
    """``root_id`` and every request cancelled as its duplicate, directly or through another."""
    found = [root_id]
    frontier = [root_id]
    while frontier and len(found) < 10_000:
        rows = session.exec(
            select(Ticket.id).where(col(Ticket.duplicate_of_id).in_(frontier))
        ).all()
        frontier = [r for r in rows if r not in found]
        found.extend(frontier)
    return found


def _count_calls(session: Session, ticket_ids: list[uuid.UUID]) -> int:
    return session.exec(
        select(sa.func.count()).select_from(Call).where(col(Call.ticket_id).in_(ticket_ids))
    ).one()


def _parent(session: Session, ticket: Ticket, parent_id: Any) -> Ticket:
    if parent_id is None:
        raise FollowupError("parent_required")
    parent = _related(session, ticket, parent_id, "parent")
    if parent.id == ticket.id:
        raise FollowupError("parent_self")
    if parent.status not in OPEN_STATUSES:
        raise FollowupError("parent_closed", tracking_code=parent.tracking_code)
    if ticket.parent_id == parent.id:
        raise FollowupError("already_linked")
    ancestor, hops = parent, 0
    while ancestor.parent_id is not None and hops < 1000:
        if ancestor.parent_id == ticket.id:
            raise FollowupError("parent_cycle")
        following = _fresh(session, ancestor.parent_id)
        assert following is not None
        ancestor, hops = following, hops + 1
    return parent


def _close_children(
    session: Session,
    parent: Ticket,
    actor: AgentView | None,
    *,
    at: datetime,
    note: str,
    via: Any,
    depth: int = 0,
) -> None:
    """Close the open children of a closed parent (and theirs), one event each."""
    if depth > 20:
        return
    children = session.exec(
        select(Ticket)
        .where(Ticket.parent_id == parent.id, col(Ticket.status).in_(_OPEN))
        .order_by(col(Ticket.id))
        .execution_options(populate_existing=True)
    ).all()
    for child in children:
        current: Ticket | None = child
        for _attempt in range(5):
            if current is None or current.status not in OPEN_STATUSES:
                break
            when = max(at, current.updated_at)
            values = {
                "status": _S.CLOSED.value,
                "closed_at": when,
                # The parent's result is the child's too.
                "resolved_at": current.resolved_at or parent.resolved_at or when,
                "updated_at": when,
                "claimed_by_id": None,
                "claimed_until": None,
                **_end_pause(current, when),
            }
            data = {
                "via": "parent",
                "parent_id": str(parent.id),
                "parent_code": parent.tracking_code,
            }
            if via is not None:
                data["parent_via"] = _json_safe("via", via)
            event = _event(
                current, actor, at=when, action=Action.CLOSED, to_status=_S.CLOSED, note=note,
                data=data,
            )  # fmt: skip
            if _write(session, current.id, version=current.version, values=values, event=event):
                break
            current = _fresh(session, child.id)
        _close_children(session, child, actor, at=at, note=note, via=via, depth=depth + 1)
