"""The callbacks desk's words: attempt outcomes, what happens after one, and feedback's refusals.

`db.feedback` answers with stable codes and frozen views (an `AttemptResult`, a `SurveyView`, a
`FeedbackError` with its reason and params); these functions say them in the surveyor's
language, so the worklist, the callback, the survey and the SMS replies speak alike.
"""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from console.i18n import N_, _, current_language, lang_digits
from console.i18n.intake_words import grouped_code, local_name, status_name, when_text
from db.feedback import AttemptResult, CallbackView, SurveyView
from db.jalali import format_date, format_time, weekday_name

__all__ = [
    "FLAG_NAMES",
    "OUTCOME_NAMES",
    "attempt_text",
    "callback_status_name",
    "feedback_error_text",
    "next_try_text",
    "outcome_name",
    "subject_text",
    "survey_text",
]

#: Attempt outcomes (db.models.AttemptOutcome) as a surveyor says them.
OUTCOME_NAMES: dict[str, str] = {
    "reached": N_("Reached"),
    "no_answer": N_("No answer"),
    "busy": N_("Busy"),
    "wrong_number": N_("Wrong number"),
    "refused": N_("Refused"),
}

#: Why an SMS reply waits for a person (db.feedback.FLAG_REASONS).
FLAG_NAMES: dict[str, str] = {
    "no_code": N_("no survey code"),
    "unknown_code": N_("unknown survey code"),
    "already_done": N_("survey already answered"),
    "bad_format": N_("too few or too many numbers"),
    "bad_value": N_("a number off its scale"),
    "wrong_sender": N_("sent from another phone"),
}

_CALLBACK_STATUS: dict[str, str] = {
    "due": N_("to be made"),
    "done": N_("made"),
    "sms_sent": N_("result sent by SMS"),
    "cancelled": N_("cancelled"),
}

# FeedbackError reasons (db/feedback/errors.py) a surveyor can meet, in their words.
_REFUSALS: dict[str, str] = {
    "not_found": N_("This callback is not in this center."),
    "bad_outcome": N_("Not an outcome of a call."),
    "too_long": N_("Too long: at most {max} characters."),
    "no_questionnaire": N_("No questionnaire fits this request."),
    "unknown_question": N_("The questionnaire changed: open the survey again."),
    "answer_required": N_("Answer every question, or press Ctrl+X if the subscriber hung up."),
    "bad_answer": N_("That answer is off the question's scale."),
    "already_surveyed": N_("This survey was already answered."),
    "not_flagged": N_("Someone has already dealt with this reply."),
}
_REFUSED = N_("Not saved ({reason}).")


def outcome_name(outcome: str) -> str:
    return _(OUTCOME_NAMES[outcome]) if outcome in OUTCOME_NAMES else outcome


def callback_status_name(status: str) -> str:
    return _(_CALLBACK_STATUS[status]) if status in _CALLBACK_STATUS else status


def next_try_text(at: datetime, now: datetime) -> str:
    """When the next try is: `16:30` today, `Saturday 10:30` this week, else the date."""
    lang = current_language()
    if format_date(at, lang) == format_date(now, lang):
        return format_time(at, lang)
    if timedelta(0) <= at - now < timedelta(days=6):
        return _("{day} {time}").format(day=weekday_name(at, lang), time=format_time(at, lang))
    return when_text(at, now=now)


def subject_text(view: CallbackView) -> str:
    """Who and what a callback is about: `Ali Rezaei · request 131 05 000123 4`."""
    about = (
        _("request {code}").format(code=grouped_code(view.tracking_code))
        if view.tracking_code
        else _("incident “{title}”").format(title=view.incident_title)
        if view.incident_title
        else ""
    )
    return " · ".join(part for part in (view.name, about) if part)


def attempt_text(result: AttemptResult, now: datetime) -> str:
    """What recording an attempt did, and what happens next."""
    outcome = outcome_name(result.outcome)
    if result.outcome == "reached":
        return _("The result was told; the request is closed.")
    if result.outcome == "wrong_number":
        return _("Wrong number: no more calls; the request is closed without the result told.")
    if not result.final:
        return _("{outcome}. Next try {when}.").format(
            outcome=outcome, when=next_try_text(result.callback.due_at, now)
        )
    if result.callback.status == "sms_sent":
        text = _("{outcome}. The result goes by SMS instead; the request is closed.").format(
            outcome=outcome
        )
        if result.survey is not None:
            text += " " + _("The SMS survey follows it.")
        return text
    return _(
        "{outcome}. No more calls, and no mobile number for an SMS: the request is closed "
        "without the result told."
    ).format(outcome=outcome)


def survey_text(view: SurveyView) -> str:
    """What a saved survey did to its request."""
    if view.ticket_action == "reopened":
        return _("Not resolved: the request goes back to follow-up as a complaint.")
    if view.ticket_action == "closed":
        return _("Resolved: survey saved and the request closed.")
    if view.ticket_status:
        return _("Survey saved; the request stays “{status}”.").format(
            status=status_name(view.ticket_status)
        )
    return _("Survey saved.")


def _who_when(name: str, at: datetime | None, now: datetime) -> str:
    return _("{name} at {time}").format(
        name=name or _("the system"), time=when_text(at, now=now) if at else "-"
    )


def feedback_error_text(
    reason: str, params: Mapping[str, Any] | None = None, *, now: datetime
) -> str:
    """A refused feedback operation (`FeedbackError.reason` and `params`) in the surveyor's words.

    `stale` says who recorded the callback first and when; `not_due` says what became of it.
    """
    params = params or {}
    if reason == "stale":
        at = params.get("changed_at")
        return _(
            "Already recorded by {who_when}: the callback was read again; check it and try again."
        ).format(
            who_when=_who_when(
                str(params.get("changed_by") or ""),
                at if isinstance(at, datetime) else None,
                now,
            )
        )
    if reason == "not_due":
        return _("This callback is no longer to be made: {status}.").format(
            status=callback_status_name(str(params.get("status") or ""))
        )
    if reason not in _REFUSALS:
        return _(_REFUSED).format(reason=reason)
    limit = params.get("max")
    return _(_REFUSALS[reason]).format(max=lang_digits(str(limit)) if limit is not None else "")


def last_attempt_text(view: CallbackView, now: datetime) -> str:
    """`Last try: No answer, by Elham Sharifi at 14:05.`; empty when there was none."""
    if not view.attempts:
        return ""
    last = view.attempts[-1]
    return _("Last try: {outcome}, by {who_when}.").format(
        outcome=outcome_name(last.outcome), who_when=_who_when(last.agent_name, last.at, now)
    )


def category_text(view: CallbackView) -> str:
    return local_name(view.category_name_fa, view.category_name_en)
