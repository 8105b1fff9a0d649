from django.core import mail

from .conftest import answer


def test_it_reminds_one_organisation_that_started(client, alice, participation_a):
    answer(participation_a, "sector", "government")
    client.force_login(alice)
    client.post(f"/editions/participations/{participation_a.pk}/remind/")
    assert "Uw antwoorden tot nu toe zijn bewaard" in mail.outbox[0].body
    participation_a.refresh_from_db()
    assert participation_a.reminded_at is not None


def test_it_is_not_for_a_member(client, bob, participation_a):
    client.force_login(bob)
    assert client.post(f"/editions/participations/{participation_a.pk}/remind/").status_code == 404
