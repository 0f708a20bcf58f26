"""Strings the console shell needs, marked here so extraction keeps them in the catalogs.

``pybabel update`` turns any msgid that no source file marks into an obsolete ``#~`` entry, which is
not compiled. Screens that are still being written would otherwise lose their translations on the
next ``scripts/i18n extract``. Marking a string both here and in a screen is harmless (one entry).
Nothing imports this module at run time.
"""

from console.i18n import N_

SHELL_STRINGS: tuple[str, ...] = (
    N_("ABFA desk 122/1523"),
    # Sign in
    N_("Sign in"),
    N_("Username"),
    N_("Password"),
    N_("Wrong username or password."),
    N_(
        "Account locked after too many failed attempts. "
        "Try again in {minutes} minutes or ask an administrator."
    ),
    N_("Account disabled. Ask an administrator."),
    N_("Enter your username and password."),
    # Roles (DOMAIN.md, "Who uses the console")
    N_("Desk agent"),
    N_("Follow-up agent"),
    N_("Surveyor"),
    N_("Information officer"),
    N_("Supervisor"),
    N_("Administrator"),
    # Modes
    N_("Help"),
    N_("Intake"),
    N_("Follow-up"),
    N_("Callbacks"),
    N_("Incidents & notices"),
    N_("Reports"),
    N_("Admin"),
    # Shell
    N_("Sign out"),
    N_("Quit"),
    N_("You do not have permission for this."),
    N_("Center"),
    N_("Language"),
)
