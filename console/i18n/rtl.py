"""The one place where Persian text is made displayable on a terminal.

Text is stored and edited in logical order (the order it is typed). Textual and Rich lay text out
left to right and most terminals do not reorder it, so in ``app`` mode (the default) the console
does the work itself, line by line, just before drawing:

1. shape: letters take their joined forms (arabic-reshaper; harakat are dropped, terminals draw
   them badly);
2. reorder: the Unicode bidirectional algorithm turns logical into visual order
   (``bidi.algorithm.get_display``, which mirrors brackets; the top-level ``bidi.get_display``
   does not, so ``(سلام)`` would show as ``)سلام(``);
3. strip zero-width joiners and bidi marks: shaping has already used them, and Rich's
   ``cell_len`` miscounts them, which breaks alignment.

In ``terminal`` mode the text is sent untouched, for terminals that insist on reordering it.

Wrap before transforming (:func:`display_lines`): reordering a whole paragraph and then wrapping it
would put the end of the sentence on the first line.

How a widget shows text that may be Persian::

    Static(rtl_text(customer_note))                       # a Rich Text, justified by direction
    Label(display(_("Sign in")), markup=False)            # a single line
    "\\n".join(display_lines(description, width=40))      # a paragraph in a known width

Only displayed copies go through :func:`display`; values kept in widgets' state, sent to the
database or compared stay logical.
"""

import re
from functools import lru_cache
from typing import Final, Literal
from unicodedata import bidirectional

import arabic_reshaper
from bidi.algorithm import get_display
from rich.cells import cell_len
from rich.text import Text

__all__ = [
    "ENTER_SEQ",
    "EXIT_SEQ",
    "BidiMode",
    "align_for",
    "bidi_mode",
    "display",
    "display_lines",
    "has_rtl",
    "rtl_text",
    "set_bidi_mode",
]

BidiMode = Literal["app", "terminal"]

ENTER_SEQ: Final = "\x1b[8l"
"""Written by the app at start in ``app`` mode: ``CSI 8 l`` tells VTE terminals not to reorder
(the text arrives already in visual order)."""

EXIT_SEQ: Final = "\x1b[8h"
"""Written by the app at exit in ``app`` mode: ``CSI 8 h`` gives the terminal back its own
reordering."""

# Right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko and their presentation forms) and
# the marks that start right-to-left runs. Arabic-Indic and Persian digits are left out: alone
# they read left to right. Anything else needs no shaping or reordering.
_RTL_RE: Final = re.compile(
    "[\u0590-\u065f\u066a-\u06ef\u06fa-\u08ff\ufb1d-\ufdff\ufe70-\ufefc"
    "\u200f\u202b\u202e\u2067\U00010800-\U00010fff\U0001e800-\U0001efff]"
)
# Zero-width joiners and bidi controls, plus the Arabic letter mark, word joiner and BOM.
_INVISIBLE_RE: Final = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")

_reshaper: Final = arabic_reshaper.ArabicReshaper(
    # A single "Allah" glyph is too wide for one terminal cell; letter ligatures (lam-alef) fit.
    configuration={"delete_harakat": True, "ARABIC LIGATURE ALLAH": False}
)

_mode: BidiMode = "app"


def set_bidi_mode(mode: str) -> None:
    """Choose who reorders right-to-left text: ``"app"`` (this module) or ``"terminal"``."""
    global _mode
    if mode not in ("app", "terminal"):
        raise ValueError(f"unknown bidi mode {mode!r}; expected 'app' or 'terminal'")
    _mode = mode  # type: ignore[assignment]  # checked above


def bidi_mode() -> BidiMode:
    """Return the current bidi mode."""
    return _mode


def has_rtl(text: str) -> bool:
    """Return whether ``text`` contains right-to-left letters or right-to-left marks."""
    return _RTL_RE.search(text) is not None


def align_for(text: str) -> Literal["left", "right"]:
    """Return the alignment that reads naturally for ``text``: right when it has RTL letters."""
    return "right" if has_rtl(text) else "left"


# python-bidi's algorithm predates isolates (Unicode 6.3) and rejects them: use the embeddings
# that approximate them (FSI as LRI).
_ISOLATES_AS_EMBEDDINGS: Final = str.maketrans(
    {"\u2066": "\u202a", "\u2067": "\u202b", "\u2068": "\u202a", "\u2069": "\u202c"}
)


def _reorder(text: str, base_dir: Literal["L", "R"] | None) -> str:
    """Run the bidi algorithm, standing in for code points it has no class for.

    Characters newer than Python's Unicode database (a recent emoji) have no bidi class, which
    python-bidi rejects. Each goes through as a private-use character (class L) that no other
    character in the line uses, and is put back afterwards.
    """
    unknown = {char for char in text if not bidirectional(char)}
    if not unknown:
        return get_display(text, base_dir=base_dir)
    spare = (chr(code) for code in range(0x100000, 0x10FFFE) if chr(code) not in text)
    stand_ins = {char: next(spare) for char in unknown}
    visual = get_display(text.translate(str.maketrans(stand_ins)), base_dir=base_dir)
    return visual.translate(str.maketrans({v: k for k, v in stand_ins.items()}))


def _shape(line: str) -> str:
    """Joined letter forms. arabic-reshaper trips over some joiner sequences (a ZWJ before a
    lam-alef); those lines are shaped without their zero-width characters, which display drops
    anyway, and a line it still cannot shape is shown unshaped rather than crash a screen."""
    try:
        return _reshaper.reshape(line)
    except (IndexError, KeyError, ValueError):
        try:
            return _reshaper.reshape(_INVISIBLE_RE.sub("", line))
        except (IndexError, KeyError, ValueError):
            return line


@lru_cache(maxsize=4096)
def _visual_line(line: str, base_dir: Literal["L", "R"] | None) -> str:
    shaped = _shape(line.translate(_ISOLATES_AS_EMBEDDINGS))
    return _INVISIBLE_RE.sub("", _reorder(shaped, base_dir))


def display(text: str, *, base_rtl: bool | None = None) -> str:
    """Return ``text`` as the terminal should draw it, line by line.

    ``base_rtl`` sets the paragraph direction; ``None`` takes it from the first strong letter of
    each line. Lines without right-to-left letters come back unchanged (less any bidi marks or
    isolates, which only a reordering terminal needs), as does everything in ``terminal`` mode.
    The text must already be wrapped: see :func:`display_lines`.
    """
    if _mode == "terminal":
        return text
    if not has_rtl(text):
        return _INVISIBLE_RE.sub("", text) if _INVISIBLE_RE.search(text) else text
    base_dir = None if base_rtl is None else ("R" if base_rtl else "L")
    return "\n".join(
        _visual_line(line, base_dir) if has_rtl(line) else _INVISIBLE_RE.sub("", line)
        for line in text.split("\n")
    )


def _width(word: str) -> int:
    # Logical width after the invisible marks are stripped; lam-alef ligatures only make it smaller.
    return cell_len(_INVISIBLE_RE.sub("", word))


def _pieces(word: str, width: int) -> list[str]:
    """Cut a word longer than the line where it overflows; shorter words stay whole."""
    if _width(word) <= width:
        return [word]
    pieces = [""]
    for char in word:
        if pieces[-1] and _width(pieces[-1] + char) > width:
            pieces.append("")
        pieces[-1] += char
    return pieces


def _wrap(paragraph: str, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in filter(None, paragraph.split(" ")):
        for piece in _pieces(word, width):
            if current and _width(current) + 1 + _width(piece) <= width:
                current = f"{current} {piece}"
            else:
                if current:
                    lines.append(current)
                current = piece
    if current or not lines:
        lines.append(current)
    return lines


def display_lines(text: str, width: int, *, base_rtl: bool | None = None) -> list[str]:
    """Word-wrap logical ``text`` to ``width`` cells, then make each line displayable.

    Each ``\\n`` starts a new paragraph; runs of spaces collapse. The first returned line holds the
    first words of the text, whatever its direction.
    """
    if width < 1:
        raise ValueError("width must be at least one cell")
    lines = [line for paragraph in text.split("\n") for line in _wrap(paragraph, width)]
    return [display(line, base_rtl=base_rtl) for line in lines]


def rtl_text(text: str, *, base_rtl: bool | None = None) -> Text:
    """Return a Rich ``Text`` of ``text`` in display order, justified right when it is RTL.

    For widgets that take a renderable (``Static``, table cells). The text is not parsed as
    markup, so customer text containing ``[`` is safe.
    """
    return Text(display(text, base_rtl=base_rtl), justify=align_for(text))
