"""Feedback (unit c): callbacks that tell subscribers the result, and the surveys that follow.

A callback task is made when a unit's answer is accepted (by :func:`db.followup.transition`, in
the same transaction) or when an incident closes for a caller who asked to be called
(:func:`create_callback`). The surveyor's worklist (:func:`due_callbacks`) shows due tasks,
oldest first, with the script to read: what the unit did. Each try is recorded with its outcome
(:func:`record_attempt`): no answer or busy waits for the next try, ``max_attempts`` tries
``gap_minutes`` apart on the center's office calendar (``callbacks.retry``); after the last
one, or a refusal, the result goes out as an SMS through the notices outbox instead, followed by
the electronic survey. Reached, the subscriber hears the result and answers the phone survey
(:func:`record_survey`): resolved closes the request, "not resolved" reopens it as a complaint
for its unit with the answers in the event's data. Requests change only through
:func:`db.followup.transition` (:mod:`~db.feedback.settle`).

Questionnaires are data an administrator edits (:mod:`~db.feedback.questionnaires`): questions,
answer scales (yes/no, 1-5, text) and the category groups they serve; nothing an answer points
at is deleted. The electronic survey (:mod:`~db.feedback.electronic`) sends a short code and a
reply format by SMS; replies read from the gateway (:mod:`~db.feedback.inbox`) are matched,
stored, and the unreadable ones kept for a person with the reason.

Errors are :class:`FeedbackError` with a stable ``reason`` and ``params``; missing roles raise
:class:`db.accounts.PermissionDenied`; a request changed under a survey raises
:class:`db.followup.FollowupError` ("stale"). Working the callbacks desk needs
:data:`SURVEY_ROLES` (surveyor, supervisor); editing questionnaires, an administrator.

The package's modules, each importable on its own; this module re-exports the public names:

- :mod:`~db.feedback.errors`: FeedbackError.
- :mod:`~db.feedback.settings`: ``callbacks.retry`` and ``surveys.sms``.
- :mod:`~db.feedback.records`: reading callbacks, the guarded write, retry timing.
- :mod:`~db.feedback.views`: the returned values and the building of callback views.
- :mod:`~db.feedback.texts`: the Persian notes and SMS texts feedback writes.
- :mod:`~db.feedback.settle`: closing and reopening the request.
- :mod:`~db.feedback.callbacks`: create_callback, due_callbacks, record_attempt.
- :mod:`~db.feedback.surveys`: record_survey and the checking of answers.
- :mod:`~db.feedback.questionnaires`: questionnaire_for and the admin's edits.
- :mod:`~db.feedback.electronic`: the SMS survey sent.
- :mod:`~db.feedback.replies`: its replies read, matched, or kept for a person.
- :mod:`~db.feedback.inbox`: reading replies from the gateway.
"""

from db.feedback.callbacks import (
    FINAL_OUTCOMES,
    OUTCOMES,
    callback_detail,
    create_callback,
    due_callbacks,
    record_attempt,
)
from db.feedback.electronic import send_electronic_survey
from db.feedback.errors import FeedbackError
from db.feedback.inbox import InboxBatch, archive, fetch_inbox
from db.feedback.questionnaires import (
    QuestionInput,
    add_question,
    create_questionnaire,
    install_default_questionnaire,
    list_questionnaires,
    questionnaire_for,
    reorder_questions,
    retire_question,
    update_question,
    update_questionnaire,
)
from db.feedback.records import SURVEY_ROLES, center_for, next_attempt_at
from db.feedback.replies import (
    FLAG_REASONS,
    answer_reply,
    dismiss_reply,
    read_answers,
    read_replies,
    replies_for_review,
    store_reply,
)
from db.feedback.settings import (
    SETTING_RETRY,
    SETTING_SMS_SURVEY,
    FeedbackSettings,
    RetryPolicy,
    SmsSurveyPolicy,
    load_feedback_settings,
)
from db.feedback.surveys import check_answers, record_survey
from db.feedback.views import (
    AttemptResult,
    AttemptView,
    CallbackView,
    ElectronicSurveyView,
    QuestionnaireView,
    QuestionView,
    ReplyReport,
    ReplyView,
    SurveyView,
    WorklistCursor,
    WorklistPage,
)

__all__ = [
    "FINAL_OUTCOMES",
    "FLAG_REASONS",
    "OUTCOMES",
    "SETTING_RETRY",
    "SETTING_SMS_SURVEY",
    "SURVEY_ROLES",
    "AttemptResult",
    "AttemptView",
    "CallbackView",
    "ElectronicSurveyView",
    "FeedbackError",
    "FeedbackSettings",
    "InboxBatch",
    "QuestionInput",
    "QuestionView",
    "QuestionnaireView",
    "ReplyReport",
    "ReplyView",
    "RetryPolicy",
    "SmsSurveyPolicy",
    "SurveyView",
    "WorklistCursor",
    "WorklistPage",
    "add_question",
    "answer_reply",
    "archive",
    "callback_detail",
    "center_for",
    "check_answers",
    "create_callback",
    "create_questionnaire",
    "dismiss_reply",
    "due_callbacks",
    "fetch_inbox",
    "install_default_questionnaire",
    "list_questionnaires",
    "load_feedback_settings",
    "next_attempt_at",
    "questionnaire_for",
    "read_answers",
    "read_replies",
    "record_attempt",
    "record_survey",
    "reorder_questions",
    "replies_for_review",
    "retire_question",
    "send_electronic_survey",
    "store_reply",
    "update_question",
    "update_questionnaire",
]
