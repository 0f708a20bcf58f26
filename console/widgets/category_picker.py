"""The category picker: a few letters in Persian or English, or one of the agent's recent ones.

A `Picker` whose matches are `db.intake.CategoryView`s. The owner searches with
`db.intake.find_categories` (normalised, so ي/ی and digit scripts do not matter) as the agent
types, and lists `recent_categories` while the field is empty. Emergencies are marked, so the
agent sees at once that a category runs on the 24/7 clock.
"""

from console.i18n import _
from console.i18n.intake_words import local_name
from console.widgets.picker import Choice, Picker
from db.intake import CategoryView

__all__ = ["CategoryPicker"]


class CategoryPicker(Picker):
    """Picks a request category; `category` is the picked `CategoryView` or None."""

    DEFAULT_CSS = """
    CategoryPicker {
        height: auto;
    }
    """

    @property
    def category(self) -> CategoryView | None:
        return self.value if isinstance(self.value, CategoryView) else None

    @staticmethod
    def choice(category: CategoryView) -> Choice:
        name = local_name(category.name_fa, category.name_en)
        note = _("emergency") if category.emergency else ""
        if not category.needs_request:
            note = _("information")
        return Choice(name, category, note)

    def show_categories(self, categories: list[CategoryView], *, recent: bool = False) -> None:
        """List matches; `recent` titles them as the agent's recent categories."""
        heading = _("Your recent categories") if recent and categories else ""
        self.show_matches([self.choice(c) for c in categories], heading=heading)

    def choose_category(self, category: CategoryView | None) -> None:
        self.choose(self.choice(category) if category else None)
