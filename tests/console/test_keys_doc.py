"""README's key table is the console's bindings: it cannot drift from the code."""

import re
from pathlib import Path
from uuid import uuid4

from textual.binding import Binding

from console import keys
from console.app import DeskApp
from console.screens.campaigns import CampaignScreen, CampaignsPanel
from console.screens.chase import ChasePanel
from console.screens.incident import IncidentScreen
from console.screens.incidents import IncidentsPanel
from console.screens.intake import DraftOfferScreen, IntakePanel
from console.screens.login import SignInScreen
from console.screens.main import MainScreen
from console.screens.notices import NoticesMode
from console.screens.queue import QueuePanel
from console.screens.queue_filter import FilterDialog, QueueFilters
from console.screens.reports import ChoiceDialog, ReportsPanel, UnitOverdueScreen
from console.screens.reports_mode import ReportsMode
from console.screens.request import RequestScreen
from console.widgets.caller_card import CallerCardView
from console.widgets.canned_answers import CannedAnswers
from console.widgets.category_picker import CategoryPicker
from console.widgets.picker import Picker
from db.intake import DraftView
from db.models import Role

README = Path(__file__).resolve().parents[2] / "README.md"
START, END = "<!-- keys:start -->", "<!-- keys:end -->"


def readme_rows() -> list[tuple[str, str, str]]:
    text = README.read_text(encoding="utf-8")
    assert START in text and END in text, f"README.md lacks the {START} ... {END} markers"
    table = text.split(START, 1)[1].split(END, 1)[0]
    rows = []
    for line in table.strip().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] == "Key" or re.fullmatch(r":?-+:?", cells[0]):
            continue
        rows.append((cells[0], cells[1], cells[2].strip("`")))
    return rows


def declared_bindings() -> list[Binding]:
    """Every binding with an id that the app and its screens declare, in the current language."""
    found = []
    for scope in keys.SCOPES:
        found += keys.bindings(scope)
    return found


def test_readme_key_table_matches_the_bindings():
    """If this fails, paste `console.keys.markdown_table()` between the markers in README.md."""
    expected = [(keys.key_name(b.key), b.description, b.id) for b in declared_bindings()]
    expected.sort(key=lambda row: [k.id for k in keys.KEYS].index(row[2]))
    assert readme_rows() == expected, "README.md's key table is stale:\n" + keys.markdown_table()


def test_markdown_table_lists_every_key_once():
    ids = [key.id for key in keys.KEYS]
    assert len(ids) == len(set(ids))
    table = keys.markdown_table().splitlines()
    assert table[:2] == ["| Key | Action | id |", "|---|---|---|"]
    assert len(table) == 2 + len(keys.KEYS)


def test_every_screen_binding_has_id_description_and_tooltip():
    """What the screens really install: no anonymous, unexplained key."""
    for scope in keys.SCOPES:
        for binding in keys.bindings(scope):
            assert binding.id and binding.description and binding.tooltip, binding


def installed_ids(node) -> set[str]:
    return {binding.id for _key, binding in node._bindings if binding.id}


def notices_views(engine, agent) -> list:
    """The views of the notices mode (F5) and the campaign screen, built as the mode builds them."""
    from console.screens.outbox import OutboxPanel
    from console.screens.templates import TemplatesPanel

    from .conftest import fixed_clock

    common = dict(engine=engine, agent=agent, clock=fixed_clock)
    return [
        TemplatesPanel(**common),
        CampaignsPanel(**common),
        CampaignScreen(**common, campaign_id=uuid4()),
        OutboxPanel(**common),
    ]


def test_the_table_is_what_the_screens_install(desk_db):
    """The screens and the app take their keys from console.keys, so the table is theirs."""
    from db.accounts import AgentView
    from db.followup.choices import Choice, QueueChoices

    from .conftest import desk_settings, fixed_clock

    app = DeskApp(engine=desk_db, settings=desk_settings(desk_db), clock=fixed_clock)
    everyone = AgentView(
        id=None, username="x", full_name="x", center_id=None, center_code="ISF",
        center_name_fa="x", center_name_en="x", roles=frozenset(Role), active=True,
        language=None, failed_attempts=0, locked_until=None, last_sign_in_at=None,
    )  # fmt: skip
    sign_in = SignInScreen(engine=desk_db, clock=fixed_clock)
    main = MainScreen(agent=everyone, clock=fixed_clock)
    intake = IntakePanel(engine=desk_db, agent=everyone, clock=fixed_clock)
    queue = QueuePanel(engine=desk_db, agent=everyone, clock=fixed_clock)
    chase = ChasePanel(engine=desk_db, agent=everyone, clock=fixed_clock)
    filters = FilterDialog(QueueFilters(), QueueChoices((), (), ()))
    request = RequestScreen(engine=desk_db, agent=everyone, clock=fixed_clock, ticket_id=uuid4())
    incidents = IncidentsPanel(engine=desk_db, agent=everyone, clock=fixed_clock)
    incident = IncidentScreen(
        engine=desk_db, agent=everyone, clock=fixed_clock, incident_id=uuid4()
    )
    widgets = [CallerCardView(), Picker(), CategoryPicker(), CannedAnswers()]
    draft = DraftOfferScreen(DraftView(fields={}, started_at=None, updated_at=None))
    reports = ReportsMode(engine=desk_db, agent=everyone, clock=fixed_clock)
    nodes = [app, sign_in, main, intake, queue, chase, filters, request, incidents, incident]
    nodes += [reports, reports.current]
    figures = ReportsPanel(engine=desk_db, agent=everyone, clock=fixed_clock)
    unit = Choice(uuid4(), "W1", "آب ۱", "Water 1", True)
    unit_overdue = UnitOverdueScreen(engine=desk_db, agent=everyone, clock=fixed_clock, unit=unit)
    nodes += [figures, unit_overdue, unit_overdue.queue, ChoiceDialog("x", [])]
    notices = NoticesMode(engine=desk_db, agent=everyone, clock=fixed_clock)
    nodes += [notices, *notices_views(desk_db, everyone)]
    from console.screens.callback import CallbackScreen
    from console.screens.callbacks import CallbacksPanel
    from console.screens.replies import RepliesScreen
    from console.screens.survey import AnswersScreen

    callbacks = CallbacksPanel(engine=desk_db, agent=everyone, clock=fixed_clock)
    callback = CallbackScreen(
        engine=desk_db, agent=everyone, clock=fixed_clock, callback_id=uuid4()
    )
    survey = AnswersScreen(
        engine=desk_db,
        agent=everyone,
        clock=fixed_clock,
        questionnaire=None,  # type: ignore[arg-type]
    )
    replies = RepliesScreen(engine=desk_db, agent=everyone, clock=fixed_clock)
    nodes += [callbacks, callback, survey, replies]
    from console.screens.admin import AdminMode

    admin = AdminMode(engine=desk_db, agent=everyone, clock=fixed_clock)
    nodes += [admin, *(view for _title, view in admin.views())]
    installed = set().union(*(installed_ids(node) for node in [*nodes, draft, *widgets]))
    assert installed == {key.id for key in keys.KEYS}
