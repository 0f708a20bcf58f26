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
from typing import Literal

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
]
"""Where a key works: the app, a screen, a mode's panel, or one of the intake widgets."""

SCOPES: tuple[Scope, ...] = (
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
    "app",
)


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
