"""The one exception of notices: a refused operation with a stable ``reason``.

Templates, campaigns, the outbox and the gateways all raise it; the console translates the
reason with its params. Missing roles raise :class:`db.accounts.PermissionDenied` instead.
"""

from typing import Any


class NoticeError(Exception):
    """A refused notice operation. ``reason`` is a stable code the console translates.

    Reasons (params): not_found (what, id); required (field); too_long (field, max);
    bad_code (code); bad_channel (channel); duplicate (code, channel); bad_template (detail:
    unbalanced | positional | expression | format, field); unknown_placeholder (names);
    stale (what); inactive (what); not_sms (channel); bad_target (kind); bad_target_ref
    (what, id); bad_value (name); not_draft (status); no_recipients; missing_values (names,
    recipients); needs_supervisor (recipients, threshold); not_failed (status);
    gateway_config (detail); center_required; unknown_center (code).
    """

    def __init__(self, reason: str, message: str = "", **params: Any) -> None:
        self.reason = reason
        self.params = params
        super().__init__(message or (f"{reason}: {params}" if params else reason))
