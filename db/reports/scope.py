"""Opening a report: the actor's permission, the center, the unit, and who sees what.

Every figure takes a :class:`~db.reports.views.Scope`, and the only way to make one is
:func:`open_scope`, so no figure can be read without the permission check.
"""

from datetime import UTC, datetime

from sqlmodel import Session, select

from db.accounts import MODE_ROLES, AgentView, require
from db.models import Center, Role, Unit, utcnow
from db.reports.errors import ReportError
from db.reports.period import Period
from db.reports.privacy import may_see_personal
from db.reports.views import Scope

__all__ = ["REPORT_ROLES", "open_scope"]

#: Who may read reports: the console's reports mode, and administrators.
REPORT_ROLES = tuple(sorted(MODE_ROLES["reports"] | {Role.ADMIN}))


def _center(session: Session, actor: AgentView | None, code: str | None) -> Center:
    if actor is not None:
        center = session.get(Center, actor.center_id)
        assert center is not None
        if code and code.strip() != center.code:
            raise ReportError("other_center", code=code)
        return center
    if code:
        center = session.exec(select(Center).where(Center.code == code.strip())).first()
        if center is None:
            raise ReportError("unknown_center", code=code)
        return center
    centers = session.exec(select(Center).limit(2)).all()
    if len(centers) != 1:
        raise ReportError("center_required")
    return centers[0]


def open_scope(
    session: Session,
    *,
    actor: AgentView | None,
    period: Period,
    unit_code: str | None = None,
    center_code: str | None = None,
    now: datetime | None = None,
) -> Scope:
    """The scope of a report for ``actor`` (None: the local CLI, trusted but masked).

    The center is the actor's (another one is refused), else ``center_code``, else the only
    center of the database. Errors: ReportError other_center, unknown_center, center_required,
    unknown_unit; PermissionDenied when the actor lacks :data:`REPORT_ROLES`.
    """
    require(actor, *REPORT_ROLES, action="read reports")
    center = _center(session, actor, center_code)
    unit = None
    if unit_code:
        unit = session.exec(
            select(Unit).where(Unit.center_id == center.id, Unit.code == unit_code.strip())
        ).first()
        if unit is None:
            raise ReportError("unknown_unit", code=unit_code)
    as_of = (now or utcnow()).astimezone(UTC)
    return Scope(
        center_id=center.id,
        center_code=center.code,
        period=period,
        as_of=as_of,
        unit_id=unit.id if unit else None,
        unit_code=unit.code if unit else None,
        actor_id=actor.id if actor else None,
        reveal_personal=may_see_personal(actor),
    )
