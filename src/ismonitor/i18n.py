"""Dutch and English for every text a user reads: one gettext catalog for the CLI and reports.

The texts in the code and templates are English (the msgids); the Dutch translations live
in ``locale/nl/LC_MESSAGES/ismonitor.po``, read directly (compiled in memory with Babel),
so there is no build step. ``make messages`` extracts new texts into the catalog, and a
test fails when a text has no Dutch translation. Whole sentences with named placeholders:
``_("%(n)s organisations took part.", lang) % {"n": 139}``.
"""

from __future__ import annotations

import gettext as _gettext
from functools import cache
from io import BytesIO
from pathlib import Path

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
DOMAIN = "ismonitor"
LOCALE_DIR = Path(__file__).parent / "locale"


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The translations for ``lang``; English is the source language and needs none."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    if lang == "en":
        return _gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with catalog_path(lang).open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def gettext(message: str, lang: str) -> str:
    """``message`` in ``lang``."""
    return translations(lang).gettext(message)


def ngettext(singular: str, plural: str, n: int, lang: str) -> str:
    """The singular or plural form of a message for ``n``, in ``lang``."""
    return translations(lang).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Mark a text for translation where it is defined; translate it where it is shown."""
    return message
