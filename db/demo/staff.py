"""The center's staff: the demo accounts, their roles, and who takes which step of the work.

Every demo account signs in with `demo_password(username)`. The rural colleague holds four
roles, as the one person of a small center does, and helps the provincial desk now and then.
"""

import random
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from db.accounts import hash_password
from db.demo.bulk import insert
from db.demo.city import City
from db.demo.context import ReferenceIds, uuid7_from, weighted
from db.models import Agent, AgentRole, AuditEntry, CenterSetting, Role

# username, full name, roles, weight when taking calls
AGENTS: list[tuple[str, str, tuple[Role, ...], float]] = [
    ("agent1", "مریم احمدی", (Role.AGENT,), 1.0),
    ("agent2", "رضا کریمی", (Role.AGENT,), 1.0),
    ("agent3", "زهرا موسوی", (Role.AGENT,), 1.0),
    ("agent4", "حسین جعفری", (Role.AGENT,), 1.0),
    ("agent5", "فاطمه نصر اصفهانی", (Role.AGENT,), 1.0),
    ("agent6", "مهدی آقابابایی", (Role.AGENT,), 1.0),
    ("followup1", "سمیه صادقی", (Role.FOLLOWUP,), 0.0),
    ("followup2", "علیرضا میرلوحی", (Role.FOLLOWUP,), 0.0),
    ("followup3", "نرگس طاهری", (Role.FOLLOWUP,), 0.0),
    ("surveyor1", "الهام شریفی", (Role.SURVEYOR,), 0.0),
    ("surveyor2", "امیر نیلفروشان", (Role.SURVEYOR,), 0.0),
    ("notifier1", "لیلا کلباسی", (Role.NOTIFIER,), 0.0),
    ("supervisor", "محمدرضا یزدانی", (Role.SUPERVISOR,), 0.1),
    ("admin", "حمید فلاحی", (Role.ADMIN,), 0.0),
    ("rural", "اکبر خوراسگانی",
     (Role.AGENT, Role.FOLLOWUP, Role.SURVEYOR, Role.NOTIFIER), 0.3),
]  # fmt: skip


def demo_password(username: str) -> str:
    return f"demo-{username}"


def demo_accounts() -> list[tuple[str, tuple[str, ...], str]]:
    """The demo accounts as (username, roles, password); the same for every seed."""
    return [
        (username, tuple(r.value for r in roles), demo_password(username))
        for username, _name, roles, _weight in AGENTS
    ]


def sign_in_hint(session: Session) -> tuple[str, str] | None:
    """On a demo database, an account to try at the sign-in screen; None on a real center's.

    The console has taken the terminal by the time someone reads the sign-in form, so the
    table of demo passwords printed before it is gone from view.
    """
    marked = session.exec(select(CenterSetting.key).where(CenterSetting.key == "demo")).first()
    return ("supervisor", demo_password("supervisor")) if marked else None


# argon2 is slow on purpose: hash each demo password once per process.
_HASHES: dict[str, str] = {}


def _password_hash(password: str) -> str:
    if password not in _HASHES:
        _HASHES[password] = hash_password(password)
    return _HASHES[password]


@dataclass(frozen=True, slots=True)
class AgentPlan:
    id: uuid.UUID
    username: str
    full_name: str
    roles: tuple[Role, ...]
    weight: float  # share of the desk's calls
    created_at: datetime


class Staff:
    """The agents, referred to by index, and who does what."""

    def __init__(self, agents: list[AgentPlan]) -> None:
        self.agents = agents
        self.ids = [a.id for a in agents]
        self._pools: dict[Role, list[int]] = {}
        for i, agent in enumerate(agents):
            for role in agent.roles:
                self._pools.setdefault(role, []).append(i)
        self._rural = next(i for i, a in enumerate(agents) if a.username == "rural")
        # Who answers the phone, weighted by how many calls each takes.
        self.desk, self.desk_cum = weighted((i, a.weight) for i, a in enumerate(agents) if a.weight)
        self.supervisor = self._pools[Role.SUPERVISOR][0]
        self.notifier = self._pools[Role.NOTIFIER][0]

    def pick(self, rng: random.Random, role: Role) -> int:
        """Someone of a role to take a step."""
        pool = self._pools[role]
        # The rural colleague (last in every pool he is in) does a small share.
        if len(pool) > 1 and pool[-1] == self._rural and rng.random() < 0.9:
            return pool[rng.randrange(len(pool) - 1)]
        return pool[rng.randrange(len(pool))]

    def has_role(self, agent: int, role: Role) -> bool:
        return role in self.agents[agent].roles


def plan_staff(ids: ReferenceIds) -> Staff:
    agents = []
    for username, full_name, roles, weight in AGENTS:
        agent_id, at = ids()
        agents.append(AgentPlan(agent_id, username, full_name, roles, weight, at))
    return Staff(agents)


def write_staff(s: Session, city: City, staff: Staff, audit_rng: random.Random) -> None:
    """The agents, their roles, and the audit entries of their creation (ids from
    ``audit_rng``)."""
    cid = city.center_id
    insert(
        s,
        Agent,
        [
            dict(id=a.id, center_id=cid, username=a.username, full_name=a.full_name,
                 password_hash=_password_hash(demo_password(a.username)), active=True,
                 failed_attempts=0, locked_until=None, last_sign_in_at=None, language=None,
                 created_at=a.created_at, updated_at=a.created_at)
            for a in staff.agents
        ],
    )  # fmt: skip
    insert(
        s,
        AgentRole,
        [
            dict(agent_id=a.id, role=role.value)
            for a in staff.agents
            for role in sorted(a.roles, key=lambda r: r.value)
        ],
    )
    insert(
        s,
        AuditEntry,
        [
            dict(id=uuid7_from(audit_rng, a.created_at.timestamp()), center_id=cid,
                 at=a.created_at, actor_id=None, action="user_added", entity="agent",
                 entity_id=str(a.id),
                 changes={"username": [None, a.username],
                          "roles": [None, sorted(r.value for r in a.roles)]},
                 detail="demo")
            for a in staff.agents
        ],
    )  # fmt: skip
