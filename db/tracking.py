"""Tracking codes (کد رهگیری): digits only, so a caller can read one back and key it into an IVR.

A code is 12 digits: center number (3, zero-padded) + Jalali year (last 2 digits) + the
center's yearly sequence (6) + a mod11 check digit of the 11 digits before it. The sequence
restarts at 1 every Jalali year (Tehran time), per center.

Sequences are drawn with one guarded ``UPDATE ... RETURNING``, so two desks registering at the
same moment never get the same number, on SQLite (writers are serialised) as on PostgreSQL
(the row lock serialises them). The first draw of a year inserts the row; when two
transactions race to insert it, the loser rolls back to a savepoint and retries the update.

About the check digit: mod11 maps remainders 0 and 1 to the same digit 0, so one single-digit
substitution in a code whose check digit is 0 can, rarely, go unnoticed (see db.validate).
Every change of a code whose check digit is not 0 is caught, and so is any change of the
check digit itself.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from db.jalali import jalali_year
from db.models import TrackingSequence
from db.text import to_ascii_digits
from db.validate import mod11

__all__ = [
    "CODE_LENGTH",
    "MAX_SEQ",
    "TrackingCode",
    "TrackingCodeError",
    "TrackingReason",
    "format_tracking_code",
    "is_valid_tracking_code",
    "next_tracking_code",
    "parse_tracking_code",
    "reserve_tracking_range",
]

CODE_LENGTH = 12
MAX_SEQ = 999_999

_table = TrackingSequence.__table__
# What people put between digits when they read a code out or paste it: spaces of any kind,
# ZWNJ, bidi marks and dashes.
_SEPARATORS = re.compile(r"[\s\u200c\u200e\u200f\u202a-\u202e\u2066-\u2069\-\u2010-\u2015]+")


class TrackingReason(StrEnum):
    """Stable reason codes of a refused tracking code (the console translates them)."""

    EMPTY = "empty"
    NOT_DIGITS = "not_digits"
    WRONG_LENGTH = "wrong_length"
    BAD_CHECKSUM = "bad_checksum"
    BAD_CENTER = "bad_center"  # center number 000
    BAD_SEQUENCE = "bad_sequence"  # sequence 000000


class TrackingCodeError(ValueError):
    """A string is not a tracking code; ``reason`` is a stable code to translate."""

    def __init__(self, reason: TrackingReason, value: str = "") -> None:
        self.reason = reason
        self.value = value
        super().__init__(f"not a tracking code ({reason.value}): {value!r}")


@dataclass(frozen=True, slots=True)
class TrackingCode:
    """A parsed tracking code. ``year2`` is the last two digits of the Jalali year."""

    center_number: int
    year2: int
    seq: int

    @property
    def code(self) -> str:
        return format_tracking_code(self.center_number, self.year2, self.seq)


def format_tracking_code(center_number: int, jalali_year: int, seq: int) -> str:
    """The 12-digit code; ``jalali_year`` may be full (1405) or its last two digits (5)."""
    if not 1 <= center_number <= 999:
        raise ValueError(f"center number must be 1..999, got {center_number}")
    if not 1 <= seq <= MAX_SEQ:
        raise ValueError(f"sequence must be 1..{MAX_SEQ}, got {seq}")
    if jalali_year < 0:
        raise ValueError(f"bad Jalali year {jalali_year}")
    body = f"{center_number:03d}{jalali_year % 100:02d}{seq:06d}"
    return body + str(mod11(body))


def _digits(s: str) -> str:
    d = _SEPARATORS.sub("", to_ascii_digits(s).strip())
    if not d:
        raise TrackingCodeError(TrackingReason.EMPTY, s)
    if not (d.isascii() and d.isdigit()):
        raise TrackingCodeError(TrackingReason.NOT_DIGITS, s)
    if len(d) != CODE_LENGTH:
        raise TrackingCodeError(TrackingReason.WRONG_LENGTH, s)
    return d


def parse_tracking_code(s: str) -> TrackingCode:
    """Read a code typed in any digit script, with spaces or dashes; TrackingCodeError if not."""
    d = _digits(s)
    if mod11(d[:-1]) != int(d[-1]):
        raise TrackingCodeError(TrackingReason.BAD_CHECKSUM, s)
    center, year2, seq = int(d[:3]), int(d[3:5]), int(d[5:11])
    if center == 0:
        raise TrackingCodeError(TrackingReason.BAD_CENTER, s)
    if seq == 0:
        raise TrackingCodeError(TrackingReason.BAD_SEQUENCE, s)
    return TrackingCode(center, year2, seq)


def is_valid_tracking_code(s: str) -> bool:
    try:
        parse_tracking_code(s)
    except TrackingCodeError:
        return False
    return True


def _bump(session: Session, center_id: uuid.UUID, year: int, count: int) -> int | None:
    stmt = (
        sa.update(_table)
        .where(_table.c.center_id == center_id, _table.c.year == year)
        .values(last_seq=_table.c.last_seq + count)
        .returning(_table.c.last_seq)
    )
    return session.execute(stmt).scalar_one_or_none()


def _draw(session: Session, center_id: uuid.UUID, year: int, count: int) -> int:
    """Add ``count`` to the sequence of (center, year) and return the new last value."""
    if count < 1:
        raise ValueError("count must be at least 1")
    last = _bump(session, center_id, year, count)
    if last is None:
        try:
            with session.begin_nested():
                session.execute(
                    sa.insert(_table).values(center_id=center_id, year=year, last_seq=count)
                )
            last = count
        except IntegrityError:
            # Another transaction inserted the row first; its lock is released by now.
            last = _bump(session, center_id, year, count)
            if last is None:  # pragma: no cover - the row cannot vanish once committed
                raise
    if last > MAX_SEQ:
        raise OverflowError(f"tracking sequence of year {year} exhausted ({last} > {MAX_SEQ})")
    return last


def next_tracking_code(
    session: Session, *, center_id: uuid.UUID, center_number: int, at: datetime
) -> tuple[str, int, int]:
    """Draw the next code of a center for the Jalali year of ``at``: (code, year, seq).

    Runs in the caller's transaction: the number is taken for good only when it commits, and
    other desks drawing from the same center wait for that (keep the transaction short).
    """
    year = jalali_year(at)
    seq = _draw(session, center_id, year, 1)
    return format_tracking_code(center_number, year, seq), year, seq


def reserve_tracking_range(session: Session, *, center_id: uuid.UUID, year: int, count: int) -> int:
    """Take ``count`` consecutive sequence numbers of (center, Jalali year) in one statement.

    Returns the first; the range is ``first .. first + count - 1``. For bulk loads (demo data).
    """
    return _draw(session, center_id, year, count) - count + 1
