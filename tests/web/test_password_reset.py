"""A forgotten password: a link by e-mail, once, without telling whether an address has an
account, and rate-limited."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client, override_settings

RESET = "/accounts/password/reset/"
NEW = "a fresh long pass phrase"


def _ask(client, email, **extra):
    return client.post(RESET, {"email": email}, **extra)


def _link(message) -> str:
    (link,) = set(re.findall(r"http://testserver(/accounts/password/reset/[^\s]+/)", message.body))
    return link


def _page(response) -> str:
    """A page without what differs on every request (the CSRF token)."""
    text = response.content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


def _logs_in(username, password) -> bool:
    response = Client().post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR="10.1.1.1"
    )
    return response.wsgi_request.user.is_authenticated


def test_the_login_page_links_to_it(client, db):
    text = client.get("/accounts/login/").content.decode()
    assert f'<a href="{RESET}">Wachtwoord vergeten?</a>' in text
    client.cookies["ismonitor_language"] = "en"
    assert (
        f'<a href="{RESET}">Forgot your password?</a>'
        in client.get("/accounts/login/").content.decode()
    )


def test_a_member_chooses_a_new_password_through_the_emailed_link(client, bob):
    page = client.get(RESET).content.decode()
    assert "Wachtwoord vergeten?" in page and 'autocomplete="email"' in page
    response = _ask(client, "bob@example.org")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/sent/"
    assert "Kijk in uw e-mail" in client.get(response["Location"]).content.decode()

    (message,) = mail.outbox
    assert message.to == ["bob@example.org"]
    assert message.subject == "Kies een nieuw wachtwoord voor ismonitor"
    assert "gebruikersnaam bob" in message.body and "with the username bob" in message.body
    assert "De link werkt één keer, en 24 uur lang." in message.body
    link = _link(message)

    response = client.get(link)  # Django moves the token out of the address into the session
    assert response.status_code == 302 and response["Location"].endswith("/set-password/")
    form = client.get(response["Location"])
    assert "Kies een nieuw wachtwoord" in form.content.decode()
    done = client.post(response["Location"], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/accounts/password/reset/done/"
    assert "Uw wachtwoord is gewijzigd" in client.get(done["Location"]).content.decode()
    assert _logs_in("bob", NEW)
    assert not _logs_in("bob", "bob-password")


def test_the_link_works_only_once(client, bob):
    _ask(client, "bob@example.org")
    link = _link(mail.outbox[0])
    step = client.get(link)["Location"]
    client.post(step, {"new_password1": NEW, "new_password2": NEW})

    again = Client()
    response = again.get(link)
    text = response.content.decode()
    assert response.status_code == 200
    assert "Deze link is niet meer geldig" in text and "new_password1" not in text
    other = "yet another pass phrase"
    again.post(link, {"new_password1": other, "new_password2": other})
    assert _logs_in("bob", NEW) and not _logs_in("bob", other)


def test_an_unknown_address_gets_the_same_answer_and_no_email(bob):
    known, unknown = Client(), Client()
    a = _ask(known, "bob@example.org")
    b = _ask(unknown, "nobody@example.org")
    assert (a.status_code, a["Location"]) == (b.status_code, b["Location"])
    assert _page(known.get(a["Location"])) == _page(unknown.get(b["Location"]))
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["bob@example.org"]


def test_the_address_is_matched_without_regard_to_case(client, bob):
    _ask(client, "Bob@Example.org")
    assert [m.to for m in mail.outbox] == [["bob@example.org"]]


def test_the_researcher_can_reset_too(client, alice):
    _ask(client, "alice@example.org")
    step = client.get(_link(mail.outbox[0]))["Location"]
    client.post(step, {"new_password1": NEW, "new_password2": NEW})
    assert _logs_in("alice", NEW)


def test_an_inactive_account_gets_no_email(client, bob):
    bob.is_active = False
    bob.save()
    assert _ask(client, "bob@example.org").status_code == 302
    assert not mail.outbox


def test_a_weak_new_password_is_refused(client, bob):
    _ask(client, "bob@example.org")
    step = client.get(_link(mail.outbox[0]))["Location"]
    response = client.post(step, {"new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert _logs_in("bob", "bob-password")


def test_one_address_gets_at_most_three_emails_an_hour_with_the_same_answer(client, bob):
    answers = [_ask(client, "bob@example.org") for _ in range(5)]
    assert {(a.status_code, a["Location"]) for a in answers} == {
        (302, "/accounts/password/reset/sent/")
    }
    assert len(mail.outbox) == 3


@override_settings(ISMONITOR_RESET_PER_IP=2)
def test_one_network_address_is_limited(client, bob):
    assert _ask(client, "nobody@example.org").status_code == 302
    assert _ask(client, "nobody2@example.org").status_code == 302
    for email in ("bob@example.org", "nobody3@example.org"):  # the same for any address
        response = _ask(client, email)
        assert response.status_code == 429
        assert "Te veel verzoeken" in response.content.decode()
    assert not mail.outbox
    assert _ask(client, "bob@example.org", REMOTE_ADDR="10.9.9.9").status_code == 302
    assert len(mail.outbox) == 1


@override_settings(AXES_FAILURE_LIMIT=3)
def test_a_new_password_lifts_a_lockout(client, bob):
    for _attempt in range(3):
        Client().post(
            "/accounts/login/", {"username": "bob", "password": "wrong"}, REMOTE_ADDR="10.1.1.1"
        )
    assert not _logs_in("bob", "bob-password")  # locked out
    _ask(client, "bob@example.org")
    step = client.get(_link(mail.outbox[0]))["Location"]
    client.post(step, {"new_password1": NEW, "new_password2": NEW})
    assert _logs_in("bob", NEW)


def test_the_email_goes_out_in_the_background_outside_tests(client, bob, monkeypatch):
    from ismonitor.web import mail as portal_mail

    started = []

    class Thread:
        def __init__(self, target, name):
            self.target = target

        def start(self):
            started.append(self.target)

    monkeypatch.setattr(portal_mail.threading, "Thread", Thread)
    with override_settings(ISMONITOR_MAIL_IN_BACKGROUND=True):
        assert _ask(client, "bob@example.org").status_code == 302
        assert _ask(client, "nobody@example.org").status_code == 302
    assert not mail.outbox and len(started) == 1  # the answer did not wait for the e-mail
    started[0]()
    assert [m.to for m in mail.outbox] == [["bob@example.org"]]


def test_a_link_for_one_account_does_not_open_another(client, bob, charlie):
    _ask(client, "bob@example.org")
    link = _link(mail.outbox[0])
    _, uid, token, _ = link.rsplit("/", 3)
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    other = urlsafe_base64_encode(force_bytes(charlie.pk))
    response = client.get(f"/accounts/password/reset/{other}/{token}/", follow=True)
    assert "Deze link is niet meer geldig" in response.content.decode()
    assert get_user_model().objects.get(username="charlie").check_password("charlie-password")
