"""Sync bookkeeping: the link (this database's side for a center), the ledger (what the other
side holds) and the bundles applied here; plus the schema check both ends and a bundle pass.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from db.engine import DatabaseError
from db.migrate import head_revision, schema_status
from db.models import Center, new_id, utcnow
from db.models.sync import SyncBundle, SyncLink, SyncRow
from db.sync.errors import SyncError
from db.sync.specs import CENTER, PROVINCE, Side

_ROWS = SyncRow.__table__
_LINKS = SyncLink.__table__

#: The ledger digest of a record deleted on this side, sent as such and not yet acknowledged.
DELETED = "-"

#: How many bundles from the other side the next bundle back acknowledges.
ACKS_KEPT = 50

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Known:
    """What the ledger says the other side holds of one record."""

    digest: str
    pending: uuid.UUID | None


def check_schema(engine: Engine, where: str) -> None:
    """SyncError(schema_mismatch) unless the database is at this program's schema."""
    try:
        status = schema_status(engine)
    except DatabaseError as exc:
        if where == "remote":
            cause = getattr(exc.__cause__, "orig", None) or exc.__cause__ or exc
            detail = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
            raise SyncError("unreachable", str(exc), detail=detail) from exc
        raise
    if not status.up_to_date:
        raise SyncError(
            "schema_mismatch",
            f"the {where} database is at schema {status.current}, this program needs {status.head}",
            where=where,
            found=status.current or "-",
            needed=status.head,
        )


def check_bundle_schema(revision: str) -> None:
    needed = head_revision()
    if revision != needed:
        raise SyncError(
            "schema_mismatch",
            f"the bundle is at schema {revision}, this program needs {needed}",
            where="bundle",
            found=revision,
            needed=needed,
        )


def _upsert_ledger(session: Session, rows: list[dict], *, pending: bool) -> None:
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_ROWS)
    new = stmt.excluded
    updates: dict[str, Any] = {"digest": new.digest, "pending_bundle_id": new.pending_bundle_id}
    if pending:
        # Sent again unchanged in a later bundle: the first bundle's acknowledgement suffices.
        updates["pending_bundle_id"] = sa.case(
            (
                sa.and_(_ROWS.c.digest == new.digest, _ROWS.c.pending_bundle_id.is_not(None)),
                _ROWS.c.pending_bundle_id,
            ),
            else_=new.pending_bundle_id,
        )
    keys = ["center_id", "table_name", "row_key"]
    session.execute(stmt.on_conflict_do_update(index_elements=keys, set_=updates), rows)


# -- links -----------------------------------------------------------------------------------


def link_of(session: Session, center_id: uuid.UUID) -> SyncLink | None:
    return session.get(SyncLink, center_id)


def own_center(session: Session) -> uuid.UUID | None:
    """The center whose own file this is (the link on its center side), if it has synced."""
    return session.exec(select(SyncLink.center_id).where(SyncLink.side == CENTER)).first()


def ensure_link(session: Session, center_id: uuid.UUID, side: Side, peer: str = "") -> SyncLink:
    """Record this database's side for the center; SyncError(wrong_side) if it was the other."""
    link = session.get(SyncLink, center_id)
    if link is not None and link.side != side:
        raise SyncError("wrong_side", center=_center_code(session, center_id), side=link.side)
    sides = set(session.exec(select(SyncLink.side).where(SyncLink.center_id != center_id)))
    if side != CENTER and CENTER in sides:
        # A center's own file never serves other centers as their province.
        raise SyncError("wrong_side", center=_center_code(session, center_id), side=CENTER)
    if side == CENTER and sides - {CENTER}:
        raise SyncError("wrong_side", center=_center_code(session, center_id), side=PROVINCE)
    if side == CENTER:
        mine = own_center(session)
        if mine is not None and mine != center_id:
            raise SyncError(
                "other_center",
                center=_center_code(session, center_id),
                here=_center_code(session, mine),
            )
    if link is None:
        now = utcnow()
        link = SyncLink(
            center_id=center_id,
            side=side,
            node_id=new_id() if side == CENTER else None,
            peer=peer[:200],
            created_at=now,
            updated_at=now,
        )
        session.add(link)
        session.flush()
    return link


def meet(session: Session, center_id: uuid.UUID, node_id: uuid.UUID | None) -> bool:
    """On the province: the center's file says who it is. A file not seen before (a new or
    reinstalled computer) holds nothing the ledger remembers: forget it, so everything is
    sent again. True when that happened."""
    link = session.get(SyncLink, center_id)
    if link is None or node_id is None or link.node_id == node_id:
        return False
    another = link.node_id is not None
    if another:
        session.execute(sa.delete(_ROWS).where(_ROWS.c.center_id == center_id))
    session.execute(
        sa.update(_LINKS).where(_LINKS.c.center_id == center_id).values(node_id=node_id)
    )
    return another


def mark_synced(session: Session, center_id: uuid.UUID, peer: str, at: datetime) -> None:
    session.execute(
        sa.update(_LINKS)
        .where(_LINKS.c.center_id == center_id)
        .values(last_sync_at=at, updated_at=at, peer=peer[:200])
    )


def _center_code(session: Session, center_id: uuid.UUID) -> str:
    center = session.get(Center, center_id)
    return center.code if center else str(center_id)


# -- the ledger ------------------------------------------------------------------------------


def ledger(session: Session, center_id: uuid.UUID, name: str) -> dict[str, Known]:
    """Everything the other side is known to hold of one spec."""
    rows = session.execute(
        sa.select(_ROWS.c.row_key, _ROWS.c.digest, _ROWS.c.pending_bundle_id).where(
            _ROWS.c.center_id == center_id, _ROWS.c.table_name == name
        )
    )
    return {key: Known(d, pending) for key, d, pending in rows}


def ledger_for(
    session: Session, center_id: uuid.UUID, name: str, keys: Iterable[str]
) -> dict[str, Known]:
    keys = list(keys)
    found: dict[str, Known] = {}
    for start in range(0, len(keys), _CHUNK):
        rows = session.execute(
            sa.select(_ROWS.c.row_key, _ROWS.c.digest, _ROWS.c.pending_bundle_id).where(
                _ROWS.c.center_id == center_id,
                _ROWS.c.table_name == name,
                _ROWS.c.row_key.in_(keys[start : start + _CHUNK]),
            )
        )
        found.update({key: Known(d, pending) for key, d, pending in rows})
    return found


def remember(
    session: Session,
    center_id: uuid.UUID,
    name: str,
    digests: dict[str, str | None],
    *,
    pending: uuid.UUID | None = None,
) -> None:
    """The other side holds these records at these digests (None: it deleted the record).

    With ``pending`` (a bundle id) the records were only written to that bundle: a deletion is
    kept as DELETED until the bundle is acknowledged."""
    rows = [
        {
            "center_id": center_id,
            "table_name": name,
            "row_key": key,
            "digest": d if d is not None else DELETED,
            "pending_bundle_id": pending,
        }
        for key, d in digests.items()
        if d is not None or pending is not None
    ]
    for start in range(0, len(rows), _CHUNK):
        _upsert_ledger(session, rows[start : start + _CHUNK], pending=pending is not None)
    if pending is None:
        gone = [key for key, d in digests.items() if d is None]
        for start in range(0, len(gone), _CHUNK):
            session.execute(
                sa.delete(_ROWS).where(
                    _ROWS.c.center_id == center_id,
                    _ROWS.c.table_name == name,
                    _ROWS.c.row_key.in_(gone[start : start + _CHUNK]),
                )
            )


def acknowledge(session: Session, center_id: uuid.UUID, bundle_ids: Iterable[uuid.UUID]) -> int:
    """The other side applied these bundles: what they carried is now known to be there."""
    ids = list(bundle_ids)
    if not ids:
        return 0
    where = (_ROWS.c.center_id == center_id, _ROWS.c.pending_bundle_id.in_(ids))
    session.execute(sa.delete(_ROWS).where(*where, _ROWS.c.digest == DELETED))
    result = session.execute(sa.update(_ROWS).where(*where).values(pending_bundle_id=None))
    return result.rowcount


# -- bundles applied here --------------------------------------------------------------------


def bundle_applied(session: Session, bundle_id: uuid.UUID) -> bool:
    return session.get(SyncBundle, bundle_id) is not None


def record_bundle(
    session: Session,
    *,
    bundle_id: uuid.UUID,
    center_id: uuid.UUID,
    from_side: Side,
    created_at: datetime,
    rows: int,
) -> None:
    session.add(
        SyncBundle(
            id=bundle_id,
            center_id=center_id,
            from_side=from_side,
            created_at=created_at,
            applied_at=utcnow(),
            rows=rows,
        )
    )
    session.flush()


def bundles_to_acknowledge(session: Session, center_id: uuid.UUID, from_side: Side) -> list[str]:
    """The latest bundles applied here from the other side, for the next bundle back."""
    ids = session.exec(
        select(SyncBundle.id)
        .where(SyncBundle.center_id == center_id, SyncBundle.from_side == from_side)
        .order_by(SyncBundle.applied_at.desc())
        .limit(ACKS_KEPT)
    ).all()
    return [str(i) for i in ids]
