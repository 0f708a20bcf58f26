"""Applying records from the other side: one batch of one spec in the caller's transaction.

For each record the two versions (here and incoming) become one by the spec's merge rule,
then only what differs is written: the root row, child rows that changed, were added or (for
child rows that follow the winner) went away. The ledger notes in the same transaction that
the other side holds the incoming digest, so a batch is applied entirely or not at all, and a
batch applied twice changes nothing the second time.

A record that cannot be written (it clashes with another record here, e.g. two different
users with one username) is left out, reported and tried again next time; the rest of the
batch goes on. A deletion of a record still used here is refused and the record is sent back.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import Session

from db.sync import state
from db.sync.changes import load_records
from db.sync.codec import Record, decode_row, digest, encode_row, key_of
from db.sync.replay import conflict_event, merged_kind, replay
from db.sync.specs import CENTER, Side, Spec


@dataclass(frozen=True, slots=True)
class Incoming:
    key: str
    digest: str | None
    record: Record | None  # None: deleted on the side that sent it


@dataclass
class Applied:
    written: int = 0
    conflicts: int = 0
    kept: int = 0
    # (table, key, reason) of records that could not be written here.
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    # key -> the digest the sending side holds, for every record dealt with.
    done: dict[str, str | None] = field(default_factory=dict)


# -- merging two versions of a record ----------------------------------------------------------


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _newer(spec: Spec, local: Record, incoming: Record, here: Side) -> Record:
    """The later change wins (updated_at, then version); a tie goes to the owner's copy."""
    a, b = local["row"], incoming["row"]
    if spec.has_updated_at and a["updated_at"] != b["updated_at"]:
        return local if _time(a["updated_at"]) > _time(b["updated_at"]) else incoming
    if spec.has_version and a["version"] != b["version"]:
        return local if a["version"] > b["version"] else incoming
    return local if spec.owner == here else incoming


def _with_appended(spec: Spec, winner: Record, local: Record, incoming: Record) -> Record:
    """The winner, with the append-only child rows of both versions."""
    children = dict(winner["children"])
    for child in spec.children:
        if child.append_only:
            name = child.table.name
            rows = {key_of(child.table, r): r for r in local["children"].get(name, ())}
            for row in incoming["children"].get(name, ()):
                rows.setdefault(key_of(child.table, row), row)
            children[name] = [rows[k] for k in sorted(rows)]
    return {"row": winner["row"], "children": children}


def _lww(spec: Spec, local: Record, incoming: Record, known: state.Known | None, here: Side):
    unchanged_here = known is not None and known.pending is None and known.digest == digest(local)
    winner = incoming if unchanged_here else _newer(spec, local, incoming, here)
    return _with_appended(spec, winner, local, incoming)


def _max(spec: Spec, local: Record, incoming: Record) -> Record:
    row = dict(local["row"])
    row["last_seq"] = max(local["row"]["last_seq"], incoming["row"]["last_seq"])
    return {"row": row, "children": local["children"]}


def _ticket(
    spec: Spec, local: Record, incoming: Record, known: state.Known | None, here: Side
) -> tuple[Record, bool]:
    """Two versions of a request: the one that knows every event, or a replayed merge."""
    child = spec.children[0]
    name = child.table.name
    mine = {e["id"]: e for e in local["children"].get(name, ())}
    theirs = {e["id"]: e for e in incoming["children"].get(name, ())}
    only_mine, only_theirs = mine.keys() - theirs.keys(), theirs.keys() - mine.keys()
    if not only_mine and not only_theirs:
        return _lww(spec, local, incoming, known, here), False
    if not only_mine:
        return _with_appended(spec, incoming, local, incoming), False
    if not only_theirs:
        return local, False
    base = _newer(spec, local, incoming, here)
    events = [decode_row(child.table, e) for e in {**mine, **theirs}.values()]
    row = decode_row(spec.root, base["row"])
    replayed = replay(events, unit_id=row["unit_id"])
    row.update(replayed.fields())
    row["kind"] = merged_kind(
        local["row"]["kind"], incoming["row"]["kind"], reopened=replayed.reopened
    )
    row["version"] = max(local["row"]["version"], incoming["row"]["version"]) + 1
    ids = (
        (only_mine, only_theirs) if here == CENTER else (only_theirs, only_mine)
    )  # (the center's events, the province's)
    event = conflict_event(
        ticket=row,
        events=events,
        center_events=ids[0],
        province_events=ids[1],
        replayed=replayed,
    )
    row["updated_at"] = max(
        _time(local["row"]["updated_at"]), _time(incoming["row"]["updated_at"]), event["at"]
    )
    merged = {**mine, **theirs}
    merged.setdefault(str(event["id"]), encode_row(child.table, event))
    children = {name: [merged[k] for k in sorted(merged)]}
    return {"row": encode_row(spec.root, row), "children": children}, True


def merge(
    spec: Spec, local: Record | None, incoming: Record, known: state.Known | None, here: Side
) -> tuple[Record, bool]:
    """The record to keep here, and whether two histories of a request were merged."""
    if local is None:
        return incoming, False
    if spec.merge == "append":
        return local, False
    if spec.merge == "max":
        return _max(spec, local, incoming), False
    if spec.merge == "ticket":
        return _ticket(spec, local, incoming, known, here)
    return _lww(spec, local, incoming, known, here), False


# -- writing ---------------------------------------------------------------------------------


@dataclass
class _Writes:
    inserts: dict[str, list[dict]] = field(default_factory=dict)
    updates: dict[str, list[dict]] = field(default_factory=dict)
    deletes: dict[str, list[dict]] = field(default_factory=dict)

    def add(self, kind: str, table: sa.Table, row: dict) -> None:
        getattr(self, kind).setdefault(table.name, []).append(decode_row(table, row))


def _plan_writes(spec: Spec, local: Record | None, target: Record, writes: _Writes) -> bool:
    """Queue what turns ``local`` into ``target``; False when nothing differs."""
    changed = False
    if local is None:
        writes.add("inserts", spec.root, target["row"])
        changed = True
    elif target["row"] != local["row"]:
        writes.add("updates", spec.root, target["row"])
        changed = True
    for child in spec.children:
        name = child.table.name
        have = {
            key_of(child.table, r): r for r in (local or {"children": {}})["children"].get(name, ())
        }
        want = {key_of(child.table, r): r for r in target["children"].get(name, ())}
        if not child.append_only:
            for key in have.keys() - want.keys():
                writes.add("deletes", child.table, have[key])
                changed = True
        for key in sorted(want):
            if key not in have:
                writes.add("inserts", child.table, want[key])
                changed = True
            elif want[key] != have[key] and not child.append_only:
                writes.add("updates", child.table, want[key])
                changed = True
    return changed


def _pk_where(table: sa.Table) -> list[sa.ColumnElement[bool]]:
    return [c == sa.bindparam(f"k_{c.name}", type_=c.type) for c in table.primary_key.columns]


def _pk_params(table: sa.Table, row: dict[str, Any]) -> dict[str, Any]:
    return {f"k_{c.name}": row[c.name] for c in table.primary_key.columns}


def _execute(session: Session, spec: Spec, writes: _Writes) -> None:
    tables = [spec.root, *(c.table for c in spec.children)]
    for table in reversed(tables):
        if rows := writes.deletes.get(table.name):
            stmt = sa.delete(table).where(*_pk_where(table))
            session.execute(stmt, [_pk_params(table, r) for r in rows])
    for table in tables:
        if rows := writes.inserts.get(table.name):
            session.execute(sa.insert(table), rows)
        if rows := writes.updates.get(table.name):
            columns = [c for c in table.columns if not c.primary_key]
            stmt = (
                sa.update(table)
                .where(*_pk_where(table))
                .values({c.name: sa.bindparam(f"v_{c.name}", type_=c.type) for c in columns})
            )
            params = [
                {**_pk_params(table, r), **{f"v_{c.name}": r[c.name] for c in columns}}
                for r in rows
            ]
            session.execute(stmt, params)


def _delete(session: Session, spec: Spec, local: Record) -> bool:
    """Delete a record deleted on the other side; False (kept) when it is still used here."""
    try:
        with session.begin_nested():
            root_id = decode_row(spec.root, local["row"])
            for child in spec.children:
                session.execute(
                    sa.delete(child.table).where(child.table.c[child.parent] == root_id["id"])
                )
            where = [c == root_id[c.name] for c in spec.root.primary_key.columns]
            session.execute(sa.delete(spec.root).where(*where))
    except IntegrityError:
        return False
    return True


def _reason(exc: Exception) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(exc).__name__


def apply_batch(
    session: Session,
    spec: Spec,
    items: list[Incoming],
    *,
    center_id: uuid.UUID,
    here: Side,
) -> Applied:
    """Apply one batch of one spec sent by the other side, in the caller's transaction."""
    keys = [item.key for item in items]
    local = load_records(session, spec, keys)
    known = state.ledger_for(session, center_id, spec.name, keys)
    upserts = [item for item in items if item.record is not None]
    try:
        with session.begin_nested():
            result = _apply(session, spec, upserts, local, known, here)
    except (IntegrityError, DataError):
        # Someone in the batch clashes: one savepoint per record, so only that one is left out.
        result = Applied()
        for item in upserts:
            try:
                with session.begin_nested():
                    one = _apply(session, spec, [item], local, known, here)
            except (IntegrityError, DataError) as exc:
                result.failed.append((spec.name, item.key, _reason(exc)))
                continue
            result.written += one.written
            result.conflicts += one.conflicts
            result.done.update(one.done)
    for item in items:
        if item.record is None:
            if item.key in local and not _delete(session, spec, local[item.key]):
                result.kept += 1
            result.done[item.key] = None
    if spec.sent_by(here):
        # The other side holds what it sent; a deletion refused here is forgotten, so the
        # record goes back to it.
        state.remember(session, center_id, spec.name, result.done)
    session.flush()
    return result


def _apply(
    session: Session,
    spec: Spec,
    items: list[Incoming],
    local: dict[str, Record],
    known: dict[str, state.Known],
    here: Side,
) -> Applied:
    result = Applied()
    writes = _Writes()
    for item in items:
        assert item.record is not None
        mine = local.get(item.key)
        if mine is not None and item.digest is not None and digest(mine) == item.digest:
            result.done[item.key] = item.digest
            continue
        target, conflict = merge(spec, mine, item.record, known.get(item.key), here)
        if _plan_writes(spec, mine, target, writes):
            result.written += 1
        result.conflicts += int(conflict)
        result.done[item.key] = item.digest
    _execute(session, spec, writes)
    session.flush()
    return result
