"""The one exception of reports: a refused report with a stable ``reason``.

The console translates the reason; a missing role raises :class:`db.accounts.PermissionDenied`
instead, as everywhere else.
"""

from typing import Any


class ReportError(Exception):
    """A report that cannot be made. ``reason`` is a stable code the console translates.

    Reasons (params): unknown_report (name, known); bad_date (field: "from" | "to", problem: a
    :class:`db.jalali.JalaliParseError` reason, text); bad_period (first, last: the dates);
    unknown_center (code); center_required; other_center (code); unknown_unit (code);
    no_unit_filter (name): the report is not about requests, so a unit cannot narrow it.
    """

    def __init__(self, reason: str, message: str = "", **params: Any) -> None:
        self.reason = reason
        self.params = params
        super().__init__(message or (f"{reason}: {params}" if params else reason))
