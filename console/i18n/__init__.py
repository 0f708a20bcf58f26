"""Translation of the console's words: gettext catalogs, Persian first.

Source strings (msgids) are English; the catalogs live in
``console/i18n/locales/{fa,en}/LC_MESSAGES/abfa_desk.po`` with their compiled ``.mo`` beside them.
A screen marks a string with ``_`` and formats afterwards, so translators see the placeholder::

    from console.i18n import _, lang_digits

    message = _("Account locked after too many failed attempts. "
                "Try again in {minutes} minutes or ask an administrator.")
    message.format(minutes=lang_digits(str(minutes)))

A label defined before the language is chosen (a table of roles, a list of modes) is marked with
``N_`` so extraction sees it, and translated with ``_(label)`` where it is shown.

Adding a string: write ``_("...")`` in ``console/``, run ``scripts/i18n extract``, fill the
``msgstr`` in the fa ``.po``, run ``scripts/i18n compile``. ``tests/console/test_i18n.py`` fails
until every literal has a Persian translation and the ``.mo`` files match the ``.po`` files.

Displaying Persian on a terminal (shaping, reordering) is :mod:`console.i18n.rtl`'s job, not this
module's: ``_`` returns logical-order text.
"""

import gettext
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Final, Literal

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "LOCALE_DIR",
    "N_",
    "_",
    "current_language",
    "default_language",
    "is_rtl",
    "lang_digits",
    "ngettext",
    "set_language",
]

Language = Literal["fa", "en"]

DOMAIN: Final = "abfa_desk"
LOCALE_DIR: Final = Path(__file__).parent / "locales"
LANGUAGES: Final[tuple[Language, ...]] = ("fa", "en")
_RTL_LANGUAGES: Final = frozenset({"fa"})
_PERSIAN_DIGITS: Final = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")

_language: Language = "en"
_translation: gettext.NullTranslations = gettext.NullTranslations()


def default_language(environ: Mapping[str, str] | None = None) -> Language:
    """Return ``"fa"`` when the locale names Persian, else ``"en"``.

    The locale is the first non-empty of ``LC_ALL``, ``LC_MESSAGES`` and ``LANG``, the order in
    which POSIX lets them override each other.
    """
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "fa" if value.lower().startswith("fa") else "en"
    return "en"


def set_language(lang: str) -> None:
    """Switch every later ``_`` call to ``lang`` (``"fa"`` or ``"en"``).

    Raises ``ValueError`` for any other language and ``FileNotFoundError`` when the compiled
    catalog is missing: a console that silently fell back to English would hide a packaging bug.
    """
    global _language, _translation
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; expected one of {LANGUAGES}")
    _translation = gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang])
    _language = lang  # type: ignore[assignment]  # checked against LANGUAGES above


def current_language() -> Language:
    """Return the language ``_`` translates into."""
    return _language


def is_rtl() -> bool:
    """Return whether the current language is written right to left (layout mirrors)."""
    return _language in _RTL_LANGUAGES


def _(msgid: str) -> str:
    """Translate ``msgid`` into the current language (the English text when untranslated)."""
    return _translation.gettext(msgid)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message whose form depends on the count ``n``."""
    return _translation.ngettext(singular, plural, n)


def N_(msgid: str) -> str:
    """Mark ``msgid`` for extraction without translating it yet; translate later with ``_``."""
    return msgid


def lang_digits(text: str) -> str:
    """Write ASCII digits as Persian digits when the language is Persian; else unchanged."""
    return text.translate(_PERSIAN_DIGITS) if _language == "fa" else text


set_language(default_language())
