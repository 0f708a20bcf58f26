"""Notice templates: texts with named placeholders, one per (code, channel), and previews.

An SMS template is what a campaign or a closed incident sends; an IVR or website template is
what :mod:`db.notices.export` writes for the phone menu and the website while an incident is
active. A template is checked when saved (unknown placeholders are refused then, not at 2 a.m.
when the main breaks), and a preview fills it with values read from a real incident, request or
subscriber and counts what an SMS costs (:mod:`db.notices.sms`).
"""

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from db import audit
from db.accounts import AgentView, require
from db.models import Incident, NoticeChannel, NoticeTemplate, Subscriber, Ticket
from db.notices.errors import NoticeError
from db.notices.outbox import NOTICE_ROLES, _aware_now
from db.notices.placeholders import PLACEHOLDERS, check_body, placeholders_of, render
from db.notices.settings import load_notice_settings
from db.notices.sms import SmsCount, sms_count
from db.notices.values import incident_values, subscriber_values, ticket_values
from db.text import normalize

CHANNELS = tuple(c.value for c in NoticeChannel)
MAX_BODY = 2000
MAX_NAME = 120
_CODE = re.compile(r"[a-z][a-z0-9_]{0,31}")


@dataclass(frozen=True)
class TemplateView:
    id: uuid.UUID
    code: str
    channel: str
    name: str
    body: str
    placeholders: tuple[str, ...]
    active: bool
    updated_at: datetime


@dataclass(frozen=True)
class PreviewWarning:
    """Something to fix or accept before sending. Codes: missing_value (name),
    unknown_placeholder (name), too_many_parts (parts, max), mixed_encoding (a few
    characters outside GSM-7 made a Latin SMS cost UCS-2: chars), empty."""

    code: str
    params: dict[str, object]

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted(self.params.items(), key=str))))


@dataclass(frozen=True)
class Preview:
    """A text filled with real values. ``sms`` is None for IVR and website texts; missing values
    show as ``{name}`` in ``text``."""

    channel: str
    text: str
    characters: int
    sms: SmsCount | None
    warnings: tuple[PreviewWarning, ...]

    @property
    def parts(self) -> int:
        return self.sms.parts if self.sms else 0

    @property
    def encoding(self) -> str:
        return self.sms.encoding if self.sms else ""


def template_view(t: NoticeTemplate) -> TemplateView:
    return TemplateView(
        id=t.id,
        code=t.code,
        channel=t.channel,
        name=t.name,
        body=t.body,
        placeholders=placeholders_of(t.body),
        active=t.active,
        updated_at=t.updated_at,
    )


def preview_text(
    body: str, channel: str, values: Mapping[str, object], *, max_parts: int = 2
) -> Preview:
    """Fill ``body`` with ``values`` and say what it costs (pure: no database)."""
    used = placeholders_of(body)
    warnings = [
        PreviewWarning("unknown_placeholder", {"name": n}) for n in used if n not in PLACEHOLDERS
    ]
    rendered = render(body, values, keep_missing=True)
    warnings += [
        PreviewWarning("missing_value", {"name": n}) for n in rendered.missing if n in PLACEHOLDERS
    ]
    text = rendered.text
    if not text.strip():
        warnings.append(PreviewWarning("empty", {}))
    count = sms_count(text) if channel == NoticeChannel.SMS else None
    if count is not None:
        if count.parts > max_parts:
            warnings.append(
                PreviewWarning("too_many_parts", {"parts": count.parts, "max": max_parts})
            )
        if count.encoding == "ucs2":
            odd = [ch for ch in text if ord(ch) > 0x7F]
            if odd and len(odd) <= 3 and not any("\u0600" <= ch <= "\u06ff" for ch in text):
                warnings.append(PreviewWarning("mixed_encoding", {"chars": "".join(odd)}))
    return Preview(channel, text, len(text), count, tuple(warnings))


def _check_channel(channel: str) -> str:
    if channel not in CHANNELS:
        raise NoticeError("bad_channel", channel=str(channel))
    return channel


def _check_fields(name: str, body: str) -> tuple[str, str]:
    name, body = normalize(name or ""), normalize(body or "")
    if not name:
        raise NoticeError("required", field="name")
    if len(name) > MAX_NAME:
        raise NoticeError("too_long", field="name", max=MAX_NAME)
    if not body:
        raise NoticeError("required", field="body")
    if len(body) > MAX_BODY:
        raise NoticeError("too_long", field="body", max=MAX_BODY)
    check_body(body)
    return name, body


def _template(session: Session, template_id: uuid.UUID, center_id: uuid.UUID) -> NoticeTemplate:
    stmt = (
        select(NoticeTemplate)
        .where(NoticeTemplate.id == template_id)
        .execution_options(populate_existing=True)
    )
    template = session.exec(stmt).first()
    if template is None or template.center_id != center_id:
        raise NoticeError("not_found", what="template", id=str(template_id))
    return template


def list_templates(
    session: Session, *, actor: AgentView, channel: str | None = None, active_only: bool = False
) -> tuple[TemplateView, ...]:
    """The center's templates by code and channel (a center has tens, not thousands)."""
    require(actor, *NOTICE_ROLES, action="read notice templates")
    stmt = select(NoticeTemplate).where(NoticeTemplate.center_id == actor.center_id)
    if channel is not None:
        stmt = stmt.where(NoticeTemplate.channel == _check_channel(channel))
    if active_only:
        stmt = stmt.where(NoticeTemplate.active == sa.true())
    stmt = stmt.order_by(col(NoticeTemplate.code), col(NoticeTemplate.channel))
    return tuple(template_view(t) for t in session.exec(stmt).all())


def get_template(session: Session, *, actor: AgentView, template_id: uuid.UUID) -> TemplateView:
    require(actor, *NOTICE_ROLES, action="read notice templates")
    return template_view(_template(session, template_id, actor.center_id))


def create_template(
    session: Session,
    *,
    actor: AgentView,
    code: str,
    channel: str,
    name: str,
    body: str,
    now: datetime | None = None,
) -> TemplateView:
    """Save a new template. Errors: bad_code; bad_channel; required / too_long (name, body);
    bad_template; unknown_placeholder (names); duplicate (code, channel)."""
    require(actor, *NOTICE_ROLES, action="write notice templates")
    now = _aware_now(now)
    code = (code or "").strip().lower()
    if not _CODE.fullmatch(code):
        raise NoticeError("bad_code", code=code)
    _check_channel(channel)
    name, body = _check_fields(name, body)
    exists = session.exec(
        select(NoticeTemplate.id).where(
            NoticeTemplate.center_id == actor.center_id,
            NoticeTemplate.code == code,
            NoticeTemplate.channel == channel,
        )
    ).first()
    if exists is not None:
        raise NoticeError("duplicate", code=code, channel=channel)
    template = NoticeTemplate(
        center_id=actor.center_id,
        code=code,
        channel=channel,
        name=name,
        body=body,
        active=True,
        updated_at=now,
    )
    session.add(template)
    session.flush()
    audit.record(
        session,
        action="notice_template_added",
        actor_id=actor.id,
        center_id=actor.center_id,
        entity="notice_template",
        entity_id=template.id,
        changes={"code": [None, code], "channel": [None, channel]},
    )
    return template_view(template)


def update_template(
    session: Session,
    *,
    actor: AgentView,
    template_id: uuid.UUID,
    expected_updated_at: datetime,
    name: str | None = None,
    body: str | None = None,
    active: bool | None = None,
    now: datetime | None = None,
) -> TemplateView:
    """Change a template's name, text or whether it is in use. ``expected_updated_at`` is the
    ``updated_at`` the officer read: an edit over someone else's is refused (stale).
    Errors: not_found; stale (what); the checks of :func:`create_template`."""
    require(actor, *NOTICE_ROLES, action="write notice templates")
    now = _aware_now(now)
    template = _template(session, template_id, actor.center_id)
    new_name, new_body = _check_fields(
        template.name if name is None else name, template.body if body is None else body
    )
    values: dict[str, object] = {}
    if new_name != template.name:
        values["name"] = new_name
    if new_body != template.body:
        values["body"] = new_body
    if active is not None and active != template.active:
        values["active"] = active
    if not values:
        return template_view(template)
    table = NoticeTemplate.__table__
    result = session.execute(
        sa.update(table)
        .where(table.c.id == template.id, table.c.updated_at == expected_updated_at)
        .values(updated_at=now, **values)
    )
    if result.rowcount != 1:
        raise NoticeError("stale", what="template")
    audit.record(
        session,
        action="notice_template_changed",
        actor_id=actor.id,
        center_id=actor.center_id,
        entity="notice_template",
        entity_id=template.id,
        changes={k: [getattr(template, k), v] for k, v in values.items()},
    )
    session.flush()
    return template_view(_template(session, template_id, actor.center_id))


def active_template(
    session: Session, center_id: uuid.UUID, codes: Iterable[str], channel: str
) -> NoticeTemplate | None:
    """The first of ``codes`` that has an active template on ``channel`` in the center."""
    codes = list(codes)
    if not codes:
        return None
    rows = session.exec(
        select(NoticeTemplate).where(
            NoticeTemplate.center_id == center_id,
            NoticeTemplate.channel == channel,
            NoticeTemplate.active == sa.true(),
            col(NoticeTemplate.code).in_(codes),
        )
    ).all()
    by_code = {t.code: t for t in rows}
    return next((by_code[c] for c in codes if c in by_code), None)


def real_values(
    session: Session,
    center_id: uuid.UUID,
    *,
    incident_id: uuid.UUID | None = None,
    ticket_id: uuid.UUID | None = None,
    subscriber_id: uuid.UUID | None = None,
    now: datetime,
) -> dict[str, str]:
    """Placeholder values read from the rows named (each must be in the center): the center's
    name, then the incident's, the subscriber's and the request's values, later ones winning."""
    values = {"center": load_notice_settings(session, center_id).center_name}
    if incident_id is not None:
        incident = session.get(Incident, incident_id)
        if incident is None or incident.center_id != center_id:
            raise NoticeError("not_found", what="incident", id=str(incident_id))
        values |= incident_values(session, incident, now=now)
    if subscriber_id is not None:
        subscriber = session.get(Subscriber, subscriber_id)
        if subscriber is None or subscriber.center_id != center_id:
            raise NoticeError("not_found", what="subscriber", id=str(subscriber_id))
        values |= {k: v for k, v in subscriber_values(session, subscriber).items() if v}
    if ticket_id is not None:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None or ticket.center_id != center_id:
            raise NoticeError("not_found", what="ticket", id=str(ticket_id))
        values |= {k: v for k, v in ticket_values(session, ticket).items() if v}
    return values


def preview_template(
    session: Session,
    *,
    actor: AgentView,
    template_id: uuid.UUID | None = None,
    body: str | None = None,
    channel: str | None = None,
    incident_id: uuid.UUID | None = None,
    ticket_id: uuid.UUID | None = None,
    subscriber_id: uuid.UUID | None = None,
    values: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> Preview:
    """A saved template (``template_id``) or a text being written (``body`` and ``channel``),
    filled with real values of an incident, a request or a subscriber and then ``values``
    (typed by the officer), with its SMS count and warnings."""
    require(actor, *NOTICE_ROLES, action="preview notices")
    now = _aware_now(now)
    if template_id is not None:
        template = _template(session, template_id, actor.center_id)
        body, channel = template.body, template.channel
    if body is None or channel is None:
        raise NoticeError("required", field="body")
    _check_channel(channel)
    filled = real_values(
        session,
        actor.center_id,
        incident_id=incident_id,
        ticket_id=ticket_id,
        subscriber_id=subscriber_id,
        now=now,
    )
    filled |= {k: v for k, v in (values or {}).items() if v}
    settings = load_notice_settings(session, actor.center_id)
    return preview_text(body, channel, filled, max_parts=settings.sms_max_parts)
