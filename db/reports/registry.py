"""Every figure by name, so the CLI (``abfa-desk report NAME``) and the reports screen offer
the same list and compute each figure the same way."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlmodel import Session

from db.reports import callers, calls, feedback, incidents, requests
from db.reports.errors import ReportError
from db.reports.views import Figure, Scope

__all__ = ["FAMILIES", "REPORTS", "ReportSpec", "run_report"]


@dataclass(frozen=True)
class ReportSpec:
    """A figure and how it may be asked for.

    ``unit_filter``: a unit can narrow it (figures about requests, surveys and incidents).
    ``about_now``: it describes the present at ``as_of`` and ignores the period.
    """

    name: str
    family: str
    compute: Callable[[Session, Scope], Figure]
    unit_filter: bool = False
    about_now: bool = False

    @property
    def definition(self) -> str:
        """The figure's definition: its function's docstring."""
        return (self.compute.__doc__ or "").strip()


#: Report families, in the order a list shows them.
FAMILIES = ("calls", "requests", "feedback")

_SPECS = (
    ReportSpec("calls_by_channel", "calls", calls.calls_by_channel),
    ReportSpec("calls_by_category", "calls", calls.calls_by_category),
    ReportSpec("calls_by_hour", "calls", calls.calls_by_hour),
    ReportSpec("calls_by_district", "calls", calls.calls_by_district),
    ReportSpec("answered_without_request", "calls", calls.answered_without_request),
    ReportSpec("aht", "calls", calls.aht),
    ReportSpec("fcr", "calls", calls.fcr),
    ReportSpec("repeat_callers", "calls", callers.repeat_callers),
    ReportSpec("calls_per_incident", "calls", incidents.calls_per_incident, unit_filter=True),
    ReportSpec("requests_by_unit", "requests", requests.requests_by_unit, unit_filter=True),
    ReportSpec("requests_by_category", "requests", requests.requests_by_category, unit_filter=True),
    ReportSpec("sla_by_unit", "requests", requests.sla_by_unit, unit_filter=True),
    ReportSpec("sla_by_category", "requests", requests.sla_by_category, unit_filter=True),
    ReportSpec(
        "overdue_by_unit", "requests", requests.overdue_by_unit, unit_filter=True, about_now=True
    ),
    ReportSpec("escalations", "requests", requests.escalations, unit_filter=True),
    ReportSpec("csat_by_unit", "feedback", feedback.csat_by_unit, unit_filter=True),
    ReportSpec("csat_by_category", "feedback", feedback.csat_by_category, unit_filter=True),
    ReportSpec("csat_by_agent", "feedback", feedback.csat_by_agent, unit_filter=True),
)

#: Every figure by name, in the order a list shows them.
REPORTS: Mapping[str, ReportSpec] = {spec.name: spec for spec in _SPECS}


def run_report(session: Session, name: str, scope: Scope) -> Figure:
    """Compute the figure ``name`` over ``scope`` (personal columns already masked unless the
    scope reveals them). Errors: ReportError unknown_report, no_unit_filter."""
    spec = REPORTS.get(name)
    if spec is None:
        raise ReportError("unknown_report", name=name, known=tuple(REPORTS))
    if scope.unit_id is not None and not spec.unit_filter:
        raise ReportError("no_unit_filter", name=name)
    return spec.compute(session, scope)
