import re

from django.core import mail


def test_it_sends_each_organisation_its_own_link(client, alice, participation_a, participation_b):
    client.force_login(alice)
    client.post(f"/editions/{participation_a.edition_id}/invite/")
    assert len(mail.outbox) == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    body_a = by_address["a@example.org"].body
    links = set(re.findall(r"http://testserver(/i/[\w-]+/)", body_a))
    assert len(links) == 1
    (link,) = links
    assert link not in by_address["b@example.org"].body
    client.logout()
    assert client.get(link)["Location"] == f"/p/{participation_a.pk}/"
    assert "Beste Organisatie A" in body_a and "Dear Organisatie A" in body_a
    assert by_address["a@example.org"].subject == "Uitnodiging: Editie 2026"
    participation_a.refresh_from_db()
    assert participation_a.invited_at is not None


def test_it_does_not_invite_twice(client, alice, participation_a):
    client.force_login(alice)
    client.post(f"/editions/{participation_a.edition_id}/invite/")
    client.post(f"/editions/{participation_a.edition_id}/invite/")
    assert len(mail.outbox) == 1


def test_it_is_not_for_a_member(client, bob, participation_a):
    client.force_login(bob)
    assert client.post(f"/editions/{participation_a.edition_id}/invite/").status_code == 404
    assert not mail.outbox
