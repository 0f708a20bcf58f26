"""Fallback registrations for the setting keys of units written before the settings registry.

db.sla, db.followup, db.incidents and db.notices read these keys (and fall back to defaults on
a bad value); here they get validators, so an admin cannot store a value those readers would
silently ignore. Each is registered as a ``fallback``: when the owning module registers the key
itself, its registration is the one in force. Defaults are read from the owners where their
constants are stable, else repeated here (and only shown, never applied by this module).
"""

from typing import Any

from db.admin.settings import (
    int_between,
    number_between,
    register_setting,
    subset_of,
    text_up_to,
)
from db.followup.settings import DEFAULT_CLAIM_MINUTES, SETTING_CLAIM_MINUTES
from db.sla import (
    DEFAULT_SLA_SETTINGS,
    SETTING_ESCALATING_CLOCKS,
    SETTING_ESCALATION_AFTER,
    SETTING_WARNING_SHARE,
    ClockName,
)


def _escalation_after(value: Any) -> list[float]:
    ok = (
        isinstance(value, list)
        and len(value) == 3
        and all(isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in value)
        and value == sorted(value)
    )
    if not ok:
        raise ValueError("three shares, each at least 0 and none smaller than the one before")
    return value


def _gateway(value: Any) -> dict:
    if not isinstance(value, dict):
        raise ValueError('an object such as {"kind": "file"} or {"kind": "http", "url": ...}')
    try:
        from db.notices.settings import gateway_config
    except ImportError:
        return value
    problem = getattr(gateway_config(value), "problem", "")
    if problem:
        raise ValueError(problem)
    return value


def _retry(value: Any) -> dict:
    if not isinstance(value, dict) or set(value) - {"max_attempts", "backoff_seconds"}:
        raise ValueError('{"max_attempts": 1..100, "backoff_seconds": [seconds, ...]}')
    int_between(1, 100)(value.get("max_attempts", 5))
    steps = value.get("backoff_seconds", [60])
    if not isinstance(steps, list) or not steps:
        raise ValueError("backoff_seconds: a list of waits in seconds")
    for step in steps:
        int_between(0, 7 * 86_400)(step)
    return value


_FALLBACKS: list[tuple[str, Any, Any, str]] = [
    (
        SETTING_WARNING_SHARE,
        number_between(0, 1),
        DEFAULT_SLA_SETTINGS.warning_share,
        "A running clock warns when at most this share of its target is left.",
    ),
    (
        SETTING_ESCALATION_AFTER,
        _escalation_after,
        list(DEFAULT_SLA_SETTINGS.escalation_after),
        "How late (as a share of the target) a clock must be to reach escalation levels 1-3.",
    ),
    (
        SETTING_ESCALATING_CLOCKS,
        subset_of(c.value for c in ClockName),
        list(DEFAULT_SLA_SETTINGS.escalating_clocks),
        "Which clocks escalate automatically: citizen, unit, response.",
    ),
    (
        SETTING_CLAIM_MINUTES,
        int_between(1, 24 * 60),
        DEFAULT_CLAIM_MINUTES,
        "Minutes a follow-up agent holds a claimed request.",
    ),
    (
        "incidents.suggest_calls",
        int_between(2, 10_000),
        5,
        "Calls in one category and district that suggest declaring an incident.",
    ),
    (
        "incidents.suggest_minutes",
        int_between(1, 24 * 60),
        30,
        "Within how many minutes those calls must come.",
    ),
    ("notices.gateway", _gateway, {"kind": "file"}, "The SMS gateway: file spool or HTTP."),
    (
        "notices.retry",
        _retry,
        {"max_attempts": 5, "backoff_seconds": [60, 300, 900, 3600]},
        "Attempts before a message fails, and the waits between them.",
    ),
    (
        "notices.approval_threshold",
        int_between(0, 10_000_000),
        500,
        "Campaigns with more recipients need a supervisor's approval.",
    ),
    (
        "notices.lease_seconds",
        int_between(10, 86_400),
        300,
        "Seconds a sender holds a claimed message.",
    ),
    (
        "notices.sms_max_parts",
        int_between(1, 20),
        2,
        "A preview warns when an SMS needs more parts than this.",
    ),
    (
        "notices.center_name",
        text_up_to(120),
        "",
        "The center's name in notices; its Persian name when empty.",
    ),
]

for _key, _validate, _default, _description in _FALLBACKS:
    register_setting(_key, _validate, default=_default, description=_description, fallback=True)
