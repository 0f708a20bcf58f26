"""Who sees callers' phone numbers and people's names in reports, and the audit of exports.

Figures are mostly counts; a few name people (repeat callers by phone number, CSAT by agent).
Those columns are shown whole only to :data:`PERSONAL_ROLES` (supervisors and administrators,
who deal with complaints and staff); everyone else gets them masked (``0912***4567``,
``م*** ر***``). A report run without a signed-in person (the local CLI without ``--as``) is
masked too: personal data leaves only under a name the audit trail can show.

Every output of a figure with personal columns, masked or not, is audited with who, which
figure, which period, the format and where it went (:func:`record_export`).
"""

from collections.abc import Iterable
from dataclasses import replace

from sqlmodel import Session

from db import audit
from db.accounts import AgentView
from db.models import Role
from db.reports.views import Figure, Kind

__all__ = ["PERSONAL_ROLES", "mask_figure", "mask_name", "mask_phone", "may_see_personal"]

#: Roles that see phone numbers and names in reports unmasked.
PERSONAL_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})


def may_see_personal(actor: AgentView | None) -> bool:
    return actor is not None and actor.has_role(*PERSONAL_ROLES)


def mask_phone(phone: str | None) -> str | None:
    """``09121234567`` -> ``0912***4567``: enough to tell numbers apart, not to call them."""
    if phone is None:
        return None
    if len(phone) < 8:
        return "***"
    return f"{phone[:4]}***{phone[-4:]}"


def mask_name(name: str | None) -> str | None:
    """``علی رضایی`` -> ``ع*** ر***``: the first letter of each word."""
    if name is None:
        return None
    return " ".join(f"{word[0]}***" for word in name.split()) or "***"


_MASKS = {Kind.PHONE: mask_phone, Kind.PERSON: mask_name}


def mask_figure(figure: Figure) -> Figure:
    """The figure with its personal columns masked (the same figure when it has none)."""
    personal = [c for c in figure.columns if c.personal]
    if not personal:
        return figure

    def masked(rows: Iterable) -> tuple:
        return tuple(
            replace(row, **{c.key: _MASKS[c.kind](getattr(row, c.key)) for c in personal})
            for row in rows
        )

    total = masked([figure.total])[0] if figure.total is not None else None
    return replace(figure, rows=masked(figure.rows), total=total, masked=True)


def record_export(
    session: Session, figure: Figure, *, output_format: str, destination: str = ""
) -> None:
    """Audit one output of ``figure`` (in the caller's transaction). Only figures with personal
    columns are recorded: counts say nothing about anyone."""
    if not figure.personal:
        return
    scope = figure.scope
    period = scope.period
    audit.record(
        session,
        action="report_exported",
        actor_id=scope.actor_id,
        center_id=scope.center_id,
        entity="report",
        entity_id=figure.name,
        changes={
            "format": [None, output_format],
            "rows": [None, len(figure.rows)],
            "masked": [None, figure.masked],
            "period": [None, [period.first_day.isoformat(), period.last_day.isoformat()]],
            "unit": [None, scope.unit_code],
        },
        detail=destination[:500],
    )
