"""Settings: the file in the user's config dir < ABFA_DESK_* environment < command-line flags.

The file is TOML, e.g. ~/.config/abfa-desk/settings.toml:

    db = "postgresql://desk@province-db/abfa"
    lang = "fa"
    bidi = "app"

    [keys]            # remap an action id to other keys
    mode_intake = "f2,ctrl+1"
"""

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from platformdirs import user_config_path, user_log_path
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from console.i18n import default_language
from db.engine import APP_NAME, default_url

Language = Literal["fa", "en"]
BidiMode = Literal["app", "terminal"]


def settings_file() -> Path:
    override = os.environ.get("ABFA_DESK_SETTINGS")
    return (
        Path(override)
        if override
        else user_config_path(APP_NAME, appauthor=False) / "settings.toml"
    )


def log_file() -> Path:
    return user_log_path(APP_NAME, appauthor=False) / "console.log"


class SettingsError(Exception):
    """A settings file or value that cannot be used, explained in one line."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ABFA_DESK_", extra="ignore")

    db: str = ""
    lang: Language = Field(default_factory=default_language)
    bidi: BidiMode = "app"
    # action id -> comma-separated keys, applied with App.set_keymap.
    keys: dict[str, str] = Field(default_factory=dict)
    # How often live screens re-poll a SQLite database (PostgreSQL uses LISTEN/NOTIFY).
    poll_seconds: float = Field(default=2.0, gt=0)
    # How often an open console runs the SLA tick (escalations, expired claims); 0: never, for
    # a center that runs `abfa-desk sla tick` from cron instead.
    tick_seconds: float = Field(default=60.0, ge=0)

    @field_validator("lang", mode="before")
    @classmethod
    def _lower_lang(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @property
    def database_url(self) -> str:
        return self.db or default_url()

    @property
    def uses_default_database(self) -> bool:
        return not self.db


def _read_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"cannot read settings file {path}: {exc}") from exc


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the file, the environment and the given (non-None) overrides."""
    from_file = _read_file(settings_file())
    flags = {k: v for k, v in overrides.items() if v is not None}
    try:
        env_only = Settings()  # environment and defaults
        explicit_env = {k for k in Settings.model_fields if f"ABFA_DESK_{k.upper()}" in os.environ}
        merged = {**from_file, **{k: getattr(env_only, k) for k in explicit_env}, **flags}
        return Settings.model_validate({**env_only.model_dump(), **merged})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise SettingsError(f"bad setting {field!r}: {first['msg']}") from exc
