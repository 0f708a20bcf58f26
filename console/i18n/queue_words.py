"""The follow-up queue's words: short status names and clock texts that fit a table column."""

from console.i18n import N_, _, lang_digits
from db.sla import ClockView

__all__ = ["SHORT_STATUS", "clock_text", "short_status"]

#: Status names short enough for the queue's status column (intake_words has the long ones).
SHORT_STATUS: dict[str, str] = {
    "registered": N_("New"),
    "referred": N_("Referred"),
    "in_progress": N_("At unit"),
    "unit_answered": N_("Answered"),
    "accepted": N_("Accepted"),
    "awaiting_feedback": N_("Feedback"),
    "rejected": N_("Sent back"),
    "pending_subscriber": N_("Waiting"),
    "closed": N_("Closed"),
    "cancelled": N_("Cancelled"),
}


def short_status(status: str) -> str:
    return _(SHORT_STATUS[status]) if status in SHORT_STATUS else status


def _hours_minutes(minutes: int) -> str:
    hours, mins = divmod(abs(minutes), 60)
    if hours >= 24:
        return lang_digits(_("{days}d").format(days=hours // 24))
    return lang_digits(f"{hours}:{mins:02d}")


def clock_text(clock: ClockView) -> str:
    """`19:00` left, `late 2:05`, `paused`, or a dash when the category sets no target."""
    if clock.state == "paused":
        return _("paused")
    if clock.minutes_left is None:
        return "-"
    if clock.overdue or clock.minutes_left < 0:
        return _("late {time}").format(time=_hours_minutes(clock.minutes_left))
    return _hours_minutes(clock.minutes_left)
