"""Reports: the center's numbers for a period given as Jalali dates (DOMAIN.md, KPIs).

Each figure is one function ``figure(session, scope) -> Figure`` whose docstring is its
definition, computed by one aggregate SQL statement (grouped in the database, read through the
time-range indexes), so every figure stays interactive on a million calls. :data:`REPORTS`
names them all for the CLI and the reports screen; :func:`open_scope` checks the actor may read
reports and decides whether phone numbers and names are shown (:mod:`~db.reports.privacy`).

Usage::

    period = parse_period("1405/09/01", "1405/09/30", now=now)
    scope = open_scope(session, actor=actor, period=period, unit_code=None)
    figure = run_report(session, "fcr", scope)
    for row in figure.rows: ...            # FirstContact(category_code=..., fcr=0.82)

The modules, one per family of figures:

- :mod:`~db.reports.calls`: calls by channel, category, hour and district; answered without a
  request; AHT; first-contact resolution.
- :mod:`~db.reports.callers`: repeat callers (personal data).
- :mod:`~db.reports.incidents`: calls per incident.
- :mod:`~db.reports.requests`: requests opened, closed and backlog; SLA compliance; overdue now;
  escalations; by unit or category.
- :mod:`~db.reports.feedback`: CSAT by unit, category and agent.

And their support: :mod:`~db.reports.period` (Jalali periods), :mod:`~db.reports.scope`,
:mod:`~db.reports.views` (Figure, Scope, column kinds), :mod:`~db.reports.sql` (the SQL
SQLite and PostgreSQL write differently), :mod:`~db.reports.privacy` (masking, audit),
:mod:`~db.reports.registry` and :mod:`~db.reports.errors`.
"""

from db.reports.errors import ReportError
from db.reports.period import Period, month_of, parse_period, period_between
from db.reports.privacy import (
    PERSONAL_ROLES,
    mask_figure,
    mask_name,
    mask_phone,
    may_see_personal,
    record_export,
)
from db.reports.registry import FAMILIES, REPORTS, ReportSpec, run_report
from db.reports.scope import REPORT_ROLES, open_scope
from db.reports.views import Column, Figure, Kind, Scope

__all__ = [
    "FAMILIES",
    "PERSONAL_ROLES",
    "REPORTS",
    "REPORT_ROLES",
    "Column",
    "Figure",
    "Kind",
    "Period",
    "ReportError",
    "ReportSpec",
    "Scope",
    "mask_figure",
    "mask_name",
    "mask_phone",
    "may_see_personal",
    "month_of",
    "open_scope",
    "parse_period",
    "period_between",
    "record_export",
    "run_report",
]
