"""Signing in, lockout, roles and the permission checks made inside db/ operations."""

from datetime import timedelta

import pytest
from sqlmodel import col, select

from db.accounts import (
    LOCK_MINUTES,
    MAX_FAILED_ATTEMPTS,
    AccountError,
    PermissionDenied,
    SignInError,
    add_agent,
    allowed_modes,
    list_agents,
    set_password,
    sign_in,
)
from db.engine import session
from db.models import Agent, AuditEntry, Role, utcnow

PASSWORD = "correct-horse"


def _add(engine, username, *roles, actor=None):
    with session(engine) as s:
        return add_agent(
            s,
            actor=actor,
            username=username,
            full_name=username.title(),
            password=PASSWORD,
            roles=roles,
        )


def _audit_actions(engine) -> list[str]:
    with session(engine) as s:
        return list(s.exec(select(AuditEntry.action).order_by(col(AuditEntry.at))).all())


def test_agent_signs_in_with_the_right_password(engine, center_id):
    _add(engine, "Maryam", "agent", "followup")
    with session(engine) as s:
        agent = sign_in(s, username=" maryam ", password=PASSWORD)
    assert agent.username == "maryam"
    assert agent.roles == {Role.AGENT, Role.FOLLOWUP}
    assert agent.center_code == "ISF"
    assert agent.last_sign_in_at is not None
    assert "sign_in" in _audit_actions(engine)


def test_wrong_password_is_refused_and_audited(engine, center_id):
    _add(engine, "reza", "agent")
    with pytest.raises(SignInError) as error, session(engine) as s:
        sign_in(s, username="reza", password="wrong-password")
    assert error.value.code == "bad_credentials"
    assert _audit_actions(engine).count("sign_in_failed") == 1
    with session(engine) as s:
        assert s.exec(select(Agent)).one().failed_attempts == 1


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(engine, center_id):
    with pytest.raises(SignInError) as error, session(engine) as s:
        sign_in(s, username="ghost", password=PASSWORD)
    assert error.value.code == "bad_credentials"
    assert "sign_in_failed" in _audit_actions(engine)


def test_account_locks_after_repeated_failures_then_opens_again(engine, center_id):
    _add(engine, "ali", "agent")
    now = utcnow()
    codes = []
    for _ in range(MAX_FAILED_ATTEMPTS):
        with pytest.raises(SignInError) as failure, session(engine) as s:
            sign_in(s, username="ali", password="nope-nope", now=now)
        codes.append(failure.value.code)
    assert codes == ["bad_credentials"] * (MAX_FAILED_ATTEMPTS - 1) + ["locked"]
    with pytest.raises(SignInError) as error, session(engine) as s:
        sign_in(s, username="ali", password=PASSWORD, now=now + timedelta(minutes=1))
    assert error.value.code == "locked"
    assert error.value.params["minutes"] == LOCK_MINUTES
    assert "account_locked" in _audit_actions(engine)
    later = now + timedelta(minutes=LOCK_MINUTES + 1)
    with session(engine) as s:
        assert sign_in(s, username="ali", password=PASSWORD, now=later).username == "ali"


def test_disabled_account_cannot_sign_in(engine, center_id):
    _add(engine, "sara", "agent")
    with session(engine) as s:
        agent = s.exec(select(Agent)).one()
        agent.active = False
        s.add(agent)
    with pytest.raises(SignInError) as error, session(engine) as s:
        sign_in(s, username="sara", password=PASSWORD)
    assert error.value.code == "disabled"


def test_only_an_admin_adds_users(engine, center_id):
    admin = _add(engine, "admin", "admin")
    desk = _add(engine, "desk", "agent", actor=admin)
    assert desk.center_id == admin.center_id
    with pytest.raises(PermissionDenied):
        _add(engine, "other", "agent", actor=desk)


@pytest.mark.parametrize(
    ("username", "roles", "password", "code"),
    [
        ("bad name!", ["agent"], PASSWORD, "bad_username"),
        ("new", ["pilot"], PASSWORD, "unknown_role"),
        ("new", [], PASSWORD, "no_role"),
        ("new", ["agent"], "short", "password_too_short"),
    ],
)
def test_bad_user_input_is_refused_with_a_reason(
    engine, center_id, username, roles, password, code
):
    with pytest.raises(AccountError) as error, session(engine) as s:
        add_agent(s, actor=None, username=username, full_name="", password=password, roles=roles)
    assert error.value.code == code
    with session(engine) as s:
        assert s.exec(select(Agent)).all() == []


def test_duplicate_username_is_refused(engine, center_id):
    _add(engine, "hamid", "agent")
    with pytest.raises(AccountError) as error:
        _add(engine, "HAMID", "agent")
    assert error.value.code == "username_taken"


def test_admin_resets_a_password_and_unlocks(engine, center_id):
    admin = _add(engine, "admin", "admin")
    desk = _add(engine, "desk", "agent")
    for _ in range(MAX_FAILED_ATTEMPTS):
        with pytest.raises(SignInError), session(engine) as s:
            sign_in(s, username="desk", password="wrong-wrong")
    with session(engine) as s:
        set_password(s, actor=admin, username="desk", password="new-password-1")
    with session(engine) as s:
        assert sign_in(s, username="desk", password="new-password-1").id == desk.id
    with pytest.raises(PermissionDenied), session(engine) as s:
        set_password(s, actor=desk, username="admin", password="taken-over!")


def test_modes_follow_roles(engine, center_id):
    desk = _add(engine, "desk", "agent")
    supervisor = _add(engine, "boss", "supervisor")
    admin = _add(engine, "root", "admin")
    assert allowed_modes(desk) == ["intake"]
    assert set(allowed_modes(supervisor)) == {
        "intake",
        "followup",
        "callbacks",
        "notices",
        "reports",
    }
    assert allowed_modes(admin) == ["admin"]
    with session(engine) as s:
        assert [a.username for a in list_agents(s, actor=supervisor)] == ["boss", "desk", "root"]
    with pytest.raises(PermissionDenied), session(engine) as s:
        list_agents(s, actor=desk)
