"""Notices mode (F5), campaigns: one SMS template sent to many, previewed, approved, followed.

The list shows each campaign with its progress (queued, sent, delivered, failed, and a small
bar); it reads itself again every few polls while on show, so a running send moves. Ctrl+R
starts a campaign (a draft); Enter opens one: who receives it, the first message as its first
recipient reads it and what it costs, then Ctrl+P approves it (recipients fixed, messages
queued; a large one needs a supervisor) and Ctrl+D cancels it.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from rich.text import Text
from sqlalchemy.engine import Engine
from sqlmodel import Session
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static

from console import keys
from console.i18n import N_, _, lang_digits
from console.i18n.intake_words import local_name, when_text
from console.i18n.notice_words import (
    campaign_status_name,
    notice_error_field,
    notice_error_text,
    outbox_status_name,
    preview_cost,
    target_name,
    warning_text,
)
from console.screens.base import DeskScreen
from console.screens.notice_dialogs import (
    CampaignDialog,
    CampaignDraft,
    IncidentChoice,
    TargetChoices,
    missing_text,
)
from console.widgets.bidi import BidiText, layout_rtl, notify_text
from console.widgets.keybar import KeyBar
from console.widgets.lines import Line
from console.widgets.mirrored_table import Column, MirroredTable, cell
from console.widgets.polling import Polling, reading_text
from console.widgets.request_detail import DetailBlock
from db.accounts import AgentView, PermissionDenied
from db.engine import session
from db.followup.choices import queue_choices
from db.incidents import list_incidents
from db.incidents.choices import declare_choices
from db.models import Role
from db.notices import (
    CampaignPage,
    CampaignPreview,
    CampaignProgress,
    CampaignView,
    NoticeError,
    OutboxCounts,
    approve_campaign,
    campaign_progress,
    cancel_campaign,
    create_campaign,
    list_campaigns,
    list_templates,
    outbox_counts,
    preview_campaign,
)
from db.notices.outbox import STATUSES

__all__ = ["CampaignScreen", "CampaignsPanel", "progress_bar", "read_choices"]

#: Left to right in English (mirrored in Persian); the widths add up to 79.
COLUMNS: tuple[Column, ...] = (
    ("name", N_("Campaign"), 20),
    ("status", N_("Status"), 10),
    ("count", N_("Count"), 6),
    ("bar", N_("Progress"), 9),
    ("queued", N_("Queued"), 7),
    ("sent", N_("Sent"), 10),
    ("delivered", N_("Delivered"), 10),
    ("failed", N_("Failed"), 7),
)

#: The bar's parts, left to right: delivered, with the provider, failed, still queued.
#: CP437 blocks, so the Linux console draws them too.
BAR_PARTS = (
    ("delivered", "█", "green"),
    ("sent", "▓", ""),
    ("failed", "▒", "red"),
    ("queued", "░", "dim"),
)

OPEN_STATUSES = frozenset({"draft", "approved", "sending"})

#: Cells of the campaign screen's progress bar.
BAR_WIDTH = 40


def _n(value: int) -> str:
    return lang_digits(str(value))


def _parts(counts: OutboxCounts) -> dict[str, int]:
    return {
        "delivered": counts.delivered,
        "sent": counts.sent + counts.sending,
        "failed": counts.failed,
        "queued": counts.queued,
    }


def progress_bar(counts: OutboxCounts, width: int, *, rtl: bool) -> Text:
    """A bar of ``width`` cells, each part as wide as its share (largest remainders round up);
    in Persian it fills from the right."""
    parts = _parts(counts)
    total = sum(parts.values())
    bar = Text(no_wrap=True, end="")
    if total == 0 or width <= 0:
        return bar
    exact = {k: v * width / total for k, v in parts.items()}
    cells = {k: int(v) for k, v in exact.items()}
    short = width - sum(cells.values())
    for key in sorted(exact, key=lambda k: exact[k] - cells[k], reverse=True)[:short]:
        cells[key] += 1
    order = list(reversed(BAR_PARTS)) if rtl else list(BAR_PARTS)
    for key, char, style in order:
        bar.append(char * cells[key], style)
    return bar


def counts_line(counts: OutboxCounts) -> str:
    """`Queued 3 · Sending 0 · Sent 11 · Delivered 186 · Failed 9`."""
    return " · ".join(
        f"{outbox_status_name(status)} {_n(getattr(counts, status))}" for status in STATUSES
    )


@dataclass(frozen=True)
class Names:
    """Names of what targets point at, by id (as stored in a campaign's target)."""

    districts: dict[str, str] = field(default_factory=dict)
    incidents: dict[str, str] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, choices: TargetChoices) -> "Names":
        return cls(
            districts={str(c.id): local_name(c.name_fa, c.name_en) for c in choices.districts},
            incidents={str(i.id): i.title for i in choices.incidents},
            categories={str(c.id): local_name(c.name_fa, c.name_en) for c in choices.categories},
        )

    def target(self, view: CampaignView, *, long: bool = False) -> str:
        """What the campaign is sent to: district names, an incident's title, a category."""
        t = view.target
        if view.target_kind == "districts":
            found = [self.districts.get(str(d), "") for d in t.get("district_ids", ())]
            what = "، ".join(n for n in found if n) or target_name(view.target_kind)
            if long:
                what = f"{target_name(view.target_kind)}: {what}"
            return what
        if view.target_kind == "open_requests_in_category":
            what = self.categories.get(str(t.get("category_id")), "")
        else:
            what = self.incidents.get(str(t.get("incident_id")), "")
        if long or not what:
            return (
                f"{target_name(view.target_kind)}: {what}"
                if what
                else target_name(view.target_kind)
            )
        return what


def read_choices(s: Session, agent: AgentView) -> TargetChoices:
    """The templates, districts, incidents and categories a campaign can use (in a worker)."""
    templates = list_templates(s, actor=agent, channel="sms", active_only=True)
    districts, _units = declare_choices(s, actor=agent)
    incidents = list_incidents(s, actor=agent).items
    try:
        categories = tuple(c for c in queue_choices(s, actor=agent).categories if c.active)
    except PermissionDenied:
        categories = ()  # an information officer alone may not read the catalog
    return TargetChoices(
        templates=templates,
        districts=districts,
        incidents=tuple(IncidentChoice(i.id, i.title, i.active, i.started_at) for i in incidents),
        categories=categories,
    )


def row_cells(view: CampaignView, counts: OutboxCounts | None, *, rtl: bool) -> list[Text]:
    draft = view.status == "draft"
    values = {
        "name": view.name,
        "status": campaign_status_name(view.status),
        "count": _n(view.recipient_count),
    }
    if counts is not None and not draft:
        values |= {
            "queued": _n(counts.queued + counts.sending),
            "sent": _n(counts.sent),
            "delivered": _n(counts.delivered),
            "failed": _n(counts.failed),
        }
    styles = {
        "status": "bold" if view.status in OPEN_STATUSES else "dim",
        "failed": "bold red" if counts is not None and counts.failed else "",
    }
    out = []
    for key, _msgid, width in COLUMNS:
        if key == "bar":
            bar = progress_bar(counts, width - 1, rtl=rtl) if counts and not draft else Text("")
            bar.justify = "right" if rtl else "left"
            out.append(bar)
        else:
            out.append(cell(values.get(key, ""), width, rtl=rtl, style=styles.get(key, "")))
    return out


class CampaignsPanel(Polling, Vertical):
    """The center's campaigns, newest first, with their progress."""

    DEFAULT_CSS = """
    CampaignsPanel {
        height: 1fr;
        #campaigns-count {
            text-style: bold;
        }
        #campaigns-table {
            height: 1fr;
            scrollbar-size-vertical: 1;
        }
        #campaigns-detail {
            height: auto;
            border-top: solid $primary;
            &:ansi {
                border-top: ascii $primary;
            }
        }
    }
    """

    page_size: int = 13
    """Rows per page: what fits at 80x24 under the header and the view strip."""

    @dataclass
    class Loaded(Message):
        """A worker read a page of campaigns and their progress."""

        before: uuid.UUID | None
        page: CampaignPage
        counts: dict[uuid.UUID, OutboxCounts]
        choices: TargetChoices | None
        now: datetime

    def __init__(
        self,
        *,
        engine: Engine,
        agent: AgentView,
        clock: Callable[[], datetime],
        poll_seconds: float = 2.0,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="-rtl" if layout_rtl() else None)
        keys.install(self, "campaigns")
        self._engine = engine
        self.agent = agent
        self._clock = clock
        self._rtl = layout_rtl()
        self.poll_interval = poll_seconds * 10
        self.before: uuid.UUID | None = None
        self.pages: list[uuid.UUID | None] = [None]
        self.page: CampaignPage | None = None
        self._shown_before: uuid.UUID | None = None
        self.counts: dict[uuid.UUID, OutboxCounts] = {}
        self.choices: TargetChoices | None = None
        self.names = Names()

    poll_group = "campaigns"

    def read_again(self) -> None:
        self._load(self.before, False)

    def compose(self) -> ComposeResult:
        yield BidiText(id="campaigns-count")
        yield MirroredTable(COLUMNS, rtl=self._rtl, id="campaigns-table")
        yield DetailBlock(id="campaigns-detail", clip_rows=1)

    def focus_first(self) -> None:
        self.query_one(DataTable).focus()
        self.refresh_list()

    # --- reading ----------------------------------------------------------------------------

    def refresh_list(self, *, names: bool = False) -> None:
        self.stop_polling()
        self.query_one("#campaigns-count", BidiText).text = reading_text(self._count_text(None))
        self._load(self.before, names or self.choices is None)

    def read_failed(self) -> None:
        count = self.query_one("#campaigns-count", BidiText)
        count.text = self._count_text(self.page) if self.page is not None else ""

    @work(thread=True, exclusive=True, group="campaigns", exit_on_error=False)
    def _load(self, before: uuid.UUID | None, names: bool) -> None:
        with session(self._engine, write=False) as s:
            page = list_campaigns(s, actor=self.agent, before=before, limit=self.page_size)
            counts = {
                c.id: outbox_counts(s, actor=self.agent, campaign_id=c.id)
                for c in page.items
                if c.status != "draft"
            }
            choices = read_choices(s, self.agent) if names else None
        self.post_message(self.Loaded(before, page, counts, choices, self._clock()))

    def on_campaigns_panel_loaded(self, event: Loaded) -> None:
        event.stop()
        if event.before != self.before:
            return  # the page changed meanwhile
        if event.choices is not None:
            self.choices = event.choices
            self.names = Names.of(event.choices)
        # Another page starts at the top; a poll keeps the cursor on its campaign.
        top = self.page is None or event.before != self._shown_before
        self.page, self.counts, self._shown_before = event.page, event.counts, event.before
        rows = [
            (str(view.id), row_cells(view, event.counts.get(view.id), rtl=self._rtl))
            for view in event.page.items
        ]
        self.query_one(MirroredTable).show_rows(rows, top=top)
        self.query_one("#campaigns-count", BidiText).text = self._count_text(event.page)
        self._show_detail()
        self.schedule_poll()

    def highlighted(self) -> CampaignView | None:
        if self.page is None:
            return None
        key = self.query_one(MirroredTable).highlighted_key()
        return next((c for c in self.page.items if str(c.id) == key), None)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_detail()

    def _show_detail(self) -> None:
        c = self.highlighted()
        lines = []
        if c is not None:
            lines = [
                Line(_("Send to: {target}").format(target=self.names.target(c, long=True))),
                Line(
                    _("Template: {name} ({code})").format(
                        name=c.template_name, code=c.template_code
                    ),
                    "detail--muted",
                ),
            ]
        block = self.query_one("#campaigns-detail", DetailBlock)
        if lines != block.lines():  # a poll that changed nothing draws nothing
            block.show(lines)

    def _count_text(self, page: CampaignPage | None) -> str:
        """The page and what it holds; with `page` None (being read) the page number only."""
        if page is None:
            return _("Page {n}").format(n=_n(len(self.pages)))
        if not page.items and len(self.pages) == 1:
            return _("No campaign yet.")
        drafts = sum(1 for c in page.items if c.status == "draft")
        sending = sum(1 for c in page.items if c.status in ("approved", "sending"))
        parts = [
            _("Page {n}").format(n=_n(len(self.pages))),
            _("drafts {n}").format(n=_n(drafts)),
            _("sending {n}").format(n=_n(sending)),
        ]
        if page.next_before is not None:
            parts.append(_("more on the next page"))
        return " · ".join(parts)

    # --- actions ----------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.refresh_list(names=True)

    def action_next_page(self) -> None:
        if self.page is None or self.page.next_before is None:
            self.app.bell()
            return
        self.before = self.page.next_before
        self.pages.append(self.before)
        self.refresh_list()

    def action_first_page(self) -> None:
        self.before = None
        self.pages = [None]
        self.refresh_list()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_campaign()

    def action_open_campaign(self) -> None:
        key = self.query_one(MirroredTable).highlighted_key()
        if key is None:
            self.app.bell()
            return
        self.open_campaign(uuid.UUID(key))

    def open_campaign(self, campaign_id: uuid.UUID) -> None:
        screen = CampaignScreen(
            engine=self._engine,
            agent=self.agent,
            clock=self._clock,
            campaign_id=campaign_id,
            names=self.names,
        )
        self.app.push_screen(screen, lambda _changed: self.focus_first())

    def action_new_campaign(self) -> None:
        self._open_dialog(CampaignDraft(), "", "")

    @work(thread=True, exclusive=True, group="campaigns-choices", exit_on_error=False)
    def _open_dialog(self, draft: CampaignDraft, error: str, field: str) -> None:
        try:
            with session(self._engine, write=False) as s:
                choices = read_choices(s, self.agent)
        except PermissionDenied as denied:
            self.app.call_from_thread(
                notify_text, self, notice_error_text(denied), severity="warning"
            )
            return
        self.app.call_from_thread(self._show_dialog, choices, draft, error, field)

    def _show_dialog(
        self, choices: TargetChoices, draft: CampaignDraft, error: str, field: str
    ) -> None:
        self.choices, self.names = choices, Names.of(choices)
        if not choices.templates:
            notify_text(self, _("There is no SMS template in use to send."), severity="warning")
            return
        dialog = CampaignDialog(
            choices=choices, now=self._clock(), draft=draft, error=error, error_field=field
        )

        def written(result: CampaignDraft | None) -> None:
            if result is not None:
                self._create(result)

        self.app.push_screen(dialog, written)

    @work(thread=True, exclusive=True, group="campaigns-write", exit_on_error=False)
    def _create(self, d: CampaignDraft) -> None:
        assert d.template_id is not None
        try:
            with session(self._engine) as s:
                created = create_campaign(
                    s,
                    actor=self.agent,
                    name=d.name,
                    template_id=d.template_id,
                    target_kind=d.kind,
                    target=d.target(),
                    now=self._clock(),
                )
        except NoticeError as error:
            field = notice_error_field(error)
            if error.reason == "bad_value":
                field = f"value-{error.params.get('name', '')}"
            self.app.call_from_thread(self._open_dialog, d, notice_error_text(error), field)
            return
        except PermissionDenied as denied:
            self.app.call_from_thread(
                notify_text, self, notice_error_text(denied), severity="warning"
            )
            return
        # Straight to its preview: who receives it and what they read, before any approval.
        self.app.call_from_thread(self.action_first_page)
        self.app.call_from_thread(self.open_campaign, created.id)


class CampaignScreen(DeskScreen):
    """One campaign: its target and template, the first message as its first recipient reads
    it, its cost, what stands in the way of approving it, and its progress."""

    DEFAULT_CSS = """
    CampaignScreen {
        #campaign-body {
            height: 1fr;
        }
        #campaign-bar {
            height: 1;
        }
        &.-rtl #campaign-bar {
            text-align: right;
        }
    }
    """

    @dataclass
    class Loaded(Message):
        preview: CampaignPreview
        progress: CampaignProgress
        now: datetime

    def __init__(
        self,
        *,
        engine: Engine,
        agent: AgentView,
        clock: Callable[[], datetime],
        campaign_id: uuid.UUID,
        names: Names | None = None,
    ) -> None:
        super().__init__(id="campaign")
        keys.install(self, "campaign")
        self._engine = engine
        self.agent = agent
        self._clock = clock
        self.campaign_id = campaign_id
        self.names = names or Names()
        self.preview: CampaignPreview | None = None
        self.progress: CampaignProgress | None = None
        self.refusal = ""
        self.changed = False
        self._cancel_armed = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="campaign-body"):
            yield DetailBlock(id="campaign-head")
            yield DetailBlock(id="campaign-sample")
            yield DetailBlock(id="campaign-progress")
            yield Static(id="campaign-bar", markup=False)
            yield DetailBlock(id="campaign-warnings")
        yield KeyBar()

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        self._read()

    @work(thread=True, exclusive=True, group="campaign", exit_on_error=False)
    def _read(self) -> None:
        now = self._clock()
        with session(self._engine, write=False) as s:
            preview = preview_campaign(s, actor=self.agent, campaign_id=self.campaign_id, now=now)
            progress = campaign_progress(s, actor=self.agent, campaign_id=self.campaign_id)
        self.post_message(self.Loaded(preview, progress, now))

    def on_campaign_screen_loaded(self, event: Loaded) -> None:
        self.preview, self.progress = event.preview, event.progress
        self.query_one("#campaign-head", DetailBlock).show(self.head_lines(event.now))
        self.query_one("#campaign-sample", DetailBlock).show(self.sample_lines())
        self.query_one("#campaign-progress", DetailBlock).show(self.progress_lines())
        bar = self.query_one("#campaign-bar", Static)
        counts = event.progress.counts
        shown = bool(counts.total) and event.progress.campaign.status != "draft"
        rtl = layout_rtl()
        bar.update(progress_bar(counts, BAR_WIDTH, rtl=rtl))
        bar.display = shown
        self.query_one("#campaign-warnings", DetailBlock).show(self.warning_lines())
        self.refresh_bindings()

    # --- what it says -----------------------------------------------------------------------

    def head_lines(self, now: datetime) -> list[Line]:
        assert self.preview is not None
        c = self.preview.campaign
        lines = [
            Line(f"{c.name} · {campaign_status_name(c.status)}", "detail--title"),
            Line(_("Template: {name} ({code})").format(name=c.template_name, code=c.template_code)),
            Line(_("Send to: {target}").format(target=self.names.target(c, long=True))),
        ]
        if c.created_at is not None:
            made = _("Created {when} by {who}").format(
                when=when_text(c.created_at, now=now), who=c.created_by_name or "-"
            )
            lines.append(Line(made, "detail--muted"))
        if c.approved_at is not None:
            approved = _("Approved {when} by {who}").format(
                when=when_text(c.approved_at, now=now), who=c.approved_by_name or "-"
            )
            lines.append(Line(approved, "detail--muted"))
        return lines

    def sample_lines(self) -> list[Line]:
        p = self.preview
        assert p is not None
        draft = p.campaign.status == "draft"
        count = (
            _("Recipients now: {n}") if draft else _("Recipients (fixed when approved): {n}")
        ).format(n=_n(p.recipients))
        lines = [
            Line(
                count
                + " · "
                + _("SMS parts: {total} in all, at most {max} each").format(
                    total=_n(p.total_parts), max=_n(p.max_parts)
                ),
                "detail--status",
            )
        ]
        if p.sample is None:
            lines.append(Line(_("Nobody to send to."), "detail--warning"))
            return lines
        lines += [
            Line(_("The first message, as its recipient reads it:"), "detail--muted"),
            Line(p.sample.text, indent=1),
            Line(preview_cost(p.sample), "detail--muted", indent=1),
        ]
        return lines

    def progress_lines(self) -> list[Line]:
        assert self.progress is not None
        if self.progress.campaign.status == "draft":
            return []
        return [Line(counts_line(self.progress.counts), "detail--status")]

    def warning_lines(self) -> list[Line]:
        p = self.preview
        assert p is not None
        lines: list[Line] = []
        if p.campaign.status == "draft":
            if p.sample is not None:
                lines += [Line(warning_text(w), "detail--warning") for w in p.sample.warnings]
            if p.missing:
                lines.append(Line(missing_text(p.missing), "detail--warning"))
            if p.needs_supervisor:
                text = _("More than {threshold} recipients: a supervisor must approve it.").format(
                    threshold=_n(p.threshold)
                )
                if not self.agent.has_role(Role.SUPERVISOR):
                    text += " " + _("You cannot approve it yourself.")
                lines.append(Line(text, "detail--warning"))
        if self.refusal:
            lines.append(Line(self.refusal, "detail--overdue"))
        return lines

    # --- actions ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        status = self.preview.campaign.status if self.preview else None
        if action == "approve":
            return status == "draft"
        if action == "cancel_campaign":
            return status in OPEN_STATUSES
        return True

    def action_back(self) -> None:
        self.dismiss(self.changed)

    def action_refresh(self) -> None:
        self.load()

    def action_approve(self) -> None:
        self._cancel_armed = False
        self._approve()

    @work(thread=True, exclusive=True, group="campaign-write", exit_on_error=False)
    def _approve(self) -> None:
        try:
            with session(self._engine) as s:
                approved = approve_campaign(
                    s, actor=self.agent, campaign_id=self.campaign_id, now=self._clock()
                )
        except (NoticeError, PermissionDenied) as error:
            self.app.call_from_thread(self._refused, notice_error_text(error))
            return
        self.changed = True
        self.refusal = ""
        said = _("Approved: {n} messages queued.").format(n=_n(approved.recipient_count))
        self.app.call_from_thread(notify_text, self, said)
        self.app.call_from_thread(self.load)

    def _refused(self, text: str) -> None:
        self.refusal = text
        notify_text(self, text, severity="warning")
        self.load()

    def action_cancel_campaign(self) -> None:
        if not self._cancel_armed:
            self._cancel_armed = True
            notify_text(
                self,
                _("Press the key again to cancel the campaign: its queued messages will not go."),
                severity="warning",
            )
            return
        self._cancel_armed = False
        self._cancel()

    @work(thread=True, exclusive=True, group="campaign-write", exit_on_error=False)
    def _cancel(self) -> None:
        try:
            with session(self._engine) as s:
                cancel_campaign(
                    s, actor=self.agent, campaign_id=self.campaign_id, now=self._clock()
                )
        except (NoticeError, PermissionDenied) as error:
            self.app.call_from_thread(self._refused, notice_error_text(error))
            return
        self.changed = True
        self.app.call_from_thread(notify_text, self, _("Campaign cancelled."))
        self.app.call_from_thread(self.load)
