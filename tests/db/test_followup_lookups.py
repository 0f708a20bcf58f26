"""What the request screen's dialogs look up: the units to refer to, and another request named
by its tracking code (as a caller reads it, in any digits), on SQLite and PostgreSQL."""

import pytest

from db import followup
from db.accounts import PermissionDenied
from db.engine import session
from db.followup import FollowupError
from db.models import Unit

from .world import World, add_center, build_world, register

PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


@pytest.fixture
def world(engine, center_id) -> World:
    return build_world(engine, center_id)


def test_units_to_refer_to_are_the_active_units_of_the_agents_center(world):
    other = build_world(world.engine, add_center(world.engine, "TBZ", 141), prefix="tbz_")
    with session(world.engine) as s:
        retired = s.get(Unit, next(iter(world.units.values())))
        retired.active = False
        s.add(retired)
    with session(world.engine, write=False) as s:
        units = followup.list_units(s, actor=world.followup)
    assert {u.id for u in units} == set(world.units.values()) - {retired.id}
    assert not {u.id for u in units} & set(other.units.values())
    assert [u.name_fa for u in units] == sorted(u.name_fa for u in units)


def test_a_request_is_found_by_its_code_in_persian_digits_with_spaces(world):
    registered = register(world)
    code = registered.tracking_code
    typed = f"{code[:3]} {code[3:5]} {code[5:11]} {code[11]}".translate(PERSIAN)
    with session(world.engine, write=False) as s:
        found = followup.find_request_by_code(s, actor=world.followup, code=typed)
    assert (found.id, found.tracking_code, found.status) == (
        registered.ticket.id,
        code,
        "registered",
    )


@pytest.mark.parametrize(
    ("typed", "problem"),
    [("", "empty"), ("12345", "wrong_length"), ("1310500000120", "wrong_length")],
)
def test_a_mistyped_code_says_what_is_wrong(world, typed, problem):
    with session(world.engine, write=False) as s, pytest.raises(FollowupError) as refused:
        followup.find_request_by_code(s, actor=world.followup, code=typed)
    assert refused.value.reason == "bad_code"
    assert refused.value.params["problem"] == problem


def test_another_centers_request_is_not_found(world):
    other = build_world(world.engine, add_center(world.engine, "TBZ", 141), prefix="tbz_")
    theirs = register(other)
    with session(world.engine, write=False) as s, pytest.raises(FollowupError) as refused:
        followup.find_request_by_code(s, actor=world.followup, code=theirs.tracking_code)
    assert refused.value.reason == "not_found"
    assert refused.value.params["code"] == theirs.tracking_code


def test_a_desk_agent_may_not_look_units_up(world):
    with session(world.engine, write=False) as s, pytest.raises(PermissionDenied):
        followup.list_units(s, actor=world.desk)
