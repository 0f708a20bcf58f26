"""`abfa-desk sync --to URL`: a center's file and the provincial database, both reachable.

First the center receives (the province's changes are merged here, so a request changed on
both sides is merged once, at the center), then it sends (its own changes and the merges).
Each batch is one transaction on the receiving side with the ledger noted in it, then the
sender notes the batch as delivered: killed at any point, the next run sends again at most
the batch that was in flight, and applying it again changes nothing.
"""

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import select

from db.engine import session
from db.models import Center, utcnow
from db.sync import state
from db.sync.apply import Applied, Incoming, apply_batch
from db.sync.changes import load_records, plan
from db.sync.codec import digest
from db.sync.errors import SyncError
from db.sync.specs import CENTER, PROVINCE, SPECS, Side, other

Progress = Callable[[str, int, int], None]

DEFAULT_BATCH = 200


@dataclass
class Transfer:
    """One direction of a sync: what was sent and what the receiving side did with it."""

    records: int = 0  # records sent
    rows: int = 0  # rows sent (records with their child rows)
    written: int = 0  # records that changed on the receiving side
    conflicts: int = 0
    kept: int = 0
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    per_table: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, name: str, sent: int, rows: int, applied: Applied) -> None:
        self.records += sent
        self.rows += rows
        self.written += applied.written
        self.conflicts += applied.conflicts
        self.kept += applied.kept
        self.failed.extend(applied.failed)
        self.per_table[name] = self.per_table.get(name, 0) + sent


@dataclass
class SyncReport:
    center_id: uuid.UUID
    center_code: str
    received: Transfer
    sent: Transfer

    @property
    def failed(self) -> list[tuple[str, str, str]]:
        return [*self.received.failed, *self.sent.failed]

    @property
    def conflicts(self) -> int:
        return self.received.conflicts + self.sent.conflicts


def batches(keys: list[str], size: int):
    for start in range(0, len(keys), size):
        yield keys[start : start + size]


def rows_in(record: dict | None) -> int:
    if record is None:
        return 1
    return 1 + sum(len(rows) for rows in record["children"].values())


def resolve_center(local: Engine, remote: Engine | None, code: str | None) -> tuple[uuid.UUID, str]:
    """The center a local file syncs: named by code, its own from an earlier sync, or the
    only center in the file."""
    with session(local, write=False) as s:
        mine = state.own_center(s)
        if code:
            code = code.strip()
            named = select(Center).where(sa.func.upper(Center.code) == code.upper())
            center = s.exec(named).first()
            if center is None and remote is not None:
                with session(remote, write=False) as r:
                    center = r.exec(named).first()
            if center is None:
                raise SyncError("unknown_center", code=code)
            if mine is not None and mine != center.id:
                here = s.get(Center, mine)
                raise SyncError("other_center", center=code, here=here.code if here else str(mine))
            return center.id, center.code
        if mine is not None:
            center = s.get(Center, mine)
            return mine, center.code if center else str(mine)
        centers = s.exec(select(Center).limit(2)).all()
        if len(centers) != 1:
            raise SyncError("center_required")
        return centers[0].id, centers[0].code


def transfer(
    sender: Engine,
    receiver: Engine,
    center_id: uuid.UUID,
    sender_side: Side,
    *,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    stage: str,
) -> Transfer:
    """Send everything the receiver lacks, batch by batch."""
    started = time.perf_counter()
    here = other(sender_side)
    with session(sender, write=False) as s:
        todo = plan(
            s, center_id, sender_side, progress=(lambda _s, d, t: progress(f"{stage}:scan", d, t))
            if progress else None,
        )  # fmt: skip
    result = Transfer()
    total, done = todo.total, 0
    for spec in SPECS:
        if not todo.items.get(spec.name):
            continue
        for chunk in batches(todo.ordered(spec.name), batch_size):
            with session(sender, write=False) as s:
                records = load_records(s, spec, chunk)
            items = [
                Incoming(k, digest(records[k]), records[k])
                if k in records
                else Incoming(k, None, None)
                for k in chunk
            ]
            with session(receiver) as r:
                applied = apply_batch(r, spec, items, center_id=center_id, here=here)
            with session(sender) as s:
                state.remember(s, center_id, spec.name, applied.done)
            result.add(spec.name, len(chunk), sum(rows_in(records.get(k)) for k in chunk), applied)
            done += len(chunk)
            if progress:
                progress(f"{stage}:{spec.name}", done, total)
    result.seconds = time.perf_counter() - started
    return result


def sync_online(
    local: Engine,
    remote: Engine,
    *,
    center_code: str | None = None,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    peer: str = "",
) -> SyncReport:
    """Sync the center of the ``local`` file with the provincial database ``remote``.

    Safe to repeat and to kill: a second run sends nothing; a run after a kill ends where one
    clean run would have. SyncError for a schema mismatch at either end, an unknown or
    ambiguous center, or a database used from the wrong side."""
    state.check_schema(local, "local")
    state.check_schema(remote, "remote")
    center_id, code = resolve_center(local, remote, center_code)
    with session(local) as s:
        node_id = state.ensure_link(s, center_id, CENTER, peer).node_id
    with session(remote) as r:
        state.ensure_link(r, center_id, PROVINCE)
        state.meet(r, center_id, node_id)
    kw = {"batch_size": batch_size, "progress": progress}
    received = transfer(remote, local, center_id, PROVINCE, stage="pull", **kw)
    sent = transfer(local, remote, center_id, CENTER, stage="push", **kw)
    now = utcnow()
    with session(remote) as r:
        state.mark_synced(r, center_id, "", now)
    with session(local) as s:
        state.mark_synced(s, center_id, peer, now)
    return SyncReport(center_id=center_id, center_code=code, received=received, sent=sent)
