"""Admin mode (F7), the audit trail: who changed what, when, from what to what.

Newest first, a page at a time (keyset paging in db.admin.audit_log: the hundredth page costs
what the first does): when · who · action · record · the first change as "field: before →
after"; every change of the highlighted row below. Ctrl+L narrows it to one kind of record
(users, categories, settings...), Ctrl+P shows older changes, Ctrl+B the newest again.
"""

from datetime import datetime

from rich.text import Text
from sqlmodel import Session
from textual.widgets.option_list import Option

from console.i18n import N_, _, current_language, lang_digits, ngettext
from console.i18n.admin_words import action_name, change_text, entity_name
from console.i18n.intake_words import when_text
from console.i18n.rtl import display
from console.screens.admin_view import AdminView
from console.widgets.bidi import layout_rtl
from console.widgets.lines import Line
from db.accounts import list_agents
from db.admin import (
    AuditCursor,
    AuditRow,
    audit_entities,
    list_calendars,
    list_canned,
    list_categories,
    list_districts,
    list_units,
    read_audit,
)
from db.jalali import format_datetime

__all__ = ["AuditView"]

PAGE = 50
#: Changes of one row listed under the trail; the rest are counted.
SHOWN_CHANGES = 4
ALL = "*"


def record_names(s: Session, actor, rows: tuple[AuditRow, ...]) -> dict[str, str]:
    """Codes of the records a page names, by id: an id means nothing to a reader."""
    wanted = {row.entity for row in rows}
    readers = {
        "category": lambda: list_categories(s, actor=actor),
        "unit": lambda: list_units(s, actor=actor),
        "district": lambda: list_districts(s, actor=actor),
        "calendar": lambda: list_calendars(s, actor=actor),
        "canned_answer": lambda: list_canned(s, actor=actor),
    }
    names: dict[str, str] = {}
    for entity, read in readers.items():
        if entity in wanted:
            names.update((str(x.id), x.code) for x in read())
    if "agent" in wanted:
        names.update(
            (str(a.id), a.username)
            for a in list_agents(s, actor=actor, center_code=actor.center_code)
        )
    return names


def _choice(text: str) -> Text:
    rtl = layout_rtl()
    return Text(display(text, base_rtl=True if rtl else None), justify="right" if rtl else "left")


class AuditView(AdminView):
    """The center's audit trail, newest first."""

    SCOPE = "admin_audit"
    LISTINGS = {
        "audit": (
            ("when", N_("When"), 11),
            ("who", N_("Who"), 10),
            ("action", N_("Action"), 24),
            ("record", N_("Record"), 14),
            ("change", N_("Change"), 20),
        )
    }
    DETAIL_ROWS = 1

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.entity: str | None = None
        self.after: AuditCursor | None = None
        self.page = 1
        self.next_cursor: AuditCursor | None = None
        self.entities: list[str] = []
        self.names: dict[str, str] = {}
        self.now: datetime | None = None

    def read(self, s: Session, listing: str):
        page = read_audit(s, actor=self.agent, entity=self.entity, after=self.after, limit=PAGE)
        names = record_names(s, self.agent, page.rows)
        return page.rows, (page.next_cursor, names, audit_entities(s, actor=self.agent))

    def on_admin_view_loaded(self, event: AdminView.Loaded) -> None:
        # Runs before AdminView's own handler (Textual calls each class's), which fills the list.
        self.next_cursor, self.names, self.entities = event.extra
        self.now = self._clock()

    def key(self, row: AuditRow) -> str:
        return str(row.id)

    def _record(self, row: AuditRow) -> str:
        if row.entity == "center_setting":
            return row.entity_id
        name = self.names.get(row.entity_id)
        if name:
            return name
        return entity_name(row.entity) if row.entity else ""

    def cells(self, row: AuditRow) -> list[Text]:
        changes = list(row.changes.items())
        change = change_text(*changes[0]) if changes else row.detail
        if len(changes) > 1:
            change += " " + _("(+{n})").format(n=lang_digits(str(len(changes) - 1)))
        values = {
            "when": when_text(row.at, now=self.now, date_only=True),
            "who": row.actor_username or "-",
            "action": action_name(row.action),
            "record": self._record(row),
            "change": change,
        }
        return self.values_cells(values)

    def detail(self, row: AuditRow) -> list[Line]:
        who = row.actor_name or _("the command line")
        parts = [format_datetime(row.at, current_language()), who]
        if row.entity:
            name, kind = self.names.get(row.entity_id, ""), entity_name(row.entity)
            if row.entity == "center_setting":
                name = row.entity_id
            parts.append(_("{record} ({kind})").format(record=name, kind=kind) if name else kind)
        head = " · ".join(parts)
        lines = [Line(head, "detail--muted")]
        changes = list(row.changes.items())
        lines += [Line(change_text(field, change)) for field, change in changes[:SHOWN_CHANGES]]
        if len(changes) > SHOWN_CHANGES:
            left = len(changes) - SHOWN_CHANGES
            more = ngettext("{n} more change", "{n} more changes", left)
            more = more.format(n=lang_digits(str(left)))
            lines.append(Line(more, "detail--muted"))
        if row.detail:
            lines.append(Line(row.detail, "detail--muted"))
        return lines

    def count_text(self) -> str:
        kind = entity_name(self.entity) if self.entity else _("every kind of record")
        text = _("Audit trail, newest first · {kind} · page {page}").format(
            kind=kind, page=lang_digits(str(self.page))
        )
        if not self.rows:
            text += " · " + _("nothing recorded")
        return text

    # --- actions ------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.action_first_page()

    def action_first_page(self) -> None:
        self.say("")
        self.after, self.page = None, 1
        self.refresh_list()

    def action_next_page(self) -> None:
        if self.next_cursor is None:
            self.say(_("There are no older changes."))
            return
        self.after, self.page = self.next_cursor, self.page + 1
        self.refresh_list()

    def action_filter(self) -> None:
        from console.screens.reports import ChoiceDialog

        options = [Option(_choice(_("Every kind of record")), id=ALL)]
        options += [Option(_choice(entity_name(e)), id=e) for e in self.entities]

        def chosen(entity: str | None) -> None:
            if entity is not None:
                self.entity = None if entity == ALL else entity
                self.action_first_page()

        self.app.push_screen(ChoiceDialog(_("Kind of record"), options, self.entity or ALL), chosen)
