"""A center's settings (CenterSetting rows, JSON per key) and the registry that checks them.

Each unit reads its own keys where it needs them (``db.sla.load_center_settings``), falling back
to a default when a value is missing or malformed, so a typo never stops the desk. This module
is the other side: an admin *writes* a setting only through :func:`set_setting`, which refuses a
key nobody registered (``unknown_setting``) and a value its validator rejects (``bad_setting``
with the validator's ``problem``), and writes an audit row with the value before and after.

A unit registers its keys with :func:`register_setting` at import, next to its reader::

    from db.admin.settings import int_between, register_setting

    register_setting("callbacks.retry_minutes", int_between(1, 1440), default=60,
                     description="Minutes between two attempts to reach a subscriber.")

A validator takes the JSON value and returns the value to store (it may normalise it) or raises
``ValueError`` with a short English ``problem``. The last registration of a key wins, so a
unit's own registration replaces the fallbacks of :mod:`db.admin.setting_keys` (for the keys
of units written before this registry: sla, followup, incidents, notices). Modules listed in
:data:`SETTING_MODULES` are imported when the registry is first read, so their keys are known
even when nothing else imported them yet.
"""

import importlib
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from db.accounts import AgentView
from db.admin.changes import record_change
from db.admin.errors import AdminError
from db.admin.scope import admin_center
from db.models import CenterSetting, utcnow

Validator = Callable[[Any], Any]

#: Modules that register settings; imported (if present) before the registry is read.
SETTING_MODULES: tuple[str, ...] = (
    "db.followup.settings",
    "db.incidents.settings",
    "db.notices.settings",
    "db.feedback.settings",
    "db.reports.settings",
)

MAX_VALUE_BYTES = 8000


@dataclass(frozen=True)
class SettingSpec:
    key: str
    validate: Validator
    default: Any
    description: str


@dataclass(frozen=True)
class SettingView:
    """A setting as the admin sees it: the stored value (None when unset), the default that
    applies then, and whether any unit knows the key (``known``: a stored key no module
    registers is shown, so it can be cleared)."""

    key: str
    value: Any
    default: Any
    is_set: bool
    known: bool
    description: str
    updated_at: datetime | None

    @property
    def effective(self) -> Any:
        return self.value if self.is_set else self.default


_REGISTRY: dict[str, SettingSpec] = {}
_loaded = False


def register_setting(
    key: str,
    validate: Validator,
    *,
    default: Any = None,
    description: str = "",
    fallback: bool = False,
) -> SettingSpec:
    """Make ``key`` settable, checked by ``validate``. The last registration wins, except that
    a ``fallback`` never replaces one already there. Returns the spec in force."""
    if not key or len(key) > 64 or key != key.strip():
        raise ValueError(f"setting keys have 1 to 64 characters, no outer spaces: {key!r}")
    if fallback and key in _REGISTRY:
        return _REGISTRY[key]
    spec = SettingSpec(key, validate, default, description)
    _REGISTRY[key] = spec
    return spec


def _load_modules() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for name in (*SETTING_MODULES, "db.admin.setting_keys"):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name is None or not name.startswith(error.name):
                raise


def known_settings() -> list[SettingSpec]:
    """Every registered setting, by key."""
    _load_modules()
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


def setting_spec(key: str) -> SettingSpec:
    """The registered setting ``key``. Errors: unknown_setting (key)."""
    _load_modules()
    spec = _REGISTRY.get(key.strip())
    if spec is None:
        raise AdminError("unknown_setting", key=key)
    return spec


# Validators for the common shapes -------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def int_between(low: int, high: int) -> Validator:
    """A whole number from ``low`` to ``high``."""

    def check(value: Any) -> int:
        if not _is_int(value) or not low <= value <= high:
            raise ValueError(f"a whole number from {low} to {high}")
        return value

    return check


def number_between(low: float, high: float) -> Validator:
    """A number (whole or not) from ``low`` to ``high``."""

    def check(value: Any) -> float:
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not low <= value <= high:
            raise ValueError(f"a number from {low} to {high}")
        return value

    return check


def text_up_to(max_length: int, *, required: bool = False) -> Validator:
    """A string of at most ``max_length`` characters, outer spaces stripped."""

    def check(value: Any) -> str:
        if not isinstance(value, str) or len(value.strip()) > max_length:
            raise ValueError(f"a text of at most {max_length} characters")
        if required and not value.strip():
            raise ValueError("a text that is not empty")
        return value.strip()

    return check


def subset_of(allowed: Iterable[str]) -> Validator:
    """A list of distinct names, each one of ``allowed``."""
    choices = tuple(allowed)

    def check(value: Any) -> list[str]:
        if not isinstance(value, list) or not all(v in choices for v in value):
            raise ValueError(f"a list of: {', '.join(choices)}")
        return list(dict.fromkeys(value))

    return check


# Reading and writing -------------------------------------------------------------------


def _view(key: str, row: CenterSetting | None) -> SettingView:
    _load_modules()
    spec = _REGISTRY.get(key)
    return SettingView(
        key=key,
        value=row.value if row is not None else None,
        default=spec.default if spec else None,
        is_set=row is not None,
        known=spec is not None,
        description=spec.description if spec else "",
        updated_at=row.updated_at if row is not None else None,
    )


def list_settings(
    session: Session, *, actor: AgentView | None, center_code: str | None = None
) -> list[SettingView]:
    """Every registered setting of the center, and any stored key nobody registers."""
    center = admin_center(session, actor, center_code, action="list settings")
    rows = {
        row.key: row
        for row in session.exec(
            select(CenterSetting)
            .where(CenterSetting.center_id == center.id)
            .order_by(col(CenterSetting.key))
        )
    }
    keys = sorted({spec.key for spec in known_settings()} | set(rows))
    return [_view(key, rows.get(key)) for key in keys]


def get_setting(
    session: Session, *, actor: AgentView | None, key: str, center_code: str | None = None
) -> SettingView:
    center = admin_center(session, actor, center_code, action="read settings")
    return _view(key.strip(), session.get(CenterSetting, (center.id, key.strip())))


def _checked(spec: SettingSpec, value: Any) -> Any:
    try:
        checked = spec.validate(value)
        encoded = json.dumps(checked, ensure_ascii=False)
    except (ValueError, TypeError) as error:
        raise AdminError("bad_setting", key=spec.key, problem=str(error)) from None
    if len(encoded.encode()) > MAX_VALUE_BYTES:
        raise AdminError("bad_setting", key=spec.key, problem="the value is too large")
    return checked


def set_setting(
    session: Session,
    *,
    actor: AgentView | None,
    key: str,
    value: Any,
    center_code: str | None = None,
) -> SettingView:
    """Store a checked value for ``key`` in the center. Errors: unknown_setting (key),
    bad_setting (key, problem)."""
    center = admin_center(session, actor, center_code, action="change settings")
    spec = setting_spec(key)
    checked = _checked(spec, value)
    row = session.get(CenterSetting, (center.id, spec.key))
    before = row.value if row is not None else None
    if row is not None and row.value == checked:
        return _view(spec.key, row)
    if row is None:
        row = CenterSetting(center_id=center.id, key=spec.key, value=checked)
    else:
        row.value = checked
        row.updated_at = utcnow()
    session.add(row)
    _record(session, actor, center.id, spec.key, "setting_changed", before, checked)
    return _view(spec.key, row)


def clear_setting(
    session: Session, *, actor: AgentView | None, key: str, center_code: str | None = None
) -> SettingView:
    """Remove the center's value for ``key``, so its default applies again (a key nobody
    registers any more may be cleared too)."""
    center = admin_center(session, actor, center_code, action="change settings")
    key = key.strip()
    row = session.get(CenterSetting, (center.id, key))
    if row is None:
        if key not in _REGISTRY:
            setting_spec(key)  # raises unknown_setting
        return _view(key, None)
    before = row.value
    session.delete(row)
    _record(session, actor, center.id, key, "setting_cleared", before, None)
    return _view(key, None)


def _record(
    session: Session,
    actor: AgentView | None,
    center_id: uuid.UUID,
    key: str,
    action: str,
    before: Any,
    after: Any,
) -> None:
    record_change(
        session,
        actor=actor,
        action=action,
        entity="center_setting",
        entity_id=key,
        center_id=center_id,
        changes={key: [before, after]},
    )
    session.flush()
