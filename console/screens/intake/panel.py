"""The intake panel the main screen shows for the intake mode, composed of its parts.

Top to bottom at 80x24: the caller row, the side column (caller card, request status or ready
answers) beside the form, and one line for what just happened. What each key does lives in the
part it belongs to (see `console.screens.intake`).
"""

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import ContentSwitcher

from console.i18n import _
from console.i18n.intake_words import label
from console.screens.intake.answers import ReadyAnswers
from console.screens.intake.caller import CallerLookup
from console.screens.intake.draft import CallDraft
from console.screens.intake.ending import CallEnding
from console.screens.intake.form import MAX_LENGTHS, CallForm
from console.screens.intake.line import CallLine
from console.screens.intake.repeat import RepeatOffer
from console.widgets.bidi import BidiText, layout_rtl
from console.widgets.caller_card import CallerCardView
from console.widgets.canned_answers import CannedAnswers
from console.widgets.category_picker import CategoryPicker
from console.widgets.fields import FormInput
from console.widgets.picker import Picker
from console.widgets.request_status import RequestStatusPanel
from console.widgets.tracking_code import TrackingCodeBanner


class IntakePanel(
    CallerLookup, CallForm, RepeatOffer, ReadyAnswers, CallLine, CallDraft, CallEnding
):
    """The intake mode: caller row, side column (card, status, answers), form, message line."""

    DEFAULT_CSS = """
    IntakePanel {
        height: 1fr;
        & .intake-label {
            dock: left;
            width: 12;
            padding-right: 1;
            text-style: bold;
            color: $text-muted;
            &.-required {
                color: $text;
            }
        }
        &.-rtl .intake-label {
            dock: right;
            padding-right: 0;
            padding-left: 1;
        }
        & .intake-row {
            height: auto;
        }
        & .intake-error {
            color: $text-error;
            text-style: bold;
        }
        & FormInput.-textual-compact {
            background: $panel;
            padding: 0 1;
            &:focus {
                background: $primary 50%;
            }
            &:ansi {
                background: ansi_default;
                text-style: underline;
                &:focus {
                    background: ansi_blue;
                    text-style: none;
                }
            }
        }
        #intake-caller {
            height: auto;
            padding: 0 1;
        }
        #intake-caller .intake-label {
            color: $text;
        }
        #intake-query {
            width: 1fr;
        }
        #intake-query-status {
            dock: right;
            width: auto;
            max-width: 24;
            padding-left: 1;
            color: $text-muted;
        }
        &.-rtl #intake-query-status {
            dock: left;
            padding-left: 0;
            padding-right: 1;
        }
        #intake-line {
            width: auto;
            padding: 0 1;
            margin-left: 1;
            background: $secondary 30%;
            text-style: bold;
            &:ansi {
                background: ansi_default;
                text-style: bold reverse;
            }
        }
        &.-rtl #intake-line {
            margin-left: 0;
            margin-right: 1;
        }
        #intake-query-error {
            padding: 0 1;
        }
        #intake-body, #intake-work {
            height: 1fr;
        }
        #intake-side {
            dock: left;
            width: 38;
            height: 1fr;
            border: round $primary 60%;
            border-title-color: $text;
            &:focus-within {
                border: round $accent;
            }
            &:ansi {
                border: solid ansi_blue;
                &:focus-within {
                    border: double ansi_bright_blue;
                }
            }
        }
        &.-rtl #intake-side {
            dock: right;
            border-title-align: right;
        }
        #intake-side > VerticalScroll {
            height: 1fr;
            scrollbar-size-vertical: 1;
        }
        #side-idle BidiText {
            color: $text-muted;
            padding: 0 1;
        }
        #intake-form {
            height: 1fr;
            padding: 0 1;
            scrollbar-size-vertical: 1;
        }
        #intake-preview {
            color: $text-accent;
            max-height: 3;
        }
        #intake-offer {
            background: $warning 25%;
            text-style: bold;
            margin-top: 1;
            &:ansi {
                background: ansi_yellow;
                color: ansi_black;
            }
        }
        #intake-message {
            dock: bottom;
            padding: 0 1;
            &.-ok {
                color: $text-success;
                text-style: bold;
            }
            &.-error {
                color: $text-error;
                text-style: bold;
            }
        }
        #intake-registered {
            height: 1fr;
            align: center middle;
        }
    }
    """

    BINDINGS: ClassVar[list[Binding]] = []  # from console.keys, scope "intake"

    def compose(self) -> ComposeResult:
        with Horizontal(id="intake-caller", classes="intake-row"):
            yield BidiText(label("query"), classes="intake-label")
            yield BidiText("", id="intake-query-status")
            # In the flow, not docked: two docks on one edge would overlap. At the line's end
            # side, between the caller field and the lookup status.
            line = BidiText("", id="intake-line")
            if layout_rtl():
                yield line
            yield FormInput(
                id="intake-query",
                compact=True,
                max_length=80,
                select_on_focus=False,
                placeholder=_("phone, subscription, bill ID, national code, name, tracking code"),
            )
            if not layout_rtl():
                yield line
        yield BidiText("", id="intake-query-error", classes="intake-error")
        yield BidiText("", id="intake-message")
        with ContentSwitcher(id="intake-body", initial="intake-work"):
            with Container(id="intake-work"):
                with ContentSwitcher(id="intake-side", initial="side-idle"):
                    with VerticalScroll(id="side-idle", can_focus=False):
                        yield BidiText(
                            _(
                                "Key what the caller gives: a phone number, subscription "
                                "number, bill ID, national code, name or tracking code. The "
                                "caller card shows here."
                            )
                        )
                    with VerticalScroll(id="side-card", can_focus=False):
                        yield CallerCardView(id="intake-card")
                    # Focusable: a long history scrolls with Up/Down and Page Up/Down.
                    with VerticalScroll(id="side-status"):
                        yield RequestStatusPanel(id="intake-status")
                    with VerticalScroll(id="side-canned", can_focus=False):
                        yield CannedAnswers(id="intake-canned")
                with VerticalScroll(id="intake-form", can_focus=False):
                    yield from self._row(
                        "category",
                        CategoryPicker(id="intake-category", placeholder=_("type to search")),
                    )
                    yield from self._text_row("address")
                    yield from self._row("district", Picker(id="intake-district"))
                    for name in ("description", "caller_name", "notes"):
                        yield from self._text_row(name)
                    yield BidiText("", id="intake-preview")
                    yield BidiText("", id="intake-offer")
            with Vertical(id="intake-registered"):
                yield TrackingCodeBanner(id="intake-code")

    def _text_row(self, name: str) -> ComposeResult:
        """A one-line text field of the call form, labelled, with its error line."""
        field = FormInput(
            id=f"intake-{name}", compact=True, max_length=MAX_LENGTHS[name], select_on_focus=False
        )
        yield from self._row(name, field)

    def _row(self, name: str, widget: Widget) -> ComposeResult:
        with Horizontal(classes="intake-row", id=f"row-{name}"):
            yield BidiText(label(name), classes="intake-label", id=f"label-{name}")
            yield widget
        yield BidiText("", classes="intake-error", id=f"error-{name}")

    def on_mount(self) -> None:
        for quiet in ("#intake-query-error", "#intake-preview", "#intake-offer", ".intake-error"):
            for widget in self.query(quiet):
                widget.display = False
        self._say("", kind="")
        self._set_side("side-idle")
        self._show_line()
        self.load_districts()
        self.load_last_line()
        self.load_draft()
