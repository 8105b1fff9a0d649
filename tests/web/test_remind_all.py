from django.core import mail

from .conftest import answer_profile


def test_it_reminds_those_who_have_not_submitted(client, alice, participation_a, participation_b):
    answer_profile(participation_b, uses_ism="no")
    participation_b.submitted_at = participation_b.started_at
    participation_b.save()
    client.force_login(alice)
    client.post(f"/editions/{participation_a.edition_id}/remind/")
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    assert "Herinnering: Editie 2026" == mail.outbox[0].subject


def test_it_is_not_for_a_member(client, bob, participation_a):
    client.force_login(bob)
    assert client.post(f"/editions/{participation_a.edition_id}/remind/").status_code == 404
