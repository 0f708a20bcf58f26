"""The agent's half-typed call, kept so a crash or a sign-out loses nothing.

One draft per agent, any JSON object the screen chooses. Saving is an upsert that is safe on both
engines; a saved call outcome discards the draft in the same transaction (:func:`_discard`).
"""

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from db.accounts import AgentView
from db.intake.errors import IntakeError, _aware_now, _require_caller
from db.intake.views import DraftView
from db.models import CallDraft

MAX_DRAFT_CHARS = 20_000


def _discard(session: Session, actor: AgentView) -> bool:
    table = CallDraft.__table__
    result = session.execute(sa.delete(table).where(table.c.agent_id == actor.id))
    return bool(result.rowcount)


def _draft_json(fields: dict[str, Any]) -> str:
    if not isinstance(fields, dict):
        raise IntakeError("draft", "not_json")
    try:
        text = json.dumps(fields, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        raise IntakeError("draft", "not_json") from None
    if len(text) > MAX_DRAFT_CHARS:
        raise IntakeError("draft", "too_large", max=MAX_DRAFT_CHARS)
    return text


def save_draft(
    session: Session, *, actor: AgentView, fields: dict[str, Any], now: datetime | None = None
) -> DraftView:
    """Keep the agent's half-typed call (one per agent), replacing the previous one.

    ``fields`` is any JSON object (the screen decides its keys). An update, else an insert in a
    savepoint; if another session inserted first, the update is retried, so the upsert is safe
    on both engines. Errors (field "draft"): not_json, too_large.
    """
    _require_caller(actor, "take calls")
    now = _aware_now(now)
    copy = json.loads(_draft_json(fields))
    table = CallDraft.__table__

    def update() -> int:
        result = session.execute(
            sa.update(table)
            .where(table.c.agent_id == actor.id)
            .values(fields=copy, updated_at=now, center_id=actor.center_id)
        )
        return result.rowcount

    if not update():
        try:
            with session.begin_nested():
                session.execute(
                    sa.insert(table).values(
                        agent_id=actor.id,
                        center_id=actor.center_id,
                        fields=copy,
                        started_at=now,
                        updated_at=now,
                    )
                )
        except IntegrityError:
            if not update():  # pragma: no cover - the row cannot vanish once inserted
                raise
    draft = load_draft(session, actor=actor)
    assert draft is not None
    return draft


def load_draft(session: Session, *, actor: AgentView) -> DraftView | None:
    """The agent's saved draft, or None (offer to resume it after sign-in)."""
    _require_caller(actor, "take calls")
    table = CallDraft.__table__
    row = session.execute(
        sa.select(table.c.fields, table.c.started_at, table.c.updated_at).where(
            table.c.agent_id == actor.id
        )
    ).first()
    if row is None:
        return None
    return DraftView(
        fields=json.loads(json.dumps(row.fields)),
        started_at=row.started_at,
        updated_at=row.updated_at,
    )


def discard_draft(session: Session, *, actor: AgentView) -> bool:
    """Drop the agent's draft; True if there was one."""
    _require_caller(actor, "take calls")
    return _discard(session, actor)
