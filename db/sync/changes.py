"""What to send: every record in scope whose digest differs from what the other side holds.

:func:`plan` reads, for each spec, the records that concern the center (its scope on this
side) and the records the other side already holds (the ledger), and keeps those the other
side lacks or holds at another digest; a record in the ledger that is gone here is sent as a
deletion. Then it adds what the kept records refer to and the other side lacks (the province's
agent who acted on a request, a closed parent request...), so every batch applies without
a missing reference. Records are read again, fresh, when their batch is sent.
"""

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session

from db.sync import state
from db.sync.codec import Record, digest, key_of, key_values, record_of
from db.sync.specs import SPEC_BY_NAME, SPECS, Side, Spec

Progress = Callable[[str, int, int], None]

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Planned:
    key: str
    digest: str | None  # None: deleted here
    refs: frozenset[tuple[str, str]] = frozenset()


@dataclass
class Plan:
    center_id: uuid.UUID
    side: Side
    items: dict[str, dict[str, Planned]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.items.values())

    def counts(self) -> dict[str, int]:
        return {name: len(v) for name, v in self.items.items() if v}

    def ordered(self, name: str) -> list[str]:
        """The keys of one spec, referenced records first (a parent request before its
        children), otherwise oldest first (ids are time-ordered)."""
        items = self.items.get(name, {})
        done: dict[str, None] = {}
        visiting: set[str] = set()

        def visit(key: str) -> None:
            if key in done or key in visiting:
                return
            visiting.add(key)
            for target, ref in sorted(items[key].refs):
                if target == name and ref in items:
                    visit(ref)
            done[key] = None

        for key in sorted(items):
            visit(key)
        return list(done)


# -- reading records -------------------------------------------------------------------------


def _pk(table: sa.Table) -> list[sa.Column]:
    return list(table.primary_key.columns)


def _where_keys(table: sa.Table, keys: list[str]) -> sa.ColumnElement[bool]:
    columns = _pk(table)
    values = [key_values(table, k) for k in keys]
    if len(columns) == 1:
        return columns[0].in_([v[0] for v in values])
    return sa.tuple_(*columns).in_(values)


def _records(session: Session, spec: Spec, rows: list) -> list[tuple[str, Record]]:
    if not rows:
        return []
    root = spec.root
    kids: dict[str, dict] = {}
    if spec.children:
        ids = [row.id for row in rows]
        for child in spec.children:
            by_parent = kids.setdefault(child.table.name, {})
            for row in session.execute(
                sa.select(child.table).where(child.table.c[child.parent].in_(ids))
            ).mappings():
                by_parent.setdefault(row[child.parent], []).append(row)
    out = []
    for row in rows:
        mapping = row._mapping
        children = {
            child.table: kids[child.table.name].get(mapping["id"], []) for child in spec.children
        }
        record = record_of(root, mapping, children)
        out.append((key_of(root, record["row"]), record))
    return out


def load_records(session: Session, spec: Spec, keys: list[str]) -> dict[str, Record]:
    """The records of ``keys`` as they are now (missing ones: deleted)."""
    found: dict[str, Record] = {}
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        rows = session.execute(sa.select(spec.root).where(_where_keys(spec.root, chunk))).all()
        found.update(_records(session, spec, rows))
    return found


def _scan(
    session: Session, spec: Spec, center_id: uuid.UUID, side: Side
) -> Iterator[tuple[str, Record]]:
    clause = spec.scope(spec.root, center_id, side)
    if clause is None:
        return
    columns = _pk(spec.root)
    if len(columns) > 1:
        rows = session.execute(sa.select(spec.root).where(clause)).all()
        yield from _records(session, spec, rows)
        return
    pk = columns[0]
    last = None
    while True:
        stmt = sa.select(spec.root).where(clause)
        if last is not None:
            stmt = stmt.where(pk > last)
        rows = session.execute(stmt.order_by(pk).limit(_CHUNK)).all()
        if not rows:
            return
        yield from _records(session, spec, rows)
        last = rows[-1]._mapping[pk.name]


# -- references ------------------------------------------------------------------------------

_REFS: dict[str, list[tuple[str, str]]] = {}


def _ref_columns(table: sa.Table, parent: str | None) -> list[tuple[str, str]]:
    """(column, spec name) of the table's references to synced records."""
    cached = _REFS.get(table.name)
    if cached is None:
        cached = []
        for fk in sorted(table.foreign_keys, key=lambda f: f.parent.name):
            target = fk.column.table.name
            if fk.parent.name != parent and target in SPEC_BY_NAME:
                cached.append((fk.parent.name, target))
        _REFS[table.name] = cached
    return cached


def references(spec: Spec, record: Record) -> frozenset[tuple[str, str]]:
    refs: set[tuple[str, str]] = set()
    for column, target in _ref_columns(spec.root, None):
        if (value := record["row"].get(column)) is not None:
            refs.add((target, str(value)))
    for child in spec.children:
        columns = _ref_columns(child.table, child.parent)
        for row in record["children"].get(child.table.name, ()):
            for column, target in columns:
                if (value := row.get(column)) is not None:
                    refs.add((target, str(value)))
    refs.discard((spec.name, key_of(spec.root, record["row"])))
    return frozenset(refs)


# -- the plan --------------------------------------------------------------------------------


def plan(
    session: Session, center_id: uuid.UUID, side: Side, progress: Progress | None = None
) -> Plan:
    """Everything this side has to send the other about the center."""
    result = Plan(center_id=center_id, side=side)
    ledgers: dict[str, dict[str, state.Known]] = {}
    specs = [spec for spec in SPECS if spec.sent_by(side)]
    for done, spec in enumerate(specs):
        if progress:
            progress("scan", done, len(specs))
        known = ledgers[spec.name] = state.ledger(session, center_id, spec.name)
        out: dict[str, Planned] = {}
        seen: set[str] = set()

        def consider(key: str, record: Record, spec=spec, known=known, out=out) -> None:
            d = digest(record)
            entry = known.get(key)
            if entry is None or entry.digest != d or entry.pending is not None:
                out[key] = Planned(key, d, references(spec, record))

        for key, record in _scan(session, spec, center_id, side):
            seen.add(key)
            consider(key, record)
        rest = [key for key in known if key not in seen]
        found = load_records(session, spec, rest)
        for key in rest:
            if key in found:
                consider(key, found[key])
            else:
                out[key] = Planned(key, None)
        result.items[spec.name] = out
    if progress:
        progress("scan", len(specs), len(specs))
    _close(session, result, ledgers)
    return result


def _close(session: Session, result: Plan, ledgers: dict[str, dict[str, state.Known]]) -> None:
    """Add the records that planned ones refer to and the other side does not hold."""
    queue = [p for items in result.items.values() for p in items.values()]
    while queue:
        planned = queue.pop()
        for target, key in planned.refs:
            if target not in result.items:
                continue  # not sent from this side: the other side owns it
            if key in result.items[target] or key in ledgers[target]:
                continue
            spec = SPEC_BY_NAME[target]
            record = load_records(session, spec, [key]).get(key)
            if record is None:
                continue
            added = Planned(key, digest(record), references(spec, record))
            result.items[target][key] = added
            queue.append(added)
