"""The texts of the IVR entry menu and the website while incidents are active.

A caller to 122 should hear about the main break before reaching an agent, and the website
should say the same thing. For each active incident the center's active template of the
channel for its kind is filled (``<kind>``, then ``incident_cutoff`` for a break or an
unplanned cut-off); when there is none, or it would leave a placeholder empty (no restoration
time yet), the incident's public message is used: the words the agents read out.
:func:`write_texts` writes them where the IVR or the web server picks them up, atomically, so
neither ever reads half a file; with no active incident the file is written empty.
"""

import json
import os
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from db.accounts import AgentView, require
from db.models import Incident, IncidentKind, IncidentStatus, NoticeChannel
from db.notices.errors import NoticeError
from db.notices.outbox import NOTICE_ROLES, _aware_now
from db.notices.placeholders import render
from db.notices.settings import load_notice_settings
from db.notices.templates import active_template
from db.notices.values import incident_values

EXPORT_CHANNELS = (NoticeChannel.IVR.value, NoticeChannel.WEB.value)
_CUTOFF = "incident_cutoff"
_CUTOFF_KINDS = frozenset({IncidentKind.MAIN_BREAK, IncidentKind.UNPLANNED_CUTOFF})


@dataclass(frozen=True)
class NoticeText:
    """One active incident's text for a channel; ``template_code`` is empty when the text is
    the incident's public message."""

    incident_id: uuid.UUID
    kind: str
    title: str
    area: str
    started_at: datetime
    expected_restoration_at: datetime | None
    text: str
    template_code: str


def template_codes(kind: str) -> tuple[str, ...]:
    """The template codes tried for an incident kind, in order."""
    return (kind, _CUTOFF) if kind in _CUTOFF_KINDS else (kind,)


def current_texts(
    session: Session,
    *,
    actor: AgentView | None,
    channel: str,
    center_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> tuple[NoticeText, ...]:
    """The channel's text for every active incident of the center, oldest first. The CLI
    passes no actor and a ``center_id``. Errors: bad_channel; center_required."""
    if actor is not None:
        require(actor, *NOTICE_ROLES, action="export notices")
        center_id = actor.center_id
    if center_id is None:
        raise NoticeError("center_required")
    if channel not in EXPORT_CHANNELS:
        raise NoticeError("bad_channel", channel=str(channel))
    now = _aware_now(now)
    center_name = load_notice_settings(session, center_id).center_name
    incidents = session.exec(
        select(Incident)
        .where(Incident.center_id == center_id, Incident.status == IncidentStatus.ACTIVE.value)
        .order_by(col(Incident.started_at), col(Incident.id))
    ).all()
    out = []
    for incident in incidents:
        values = incident_values(session, incident, now=now) | {"center": center_name}
        template = active_template(session, center_id, template_codes(incident.kind), channel)
        text, code = incident.public_message, ""
        if template is not None:
            rendered = render(template.body, values)
            if not rendered.missing:
                text, code = rendered.text, template.code
        out.append(
            NoticeText(
                incident_id=incident.id,
                kind=incident.kind,
                title=incident.title,
                area=values["district"],
                started_at=incident.started_at,
                expected_restoration_at=incident.expected_restoration_at,
                text=text,
                template_code=code,
            )
        )
    return tuple(out)


def write_texts(path: Path, texts: Sequence[NoticeText], *, as_json: bool = False) -> Path:
    """Write the texts to ``path`` (UTF-8; plain text: one paragraph per incident; JSON: a
    list of objects), replacing the old file atomically."""
    path = Path(path)
    if as_json:
        data = [
            {k: (str(v) if isinstance(v, uuid.UUID) else v.isoformat() if isinstance(v, datetime)
                 else v) for k, v in asdict(t).items()}
            for t in texts
        ]  # fmt: skip
        content = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    else:
        content = "".join(t.text + "\n\n" for t in texts).rstrip("\n") + ("\n" if texts else "")
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temp, "w", encoding="utf-8") as f:
        f.write(content)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temp, path)
    return path
