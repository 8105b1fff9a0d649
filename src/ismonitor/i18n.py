"""Dutch and English for every text a user reads: one gettext catalog for the CLI and reports.

The texts in the code and templates are English (the msgids); the Dutch translations live
in ``locale/nl/LC_MESSAGES/ismonitor.po``, read directly (compiled in memory with Babel),
so there is no build step. ``make messages`` extracts new texts into the catalog, and a
test fails when a text has no Dutch translation. Whole sentences with named placeholders:
``_("%(n)s organisations took part.", lang) % {"n": 139}``.

Reports take their language from ``--lang`` (Dutch by default). The command line's own
texts (help, progress, summaries, errors) follow :func:`cli_language`: the environment,
English unless it asks for Dutch.
"""

from __future__ import annotations

import gettext as _gettext
import os
import re
from collections.abc import Mapping
from functools import cache
from io import BytesIO
from pathlib import Path

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
DOMAIN = "ismonitor"
LOCALE_DIR = Path(__file__).parent / "locale"
CLI_DEFAULT_LANGUAGE = "en"
"""The command line's language when the environment names none of ``LANGUAGES``: CI and
most terminals run with a C or English locale."""

_LOCALE = re.compile(r"^(?P<lang>[a-z]{2,3})(?:[_@.-]|$)", re.IGNORECASE)


def _language_of(value: str) -> str | None:
    """``nl`` or ``en`` for a locale name (``nl_NL.UTF-8``, ``nl``, ``en_GB``), else None."""
    match = _LOCALE.match(value.strip())
    lang = match["lang"].lower() if match else None
    return lang if lang in LANGUAGES else None


def cli_language(environ: Mapping[str, str] | None = None) -> str:
    """The command line's language, ``nl`` or ``en``, from the environment.

    ``ISMONITOR_LANG`` (``nl`` or ``en``) decides first. Otherwise the locale does, as
    gettext reads it: ``LANGUAGE`` (a list such as ``nl:en``; its first entry counts),
    unless the locale is C or POSIX, then ``LC_ALL``, ``LC_MESSAGES`` and ``LANG``. A Dutch
    locale (``nl_NL.UTF-8``, ``nl_BE.UTF-8``) gives ``nl``; anything else, or nothing,
    gives English (:data:`CLI_DEFAULT_LANGUAGE`).
    """
    env = os.environ if environ is None else environ
    chosen = _language_of(env.get("ISMONITOR_LANG", ""))
    if chosen:
        return chosen
    locale = next((env[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(name)), "")
    candidates = [locale]
    if locale.split(".")[0] not in ("C", "POSIX"):
        languages = [entry for entry in env.get("LANGUAGE", "").split(":") if entry]
        candidates = languages[:1] + candidates
    for value in candidates:
        if value:
            return "nl" if _language_of(value) == "nl" else CLI_DEFAULT_LANGUAGE
    return CLI_DEFAULT_LANGUAGE


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
