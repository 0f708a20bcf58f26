"""A center's follow-up settings: how long a claim holds, and the SLA settings of :mod:`db.sla`.

Read from CenterSetting rows on every use, so a supervisor's change applies at once; a missing
or malformed value falls back to the default rather than breaking the queue.
"""

import uuid
from dataclasses import dataclass

from sqlmodel import Session

from db import sla
from db.sla import DEFAULT_SLA_SETTINGS, SlaSettings

SETTING_CLAIM_MINUTES = "followup.claim_minutes"

DEFAULT_CLAIM_MINUTES = 30


@dataclass(frozen=True)
class FollowupSettings:
    """A center's follow-up settings: claim length (``followup.claim_minutes``) and SLA."""

    claim_minutes: int = DEFAULT_CLAIM_MINUTES
    sla: SlaSettings = DEFAULT_SLA_SETTINGS


def load_followup_settings(session: Session, center_id: uuid.UUID) -> FollowupSettings:
    """The center's settings from CenterSetting rows; defaults where unset or malformed."""
    values = sla.load_center_settings(
        session,
        center_id,
        (
            SETTING_CLAIM_MINUTES,
            sla.SETTING_WARNING_SHARE,
            sla.SETTING_ESCALATION_AFTER,
            sla.SETTING_ESCALATING_CLOCKS,
        ),
    )
    minutes = values.get(SETTING_CLAIM_MINUTES)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 24 * 60:
        minutes = DEFAULT_CLAIM_MINUTES
    return FollowupSettings(claim_minutes=minutes, sla=sla.sla_settings_from(values))
