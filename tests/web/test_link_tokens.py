"""Links carry a random token; the database keeps only its SHA-256. Sending a link again
makes a new one, and the old one then gives a page that says it is no longer valid."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection

from ismonitor.web.accounts.models import MemberInvitation
from ismonitor.web.editions import actions
from ismonitor.web.editions.models import Participation
from ismonitor.web.pulse.models import PulseSurvey
from ismonitor.web.tokens import hash_token, new_token, plausible

from .conftest import answer, pulse_answers

INVALID_NL = "Deze link is niet meer geldig"
INVALID_EN = "This link is no longer valid"


def _links(prefix: str) -> list[str]:
    """The paths of every link of this kind in the e-mails sent, in order."""
    found = []
    for message in mail.outbox:  # each e-mail has the link in its Dutch and English part
        found += dict.fromkeys(re.findall(rf"http://testserver(/{prefix}/[\w-]+/)", message.body))
    return found


def _token(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def _database_text() -> str:
    """Every value in every table of the database, as text."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            parts += [repr(row) for row in cursor.fetchall()]
    return "\n".join(parts)


def test_the_hash_is_sha256_of_an_unguessable_token():
    assert hash_token("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    token, hashed = new_token()
    assert len(token) >= 43 and hashed == hash_token(token) and token not in hashed
    assert new_token()[0] != token
    assert plausible(token) and not plausible(token[:31]) and not plausible("x" * 101)


def test_the_database_holds_no_plain_token(client, alice, bob, participation_a, pulse_a, org_a):
    client.force_login(alice)
    client.post(f"/editions/participations/{participation_a.pk}/invite/")
    client.post(f"/editions/participations/{participation_a.pk}/remind/")
    client.post(f"/editions/organisations/{org_a.pk}/members/", {"email": "dana@example.org"})
    page = client.post(f"/editions/participations/{participation_a.pk}/link/").content.decode()
    shown = re.search(r'value="http://testserver(/i/[\w-]+/)"', page).group(1)
    client.force_login(bob)
    page = client.post(f"/pulse/{pulse_a.pk}/link/").content.decode()
    pulse_link = re.search(r'value="http://testserver(/s/[\w-]+/)"', page).group(1)
    client.post(pulse_link, pulse_answers())  # the answering page, reached by the token

    tokens = [
        participation_a.token,
        pulse_a.token,
        *map(_token, _links("i") + _links("accounts/join") + [shown, pulse_link]),
    ]
    assert len(set(tokens)) == 7 and all(len(token) >= 43 for token in tokens)
    stored = _database_text()
    for token in tokens:
        assert token not in stored
    # ... while the hashes of the links in use are there: the right tables were read
    for link in (shown, pulse_link, _links("accounts/join")[0]):
        assert hash_token(_token(link)) in stored


def test_a_reminder_has_a_working_link_and_the_old_one_says_it_is_no_longer_valid(
    client, alice, participation_a
):
    old = f"/i/{participation_a.token}/"
    answer(participation_a, "sector", "government")
    client.force_login(alice)
    response = client.post(f"/editions/participations/{participation_a.pk}/remind/", follow=True)
    assert "de eerder verstuurde link werkt niet meer" in response.content.decode()
    (new,) = _links("i")
    assert new != old
    body = mail.outbox[0].body
    assert "Deze link vervangt die uit eerdere e-mails" in body
    assert "This link replaces the one in earlier e-mails" in body

    visitor = client.__class__()
    assert visitor.get(new)["Location"] == f"/p/{participation_a.pk}/"
    assert visitor.get(f"/p/{participation_a.pk}/").status_code == 302  # into the questionnaire
    stale = client.__class__()
    response = stale.get(old)
    assert response.status_code == 404
    text = response.content.decode()
    assert INVALID_NL in text and "Gebruik de link uit de meest recente e-mail" in text
    assert "Organisatie A" not in text
    assert stale.get(f"/p/{participation_a.pk}/").status_code == 404
    stale.cookies["ismonitor_language"] = "en"
    text = stale.get(old).content.decode()
    assert INVALID_EN in text and "Use the link in the most recent e-mail" in text


def test_a_browser_that_opened_the_old_link_keeps_its_access(link_client, alice, participation_a):
    researcher = link_client.__class__()
    researcher.force_login(alice)
    researcher.post(f"/editions/participations/{participation_a.pk}/remind/")
    assert link_client.get(f"/p/{participation_a.pk}/").status_code == 302
    assert link_client.get(f"/i/{participation_a.token}/").status_code == 404


def test_inviting_again_makes_a_new_link(client, alice, participation_a):
    client.force_login(alice)
    client.post(f"/editions/participations/{participation_a.pk}/invite/")
    client.post(f"/editions/participations/{participation_a.pk}/invite/")
    first, second = _links("i")
    assert first != second
    assert "Deze link vervangt" not in mail.outbox[0].body
    assert "Deze link vervangt" in mail.outbox[1].body
    assert client.__class__().get(first).status_code == 404
    assert client.__class__().get(second).status_code == 302


def test_a_failed_email_keeps_the_old_link(client, alice, participation_a, monkeypatch):
    def fail(*args, **kwargs):
        raise OSError("the mail server is down")

    monkeypatch.setattr(actions, "send_mail", fail)
    with pytest.raises(OSError):
        actions.remind(Participation.objects.get(pk=participation_a.pk), "http://testserver/")
    assert client.get(f"/i/{participation_a.token}/").status_code == 302


def test_the_researcher_makes_a_new_link_shown_once(client, alice, participation_a):
    old = f"/i/{participation_a.token}/"
    client.force_login(alice)
    response = client.post(f"/editions/participations/{participation_a.pk}/link/")
    assert response.status_code == 200
    text = response.content.decode()
    new = re.search(r'value="http://testserver(/i/[\w-]+/)"', text).group(1)
    assert "Nieuwe uitnodigingslink voor Organisatie A" in text
    assert "De eerder verstuurde of getoonde link werkt niet meer" in text
    assert (
        new.split("/")[2]
        not in client.get(f"/editions/{participation_a.edition_id}/").content.decode()
    )
    assert client.__class__().get(new).status_code == 302
    assert client.__class__().get(old).status_code == 404
    assert not mail.outbox
    assert client.get(f"/editions/participations/{participation_a.pk}/link/").status_code == 405


def test_a_new_pulse_link_replaces_the_old_one(client, bob, pulse_a):
    old = f"/s/{pulse_a.token}/"
    client.force_login(bob)
    response = client.post(f"/pulse/{pulse_a.pk}/link/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Dit is de nieuwe link van de peiling. De eerdere link werkt niet meer." in text
    new = re.search(r'value="http://testserver(/s/[\w-]+/)"', text).group(1)
    assert new != old
    assert new not in client.get(f"/pulse/{pulse_a.pk}/").content.decode()  # shown once

    employee = client.__class__()
    assert employee.post(new, pulse_answers()).status_code == 302
    assert pulse_a.responses.count() == 1
    late = client.__class__()
    for response in (late.get(old), late.post(old, pulse_answers())):
        assert response.status_code == 404
        text = response.content.decode()
        assert INVALID_NL in text and "Vraag degene die deze peiling met u deelde" in text
    assert pulse_a.responses.count() == 1


def test_a_new_member_invitation_replaces_the_earlier_one(client, alice, org_a):
    client.force_login(alice)
    response = client.post(
        f"/editions/organisations/{org_a.pk}/members/", {"email": "dana@example.org"}
    )
    client.post(
        f"/editions/organisations/{org_a.pk}/members/", {"email": "Dana@example.org"}, follow=True
    )
    first, second = _links("accounts/join")
    assert MemberInvitation.objects.count() == 2
    page = client.get(f"/editions/organisations/{org_a.pk}/").content.decode()
    assert page.lower().count("dana@example.org") == 1  # only the invitation that works
    response = client.__class__().get(first)
    assert response.status_code == 404 and INVALID_NL in response.content.decode()
    assert "Vraag om een nieuwe uitnodiging" in response.content.decode()
    assert client.__class__().get(second).status_code == 200


def test_the_plain_token_is_only_on_the_instance_that_made_it(participation_a, pulse_a):
    assert len(participation_a.token) >= 43 and len(pulse_a.token) >= 43
    with pytest.raises(AttributeError, match="only the token's hash is stored"):
        Participation.objects.get(pk=participation_a.pk).token  # noqa: B018
    assert getattr(PulseSurvey.objects.get(pk=pulse_a.pk), "token", None) is None
