"""After sign-in, the offer to resume a call that was left half-typed."""

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen

from console import keys
from console.i18n import _, lang_digits
from console.i18n.intake_words import isolate, when_text
from console.i18n.rtl import display
from console.widgets.bidi import BidiText, layout_rtl
from console.widgets.keybar import KeyBar
from db.intake import DraftView


class DraftOfferScreen(ModalScreen[bool]):
    """After sign-in: a call was left half-typed (a crash, a closed terminal). Resume it?

    Dismissed with True to resume (every field comes back), False to discard it.
    """

    DEFAULT_CSS = """
    DraftOfferScreen {
        align: center middle;
        #draft-offer {
            width: 60;
            height: auto;
            padding: 1 2;
            border: round $warning;
            border-title-style: bold;
            background: $surface;
            &:ansi {
                border: solid ansi_yellow;
            }
        }
        &.-rtl #draft-offer {
            border-title-align: right;
        }
        .draft-offer--detail {
            color: $text-muted;
        }
        .draft-offer--hint {
            margin-top: 1;
            text-style: bold;
        }
    }
    """

    def __init__(self, draft: DraftView) -> None:
        super().__init__(classes="-rtl" if layout_rtl() else None)
        keys.install(self, "draft")
        self.draft = draft

    def compose(self) -> ComposeResult:
        fields = self.draft.fields
        with Vertical(id="draft-offer") as box:
            box.border_title = Content(
                display(_("Unfinished call"), base_rtl=True if layout_rtl() else None)
            )
            yield BidiText(
                _("A call you were taking at {when} was not finished. Resume it?").format(
                    when=when_text(self.draft.updated_at)
                )
            )
            details = [
                str(fields.get(name) or "").strip()
                for name in ("query", "category_text", "address", "notes")
            ]
            for detail in filter(None, details):
                yield BidiText(
                    lang_digits(detail) if detail.isdigit() else detail,
                    classes="draft-offer--detail",
                )
            yield BidiText("", classes="draft-offer--hint")
        yield KeyBar()

    def on_mount(self) -> None:
        shown = {}
        for active in self.active_bindings.values():
            if active.binding.id in ("draft_resume", "draft_discard"):
                shown.setdefault(active.binding.id, self.app.get_key_display(active.binding))
        self.query_one(".draft-offer--hint", BidiText).text = _(
            "{resume}: resume it · {discard}: discard it"
        ).format(
            resume=isolate(shown.get("draft_resume", "Enter")),
            discard=isolate(shown.get("draft_discard", "^D")),
        )

    def action_resume(self) -> None:
        self.dismiss(True)

    def action_discard(self) -> None:
        self.dismiss(False)
