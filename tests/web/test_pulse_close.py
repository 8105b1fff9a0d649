"""Closing a pulse survey: the link then says it takes no more answers."""

from __future__ import annotations


def test_it_closes_the_survey_for_the_researcher(client, alice, pulse_a):
    client.force_login(alice)
    response = client.post(f"/pulse/{pulse_a.pk}/close/")
    assert response.status_code == 302
    pulse_a.refresh_from_db()
    assert not pulse_a.is_open
    client.logout()
    assert "Deze peiling is gesloten" in client.get(f"/s/{pulse_a.token}/").content.decode()


def test_it_hides_it_from_an_anonymous_visitor(client, pulse_a):
    assert client.post(f"/pulse/{pulse_a.pk}/close/").status_code == 404
    pulse_a.refresh_from_db()
    assert pulse_a.is_open
