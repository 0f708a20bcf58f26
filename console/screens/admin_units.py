"""Admin mode (F7), units and districts: who does the work, and the parts of the area they serve.

Units first (code, name, kind, phone, state; the districts each serves below the list); Ctrl+E
lists the districts instead. Enter changes the highlighted row (a unit's districts are check
boxes), Ctrl+R adds one, Ctrl+D removes it: deleted when nothing refers to it, otherwise kept
and made inactive (requests keep the name of the unit that had them), which the line under the
list says.
"""

from dataclasses import dataclass, replace

from rich.text import Text
from sqlmodel import Session
from textual.app import ComposeResult

from console.i18n import N_, _, lang_digits
from console.i18n.admin_words import UNIT_KINDS, listed, removal_text
from console.i18n.intake_words import local_name
from console.screens.admin_dialog import AdminDialog, Refused, checks
from console.screens.admin_view import AdminView
from console.widgets.lines import Line
from db.admin import (
    DistrictView,
    UnitView,
    add_district,
    add_unit,
    list_districts,
    list_units,
    remove_district,
    remove_unit,
    set_unit_districts,
    update_district,
    update_unit,
)

__all__ = ["DistrictDialog", "DistrictDraft", "UnitDialog", "UnitDraft", "UnitsView"]

ACTIVE = [(True, N_("active")), (False, N_("inactive"))]


def _active_options() -> list[tuple[bool, str]]:
    return [(value, _(msgid)) for value, msgid in ACTIVE]


@dataclass
class UnitDraft:
    code: str = ""
    kind: str = "water_ops"
    name_fa: str = ""
    name_en: str = ""
    phone: str = ""
    districts: tuple[str, ...] = ()
    active: bool = True
    new: bool = True

    @classmethod
    def of(cls, u: UnitView) -> "UnitDraft":
        return cls(
            u.code, u.kind, u.name_fa, u.name_en, u.phone or "", u.district_codes, u.active, False
        )


@dataclass
class DistrictDraft:
    code: str = ""
    name_fa: str = ""
    name_en: str = ""
    active: bool = True
    new: bool = True

    @classmethod
    def of(cls, d: DistrictView) -> "DistrictDraft":
        return cls(d.code, d.name_fa, d.name_en, d.active, False)


def _code_field(dialog: AdminDialog, code: str, new: bool) -> ComposeResult:
    if new:
        yield from dialog.text_field(
            _("Code (Latin letters, digits, _ . -)"), "code", code, max_length=16
        )
    else:
        yield dialog.note(_("Code {code} (a code does not change)").format(code=code))


class UnitDialog(AdminDialog[UnitDraft]):
    """Add or change a unit: code, kind, names, phone, the districts it serves."""

    def __init__(
        self, draft: UnitDraft, districts: tuple[DistrictView, ...], *, error: str = "",
        error_field: str = "",
    ) -> None:  # fmt: skip
        self.draft = draft
        self.districts = districts
        fields = ("kind", "name_fa", "name_en", "phone", "active", "districts")
        self.FIELDS = ("code", *fields[:4], fields[5]) if draft.new else fields
        title = _("New unit") if draft.new else _("Unit {code}").format(code=draft.code)
        super().__init__(title, error=error, error_field=error_field)

    def fields(self) -> ComposeResult:
        d = self.draft
        yield from _code_field(self, d.code, d.new)
        yield from self.choice_field(_("Kind"), "kind", checks(UNIT_KINDS), d.kind)
        yield from self.text_field(_("Persian name"), "name_fa", d.name_fa, max_length=120)
        yield from self.text_field(_("English name"), "name_en", d.name_en, max_length=120)
        yield from self.text_field(
            _("Phone or extension ({optional})").format(optional=_("optional")),
            "phone",
            d.phone,
            max_length=20,
        )
        if not d.new:
            yield from self.choice_field(_("State"), "active", _active_options(), d.active)
        options = [
            (x.code, f"{x.code} {local_name(x.name_fa, x.name_en)}")
            for x in self.districts
            if x.active or x.code in d.districts
        ]
        yield from self.checks_field(
            _("Districts it serves (Space marks)"), "districts", options, d.districts
        )

    def current(self) -> UnitDraft:
        d = self.draft
        return replace(
            d,
            code=self.typed("code") if d.new else d.code,
            kind=self.chosen("kind"),
            name_fa=self.typed("name_fa"),
            name_en=self.typed("name_en"),
            phone=self.typed("phone"),
            districts=self.marked("districts"),
            active=d.active if d.new else self.chosen("active"),
        )

    def collect(self) -> UnitDraft:
        d = self.current()
        if d.new and not d.code.strip():
            raise Refused("code", _("Give the unit a code."))
        return d


class DistrictDialog(AdminDialog[DistrictDraft]):
    """Add or change a district: code and names."""

    def __init__(self, draft: DistrictDraft, *, error: str = "", error_field: str = "") -> None:
        self.draft = draft
        self.FIELDS = ("code", "name_fa", "name_en") if draft.new else ("name_fa", "name_en")
        title = _("New district") if draft.new else _("District {code}").format(code=draft.code)
        super().__init__(title, error=error, error_field=error_field)

    def fields(self) -> ComposeResult:
        d = self.draft
        yield from _code_field(self, d.code, d.new)
        yield from self.text_field(_("Persian name"), "name_fa", d.name_fa, max_length=120)
        yield from self.text_field(_("English name"), "name_en", d.name_en, max_length=120)
        if not d.new:
            yield from self.choice_field(_("State"), "active", _active_options(), d.active)

    def current(self) -> DistrictDraft:
        d = self.draft
        return replace(
            d,
            code=self.typed("code") if d.new else d.code,
            name_fa=self.typed("name_fa"),
            name_en=self.typed("name_en"),
            active=d.active if d.new else self.chosen("active"),
        )

    def collect(self) -> DistrictDraft:
        d = self.current()
        if d.new and not d.code.strip():
            raise Refused("code", _("Give the district a code."))
        return d


class UnitsView(AdminView):
    """The center's units, or (Ctrl+E) its districts."""

    SCOPE = "admin_units"
    LISTINGS = {
        "units": (
            ("code", N_("Code"), 10),
            ("name", N_("Name"), 27),
            ("kind", N_("Kind"), 20),
            ("phone", N_("Phone"), 12),
            ("state", N_("State"), 10),
        ),
        "districts": (
            ("code", N_("Code"), 10),
            ("name", N_("Name"), 29),
            ("other", N_("Other name"), 30),
            ("state", N_("State"), 10),
        ),
    }

    def read(self, s: Session, listing: str):
        districts = tuple(list_districts(s, actor=self.agent))
        if listing == "districts":
            return districts, districts
        return list_units(s, actor=self.agent), districts

    def cells(self, row: UnitView | DistrictView) -> list[Text]:
        state = _("active") if row.active else _("inactive")
        name = local_name(row.name_fa, row.name_en)
        if isinstance(row, UnitView):
            kind = _(UNIT_KINDS[row.kind]) if row.kind in UNIT_KINDS else row.kind
            values = {
                "code": row.code,
                "name": name,
                "kind": kind,
                "phone": lang_digits(row.phone or "-"),
                "state": state,
            }
        else:
            other = row.name_en if name == row.name_fa else row.name_fa
            values = {"code": row.code, "name": name, "other": other, "state": state}
        return self.values_cells(values, dim=not row.active)

    def detail(self, row: UnitView | DistrictView) -> list[Line]:
        if not isinstance(row, UnitView):
            return [Line(f"{row.name_fa} · {row.name_en}")]
        names = {d.code: local_name(d.name_fa, d.name_en) for d in self.extra or ()}
        served = listed(names.get(c, c) for c in row.district_codes) or _("none")
        return [Line(_("Serves: {districts}").format(districts=served))]

    def count_text(self) -> str:
        n = lang_digits(str(len(self.rows)))
        if self.listing == "districts":
            return _("Districts: {n}").format(n=n)
        return _("Units: {n}").format(n=n)

    # --- actions ------------------------------------------------------------------------------

    def action_switch_list(self) -> None:
        self.say("")
        self.switch_to("districts" if self.listing == "units" else "units")

    def action_new_row(self) -> None:
        if self.listing == "units":
            self.open_unit(UnitDraft())
        else:
            self.open_district(DistrictDraft())

    def action_edit_row(self) -> None:
        row = self.current()
        if isinstance(row, UnitView):
            self.open_unit(UnitDraft.of(row))
        elif isinstance(row, DistrictView):
            self.open_district(DistrictDraft.of(row))

    def open_unit(self, draft: UnitDraft, error: str = "", field: str = "") -> None:
        districts = tuple(self.extra or ())
        dialog = UnitDialog(draft, districts, error=error, error_field=field)
        self.open(dialog, lambda d: self._save_unit(d, dialog.current()))

    def _save_unit(self, d: UnitDraft, typed: UnitDraft) -> None:
        actor = self.agent

        def job(s: Session) -> UnitView:
            if d.new:
                return add_unit(
                    s,
                    actor=actor,
                    code=d.code,
                    kind=d.kind,
                    name_fa=d.name_fa,
                    name_en=d.name_en,
                    phone=d.phone,
                    district_codes=d.districts,
                )
            update_unit(
                s,
                actor=actor,
                code=d.code,
                kind=d.kind,
                name_fa=d.name_fa,
                name_en=d.name_en,
                phone=d.phone or None,
                active=d.active,
            )
            return set_unit_districts(s, actor=actor, code=d.code, district_codes=d.districts)

        def done(u: UnitView) -> tuple[str, str | None]:
            return _("Unit {code} saved.").format(code=u.code), u.code

        self.write(job, done, lambda text, field: self.open_unit(typed, text, field))

    def open_district(self, draft: DistrictDraft, error: str = "", field: str = "") -> None:
        dialog = DistrictDialog(draft, error=error, error_field=field)
        self.open(dialog, lambda d: self._save_district(d, dialog.current()))

    def _save_district(self, d: DistrictDraft, typed: DistrictDraft) -> None:
        actor = self.agent

        def job(s: Session) -> DistrictView:
            if d.new:
                return add_district(
                    s, actor=actor, code=d.code, name_fa=d.name_fa, name_en=d.name_en
                )
            return update_district(
                s,
                actor=actor,
                code=d.code,
                name_fa=d.name_fa,
                name_en=d.name_en,
                active=d.active,
            )

        def done(x: DistrictView) -> tuple[str, str | None]:
            return _("District {code} saved.").format(code=x.code), x.code

        self.write(job, done, lambda text, field: self.open_district(typed, text, field))

    def action_remove_row(self) -> None:
        row = self.current()
        if row is None:
            return
        unit = isinstance(row, UnitView)
        remove = remove_unit if unit else remove_district
        title = _("Remove the unit?") if unit else _("Remove the district?")
        text = _(
            "{code} {name}: deleted if nothing refers to it, otherwise kept and made inactive."
        ).format(code=row.code, name=local_name(row.name_fa, row.name_en))
        actor, code = self.agent, row.code
        self.confirm(
            title,
            text,
            lambda: self.write(
                lambda s: remove(s, actor=actor, code=code),
                lambda r: (removal_text(r), None if r.deleted else r.code),
            ),
        )
