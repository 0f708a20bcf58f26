"""Gateways: the one small interface between the outbox and whoever delivers an SMS.

A gateway is given one message with a stable idempotency key (the outbox row's id, the same on
every attempt) and answers ``accepted`` (with the provider's reference), ``retry`` (a passing
failure: timeout, 5xx, throttling, the provider unreachable) or ``rejected`` (the provider
refused the message itself: a bad number). It may also read back delivery reports.

- :class:`FileGateway` (``file``, the default) writes what would be sent to a spool directory, one
  file per message named by its key and created atomically (written aside, then hard-linked into
  place, which fails if the file is there): a resend of the same key never makes a second file,
  and an offline center still works. A program that delivers the spool may leave
  ``reports/<key>.json`` (``{"status": "delivered"|"failed", "reason": ...}``) to report back.
- :class:`HttpGateway` (``http``) POSTs JSON to a provider's URL with the key in an
  ``Idempotency-Key`` header and in the body, and the API key (read from the environment
  variable the setting names, never from the database) as a bearer token. Delivery reports are
  read by POSTing the keys to ``reports_url``. The wire format is described on the class.

Only the standard library (urllib): a center's server may have no way to install more.
"""

import contextlib
import json
import os
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http.client import HTTPException
from pathlib import Path
from typing import Any, Protocol
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

from db.notices.errors import NoticeError
from db.notices.settings import GatewayConfig

ACCEPTED = "accepted"
RETRY = "retry"
REJECTED = "rejected"

DELIVERED = "delivered"
FAILED = "failed"
PENDING = "pending"

MAX_REF = 64
MAX_ERROR = 500
# Refusals of the message itself: sending it again cannot succeed.
_PERMANENT = frozenset({400, 404, 410, 413, 422})


@dataclass(frozen=True)
class OutgoingMessage:
    """One message as a gateway sees it; ``key`` is its idempotency key (the outbox id)."""

    key: str
    channel: str
    recipient: str
    body: str


@dataclass(frozen=True)
class SendResult:
    outcome: str  # accepted | retry | rejected
    provider_ref: str | None = None
    error: str = ""
    #: The provider already had this key: nothing new was delivered.
    duplicate: bool = False


@dataclass(frozen=True)
class DeliveryReport:
    key: str
    status: str  # delivered | failed | pending
    reason: str = ""
    at: datetime | None = None


class Gateway(Protocol):
    kind: str

    def send(self, message: OutgoingMessage) -> SendResult: ...

    def reports(self, keys: Sequence[str]) -> list[DeliveryReport]: ...


def _report(key: str, data: Mapping[str, Any]) -> DeliveryReport | None:
    status = str(data.get("status", "")).lower()
    if status not in (DELIVERED, FAILED, PENDING):
        return None
    at = None
    if isinstance(data.get("at"), str):
        with contextlib.suppress(ValueError):
            parsed = datetime.fromisoformat(data["at"])
            at = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return DeliveryReport(key, status, str(data.get("reason") or "")[:MAX_ERROR], at)


class FileGateway:
    """Writes ``<spool>/<key>.json``: {"id", "to", "text", "channel", "written_at"}."""

    kind = "file"

    def __init__(self, spool_dir: Path) -> None:
        self.spool_dir = Path(spool_dir)

    def path_of(self, key: str) -> Path:
        return self.spool_dir / f"{key}.json"

    def send(self, message: OutgoingMessage) -> SendResult:
        ref = f"file:{message.key}"[:MAX_REF]
        final = self.path_of(message.key)
        if final.exists():
            return SendResult(ACCEPTED, ref, duplicate=True)
        payload = {
            "id": message.key,
            "to": message.recipient,
            "text": message.body,
            "channel": message.channel,
            "written_at": datetime.now(UTC).isoformat(),
        }
        temp = self.spool_dir / f".{message.key}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
        try:
            self.spool_dir.mkdir(parents=True, exist_ok=True)
            with open(temp, "w", encoding="utf-8") as f:
                json.dump(payload, f, ensure_ascii=False)
                f.flush()
                os.fsync(f.fileno())
            try:
                os.link(temp, final)
            except FileExistsError:
                return SendResult(ACCEPTED, ref, duplicate=True)
            self._sync_dir()
        except OSError as e:
            return SendResult(RETRY, error=f"spool: {e}"[:MAX_ERROR])
        finally:
            with contextlib.suppress(OSError):
                temp.unlink()
        return SendResult(ACCEPTED, ref)

    def _sync_dir(self) -> None:
        # The new name must survive a power cut as surely as the row saying "sent" will.
        with contextlib.suppress(OSError, AttributeError):
            fd = os.open(self.spool_dir, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def reports(self, keys: Sequence[str]) -> list[DeliveryReport]:
        out = []
        folder = self.spool_dir / "reports"
        for key in keys:
            path = folder / f"{key}.json"
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(data, dict) and (report := _report(key, data)) is not None:
                out.append(report)
        return out


class HttpGateway:
    """A generic JSON SMS provider.

    Send: ``POST url`` with ``{"id": key, "to": "09...", "text": "...", "from": sender}``,
    headers ``Idempotency-Key: key`` and ``Authorization: Bearer <api key>``. 2xx is accepted,
    the reference read from ``id``, ``message_id`` or ``ref`` of the JSON answer (the key when
    absent); 409 means the provider has this key already (accepted, a duplicate); 400, 404, 410,
    413, 422 refuse the message (its ``error`` or ``message`` is the reason); anything else, a
    timeout or no connection is retried later.

    Reports: ``POST reports_url`` with ``{"ids": [key, ...]}``, answered by ``{"reports": [{"id":
    key, "status": "delivered"|"failed"|"pending", "reason": "...", "at": ISO time}]}``.
    """

    kind = "http"

    def __init__(
        self,
        url: str,
        *,
        api_key: str = "",
        reports_url: str = "",
        timeout: float = 10.0,
        sender: str = "",
    ) -> None:
        self.url = url
        self.reports_url = reports_url
        self.timeout = timeout
        self.sender = sender
        self._api_key = api_key

    def _post(self, url: str, payload: Mapping[str, Any], key: str | None) -> tuple[int, Any]:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "User-Agent": "abfa-desk",
        }
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        if key:
            headers["Idempotency-Key"] = key
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        request = Request(url, data=data, headers=headers, method="POST")
        try:
            with urlopen(request, timeout=self.timeout) as response:
                status, raw = response.status, response.read()
        except HTTPError as e:
            status, raw = e.code, e.read()
        try:
            body = json.loads(raw.decode("utf-8")) if raw else {}
        except (UnicodeDecodeError, ValueError):
            body = {}
        return status, body

    def send(self, message: OutgoingMessage) -> SendResult:
        payload = {"id": message.key, "to": message.recipient, "text": message.body}
        if self.sender:
            payload["from"] = self.sender
        try:
            status, body = self._post(self.url, payload, message.key)
        except TimeoutError:
            return SendResult(RETRY, error="timeout")
        except URLError as e:
            reason = "timeout" if isinstance(e.reason, TimeoutError) else f"unreachable: {e.reason}"
            return SendResult(RETRY, error=reason[:MAX_ERROR])
        except (HTTPException, OSError) as e:
            return SendResult(RETRY, error=f"connection: {e}"[:MAX_ERROR])
        body = body if isinstance(body, dict) else {}
        ref = next((str(body[k]) for k in ("id", "message_id", "ref") if body.get(k)), message.key)[
            :MAX_REF
        ]
        reason = str(body.get("error") or body.get("message") or f"http {status}")[:MAX_ERROR]
        if 200 <= status < 300:
            return SendResult(ACCEPTED, ref, duplicate=bool(body.get("duplicate")))
        if status == 409:
            return SendResult(ACCEPTED, ref, duplicate=True)
        if status in _PERMANENT:
            return SendResult(REJECTED, error=reason)
        return SendResult(RETRY, error=reason)

    def reports(self, keys: Sequence[str]) -> list[DeliveryReport]:
        if not self.reports_url or not keys:
            return []
        try:
            status, body = self._post(self.reports_url, {"ids": list(keys)}, None)
        except (TimeoutError, URLError, HTTPException, OSError):
            return []
        if not 200 <= status < 300 or not isinstance(body, dict):
            return []
        wanted = set(keys)
        out = []
        for item in body.get("reports") or []:
            if isinstance(item, dict) and str(item.get("id")) in wanted:
                report = _report(str(item["id"]), item)
                if report is not None:
                    out.append(report)
        return out


def make_gateway(config: GatewayConfig, environ: Mapping[str, str] | None = None) -> Gateway:
    """The gateway a center's setting names. Errors: gateway_config (detail) for a malformed
    setting or an API key variable that is not set."""
    if config.problem:
        raise NoticeError("gateway_config", detail=config.problem)
    if config.kind == "file":
        return FileGateway(config.spool_path)
    env = os.environ if environ is None else environ
    api_key = env.get(config.api_key_env, "")
    if not api_key:
        raise NoticeError(
            "gateway_config", detail=f"environment variable {config.api_key_env} is not set"
        )
    return HttpGateway(
        config.url,
        api_key=api_key,
        reports_url=config.reports_url,
        timeout=config.timeout,
        sender=config.sender,
    )
