"""The call form: category and district pickers, the text fields, and where Enter goes next.

The category marks which fields it requires; districts are loaded once and filtered in memory.
"""

import uuid
from typing import Any

from textual import on, work
from textual.widgets import Input

from console.i18n.intake_words import label, local_name
from console.i18n.rtl import has_rtl
from console.screens.intake.base import IntakeBase
from console.screens.intake.results import CategoriesFound, CategoryLoaded, DistrictsLoaded
from console.widgets.bidi import BidiText
from console.widgets.fields import FormInput
from console.widgets.picker import Choice, Picker
from db import intake
from db.engine import session
from db.intake import CategoryView, DistrictView, IntakeError
from db.text import search_key

TEXT_FIELDS = ("address", "description", "caller_name", "notes")
# The fields stop typing where `db.intake` would refuse; a paste can still go over, and then
# the refusal shows next to the field.
MAX_LENGTHS = {"address": 400, "description": 2000, "caller_name": 160, "notes": 2000}


class CallForm(IntakeBase):
    """The form's fields: pickers, required marks, focus order and the right-to-left preview."""

    # --- districts -----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="districts", exit_on_error=False)
    def load_districts(self) -> None:
        with session(self._engine, write=False) as s:
            districts = intake.list_districts(s, actor=self._agent)
        self.post_message(DistrictsLoaded(districts))

    def on_intake_panel_districts_loaded(self, event: DistrictsLoaded) -> None:
        self._districts = event.districts
        self._apply_pending_district()

    def _district_choice(self, district: DistrictView) -> Choice:
        return Choice(local_name(district.name_fa, district.name_en), district)

    def _apply_pending_district(self) -> None:
        wanted = self._pending_district
        if wanted is None or not self._districts:
            return
        for district in self._districts:
            if district.id == wanted:
                self.district_picker.choose(self._district_choice(district))
                break
        self._pending_district = None

    @on(Picker.Searched, "#intake-district")
    def _district_searched(self, event: Picker.Searched) -> None:
        event.stop()
        if event.typed:
            self._set_text("#error-district", "")
        key = search_key(event.text)
        found = [
            d
            for d in self._districts
            if not key or key in search_key(f"{d.name_fa} {d.name_en} {d.code}")
        ]
        event.picker.show_matches([self._district_choice(d) for d in found])
        if event.typed:
            self._touched(has_text=bool(event.text.strip()))

    @on(Picker.Picked, "#intake-district")
    def _district_picked(self, event: Picker.Picked) -> None:
        event.stop()
        self._schedule_draft()
        self._focus_after("district")

    # --- categories ----------------------------------------------------------------------------

    @on(Picker.Searched, "#intake-category")
    def _category_searched(self, event: Picker.Searched) -> None:
        event.stop()
        if event.typed:
            self._set_text("#error-category", "")
            self._category_changed(None)
            self._touched(has_text=bool(event.text.strip()))
        self.find_categories(event.text)

    @work(thread=True, exclusive=True, group="categories", exit_on_error=False)
    def find_categories(self, text: str) -> None:
        with session(self._engine, write=False) as s:
            if text.strip():
                found = intake.find_categories(s, actor=self._agent, text=text, limit=6)
                recent = False
            else:
                found = intake.recent_categories(s, actor=self._agent, limit=6)
                recent = True
        self.post_message(CategoriesFound(text, found, recent))

    def on_intake_panel_categories_found(self, event: CategoriesFound) -> None:
        picker = self.category_picker
        if picker.text != event.text or picker.category is not None:
            return
        picker.show_categories(event.categories, recent=event.recent)

    @on(Picker.Picked, "#intake-category")
    def _category_picked(self, event: Picker.Picked) -> None:
        event.stop()
        category = event.choice.value
        self._category_changed(category)
        self._schedule_draft()
        if self._side() == "side-canned":
            self.find_answers(self.canned.search.value, category.id)
        if not category.needs_request:
            self.text_input("notes").focus()
        else:
            self._focus_after("category")

    def _category_changed(self, category: CategoryView | None) -> None:
        """Mark the fields this category requires; look for a repeat call."""
        required = set(category.required_fields) if category else set()
        for name in ("address", "district", "description", "caller_name"):
            shown = self.query_one(f"#label-{name}", BidiText)
            shown.set_class(name in required, "-required")
            shown.text = label(name) + (" *" if name in required else "")
        self._register_confirmed = False
        self._check_repeat()
        self._update_offer()
        self.refresh_bindings()

    def _focus_after(self, name: str) -> None:
        """Enter on a picked value: the next empty required field, else the next field."""
        order = ["category", "address", "district", "description", "caller_name", "notes"]
        category = self.category_picker.category
        required = set(category.required_fields) if category else set()
        later = order[order.index(name) + 1 :]
        for candidate in later:
            if candidate in required and not self._field_value(candidate):
                self._field_widget(candidate).focus()
                return
        self._field_widget(later[0] if later else "notes").focus()

    def _field_value(self, name: str) -> Any:
        if name == "district":
            return self.district_picker.value
        if name == "category":
            return self.category_picker.category
        return self.text_input(name).value.strip()

    # --- a resumed draft's category ------------------------------------------------------------

    @work(thread=True, exclusive=True, group="category", exit_on_error=False)
    def load_category(self, category_id: uuid.UUID) -> None:
        try:
            with session(self._engine, write=False) as s:
                category = intake.get_category(s, actor=self._agent, category_id=category_id)
        except IntakeError:
            return
        self.post_message(CategoryLoaded(category))

    def on_intake_panel_category_loaded(self, event: CategoryLoaded) -> None:
        self.category_picker.choose_category(event.category)
        self._category_changed(event.category)

    # --- form fields ---------------------------------------------------------------------------

    @on(Input.Changed, ".intake-row FormInput")
    def _field_changed(self, event: Input.Changed) -> None:
        if event.input.id == "intake-query":
            return
        event.stop()
        name = (event.input.id or "").removeprefix("intake-")
        if name in TEXT_FIELDS:
            self._set_text(f"#error-{name}", "")
            if name == "address":
                self._register_confirmed = False
        self._touched(has_text=bool(event.value.strip()))
        self._update_preview()

    def on_descendant_focus(self) -> None:
        self._update_preview()

    def _update_preview(self) -> None:
        """The focused field in display order, when it holds right-to-left text."""
        focused = self.screen.focused
        text = ""
        if isinstance(focused, FormInput) and focused.value and has_rtl(focused.value):
            text = focused.value
        self._set_text("#intake-preview", text)
