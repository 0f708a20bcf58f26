"""Persian text normalisation: one form for storage, a looser one for matching.

Callers, agents and pasted documents mix Arabic and Persian code points that look the same
(Arabic ي/ك against Persian ی/ک), three digit scripts, zero-width non-joiners and stray marks.
Two levels keep the data honest without losing what was typed:

- :func:`normalize` is for storage. It only removes differences no reader can see: the Arabic
  yeh/kaf variants become Persian, Unicode is NFC, outer whitespace is stripped and runs of
  spaces collapse. Digits, ZWNJ, harakat and logical order are kept as typed.
- :func:`search_key` is for matching. It is lossy on purpose, so that "پاییز", "پائیز",
  "ﭘﺎﯾﯿﺰ" and "پایيز" all meet; never store it in place of the text.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "digits_only",
    "normalize",
    "search_key",
    "to_ascii_digits",
    "to_persian_digits",
]

_PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"  # U+06F0..U+06F9
_ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"  # U+0660..U+0669
_ASCII_DIGITS = "0123456789"

_TO_ASCII = str.maketrans(_PERSIAN_DIGITS + _ARABIC_DIGITS, _ASCII_DIGITS * 2)
_TO_PERSIAN = str.maketrans(_ASCII_DIGITS, _PERSIAN_DIGITS)

# Storage: letters that are visually identical in Persian text but encoded differently.
# ة (teh marbuta) is kept: it is a distinct letter in Arabic loanwords and names.
_STORAGE_LETTERS = str.maketrans(
    {
        "\u064a": "\u06cc",  # ي Arabic yeh -> ی Persian yeh
        "\u0649": "\u06cc",  # ى alef maksura -> ی
        "\u0643": "\u06a9",  # ك Arabic kaf -> ک keheh
    }
)

# Search only: spellings that people use interchangeably. آ (alef madda) stays distinct from ا
# because it changes the word (آب "water" vs اب), and a caller searching آب means آب.
_SEARCH_LETTERS = str.maketrans(
    {
        "\u0623": "\u0627",  # أ -> ا
        "\u0625": "\u0627",  # إ -> ا
        "\u0671": "\u0627",  # ٱ alef wasla -> ا
        "\u0624": "\u0648",  # ؤ -> و
        "\u0626": "\u06cc",  # ئ -> ی   (پائیز / پاییز)
        "\u06c0": "\u0647",  # ۀ heh with yeh -> ه
        "\u0629": "\u0647",  # ة teh marbuta -> ه
        "\u06c1": "\u0647",  # ہ heh goal -> ه
        "\u06d5": "\u0647",  # ە ae -> ه
    }
)

# Harakat and Quranic marks (U+064B..U+065F, superscript alef U+0670), tatweel (U+0640),
# and invisible format characters: ZWJ, bidi marks and embeddings, BOM, soft hyphen.
_SEARCH_DROP = re.compile(
    "[\u064b-\u065f\u0670\u0640\u00ad\u200b\u200d-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
# ZWNJ (U+200C) separates parts of one word ("می‌روم"); people type it as a space, or not at
# all, so search treats it as a space. Every other Unicode space and line break does too.
_SEARCH_SPACE = re.compile(r"[\s\u200c]+")
_STORAGE_SPACE = re.compile(r"[ \t\f\v]+")
_SPACE_AROUND_NEWLINE = re.compile(r" ?\n ?")
_NON_DIGIT = re.compile(r"[^0-9]+")


def to_ascii_digits(s: str) -> str:
    """Return ``s`` with Persian (۰–۹) and Arabic-Indic (٠–٩) digits replaced by ASCII."""
    return s.translate(_TO_ASCII)


def to_persian_digits(s: str) -> str:
    """Return ``s`` with ASCII digits replaced by Persian ones, for display in Persian."""
    return s.translate(_TO_PERSIAN)


def normalize(s: str) -> str:
    """Return ``s`` in the form to store: same text, one encoding.

    NFC, Arabic ي ى → ی and ك → ک, line breaks as ``\\n``, outer whitespace stripped, runs of
    spaces and tabs collapsed to one space and no spaces around line breaks (so multi-line
    notes keep their lines). Digits, ZWNJ, NBSP, harakat and ة are kept as typed. Idempotent.
    """
    s = unicodedata.normalize("NFC", s).translate(_STORAGE_LETTERS)
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    s = _STORAGE_SPACE.sub(" ", s)
    s = _SPACE_AROUND_NEWLINE.sub("\n", s)
    return unicodedata.normalize("NFC", s).strip()


def search_key(s: str) -> str:
    """Return the key to compare or index ``s`` by; lossy, never shown or stored as text.

    On top of :func:`normalize`: NFKC (so presentation forms pasted from PDFs and full-width
    characters fold to the plain letters), case folding, ASCII digits, the search letter folds
    above (أ إ ٱ → ا, ؤ → و, ئ → ی, ۀ ة → ه; آ is kept), harakat, tatweel and invisible
    format characters dropped, and ZWNJ, NBSP and all other whitespace folded to one space.
    ``search_key(normalize(x)) == search_key(x)`` and ``search_key`` is idempotent.
    """
    s = unicodedata.normalize("NFKC", s).casefold()
    s = unicodedata.normalize("NFKC", s)
    s = s.translate(_STORAGE_LETTERS).translate(_SEARCH_LETTERS)
    s = to_ascii_digits(_SEARCH_DROP.sub("", s))
    s = _SEARCH_SPACE.sub(" ", s)
    return unicodedata.normalize("NFC", s).strip()


def digits_only(s: str) -> str:
    """Return the ASCII digits of ``s`` in order, everything else dropped.

    For identifiers keyed with spaces, dashes or any digit script; note that it drops
    letters silently, so validators check for stray characters themselves.
    """
    return _NON_DIGIT.sub("", to_ascii_digits(unicodedata.normalize("NFKC", s)))
