"""A center's feedback settings: how often a callback is tried, and the electronic survey.

Read from CenterSetting rows on every use, so a supervisor's change applies to the next attempt;
a missing or malformed value falls back to its default rather than stopping the callbacks desk.

- ``callbacks.retry``: ``{"max_attempts": 3, "gap_minutes": 120, "office_hours_only": true,
  "calendar": "office"}``. After ``max_attempts`` failed attempts the result goes by SMS. The
  next attempt is due ``gap_minutes`` later, counted on the center's calendar ``calendar``
  (working minutes: nobody is called at night or on a holiday) when ``office_hours_only``, else
  in plain minutes.
- ``surveys.sms``: ``{"after_sms_result": true, "code_length": 6}``. Whether a result that went
  by SMS is followed by the electronic survey, and how many digits its short code has.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from db.sla import load_center_settings

SETTING_RETRY = "callbacks.retry"
SETTING_SMS_SURVEY = "surveys.sms"

DEFAULT_MAX_ATTEMPTS = 3
DEFAULT_GAP_MINUTES = 120
DEFAULT_CALENDAR = "office"
DEFAULT_CODE_LENGTH = 6
MIN_CODE_LENGTH = 5
MAX_CODE_LENGTH = 10


@dataclass(frozen=True)
class RetryPolicy:
    """How a callback is retried (``callbacks.retry``)."""

    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    gap_minutes: int = DEFAULT_GAP_MINUTES
    office_hours_only: bool = True
    calendar: str = DEFAULT_CALENDAR


@dataclass(frozen=True)
class SmsSurveyPolicy:
    """The electronic survey (``surveys.sms``)."""

    after_sms_result: bool = True
    code_length: int = DEFAULT_CODE_LENGTH


@dataclass(frozen=True)
class FeedbackSettings:
    retry: RetryPolicy = RetryPolicy()
    sms_survey: SmsSurveyPolicy = SmsSurveyPolicy()


def _int(value: Any, default: int, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return default
    return value


def _bool(value: Any, default: bool) -> bool:
    return value if isinstance(value, bool) else default


def retry_policy(value: Any) -> RetryPolicy:
    """The policy of a ``callbacks.retry`` value; defaults for whatever is missing or malformed."""
    if not isinstance(value, dict):
        return RetryPolicy()
    calendar = value.get("calendar")
    return RetryPolicy(
        max_attempts=_int(value.get("max_attempts"), DEFAULT_MAX_ATTEMPTS, 1, 20),
        gap_minutes=_int(value.get("gap_minutes"), DEFAULT_GAP_MINUTES, 0, 14 * 24 * 60),
        office_hours_only=_bool(value.get("office_hours_only"), True),
        calendar=calendar.strip()
        if isinstance(calendar, str) and calendar.strip()
        else DEFAULT_CALENDAR,
    )


def sms_survey_policy(value: Any) -> SmsSurveyPolicy:
    """The policy of a ``surveys.sms`` value; defaults for whatever is missing or malformed."""
    if not isinstance(value, dict):
        return SmsSurveyPolicy()
    return SmsSurveyPolicy(
        after_sms_result=_bool(value.get("after_sms_result"), True),
        code_length=_int(
            value.get("code_length"), DEFAULT_CODE_LENGTH, MIN_CODE_LENGTH, MAX_CODE_LENGTH
        ),
    )


def load_feedback_settings(session: Session, center_id: uuid.UUID) -> FeedbackSettings:
    """The center's feedback settings from CenterSetting rows; defaults where unset."""
    values = load_center_settings(session, center_id, (SETTING_RETRY, SETTING_SMS_SURVEY))
    return FeedbackSettings(
        retry=retry_policy(values.get(SETTING_RETRY)),
        sms_survey=sms_survey_policy(values.get(SETTING_SMS_SURVEY)),
    )
