"""The one exception of incidents: a refused operation with a stable ``reason``.

It lives apart so every incident module (and the notices the incidents queue) can raise it
without importing the rest. Missing roles raise :class:`db.accounts.PermissionDenied` instead.
"""

from typing import Any


class IncidentError(Exception):
    """A refused incident operation. ``reason`` is a stable code the console translates.

    Reasons (params): not_found (what, id); stale (changed_by, changed_by_id, changed_at,
    action, version); closed (title); bad_kind (kind); required (field); too_long (field, max);
    naive_time (field); no_area; bad_area (index: an area with neither district nor street);
    district_not_found (id); unit_not_found (id); eta_before_start; nothing_changed;
    bad_status (status); center_required.
    """

    def __init__(self, reason: str, message: str = "", **params: Any) -> None:
        self.reason = reason
        self.params = params
        super().__init__(message or (f"{reason}: {params}" if params else reason))
