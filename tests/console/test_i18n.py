"""Translation catalogs: the console speaks Persian, and no screen ships an untranslated string."""

import ast
import gettext
import io
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from console import i18n
from console.i18n import (
    _,
    current_language,
    default_language,
    is_rtl,
    lang_digits,
    ngettext,
    set_language,
)

CONSOLE_DIR = Path(i18n.__file__).resolve().parents[1]
ZWNJ = "\u200c"


@pytest.fixture(autouse=True)
def restore_language() -> Iterator[None]:
    """Each test may switch language; put back whatever was current before it."""
    before = current_language()
    yield
    set_language(before)


def po_catalog(lang: str) -> Catalog:
    with (i18n.LOCALE_DIR / lang / "LC_MESSAGES" / f"{i18n.DOMAIN}.po").open("rb") as po:
        return read_po(po)


def _frozen(value: object) -> object:
    # A plural message read back from a .mo has list id and strings; from a .po, tuples.
    return tuple(value) if isinstance(value, list | tuple) else value


def translated(catalog: Catalog) -> dict[object, object]:
    """Messages gettext would serve: header and fuzzy entries excluded, as compilation does."""
    return {_frozen(m.id): _frozen(m.string) for m in catalog if m.id and m.string and not m.fuzzy}


def marked_literals() -> Iterator[tuple[str, int, str, tuple[str, ...]]]:
    """Yield (file, line, function, literal msgids) for every _(), N_() and ngettext() in console/.

    Docstrings that show ``_("...")`` as an example are strings, not calls, so ast skips them.
    """
    for path in sorted(CONSOLE_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            name = node.func.id
            count = {"_": 1, "N_": 1, "ngettext": 2}.get(name)
            if count is None:
                continue
            args = node.args[:count]
            where = str(path.relative_to(CONSOLE_DIR.parent))
            if any(isinstance(arg, ast.JoinedStr) for arg in args):
                yield where, node.lineno, name, ()  # an f-string can never be in the catalog
            elif all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args):
                yield where, node.lineno, name, tuple(a.value for a in args)  # type: ignore[attr-defined]


def test_persian_locale_makes_persian_the_default() -> None:
    """LANG=fa_IR starts the console in Persian; LC_ALL and LC_MESSAGES override LANG."""
    assert default_language({"LANG": "fa_IR.UTF-8"}) == "fa"
    assert default_language({"LANG": "en_US.UTF-8"}) == "en"
    assert default_language({}) == "en"
    assert default_language({"LC_ALL": "en_US.UTF-8", "LANG": "fa_IR.UTF-8"}) == "en"
    assert default_language({"LC_MESSAGES": "fa_IR", "LANG": "C.UTF-8"}) == "fa"
    assert default_language({"LC_ALL": "", "LANG": "fa"}) == "fa"


def test_agent_in_persian_sees_persian_words_and_digits() -> None:
    """In Persian the shell's words, digits and direction are Persian."""
    set_language("fa")
    assert current_language() == "fa"
    assert is_rtl()
    assert _("Sign in") == "ورود"
    assert _("ABFA desk 122/1523") == "میز ۱۲۲/۱۵۲۳ آبفا"
    assert _("Reports") == f"گزارش{ZWNJ}ها"
    assert _("Information officer") == f"کارشناس اطلاع{ZWNJ}رسانی"
    assert lang_digits("122/1523") == "۱۲۲/۱۵۲۳"


def test_agent_in_english_sees_the_source_text() -> None:
    """English is the msgid itself; digits stay ASCII and the layout is left to right."""
    set_language("en")
    assert not is_rtl()
    assert _("Sign in") == "Sign in"
    assert lang_digits("122/1523") == "122/1523"
    assert ngettext("{n} open request", "{n} open requests", 2) == "{n} open requests"


def test_unknown_string_falls_back_to_english() -> None:
    """A string missing from the catalog shows in English rather than failing."""
    set_language("fa")
    assert _("No such message in any catalog") == "No such message in any catalog"


def test_unsupported_language_is_refused() -> None:
    """Only fa and en exist; anything else is a programming error."""
    with pytest.raises(ValueError, match="unsupported language"):
        set_language("de")


def test_translation_placeholder_survives_formatting() -> None:
    """The lock-out message keeps its {minutes} placeholder in Persian."""
    set_language("fa")
    msgid = (
        "Account locked after too many failed attempts. "
        "Try again in {minutes} minutes or ask an administrator."
    )
    assert "۱۵ دقیقه" in _(msgid).format(minutes=lang_digits("15"))


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_compiled_catalog_matches_its_po(lang: str) -> None:
    """The committed .mo holds exactly what compiling the .po gives (run scripts/i18n compile)."""
    catalog = po_catalog(lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    with (i18n.LOCALE_DIR / lang / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo").open("rb") as mo:
        committed = read_mo(mo)
    assert translated(committed) == translated(read_mo(compiled))


def test_every_marked_string_has_a_persian_translation() -> None:
    """Each literal in _(), N_() or ngettext() under console/ is translated in the fa catalog."""
    fa = po_catalog("fa")
    problems = []
    for where, line, name, msgids in marked_literals():
        if not msgids:
            problems.append(f"{where}:{line}: {name}() of an f-string cannot be translated")
            continue
        message = fa.get(msgids[0])
        strings = message.string if message else ""
        strings = strings if isinstance(strings, tuple) else (strings,)
        if message is None or message.fuzzy or not all(strings):
            problems.append(f"{where}:{line}: no Persian for {msgids[0]!r}")
    assert not problems, "run scripts/i18n extract, translate, compile:\n" + "\n".join(problems)


def test_persian_translations_keep_their_placeholders() -> None:
    """A translation uses the same {fields} as its msgid, or .format() would raise."""

    def fields(text: str) -> set[str]:
        return {part[1] for part in string.Formatter().parse(text) if part[1] is not None}

    for message in po_catalog("fa"):
        if message.id and message.string:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for text in strings:
                assert fields(text) == fields(ids[0]), message.id


def test_persian_half_spaces_sit_inside_words() -> None:
    """A ZWNJ joins two parts of one word: never next to a space or at an edge."""
    for message in po_catalog("fa"):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            if not message.id or not text:
                continue
            for index, char in enumerate(text):
                if char == ZWNJ:
                    assert 0 < index < len(text) - 1, message.id
                    assert not (text[index - 1].isspace() or text[index + 1].isspace()), message.id
                    assert text[index + 1] != ZWNJ, message.id


def test_gettext_reads_the_committed_catalog() -> None:
    """The standard library loads the committed fa .mo without Babel."""
    translation = gettext.translation(i18n.DOMAIN, localedir=i18n.LOCALE_DIR, languages=["fa"])
    assert translation.gettext("Quit") == "خروج"
