"""The one exception of the admin operations: a refused change with a stable ``reason``.

The console catches it and translates ``reason`` with ``params``; missing roles raise
:class:`db.accounts.PermissionDenied` and user-account refusals :class:`db.accounts.AccountError`
(their codes predate this package), so one admin screen handles three exception types.
"""

from typing import Any


class AdminError(Exception):
    """A refused admin operation. ``reason`` is a stable code the console translates.

    Reasons (params): not_found (what, code); duplicate (what, code); bad_code (what, code);
    required (field); too_long (field, max); bad_value (field, value, detail?); unknown_center
    (code); center_required; other_center (what, code); inactive (what, code); in_use (what,
    code, tables: a calendar has no "inactive" state, so one in use cannot be removed);
    stale (what, code); resolution_before_response (response, resolution); bad_hours
    (weekday); unknown_setting (key); bad_setting (key, problem); bad_file (problem, path);
    missing_columns (columns).
    """

    def __init__(self, reason: str, message: str = "", **params: Any) -> None:
        self.reason = reason
        self.params = params
        super().__init__(message or (f"{reason}: {params}" if params else reason))
