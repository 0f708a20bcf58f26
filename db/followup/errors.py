"""The one exception of follow-up: a refused operation with a stable ``reason``.

Every follow-up module raises it and the console catches and translates it; it lives apart so
neither needs the state machine to name it. Missing roles raise
:class:`db.accounts.PermissionDenied` instead.
"""

from typing import Any


class FollowupError(Exception):
    """A refused follow-up operation. ``reason`` is a stable code the console translates.

    Reasons (params): not_found (what, id); stale (changed_by, changed_by_id, changed_at,
    action, version); illegal_transition (from_status, action); unknown_action (action);
    unknown_status (status); note_required (action); too_long (max); unit_required;
    unit_inactive (unit_id); reason_required / bad_reason (allowed, given);
    duplicate_of_required; duplicate_of_self; duplicate_of_invalid (tracking_code);
    parent_required; parent_self; parent_closed (tracking_code); parent_cycle; already_linked;
    not_linked; bad_level (level, current); max_level; bad_data (key, action: a keyword
    another action takes, or one only the code writes, or not JSON); not_open (status);
    claimed (by, by_id, until); not_with_unit (tracking_code, status); promise_in_past
    (promised_at); nothing_to_log.
    """

    def __init__(self, reason: str, message: str = "", **params: Any) -> None:
        self.reason = reason
        self.params = params
        super().__init__(message or (f"{reason}: {params}" if params else reason))
