"""Admin mode (F7), request categories: what intake offers and how each request's clocks run.

One row per category in intake order: code, name, priority, default unit, calendar, response
and resolution targets; its group, emergency flag and required fields below. Enter changes the
highlighted one, Ctrl+R adds one, Ctrl+D removes it: deleted when nothing refers to it,
otherwise made inactive (old requests keep their category), as the line under the list says.
Changes apply to requests registered afterwards.
"""

from dataclasses import dataclass, replace

from rich.text import Text
from sqlmodel import Session
from textual.app import ComposeResult

from console.i18n import N_, _, lang_digits
from console.i18n.admin_words import (
    CATEGORY_GROUPS,
    REQUIRED_FIELD_NAMES,
    listed,
    removal_text,
)
from console.i18n.intake_words import local_name
from console.screens.admin_dialog import AdminDialog, Refused, checks, whole_number
from console.screens.admin_view import AdminView
from console.widgets.lines import Line
from db.admin import (
    UNSET,
    CalendarView,
    CategoryAdminView,
    add_category,
    list_calendars,
    list_categories,
    list_units,
    remove_category,
    update_category,
)

__all__ = ["CategoriesView", "CategoryDialog", "CategoryDraft"]

#: A year of minutes, as db.admin.categories allows.
MAX_MINUTES = 366 * 24 * 60


@dataclass
class CategoryDraft:
    code: str = ""
    name_fa: str = ""
    name_en: str = ""
    group: str = "information"
    priority: int = 3
    emergency: bool = False
    needs_request: bool = True
    unit: str = ""
    calendar: str = ""
    response: str = ""
    resolution: str = ""
    required: tuple[str, ...] = ()
    active: bool = True
    new: bool = True
    unit_before: str = ""
    """The unit read: kept as it is (even made inactive since) unless another is chosen."""

    @classmethod
    def of(cls, c: CategoryAdminView) -> "CategoryDraft":
        return cls(
            code=c.code,
            name_fa=c.name_fa,
            name_en=c.name_en,
            group=c.group,
            priority=c.priority,
            emergency=c.emergency,
            needs_request=c.needs_request,
            unit=c.default_unit_code or "",
            calendar=c.calendar_code,
            response=str(c.response_minutes),
            resolution=str(c.resolution_minutes),
            required=c.required_fields,
            active=c.active,
            new=False,
            unit_before=c.default_unit_code or "",
        )


@dataclass(frozen=True)
class Choices:
    """What a category may point to: the center's active units (code, name) and calendars."""

    units: tuple[tuple[str, str], ...]
    calendars: tuple[CalendarView, ...]


def hours_text(minutes: int) -> str:
    """A target as hours and minutes: 6:00, 72:00, 0:30."""
    return lang_digits(f"{minutes // 60}:{minutes % 60:02d}")


class CategoryDialog(AdminDialog[CategoryDraft]):
    """Add or change a category: names, group, priority, unit, clock, targets, fields."""

    def __init__(
        self, draft: CategoryDraft, choices: Choices, *, error: str = "", error_field: str = ""
    ) -> None:
        self.draft = draft
        self.choices = choices
        fields = (
            "name_fa", "name_en", "group", "priority", "emergency", "needs_request", "unit",
            "calendar", "response_minutes", "resolution_minutes", "active", "required_fields",
        )  # fmt: skip
        self.FIELDS = ("code", *fields[:10], fields[11]) if draft.new else fields
        title = _("New category") if draft.new else _("Category {code}").format(code=draft.code)
        super().__init__(title, error=error, error_field=error_field)

    def fields(self) -> ComposeResult:
        d, c = self.draft, self.choices
        if d.new:
            yield from self.text_field(
                _("Code (Latin letters, digits, _ . -)"), "code", d.code, max_length=32
            )
        else:
            yield self.note(_("Code {code} (a code does not change)").format(code=d.code))
        yield from self.text_field(_("Persian name"), "name_fa", d.name_fa, max_length=120)
        yield from self.text_field(_("English name"), "name_en", d.name_en, max_length=120)
        yield from self.choice_field(_("Group"), "group", checks(CATEGORY_GROUPS), d.group)
        priorities = [(p, lang_digits(str(p))) for p in range(1, 5)]
        yield from self.choice_field(
            _("Priority (1 most urgent)"), "priority", priorities, d.priority
        )
        yes_no = [(False, _("no")), (True, _("yes"))]
        yield from self.choice_field(_("Emergency"), "emergency", yes_no, d.emergency)
        yield from self.choice_field(_("Needs a request"), "needs_request", yes_no, d.needs_request)
        units = [("", _("no default unit")), *c.units]
        yield from self.choice_field(_("Default unit"), "unit", units, d.unit)
        calendars = [(x.code, local_name(x.name_fa, x.name_en)) for x in c.calendars]
        yield from self.choice_field(_("Calendar (clock)"), "calendar", calendars, d.calendar)
        yield from self.text_field(
            _("Response target, minutes"), "response_minutes", d.response, max_length=7
        )
        yield from self.text_field(
            _("Resolution target, minutes (0: none)"),
            "resolution_minutes",
            d.resolution,
            max_length=7,
        )
        if not d.new:
            active = [(True, _("active")), (False, _("inactive"))]
            yield from self.choice_field(_("State"), "active", active, d.active)
        yield from self.checks_field(
            _("Fields intake requires (Space marks)"),
            "required_fields",
            checks(REQUIRED_FIELD_NAMES),
            d.required,
        )

    def current(self) -> CategoryDraft:
        d = self.draft
        return replace(
            d,
            code=self.typed("code") if d.new else d.code,
            name_fa=self.typed("name_fa"),
            name_en=self.typed("name_en"),
            group=self.chosen("group"),
            priority=self.chosen("priority"),
            emergency=self.chosen("emergency"),
            needs_request=self.chosen("needs_request"),
            unit=self.chosen("unit"),
            calendar=self.chosen("calendar"),
            response=self.typed("response_minutes"),
            resolution=self.typed("resolution_minutes"),
            required=self.marked("required_fields"),
            active=d.active if d.new else self.chosen("active"),
        )

    def collect(self) -> CategoryDraft:
        d = self.current()
        if d.new and not d.code.strip():
            raise Refused("code", _("Give the category a code."))
        whole_number(d.response, "response_minutes", high=MAX_MINUTES)
        whole_number(d.resolution, "resolution_minutes", high=MAX_MINUTES)
        return d


class CategoriesView(AdminView):
    """The center's request categories in intake order."""

    SCOPE = "admin_categories"
    LISTINGS = {
        "categories": (
            ("code", N_("Code"), 14),
            ("name", N_("Name"), 22),
            ("priority", N_("Priority"), 9),
            ("unit", N_("Unit"), 10),
            ("calendar", N_("Calendar"), 9),
            ("targets", N_("Targets"), 15),
        )
    }
    DETAIL_ROWS = 2

    def read(self, s: Session, listing: str):
        units = tuple(
            (u.code, local_name(u.name_fa, u.name_en))
            for u in list_units(s, actor=self.agent, include_inactive=False)
        )
        calendars = tuple(list_calendars(s, actor=self.agent))
        return list_categories(s, actor=self.agent), Choices(units, calendars)

    def cells(self, c: CategoryAdminView) -> list[Text]:
        name = local_name(c.name_fa, c.name_en)
        if not c.active:
            name = _("(inactive) {name}").format(name=name)  # first, so cropping keeps it
        targets = hours_text(c.response_minutes)
        if c.resolution_minutes:
            targets += " / " + hours_text(c.resolution_minutes)
        values = {
            "code": c.code,
            "name": name,
            "priority": lang_digits(str(c.priority)),
            "unit": c.default_unit_code or "-",
            "calendar": c.calendar_code,
            "targets": targets,
        }
        return self.values_cells(values, dim=not c.active)

    def detail(self, c: CategoryAdminView) -> list[Line]:
        group = _(CATEGORY_GROUPS[c.group]) if c.group in CATEGORY_GROUPS else c.group
        said = [_("Group: {group}").format(group=group)]
        if c.emergency:
            said.append(_("emergency"))
        if not c.needs_request:
            said.append(_("information only, no request"))
        required = listed(
            _(REQUIRED_FIELD_NAMES[f]) if f in REQUIRED_FIELD_NAMES else f
            for f in c.required_fields
        )
        said.append(_("Intake requires: {fields}").format(fields=required or _("nothing more")))
        targets = _("Response {response} h · resolution {resolution} h").format(
            response=hours_text(c.response_minutes),
            resolution=hours_text(c.resolution_minutes) if c.resolution_minutes else "-",
        )
        return [Line(" · ".join(said)), Line(targets, "detail--muted")]

    def count_text(self) -> str:
        active = sum(1 for c in self.rows if c.active)
        return _("Categories: {n}, active {active}").format(
            n=lang_digits(str(len(self.rows))), active=lang_digits(str(active))
        )

    # --- actions ------------------------------------------------------------------------------

    def _choices(self) -> Choices:
        return self.extra if isinstance(self.extra, Choices) else Choices((), ())

    def action_new_row(self) -> None:
        calendars = self._choices().calendars
        self.open_category(CategoryDraft(calendar=calendars[0].code if calendars else ""))

    def action_edit_row(self) -> None:
        c = self.current()
        if c is not None:
            self.open_category(CategoryDraft.of(c))

    def open_category(self, draft: CategoryDraft, error: str = "", field: str = "") -> None:
        choices = self._choices()
        if draft.unit and all(code != draft.unit for code, _name in choices.units):
            # Its unit was made inactive since: shown, so saving does not change it silently.
            gone = (draft.unit, _("{name} (inactive)").format(name=draft.unit))
            choices = replace(choices, units=(*choices.units, gone))
        dialog = CategoryDialog(draft, choices, error=error, error_field=field)
        self.open(dialog, lambda d: self._save(d, dialog.current()))

    def _save(self, d: CategoryDraft, typed: CategoryDraft) -> None:
        actor = self.agent
        values = dict(
            name_fa=d.name_fa,
            name_en=d.name_en,
            group=d.group,
            priority=d.priority,
            emergency=d.emergency,
            needs_request=d.needs_request,
            unit_code=UNSET if not d.new and d.unit == d.unit_before else d.unit or None,
            calendar_code=d.calendar,
            response_minutes=whole_number(d.response, "response_minutes", high=MAX_MINUTES),
            resolution_minutes=whole_number(d.resolution, "resolution_minutes", high=MAX_MINUTES),
            required_fields=d.required,
        )

        def job(s: Session) -> CategoryAdminView:
            if d.new:
                return add_category(s, actor=actor, code=d.code, **values)
            return update_category(s, actor=actor, code=d.code, active=d.active, **values)

        def done(c: CategoryAdminView) -> tuple[str, str | None]:
            return _("Category {code} saved.").format(code=c.code), c.code

        self.write(job, done, lambda text, field: self.open_category(typed, text, field))

    def action_remove_row(self) -> None:
        c = self.current()
        if c is None:
            return
        actor, code = self.agent, c.code
        text = _(
            "{code} {name}: deleted if nothing refers to it, otherwise kept and made inactive."
        ).format(code=c.code, name=local_name(c.name_fa, c.name_en))
        self.confirm(
            _("Remove the category?"),
            text,
            lambda: self.write(
                lambda s: remove_category(s, actor=actor, code=code),
                lambda r: (removal_text(r), None if r.deleted else r.code),
            ),
        )
