"""Admin mode (F7): the center configures itself from the console, no SQL needed.

Everything the other units depend on, one view at a time: users, units and districts,
categories, calendars and holidays, canned answers, questionnaires, settings, the subscribers'
import from the billing system, and the audit trail that shows every change made here (who,
when, what from what to what). The strip on top names the views; Ctrl+W shows the next
(`ModeViews`). Only the admin role reaches this mode, and every operation in `db.admin`
checks that again. Notice templates are edited in F5 (Incidents & notices), not here.
"""

from collections.abc import Callable, Sequence
from datetime import datetime

from rich.text import Text
from sqlalchemy.engine import Engine
from textual.widget import Widget
from textual.widgets import Static

from console.i18n import N_, _
from console.screens.admin_audit import AuditView
from console.screens.admin_calendars import CalendarsView
from console.screens.admin_canned import CannedView
from console.screens.admin_categories import CategoriesView
from console.screens.admin_import import ImportView
from console.screens.admin_questionnaires import QuestionnairesView
from console.screens.admin_settings import SettingsView
from console.screens.admin_units import UnitsView
from console.screens.admin_users import UsersView
from console.screens.mode_views import ModeViews, strip_text
from db.accounts import AgentView

__all__ = ["AdminMode"]


class AdminMode(ModeViews):
    """The F7 mode: the view strip and the admin's views in a switcher."""

    def __init__(
        self,
        *,
        engine: Engine,
        agent: AgentView,
        clock: Callable[[], datetime],
        poll_seconds: float = 2.0,
        id: str | None = None,
    ) -> None:
        # Admin lists change only when an admin changes them: read on show and after each
        # change, no polling (poll_seconds is taken for the shell's sake).
        self._args = {"engine": engine, "agent": agent, "clock": clock}
        super().__init__(id=id)

    def views(self) -> Sequence[tuple[str, Widget]]:
        args = self._args
        return [
            (N_("Users"), UsersView(**args, id="admin-users")),
            (N_("Units & districts"), UnitsView(**args, id="admin-units")),
            (N_("Request categories"), CategoriesView(**args, id="admin-categories")),
            (N_("Calendars"), CalendarsView(**args, id="admin-calendars")),
            (N_("Canned answers"), CannedView(**args, id="admin-canned")),
            (N_("Questionnaires"), QuestionnairesView(**args, id="admin-questionnaires")),
            (N_("Settings"), SettingsView(**args, id="admin-settings")),
            (N_("Import"), ImportView(**args, id="admin-import")),
            (N_("Audit trail"), AuditView(**args, id="admin-audit")),
        ]

    def on_resize(self) -> None:
        self._show_strip()

    def _show_strip(self) -> None:
        """Nine names do not fit 80 columns: show as many as fit around the one on show, with
        an ellipsis where more are."""
        titles = [_(title) for title, _widget in self._views]
        width = (self.size.width or 80) - 2
        start, end = self._index, self._index + 1
        while True:
            grown = False
            for lo, hi in ((start, end + 1), (start - 1, end)):
                if lo >= 0 and hi <= len(titles) and self._fits(titles, lo, hi, width):
                    start, end, grown = lo, hi, True
            if not grown:
                break
        text = strip_text(titles[start:end], self._index - start, rtl=self._rtl)
        more_before, more_after = start > 0, end < len(titles)
        if self._rtl:
            more_before, more_after = more_after, more_before
        if more_before:
            text = Text("… ", style="dim", end="") + text
        if more_after:
            text.append(" …", style="dim")
        text.justify = "right" if self._rtl else "left"
        text.no_wrap = True
        self.query_one(".mode-views--strip", Static).update(text)

    def _fits(self, titles: list[str], start: int, end: int, width: int) -> bool:
        shown = strip_text(titles[start:end], 0, rtl=self._rtl)
        return shown.cell_len + 4 <= width
