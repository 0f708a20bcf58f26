"""A center's notice settings: the gateway, the retry policy, the approval threshold.

Read from CenterSetting rows on every use, so a change applies at the next send. A missing
setting means its default: the ``file`` gateway (an offline center still works: what would be
sent lands in a spool directory). A *malformed* gateway setting is not replaced by the default,
because a center that configured ``http`` wrongly must not believe its messages went out: the
sender refuses to run and says why (``problem``).

The HTTP gateway's API key is never stored in the database: the setting names the environment
variable that holds it (``api_key_env``).
"""

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platformdirs import user_data_path
from sqlmodel import Session, select

from db.engine import APP_NAME
from db.models import Center
from db.notices.errors import NoticeError
from db.sla import load_center_settings

SETTING_GATEWAY = "notices.gateway"
SETTING_RETRY = "notices.retry"
SETTING_APPROVAL_THRESHOLD = "notices.approval_threshold"
SETTING_LEASE_SECONDS = "notices.lease_seconds"
SETTING_SMS_MAX_PARTS = "notices.sms_max_parts"
SETTING_CENTER_NAME = "notices.center_name"

GATEWAY_KINDS = ("file", "http")
DEFAULT_API_KEY_ENV = "ABFA_DESK_SMS_API_KEY"
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_BACKOFF = (60, 300, 900, 3600)
DEFAULT_APPROVAL_THRESHOLD = 500
DEFAULT_LEASE_SECONDS = 300
DEFAULT_SMS_MAX_PARTS = 2


def default_spool_dir() -> Path:
    return user_data_path(APP_NAME, appauthor=False) / "spool"


@dataclass(frozen=True)
class GatewayConfig:
    """``notices.gateway``: ``{"kind": "file", "spool_dir": ...}`` or ``{"kind": "http", "url":
    ..., "reports_url": ..., "api_key_env": ..., "timeout": ..., "sender": ...}``."""

    kind: str = "file"
    spool_dir: str = ""
    url: str = ""
    reports_url: str = ""
    api_key_env: str = DEFAULT_API_KEY_ENV
    timeout: float = DEFAULT_TIMEOUT
    sender: str = ""
    problem: str = ""

    @property
    def spool_path(self) -> Path:
        return Path(self.spool_dir).expanduser() if self.spool_dir else default_spool_dir()


@dataclass(frozen=True)
class RetryPolicy:
    """``notices.retry``: attempts before a message fails, and the wait before each retry (the
    last wait repeats)."""

    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    backoff_seconds: tuple[int, ...] = DEFAULT_BACKOFF

    def delay(self, attempt: int) -> int:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        steps = self.backoff_seconds or (60,)
        return steps[min(max(attempt, 1), len(steps)) - 1]


@dataclass(frozen=True)
class NoticeSettings:
    gateway: GatewayConfig = GatewayConfig()
    retry: RetryPolicy = RetryPolicy()
    #: Campaigns with more recipients than this need a supervisor's approval.
    approval_threshold: int = DEFAULT_APPROVAL_THRESHOLD
    #: How long a sender holds a claimed message before another may resend it.
    lease_seconds: int = DEFAULT_LEASE_SECONDS
    #: A preview warns when an SMS needs more parts than this.
    sms_max_parts: int = DEFAULT_SMS_MAX_PARTS
    #: {center} in notices ("آبفا {center}"); the center's Persian name when unset.
    center_name: str = ""


def _int(value: Any, default: int, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return default
    return value


def gateway_config(value: Any) -> GatewayConfig:
    """The gateway config of a setting value (None: the default file gateway)."""
    if value is None:
        return GatewayConfig()
    if not isinstance(value, dict):
        return GatewayConfig(problem="the setting is not an object")
    kind = value.get("kind", "file")
    if kind not in GATEWAY_KINDS:
        return GatewayConfig(problem=f"unknown gateway kind {kind!r}")
    timeout = value.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= 300:
        return GatewayConfig(kind=kind, problem=f"bad timeout {timeout!r}")
    texts = {}
    for key in ("spool_dir", "url", "reports_url", "api_key_env", "sender"):
        text = value.get(key, "")
        if not isinstance(text, str):
            return GatewayConfig(kind=kind, problem=f"{key} is not a string")
        texts[key] = text.strip()
    if kind == "http" and not texts["url"].startswith(("http://", "https://")):
        return GatewayConfig(kind=kind, problem="url must start with http:// or https://")
    return GatewayConfig(
        kind=kind,
        spool_dir=texts["spool_dir"],
        url=texts["url"],
        reports_url=texts["reports_url"],
        api_key_env=texts["api_key_env"] or DEFAULT_API_KEY_ENV,
        timeout=float(timeout),
        sender=texts["sender"],
    )


def retry_policy(value: Any) -> RetryPolicy:
    """The retry policy of a setting value; defaults for whatever is missing or malformed."""
    if not isinstance(value, dict):
        return RetryPolicy()
    attempts = _int(value.get("max_attempts"), DEFAULT_MAX_ATTEMPTS, 1, 100)
    steps = value.get("backoff_seconds")
    if not (
        isinstance(steps, list)
        and steps
        and all(
            isinstance(s, int) and not isinstance(s, bool) and 0 <= s <= 7 * 86400 for s in steps
        )
    ):
        steps = list(DEFAULT_BACKOFF)
    return RetryPolicy(max_attempts=attempts, backoff_seconds=tuple(steps))


def load_notice_settings(session: Session, center_id: uuid.UUID) -> NoticeSettings:
    """The center's notice settings; defaults where unset (see the module's note on a
    malformed gateway)."""
    values = load_center_settings(
        session,
        center_id,
        (
            SETTING_GATEWAY,
            SETTING_RETRY,
            SETTING_APPROVAL_THRESHOLD,
            SETTING_LEASE_SECONDS,
            SETTING_SMS_MAX_PARTS,
            SETTING_CENTER_NAME,
        ),
    )
    name = values.get(SETTING_CENTER_NAME)
    if not isinstance(name, str) or not name.strip():
        center = session.get(Center, center_id)
        name = center.name_fa if center else ""
    return NoticeSettings(
        gateway=gateway_config(values.get(SETTING_GATEWAY)),
        retry=retry_policy(values.get(SETTING_RETRY)),
        approval_threshold=_int(
            values.get(SETTING_APPROVAL_THRESHOLD), DEFAULT_APPROVAL_THRESHOLD, 0, 10_000_000
        ),
        lease_seconds=_int(values.get(SETTING_LEASE_SECONDS), DEFAULT_LEASE_SECONDS, 10, 86_400),
        sms_max_parts=_int(values.get(SETTING_SMS_MAX_PARTS), DEFAULT_SMS_MAX_PARTS, 1, 20),
        center_name=name.strip(),
    )


def center_id_for(session: Session, code: str | None) -> uuid.UUID:
    """The center of a code, or the only center when no code is given (for the CLI).
    Errors: unknown_center (code); center_required (several centers, no code)."""
    if code:
        center = session.exec(select(Center).where(Center.code == code.strip())).first()
        if center is None:
            raise NoticeError("unknown_center", code=code)
        return center.id
    ids = session.exec(select(Center.id).limit(2)).all()
    if len(ids) != 1:
        raise NoticeError("center_required")
    return ids[0]
