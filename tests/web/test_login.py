"""Logging in: django-axes limits the attempts."""

from django.test import override_settings


def test_it_shows_the_form_in_dutch(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "Inloggen" in response.content.decode()


def test_it_logs_a_member_in(client, bob):
    response = client.post(
        "/accounts/login/", {"username": "bob", "password": "bob-password"}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 302
    assert response.wsgi_request.user.username == "bob"


def test_it_refuses_a_wrong_password(client, bob):
    response = client.post("/accounts/login/", {"username": "bob", "password": "wrong"})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


@override_settings(AXES_FAILURE_LIMIT=3)
def test_it_locks_out_after_too_many_failures(client, bob):
    for _attempt in range(3):
        client.post("/accounts/login/", {"username": "bob", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "bob", "password": "bob-password"})
    assert response.status_code == 429
    assert not response.wsgi_request.user.is_authenticated
    assert "Te veel pogingen" in response.content.decode()


def test_it_needs_the_csrf_token(bob):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"username": "bob", "password": "bob-password"})
    assert response.status_code == 403
