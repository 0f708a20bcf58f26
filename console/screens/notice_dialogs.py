"""The dialogs of notices: write a template (with its live preview), start a campaign.

Built on `StepDialog` (Enter to the next field, Ctrl+O saves, Esc closes), so an information
officer meets the keys of every other dialog. Each checks what it can without the database: a
template's placeholders are checked as it is saved and refused next to its text, which stays;
what the database refuses comes back to the view, which opens the dialog again with everything
typed and the reason next to its field.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import SelectionList, TextArea

from console.i18n import _, lang_digits
from console.i18n.intake_words import local_name, when_text
from console.i18n.notice_words import (
    CHANNELS,
    TARGETS,
    channel_name,
    malformed_text,
    names_text,
    notice_error_text,
    placeholder_note,
    preview_cost,
    target_hint,
    warning_text,
)
from console.i18n.rtl import display
from console.screens.step_dialog import ChoiceLine, NoteArea, Refused, StepDialog
from console.widgets.bidi import BidiText, layout_rtl
from console.widgets.fields import FormInput
from console.widgets.keybar import KeyBar
from console.widgets.lines import Line
from console.widgets.picker import Choice, Picker
from console.widgets.request_detail import DetailBlock
from db.followup.choices import Choice as NamedChoice
from db.notices import PLACEHOLDERS, NoticeError, TemplateView, check_body, preview_text
from db.text import search_key

__all__ = [
    "CampaignDialog",
    "CampaignDraft",
    "IncidentChoice",
    "TargetChoices",
    "TemplateDialog",
    "TemplateDraft",
]

NAME_LIMIT = 120
BODY_LIMIT = 2000
CAMPAIGN_NAME_LIMIT = 160
VALUE_LIMIT = 200


def _scrolling_box(dialog: StepDialog) -> ComposeResult:
    """StepDialog's box, but scrolling: these dialogs do not fit 24 lines."""
    with VerticalScroll(id="dialog") as box:
        box.border_title = Content(
            display(dialog.title_text, base_rtl=True if layout_rtl() else None)
        )
        yield from dialog.fields()
    yield KeyBar()


# --- templates ------------------------------------------------------------------------------


@dataclass
class TemplateDraft:
    """A template as typed: new (no ``template_id``) or an edit of a saved one."""

    code: str = ""
    channel: str = "sms"
    name: str = ""
    body: str = ""
    active: bool = True
    template_id: uuid.UUID | None = None
    updated_at: datetime | None = None
    """The ``updated_at`` read: an edit over someone else's newer one is refused (stale)."""

    @classmethod
    def of(cls, t: TemplateView) -> "TemplateDraft":
        return cls(t.code, t.channel, t.name, t.body, t.active, t.id, t.updated_at)


def placeholder_lines() -> list[Line]:
    """Every placeholder a template may use, with what it stands for."""
    return [Line(f"{{{name}}} {placeholder_note(name)}", "detail--muted") for name in PLACEHOLDERS]


class TemplateDialog(StepDialog[TemplateDraft]):
    """Write or change a template. Under the text, as it is typed: the text filled with sample
    values, what it costs as an SMS (parts, characters, encoding) and what to fix; below, the
    placeholders it may use."""

    DEFAULT_CSS = """
    TemplateDialog {
        #dialog {
            width: 78;
        }
        .dialog--label {
            margin-top: 0;
        }
        #code-row {
            height: 1;
            #code {
                width: 24;
                margin-right: 2;
            }
            #channel {
                width: 1fr;
            }
        }
        &.-rtl #code-row {
            #code {
                margin-right: 0;
                margin-left: 2;
            }
        }
        TextArea {
            height: 5;
            border: none;
            padding: 0;
            background: $boost;
        }
        #sample {
            color: $text-muted;
        }
        #cost {
            color: $text-accent;
            text-style: bold;
        }
        #warnings {
            color: $text-warning;
        }
    }
    """

    def __init__(
        self,
        *,
        draft: TemplateDraft,
        samples: Mapping[str, str],
        max_parts: int,
        error: str = "",
        error_field: str = "",
    ) -> None:
        self.draft = draft
        self.editing = draft.template_id is not None
        self.FIELDS = (
            ("name", "body", "active") if self.editing else ("code", "channel", "name", "body")
        )
        title = _("Change the template") if self.editing else _("New template")
        super().__init__(title, error=error, error_field=error_field)
        self.samples = dict(samples)
        self.max_parts = max_parts

    def compose(self) -> ComposeResult:
        yield from _scrolling_box(self)

    def fields(self) -> ComposeResult:
        d = self.draft
        if self.editing:
            yield BidiText(
                _("Code {code} · {channel}").format(code=d.code, channel=channel_name(d.channel)),
                classes="dialog--muted",
            )
        else:
            yield self.label(_("Code (Latin letters, digits, _) and channel"))
            # In Persian the row mirrors: the code field on the right, its channel to its left.
            row = [
                FormInput(d.code, id="code", max_length=32, compact=True),
                ChoiceLine([(c, _(name)) for c, name in CHANNELS.items()], d.channel, id="channel"),
            ]
            with Horizontal(id="code-row"):
                yield from (reversed(row) if layout_rtl() else row)
            yield self.error_line("code")
        yield self.label(_("Name (for the list)"))
        yield FormInput(d.name, id="name", max_length=NAME_LIMIT, compact=True)
        yield self.error_line("name")
        yield self.label(_("Text"))
        yield NoteArea(d.body, id="body", soft_wrap=True, tab_behavior="focus")
        yield self.error_line("body")
        yield DetailBlock(id="sample", clip_rows=3)
        yield BidiText("", id="cost")
        yield BidiText("", id="warnings")
        if self.editing:
            yield self.label(_("Use"))
            yield ChoiceLine([(True, _("in use")), (False, _("not in use"))], d.active, id="active")
        yield self.label(_("Placeholders it may use"))
        names = DetailBlock(id="placeholders")
        names.show(placeholder_lines())
        yield names

    def on_mount(self) -> None:
        # StepDialog's on_mount runs after this one (Textual calls each class's handler).
        self.update_preview()

    @property
    def channel(self) -> str:
        if self.editing:
            return self.draft.channel
        return self.query_one("#channel", ChoiceLine).value

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        # The preview below replaces StepDialog's note preview (there is no note here).
        event.prevent_default()
        self.update_preview()

    def on_choice_line_changed(self, event: ChoiceLine.Changed) -> None:
        if event.choice_line.id == "channel" and self.is_mounted:
            self.update_preview()

    def update_preview(self) -> None:
        """The text filled with sample values, its cost and its warnings, as typed so far."""
        body = self.query_one("#body", TextArea).text
        sample = self.query_one("#sample", DetailBlock)
        cost = self.query_one("#cost", BidiText)
        warnings = self.query_one("#warnings", BidiText)
        if not body.strip():
            sample.show([])
            cost.text = warnings.text = ""
            return
        try:
            preview = preview_text(body, self.channel, self.samples, max_parts=self.max_parts)
        except NoticeError as error:
            sample.show([])
            cost.text = ""
            warnings.text = malformed_text(str(error.params.get("detail", "")))
            return
        shown = preview.text.strip()
        sample.show([Line(_("Reads: {text}").format(text=shown), "detail--muted")] if shown else [])
        cost.text = preview_cost(preview)
        warnings.text = "\n".join(warning_text(w) for w in preview.warnings)

    def typed(self) -> TemplateDraft:
        """Everything as typed, to open the dialog again after a refusal."""
        d = self.draft
        return TemplateDraft(
            code=d.code if self.editing else self.query_one("#code", FormInput).value,
            channel=self.channel,
            name=self.query_one("#name", FormInput).value,
            body=self.query_one("#body", TextArea).text,
            active=self.query_one("#active", ChoiceLine).value if self.editing else d.active,
            template_id=d.template_id,
            updated_at=d.updated_at,
        )

    def collect(self) -> TemplateDraft:
        t = self.typed()
        if not self.editing and not t.code.strip():
            raise Refused("code", _("Give the template a short code, such as planned_cutoff."))
        if not t.name.strip():
            raise Refused("name", _("Give the template a name."))
        body = t.body.strip()
        if not body:
            raise Refused("body", _("Write the text."))
        if len(body) > BODY_LIMIT:
            raise Refused(
                "body",
                _("Too long: at most {max} characters.").format(max=lang_digits(str(BODY_LIMIT))),
            )
        try:
            check_body(body)
        except NoticeError as error:
            raise Refused("body", notice_error_text(error)) from None
        return t


# --- campaigns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IncidentChoice:
    id: uuid.UUID
    title: str
    active: bool
    started_at: datetime


@dataclass(frozen=True)
class TargetChoices:
    """What a campaign can send and to whom: the active SMS templates, the districts, the
    incidents (active first), the categories (empty when the officer may not read them)."""

    templates: tuple[TemplateView, ...] = ()
    districts: tuple[NamedChoice, ...] = ()
    incidents: tuple[IncidentChoice, ...] = ()
    categories: tuple[NamedChoice, ...] = ()

    def template(self, template_id: uuid.UUID | None) -> TemplateView | None:
        return next((t for t in self.templates if t.id == template_id), None)


@dataclass
class CampaignDraft:
    """A campaign as typed: its name, template, target and the values typed for its text."""

    name: str = ""
    template_id: uuid.UUID | None = None
    kind: str = "districts"
    district_ids: tuple[uuid.UUID, ...] = ()
    incident_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None
    values: dict[str, str] = field(default_factory=dict)

    def target(self) -> dict[str, object]:
        """The target as `db.notices.create_campaign` takes it."""
        target: dict[str, object]
        if self.kind == "districts":
            target = {"district_ids": [str(d) for d in self.district_ids]}
        elif self.kind in ("incident_area", "incident_callers"):
            target = {"incident_id": str(self.incident_id)}
        else:
            target = {"category_id": str(self.category_id)}
        values = {k: v.strip() for k, v in self.values.items() if v.strip()}
        if values:
            target["values"] = values
        return target


class CampaignDialog(StepDialog[CampaignDraft]):
    """Start a campaign: a name, an SMS template, who receives it, and values for the
    placeholders no recipient has (a planned cut-off's date and hours). Saved as a draft, then
    previewed before anyone approves it."""

    DEFAULT_CSS = """
    CampaignDialog {
        #dialog {
            width: 78;
        }
        .dialog--label {
            margin-top: 0;
        }
        SelectionList {
            height: 5;
        }
        #target-hint {
            color: $text-muted;
        }
        .-hidden {
            display: none;
        }
        #values {
            height: auto;
        }
    }
    """

    FIELDS = ("name", "template", "kind", "districts", "target_one")

    def __init__(
        self,
        *,
        choices: TargetChoices,
        now: datetime,
        draft: CampaignDraft | None = None,
        error: str = "",
        error_field: str = "",
    ) -> None:
        super().__init__(_("New campaign"), error=error, error_field=error_field)
        self.choices = choices
        self.now = now
        self.draft = draft or CampaignDraft()
        self._values = dict(self.draft.values)
        self._one: dict[str, uuid.UUID | None] = {
            "incident": self.draft.incident_id,
            "category": self.draft.category_id,
        }

    def compose(self) -> ComposeResult:
        yield from _scrolling_box(self)

    def fields(self) -> ComposeResult:
        d = self.draft
        yield self.label(_("Name (for the list)"))
        yield FormInput(d.name, id="name", max_length=CAMPAIGN_NAME_LIMIT, compact=True)
        yield self.error_line("name")
        yield self.label(_("SMS template"))
        yield Picker(placeholder=_("type to search"), id="template")
        yield self.error_line("template")
        yield self.label(_("Send to"))
        yield ChoiceLine([(k, _(name)) for k, name in TARGETS.items()], d.kind, id="kind")
        yield BidiText(target_hint(d.kind), id="target-hint")
        yield SelectionList[uuid.UUID](
            *(
                (display(local_name(c.name_fa, c.name_en)), c.id, c.id in d.district_ids)
                for c in self.choices.districts
            ),
            id="districts",
            compact=True,
        )
        yield Picker(placeholder=_("type to search"), id="target_one")
        yield self.error_line("target")
        with Vertical(id="values"):
            yield from self._value_fields(self.choices.template(d.template_id))

    def on_mount(self) -> None:
        template = self.choices.template(self.draft.template_id)
        if template is not None:
            self.query_one("#template", Picker).choose(self._template_choice(template))
        self._show_target(self.draft.kind)
        # StepDialog's on_mount runs next (Textual calls each class's handler): the focus.

    # --- the template and its values --------------------------------------------------------

    def _template_choice(self, t: TemplateView) -> Choice:
        return Choice(t.name, t.id, note=t.code)

    def _value_fields(self, template: TemplateView | None) -> ComposeResult:
        if template is None or not template.placeholders:
            return
        yield self.label(
            _("Values for its text ({optional}: the incident's or each recipient's own)").format(
                optional=_("optional")
            )
        )
        for name in template.placeholders:
            yield BidiText(f"{{{name}}} {placeholder_note(name)}", classes="dialog--muted")
            yield FormInput(
                self._values.get(name, ""),
                id=f"value-{name}",
                max_length=VALUE_LIMIT,
                compact=True,
            )
            yield self.error_line(f"value-{name}")

    def _typed_values(self) -> dict[str, str]:
        for value in self.query("#values FormInput").results(FormInput):
            self._values[(value.id or "").removeprefix("value-")] = value.value
        return dict(self._values)

    async def _replace_values(self, template: TemplateView | None) -> None:
        self._typed_values()
        box = self.query_one("#values", Vertical)
        await box.remove_children()
        await box.mount_all(list(self._value_fields(template)))

    # --- the target -------------------------------------------------------------------------

    def _show_target(self, kind: str) -> None:
        self.query_one("#target-hint", BidiText).text = target_hint(kind)
        one = kind != "districts"
        self.query_one("#districts").set_class(one, "-hidden")
        picker = self.query_one("#target_one", Picker)
        picker.set_class(not one, "-hidden")
        if one:
            key = "category" if kind == "open_requests_in_category" else "incident"
            chosen = next((c for c in self._one_choices(kind) if c.value == self._one[key]), None)
            picker.choose(chosen)
            picker.input.placeholder = (
                _("type a category") if key == "category" else _("type an incident's title")
            )

    def _one_choices(self, kind: str) -> list[Choice]:
        if kind == "open_requests_in_category":
            return [Choice(local_name(c.name_fa, c.name_en), c.id) for c in self.choices.categories]
        return [
            Choice(
                i.title,
                i.id,
                note=_("active") if i.active else when_text(i.started_at, now=self.now),
            )
            for i in self.choices.incidents
        ]

    def on_choice_line_changed(self, event: ChoiceLine.Changed) -> None:
        if event.choice_line.id == "kind" and self.is_mounted:
            event.stop()
            self._show_target(event.value)

    def on_picker_searched(self, event: Picker.Searched) -> None:
        event.stop()
        typed = search_key(event.text)
        if event.picker.id == "template":
            found = [
                self._template_choice(t)
                for t in self.choices.templates
                if typed in search_key(f"{t.name} {t.code}")
            ]
        else:
            found = [
                c
                for c in self._one_choices(self.query_one("#kind", ChoiceLine).value)
                if typed in search_key(c.label)
            ]
        heading = "" if found else _("Nothing matches.")
        event.picker.show_matches(found, heading=heading)

    async def on_picker_picked(self, event: Picker.Picked) -> None:
        event.stop()
        if event.picker.id == "template":
            await self._replace_values(self.choices.template(event.choice.value))
            self.query_one("#kind", ChoiceLine).focus()
        else:
            kind = self.query_one("#kind", ChoiceLine).value
            key = "category" if kind == "open_requests_in_category" else "incident"
            self._one[key] = event.choice.value
            inputs = self.query("#values FormInput")
            if inputs:
                inputs.first().focus()

    def action_next_field(self) -> None:
        """Enter: the next field; in the last one (the last value, else the target), save."""
        inputs = list(self.query("#values FormInput").results(FormInput))
        kind = self.query_one("#kind", ChoiceLine).value
        target = self.query_one("#target_one", Picker).input if kind != "districts" else None
        last = inputs[-1] if inputs else target
        if last is not None and self.focused is last:
            self.action_save()
        else:
            self.focus_next()

    # --- result -----------------------------------------------------------------------------

    def typed(self) -> CampaignDraft:
        """Everything as typed, to open the dialog again after a refusal."""
        kind = self.query_one("#kind", ChoiceLine).value
        picker = self.query_one("#target_one", Picker)
        if kind != "districts":
            key = "category" if kind == "open_requests_in_category" else "incident"
            self._one[key] = picker.value
        return CampaignDraft(
            name=self.query_one("#name", FormInput).value,
            template_id=self.query_one("#template", Picker).value,
            kind=kind,
            district_ids=tuple(self.query_one(SelectionList).selected),
            incident_id=self._one["incident"],
            category_id=self._one["category"],
            values=self._typed_values(),
        )

    def collect(self) -> CampaignDraft:
        d = self.typed()
        if not d.name.strip():
            raise Refused("name", _("Give the campaign a name."))
        if d.template_id is None:
            raise Refused("template", _("Choose the SMS template to send."))
        if d.kind == "districts" and not d.district_ids:
            raise Refused("districts", _("Mark at least one district (Space marks)."))
        if d.kind in ("incident_area", "incident_callers") and d.incident_id is None:
            raise Refused("target_one", _("Choose the incident."))
        if d.kind == "open_requests_in_category" and d.category_id is None:
            if not self.choices.categories:
                raise Refused("target_one", _("You may not read the categories."))
            raise Refused("target_one", _("Choose the category."))
        return d

    def show_error(self, field: str, text: str) -> None:
        # The target's two widgets share one error line.
        if field in ("districts", "target_one", "target"):
            super().show_error("target", text)
            kind = self.query_one("#kind", ChoiceLine).value
            self._focus_field("districts" if kind == "districts" else "target_one")
            return
        super().show_error(field, text)


def missing_text(missing: Mapping[str, int]) -> str:
    """`{eta} has no value for 12 recipients`, for each placeholder some recipients lack."""
    return " · ".join(
        _("{name} has no value for {n} recipients").format(
            name=names_text(name), n=lang_digits(str(count))
        )
        for name, count in sorted(missing.items())
    )
