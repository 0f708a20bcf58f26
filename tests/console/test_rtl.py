"""Persian on a terminal: shaped, reordered, measured right, and wrapped in reading order."""

import unicodedata
from collections import Counter
from collections.abc import Iterator

import arabic_reshaper
import pytest
from bidi.mirror import MIRRORED
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from console.i18n import rtl
from console.i18n.rtl import (
    align_for,
    bidi_mode,
    display,
    display_lines,
    has_rtl,
    rtl_text,
    set_bidi_mode,
)

ZWNJ, ZWJ = "\u200c", "\u200d"
INVISIBLE = set("\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e") | set(
    "\u2060\u2066\u2067\u2068\u2069\ufeff"
)
PERSIAN_LETTERS = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیآأؤئءةيك"
PERSIAN_TEXT = st.text(
    alphabet=PERSIAN_LETTERS + "۰۱۲۳۴۵۶۷۸۹0123456789 ()[]«»،.؟!:/-" + ZWNJ + ZWJ + "\u064e\u0650",
    max_size=60,
).filter(has_rtl)


@pytest.fixture(autouse=True)
def app_mode() -> Iterator[None]:
    """Tests start in app mode and leave the module as they found it."""
    before = bidi_mode()
    set_bidi_mode("app")
    yield
    set_bidi_mode(before)


def visual_word(word: str) -> str:
    """One Persian word as drawn: shaped, then right to left."""
    return arabic_reshaper.reshape(word)[::-1]


def test_request_sentence_reads_right_to_left_with_numbers_and_latin_intact() -> None:
    """«درخواست 1405 در ABFA ثبت شد» is drawn from its last word, numbers and Latin unreversed."""
    shown = display("درخواست 1405 در ABFA ثبت شد")
    assert shown[0] == "\ufeaa"  # DAL FINAL FORM: the last letter of «شد», joined to SHEEN
    words = ["شد", "ثبت", "ABFA", "در", "1405", "درخواست"]  # right to left, as read
    assert shown == " ".join(word if word.isascii() else visual_word(word) for word in words)


def test_persian_digits_keep_their_order() -> None:
    """The year ۱۴۰۵ is read left to right even inside right-to-left text."""
    assert display("سال ۱۴۰۵") == "۱۴۰۵ " + visual_word("سال")
    assert display("تاریخ ۱۴۰۵/۰۱/۲۰") == "۱۴۰۵/۰۱/۲۰ " + visual_word("تاریخ")
    assert display("کد 1405/12") == "1405/12 " + visual_word("کد")


def test_brackets_are_mirrored() -> None:
    """Logical «(سلام)» opens on the right, so the terminal draws «(» first and «)» last."""
    # SEEN INITIAL, LAM-ALEF FINAL, MEEM ISOLATED reversed; brackets swapped by mirroring.
    assert display("(سلام)") == "(\ufee1\ufefc\ufeb3)"
    assert display("کد (ABC) ثبت") == f"{visual_word('ثبت')} (ABC) {visual_word('کد')}"


def test_half_space_shapes_the_word_then_disappears() -> None:
    """ZWNJ in «می‌خواهم» ends «می» with a final YEH, and is gone from the output."""
    shown = display(f"می{ZWNJ}خواهم")
    assert ZWNJ not in shown
    assert "\ufbfd" in shown  # FARSI YEH FINAL: the word broke at the half-space
    assert "\ufbff" not in shown  # FARSI YEH MEDIAL: it would have joined without one
    assert ZWJ not in display(f"ه{ZWJ} و {f'گزارش{ZWNJ}ها'}")


def test_bidi_marks_are_removed() -> None:
    """Direction marks and isolates steer the reordering and then vanish."""
    shown = display("\u2067سلام\u2069 \u200fABC\u200e \u202bدنیا\u202c")
    assert not INVISIBLE & set(shown)


def test_terminal_mode_sends_logical_text() -> None:
    """For a terminal that reorders itself, the console sends the text as typed."""
    set_bidi_mode("terminal")
    text = f"گزارش{ZWNJ}ها (۱۴۰۵)"
    assert display(text) is text
    assert display_lines(text, 80) == [text]


def test_unknown_bidi_mode_is_refused() -> None:
    """Only app and terminal exist."""
    with pytest.raises(ValueError, match="unknown bidi mode"):
        set_bidi_mode("auto")


def test_ascii_is_returned_unchanged() -> None:
    """Left-to-right text takes the fast path, untouched."""
    for text in ["Sign in", "ABFA desk 122/1523 (beta)", "", "a\nb"]:
        assert display(text) is text
        assert display(text, base_rtl=True) is text


def test_each_line_is_reordered_on_its_own() -> None:
    """Lines keep their order; only the letters within a line are reordered."""
    assert display("سلام\nabc\nدنیا") == "\n".join(
        [visual_word("سلام"), "abc", visual_word("دنیا")]
    )


def test_base_direction_can_be_forced() -> None:
    """A Persian screen shows a line starting with Latin as right-to-left when asked to."""
    text = "ABFA میز"
    assert display(text) == "ABFA " + visual_word("میز")
    assert display(text, base_rtl=True) == visual_word("میز") + " ABFA"


def test_wrapping_happens_in_reading_order() -> None:
    """The first drawn line holds the first words; each line is then reordered by itself."""
    text = "این بخش از میز هنوز ساخته نشده است"
    lines = display_lines(text, 20)
    assert lines == [display("این بخش از میز هنوز"), display("ساخته نشده است")]
    assert lines[0][-1] == "\ufe8d"  # ALEF ISOLATED, first letter of «این», at the right edge
    assert all(cell_len(line) <= 20 for line in lines)


def test_wrapping_cuts_words_longer_than_the_line() -> None:
    """A word wider than the line is cut, so nothing overflows the widget."""
    assert display_lines("abc " + "x" * 25, 10) == ["abc", "x" * 10, "x" * 10, "x" * 5]
    assert display_lines("", 10) == [""]
    assert display_lines("a\n\nb", 10) == ["a", "", "b"]
    with pytest.raises(ValueError):
        display_lines("abc", 0)


def test_direction_helpers() -> None:
    """Persian text is right-aligned, English left-aligned."""
    assert has_rtl("ABFA میز")
    assert not has_rtl("ABFA desk ۱۲۲")  # Persian digits alone carry no direction
    assert align_for("مرکز") == "right"
    assert align_for("Center") == "left"
    text = rtl_text("مرکز")
    assert text.plain == display("مرکز")
    assert text.justify == "right"
    assert rtl_text("Center").justify == "left"


def test_escape_sequences_switch_terminal_reordering() -> None:
    """CSI 8 l turns VTE's own reordering off at start; CSI 8 h turns it back on at exit."""
    assert rtl.ENTER_SEQ == "\x1b[8l"
    assert rtl.EXIT_SEQ == "\x1b[8h"


@given(PERSIAN_TEXT)
def test_persian_output_is_measured_one_cell_per_character(text: str) -> None:
    """Rich counts exactly one cell per character drawn: no zero-width leftovers."""
    shown = display(text, base_rtl=True)
    assert not INVISIBLE & set(shown)
    assert cell_len(shown) == len(shown)


@given(PERSIAN_TEXT, st.integers(min_value=1, max_value=30))
def test_wrapped_persian_never_overflows(text: str, width: int) -> None:
    """Every wrapped line fits the width it was wrapped to."""
    assert all(cell_len(line) <= width for line in display_lines(text, width))


def kept(text: str) -> Counter[str]:
    """Characters display() must carry through: not controls, not Arabic script.

    Brackets count as their pair, since mirroring may swap one for the other.
    """

    def arabic_script(char: str) -> bool:
        return "ARABIC" in unicodedata.name(char, "")

    return Counter(
        min(char, MIRRORED.get(char, char))
        for char in text
        if not unicodedata.category(char).startswith("C") and not arabic_script(char)
    )


@given(st.text())
def test_display_never_raises_and_keeps_other_characters(text: str) -> None:
    """Arbitrary text goes through; Latin letters, digits and punctuation all survive."""
    for base_rtl in (None, True, False):
        shown = display(text, base_rtl=base_rtl)
        assert kept(shown) == kept(text)
        assert shown.count("\n") == text.count("\n")


def test_a_joiner_before_lam_alef_does_not_crash_the_screen():
    """arabic-reshaper raises on this sequence; display falls back instead of crashing."""
    assert rtl.display("\u200dلآ") == rtl.display("لآ")
