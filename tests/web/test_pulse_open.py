"""Opening a closed pulse survey again."""

from __future__ import annotations

from ismonitor.web.pulse import actions


def test_it_opens_the_survey_for_a_member(client, bob, pulse_a):
    actions.close_pulse(pulse_a)
    client.force_login(bob)
    response = client.post(f"/pulse/{pulse_a.pk}/open/")
    assert response.status_code == 302
    pulse_a.refresh_from_db()
    assert pulse_a.is_open


def test_it_hides_it_from_charlie(client, charlie, pulse_a):
    # Charlie should have no access to Bob's organisation
    actions.close_pulse(pulse_a)
    client.force_login(charlie)
    assert client.post(f"/pulse/{pulse_a.pk}/open/").status_code == 404
    pulse_a.refresh_from_db()
    assert not pulse_a.is_open


def test_it_needs_post(client, bob, pulse_a):
    client.force_login(bob)
    assert client.get(f"/pulse/{pulse_a.pk}/open/").status_code == 405
