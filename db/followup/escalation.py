"""The SLA tick: automatic escalation of late requests, and dropping expired claims.

Run periodically (``console/cli.py``); idempotent at a given ``now``. Escalation climbs one
"escalated" event per level with the same guarded write agents use, so a request an agent is
changing meanwhile is simply left for the next tick.
"""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from db import sla
from db.followup.records import _T, _aware_now, _c, _event, _names, _plain, _write
from db.followup.settings import load_followup_settings
from db.followup.states import MAX_LEVEL, RUNNING_STATUSES, Action
from db.followup.views import EscalationView, TickReport, _clock_targets
from db.models import Category, Ticket


def sla_tick(
    session: Session, *, now: datetime | None = None, center_id: uuid.UUID | None = None
) -> TickReport:
    """Escalate every request whose running clock ran out, and drop expired claims.

    For each open request with a running, unpaused clock past due (the clocks listed in the
    center's ``sla.escalating_clocks``), the level it calls for is the highest whose
    ``sla.escalation_after`` share of the target it is late by; a request below that level
    climbs to it one "escalated" event per level (actor: the system; data: level, from_level,
    clock, minutes_late, auto). Nothing ever lowers a level. Running it again at the same
    ``now`` changes nothing: the levels are reached and the claims gone. A request an agent
    changes meanwhile is left for the next tick (the guarded update refuses it).
    """
    now = _aware_now(now)
    claim_cond = [_c.claimed_by_id.is_not(None), _c.claimed_until < now]
    if center_id is not None:
        claim_cond.append(_plain(session, _c.center_id) == center_id)
    expired = session.execute(
        sa.update(_T).where(*claim_cond).values(claimed_by_id=None, claimed_until=None)
    ).rowcount

    cond = [
        _c.status.in_(RUNNING_STATUSES),
        _c.paused_at.is_(None),
        _c.escalation_level < MAX_LEVEL,
        sa.or_(
            _c.resolution_due_at <= now,
            _c.unit_due_at <= now,
            sa.and_(_c.response_due_at <= now, _c.responded_at.is_(None)),
        ),
    ]
    if center_id is not None:
        cond.append(_plain(session, _c.center_id) == center_id)
    tickets = sorted(
        session.exec(select(Ticket).where(*cond).execution_options(populate_existing=True)).all(),
        key=lambda t: t.id,
    )
    categories = _names(session, Category, (t.category_id for t in tickets))
    calendars = sla.load_calendars(session, {c.calendar_id for c in categories.values()})
    settings: dict[uuid.UUID, sla.SlaSettings] = {}
    escalated: list[EscalationView] = []
    for ticket in tickets:
        if ticket.center_id not in settings:
            settings[ticket.center_id] = load_followup_settings(session, ticket.center_id).sla
        conf = settings[ticket.center_id]
        category = categories[ticket.category_id]
        calendar = calendars[category.calendar_id]
        targets = _clock_targets(category)
        reached: list[tuple[int, float, str, int]] = []
        for name in conf.escalating_clocks:
            view = sla.clock_state(
                ticket, calendar, now, conf, clock=name, target_minutes=targets[name]
            )
            level = sla.escalation_level_reached(view, conf)
            if view is not None and level:
                reached.append((level, view.share_left or 0.0, name, -(view.minutes_left or 0)))
        if not reached:
            continue
        version = ticket.version
        start = ticket.escalation_level
        top = max(r[0] for r in reached)
        at = max(now, ticket.updated_at)
        for level in range(start + 1, top + 1):
            # The clock that called for this level; the latest of them when several did.
            _lvl, _share, clock, late = min(
                (r for r in reached if r[0] >= level), key=lambda r: (r[1], r[2])
            )
            event = _event(
                ticket, None, at=at, action=Action.ESCALATED, to_status=ticket.status,
                data={"level": level, "from_level": level - 1, "clock": clock,
                      "minutes_late": late, "auto": True},
            )  # fmt: skip
            values = {"escalation_level": level, "updated_at": at}
            if not _write(session, ticket.id, version=version, values=values, event=event):
                break
            version += 1
            escalated.append(
                EscalationView(
                    ticket_id=ticket.id,
                    tracking_code=ticket.tracking_code,
                    center_id=ticket.center_id,
                    unit_id=ticket.unit_id,
                    from_level=level - 1,
                    to_level=level,
                    clock=clock,
                    minutes_late=late,
                )
            )
    return TickReport(escalated=tuple(escalated), expired_claims=expired, now=now)
