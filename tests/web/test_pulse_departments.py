"""Changing the departments of a pulse survey, until the first answer."""

from __future__ import annotations

from ismonitor.web.pulse import actions


def test_it_changes_the_departments_before_anyone_answered(client, bob, pulse_a):
    client.force_login(bob)
    response = client.post(f"/pulse/{pulse_a.pk}/departments/", {"departments": "Noord\nZuid"})
    assert response.status_code == 302
    pulse_a.refresh_from_db()
    assert pulse_a.departments == [["noord", "Noord"], ["zuid", "Zuid"]]


def test_it_keeps_them_once_an_employee_answered(client, bob, pulse_a):
    actions.answer_pulse(
        pulse_a,
        {
            "read_frequency": "daily",
            "post_frequency": "daily",
            "helps_work": 5,
            "feels_informed": 5,
            "feels_heard": 5,
            "knows_purpose": 5,
            "department": "ict",
        },
    )
    client.force_login(bob)
    response = client.post(
        f"/pulse/{pulse_a.pk}/departments/", {"departments": "Noord\nZuid"}, follow=True
    )
    assert "kunnen niet meer veranderen" in response.content.decode()
    pulse_a.refresh_from_db()
    assert len(pulse_a.departments) == 4


def test_it_hides_it_from_charlie(client, charlie, pulse_a):
    # Charlie should have no access to Bob's organisation
    client.force_login(charlie)
    assert client.post(f"/pulse/{pulse_a.pk}/departments/", {"departments": ""}).status_code == 404
    pulse_a.refresh_from_db()
    assert len(pulse_a.departments) == 4
