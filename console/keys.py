"""Every key the console answers to, in one list.

The screens build their bindings from `KEYS`, the key bar and the help panel show those bindings,
and README's key table is `markdown_table()`, checked by `tests/console/test_keys_doc.py`, so the
documentation cannot drift from the code. Each key has a stable `id` that a user can remap in the
settings file (`[keys]` table, e.g. `mode_intake = "f2,ctrl+1"`), applied with `App.set_keymap`.

Descriptions and tooltips are English msgids marked with `N_`; `bindings()` translates them when
a screen is built, after the language is chosen.
"""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal, get_args

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

from console.i18n import N_, _

__all__ = [
    "KEYS",
    "SCOPES",
    "Key",
    "bindings",
    "install",
    "key_display",
    "key_name",
    "markdown_table",
    "widget_keys",
]

Scope = Literal[
    "app",
    "sign_in",
    "main",
    "intake",
    "picker",
    "card",
    "canned",
    "draft",
    "queue",
    "chase",
    "request",
    "filter",
    "incidents",
    "incident",
    "templates",
    "campaigns",
    "campaign",
    "outbox",
    "callbacks",
    "callback",
    "survey",
    "replies",
    "reports",
    "reports_unit",
    "reports_pick",
    "admin_users",
    "admin_units",
    "admin_categories",
    "admin_calendars",
    "admin_canned",
    "admin_settings",
    "admin_questionnaires",
    "admin_import",
    "admin_audit",
    "views",
    "wallboard",
]
"""Where a key works: the app, a screen, a mode's panel, or one of the intake widgets."""

SCOPES: tuple[Scope, ...] = get_args(Scope)
"""Every scope, in the order the help and the tests walk them."""


@dataclass(frozen=True)
class Key:
    """One bindable action: its stable id, default key, action and words (msgids)."""

    id: str
    key: str
    action: str
    description: str
    tooltip: str
    scope: Scope
    priority: bool = False
    mode: str | None = None
    """The console mode this key opens, if it opens one."""
    show: bool = True
    """Whether the key bar and the help panel list it (Enter and the arrows go without saying)."""


KEYS: tuple[Key, ...] = (
    Key(
        "sign_in",
        "enter",
        "sign_in",
        N_("Sign in"),
        N_("Check the username and password."),
        "sign_in",
    ),
    Key("help", "f1", "help", N_("Help"), N_("Show or hide this list of keys."), "main"),
    Key(
        "mode_intake",
        "f2",
        "open_mode('intake')",
        N_("Intake"),
        N_("Answer calls and register requests."),
        "main",
        mode="intake",
    ),
    Key(
        "mode_followup",
        "f3",
        "open_mode('followup')",
        N_("Follow-up"),
        N_("Chase requests with the units."),
        "main",
        mode="followup",
    ),
    Key(
        "mode_callbacks",
        "f4",
        "open_mode('callbacks')",
        N_("Callbacks"),
        N_("Call subscribers back and survey them."),
        "main",
        mode="callbacks",
    ),
    Key(
        "mode_notices",
        "f5",
        "open_mode('notices')",
        N_("Incidents & notices"),
        N_("Declare incidents and send notices."),
        "main",
        mode="notices",
    ),
    Key(
        "mode_reports",
        "f6",
        "open_mode('reports')",
        N_("Reports"),
        N_("Queues, service levels and surveys."),
        "main",
        mode="reports",
    ),
    Key(
        "mode_admin",
        "f7",
        "open_mode('admin')",
        N_("Admin"),
        N_("Users, roles, categories and calendars."),
        "main",
        mode="admin",
    ),
    Key(
        "sign_out",
        "ctrl+o",
        "sign_out",
        N_("Sign out"),
        N_("End your session; back to sign-in."),
        "main",
    ),
    # Intake: how a call ends. Control keys, because Persian keyboards type letters, and none
    # that a terminal keeps for itself (^C ^S ^Q ^Z, ^H ^I ^J ^M are Backspace/Tab/Enter).
    Key(
        "intake_register",
        "ctrl+r",
        "register",
        N_("Register"),
        N_("Register a request for this call and show its tracking code."),
        "intake",
    ),
    Key(
        "intake_answered",
        "ctrl+a",
        "answered",
        N_("Answered"),
        N_("Information given, no request: save the call."),
        "intake",
    ),
    Key(
        "intake_link_incident",
        "ctrl+l",
        "link_incident",
        N_("Link incident"),
        N_("Link the call to the active incident on the card instead of a new request."),
        "intake",
    ),
    Key(
        "intake_link_request",
        "ctrl+k",
        "link_request",
        N_("Link request"),
        N_("Add the call to the caller's open request instead of registering a duplicate."),
        "intake",
    ),
    Key(
        "intake_transferred",
        "ctrl+t",
        "transferred",
        N_("Transferred"),
        N_("The call was transferred: save it."),
        "intake",
    ),
    Key(
        "intake_dropped",
        "ctrl+d",
        "dropped",
        N_("Dropped"),
        N_("The line dropped or the caller hung up: save the call."),
        "intake",
    ),
    Key(
        "intake_line",
        "f9",
        "cycle_line",
        N_("Line"),
        N_("Change the line the call came in on: 122, 1523, then the other channels."),
        "intake",
    ),
    Key(
        "intake_callback",
        "ctrl+n",
        "toggle_callback",
        N_("Call back"),
        N_("Toggle: the caller wants a call back when the service is restored."),
        "intake",
    ),
    Key(
        "intake_other_request",
        "ctrl+g",
        "other_request",
        N_("Other request"),
        N_("The caller has several open requests: choose the one Ctrl+K adds this call to."),
        "intake",
    ),
    Key(
        "intake_answers",
        "f8",
        "canned_answers",
        N_("Answers"),
        N_("Search the ready answers; F8 again goes back to the caller card."),
        "intake",
    ),
    Key(
        "intake_enter",
        "enter",
        "enter",
        N_("Look up / next field"),
        N_("In the caller field: look up now. In the other fields: go to the next one."),
        "intake",
        show=False,
    ),
    Key(
        "card_pick",
        "enter",
        "pick",
        N_("Pick subscriber"),
        N_("Take the highlighted subscriber for this call (Up/Down or 1-9 choose)."),
        "card",
    ),
    Key(
        "card_up",
        "up",
        "move(-1)",
        N_("Previous subscriber"),
        N_("Highlight the previous subscriber."),
        "card",
        show=False,
    ),
    Key(
        "card_down",
        "down",
        "move(1)",
        N_("Next subscriber"),
        N_("Highlight the next subscriber."),
        "card",
        show=False,
    ),
    Key(
        "picker_pick",
        "enter",
        "pick",
        N_("Pick"),
        N_("Take the highlighted match and go to the next field."),
        "picker",
        show=False,
    ),
    Key(
        "picker_up",
        "up",
        "move(-1)",
        N_("Previous match"),
        N_("Highlight the previous match."),
        "picker",
        show=False,
    ),
    Key(
        "picker_down",
        "down",
        "move(1)",
        N_("Next match"),
        N_("Highlight the next match."),
        "picker",
        show=False,
    ),
    Key(
        "canned_use",
        "enter",
        "use",
        N_("Use answer"),
        N_("Put the highlighted answer into the call notes."),
        "canned",
    ),
    Key(
        "canned_up",
        "up",
        "move(-1)",
        N_("Previous answer"),
        N_("Highlight the previous answer."),
        "canned",
        show=False,
    ),
    Key(
        "canned_down",
        "down",
        "move(1)",
        N_("Next answer"),
        N_("Highlight the next answer."),
        "canned",
        show=False,
    ),
    Key(
        "draft_resume",
        "enter",
        "resume",
        N_("Resume"),
        N_("Go on with the unfinished call, everything typed kept."),
        "draft",
    ),
    Key(
        "draft_discard",
        "ctrl+d",
        "discard",
        N_("Discard"),
        N_("Throw the unfinished call away and start a new one."),
        "draft",
    ),
    # Follow-up queue (F3): control keys that neither intake nor a text field uses.
    Key(
        "queue_refresh",
        "ctrl+f",
        "refresh",
        N_("Refresh"),
        N_("Read the queue again now (it also refreshes by itself)."),
        "queue",
    ),
    Key(
        "queue_next_page",
        "ctrl+p",
        "next_page",
        N_("Next page"),
        N_("Show the next, less urgent page of the queue."),
        "queue",
    ),
    Key(
        "queue_first_page",
        "ctrl+b",
        "first_page",
        N_("First page"),
        N_("Back to the most urgent requests."),
        "queue",
    ),
    Key(
        "queue_overdue",
        "ctrl+e",
        "toggle_overdue",
        N_("Overdue"),
        N_("Toggle: only requests whose clock has run out."),
        "queue",
    ),
    Key(
        "queue_mine",
        "ctrl+y",
        "toggle_mine",
        N_("Mine"),
        N_("Toggle: only requests you hold."),
        "queue",
    ),
    Key(
        "queue_open",
        "enter",
        "open_request",
        N_("Open"),
        N_("Open the highlighted request: its whole timeline and every action."),
        "queue",
    ),
    Key(
        "queue_take_next",
        "ctrl+n",
        "take_next",
        N_("Take next"),
        N_("Hold the most urgent request nobody holds (under these filters) and open it."),
        "queue",
    ),
    Key(
        "queue_filter",
        "ctrl+l",
        "filter",
        N_("Filter"),
        N_("Filter by unit, category, district, status or escalation level."),
        "queue",
    ),
    Key(
        "queue_chase",
        "ctrl+w",
        "chase_board",
        N_("Chase board"),
        N_("Overdue and at-risk referrals grouped by unit, for the round of calls to units."),
        "queue",
    ),
    # The queue's filter dialog.
    Key(
        "filter_apply",
        "ctrl+l",
        "apply",
        N_("Apply"),
        N_("Show the queue with these filters."),
        "filter",
    ),
    Key(
        "filter_clear",
        "ctrl+x",
        "clear",
        N_("Clear all"),
        N_("Set every filter back to all."),
        "filter",
    ),
    Key(
        "filter_cancel",
        "escape",
        "cancel",
        N_("Cancel"),
        N_("Close without changing the filters."),
        "filter",
    ),
    # Chase board: the daily round of calls to the units.
    Key(
        "chase_called",
        "ctrl+u",
        "unit_called",
        N_("Unit called"),
        N_(
            "Log a call to the unit (its promised time too) on the highlighted request, "
            "or on all of the unit's requests from its heading."
        ),
        "chase",
    ),
    Key(
        "chase_open",
        "enter",
        "open_request",
        N_("Open"),
        N_("Open the highlighted request."),
        "chase",
    ),
    Key(
        "chase_refresh",
        "ctrl+f",
        "refresh",
        N_("Refresh"),
        N_("Read the board again now."),
        "chase",
    ),
    Key(
        "chase_back",
        "ctrl+w",
        "queue",
        N_("Queue"),
        N_("Back to the queue."),
        "chase",
    ),
    # Request detail: every action of the lifecycle on a control key; the key bar shows those
    # the request's status and the agent's roles allow.
    Key(
        "request_back",
        "escape",
        "back",
        N_("Back"),
        N_("Back to the list; the request stays as it is."),
        "request",
    ),
    Key(
        "request_refresh",
        "ctrl+f",
        "refresh",
        N_("Refresh"),
        N_("Read the request again now."),
        "request",
    ),
    Key(
        "request_claim",
        "ctrl+y",
        "claim",
        N_("Hold / release"),
        N_("Hold the request so no one else works on it, or give it back."),
        "request",
    ),
    Key(
        "request_refer",
        "ctrl+r",
        "refer",
        N_("Refer"),
        N_("Refer the request to a unit; the unit's clock starts again."),
        "request",
    ),
    Key(
        "request_started",
        "ctrl+t",
        "started",
        N_("Unit started"),
        N_("The unit says it is working on it."),
        "request",
    ),
    Key(
        "request_answered",
        "ctrl+a",
        "answered",
        N_("Unit answered"),
        N_("Record the unit's answer, in words to read to the subscriber."),
        "request",
    ),
    Key(
        "request_accept",
        "ctrl+p",
        "accept",
        N_("Accept"),
        N_("Accept the unit's answer; a feedback call to the subscriber is made."),
        "request",
    ),
    Key(
        "request_reject",
        "ctrl+x",
        "reject",
        N_("Reject"),
        N_("Reject the unit's answer (not acceptable or late), with the reason."),
        "request",
    ),
    Key(
        "request_pause",
        "ctrl+w",
        "pause",
        N_("Wait/resume"),
        N_("Waiting for the subscriber: pause the clocks, or resume them."),
        "request",
    ),
    Key(
        "request_escalate",
        "ctrl+e",
        "escalate",
        N_("Escalate"),
        N_("Raise the escalation level, with the reason."),
        "request",
    ),
    Key(
        "request_cancel",
        "ctrl+d",
        "cancel",
        N_("Cancel request"),
        N_("Cancel as a duplicate of another request or as invalid."),
        "request",
    ),
    Key(
        "request_close",
        "ctrl+l",
        "close_request",
        N_("Close"),
        N_("Close the request: the result was told to the subscriber."),
        "request",
    ),
    Key(
        "request_reopen",
        "ctrl+g",
        "reopen",
        N_("Reopen"),
        N_("Reopen a closed request as a complaint."),
        "request",
    ),
    Key(
        "request_link",
        "ctrl+k",
        "link",
        N_("Link/unlink"),
        N_("Make it a child of a parent request (one main break), or undo that."),
        "request",
    ),
    Key(
        "request_unit_called",
        "ctrl+u",
        "unit_called",
        N_("Unit called"),
        N_("Log a call to the unit and the time it promised."),
        "request",
    ),
    # The small dialogs of a request's steps (note, unit, tracking code, promised time).
    Key(
        "request_dialog_save",
        "ctrl+o",
        "save",
        N_("Save"),
        N_("In a request's dialog: take the step with what was typed (also from the note)."),
        "request",
    ),
    Key(
        "request_dialog_next",
        "enter",
        "next_field",
        N_("Next field"),
        N_("In a request's dialog: go to the next field; in the last one, save."),
        "request",
        show=False,
    ),
    Key(
        "request_dialog_close",
        "escape",
        "close_dialog",
        N_("Back"),
        N_("Close the dialog; the request is not changed."),
        "request",
    ),
    # Incidents (F5): one incident declared, every caller and agent informed.
    Key(
        "incidents_open",
        "enter",
        "open_incident",
        N_("Open"),
        N_("Open the highlighted incident: its calls per hour, history and actions."),
        "incidents",
    ),
    Key(
        "incidents_declare",
        "ctrl+r",
        "declare",
        N_("Declare"),
        N_("Declare an incident (filled in from the suggestion shown, if any)."),
        "incidents",
    ),
    Key(
        "incidents_dismiss",
        "ctrl+x",
        "dismiss_suggestion",
        N_("Not an incident"),
        N_("Dismiss the suggestion shown: those calls are not one incident."),
        "incidents",
    ),
    Key(
        "incidents_closed",
        "ctrl+e",
        "toggle_closed",
        N_("Closed too"),
        N_("Toggle: list closed incidents too, newest first."),
        "incidents",
    ),
    Key(
        "incidents_refresh",
        "ctrl+f",
        "refresh",
        N_("Refresh"),
        N_("Read the incidents again now (they also refresh by themselves)."),
        "incidents",
    ),
    Key("incident_back", "escape", "back", N_("Back"), N_("Close the incident."), "incident"),
    Key(
        "incident_restore",
        "ctrl+t",
        "restore_time",
        N_("New time"),
        N_("Change the restoration time or the message read to callers."),
        "incident",
    ),
    Key(
        "incident_close",
        "ctrl+l",
        "close_incident",
        N_("Close"),
        N_("Service is restored: close the incident and tell those who called."),
        "incident",
    ),
    Key(
        "incident_refresh",
        "ctrl+f",
        "refresh",
        N_("Refresh"),
        N_("Read the incident again now."),
        "incident",
    ),
    # Callbacks (F4): the surveyor's round of calls back to subscribers, and the phone survey.
    Key(
        "callbacks_open",
        "enter",
        "open_callback",
        N_("Open"),
        N_("Open the highlighted callback: the result to read out and a key per outcome."),
        "callbacks",
    ),
    Key(
        "callbacks_refresh",
        "ctrl+f",
        "refresh",
        N_("Refresh"),
        N_("Read the worklist again now (it also refreshes by itself)."),
        "callbacks",
    ),
    Key(
        "callbacks_next_page",
        "ctrl+p",
        "next_page",
        N_("Next page"),
        N_("Show the next page of due callbacks."),
        "callbacks",
    ),
    Key(
        "callbacks_first_page",
        "ctrl+b",
        "first_page",
        N_("First page"),
        N_("Back to the callbacks due longest."),
        "callbacks",
    ),
    Key(
        "callbacks_replies",
        "ctrl+r",
        "replies",
        N_("SMS replies"),
        N_("Replies to the SMS survey that need a person: set aside or answered by hand."),
        "callbacks",
    ),
    # One callback: a digit per outcome (Persian and Arabic digits too, as a Persian keyboard
    # types them), so the surveyor's hand stays on the number row during the round.
    Key(
        "callback_reached",
        "1,\u06f1,\u0661",
        "outcome('reached')",
        N_("Reached"),
        N_("The subscriber answered: read the result to them, then the survey."),
        "callback",
    ),
    Key(
        "callback_no_answer",
        "2,\u06f2,\u0662",
        "outcome('no_answer')",
        N_("No answer"),
        N_("Nobody answered: the next try is due later (after the last, the result goes by SMS)."),
        "callback",
    ),
    Key(
        "callback_busy",
        "3,\u06f3,\u0663",
        "outcome('busy')",
        N_("Busy"),
        N_("The line was busy: the next try is due later, as for no answer."),
        "callback",
    ),
    Key(
        "callback_wrong_number",
        "4,\u06f4,\u0664",
        "outcome('wrong_number')",
        N_("Wrong number"),
        N_("Not the subscriber's number: no more calls (press twice: it closes the request)."),
        "callback",
    ),
    Key(
        "callback_refused",
        "5,\u06f5,\u0665",
        "outcome('refused')",
        N_("Refused"),
        N_("The subscriber would not talk: the result goes by SMS (press twice to confirm)."),
        "callback",
    ),
    Key(
        "callback_refresh",
        "ctrl+f",
        "refresh",
        N_("Refresh"),
        N_("Read the callback again now."),
        "callback",
    ),
    Key(
        "callback_back",
        "escape",
        "back",
        N_("Back"),
        N_("Back to the worklist; nothing is recorded."),
        "callback",
    ),
    # The phone survey (and a reply to the SMS survey answered by hand).
    Key(
        "survey_answer",
        "1,2,3,4,5,0",
        "answer",
        N_("Answer"),
        N_(
            "On a question: its answer (1 yes, 2 or 0 no; 1 to 5 on a scale), Persian digits "
            "too; Backspace clears it."
        ),
        "survey",
        show=False,
    ),
    Key(
        "survey_save",
        "ctrl+o",
        "save",
        N_("Save"),
        N_("Save the answers: resolved closes the request, not resolved reopens it."),
        "survey",
    ),
    Key(
        "survey_no_survey",
        "ctrl+n",
        "no_survey",
        N_("No survey"),
        N_("The result was told but the subscriber does not want the survey: save the call."),
        "survey",
    ),
    Key(
        "survey_hung_up",
        "ctrl+x",
        "hung_up",
        N_("Hung up"),
        N_("The subscriber hung up during the survey: save the answers given so far."),
        "survey",
    ),
    Key(
        "survey_next",
        "enter",
        "next_field",
        N_("Next question"),
        N_("Go to the next question; in the last field, save."),
        "survey",
        show=False,
    ),
    Key(
        "survey_down",
        "down",
        "next_field(False)",
        N_("Next question"),
        N_("Go to the next question."),
        "survey",
        show=False,
    ),
    Key(
        "survey_previous",
        "up",
        "previous_field",
        N_("Previous question"),
        N_("Go back to the previous question."),
        "survey",
        show=False,
    ),
    Key(
        "survey_back",
        "escape",
        "back",
        N_("Back"),
        N_("Back without saving; the callback stays to be made."),
        "survey",
    ),
    # SMS survey replies the system could not read.
    Key(
        "replies_answer",
        "enter",
        "answer_reply",
        N_("Answer by hand"),
        N_("Record what the highlighted reply means, as the survey's answers."),
        "replies",
    ),
    Key(
        "replies_dismiss",
        "ctrl+x",
        "dismiss_reply",
        N_("Set aside"),
        N_("The reply answers nothing (thanks, a question): mark it read."),
        "replies",
    ),
    Key(
        "replies_refresh",
        "ctrl+f",
        "refresh",
        N_("Refresh"),
        N_("Read the replies again now."),
        "replies",
    ),
    Key(
        "replies_back",
        "escape",
        "back",
        N_("Back"),
        N_("Back to the callbacks worklist."),
        "replies",
    ),
    # Modes made of several views (F6 reports).
    Key(
        "views_next",
        "ctrl+w",
        "next_view",
        N_("Next view"),
        N_("Show the mode's next view (the strip at the top names them)."),
        "views",
    ),
    Key(
        "wallboard_refresh",
        "ctrl+f",
        "refresh",
        N_("Refresh"),
        N_("Read the counts again now (they also refresh by themselves)."),
        "wallboard",
    ),
    # Notices (F5): templates, campaigns and the outbox, views beside the incidents.
    Key(
        "templates_edit",
        "enter",
        "edit_template",
        N_("Edit"),
        N_("Change the highlighted template's name, text or whether it is in use."),
        "templates",
    ),
    Key(
        "templates_new",
        "ctrl+r",
        "new_template",
        N_("New template"),
        N_("Write a new template for SMS, the phone menu or the website."),
        "templates",
    ),
    Key(
        "templates_refresh",
        "ctrl+f",
        "refresh",
        N_("Refresh"),
        N_("Read the templates again now."),
        "templates",
    ),
    Key(
        "campaigns_open",
        "enter",
        "open_campaign",
        N_("Preview"),
        N_("Open the highlighted campaign: who receives it, its first message, its progress."),
        "campaigns",
    ),
    Key(
        "campaigns_new",
        "ctrl+r",
        "new_campaign",
        N_("New campaign"),
        N_("Send an SMS template to districts, an incident's area or callers, or a category."),
        "campaigns",
    ),
    Key(
        "campaigns_next_page",
        "ctrl+p",
        "next_page",
        N_("Next page"),
        N_("Show older campaigns."),
        "campaigns",
    ),
    Key(
        "campaigns_first_page",
        "ctrl+b",
        "first_page",
        N_("First page"),
        N_("Back to the newest campaigns."),
        "campaigns",
    ),
    Key(
        "campaigns_refresh",
        "ctrl+f",
        "refresh",
        N_("Refresh"),
        N_("Read the campaigns and their progress again now (they also refresh by themselves)."),
        "campaigns",
    ),
    Key("campaign_back", "escape", "back", N_("Back"), N_("Back to the campaigns."), "campaign"),
    Key(
        "campaign_approve",
        "ctrl+p",
        "approve",
        N_("Approve"),
        N_("Approve the draft: its recipients are fixed and every message is queued."),
        "campaign",
    ),
    Key(
        "campaign_cancel",
        "ctrl+d",
        "cancel_campaign",
        N_("Cancel campaign"),
        N_("Stop the campaign (press twice): messages not yet handed over are not sent."),
        "campaign",
    ),
    Key(
        "campaign_refresh",
        "ctrl+f",
        "refresh",
        N_("Refresh"),
        N_("Read the campaign and its progress again now."),
        "campaign",
    ),
    Key(
        "outbox_status",
        "ctrl+e",
        "cycle_status",
        N_("Status"),
        N_("Show all messages, then only queued, sending, sent, delivered or failed ones."),
        "outbox",
    ),
    Key(
        "outbox_retry",
        "ctrl+t",
        "retry",
        N_("Retry"),
        N_("Queue the highlighted failed message again."),
        "outbox",
    ),
    Key(
        "outbox_next_page",
        "ctrl+p",
        "next_page",
        N_("Next page"),
        N_("Show older messages."),
        "outbox",
    ),
    Key(
        "outbox_first_page",
        "ctrl+b",
        "first_page",
        N_("First page"),
        N_("Back to the newest messages."),
        "outbox",
    ),
    Key(
        "outbox_refresh",
        "ctrl+f",
        "refresh",
        N_("Refresh"),
        N_("Read the outbox again now (it also refreshes by itself)."),
        "outbox",
    ),
    # Reports (F6): the center's figures for a Jalali month, drilled down to a unit's requests.
    Key(
        "reports_figure",
        "ctrl+r",
        "choose_figure",
        N_("Report"),
        N_("Choose the figure to show: calls, requests or satisfaction."),
        "reports",
    ),
    Key(
        "reports_previous_month",
        "ctrl+p",
        "previous_month",
        N_("Previous month"),
        N_("Show the figure for the Jalali month before."),
        "reports",
    ),
    Key(
        "reports_next_month",
        "ctrl+n",
        "next_month",
        N_("Next month"),
        N_("Show the figure for the Jalali month after (up to this month)."),
        "reports",
    ),
    Key(
        "reports_unit",
        "ctrl+u",
        "choose_unit",
        N_("Unit"),
        N_("Narrow the figure to one unit, or back to all (figures about requests)."),
        "reports",
    ),
    Key(
        "reports_refresh",
        "ctrl+f",
        "refresh",
        N_("Refresh"),
        N_("Compute the figure again now."),
        "reports",
    ),
    Key(
        "reports_drill",
        "enter",
        "drill_down",
        N_("Overdue requests"),
        N_("On a unit's row: list that unit's overdue requests, to open one."),
        "reports",
    ),
    Key(
        "reports_unit_back",
        "escape",
        "back",
        N_("Back"),
        N_("Back to the report."),
        "reports_unit",
    ),
    Key(
        "reports_pick_cancel",
        "escape",
        "cancel",
        N_("Cancel"),
        N_("Close the list; Enter takes the highlighted entry."),
        "reports_pick",
    ),
    # Admin (F7): the center configures itself; every change is an audit row.
    Key(
        "admin_users_edit",
        "enter",
        "edit_row",
        N_("Edit"),
        N_("Change the highlighted user's name, center, language and roles."),
        "admin_users",
    ),
    Key(
        "admin_users_new",
        "ctrl+r",
        "new_row",
        N_("New user"),
        N_("Add a user: username, name, password (typed twice) and roles."),
        "admin_users",
    ),
    Key(
        "admin_users_disable",
        "ctrl+d",
        "toggle_active",
        N_("Disable/enable"),
        N_("Stop the highlighted user from signing in, or let them again; history stays."),
        "admin_users",
    ),
    Key(
        "admin_users_unlock",
        "ctrl+u",
        "unlock",
        N_("Unlock"),
        N_("Lift the lock after failed sign-ins and clear the count."),
        "admin_users",
    ),
    Key(
        "admin_users_password",
        "ctrl+p",
        "reset_password",
        N_("Password"),
        N_("Set a new password for the highlighted user (typed twice); it also unlocks."),
        "admin_users",
    ),
    Key(
        "admin_users_refresh",
        "ctrl+f",
        "refresh",
        N_("Refresh"),
        N_("Read the users again now."),
        "admin_users",
    ),
    Key(
        "admin_units_edit",
        "enter",
        "edit_row",
        N_("Edit"),
        N_("Change the highlighted unit (and the districts it serves) or district."),
        "admin_units",
    ),
    Key(
        "admin_units_new",
        "ctrl+r",
        "new_row",
        N_("New"),
        N_("Add a unit, or a district when the districts are listed."),
        "admin_units",
    ),
    Key(
        "admin_units_remove",
        "ctrl+d",
        "remove_row",
        N_("Remove"),
        N_("Delete the highlighted row, or make it inactive when history refers to it."),
        "admin_units",
    ),
    Key(
        "admin_units_switch",
        "ctrl+e",
        "switch_list",
        N_("Units/districts"),
        N_("List the districts, or the units again."),
        "admin_units",
    ),
    Key(
        "admin_units_refresh",
        "ctrl+f",
        "refresh",
        N_("Refresh"),
        N_("Read the units and districts again now."),
        "admin_units",
    ),
    Key(
        "admin_categories_edit",
        "enter",
        "edit_row",
        N_("Edit"),
        N_("Change the highlighted category: names, group, unit, clock, targets, fields."),
        "admin_categories",
    ),
    Key(
        "admin_categories_new",
        "ctrl+r",
        "new_row",
        N_("New category"),
        N_("Add a request category; it comes last at intake."),
        "admin_categories",
    ),
    Key(
        "admin_categories_remove",
        "ctrl+d",
        "remove_row",
        N_("Remove"),
        N_("Delete the highlighted category, or make it inactive when history refers to it."),
        "admin_categories",
    ),
    Key(
        "admin_categories_refresh",
        "ctrl+f",
        "refresh",
        N_("Refresh"),
        N_("Read the categories again now."),
        "admin_categories",
    ),
    Key(
        "admin_calendars_edit",
        "enter",
        "edit_row",
        N_("Edit"),
        N_("Change the highlighted calendar's name and week, or a holiday's name."),
        "admin_calendars",
    ),
    Key(
        "admin_calendars_new",
        "ctrl+r",
        "new_row",
        N_("New"),
        N_("Add a calendar, or a holiday when the holidays are listed."),
        "admin_calendars",
    ),
    Key(
        "admin_calendars_remove",
        "ctrl+d",
        "remove_row",
        N_("Remove"),
        N_("Delete the highlighted holiday, or a calendar no category uses."),
        "admin_calendars",
    ),
    Key(
        "admin_calendars_switch",
        "ctrl+e",
        "switch_list",
        N_("Calendars/holidays"),
        N_("List the highlighted calendar's holidays, or the calendars again."),
        "admin_calendars",
    ),
    Key(
        "admin_calendars_import",
        "ctrl+l",
        "import_holidays",
        N_("Import holidays"),
        N_("Import a published holiday list (CSV with Jalali dates) into the calendar."),
        "admin_calendars",
    ),
    Key(
        "admin_calendars_refresh",
        "ctrl+f",
        "refresh",
        N_("Refresh"),
        N_("Read the calendars again now."),
        "admin_calendars",
    ),
    Key(
        "admin_canned_edit",
        "enter",
        "edit_row",
        N_("Edit"),
        N_("Change the highlighted canned answer's titles, texts or category."),
        "admin_canned",
    ),
    Key(
        "admin_canned_new",
        "ctrl+r",
        "new_row",
        N_("New answer"),
        N_("Write a new canned answer for information calls."),
        "admin_canned",
    ),
    Key(
        "admin_canned_remove",
        "ctrl+d",
        "remove_row",
        N_("Remove"),
        N_("Delete the highlighted answer, or make it inactive when history refers to it."),
        "admin_canned",
    ),
    Key(
        "admin_canned_refresh",
        "ctrl+f",
        "refresh",
        N_("Refresh"),
        N_("Read the canned answers again now."),
        "admin_canned",
    ),
    Key(
        "admin_settings_edit",
        "enter",
        "edit_row",
        N_("Change"),
        N_("Set the highlighted setting's value for this center (checked before it is kept)."),
        "admin_settings",
    ),
    Key(
        "admin_settings_clear",
        "ctrl+d",
        "remove_row",
        N_("Default"),
        N_("Remove this center's value of the setting, so its default applies again."),
        "admin_settings",
    ),
    Key(
        "admin_settings_refresh",
        "ctrl+f",
        "refresh",
        N_("Refresh"),
        N_("Read the settings again now."),
        "admin_settings",
    ),
    Key(
        "admin_questionnaires_edit",
        "enter",
        "edit_row",
        N_("Edit"),
        N_("Reword the highlighted question, or rename or switch off a questionnaire."),
        "admin_questionnaires",
    ),
    Key(
        "admin_questionnaires_refresh",
        "ctrl+f",
        "refresh",
        N_("Refresh"),
        N_("Read the questionnaires again now."),
        "admin_questionnaires",
    ),
    Key(
        "admin_import_start",
        "ctrl+r",
        "start_import",
        N_("Start"),
        N_("Check (dry run) or import the subscribers file named above."),
        "admin_import",
    ),
    Key(
        "admin_import_stop",
        "ctrl+x",
        "stop_import",
        N_("Stop"),
        N_("Stop the import after the batch being written; what was written stays."),
        "admin_import",
    ),
    Key(
        "admin_audit_filter",
        "ctrl+l",
        "filter",
        N_("Kind of record"),
        N_("Show the changes of one kind of record only, or of all."),
        "admin_audit",
    ),
    Key(
        "admin_audit_next_page",
        "ctrl+p",
        "next_page",
        N_("Next page"),
        N_("Show older changes."),
        "admin_audit",
    ),
    Key(
        "admin_audit_first_page",
        "ctrl+b",
        "first_page",
        N_("First page"),
        N_("Back to the newest changes."),
        "admin_audit",
    ),
    Key(
        "admin_audit_refresh",
        "ctrl+f",
        "refresh",
        N_("Refresh"),
        N_("Read the trail again now."),
        "admin_audit",
    ),
    Key("quit", "ctrl+q", "quit", N_("Quit"), N_("Close the console."), "app", priority=True),
)


def bindings(scope: Scope, *, hidden: Collection[str] = ()) -> list[Binding]:
    """The bindings of one screen (or the app), in the current language.

    Keys whose id is in `hidden` still run their action (which then explains why it refuses)
    but are left out of the key bar and the help panel.
    """
    return [
        Binding(
            key.key,
            key.action,
            _(key.description),
            show=key.show and key.id not in hidden,
            priority=key.priority,
            tooltip=_(key.tooltip),
            id=key.id,
        )
        for key in KEYS
        if key.scope == scope
    ]


def install(node: DOMNode, scope: Scope, *, hidden: Collection[str] = ()) -> None:
    """Add a scope's translated bindings to a screen or app, next to its class bindings.

    Done per instance, at construction, because the words depend on the language (chosen at
    start) and what is hidden depends on the signed-in agent's roles.
    """
    node._bindings = BindingsMap.merge(
        [node._bindings, BindingsMap(bindings(scope, hidden=hidden))]
    )


_NAMES = {
    "enter": "Enter",
    "escape": "Esc",
    "tab": "Tab",
    "space": "Space",
    "up": "Up",
    "down": "Down",
}


def _one_key(key: str, *, ctrl: str) -> str:
    *modifiers, name = key.strip().split("+")
    name = _NAMES.get(name, name.upper() if len(name) <= 3 else name.capitalize())
    parts = [m.capitalize() for m in modifiers if m != "ctrl"]
    if "ctrl" in modifiers:
        parts.insert(0, ctrl)
    if ctrl == "^" and "ctrl" in modifiers:
        return "^" + "+".join([*parts[1:], name])
    return "+".join([*parts, name])


def key_name(key: str) -> str:
    """How documentation names a key string: `ctrl+o` -> `Ctrl+O`, `f1,f2` -> `F1, F2`."""
    return ", ".join(_one_key(k, ctrl="Ctrl") for k in key.split(","))


def key_display(key: str) -> str:
    """How the key bar shows a key string, short and ASCII: `ctrl+o` -> `^O`, `f2` -> `F2`.

    ASCII only, because the Linux console's fonts lack symbols such as Textual's `⏎`.
    """
    return "/".join(_one_key(k, ctrl="^") for k in key.split(","))


def widget_keys(keymap: dict[str, str] | None = None) -> set[str]:
    """Every key string the console binds (defaults and remaps), for fields to give up.

    A text field's own bindings come before the form's (Textual asks the focused widget
    first), so `Input`'s Ctrl+A (home), Ctrl+D (delete) and Ctrl+K (delete to end) would
    swallow the intake keys. Fields drop these; Home, Delete and friends still edit.
    """
    found = {k.strip() for key in KEYS for k in key.key.split(",")}
    for value in (keymap or {}).values():
        found.update(k.strip() for k in value.split(","))
    return {k for k in found if k}


def markdown_table() -> str:
    """README's key table (between `<!-- keys:start -->` and `<!-- keys:end -->`)."""
    rows = ["| Key | Action | id |", "|---|---|---|"]
    rows += [f"| {key_name(k.key)} | {k.description} | `{k.id}` |" for k in KEYS]
    return "\n".join(rows)
