"""Writing "what changed from what to what" into the audit trail, for any table.

:func:`apply_changes` sets new values on a row and returns the differences in the form
:class:`db.models.AuditEntry` keeps (``{field: [before, after]}``, JSON-safe), and
:func:`record_change` writes one audit row for them in the caller's transaction. Other packages
(notices, feedback) may use both, so every audit row on the admin screen reads the same way.
"""

import uuid
from collections.abc import Mapping
from datetime import date, datetime, time
from enum import Enum
from typing import Any

from sqlmodel import Session

from db import audit
from db.accounts import AgentView

Changes = dict[str, list[Any]]


def jsonable(value: Any) -> Any:
    """``value`` as the audit row's JSON can hold it: ids and dates as text, tuples as lists."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return str(value)


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> Changes:
    """The fields of ``after`` whose value differs from ``before``'s, as ``[before, after]``."""
    changes: Changes = {}
    for key, new in after.items():
        old = before.get(key)
        if jsonable(old) != jsonable(new):
            changes[key] = [jsonable(old), jsonable(new)]
    return changes


def apply_changes(row: Any, values: Mapping[str, Any]) -> Changes:
    """Set ``values`` on ``row`` (an ORM object) and return what actually changed; values
    equal to the current ones are not set, so an edit that changes nothing writes nothing."""
    changes = diff({key: getattr(row, key) for key in values}, values)
    for key in changes:
        setattr(row, key, values[key])
    return changes


def record_change(
    session: Session,
    *,
    actor: AgentView | None,
    action: str,
    entity: str,
    entity_id: object,
    center_id: uuid.UUID | None,
    changes: Changes | None = None,
    detail: str = "",
) -> None:
    """One audit row by ``actor`` (None: the local command line) in the caller's transaction."""
    audit.record(
        session,
        action=action,
        actor_id=actor.id if actor else None,
        center_id=center_id,
        entity=entity,
        entity_id=entity_id,
        changes=changes or {},
        detail=detail,
    )
