"""Iranian identifiers: known vectors and properties (pure, no database)."""

from __future__ import annotations

import random

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from db.text import to_persian_digits
from db.validate import (
    AREA_CODES,
    Field,
    PaymentInfo,
    Reason,
    ValidationError,
    bill_service_type,
    check_postal_code,
    make_bill_id,
    make_national_code,
    make_payment_id,
    mod11,
    normalize_bill_id,
    normalize_landline,
    normalize_mobile,
    normalize_national_code,
    normalize_phone,
    parse_payment_id,
)


def _raises(fn, value, field: str, reason: str) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        fn(value)
    assert (info.value.field, info.value.reason) == (field, reason)
    return info.value


def _mod11_residue(digits: str) -> int:
    return sum(int(d) * (2 + i % 6) for i, d in enumerate(reversed(digits))) % 11


def _national_residue(code: str) -> int:
    return sum(int(code[i]) * (10 - i) for i in range(9)) % 11


def _substitute(s: str, i: int, digit: str) -> str:
    return s[:i] + digit + s[i + 1 :]


# Seeded generators: cheaper for hypothesis than st.randoms(), and shrinkable by seed.
rngs = st.integers(0, 2**32).map(random.Random)


# ---------------------------------------------------------------- error type


def test_validation_error_is_value_error_with_stable_codes():
    err = _raises(normalize_mobile, "0912", "mobile", "too_short")
    assert isinstance(err, ValueError)
    assert "mobile" in str(err) and "0912" in str(err)
    assert {f.value for f in Field} >= {"mobile", "landline", "national_code", "bill_id"}
    assert {r.value for r in Reason} >= {
        "too_short",
        "bad_checksum",
        "bad_area_code",
        "identical_digits",
        "not_digits",
    }


# ---------------------------------------------------------------- mod11


@pytest.mark.parametrize(
    ("digits", "check"),
    [
        ("", 0),
        ("0", 0),
        ("1", 9),
        ("5", 1),
        ("6", 0),
        ("11", 6),
        ("123456", 0),
        ("774831780014", 2),
    ],
)
def test_mod11_known(digits, check):
    assert mod11(digits) == check


def test_mod11_rejects_non_digits():
    with pytest.raises(ValueError):
        mod11("12a")
    with pytest.raises(ValueError):
        mod11("۱۲")


# ---------------------------------------------------------------- phones


@pytest.mark.parametrize(
    "s",
    [
        "+989121234567",
        "00989121234567",
        "989121234567",
        "9121234567",
        "09121234567",
        "۰۹۱۲۱۲۳۴۵۶۷",
        "٠٩١٢١٢٣٤٥٦٧",
        "0912 123 4567",
        "0912-123-4567",
        "+98 (912) 123 4567",
        "+98 0912 123 4567",
        "\u200e+98 912 123 4567\u200f",
    ],
)
def test_mobile_forms(s):
    assert normalize_mobile(s) == "09121234567"
    assert normalize_phone(s) == ("mobile", "09121234567")


@pytest.mark.parametrize(
    ("s", "reason"),
    [
        ("", "empty"),
        (" - ", "empty"),
        ("0912123456", "too_short"),
        ("091212345678", "too_long"),
        ("02188776655", "bad_prefix"),
        ("+44 7911 123456", "bad_prefix"),
        ("0912abc4567", "not_digits"),
    ],
)
def test_mobile_rejected(s, reason):
    _raises(normalize_mobile, s, "mobile", reason)


@pytest.mark.parametrize(
    "s", ["021-88776655", "02188776655", "+982188776655", "0098 21 8877 6655", "(۰۲۱) ۸۸۷۷۶۶۵۵"]
)
def test_landline_forms(s):
    assert normalize_landline(s) == "02188776655"
    assert normalize_phone(s) == ("landline", "02188776655")


def test_landline_rejected():
    _raises(normalize_landline, "022-88776655", "landline", "bad_area_code")
    _raises(normalize_landline, "88776655", "landline", "too_short")
    _raises(normalize_landline, "021-8877665", "landline", "too_short")
    _raises(normalize_landline, "021-887766551", "landline", "too_long")


def test_landline_default_area():
    assert normalize_landline("8877 6655", default_area="021") == "02188776655"
    assert normalize_phone("88776655", default_area="31") == ("landline", "03188776655")


def test_area_codes_from_domain():
    assert len(AREA_CODES) == 31
    assert {"21", "31", "51", "87"} <= AREA_CODES


def test_phone_errors_name_the_kind():
    _raises(normalize_phone, "0912123", "mobile", "too_short")
    _raises(normalize_phone, "0912-12345678", "mobile", "too_long")
    _raises(normalize_phone, "022-88776655", "landline", "bad_area_code")
    _raises(normalize_phone, "+1 555 0100", "phone", "bad_prefix")


@given(
    st.text("0123456789", min_size=9, max_size=9),
    st.sampled_from(["+98", "0098", "98", "0", "", "+98 0"]),
    st.booleans(),
    st.sampled_from(["", " ", "-"]),
)
def test_mobile_any_form(rest, prefix, persian, sep):
    s = prefix + sep + "9" + rest[:2] + sep + rest[2:]
    if persian:
        s = to_persian_digits(s)
    assert normalize_mobile(s) == "09" + rest


# ---------------------------------------------------------------- national code


@pytest.mark.parametrize("s", ["0499370899", "۰۴۹۹۳۷۰۸۹۹", "049-937089-9", "499370899"])
def test_national_code_valid(s):
    assert normalize_national_code(s) == "0499370899"


def test_national_code_rejected():
    _raises(normalize_national_code, "0499370898", "national_code", "bad_checksum")
    _raises(normalize_national_code, "1111111111", "national_code", "identical_digits")
    _raises(normalize_national_code, "0000000000", "national_code", "identical_digits")
    _raises(normalize_national_code, "00000000", "national_code", "identical_digits")
    _raises(normalize_national_code, "1234567", "national_code", "too_short")
    _raises(normalize_national_code, "04993708990", "national_code", "too_long")
    _raises(normalize_national_code, "04993708x9", "national_code", "not_digits")


@given(rngs)
def test_generated_national_codes_validate(rng):
    code = make_national_code(rng)
    assert normalize_national_code(code) == code
    assert normalize_national_code(to_persian_digits(code)) == code


@given(rngs, st.integers(0, 9), st.integers(1, 9))
def test_national_code_substitution(rng, i, delta):
    """The weights 10..2 are units mod 11, so one changed digit always moves the remainder;
    it is caught unless the remainder moves between 1 and 10 (both give check digit 1)."""
    code = make_national_code(rng)
    bad = _substitute(code, i, str((int(code[i]) + delta) % 10))
    if i == 9:
        _raises(normalize_national_code, bad, "national_code", "bad_checksum")
        return
    assert _national_residue(bad) != _national_residue(code)
    collides = {_national_residue(code), _national_residue(bad)} == {1, 10}
    if collides and len(set(bad)) > 1:
        assert normalize_national_code(bad) == bad
    else:
        with pytest.raises(ValidationError):
            normalize_national_code(bad)


def test_national_code_blind_spot_exists():
    """A concrete substitution the checksum cannot see: remainder 1 -> 10, check digit 1."""
    assert (_national_residue("3040119801"), _national_residue("3140119801")) == (1, 10)
    assert normalize_national_code("3040119801") == "3040119801"
    assert normalize_national_code("3140119801") == "3140119801"


# ---------------------------------------------------------------- bill and payment IDs

# Public test vectors used by several Iranian bill libraries.
BILL_VECTORS = [
    ("7748317800142", "1770160", 4, 17_000),
    ("2050327604613", "1070189", 1, 10_000),
    ("1117753200140", "12070160", 4, 120_000),
]


@pytest.mark.parametrize(("bill", "pay", "service", "amount"), BILL_VECTORS)
def test_bill_vectors(bill, pay, service, amount):
    assert normalize_bill_id(bill) == bill
    assert bill_service_type(bill) == service
    info = parse_payment_id(bill, pay)
    assert info == PaymentInfo(bill, pay, amount, int(pay[-5]), int(pay[-4:-2]))
    # leading zeros and any digit script are accepted
    assert parse_payment_id("000" + to_persian_digits(bill), "00" + pay) == info


def test_bill_rejected():
    _raises(normalize_bill_id, "7748317800143", "bill_id", "bad_checksum")
    _raises(normalize_bill_id, "12345", "bill_id", "too_short")
    _raises(normalize_bill_id, "00000012345", "bill_id", "too_short")
    _raises(normalize_bill_id, "12345678901234", "bill_id", "too_long")


def test_payment_rejected():
    bill = "7748317800142"
    with pytest.raises(ValidationError) as info:
        parse_payment_id(bill, "1770161")
    assert (info.value.field, info.value.reason) == ("payment_id", "bill_mismatch")
    with pytest.raises(ValidationError) as info:
        parse_payment_id(bill, "1770150")
    assert (info.value.field, info.value.reason) == ("payment_id", "bad_checksum")
    with pytest.raises(ValidationError) as info:
        parse_payment_id("2050327604613", "1770160")  # a valid payment ID of another bill
    assert info.value.reason == "bill_mismatch"
    with pytest.raises(ValidationError) as info:
        parse_payment_id("7748317800143", "1770160")
    assert info.value.field == "bill_id"


bill_ids = st.builds(
    make_bill_id,
    rngs,
    st.integers(1, 6),
    st.integers(6, 13),
)


@given(rngs, st.integers(0, 9), st.integers(6, 13))
def test_generated_bill_ids_validate(rng, service, length):
    bill = make_bill_id(rng, service, length)
    assert len(bill) == length
    assert normalize_bill_id(bill) == bill
    assert bill_service_type(bill) == service


@given(bill_ids, st.data())
def test_bill_id_substitution(bill, data):
    """mod11 weights 2..7 are units mod 11, so one changed digit always moves the remainder;
    it is caught unless the remainder moves between 0 and 1 (both give check digit 0)."""
    i = data.draw(st.integers(0, len(bill) - 1))
    bad = _substitute(bill, i, str((int(bill[i]) + data.draw(st.integers(1, 9))) % 10))
    if i == len(bill) - 1:
        _raises(normalize_bill_id, bad, "bill_id", "bad_checksum")
        return
    assert _mod11_residue(bad[:-1]) != _mod11_residue(bill[:-1])
    collides = {_mod11_residue(bad[:-1]), _mod11_residue(bill[:-1])} == {0, 1}
    if collides and len(bad.lstrip("0")) >= 6:
        assert normalize_bill_id(bad) == bad.lstrip("0")
    else:
        with pytest.raises(ValidationError):
            normalize_bill_id(bad)


def test_bill_id_blind_spot_exists():
    """A concrete substitution mod11 cannot see: remainders 0 and 1 both give check digit 0."""
    assert {_mod11_residue("4649421"), _mod11_residue("4349421")} == {0, 1}
    assert normalize_bill_id("46494210") == "46494210"
    assert normalize_bill_id("43494210") == "43494210"


amounts = st.integers(1, 99_999_999).map(lambda k: k * 1000)


@given(bill_ids, amounts, rngs)
def test_generated_payment_ids_validate(bill, amount, rng):
    pay = make_payment_id(bill, amount, rng)
    assert 6 <= len(pay) <= 13
    info = parse_payment_id(bill, pay)
    assert (info.bill_id, info.payment_id, info.amount_rials) == (bill, pay, amount)


@given(bill_ids, amounts, rngs, st.data())
def test_payment_id_substitution(bill, amount, rng, data):
    """A changed check digit is always caught; a changed body digit only slips through when
    both c1 and c2 hit their 0/1 remainder collision."""
    pay = make_payment_id(bill, amount, rng)
    i = data.draw(st.integers(0, len(pay) - 1))
    bad = _substitute(pay, i, str((int(pay[i]) + data.draw(st.integers(1, 9))) % 10))
    assume(bad[0] != "0")  # a leading zero is stripped: a different, shorter ID
    try:
        parse_payment_id(bill, bad)
    except ValidationError as e:
        assert e.field == "payment_id"
        return
    assert i < len(pay) - 2
    assert {_mod11_residue(pay[:-2]), _mod11_residue(bad[:-2])} == {0, 1}
    assert {_mod11_residue(bill + pay[:-1]), _mod11_residue(bill + bad[:-1])} == {0, 1}


def test_make_payment_id_rejects_bad_amounts():
    rng = random.Random(0)
    for amount in (0, 1500, -1000, 10**11):
        with pytest.raises(ValueError):
            make_payment_id("7748317800142", amount, rng)


def test_make_bill_id_rejects_bad_length():
    with pytest.raises(ValueError):
        make_bill_id(random.Random(0), 1, 5)


# ---------------------------------------------------------------- postal code


def test_postal_code():
    assert check_postal_code("1234567890") == ("1234567890", None)
    assert check_postal_code("۱۲۳۴۵-۶۷۸۹۰") == ("1234567890", None)
    assert check_postal_code("12345") == ("12345", "wrong_length")
    assert check_postal_code("12a45") == ("12a45", "not_digits")
    assert check_postal_code("  ") == ("", "empty")
