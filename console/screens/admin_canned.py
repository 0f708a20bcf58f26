"""Admin mode (F7), canned answers: the ready texts an agent reads out on an information call.

One row per answer (code, title, category, state), the highlighted one's text below. Enter
changes it, Ctrl+R writes a new one, Ctrl+D removes it (made inactive instead when history
refers to it). Intake's type-ahead finds answers however the agent types (db.admin.canned keeps
their search keys).
"""

from dataclasses import dataclass, replace

from rich.text import Text
from sqlmodel import Session
from textual.app import ComposeResult

from console.i18n import N_, _, lang_digits
from console.i18n.admin_words import removal_text
from console.i18n.intake_words import local_name
from console.screens.admin_dialog import AdminDialog, Refused
from console.screens.admin_view import AdminView
from console.widgets.lines import Line
from db.admin import (
    CannedAnswerView,
    add_canned,
    list_canned,
    list_categories,
    remove_canned,
    update_canned,
)

__all__ = ["CannedDialog", "CannedDraft", "CannedView"]


@dataclass
class CannedDraft:
    code: str = ""
    title_fa: str = ""
    title_en: str = ""
    body_fa: str = ""
    body_en: str = ""
    category: str = ""
    active: bool = True
    new: bool = True

    @classmethod
    def of(cls, c: CannedAnswerView) -> "CannedDraft":
        return cls(
            c.code,
            c.title_fa,
            c.title_en,
            c.body_fa,
            c.body_en,
            c.category_code or "",
            c.active,
            False,
        )


class CannedDialog(AdminDialog[CannedDraft]):
    """Write or change a canned answer: titles, texts (Persian first), its category."""

    def __init__(
        self,
        draft: CannedDraft,
        categories: tuple[tuple[str, str], ...],
        *,
        error: str = "",
        error_field: str = "",
    ) -> None:
        self.draft = draft
        self.categories = categories
        fields = ("title_fa", "title_en", "category", "body_fa", "body_en", "active")
        self.FIELDS = ("code", *fields[:-1]) if draft.new else fields
        title = (
            _("New canned answer")
            if draft.new
            else _("Canned answer {code}").format(code=draft.code)
        )
        super().__init__(title, error=error, error_field=error_field)

    def fields(self) -> ComposeResult:
        d = self.draft
        if d.new:
            yield from self.text_field(
                _("Code (Latin letters, digits, _ . -)"), "code", d.code, max_length=32
            )
        else:
            yield self.note(_("Code {code} (a code does not change)").format(code=d.code))
        yield from self.text_field(_("Persian title"), "title_fa", d.title_fa, max_length=200)
        yield from self.text_field(
            _("English title ({optional})").format(optional=_("optional")),
            "title_en",
            d.title_en,
            max_length=200,
        )
        categories = [("", _("any category")), *self.categories]
        if d.category and all(code != d.category for code, _name in self.categories):
            categories.append((d.category, d.category))
        yield from self.choice_field(_("Category"), "category", categories, d.category)
        yield from self.area_field(_("Persian text"), "body_fa", d.body_fa)
        yield from self.area_field(
            _("English text ({optional})").format(optional=_("optional")), "body_en", d.body_en
        )
        if not d.new:
            active = [(True, _("active")), (False, _("inactive"))]
            yield from self.choice_field(_("State"), "active", active, d.active)

    def current(self) -> CannedDraft:
        d = self.draft
        return replace(
            d,
            code=self.typed("code") if d.new else d.code,
            title_fa=self.typed("title_fa"),
            title_en=self.typed("title_en"),
            category=self.chosen("category"),
            body_fa=self.written("body_fa"),
            body_en=self.written("body_en"),
            active=d.active if d.new else self.chosen("active"),
        )

    def collect(self) -> CannedDraft:
        d = self.current()
        if d.new and not d.code.strip():
            raise Refused("code", _("Give the answer a code."))
        if not d.body_fa.strip():
            raise Refused("body_fa", _("Write the text agents read out."))
        return d


class CannedView(AdminView):
    """The center's canned answers, the highlighted one's text below."""

    SCOPE = "admin_canned"
    LISTINGS = {
        "answers": (
            ("code", N_("Code"), 18),
            ("title", N_("Title"), 35),
            ("category", N_("Category"), 16),
            ("state", N_("State"), 10),
        )
    }

    def read(self, s: Session, listing: str):
        categories = tuple(
            (c.code, local_name(c.name_fa, c.name_en))
            for c in list_categories(s, actor=self.agent, include_inactive=False)
        )
        return list_canned(s, actor=self.agent), categories

    def cells(self, c: CannedAnswerView) -> list[Text]:
        values = {
            "code": c.code,
            "title": local_name(c.title_fa, c.title_en),
            "category": c.category_code or "-",
            "state": _("active") if c.active else _("inactive"),
        }
        return self.values_cells(values, dim=not c.active)

    def detail(self, c: CannedAnswerView) -> list[Line]:
        return [Line(local_name(c.body_fa, c.body_en))]

    def count_text(self) -> str:
        active = sum(1 for c in self.rows if c.active)
        return _("Canned answers: {n}, active {active}").format(
            n=lang_digits(str(len(self.rows))), active=lang_digits(str(active))
        )

    def action_new_row(self) -> None:
        self.open_answer(CannedDraft())

    def action_edit_row(self) -> None:
        c = self.current()
        if c is not None:
            self.open_answer(CannedDraft.of(c))

    def open_answer(self, draft: CannedDraft, error: str = "", field: str = "") -> None:
        dialog = CannedDialog(draft, tuple(self.extra or ()), error=error, error_field=field)
        self.open(dialog, lambda d: self._save(d, dialog.current()))

    def _save(self, d: CannedDraft, typed: CannedDraft) -> None:
        actor = self.agent

        def job(s: Session) -> CannedAnswerView:
            if d.new:
                return add_canned(
                    s,
                    actor=actor,
                    code=d.code,
                    title_fa=d.title_fa,
                    title_en=d.title_en,
                    body_fa=d.body_fa,
                    body_en=d.body_en,
                    category_code=d.category or None,
                )
            return update_canned(
                s,
                actor=actor,
                code=d.code,
                title_fa=d.title_fa,
                title_en=d.title_en or d.title_fa,
                body_fa=d.body_fa,
                body_en=d.body_en,
                category_code=d.category or None,
                active=d.active,
            )

        def done(c: CannedAnswerView) -> tuple[str, str | None]:
            return _("Canned answer {code} saved.").format(code=c.code), c.code

        self.write(job, done, lambda text, field: self.open_answer(typed, text, field))

    def action_remove_row(self) -> None:
        c = self.current()
        if c is None:
            return
        actor, code = self.agent, c.code
        text = _(
            "{code} {name}: deleted if nothing refers to it, otherwise kept and made inactive."
        ).format(code=c.code, name=local_name(c.title_fa, c.title_en))
        self.confirm(
            _("Remove the canned answer?"),
            text,
            lambda: self.write(
                lambda s: remove_canned(s, actor=actor, code=code),
                lambda r: (removal_text(r), None if r.deleted else r.code),
            ),
        )
