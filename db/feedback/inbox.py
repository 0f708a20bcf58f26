"""Where survey replies come from: the center's SMS gateway, read into the inbound table.

The gateway is the one of ``notices.gateway`` (:mod:`db.notices.settings`):

- ``file`` (the default, and an offline center's): ``<spool>/inbox/*.json``, one reply per
  file, ``{"id": ..., "from": "09...", "text": "...", "received_at": ISO time}`` (``id``
  defaults to the file's name). A program that receives SMS drops them there. Files read are
  moved to ``inbox/read/`` (unreadable ones to ``inbox/bad/``) by :func:`archive`, which the
  caller runs *after* the transaction that stored them committed: a crash in between reads them
  again, and the provider reference (``file:<id>``) keeps them from being stored twice.
- ``http``: ``POST inbox_url`` (a key of the same setting) with ``{"after": <last id read>}``
  and the API key as a bearer token, answered by ``{"messages": [{"id", "from", "text",
  "received_at"}]}``; references are ``http:<id>``.

Reading only stores; :func:`db.feedback.read_replies` matches what was stored.
"""

import contextlib
import json
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.error import URLError
from urllib.request import Request, urlopen

from sqlmodel import Session, col, select

from db.feedback.replies import store_reply
from db.models import InboundMessage
from db.notices.settings import SETTING_GATEWAY, load_notice_settings
from db.sla import load_center_settings

MAX_FILES = 2000


@dataclass(frozen=True)
class InboxBatch:
    """What one read of the gateway's inbox found: replies stored (new), replies seen, the
    files to archive once committed, and a ``problem`` (the gateway could not be read)."""

    stored: int
    seen: int
    read_files: tuple[Path, ...] = ()
    bad_files: tuple[Path, ...] = ()
    problem: str = ""


def _time(value: Any, default: datetime) -> datetime:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            parsed = datetime.fromisoformat(value)
            return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
    return default


def _reply(item: Any) -> tuple[str, str, str, Any] | None:
    if not isinstance(item, Mapping):
        return None
    sender, text = item.get("from"), item.get("text")
    if not isinstance(sender, str) or not isinstance(text, str) or not sender.strip():
        return None
    return str(item.get("id") or ""), sender, text, item.get("received_at")


def _read_folder(session: Session, center_id: uuid.UUID, folder: Path, now: datetime) -> InboxBatch:
    if not folder.is_dir():
        return InboxBatch(0, 0)
    files = sorted(p for p in folder.glob("*.json") if p.is_file())[:MAX_FILES]
    stored, read, bad = 0, [], []
    for path in files:
        try:
            reply = _reply(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            reply = None
        if reply is None:
            bad.append(path)
            continue
        key, sender, text, at = reply
        stored += store_reply(
            session,
            center_id=center_id,
            sender=sender,
            body=text,
            provider_ref=f"file:{key or path.stem}",
            received_at=_time(at, now),
        )
        read.append(path)
    return InboxBatch(stored, len(read), tuple(read), tuple(bad))


def _last_http_ref(session: Session, center_id: uuid.UUID) -> str:
    ref = session.exec(
        select(InboundMessage.provider_ref)
        .where(
            InboundMessage.center_id == center_id,
            col(InboundMessage.provider_ref).startswith("http:"),
        )
        .order_by(col(InboundMessage.received_at).desc(), col(InboundMessage.id).desc())
        .limit(1)
    ).first()
    return ref.removeprefix("http:") if ref else ""


def _read_http(
    session: Session, center_id: uuid.UUID, url: str, api_key: str, timeout: float, now: datetime
) -> InboxBatch:
    payload = json.dumps({"after": _last_http_ref(session, center_id)}).encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Accept": "application/json",
        "User-Agent": "abfa-desk",
        "Authorization": f"Bearer {api_key}",
    }
    try:
        with urlopen(
            Request(url, data=payload, headers=headers, method="POST"), timeout=timeout
        ) as response:
            body = json.loads(response.read().decode("utf-8") or "{}")
    except (URLError, OSError, ValueError) as e:
        return InboxBatch(0, 0, problem=f"inbox: {e}"[:500])
    items = body.get("messages") if isinstance(body, dict) else None
    stored = seen = 0
    for item in items or []:
        reply = _reply(item)
        if reply is None or not reply[0]:
            continue
        key, sender, text, at = reply
        seen += 1
        stored += store_reply(
            session,
            center_id=center_id,
            sender=sender,
            body=text,
            provider_ref=f"http:{key}",
            received_at=_time(at, now),
        )
    return InboxBatch(stored, seen)


def fetch_inbox(
    session: Session,
    center_id: uuid.UUID,
    *,
    now: datetime,
    environ: Mapping[str, str] | None = None,
) -> InboxBatch:
    """Store the replies waiting at the center's gateway (see the module's note)."""
    config = load_notice_settings(session, center_id).gateway
    if config.problem:
        return InboxBatch(0, 0, problem=config.problem)
    if config.kind == "file":
        return _read_folder(session, center_id, config.spool_path / "inbox", now)
    raw = load_center_settings(session, center_id, (SETTING_GATEWAY,)).get(SETTING_GATEWAY) or {}
    url = raw.get("inbox_url", "") if isinstance(raw, dict) else ""
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return InboxBatch(0, 0, problem="notices.gateway has no inbox_url")
    env = os.environ if environ is None else environ
    api_key = env.get(config.api_key_env, "")
    if not api_key:
        return InboxBatch(0, 0, problem=f"environment variable {config.api_key_env} is not set")
    return _read_http(session, center_id, url, api_key, config.timeout, now)


def archive(batch: InboxBatch) -> None:
    """Move the files of a committed batch aside (``read/``, ``bad/``)."""
    for paths, name in ((batch.read_files, "read"), (batch.bad_files, "bad")):
        for path in paths:
            target = path.parent / name
            with contextlib.suppress(OSError):
                target.mkdir(exist_ok=True)
                os.replace(path, target / path.name)
