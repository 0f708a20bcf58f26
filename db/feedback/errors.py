"""The one exception of feedback: a refused operation with a stable ``reason``.

Callbacks, surveys, questionnaires and SMS replies all raise it; the console translates the
reason with its params. Missing roles raise :class:`db.accounts.PermissionDenied` instead, and a
request that changed under a survey raises :class:`db.followup.FollowupError` ("stale").
"""

from typing import Any


class FeedbackError(Exception):
    """A refused feedback operation. ``reason`` is a stable code the console translates.

    Reasons (params): not_found (what, id); center_required; unknown_center (code);
    not_due (status); stale (changed_by, changed_at, version); bad_outcome (outcome, allowed);
    too_long (field, max); bad_phone (phone); no_mobile (phone); no_questionnaire
    (category_group); unknown_question (code); answer_required (codes); bad_answer (code,
    scale, value); bad_code (code); duplicate_code (code); bad_groups (groups, allowed);
    bad_scale (scale, allowed); required (field); has_answers (code); not_yes_no (code);
    already_surveyed (survey_id); bad_order (codes); bad_reason (field); not_flagged (status).
    """

    def __init__(self, reason: str, message: str = "", **params: Any) -> None:
        self.reason = reason
        self.params = params
        super().__init__(message or (f"{reason}: {params}" if params else reason))
