"""Tracking codes: format, check digit, and sequences drawn safely by many desks at once."""

import random
import threading
import time
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from db.engine import session
from db.models import Center, TrackingSequence
from db.tracking import (
    TrackingCode,
    TrackingCodeError,
    TrackingReason,
    format_tracking_code,
    is_valid_tracking_code,
    next_tracking_code,
    parse_tracking_code,
    reserve_tracking_range,
)
from db.validate import mod11

# 29 Esfand 1404, 23:30 and 1 Farvardin 1405, 00:30 in Tehran (UTC+03:30).
LAST_EVENING_OF_1404 = datetime(2026, 3, 20, 20, 0, tzinfo=UTC)
FIRST_NIGHT_OF_1405 = datetime(2026, 3, 20, 21, 0, tzinfo=UTC)


def add_center(engine, number: int) -> uuid.UUID:
    with session(engine) as s:
        center = Center(code=f"C{number}", number=number, name_fa="مرکز", name_en="Center")
        s.add(center)
        s.flush()
        return center.id


def draw(engine, center_id: uuid.UUID, number: int, at: datetime) -> tuple[str, int, int]:
    with session(engine) as s:
        return next_tracking_code(s, center_id=center_id, center_number=number, at=at)


# -- format and check digit (pure) --------------------------------------------------------


def test_code_is_center_year_sequence_and_check_digit():
    code = format_tracking_code(131, 1405, 42)
    assert code[:11] == "13105000042"
    assert code[11] == str(mod11("13105000042"))
    assert len(code) == 12 and code.isdigit()
    assert format_tracking_code(131, 5, 42) == code  # two-digit year is the same year
    assert parse_tracking_code(code) == TrackingCode(131, 5, 42)
    assert TrackingCode(131, 5, 42).code == code


def test_agent_can_key_the_code_in_persian_digits_with_spaces():
    code = format_tracking_code(7, 1405, 123456)
    persian = "".join("۰۱۲۳۴۵۶۷۸۹"[int(d)] for d in code)
    spaced = f"{persian[:3]} {persian[3:5]}\u200c{persian[5:11]} - {persian[11]}"
    assert is_valid_tracking_code(spaced)
    assert parse_tracking_code(spaced) == TrackingCode(7, 5, 123456)
    assert parse_tracking_code(f"  {code}\n").seq == 123456


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", TrackingReason.EMPTY),
        (" - ", TrackingReason.EMPTY),
        ("13105a000421", TrackingReason.NOT_DIGITS),
        ("1310500004", TrackingReason.WRONG_LENGTH),
        ("1310500004211", TrackingReason.WRONG_LENGTH),
    ],
)
def test_malformed_codes_are_refused_with_a_reason(text, reason):
    with pytest.raises(TrackingCodeError) as err:
        parse_tracking_code(text)
    assert err.value.reason == reason
    assert isinstance(err.value, ValueError)
    assert not is_valid_tracking_code(text)


def test_center_zero_and_sequence_zero_are_refused():
    body = "00005000001"
    with pytest.raises(TrackingCodeError) as err:
        parse_tracking_code(body + str(mod11(body)))
    assert err.value.reason == TrackingReason.BAD_CENTER
    body = "13105000000"
    with pytest.raises(TrackingCodeError) as err:
        parse_tracking_code(body + str(mod11(body)))
    assert err.value.reason == TrackingReason.BAD_SEQUENCE


@pytest.mark.parametrize(("center", "seq"), [(0, 1), (1000, 1), (1, 0), (1, 1_000_000)])
def test_format_refuses_out_of_range_parts(center, seq):
    with pytest.raises(ValueError):
        format_tracking_code(center, 1405, seq)


def _remainder(body: str) -> int:
    return sum(int(d) * (2 + i % 6) for i, d in enumerate(reversed(body))) % 11


def test_check_digit_catches_single_digit_changes():
    """Every single-digit change is caught, except the one blind spot of mod11 (remainders 0
    and 1 share the check digit 0), which only codes ending in 0 have."""
    rng = random.Random(1405)
    codes = [
        format_tracking_code(rng.randint(1, 999), rng.randint(0, 99), rng.randint(1, 999_999))
        for _ in range(3000)
    ]
    changes = missed = 0
    for code in codes:
        for pos in range(12):
            for digit in "0123456789":
                if digit == code[pos]:
                    continue
                changed = code[:pos] + digit + code[pos + 1 :]
                changes += 1
                if mod11(changed[:11]) != int(changed[11]):
                    continue  # caught (it may still fail as center/sequence zero)
                missed += 1
                assert pos < 11, "a changed check digit is always caught"
                assert code[11] == "0"
                assert {_remainder(code[:11]), _remainder(changed[:11])} == {0, 1}
    assert changes == 3000 * 12 * 9
    assert missed / changes < 0.02


def test_codes_ending_in_a_nonzero_check_digit_catch_every_change():
    rng = random.Random(7)
    for _ in range(2000):
        code = format_tracking_code(rng.randint(1, 999), 5, rng.randint(1, 999_999))
        if code[11] == "0":
            continue
        for pos in range(12):
            for digit in "0123456789":
                if digit != code[pos]:
                    assert not is_valid_tracking_code(code[:pos] + digit + code[pos + 1 :])


# -- sequences (both engines) ---------------------------------------------------------------


def test_sequences_have_no_gaps_per_center_and_restart_each_jalali_year(engine):
    isfahan, kashan = add_center(engine, 131), add_center(engine, 7)
    at = datetime(2026, 11, 27, 10, tzinfo=UTC)
    drawn = [draw(engine, isfahan, 131, at) for _ in range(5)]
    assert [seq for _code, _year, seq in drawn] == [1, 2, 3, 4, 5]
    assert {year for _code, year, _seq in drawn} == {1405}
    assert drawn[0][0] == format_tracking_code(131, 1405, 1)
    assert draw(engine, kashan, 7, at) == (format_tracking_code(7, 1405, 1), 1405, 1)
    assert draw(engine, isfahan, 131, at)[2] == 6

    # The year turns at midnight Tehran time, not UTC.
    assert draw(engine, kashan, 7, LAST_EVENING_OF_1404)[1:] == (1404, 1)
    code, year, seq = draw(engine, kashan, 7, FIRST_NIGHT_OF_1405)
    assert (year, seq) == (1405, 2)
    assert parse_tracking_code(code).year2 == 5

    with session(engine) as s:
        rows = s.execute(sa.select(TrackingSequence.__table__)).all()
    assert sorted((r.center_id == isfahan, r.year, r.last_seq) for r in rows) == [
        (False, 1404, 1),
        (False, 1405, 2),
        (True, 1405, 6),
    ]


def test_reserve_range_takes_consecutive_numbers(engine):
    center = add_center(engine, 131)
    at = datetime(2026, 11, 27, 10, tzinfo=UTC)
    with session(engine) as s:
        assert reserve_tracking_range(s, center_id=center, year=1405, count=100) == 1
        assert reserve_tracking_range(s, center_id=center, year=1405, count=1) == 101
    assert draw(engine, center, 131, at)[2] == 102
    with session(engine) as s:
        assert reserve_tracking_range(s, center_id=center, year=1406, count=3) == 1
        with pytest.raises(ValueError):
            reserve_tracking_range(s, center_id=center, year=1406, count=0)


def test_rolled_back_transaction_gives_its_number_back(engine):
    center = add_center(engine, 131)
    at = datetime(2026, 11, 27, 10, tzinfo=UTC)
    draw(engine, center, 131, at)
    with pytest.raises(RuntimeError), session(engine) as s:
        next_tracking_code(s, center_id=center, center_number=131, at=at)
        raise RuntimeError("registration failed")
    assert draw(engine, center, 131, at)[2] == 2


def test_two_desks_drawing_at_once_never_share_a_code(engine):
    """Threads with their own sessions race from the very first number of the year (so on
    PostgreSQL both may try to insert the sequence row)."""
    center = add_center(engine, 131)
    at = datetime(2026, 11, 27, 10, tzinfo=UTC)
    per_thread, threads = 25, 4
    start = threading.Barrier(threads)
    results: list[list[str]] = [[] for _ in range(threads)]
    errors: list[BaseException] = []

    def desk(k: int) -> None:
        try:
            start.wait()
            for _ in range(per_thread):
                results[k].append(draw(engine, center, 131, at)[0])
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    workers = [threading.Thread(target=desk, args=(k,)) for k in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert not errors
    codes = [code for r in results for code in r]
    assert len(codes) == len(set(codes)) == per_thread * threads
    assert sorted(parse_tracking_code(c).seq for c in codes) == list(range(1, len(codes) + 1))


def test_second_desk_waits_for_the_first_to_insert_the_years_row(engine):
    """Desk A takes the year's first number and holds its transaction open; desk B, asking
    meanwhile, waits and gets the next number once A commits (on PostgreSQL B's insert loses
    the race, rolls back to its savepoint and updates instead)."""
    center = add_center(engine, 131)
    at = datetime(2026, 11, 27, 10, tzinfo=UTC)
    got: list[tuple[str, int, int]] = []
    errors: list[BaseException] = []
    with session(engine) as a:
        first = next_tracking_code(a, center_id=center, center_number=131, at=at)

        def desk_b() -> None:
            try:
                got.append(draw(engine, center, 131, at))
            except BaseException as exc:
                errors.append(exc)

        b = threading.Thread(target=desk_b)
        b.start()
        time.sleep(0.5)
        assert b.is_alive(), "desk B must wait for desk A"
    b.join(30)
    assert not errors
    assert first[2] == 1
    assert got and got[0][2] == 2
