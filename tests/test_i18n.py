"""Dutch and English everywhere: every text in the code has a Dutch translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.checkers import python_format
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from ismonitor.i18n import catalog_path, gettext

ROOT = Path(__file__).parents[1]


def _catalog():
    with catalog_path("nl").open("rb") as handle:
        return read_po(handle, locale="nl")


def _texts_in_code() -> set[str]:
    # the portal (web/) has Django's own catalog, checked by tests/web
    method_map = [
        ("web/**", "ignore"),
        ("**/reports/templates/**.html", "jinja2"),
        ("**.py", "python"),
    ]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT / "src" / "ismonitor", method_map=method_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_text_in_the_code_is_in_the_catalog():
    # a plural's id is (singular, plural); the code is searched for its singular
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog() if m.id}
    missing = _texts_in_code() - ids
    assert not missing, f"run `make messages` and translate: {sorted(missing)[:5]}"


def test_every_text_has_a_dutch_translation():
    catalog = _catalog()
    untranslated = [
        m.id
        for m in catalog
        if m.id and (m.fuzzy or not (m.string if isinstance(m.string, str) else all(m.string)))
    ]
    assert not untranslated, untranslated[:5]


def test_translations_keep_their_placeholders():
    catalog = _catalog()
    for message in catalog:
        if message.id and message.python_format:
            python_format(catalog, message)  # raises TranslationError on a mismatch


def test_english_is_the_source_and_dutch_is_translated():
    assert gettext("Key findings", "en") == "Key findings"
    assert gettext("Key findings", "nl") != "Key findings"
