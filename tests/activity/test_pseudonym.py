"""Pseudonyms: keyed, normalised, per platform unless the caller links them."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from ismonitor.activity.pseudonym import (
    Pseudonymiser,
    PseudonymKeyError,
    key_id,
    load_key,
    normalise,
)

KEY = b"0123456789abcdef0123"


def test_it_is_the_hmac_of_the_namespace_and_the_identifier():
    expected = hmac.new(KEY, b"slack:U0ANNA", hashlib.sha256).hexdigest()
    assert Pseudonymiser(KEY, "slack")("U0ANNA") == expected


def test_it_lower_cases_user_principal_names_but_not_platform_ids():
    assert normalise("  Anna.deVries@Example.ORG ") == "anna.devries@example.org"
    assert normalise("U0BMQB6JE") == "U0BMQB6JE"


def test_it_treats_concealed_names_and_guids_as_case_insensitive():
    concealed = "3F2B5C0D9E8A7B6C5D4E3F2A1B0C9D8E"
    assert normalise(concealed) == concealed.lower()
    guid = "0A1B2C3D-4E5F-6A7B-8C9D-0E1F2A3B4C5D"
    assert normalise(guid) == guid.lower()


def test_the_same_person_gets_one_pseudonym_whatever_the_case():
    pseudonymiser = Pseudonymiser(KEY, "teams")
    assert pseudonymiser("Jan@Example.org") == pseudonymiser("jan@example.org ")


def test_platforms_do_not_link_unless_given_one_namespace():
    assert Pseudonymiser(KEY, "slack")("jan") != Pseudonymiser(KEY, "teams")("jan")
    assert Pseudonymiser(KEY, "m365")("jan") == Pseudonymiser(KEY, "m365")("jan")


def test_it_refuses_a_namespace_that_could_be_confused():
    with pytest.raises(ValueError, match="namespace"):
        Pseudonymiser(KEY, "slack:teams")


def test_a_key_fingerprint_does_not_reveal_the_key():
    assert key_id(KEY) == key_id(KEY)
    assert key_id(KEY) != key_id(KEY + b"!")
    assert KEY.hex() not in key_id(KEY)


def test_it_explains_how_to_set_a_key(monkeypatch):
    monkeypatch.delenv("ISMONITOR_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("ISMONITOR_PSEUDONYM_KEY_FILE", raising=False)
    with pytest.raises(PseudonymKeyError, match="ismonitor activity new-key FILE"):
        load_key()


def test_it_names_an_unreadable_key_file(monkeypatch, tmp_path):
    monkeypatch.delenv("ISMONITOR_PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("ISMONITOR_PSEUDONYM_KEY_FILE", str(tmp_path / "missing.key"))
    with pytest.raises(PseudonymKeyError, match="missing.key"):
        load_key()
