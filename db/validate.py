"""Iranian identifiers: validate and normalise, never reject silently (DOMAIN.md).

Every ``normalize_*`` function accepts what an agent or a caller keys in (any digit script,
spaces, dashes, country prefixes) and returns the one stored form, or raises
:class:`ValidationError` with a stable ``field`` and ``reason`` code that the console translates.

About the check digits: :func:`mod11` weights 2..7 and the national-code weights 10..2 are all
non-zero modulo 11, so changing one digit always changes the remainder. Both schemes then map
two remainders to the same check digit (mod11: r = 0 and 1 give 0; national code: r = 1 and 10
give 1), so a single-digit substitution that moves the remainder between exactly those two
values goes unnoticed. Any change of the check digit itself is always caught.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from db.text import normalize, to_ascii_digits

__all__ = [
    "AREA_CODES",
    "SERVICE_TYPES",
    "Field",
    "PaymentInfo",
    "Reason",
    "ValidationError",
    "bill_service_type",
    "check_postal_code",
    "make_bill_id",
    "make_national_code",
    "make_payment_id",
    "mod11",
    "normalize_bill_id",
    "normalize_landline",
    "normalize_mobile",
    "normalize_national_code",
    "normalize_phone",
    "parse_payment_id",
]


class Field(StrEnum):
    """Stable names of the validated fields (the console translates them)."""

    MOBILE = "mobile"
    LANDLINE = "landline"
    PHONE = "phone"
    NATIONAL_CODE = "national_code"
    BILL_ID = "bill_id"
    PAYMENT_ID = "payment_id"
    POSTAL_CODE = "postal_code"


class Reason(StrEnum):
    """Stable reason codes (the console translates them); values never change once shipped."""

    EMPTY = "empty"  # nothing but separators
    NOT_DIGITS = "not_digits"  # a letter or symbol that is not a separator
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    BAD_PREFIX = "bad_prefix"  # foreign country code, or a mobile not starting with 9
    BAD_AREA_CODE = "bad_area_code"  # landline area code not in AREA_CODES
    IDENTICAL_DIGITS = "identical_digits"  # national code of ten identical digits
    BAD_CHECKSUM = "bad_checksum"  # own check digit wrong (national code, bill ID, c1)
    BILL_MISMATCH = "bill_mismatch"  # payment ID's c2 does not match this bill ID
    WRONG_LENGTH = "wrong_length"  # postal code warning only


_MESSAGES: dict[Reason, str] = {
    Reason.EMPTY: "is empty",
    Reason.NOT_DIGITS: "contains characters other than digits",
    Reason.TOO_SHORT: "has too few digits",
    Reason.TOO_LONG: "has too many digits",
    Reason.BAD_PREFIX: "has an unexpected prefix",
    Reason.BAD_AREA_CODE: "has an unknown area code",
    Reason.IDENTICAL_DIGITS: "is ten identical digits",
    Reason.BAD_CHECKSUM: "fails its check digit",
    Reason.BILL_MISMATCH: "does not belong to this bill ID",
    Reason.WRONG_LENGTH: "is not 10 digits",
}


class ValidationError(ValueError):
    """An identifier was rejected; ``field`` and ``reason`` are stable codes to translate."""

    def __init__(self, field: Field, reason: Reason, value: str = "") -> None:
        self.field = field
        self.reason = reason
        self.value = value
        super().__init__(f"{field.value.replace('_', ' ')} {_MESSAGES[reason]}: {value!r}")


_AREA_CODES_DOMAIN_MD = (
    "11 13 17 21 23 24 25 26 28 31 34 35 38 41 44 45 51 54 56 58 61 66 71 74 76 77 81 83 84 86 87"
)
#: Landline area codes (two digits after the trunk 0), as listed in DOMAIN.md.
AREA_CODES: frozenset[str] = frozenset(_AREA_CODES_DOMAIN_MD.split())

#: Bill ID service types: the second-to-last digit of a bill ID.
SERVICE_TYPES: dict[int, str] = {
    1: "water",
    2: "electricity",
    3: "gas",
    4: "landline",
    5: "mobile",
    6: "municipality",
}

# What people put between digits: spaces of any kind, ZWNJ, bidi marks pasted along with
# Persian text, dashes, underscores, dots, slashes and brackets.
_SEPARATORS = re.compile(r"[\s\u200c\u200e\u200f\u202a-\u202e\u2066-\u2069\-\u2010-\u2015_./()]+")

_ASCII_DIGITS = re.compile(r"[0-9]*")


def _digits(s: str, field: Field, *, allow_plus: bool = False) -> tuple[str, bool]:
    """Return (ASCII digits, had a leading '+'); reject stray characters instead of dropping."""
    text = _SEPARATORS.sub(" ", to_ascii_digits(normalize(s))).strip()
    plus = allow_plus and text.startswith("+")
    digits = _SEPARATORS.sub("", text[1:] if plus else text)
    if not digits:
        raise ValidationError(field, Reason.EMPTY, s)
    if _ASCII_DIGITS.fullmatch(digits) is None:
        raise ValidationError(field, Reason.NOT_DIGITS, s)
    return digits, plus


def mod11(digits: str) -> int:
    """Check digit of ``digits`` (DOMAIN.md): weights 2..7 cycling from the right, r = sum mod 11,
    0 if r < 2 else 11 - r. Used by bill IDs, payment IDs and tracking codes."""
    if _ASCII_DIGITS.fullmatch(digits) is None:
        raise ValueError(f"mod11 needs ASCII digits, got {digits!r}")
    total = sum(int(d) * (2 + i % 6) for i, d in enumerate(reversed(digits)))
    r = total % 11
    return 0 if r < 2 else 11 - r


def _national_number(s: str, field: Field) -> str:
    """Digits of a phone number without +98 / 0098 / 98 and the trunk 0."""
    d, plus = _digits(s, field, allow_plus=True)
    if plus and not d.startswith("98"):
        raise ValidationError(field, Reason.BAD_PREFIX, s)
    if d.startswith("0098"):
        d = d[4:]
    elif plus or (d.startswith("98") and len(d) == 12):
        d = d[2:]
    if d.startswith("0"):  # trunk prefix, also after "+98 0..." as often written
        d = d[1:]
    return d


def _check_length(d: str, n: int, field: Field, s: str) -> None:
    if len(d) < n:
        raise ValidationError(field, Reason.TOO_SHORT, s)
    if len(d) > n:
        raise ValidationError(field, Reason.TOO_LONG, s)


def normalize_mobile(s: str) -> str:
    """Return a mobile number as ``09XXXXXXXXX``, from any of +98 / 0098 / 98 / 0 / bare forms."""
    d = _national_number(s, Field.MOBILE)
    if not d.startswith("9"):
        raise ValidationError(Field.MOBILE, Reason.BAD_PREFIX, s)
    _check_length(d, 10, Field.MOBILE, s)
    return "0" + d


def normalize_landline(s: str, default_area: str | None = None) -> str:
    """Return a landline as ``0`` + area code (2) + 8 digits.

    An 8-digit local number gets ``default_area`` (the center's own code, e.g. "21") when
    given; otherwise it is ``too_short``, because guessing the city would be silent.
    """
    d = _national_number(s, Field.LANDLINE)
    if len(d) == 8 and default_area is not None:
        d = default_area.removeprefix("0") + d
    _check_length(d, 10, Field.LANDLINE, s)
    if d[:2] not in AREA_CODES:
        raise ValidationError(Field.LANDLINE, Reason.BAD_AREA_CODE, s)
    return "0" + d


def normalize_phone(
    s: str, default_area: str | None = None
) -> tuple[Literal["mobile", "landline"], str]:
    """Return ``("mobile", 09...)`` or ``("landline", 0AA...)``; errors name the kind tried.

    The kind is decided by the first digit after prefixes: 9 is mobile, anything else landline.
    """
    if _national_number(s, Field.PHONE).startswith("9"):
        return "mobile", normalize_mobile(s)
    return "landline", normalize_landline(s, default_area)


def _national_code_ok(code: str) -> bool:
    r = sum(int(code[i]) * (10 - i) for i in range(9)) % 11
    return int(code[9]) == (r if r < 2 else 11 - r)


def normalize_national_code(s: str) -> str:
    """Return a national code (کد ملی) as 10 digits; 8–9 digits are left-padded with zeros."""
    d, _ = _digits(s, Field.NATIONAL_CODE)
    if len(d) < 8:
        raise ValidationError(Field.NATIONAL_CODE, Reason.TOO_SHORT, s)
    if len(d) > 10:
        raise ValidationError(Field.NATIONAL_CODE, Reason.TOO_LONG, s)
    d = d.zfill(10)
    if len(set(d)) == 1:
        raise ValidationError(Field.NATIONAL_CODE, Reason.IDENTICAL_DIGITS, s)
    if not _national_code_ok(d):
        raise ValidationError(Field.NATIONAL_CODE, Reason.BAD_CHECKSUM, s)
    return d


def _stripped(s: str, field: Field) -> str:
    """Digits with leading zeros removed (they do not change mod11), length 6..13."""
    d = _digits(s, field)[0].lstrip("0")
    if len(d) < 6:
        raise ValidationError(field, Reason.TOO_SHORT, s)
    if len(d) > 13:
        raise ValidationError(field, Reason.TOO_LONG, s)
    return d


def normalize_bill_id(s: str) -> str:
    """Return a bill ID (شناسه قبض) without leading zeros: 6–13 digits, last = mod11(rest).

    The service type is not checked here (other companies' bills are still bills); see
    :func:`bill_service_type`.
    """
    d = _stripped(s, Field.BILL_ID)
    if mod11(d[:-1]) != int(d[-1]):
        raise ValidationError(Field.BILL_ID, Reason.BAD_CHECKSUM, s)
    return d


def bill_service_type(bill_id: str) -> int:
    """Service type of a valid bill ID: its second-to-last digit (1 = water; SERVICE_TYPES)."""
    return int(normalize_bill_id(bill_id)[-2])


@dataclass(frozen=True, slots=True)
class PaymentInfo:
    """A payment ID checked against its bill ID.

    ``year_digit`` and ``period`` are the conventional meaning of the three digits between the
    amount and the check digits; they are reported as printed and not validated.
    """

    bill_id: str
    payment_id: str
    amount_rials: int
    year_digit: int
    period: int


def parse_payment_id(bill_id: str, pay_id: str) -> PaymentInfo:
    """Check a payment ID (شناسه پرداخت) against its bill ID and read the amount.

    After stripping leading zeros: c1 = mod11(pay[:-2]) (``bad_checksum``),
    c2 = mod11(bill + pay[:-1]) (``bill_mismatch``), amount = int(pay[:-5]) × 1000 rials.
    """
    bill = normalize_bill_id(bill_id)
    pay = _stripped(pay_id, Field.PAYMENT_ID)
    if mod11(pay[:-2]) != int(pay[-2]):
        raise ValidationError(Field.PAYMENT_ID, Reason.BAD_CHECKSUM, pay_id)
    if mod11(bill + pay[:-1]) != int(pay[-1]):
        raise ValidationError(Field.PAYMENT_ID, Reason.BILL_MISMATCH, pay_id)
    return PaymentInfo(bill, pay, int(pay[:-5]) * 1000, int(pay[-5]), int(pay[-4:-2]))


def check_postal_code(s: str) -> tuple[str, Reason | None]:
    """Return (value, warning code or None). There is no public checksum, so a postal code that
    is not 10 digits is kept as typed (normalised) with a warning, never rejected."""
    text = normalize(s)
    try:
        d, _ = _digits(text, Field.POSTAL_CODE)
    except ValidationError as e:
        return to_ascii_digits(text), e.reason
    return d, None if len(d) == 10 else Reason.WRONG_LENGTH


def make_national_code(rng: random.Random) -> str:
    """A random valid national code (for demo data and tests)."""
    while True:
        body = "".join(rng.choice("0123456789") for _ in range(9))
        r = sum(int(body[i]) * (10 - i) for i in range(9)) % 11
        code = body + str(r if r < 2 else 11 - r)
        if len(set(code)) > 1:
            return code


def make_bill_id(rng: random.Random, service_type: int = 1, length: int = 13) -> str:
    """A random valid bill ID of ``length`` digits (6..13) for ``service_type`` (0..9)."""
    if not 6 <= length <= 13 or not 0 <= service_type <= 9:
        raise ValueError("length must be 6..13 and service_type one digit")
    body = str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(length - 3))
    body += str(service_type)
    return body + str(mod11(body))


def make_payment_id(bill_id: str, amount_rials: int, rng: random.Random) -> str:
    """A valid payment ID for ``bill_id`` and ``amount_rials`` (a positive multiple of 1000)."""
    bill = normalize_bill_id(bill_id)
    if amount_rials <= 0 or amount_rials % 1000 or amount_rials >= 10**11:
        raise ValueError("amount_rials must be a positive multiple of 1000 below 10**11")
    body = f"{amount_rials // 1000}{rng.randint(0, 9)}{rng.randint(1, 12):02d}"
    body += str(mod11(body))
    return body + str(mod11(bill + body))
