"""Every interface text is in the Dutch catalog, translated; the .mo is built with Babel."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract
from babel.messages.pofile import read_po
from django.utils.translation import template as django_template

from ismonitor.web import i18n

WEB = Path(i18n.__file__).parent
CATALOG = WEB / "locale" / "nl" / "LC_MESSAGES" / "django.po"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
}


def _catalog():
    with CATALOG.open("rb") as handle:
        return read_po(handle, locale="nl")


def _texts() -> set:
    """Every msgid in web/: Python through Babel, templates as makemessages sees them."""
    found = set()
    for path in WEB.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        with path.open("rb") as handle:
            for _line, message, _comments, _context in extract("python", handle, keywords=KEYWORDS):
                found.add(message)
    for path in (WEB / "templates").rglob("*"):
        if path.suffix not in (".html", ".txt"):
            continue
        source = django_template.templatize(path.read_text(encoding="utf-8"), origin=str(path))
        # templatize keeps the template's indentation, which is no Python indentation
        source = "\n".join(line.lstrip() for line in source.splitlines())
        for _line, message, _comments, _context in extract(
            "python", io.BytesIO(source.encode("utf-8")), keywords=KEYWORDS
        ):
            found.add(message)
    return found


def test_every_text_of_the_portal_is_in_the_catalog():
    catalog = _catalog()
    missing = sorted(str(text) for text in _texts() if text not in catalog)
    assert not missing, f"run makemessages and translate: {missing}"


def test_every_text_in_the_catalog_has_a_dutch_translation():
    untranslated = [m.id for m in _catalog() if m.id and not m.string]
    assert not untranslated
    plural = [m.id for m in _catalog() if isinstance(m.id, tuple) and not all(m.string)]
    assert not plural


def test_placeholders_survive_translation():
    import re

    for message in _catalog():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"%\(\w+\)s", ids[-1]))
        for string in strings:
            assert set(re.findall(r"%\(\w+\)s", string)) == wanted, message.id


def test_the_mo_file_is_written_when_missing(tmp_path, monkeypatch):
    po = tmp_path / "nl" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_bytes(CATALOG.read_bytes())
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    assert i18n.compile_messages() == [po.with_suffix(".mo")]
    assert i18n.compile_messages() == []  # up to date now
    from babel.messages.mofile import read_mo

    with po.with_suffix(".mo").open("rb") as handle:
        assert read_mo(handle).get("Log in").string == "Inloggen"


def test_pages_are_dutch_by_default_and_english_on_request(client, db):
    assert "Inloggen" in client.get("/accounts/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Log in" in client.get("/accounts/login/").content.decode()


def test_the_browsers_language_does_not_change_the_default(client, db):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en")
    assert "Inloggen" in response.content.decode()


def test_the_language_switch_names_each_language_in_itself(client, db):
    body = client.get("/accounts/login/").content.decode()
    assert 'lang="en" class="link-button">English</button>' in body
