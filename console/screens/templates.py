"""Notices mode (F5), templates: the texts notices are sent in, written and checked here.

One row per template (code, channel, name, in use, what its text costs as an SMS when filled
with sample values); the highlighted one's text shows below. Enter changes it, Ctrl+R writes a
new one; the dialog previews the text as it is typed and refuses an unknown placeholder next to
the text, which stays as typed.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from rich.text import Text
from sqlalchemy.engine import Engine
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable

from console import keys
from console.i18n import N_, _, lang_digits
from console.i18n.notice_words import (
    ENCODINGS,
    channel_name,
    notice_error_field,
    notice_error_text,
    sample_values,
)
from console.screens.notice_dialogs import TemplateDialog, TemplateDraft
from console.widgets.bidi import BidiText, layout_rtl, notify_text
from console.widgets.lines import Line
from console.widgets.mirrored_table import Column, MirroredTable, cell
from console.widgets.request_detail import DetailBlock
from db.accounts import AgentView, PermissionDenied
from db.engine import session
from db.notices import (
    NoticeError,
    TemplateView,
    create_template,
    get_template,
    list_templates,
    load_notice_settings,
    preview_text,
    update_template,
)

__all__ = ["TemplatesPanel"]

#: Left to right in English (mirrored in Persian); the widths add up to 79.
COLUMNS: tuple[Column, ...] = (
    ("code", N_("Code"), 19),
    ("channel", N_("Channel"), 12),
    ("name", N_("Name"), 27),
    ("active", N_("Use"), 9),
    ("sms", N_("SMS"), 12),
)


def row_cells(t: TemplateView, samples: dict[str, str], max_parts: int, *, rtl: bool) -> list[Text]:
    sms, style = "", ""
    if t.channel == "sms":
        preview = preview_text(t.body, t.channel, samples, max_parts=max_parts)
        sms = f"{lang_digits(str(preview.parts))} · {ENCODINGS.get(preview.encoding, '')}"
        style = "bold yellow" if preview.parts > max_parts else ""
    values = {
        "code": t.code,
        "channel": channel_name(t.channel),
        "name": t.name,
        "active": _("in use") if t.active else _("not in use"),
        "sms": sms,
    }
    styles = {"active": "" if t.active else "dim", "sms": style}
    return [
        cell(values[key], width, rtl=rtl, style=styles.get(key, ""))
        for key, _msgid, width in COLUMNS
    ]


class TemplatesPanel(Vertical):
    """The center's notice templates, the highlighted one's text below."""

    DEFAULT_CSS = """
    TemplatesPanel {
        height: 1fr;
        #templates-count {
            text-style: bold;
        }
        #templates-table {
            height: 1fr;
            scrollbar-size-vertical: 1;
        }
        #templates-body {
            height: auto;
            border-top: solid $primary;
            &:ansi {
                border-top: ascii $primary;
            }
        }
    }
    """

    @dataclass
    class Loaded(Message):
        """A worker read the templates; handled by `on_templates_panel_loaded`."""

        templates: tuple[TemplateView, ...]
        center: str
        max_parts: int
        now: datetime
        select: uuid.UUID | None = None

    def __init__(
        self,
        *,
        engine: Engine,
        agent: AgentView,
        clock: Callable[[], datetime],
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="-rtl" if layout_rtl() else None)
        keys.install(self, "templates")
        self._engine = engine
        self.agent = agent
        self._clock = clock
        self._rtl = layout_rtl()
        self.templates: tuple[TemplateView, ...] = ()
        self.samples: dict[str, str] = {}
        self.max_parts = 2

    def compose(self) -> ComposeResult:
        yield BidiText(id="templates-count")
        yield MirroredTable(COLUMNS, rtl=self._rtl, id="templates-table")
        yield DetailBlock(id="templates-body", clip_rows=3)

    def focus_first(self) -> None:
        self.query_one(DataTable).focus()
        self.refresh_list()

    # --- reading ----------------------------------------------------------------------------

    def refresh_list(self, select: uuid.UUID | None = None) -> None:
        self._load(select)

    @work(thread=True, exclusive=True, group="templates", exit_on_error=False)
    def _load(self, select: uuid.UUID | None) -> None:
        with session(self._engine, write=False) as s:
            templates = list_templates(s, actor=self.agent)
            settings = load_notice_settings(s, self.agent.center_id)
        self.post_message(
            self.Loaded(
                templates, settings.center_name, settings.sms_max_parts, self._clock(), select
            )
        )

    def on_templates_panel_loaded(self, event: Loaded) -> None:
        event.stop()
        self.templates = event.templates
        self.samples = sample_values(event.now, event.center)
        self.max_parts = event.max_parts
        table = self.query_one(MirroredTable)
        keep = table.cursor_row
        table.clear()
        for t in event.templates:
            table.add_cells(row_cells(t, self.samples, self.max_parts, rtl=self._rtl), str(t.id))
        if event.select is not None:
            keep = next((i for i, t in enumerate(event.templates) if t.id == event.select), keep)
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        in_use = sum(1 for t in event.templates if t.active)
        self.query_one("#templates-count", BidiText).text = (
            _("Templates: {n}, in use {used}").format(
                n=lang_digits(str(len(event.templates))), used=lang_digits(str(in_use))
            )
            if event.templates
            else _("No template yet.")
        )
        self._show_body()

    def highlighted(self) -> TemplateView | None:
        key = self.query_one(MirroredTable).highlighted_key()
        return next((t for t in self.templates if str(t.id) == key), None)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_body()

    def _show_body(self) -> None:
        t = self.highlighted()
        self.query_one("#templates-body", DetailBlock).show([Line(t.body)] if t else [])

    # --- actions ----------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.refresh_list()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit_template()

    def action_edit_template(self) -> None:
        t = self.highlighted()
        if t is None:
            self.app.bell()
            return
        self.open_dialog(TemplateDraft.of(t))

    def action_new_template(self) -> None:
        self.open_dialog(TemplateDraft())

    def open_dialog(self, draft: TemplateDraft, error: str = "", field: str = "") -> None:
        dialog = TemplateDialog(
            draft=draft,
            samples=self.samples or sample_values(self._clock(), ""),
            max_parts=self.max_parts,
            error=error,
            error_field=field,
        )

        def written(result: TemplateDraft | None) -> None:
            if result is not None:
                self._save(result)

        self.app.push_screen(dialog, written)

    @work(thread=True, exclusive=True, group="templates-write", exit_on_error=False)
    def _save(self, d: TemplateDraft) -> None:
        try:
            with session(self._engine) as s:
                if d.template_id is None:
                    saved = create_template(
                        s,
                        actor=self.agent,
                        code=d.code,
                        channel=d.channel,
                        name=d.name,
                        body=d.body,
                        now=self._clock(),
                    )
                else:
                    assert d.updated_at is not None
                    saved = update_template(
                        s,
                        actor=self.agent,
                        template_id=d.template_id,
                        expected_updated_at=d.updated_at,
                        name=d.name,
                        body=d.body,
                        active=d.active,
                        now=self._clock(),
                    )
        except NoticeError as error:
            if error.reason == "stale" and d.template_id is not None:
                # Someone saved first: keep the text typed, and quote their time this time.
                with session(self._engine, write=False) as s:
                    theirs = get_template(s, actor=self.agent, template_id=d.template_id)
                d = replace(d, updated_at=theirs.updated_at)
            text, field = notice_error_text(error), notice_error_field(error)
            self.app.call_from_thread(self.open_dialog, d, text, field)
            return
        except PermissionDenied as denied:
            self.app.call_from_thread(
                notify_text, self, notice_error_text(denied), severity="warning"
            )
            return
        said = _("Template saved: {name}").format(name=saved.name)
        self.app.call_from_thread(notify_text, self, said)
        self.app.call_from_thread(self.refresh_list, saved.id)
