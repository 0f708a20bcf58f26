"""`sync export FILE` / `sync import FILE`: the same sync carried as a signed file.

The file is a zip with two members:

- ``rows.jsonl``: one JSON line per record, ``{"t": table, "k": key, "d": digest, "r":
  record}`` (``"r": null``: deleted), in the order they are applied;
- ``manifest.json``: ``{"manifest": {...}, "hmac_sha256": hex}``. The manifest names the
  format, the bundle id, the schema revision, the center (id, code, number), the side that
  wrote it (and the id of the center's file), when, the records per table, the bundles from
  the other side it acknowledges, and the size and SHA-256 of ``rows.jsonl``. The
  HMAC-SHA256 is over the canonical JSON of the manifest, with the key both sides share
  (``ABFA_DESK_SYNC_KEY``), so the signature covers every byte of the rows.

Import checks everything before it writes anything: a truncated, damaged, changed or
differently signed file is refused whole. Then it applies the records in batches (one
transaction each, like an online sync), and last records the bundle as applied with the
acknowledgements it carries: importing it again changes nothing, and an import killed
half-way is simply run again.

Export marks what it wrote as pending in the ledger: sent again in every bundle until a
bundle from the other side acknowledges it, so a lost file loses nothing.
"""

import hashlib
import hmac
import io
import json
import os
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from db.engine import session
from db.migrate import head_revision
from db.models import Center, new_id, utcnow
from db.sync import state
from db.sync.apply import Incoming, apply_batch
from db.sync.changes import load_records, plan
from db.sync.codec import canonical, digest
from db.sync.errors import SyncError
from db.sync.online import DEFAULT_BATCH, Transfer, batches, resolve_center, rows_in
from db.sync.specs import CENTER, PROVINCE, SPEC_BY_NAME, SPECS, Side, other

Progress = Callable[[str, int, int], None]

FORMAT = "abfa-desk-sync/1"
ROWS = "rows.jsonl"
MANIFEST = "manifest.json"
MIN_KEY_LENGTH = 16
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class BundleReport:
    bundle_id: uuid.UUID
    center_code: str
    side: Side  # the side that wrote the bundle
    records: int
    per_table: dict[str, int] = field(default_factory=dict)
    already_applied: bool = False
    acknowledged: int = 0
    applied: Transfer | None = None


def sync_key(value: str | bytes | None) -> bytes:
    """The shared signing key; SyncError(no_key / key_too_short) when it is unusable."""
    if not value:
        raise SyncError("no_key")
    key = value.encode() if isinstance(value, str) else value
    if len(key) < MIN_KEY_LENGTH:
        raise SyncError("key_too_short", minimum=MIN_KEY_LENGTH)
    return key


def _sign(key: bytes, manifest: dict[str, Any]) -> str:
    return hmac.new(key, canonical(manifest), hashlib.sha256).hexdigest()


# -- export ----------------------------------------------------------------------------------


def export_bundle(
    engine: Engine,
    path: Path,
    *,
    key: bytes,
    for_center: str | None = None,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
) -> BundleReport:
    """Write what the other side lacks to ``path`` (replaced atomically).

    On a center's file: its own changes for the province. With ``for_center`` (a code), on the
    provincial database: what that center lacks."""
    key = sync_key(key)
    state.check_schema(engine, "local")
    side: Side = PROVINCE if for_center else CENTER
    center_id, code = resolve_center(engine, None, for_center)
    with session(engine) as s:
        node_id = state.ensure_link(s, center_id, side).node_id
        center = s.get(Center, center_id)
        acks = state.bundles_to_acknowledge(s, center_id, other(side))
    with session(engine, write=False) as s:
        todo = plan(
            s, center_id, side, progress=(lambda _s, d, t: progress("export:scan", d, t))
            if progress else None,
        )  # fmt: skip
    bundle_id = new_id()
    sent: dict[str, dict[str, str | None]] = {}
    counts: dict[str, int] = {}
    path = Path(path)
    part = path.with_name(path.name + ".part")
    hasher, size, done = hashlib.sha256(), 0, 0
    with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open(ROWS, "w") as out:
            for spec in SPECS:
                if not todo.items.get(spec.name):
                    continue
                for chunk in batches(todo.ordered(spec.name), batch_size):
                    with session(engine, write=False) as s:
                        records = load_records(s, spec, chunk)
                    for k in chunk:
                        record = records.get(k)
                        d = digest(record) if record is not None else None
                        line = canonical({"t": spec.name, "k": k, "d": d, "r": record}) + b"\n"
                        out.write(line)
                        hasher.update(line)
                        size += len(line)
                        sent.setdefault(spec.name, {})[k] = d
                    counts[spec.name] = counts.get(spec.name, 0) + len(chunk)
                    done += len(chunk)
                    if progress:
                        progress(f"export:{spec.name}", done, todo.total)
        manifest = {
            "format": FORMAT,
            "bundle_id": str(bundle_id),
            "schema": head_revision(),
            "center": {
                "id": str(center_id),
                "code": code,
                "number": center.number if center else 0,
            },
            "side": side,
            "node": str(node_id) if node_id else None,
            "created_at": utcnow().isoformat(),
            "counts": counts,
            "acks": acks,
            "payload_bytes": size,
            "payload_sha256": hasher.hexdigest(),
        }
        archive.writestr(
            MANIFEST, canonical({"manifest": manifest, "hmac_sha256": _sign(key, manifest)})
        )
    os.replace(part, path)
    with session(engine) as s:
        for name, digests in sent.items():
            state.remember(s, center_id, name, digests, pending=bundle_id)
    return BundleReport(
        bundle_id=bundle_id,
        center_code=code,
        side=side,
        records=sum(counts.values()),
        per_table=counts,
    )


# -- reading and checking --------------------------------------------------------------------


def _open(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        with open(path, "rb") as f:
            start = f.read(4)
        reason = "truncated" if start == _ZIP_MAGIC else "not_a_bundle"
        raise SyncError(reason, str(exc)) from exc


def read_manifest(path: Path, key: bytes) -> dict[str, Any]:
    """The manifest, once the signature and the rows' digest are checked."""
    key = sync_key(key)
    with _open(path) as archive:
        try:
            outer = json.loads(archive.read(MANIFEST))
            manifest, signature = outer["manifest"], outer["hmac_sha256"]
        except KeyError as exc:
            raise SyncError("not_a_bundle", str(exc)) from exc
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise SyncError("tampered", str(exc)) from exc
        except (ValueError, TypeError) as exc:
            raise SyncError("tampered", str(exc)) from exc
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise SyncError("not_a_bundle")
        if not isinstance(signature, str) or not hmac.compare_digest(
            signature, _sign(key, manifest)
        ):
            raise SyncError("tampered", "the signature does not match")
        hasher, size = hashlib.sha256(), 0
        try:
            with archive.open(ROWS) as rows:
                while block := rows.read(1 << 16):
                    hasher.update(block)
                    size += len(block)
        except KeyError as exc:
            raise SyncError("truncated", str(exc)) from exc
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise SyncError("tampered", str(exc)) from exc
    if size != manifest["payload_bytes"] or hasher.hexdigest() != manifest["payload_sha256"]:
        raise SyncError("tampered", "the rows do not match the signed manifest")
    return manifest


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    with zipfile.ZipFile(path) as archive, archive.open(ROWS) as raw:
        for line in io.TextIOWrapper(raw, encoding="utf-8"):
            if line.strip():
                yield json.loads(line)


# -- import ----------------------------------------------------------------------------------


def import_bundle(
    engine: Engine,
    path: Path,
    *,
    key: bytes,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
) -> BundleReport:
    """Apply a bundle from the other side. SyncError when the file is refused."""
    path = Path(path)
    manifest = read_manifest(path, key)
    state.check_schema(engine, "local")
    state.check_bundle_schema(manifest["schema"])
    bundle_id = uuid.UUID(manifest["bundle_id"])
    center_id = uuid.UUID(manifest["center"]["id"])
    code = manifest["center"]["code"]
    sender: Side = manifest["side"]
    here = other(sender)
    report = BundleReport(
        bundle_id=bundle_id,
        center_code=code,
        side=sender,
        records=sum(manifest["counts"].values()),
        per_table=dict(manifest["counts"]),
    )
    with session(engine) as s:
        link = state.link_of(s, center_id)
        if link is not None and link.side == sender:
            raise SyncError("own_bundle", center=code)
        state.ensure_link(s, center_id, here)
        if state.bundle_applied(s, bundle_id):
            report.already_applied = True
            return report
        if sender == CENTER and manifest.get("node"):
            state.meet(s, center_id, uuid.UUID(manifest["node"]))
    applied = Transfer()
    done = 0

    def flush(name: str, items: list[Incoming]) -> None:
        nonlocal done
        with session(engine) as s:
            result = apply_batch(s, SPEC_BY_NAME[name], items, center_id=center_id, here=here)
        applied.add(name, len(items), sum(rows_in(i.record) for i in items), result)
        done += len(items)
        if progress:
            progress(f"import:{name}", done, report.records)

    pending: list[Incoming] = []
    current = None
    for line in _lines(path):
        if line["t"] != current or len(pending) >= batch_size:
            if pending:
                flush(current, pending)
            pending, current = [], line["t"]
        pending.append(Incoming(line["k"], line["d"], line["r"]))
    if pending:
        flush(current, pending)
    with session(engine) as s:
        state.record_bundle(
            s,
            bundle_id=bundle_id,
            center_id=center_id,
            from_side=sender,
            created_at=datetime.fromisoformat(manifest["created_at"]),
            rows=report.records,
        )
        report.acknowledged = state.acknowledge(
            s, center_id, [uuid.UUID(a) for a in manifest.get("acks", ())]
        )
        state.mark_synced(s, center_id, "bundle", utcnow())
    report.applied = applied
    return report
