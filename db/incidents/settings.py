"""A center's incident settings: when a burst of calls suggests declaring an incident.

Read from CenterSetting rows on every use (a supervisor's change applies at once); a missing or
malformed value falls back to the default rather than hiding suggestions.
"""

import uuid
from dataclasses import dataclass

from sqlmodel import Session

from db.sla import load_center_settings

SETTING_SUGGEST_CALLS = "incidents.suggest_calls"
SETTING_SUGGEST_MINUTES = "incidents.suggest_minutes"

DEFAULT_SUGGEST_CALLS = 5
DEFAULT_SUGGEST_MINUTES = 30


@dataclass(frozen=True)
class IncidentSettings:
    """``suggest_calls`` calls in one category from one district within ``suggest_minutes``
    minutes, none of them linked to an incident, make a suggestion to declare one."""

    suggest_calls: int = DEFAULT_SUGGEST_CALLS
    suggest_minutes: int = DEFAULT_SUGGEST_MINUTES


def _int(value: object, default: int, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return default
    return value


def load_incident_settings(session: Session, center_id: uuid.UUID) -> IncidentSettings:
    """The center's settings; defaults where unset or malformed."""
    values = load_center_settings(
        session, center_id, (SETTING_SUGGEST_CALLS, SETTING_SUGGEST_MINUTES)
    )
    return IncidentSettings(
        suggest_calls=_int(values.get(SETTING_SUGGEST_CALLS), DEFAULT_SUGGEST_CALLS, 2, 10_000),
        suggest_minutes=_int(
            values.get(SETTING_SUGGEST_MINUTES), DEFAULT_SUGGEST_MINUTES, 1, 24 * 60
        ),
    )
