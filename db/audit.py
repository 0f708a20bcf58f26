"""Writing the audit trail. Every change an admin or the system makes goes through `record`."""

import uuid
from typing import Any

from sqlmodel import Session

from db.models import AuditEntry, utcnow


def record(
    session: Session,
    *,
    action: str,
    actor_id: uuid.UUID | None = None,
    center_id: uuid.UUID | None = None,
    entity: str = "",
    entity_id: object = "",
    changes: dict[str, Any] | None = None,
    detail: str = "",
) -> None:
    """Add one audit row to the caller's transaction, so it lands exactly when the change does."""
    session.add(
        AuditEntry(
            at=utcnow(),
            action=action,
            actor_id=actor_id,
            center_id=center_id,
            entity=entity,
            entity_id=str(entity_id),
            changes=changes or {},
            detail=detail[:500],
        )
    )
