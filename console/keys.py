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
    "Key",
    "bindings",
    "install",
    "key_display",
    "key_name",
    "markdown_table",
]

Scope = Literal["app", "sign_in", "main"]


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
            show=key.id not in hidden,
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


_NAMES = {"enter": "Enter", "escape": "Esc", "tab": "Tab", "space": "Space"}


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


def markdown_table() -> str:
    """README's key table (between `<!-- keys:start -->` and `<!-- keys:end -->`)."""
    rows = ["| Key | Action | id |", "|---|---|---|"]
    rows += [f"| {key_name(k.key)} | {k.description} | `{k.id}` |" for k in KEYS]
    return "\n".join(rows)
