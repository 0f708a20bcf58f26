"""Persian normalisation: known cases and properties (pure, no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from db.text import digits_only, normalize, search_key, to_ascii_digits, to_persian_digits

# Text that exercises the interesting code points: Persian and Arabic letters and their variants,
# harakat, tatweel, ZWNJ/ZWJ, bidi marks, presentation forms, all digit scripts, whitespace
# and some Latin with case and combining marks.
_ALPHABET = st.sampled_from(
    list("ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیآأإؤئۀةيىكءٱ")
    + list("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩0123456789")
    + list("\u064b\u064e\u064f\u0650\u0651\u0652\u0653\u0654\u0655\u0670\u0640")
    + list("\u200c\u200d\u200e\u200f\u00a0 \t\n\r\u2009\u202b\u202c")
    + list("ﭘﺎﯾﯿﺰﻻﻱﻙ")
    + list("aAzZßİé\u0301\u0307-/.")
)
persian_text = st.text(_ALPHABET, max_size=30)


def test_digit_scripts():
    assert to_ascii_digits("۰۱۲۳۴۵۶۷۸۹") == "0123456789"
    assert to_ascii_digits("٠١٢٣٤٥٦٧٨٩") == "0123456789"
    assert to_persian_digits("1405/09/06") == "۱۴۰۵/۰۹/۰۶"
    assert to_ascii_digits("کد ۱۲a٣") == "کد 12a3"


def test_normalize_letters_and_spaces():
    assert normalize("  كتاب   علي  ") == "کتاب علی"
    assert normalize("مصطفى") == "مصطفی"
    # digits, ZWNJ, harakat and teh marbuta are kept as typed
    assert normalize("می‌روم ۱۲ ٣ 4") == "می\u200cروم ۱۲ ٣ 4"
    assert normalize("مُحَمَّد") == "مُحَمَّد"
    assert normalize("فاطمة") == "فاطمة"
    # lines are kept, spaces around them are not
    assert normalize("خط  اول \r\n  خط دوم") == "خط اول\nخط دوم"


def test_normalize_nfc():
    assert normalize("\u0627\u0653") == "آ"  # alef + madda composes


def test_search_key_folds():
    assert search_key("پائیز") == search_key("پاییز") == search_key("ﭘﺎﯾﯿﺰ") == "پاییز"
    assert search_key("می‌روم") == search_key("می روم") == "می روم"
    assert search_key("مُحَمَّد") == "محمد"
    assert search_key("ســـلام") == "سلام"
    assert search_key("أحمد إسلام") == "احمد اسلام"
    assert search_key("خانۀ") == search_key("خانه") == search_key("خانة")
    assert search_key("مؤسسه") == "موسسه"
    assert search_key("کد\u00a0۱۲۳") == "کد 123"
    assert search_key("\u200fABC\u200e") == "abc"


def test_search_key_keeps_alef_madda():
    assert search_key("آب") != search_key("اب")


def test_digits_only():
    assert digits_only("۰۹۱۲-۱۲۳ ٤٥٦7") == "09121234567"
    assert digits_only("no digits") == ""


@given(persian_text)
def test_normalize_idempotent(s):
    assert normalize(normalize(s)) == normalize(s)


@given(persian_text)
def test_search_key_ignores_normalize(s):
    assert search_key(normalize(s)) == search_key(s)


@given(persian_text)
def test_search_key_idempotent(s):
    assert search_key(search_key(s)) == search_key(s)


@given(persian_text)
def test_search_key_has_no_marks_or_odd_spaces(s):
    key = search_key(s)
    assert not any(c in key for c in "\u200c\u200d\u00a0\u0640\u064e\u0651\t\n")
    assert "  " not in key
    assert key == key.strip()


@given(st.text(st.sampled_from("0123456789abc /-"), max_size=20))
def test_digit_scripts_round_trip(s):
    assert to_ascii_digits(to_persian_digits(s)) == s
    assert to_persian_digits(to_ascii_digits(to_persian_digits(s))) == to_persian_digits(s)


@given(persian_text)
def test_digits_only_is_ascii_digits(s):
    d = digits_only(s)
    assert d == "".join(c for c in to_ascii_digits(s) if c in "0123456789")


@pytest.mark.parametrize("s", ["", "   ", "\n\t "])
def test_blank(s):
    assert normalize(s) == ""
    assert search_key(s) == ""
